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

#endif
