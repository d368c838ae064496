/* The status page feature: public page, Statuspage-compatible JSON, feeds, subscriptions, staff side and probes. */
#include "features/status/extern.h"

/* FALLBACK routes: the last good copy answers while the database is down. */
static const struct mp_route routes[] = {
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
};

/* kind, queue, handler, deadline handler, schedule, retry policy, thread-safe */
static const struct mp_job_kind jobs[] = {
	{ "status.tick", "tx", mp_status_job_tick, NULL, 30,
	    MP_BACKOFF_DEFAULT, 0 },
};

static const struct mp_stmt_table *const stmts[] = {
	&mp_status_admin_st,
	&mp_status_page_st,
	&mp_status_probe_st,
	&mp_status_sub_st,
	NULL
};

static const struct mp_confkey conf_keys[] = {
	MP_CONF_S(mp_status_conf, cache_dir, "var/cache", NULL),
	MP_CONF_I(mp_status_conf, probe_allow_private, 0, 1, "0"),
	MP_CONF_I(mp_status_conf, probe_allow_http, 0, 1, "0"),
	MP_CONF_S(mp_status_conf, probe_ca_file, "", NULL),
};

const struct mp_confsec mp_status_confsec = {
	"status", conf_keys, MP_NELEM(conf_keys), sizeof(struct mp_status_conf)
};

const struct mp_feature mp_feature_status = {
	.name = "status",
	.routes = routes,
	.nroutes = MP_NELEM(routes),
	.jobs = jobs,
	.njobs = MP_NELEM(jobs),
	.stmts = stmts,
	.conf = &mp_status_confsec,
	.fallback = mp_status_fallback,
};
