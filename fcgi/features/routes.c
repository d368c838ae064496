/* The route table: every entry point of the portal on one screen. */
#include "features/extern.h"

static const struct mp_field login_fields[] = {
	{ "email", MP_V_EMAIL, 0, 254, 1 },
	{ "password", MP_V_TEXT, 1, 1024, 1 },
	{ "next", MP_V_TEXT, 0, 2000, 0 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct mp_field email_fields[] = {
	{ "email", MP_V_EMAIL, 0, 254, 1 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct mp_field new_password_fields[] = {
	{ "password", MP_V_TEXT, 1, 1024, 1 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct mp_field change_password_fields[] = {
	{ "current_password", MP_V_TEXT, 1, 1024, 1 },
	{ "new_password", MP_V_TEXT, 1, 1024, 1 },
	{ "end_others", MP_V_BOOL, 0, 0, 0 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct mp_field token_fields[] = {
	{ "name", MP_V_TEXT, 1, 100, 1 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct mp_field password_fields[] = {
	{ "password", MP_V_TEXT, 0, 1024, 0 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct mp_field notify_list_fields[] = {
	{ "state", MP_V_TEXT, 0, 16, 0 },
	{ "page", MP_V_INT, 1, 100000, 0 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct mp_field test_mail_fields[] = {
	{ "to", MP_V_EMAIL, 0, 254, 1 },
	{ "to_name", MP_V_TEXT, 0, 200, 0 },
	{ "subject", MP_V_TEXT, 1, 900, 1 },
	{ "category", MP_V_TEXT, 1, 32, 0 },
	{ "priority", MP_V_INT, 1, 10, 0 },
	{ "idem_key", MP_V_TEXT, 1, 200, 0 },
	{ "delay", MP_V_INT, 0, 86400, 0 },
	{ "deadline_in", MP_V_INT, -86400, 86400, 0 },
	{ "count", MP_V_INT, 1, 1000, 0 },
	{ "html", MP_V_TEXT, 1, 100000, 0 },
	{ "attachment", MP_V_TEXT, 1, 100000, 0 },
	{ "sms_to", MP_V_TEXT, 1, 32, 0 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct mp_field sleep_fields[] = {
	{ "ms", MP_V_INT, 0, 600000, 1 },
	{ NULL, 0, 0, 0, 0 }
};

const struct mp_route mp_routes[] = {
	/* method	path			handler		flags */
	{ MP_GET,	"/",			mp_home,	0, NULL },
	{ MP_GET,	"/brand/{slug:slug}.css", mp_brand_css, 0, NULL },
	{ MP_GET,	"/healthz",		mp_healthz,
	    MP_R_JSON | MP_R_NOTENANT, NULL },
	{ MP_GET,	"/healthz/live",	mp_healthz_live,
	    MP_R_JSON | MP_R_NOTENANT | MP_R_NODB, NULL },

	/* Accounts and sessions (accounts.c, sessions.c). */
	{ MP_GET,	"/login",		mp_login_form,	0, NULL },
	{ MP_POST,	"/login",		mp_login,
	    MP_R_CSRF, login_fields },
	{ MP_POST,	"/logout",		mp_logout,
	    MP_R_AUTH | MP_R_CSRF, NULL },
	{ MP_GET,	"/password/forgot",	mp_forgot_form,	0, NULL },
	{ MP_POST,	"/password/forgot",	mp_forgot,
	    MP_R_CSRF, email_fields },
	{ MP_GET,	"/password/reset/{token:token}", mp_reset_form, 0, NULL },
	{ MP_POST,	"/password/reset/{token:token}", mp_reset,
	    MP_R_CSRF, new_password_fields },
	{ MP_GET,	"/account",		mp_account,	MP_R_AUTH, NULL },
	{ MP_POST,	"/account/password",	mp_account_password,
	    MP_R_AUTH | MP_R_CSRF, change_password_fields },
	{ MP_POST,	"/account/tokens",	mp_token_create,
	    MP_R_AUTH | MP_R_CSRF, token_fields },
	{ MP_POST,	"/account/tokens/{id:token}/revoke", mp_token_revoke,
	    MP_R_AUTH | MP_R_CSRF, NULL },
	{ MP_GET,	"/account/sessions",	mp_sessions_page, MP_R_AUTH, NULL },
	{ MP_POST,	"/account/sessions/end-others", mp_sessions_end_others,
	    MP_R_AUTH | MP_R_CSRF, password_fields },
	{ MP_POST,	"/account/sessions/{id:token}/end", mp_session_end,
	    MP_R_AUTH | MP_R_CSRF, NULL },
	{ MP_GET,	"/account/not-me/{token:token}", mp_not_me_form, 0, NULL },
	{ MP_POST,	"/account/not-me/{token:token}", mp_not_me,
	    MP_R_CSRF, NULL },
	{ MP_GET,	"/admin/users",		mp_admin_users, MP_R_ADMIN, NULL },
	{ MP_POST,	"/admin/users/{id:token}/sessions/end",
	    mp_admin_end_sessions, MP_R_ADMIN | MP_R_CSRF, NULL },
	{ MP_GET,	"/api/sessions",	mp_api_sessions,
	    MP_R_JSON | MP_R_AUTH, NULL },
	{ MP_DELETE,	"/api/sessions/all",	mp_api_sessions_end_all,
	    MP_R_JSON | MP_R_AUTH | MP_R_CSRF, password_fields },
	{ MP_DELETE,	"/api/sessions/{id:token}", mp_api_session_end,
	    MP_R_JSON | MP_R_AUTH | MP_R_CSRF, NULL },
	{ MP_GET,	"/api/admin/sessions/stats", mp_api_session_stats,
	    MP_R_JSON | MP_R_ADMIN, NULL },
	{ MP_POST,	"/api/account/tokens",	mp_token_create,
	    MP_R_JSON | MP_R_AUTH | MP_R_CSRF, token_fields },

	/* Queue, mail, SMS and tracking (queue.c, notify.c, sms.c). */
	{ MP_GET,	"/t/o/{token:token}",	mp_track_open,	MP_R_NOSESSION, NULL },
	{ MP_GET,	"/t/c/{token:token}",	mp_track_click,	MP_R_NOSESSION, NULL },
	{ MP_GET,	"/u/{token:token}",	mp_unsub_show,	MP_R_NOSESSION, NULL },
	{ MP_POST,	"/u/{token:token}",	mp_unsub_post,	MP_R_NOSESSION, NULL },
	{ MP_POST,	"/sms/status",		mp_sms_status,
	    MP_R_JSON | MP_R_NOSESSION, NULL },
	{ MP_GET,	"/admin/notifications",	mp_notify_list,
	    MP_R_STAFF, notify_list_fields },
	{ MP_GET,	"/admin/notifications/{id:token}", mp_notify_show,
	    MP_R_STAFF, NULL },
	{ MP_POST,	"/admin/notifications/{id:token}/retry", mp_notify_retry,
	    MP_R_STAFF | MP_R_CSRF, NULL },
	{ MP_GET,	"/api/admin/queue/stats", mp_queue_stats,
	    MP_R_JSON | MP_R_STAFF, NULL },

	/* Status page (status*.c); FALLBACK: last good copy if the db is down. */
	{ MP_GET,	"/status",		mp_status_page,
	    MP_R_NODB | MP_R_NOSESSION | MP_R_FALLBACK, NULL },
	{ MP_GET,	"/status/history",	mp_status_history,
	    MP_R_NOSESSION, mp_status_history_fields },
	{ MP_GET,	"/status/history.atom",	mp_status_atom, MP_R_NOSESSION, NULL },
	{ MP_GET,	"/status/history.rss",	mp_status_rss,	MP_R_NOSESSION, NULL },
	{ MP_GET,	"/status/maintenance.ics", mp_status_ics, MP_R_NOSESSION, NULL },
	{ MP_GET,	"/status/badge.svg",	mp_status_badge, MP_R_NOSESSION, NULL },
	{ MP_GET,	"/status/incidents/{id:slug}", mp_status_incident,
	    MP_R_NOSESSION, NULL },
	{ MP_GET,	"/status/subscribe",	mp_status_sub_form, 0, NULL },
	{ MP_POST,	"/status/subscribe",	mp_status_subscribe,
	    MP_R_CSRF, mp_status_sub_fields },
	{ MP_GET,	"/status/subscribe/confirm/{token:token}",
	    mp_status_confirm_form, 0, NULL },
	{ MP_POST,	"/status/subscribe/confirm/{token:token}",
	    mp_status_confirm, MP_R_CSRF, NULL },
	{ MP_GET,	"/status/unsubscribe/{token:token}", mp_status_unsub_form,
	    0, NULL },
	{ MP_POST,	"/status/unsubscribe/{token:token}", mp_status_unsub,
	    MP_R_CSRF, NULL },
	{ MP_GET,	"/api/v2/summary.json",	mp_status_json_summary,
	    MP_R_JSON | MP_R_CORS | MP_R_NODB | MP_R_NOSESSION | MP_R_FALLBACK,
	    NULL },
	{ MP_GET,	"/api/v2/status.json",	mp_status_json_status,
	    MP_R_JSON | MP_R_CORS | MP_R_NODB | MP_R_NOSESSION | MP_R_FALLBACK,
	    NULL },
	{ MP_GET,	"/api/v2/components.json", mp_status_json_components,
	    MP_R_JSON | MP_R_CORS | MP_R_NOSESSION, NULL },
	{ MP_GET,	"/api/v2/incidents.json", mp_status_json_incidents,
	    MP_R_JSON | MP_R_CORS | MP_R_NOSESSION, NULL },
	{ MP_GET,	"/api/v2/incidents/unresolved.json",
	    mp_status_json_unresolved,
	    MP_R_JSON | MP_R_CORS | MP_R_NOSESSION, NULL },
	{ MP_GET,	"/api/v2/scheduled-maintenances.json",
	    mp_status_json_maint, MP_R_JSON | MP_R_CORS | MP_R_NOSESSION, NULL },
	{ MP_GET,	"/api/v2/scheduled-maintenances/upcoming.json",
	    mp_status_json_upcoming,
	    MP_R_JSON | MP_R_CORS | MP_R_NOSESSION, NULL },
	{ MP_GET,	"/api/v2/scheduled-maintenances/active.json",
	    mp_status_json_active,
	    MP_R_JSON | MP_R_CORS | MP_R_NOSESSION, NULL },
	{ MP_GET,	"/api/marketing/status", mp_status_marketing,
	    MP_R_JSON | MP_R_CORS | MP_R_NOSESSION, NULL },
	{ MP_GET,	"/staff/status",	mp_status_admin, MP_R_STAFF, NULL },
	{ MP_POST,	"/staff/status/incidents", mp_status_incident_create,
	    MP_R_STAFF | MP_R_CSRF, mp_status_incident_fields },
	{ MP_POST,	"/staff/status/incidents/{id:slug}/updates",
	    mp_status_update_create, MP_R_STAFF | MP_R_CSRF,
	    mp_status_update_fields },
	{ MP_POST,	"/staff/status/incidents/{id:slug}/postmortem",
	    mp_status_postmortem, MP_R_STAFF | MP_R_CSRF, mp_status_pm_fields },
	{ MP_POST,	"/staff/status/maintenance", mp_status_maint_create,
	    MP_R_STAFF | MP_R_CSRF, mp_status_maint_fields },
	{ MP_POST,	"/staff/status/components", mp_status_comp_create,
	    MP_R_STAFF | MP_R_CSRF, mp_status_comp_fields },
	{ MP_POST,	"/staff/status/components/{id:slug}",
	    mp_status_comp_update, MP_R_STAFF | MP_R_CSRF,
	    mp_status_comp_fields },
	{ MP_POST,	"/staff/status/templates", mp_status_tpl_create,
	    MP_R_STAFF | MP_R_CSRF, mp_status_tpl_fields },
	{ MP_POST,	"/api/status/incidents", mp_status_incident_create,
	    MP_R_JSON | MP_R_STAFF | MP_R_CSRF, mp_status_incident_fields },
	{ MP_POST,	"/api/status/incidents/{id:slug}/updates",
	    mp_status_update_create, MP_R_JSON | MP_R_STAFF | MP_R_CSRF,
	    mp_status_update_fields },
	{ MP_POST,	"/api/status/incidents/{id:slug}/postmortem",
	    mp_status_postmortem, MP_R_JSON | MP_R_STAFF | MP_R_CSRF,
	    mp_status_pm_fields },
	{ MP_POST,	"/api/status/maintenance", mp_status_maint_create,
	    MP_R_JSON | MP_R_STAFF | MP_R_CSRF, mp_status_maint_fields },
	{ MP_POST,	"/api/status/components", mp_status_comp_create,
	    MP_R_JSON | MP_R_STAFF | MP_R_CSRF, mp_status_comp_fields },
	{ MP_PATCH,	"/api/status/components/{id:slug}", mp_status_comp_update,
	    MP_R_JSON | MP_R_STAFF | MP_R_CSRF, mp_status_comp_fields },
	{ MP_GET,	"/api/status/templates", mp_status_tpl_list,
	    MP_R_JSON | MP_R_STAFF, NULL },
	{ MP_POST,	"/api/status/templates", mp_status_tpl_create,
	    MP_R_JSON | MP_R_STAFF | MP_R_CSRF, mp_status_tpl_fields },

	/* Help center (kb.c, kb_seo.c, kb_admin.c; docs/api-kb.md). */
	{ MP_GET,	"/help",		mp_kb_index,	0, NULL },
	{ MP_GET,	"/help/search",		mp_kb_search_page, 0,
	    mp_kb_search_fields },
	{ MP_GET,	"/help/articles/{ref}",	mp_kb_article_page, 0,
	    mp_kb_article_fields },
	{ MP_POST,	"/help/articles/{ref}/vote", mp_kb_vote_form,
	    MP_R_CSRF, mp_kb_vote_fields },
	{ MP_GET,	"/help/categories/{slug:slug}", mp_kb_category_page, 0,
	    mp_kb_page_fields },
	{ MP_GET,	"/help/tags/{tag:slug}", mp_kb_tag_page, 0,
	    mp_kb_page_fields },
	{ MP_GET,	"/help/feed.atom",	mp_kb_atom,	MP_R_NOSESSION, NULL },
	{ MP_GET,	"/sitemap.xml",		mp_kb_sitemap,	MP_R_NOSESSION, NULL },
	{ MP_GET,	"/robots.txt",		mp_kb_robots,
	    MP_R_NOSESSION | MP_R_NODB, NULL },
	{ MP_GET,	"/api/kb/articles",	mp_kb_api_articles,
	    MP_R_JSON | MP_R_CORS | MP_R_NOSESSION, mp_kb_api_list_fields },
	{ MP_GET,	"/api/kb/articles/{slug:slug}", mp_kb_api_article,
	    MP_R_JSON | MP_R_CORS | MP_R_NOSESSION, NULL },
	{ MP_POST,	"/api/kb/articles/{id:slug}/vote", mp_kb_api_vote,
	    MP_R_JSON | MP_R_CSRF, mp_kb_vote_fields },
	{ MP_GET,	"/api/kb/popular",	mp_kb_api_popular,
	    MP_R_JSON | MP_R_CORS | MP_R_NOSESSION, mp_kb_api_list_fields },
	{ MP_GET,	"/api/kb/tags/{tag:slug}", mp_kb_api_tag,
	    MP_R_JSON | MP_R_CORS | MP_R_NOSESSION, mp_kb_api_list_fields },
	{ MP_GET,	"/api/kb/suggest",	mp_kb_api_suggest,
	    MP_R_JSON | MP_R_NOSESSION, mp_kb_api_list_fields },
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

	/* Only with test_routes = 1 (the dispatcher refuses it otherwise). */
	{ MP_POST,	"/_test/queue/mail",	mp_notify_test_mail,
	    MP_R_JSON | MP_R_NOSESSION, test_mail_fields },
	{ MP_GET,	"/_test/sleep",		mp_test_sleep,
	    MP_R_JSON | MP_R_NOTENANT | MP_R_NODB, sleep_fields },
};

const size_t mp_nroutes = sizeof(mp_routes) / sizeof(mp_routes[0]);
