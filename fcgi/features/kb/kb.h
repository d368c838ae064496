/* The help center's interface for the programs: its feature, and rendering stored markdown. */
#ifndef MP_FEATURES_KB_H
#define MP_FEATURES_KB_H

#include "features/feature.h"

extern const struct mp_feature	 mp_feature_kb;

/* mpanelctl kb-render: render stored markdown (all, or only what changed). */
enum mp_err	 mp_kb_render_pending(struct mp_ctx *, int all, int *count);

/*
 * Markdown as the help center renders it (cmark-gfm, safe mode, the same
 * extensions and link rules), for other features' stored text such as a
 * newsletter issue.  *html is arena memory.  MP_ELIMIT when md is over
 * the help center's limits, MP_EINPUT for invalid UTF-8 or NUL bytes.
 */
enum mp_err	 mp_kb_markdown_html(struct mp_arena *, const char *md,
		    size_t len, char **html);

/*
 * The page cache's hand-back: count n more of what a cached copy's tag
 * (made when the page was rendered) says, for c's tenant, in its
 * transaction.
 */
enum mp_err	 mp_kb_count_cached(struct mp_ctx *, const char *tag, long n);

#endif
