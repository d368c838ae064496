/* Help center internals shared by the kb_*.c files: rendering and text helpers. */
#ifndef MP_FEATURES_KB_H
#define MP_FEATURES_KB_H

#include "core/extern.h"

#define MP_KB_MD_MAX		(256u * 1024u)	/* bytes of markdown source */
#define MP_KB_SLUG_MAX		80
#define MP_KB_QUERY_MAX		200
#define MP_KB_MARK_START	'\002'	/* ts_headline sentinels */
#define MP_KB_MARK_STOP		'\003'
#define MP_KB_LT		'\004'	/* '<' while ts_headline runs */

/* One H2/H3 section of an article (level 1: the lead before any heading). */
struct mp_kb_section {
	int	 level;
	char	*anchor;	/* "" for the lead */
	char	*heading;
	char	*text;
};

/* What one render of a markdown body produces, all arena memory. */
struct mp_kb_render {
	char			*html;	/* sanitised HTML, headings with ids */
	char			*text;	/* plain text for the search vector */
	struct mp_kb_section	*sec;
	size_t			 nsec;
};

/* An article as a form or JSON body gives it (NULL: absent). */
struct mp_kb_input {
	const char	*title;
	const char	*slug;		/* NULL or "": from the title */
	const char	*old_slug;	/* the current slug, for updates */
	const char	*summary;
	const char	*body;
	const char	*category;	/* slug */
	const char	*tags;		/* comma or space separated */
	const char	*status;
	const char	*meta_title;
	const char	*meta_description;
	const char	*locale;
	const char	*boost;
	const char	*author_name;
	const char	*translation_of;	/* the original's public id; "": none */
};

/* kb_markdown.c */
enum mp_err	 mp_kb_render(struct mp_arena *, const char *md, size_t len,
		    const char *title, struct mp_kb_render *);

/* kb_text.c: pure helpers, unit-tested. */
char		*mp_kb_slugify(struct mp_arena *, const char *, size_t max);
char		*mp_kb_prefix_query(struct mp_arena *, const char *);
void		 mp_kb_mark_html(struct mp_buf *, const char *);
char		*mp_kb_norm_query(struct mp_arena *, const char *);
int		 mp_kb_tag_valid(const char *);
void		 mp_kb_clean_text(char *);

/*
 * kb_counts.c: count in this responder's memory for a batched write
 * (mp_kb_counts_flush); the counts are of r's tenant, today (UTC).
 * Only when its table is full does a count cost a statement, in r's
 * transaction.
 */
struct mp_req;
enum mp_err	 mp_kb_count_view(struct mp_req *, const char *article_id);
enum mp_err	 mp_kb_count_search(struct mp_req *, const char *norm,
		    long results);
enum mp_err	 mp_kb_count_click(struct mp_req *, const char *norm);

/* kb_admin.c: shared with kb_categories.c */
enum mp_err	 mp_kb_staff(struct mp_req *);
struct _hdf;
void		 mp_kb_admin_page(struct mp_req *, struct _hdf *,
		    const char *title);

/* kb_store.c */
struct mp_db;
struct mp_req;
struct mp_res;
enum mp_err	 mp_kb_store_render(struct mp_db *, struct mp_arena *,
		    const char *id);
enum mp_err	 mp_kb_render_pending(struct mp_db *, struct mp_arena *,
		    int all, int *count);
enum mp_err	 mp_kb_save(struct mp_req *, const char *id,
		    const struct mp_kb_input *, char **pubid);

/* kb.c: shared with kb_seo.c and kb_admin.c */
struct _hdf;
const char	*mp_kb_origin(struct mp_req *);
char		*mp_kb_article_path(struct mp_arena *, const char *pubid,
		    const char *slug);
void		 mp_kb_page(struct mp_req *, struct _hdf *);

#endif
