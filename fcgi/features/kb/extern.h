/* The help center's own interface, shared by the files of fcgi/features/kb only. */
#ifndef MP_FEATURES_KB_EXTERN_H
#define MP_FEATURES_KB_EXTERN_H

#include "features/kb/kb.h"
#include "features/queue/queue.h"

#define MP_KB_MD_MAX		(256u * 1024u)	/* bytes of markdown source */
#define MP_KB_SLUG_MAX		80
#define MP_KB_QUERY_MAX		200
#define MP_KB_HEADINGS_MAX	4000	/* bytes of an article's headings */

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
void		 mp_kb_snippet_html(struct mp_arena *, struct mp_buf *,
		    const char *text, const char *lexemes, int stem);
char		*mp_kb_norm_query(struct mp_arena *, const char *);
char		*mp_kb_query_lexemes(struct mp_arena *, const char *);
int		 mp_kb_tag_valid(const char *);
char		*mp_kb_url_escape(struct mp_arena *, const char *);
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

/*
 * kb_memo.c: the expansion mp_kb_search() returned for a query (its memo
 * columns, as text; fired may be NULL), kept in this responder's memory
 * per tenant, locale and query.  get copies a memo into the arena and
 * says whether there was one.
 */
struct mp_kb_memo {
	const char	*gen;
	const char	*concepts;
	const char	*typed;
	const char	*fired;
	const char	*hq;
};
int		 mp_kb_memo_get(struct mp_arena *, int64_t tenant,
		    const char *locale, const char *q, struct mp_kb_memo *);
void		 mp_kb_memo_put(int64_t tenant, const char *locale,
		    const char *q, const struct mp_kb_memo *);
void		 mp_kb_memo_clear(void);

/* kb_store.c */
struct mp_db;
struct mp_req;
struct mp_res;
enum mp_err	 mp_kb_store_render(struct mp_db *, struct mp_arena *,
		    const char *id);
enum mp_err	 mp_kb_save(struct mp_req *, const char *id,
		    const struct mp_kb_input *, char **pubid);

/* kb.c: shared with kb_seo.c and kb_admin.c */
struct _hdf;
char		*mp_kb_article_path(struct mp_arena *, const char *pubid,
		    const char *slug);
void		 mp_kb_page(struct mp_req *, struct _hdf *);

/* pages.c, seo.c, admin.c: the help center's handlers (docs/api-kb.md). */
extern const struct mp_field	 mp_kb_search_fields[];
extern const struct mp_field	 mp_kb_article_fields[];
extern const struct mp_field	 mp_kb_vote_fields[];
extern const struct mp_field	 mp_kb_page_fields[];
extern const struct mp_field	 mp_kb_api_list_fields[];
extern const struct mp_field	 mp_kb_admin_list_fields[];
extern const struct mp_field	 mp_kb_admin_save_fields[];
enum mp_err	 mp_kb_index(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_search_page(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_article_page(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_vote_form(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_category_page(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_tag_page(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_api_articles(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_api_article(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_api_vote(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_api_popular(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_api_tag(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_api_suggest(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_sitemap(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_robots(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_atom(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_admin_list(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_admin_new(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_admin_edit(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_admin_create(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_admin_update(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_admin_revisions(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_admin_restore(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_admin_report(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_api_admin_list(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_api_admin_create(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_api_admin_update(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_api_admin_stats(struct mp_req *, struct mp_resp *);
/* categories.c */
extern const struct mp_field	 mp_kb_category_fields[];
extern const struct mp_field	 mp_kb_category_list_fields[];
enum mp_err	 mp_kb_admin_categories(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_admin_category_create(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_admin_category(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_admin_category_update(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_admin_category_delete(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_api_categories(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_api_category_create(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_api_category_update(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_api_category_delete(struct mp_req *, struct mp_resp *);
/* contact.c */
extern const struct mp_field	 mp_kb_contact_fields[];
extern const struct mp_field	 mp_kb_contact_page_fields[];
extern const struct mp_field	 mp_kb_requests_fields[];
enum mp_err	 mp_kb_contact_page(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_contact_form(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_api_contact(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_admin_requests(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_api_admin_requests(struct mp_req *, struct mp_resp *);
/* synonyms.c */
extern const struct mp_field	 mp_kb_synonym_fields[];
enum mp_err	 mp_kb_admin_synonyms(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_admin_synonym_create(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_admin_synonym_update(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_admin_synonym_delete(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_api_synonyms(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_api_synonym_create(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_api_synonym_update(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_api_synonym_delete(struct mp_req *, struct mp_resp *);
/*
 * counts.c: write the views, searches and clicks this responder holds
 * once they are due (kb_count_flush), or now when force is set; between
 * requests, never inside one (it runs its own transactions; a uses and
 * resets).  Returns the milliseconds until the next are due, -1 when
 * nothing is held.
 */
int		 mp_kb_counts_flush(struct mp_ctx *, int force);
/* store.c: the kb.related job (payload {"article": id}). */
enum mp_err	 mp_kb_job_related(struct mp_job *);
/* counts.c: the daily kb.retention job. */
enum mp_err	 mp_kb_job_retention(struct mp_job *);
enum mp_err	 mp_kb_job_popular(struct mp_job *);

/* The help center's settings (kb.c has the keys, defaults and ranges). */
struct mp_kb_conf {
	int	 kb_count_flush;	/* seconds counts are held in a responder */
	int	 kb_stats_days;		/* days views and searches are kept */
	int	 kb_contact_days;	/* days contact requests are kept */
};

extern const struct mp_confsec	 mp_kb_confsec;
#define mp_kb_conf(cfg) \
	((const struct mp_kb_conf *)mp_config_sec((cfg), &mp_kb_confsec))

/* Each file's statements, for the module's list. */
extern const struct mp_stmt_table mp_kb_admin_st, mp_kb_categories_st,
		    mp_kb_contact_st, mp_kb_counts_st, mp_kb_pages_st,
		    mp_kb_seo_st, mp_kb_store_st, mp_kb_synonyms_st;

#endif
