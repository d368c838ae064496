/* The audit feature: the hash-chained log of every state-changing request, its staff views and exports, the customer's security history. */
#include <stdint.h>

#include "features/audit/extern.h"

static const char *const levels[] = {
	"debug", "info", "notice", "warning", "error", "critical", NULL
};
static const char *const outcomes[] = { "success", "denied", "failed", NULL };
static const char *const formats[] = { "csv", "json", NULL };

/* The filters of the list; the page takes whole days instead of times. */
#define FILTER_FIELDS(time) \
	{ "user", MP_V_EMAIL, 0, 254, 0, NULL }, \
	{ "action", MP_V_TEXT, 1, 64, 0, NULL }, \
	{ "resource", MP_V_TEXT, 1, 265, 0, NULL }, \
	{ "severity", MP_V_ENUM, 0, 0, 0, levels }, \
	{ "outcome", MP_V_ENUM, 0, 0, 0, outcomes }, \
	{ "from", time, 0, 0, 0, NULL }, \
	{ "to", time, 0, 0, 0, NULL }, \
	{ "cursor", MP_V_INT, 1, INT64_MAX, 0, NULL }

static const struct mp_field list_fields[] = {
	FILTER_FIELDS(MP_V_TIME),
	{ "limit", MP_V_INT, 1, 200, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

static const struct mp_field page_fields[] = {
	FILTER_FIELDS(MP_V_DATE),
	{ "verify", MP_V_BOOL, 0, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

static const struct mp_field stats_fields[] = {
	{ "days", MP_V_INT, 1, 366, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

static const struct mp_field export_fields[] = {
	{ "format", MP_V_ENUM, 0, 0, 0, formats },
	{ "from", MP_V_DATE, 0, 0, 0, NULL },
	{ "to", MP_V_DATE, 0, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

static const struct mp_field events_fields[] = {
	{ "cursor", MP_V_INT, 1, INT64_MAX, 0, NULL },
	{ "limit", MP_V_INT, 1, 100, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

static const struct mp_route routes[] = {
	{ MP_GET,	"/admin/audit",		mp_audit_page,
	    MP_R_ADMIN, page_fields },
	{ MP_GET,	"/admin/audit/{seq:int}", mp_audit_page_entry,
	    MP_R_ADMIN, NULL },
	{ MP_GET,	"/api/admin/audit",	mp_audit_api_list,
	    MP_R_JSON | MP_R_ADMIN, list_fields },
	{ MP_GET,	"/api/admin/audit/stats", mp_audit_api_stats,
	    MP_R_JSON | MP_R_ADMIN, stats_fields },
	{ MP_GET,	"/api/admin/audit/export", mp_audit_api_export,
	    MP_R_JSON | MP_R_ADMIN, export_fields },
	{ MP_GET,	"/api/admin/audit/verify", mp_audit_api_verify,
	    MP_R_JSON | MP_R_ADMIN, NULL },
	{ MP_GET,	"/api/account/security-events",
	    mp_audit_api_security_events, MP_R_JSON | MP_R_AUTH,
	    events_fields },
};

/* kind, queue, handler, deadline handler, schedule, retry policy, thread-safe */
static const struct mp_job_kind jobs[] = {
	{ "audit.checkpoint", "bulk", mp_audit_job_checkpoint, NULL, 86400,
	    MP_BACKOFF_DEFAULT, 0 },
};

static const struct mp_stmt_table *const stmts[] = {
	&mp_audit_record_st,
	&mp_audit_read_st,
	&mp_audit_history_st,
	&mp_audit_checkpoint_st,
	NULL
};

static const struct mp_confkey conf_keys[] = {
	MP_CONF_S(mp_audit_conf, audit_signing_key, "", NULL),
	MP_CONF_S(mp_audit_conf, audit_checkpoint_dir, "", NULL),
	MP_CONF_I(mp_audit_conf, audit_export_batch, 100, 20000, "2000"),
};

const struct mp_confsec mp_audit_confsec = {
	"audit", conf_keys, MP_NELEM(conf_keys), sizeof(struct mp_audit_conf)
};

const struct mp_feature mp_feature_audit = {
	.name = "audit",
	.routes = routes,
	.nroutes = MP_NELEM(routes),
	.jobs = jobs,
	.njobs = MP_NELEM(jobs),
	.stmts = stmts,
	.conf = &mp_audit_confsec,
	.record = mp_audit_record,
};
