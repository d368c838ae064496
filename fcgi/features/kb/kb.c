/* The help center feature: articles, search, votes, SEO, the staff editor and its reports. */
#include "features/kb/extern.h"

static const struct mp_route routes[] = {
	{ MP_GET,	"/help",		mp_kb_index,	MP_R_REPLICA,
	    NULL },
	{ MP_GET,	"/help/search",		mp_kb_search_page, MP_R_REPLICA,
	    mp_kb_search_fields },
	{ MP_GET,	"/help/articles/{ref}",	mp_kb_article_page, MP_R_REPLICA,
	    mp_kb_article_fields },
	{ MP_POST,	"/help/articles/{ref}/vote", mp_kb_vote_form,
	    MP_R_CSRF | MP_R_ANONFORM, mp_kb_vote_fields },
	{ MP_GET,	"/help/categories/{slug:slug}", mp_kb_category_page,
	    MP_R_REPLICA,
	    mp_kb_page_fields },
	{ MP_GET,	"/help/tags/{tag:slug}", mp_kb_tag_page, MP_R_REPLICA,
	    mp_kb_page_fields },
	{ MP_GET,	"/help/feed.atom",	mp_kb_atom,
	    MP_R_NOSESSION | MP_R_REPLICA, NULL },
	{ MP_GET,	"/sitemap.xml",		mp_kb_sitemap,
	    MP_R_NOSESSION | MP_R_REPLICA, NULL },
	{ MP_GET,	"/robots.txt",		mp_kb_robots,
	    MP_R_NOSESSION | MP_R_NODB, NULL },
	{ MP_GET,	"/api/kb/articles",	mp_kb_api_articles,
	    MP_R_JSON | MP_R_CORS | MP_R_NOSESSION |
	    MP_R_REPLICA, mp_kb_api_list_fields },
	{ MP_GET,	"/api/kb/articles/{slug:slug}", mp_kb_api_article,
	    MP_R_JSON | MP_R_CORS | MP_R_NOSESSION |
	    MP_R_REPLICA, NULL },
	{ MP_POST,	"/api/kb/articles/{id:slug}/vote", mp_kb_api_vote,
	    MP_R_JSON | MP_R_CSRF | MP_R_ANONFORM, mp_kb_vote_fields },
	{ MP_GET,	"/api/kb/popular",	mp_kb_api_popular,
	    MP_R_JSON | MP_R_CORS | MP_R_NOSESSION |
	    MP_R_REPLICA, mp_kb_api_list_fields },
	{ MP_GET,	"/api/kb/tags/{tag:slug}", mp_kb_api_tag,
	    MP_R_JSON | MP_R_CORS | MP_R_NOSESSION |
	    MP_R_REPLICA, mp_kb_api_list_fields },
	{ MP_GET,	"/api/kb/suggest",	mp_kb_api_suggest,
	    MP_R_JSON | MP_R_NOSESSION |
	    MP_R_REPLICA, mp_kb_api_list_fields },
	{ MP_GET,	"/staff/help",		mp_kb_admin_list, MP_R_STAFF,
	    mp_kb_admin_list_fields },
	{ MP_GET,	"/staff/help/new",	mp_kb_admin_new, MP_R_STAFF, NULL },
	{ MP_GET,	"/staff/help/report",	mp_kb_admin_report, MP_R_STAFF,
	    NULL },
	{ MP_POST,	"/staff/help/articles",	mp_kb_admin_create,
	    MP_R_STAFF | MP_R_CSRF, mp_kb_admin_save_fields },
	{ MP_GET,	"/staff/help/articles/{id:slug}", mp_kb_admin_edit,
	    MP_R_STAFF, NULL },
	{ MP_POST,	"/staff/help/articles/{id:slug}", mp_kb_admin_update,
	    MP_R_STAFF | MP_R_CSRF, mp_kb_admin_save_fields },
	{ MP_GET,	"/staff/help/articles/{id:slug}/revisions",
	    mp_kb_admin_revisions, MP_R_STAFF, NULL },
	{ MP_POST,	"/staff/help/articles/{id:slug}/revisions/{rev:int}/restore",
	    mp_kb_admin_restore, MP_R_STAFF | MP_R_CSRF, NULL },
	{ MP_GET,	"/api/kb/admin/articles", mp_kb_api_admin_list,
	    MP_R_JSON | MP_R_STAFF, mp_kb_admin_list_fields },
	{ MP_POST,	"/api/kb/admin/articles", mp_kb_api_admin_create,
	    MP_R_JSON | MP_R_STAFF | MP_R_CSRF, mp_kb_admin_save_fields },
	{ MP_PUT,	"/api/kb/admin/articles/{id:slug}", mp_kb_api_admin_update,
	    MP_R_JSON | MP_R_STAFF | MP_R_CSRF, mp_kb_admin_save_fields },
	{ MP_GET,	"/api/kb/admin/stats",	mp_kb_api_admin_stats,
	    MP_R_JSON | MP_R_STAFF, NULL },
	{ MP_GET,	"/staff/help/categories", mp_kb_admin_categories,
	    MP_R_STAFF, mp_kb_category_list_fields },
	{ MP_POST,	"/staff/help/categories", mp_kb_admin_category_create,
	    MP_R_STAFF | MP_R_CSRF, mp_kb_category_fields },
	{ MP_GET,	"/staff/help/categories/{slug:slug}",
	    mp_kb_admin_category, MP_R_STAFF, NULL },
	{ MP_POST,	"/staff/help/categories/{slug:slug}",
	    mp_kb_admin_category_update, MP_R_STAFF | MP_R_CSRF,
	    mp_kb_category_fields },
	{ MP_POST,	"/staff/help/categories/{slug:slug}/delete",
	    mp_kb_admin_category_delete, MP_R_STAFF | MP_R_CSRF, NULL },
	{ MP_GET,	"/api/kb/admin/categories", mp_kb_api_categories,
	    MP_R_JSON | MP_R_STAFF, NULL },
	{ MP_POST,	"/api/kb/admin/categories", mp_kb_api_category_create,
	    MP_R_JSON | MP_R_STAFF | MP_R_CSRF, mp_kb_category_fields },
	{ MP_PUT,	"/api/kb/admin/categories/{slug:slug}",
	    mp_kb_api_category_update, MP_R_JSON | MP_R_STAFF | MP_R_CSRF,
	    mp_kb_category_fields },
	{ MP_DELETE,	"/api/kb/admin/categories/{slug:slug}",
	    mp_kb_api_category_delete, MP_R_JSON | MP_R_STAFF | MP_R_CSRF,
	    NULL },
	{ MP_GET,	"/help/contact",	mp_kb_contact_page, 0,
	    mp_kb_contact_page_fields },
	{ MP_POST,	"/help/contact",	mp_kb_contact_form, MP_R_CSRF,
	    mp_kb_contact_fields },
	{ MP_POST,	"/api/kb/contact",	mp_kb_api_contact,
	    MP_R_JSON | MP_R_CSRF, mp_kb_contact_fields },
	{ MP_GET,	"/staff/help/requests",	mp_kb_admin_requests,
	    MP_R_STAFF, mp_kb_requests_fields },
	{ MP_GET,	"/api/kb/admin/requests", mp_kb_api_admin_requests,
	    MP_R_JSON | MP_R_STAFF, mp_kb_requests_fields },
	{ MP_GET,	"/staff/help/synonyms",	mp_kb_admin_synonyms,
	    MP_R_STAFF, NULL },
	{ MP_POST,	"/staff/help/synonyms",	mp_kb_admin_synonym_create,
	    MP_R_STAFF | MP_R_CSRF, mp_kb_synonym_fields },
	{ MP_POST,	"/staff/help/synonyms/{id:int}",
	    mp_kb_admin_synonym_update, MP_R_STAFF | MP_R_CSRF,
	    mp_kb_synonym_fields },
	{ MP_POST,	"/staff/help/synonyms/{id:int}/delete",
	    mp_kb_admin_synonym_delete, MP_R_STAFF | MP_R_CSRF, NULL },
	{ MP_GET,	"/api/kb/admin/synonyms", mp_kb_api_synonyms,
	    MP_R_JSON | MP_R_STAFF, NULL },
	{ MP_POST,	"/api/kb/admin/synonyms", mp_kb_api_synonym_create,
	    MP_R_JSON | MP_R_STAFF | MP_R_CSRF, mp_kb_synonym_fields },
	{ MP_PUT,	"/api/kb/admin/synonyms/{id:int}",
	    mp_kb_api_synonym_update, MP_R_JSON | MP_R_STAFF | MP_R_CSRF,
	    mp_kb_synonym_fields },
	{ MP_DELETE,	"/api/kb/admin/synonyms/{id:int}",
	    mp_kb_api_synonym_delete, MP_R_JSON | MP_R_STAFF | MP_R_CSRF,
	    NULL },
};

/* kind, queue, handler, deadline handler, schedule, retry policy, thread-safe */
static const struct mp_job_kind jobs[] = {
	{ "kb.related", "bulk", mp_kb_job_related, NULL, 0,
	    MP_BACKOFF_DEFAULT, 1 },
	{ "kb.retention", "bulk", mp_kb_job_retention, NULL, 86400,
	    MP_BACKOFF_DEFAULT, 1 },
	{ "kb.popular", "bulk", mp_kb_job_popular, NULL, 300,
	    MP_BACKOFF_DEFAULT, 1 },
};

static const struct mp_stmt_table *const stmts[] = {
	&mp_kb_admin_st,
	&mp_kb_categories_st,
	&mp_kb_contact_st,
	&mp_kb_counts_st,
	&mp_kb_pages_st,
	&mp_kb_seo_st,
	&mp_kb_store_st,
	&mp_kb_synonyms_st,
	NULL
};

static const struct mp_confkey conf_keys[] = {
	MP_CONF_I(mp_kb_conf, kb_count_flush, 0, 3600, "1"),
	MP_CONF_I(mp_kb_conf, kb_stats_days, 31, 36500, "400"),
	MP_CONF_I(mp_kb_conf, kb_contact_days, 1, 36500, "365"),
};

const struct mp_confsec mp_kb_confsec = {
	"kb", conf_keys, MP_NELEM(conf_keys), sizeof(struct mp_kb_conf)
};

/* Between requests: the held views, searches and clicks, when due. */
static int
kb_after(struct mp_ctx *c)
{
	return mp_kb_counts_flush(c, 0);
}

/* The responder is stopping: write what it holds now. */
static void
kb_exit(struct mp_ctx *c)
{
	(void)mp_kb_counts_flush(c, 1);
}

/*
 * What the audit log calls each unsafe route's action (an update that
 * publishes says ARTICLE_PUBLISHED instead: mp_audit_action).
 */
static const struct mp_action actions[] = {
	{ MP_POST,	"/help/articles/{ref}/vote", "ARTICLE_VOTED" },
	{ MP_POST,	"/api/kb/articles/{id:slug}/vote", "ARTICLE_VOTED" },
	{ MP_POST,	"/staff/help/articles",	"ARTICLE_CREATED" },
	{ MP_POST,	"/staff/help/articles/{id:slug}", "ARTICLE_UPDATED" },
	{ MP_POST,	"/staff/help/articles/{id:slug}/revisions/{rev:int}"
	    "/restore", "ARTICLE_REVISION_RESTORED" },
	{ MP_POST,	"/api/kb/admin/articles", "ARTICLE_CREATED" },
	{ MP_PUT,	"/api/kb/admin/articles/{id:slug}", "ARTICLE_UPDATED" },
	{ MP_POST,	"/staff/help/categories", "CATEGORY_CREATED" },
	{ MP_POST,	"/staff/help/categories/{slug:slug}",
	    "CATEGORY_UPDATED" },
	{ MP_POST,	"/staff/help/categories/{slug:slug}/delete",
	    "CATEGORY_DELETED" },
	{ MP_POST,	"/api/kb/admin/categories", "CATEGORY_CREATED" },
	{ MP_PUT,	"/api/kb/admin/categories/{slug:slug}",
	    "CATEGORY_UPDATED" },
	{ MP_DELETE,	"/api/kb/admin/categories/{slug:slug}",
	    "CATEGORY_DELETED" },
};

const struct mp_feature mp_feature_kb = {
	.name = "kb",
	.routes = routes,
	.nroutes = MP_NELEM(routes),
	.jobs = jobs,
	.njobs = MP_NELEM(jobs),
	.stmts = stmts,
	.conf = &mp_kb_confsec,
	.actions = actions,
	.nactions = MP_NELEM(actions),
	.after = kb_after,
	.exit = kb_exit,
};
