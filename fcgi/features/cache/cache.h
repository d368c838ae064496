/* The public-page cache: what the programs use of it. */
#ifndef MP_FEATURES_CACHE_H
#define MP_FEATURES_CACHE_H

#include "features/feature.h"

extern const struct mp_feature	 mp_feature_cache;

/*
 * The worker's tick (each turn of its main loop, at most a second
 * apart): move the generation links of every tenant whose generation
 * changed (and of those whose maintenance window started or ended) and
 * count the help center views and searches nginx answered from its
 * cache.  Runs at most once a second unless now is set (a NOTIFY
 * mp_cache came).  db is the worker's own connection, a its scratch
 * arena.
 */
void	 mp_cache_tick(const struct mp_config *, struct mp_db *,
	    struct mp_arena *, int now);

/*
 * The patterns of the page cache's list of shareable routes that no
 * feature declares for GET (a renamed route would silently stop being
 * cached), printed to fp; returns how many.  make check runs it.
 */
int	 mp_cache_unknown_routes(FILE *fp);

#endif
