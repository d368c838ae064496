/* The accounts feature: sign in and out, passwords, API tokens, sessions and their staff views. */
#include "features/accounts/extern.h"

static const struct mp_field login_fields[] = {
	{ "email", MP_V_EMAIL, 0, 254, 1, NULL },
	{ "password", MP_V_TEXT, 1, 1024, 1, NULL },
	{ "next", MP_V_TEXT, 0, 2000, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

static const struct mp_field email_fields[] = {
	{ "email", MP_V_EMAIL, 0, 254, 1, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

static const struct mp_field new_password_fields[] = {
	{ "password", MP_V_TEXT, 1, 1024, 1, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

static const struct mp_field change_password_fields[] = {
	{ "current_password", MP_V_TEXT, 1, 1024, 1, NULL },
	{ "new_password", MP_V_TEXT, 1, 1024, 1, NULL },
	{ "end_others", MP_V_BOOL, 0, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

static const struct mp_field token_fields[] = {
	{ "name", MP_V_TEXT, 1, 100, 1, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

static const struct mp_field password_fields[] = {
	{ "password", MP_V_TEXT, 0, 1024, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

static const struct mp_route routes[] = {
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
};

/* kind, queue, handler, deadline handler, schedule, retry policy, thread-safe */
static const struct mp_job_kind jobs[] = {
	{ "sessions.cleanup", "bulk", mp_sessions_job_cleanup, NULL, 3600,
	    MP_BACKOFF_DEFAULT, 1 },
	{ "accounts.reset_mail", "tx", mp_accounts_job_reset_mail, NULL, 0,
	    MP_BACKOFF_DEFAULT, 1 },
};

static const struct mp_stmt_table *const stmts[] = {
	&mp_accounts_st,
	&mp_sessions_st,
	NULL
};

#define YEAR	(366 * 86400)

static const struct mp_confkey conf_keys[] = {
	MP_CONF_I(mp_accounts_conf, session_idle_staff, 60, YEAR, "1800"),
	MP_CONF_I(mp_accounts_conf, session_absolute_staff, 60, YEAR, "43200"),
	MP_CONF_I(mp_accounts_conf, session_idle_customer, 60, YEAR, "604800"),
	MP_CONF_I(mp_accounts_conf, session_absolute_customer, 60, YEAR,
	    "604800"),
	MP_CONF_I(mp_accounts_conf, login_max_failures, 1, 1000, "10"),
	MP_CONF_I(mp_accounts_conf, login_window, 1, 86400, "900"),
	MP_CONF_I(mp_accounts_conf, reset_mails_per_hour, 1, 100, "3"),
};

const struct mp_confsec mp_accounts_confsec = {
	"accounts", conf_keys, MP_NELEM(conf_keys),
	sizeof(struct mp_accounts_conf)
};

const struct mp_feature mp_feature_accounts = {
	.name = "accounts",
	.routes = routes,
	.nroutes = MP_NELEM(routes),
	.jobs = jobs,
	.njobs = MP_NELEM(jobs),
	.stmts = stmts,
	.conf = &mp_accounts_confsec,
};
