/* The status page's interface for the programs: its feature. */
#ifndef MP_FEATURES_STATUS_H
#define MP_FEATURES_STATUS_H

#include "features/feature.h"

extern const struct mp_feature	 mp_feature_status;

/*
 * Say that tenant slug's status page changed: every responder's kept
 * copies made before now are stale (cache_dir/status/<slug>.stamp).  The
 * page cache calls it whenever it moves a tenant's generation, so nginx
 * never stores a responder's older copy under the new one.
 */
void	 mp_st_touch(const struct mp_config *, struct mp_arena *,
	    const char *slug);

#endif
