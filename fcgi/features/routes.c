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

	/* Only with test_routes = 1 (the dispatcher refuses it otherwise). */
	{ MP_GET,	"/_test/sleep",		mp_test_sleep,
	    MP_R_JSON | MP_R_NOTENANT | MP_R_NODB, sleep_fields },
};

const size_t mp_nroutes = sizeof(mp_routes) / sizeof(mp_routes[0]);
