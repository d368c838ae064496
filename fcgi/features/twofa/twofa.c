/* The twofa feature: two-factor sign-in (TOTP and backup codes), its pages, JSON API and settings. */
#include <string.h>

#include "features/twofa/extern.h"

static const struct mp_field code_fields[] = {
	{ "code", MP_V_TEXT, 1, 32, 1, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

static const struct mp_field answer_fields[] = {
	{ "code", MP_V_TEXT, 1, 32, 1, NULL },
	{ "remember", MP_V_BOOL, 0, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

static const struct mp_field password_fields[] = {
	{ "password", MP_V_TEXT, 1, 1024, 1, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

static const struct mp_field disable_fields[] = {
	{ "password", MP_V_TEXT, 1, 1024, 1, NULL },
	{ "code", MP_V_TEXT, 1, 32, 1, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

static const struct mp_field policy_fields[] = {
	{ "staff_required", MP_V_BOOL, 0, 0, 0, NULL },
	{ "grace_days", MP_V_INT, 0, 90, 1, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

static const struct mp_route routes[] = {
	{ MP_GET,	"/login/2fa",		mp_twofa_challenge, 0, NULL },
	{ MP_POST,	"/login/2fa",		mp_twofa_answer,
	    MP_R_CSRF, answer_fields },
	{ MP_GET,	"/account/security",	mp_twofa_page,	MP_R_AUTH, NULL },
	{ MP_POST,	"/account/security/2fa/setup", mp_twofa_setup_form,
	    MP_R_AUTH | MP_R_CSRF, password_fields },
	{ MP_POST,	"/account/security/2fa/enable", mp_twofa_enable_form,
	    MP_R_AUTH | MP_R_CSRF, code_fields },
	{ MP_POST,	"/account/security/2fa/disable", mp_twofa_disable_form,
	    MP_R_AUTH | MP_R_CSRF, disable_fields },
	{ MP_POST,	"/account/security/2fa/backup-codes", mp_twofa_codes_form,
	    MP_R_AUTH | MP_R_CSRF, code_fields },
	{ MP_POST,	"/admin/security/2fa",	mp_twofa_policy_form,
	    MP_R_ADMIN | MP_R_CSRF, policy_fields },
	{ MP_GET,	"/api/2fa/status",	mp_api_twofa_status,
	    MP_R_JSON | MP_R_AUTH, NULL },
	{ MP_POST,	"/api/2fa/setup",	mp_api_twofa_setup,
	    MP_R_JSON | MP_R_AUTH | MP_R_CSRF, password_fields },
	{ MP_POST,	"/api/2fa/verify",	mp_api_twofa_verify,
	    MP_R_JSON | MP_R_AUTH | MP_R_CSRF, code_fields },
	{ MP_POST,	"/api/2fa/disable",	mp_api_twofa_disable,
	    MP_R_JSON | MP_R_AUTH | MP_R_CSRF, disable_fields },
	{ MP_POST,	"/api/2fa/backup-codes", mp_api_twofa_codes,
	    MP_R_JSON | MP_R_AUTH | MP_R_CSRF, code_fields },
};

/* kind, queue, handler, deadline handler, schedule, retry policy, thread-safe */
static const struct mp_job_kind jobs[] = {
	{ "twofa.cleanup", "bulk", mp_twofa_job_cleanup, NULL, 3600,
	    MP_BACKOFF_DEFAULT, 1 },
};

static const struct mp_stmt_table *const stmts[] = {
	&mp_twofa_store_st,
	&mp_twofa_keys_st,
	&mp_twofa_login_st,
	NULL
};

/* Empty, or 64 hex digits (32 bytes) and nothing else. */
static const char *
check_key(const char *v)
{
	size_t	 i, n = strlen(v);

	if (n == 0)
		return NULL;
	if (n != 64)
		return "must be empty or 64 hexadecimal digits "
		    "(openssl rand -hex 32)";
	for (i = 0; i < n; i++)
		if (!((v[i] >= '0' && v[i] <= '9') ||
		    (v[i] >= 'a' && v[i] <= 'f') ||
		    (v[i] >= 'A' && v[i] <= 'F')))
			return "must be hexadecimal digits only";
	return NULL;
}

static const struct mp_confkey conf_keys[] = {
	MP_CONF_S(mp_twofa_conf, twofa_key, "", check_key),
	MP_CONF_I(mp_twofa_conf, twofa_pending_ttl, 60, 3600, "300"),
	MP_CONF_I(mp_twofa_conf, twofa_max_failures, 1, 1000, "10"),
	MP_CONF_I(mp_twofa_conf, twofa_max_failures_device, 1, 1000, "5"),
	MP_CONF_I(mp_twofa_conf, twofa_window, 60, 86400, "900"),
	MP_CONF_I(mp_twofa_conf, twofa_remember_days, 1, 365, "30"),
};

const struct mp_confsec mp_twofa_confsec = {
	"twofa", conf_keys, MP_NELEM(conf_keys), sizeof(struct mp_twofa_conf)
};

/* What the audit log calls each unsafe route's action. */
static const struct mp_action actions[] = {
	{ MP_POST,	"/login/2fa",		"TWOFA_SIGN_IN" },
	{ MP_POST,	"/account/security/2fa/setup", "TWOFA_SETUP_STARTED" },
	{ MP_POST,	"/account/security/2fa/enable", "TWOFA_ENABLED" },
	{ MP_POST,	"/account/security/2fa/disable", "TWOFA_DISABLED" },
	{ MP_POST,	"/account/security/2fa/backup-codes",
	    "TWOFA_CODES_RENEWED" },
	{ MP_POST,	"/admin/security/2fa",	"TWOFA_POLICY_CHANGED" },
	{ MP_POST,	"/api/2fa/setup",	"TWOFA_SETUP_STARTED" },
	{ MP_POST,	"/api/2fa/verify",	"TWOFA_ENABLED" },
	{ MP_POST,	"/api/2fa/disable",	"TWOFA_DISABLED" },
	{ MP_POST,	"/api/2fa/backup-codes", "TWOFA_CODES_RENEWED" },
};

const struct mp_feature mp_feature_twofa = {
	.name = "twofa",
	.routes = routes,
	.nroutes = MP_NELEM(routes),
	.jobs = jobs,
	.njobs = MP_NELEM(jobs),
	.stmts = stmts,
	.conf = &mp_twofa_confsec,
	.actions = actions,
	.nactions = MP_NELEM(actions),
};
