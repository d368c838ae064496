/* The brand feature: white-label settings and API, brand files nginx serves, custom domains, the staff landing page. */
#include "features/brand/extern.h"

/*
 * /favicon.ico and /brand/{file} are what nginx did not find on disk for
 * the request's host: the pool writes the file (and the host's link) and
 * serves it once.  They never look up a session, so they stay cacheable.
 */
static const struct mp_route routes[] = {
	{ MP_GET,	"/favicon.ico",		mp_brand_favicon,
	    MP_R_NOTENANT | MP_R_NOUSER, NULL },
	{ MP_GET,	"/brand/{file}",	mp_brand_asset_file,
	    MP_R_NOUSER, NULL },
	{ MP_GET,	"/api/white-label",	mp_brand_api_get, MP_R_JSON, NULL },
	{ MP_PUT,	"/api/white-label",	mp_brand_api_put,
	    MP_R_JSON | MP_R_ADMIN | MP_R_CSRF, mp_brand_fields },
	{ MP_GET,	"/api/white-label/css",	mp_brand_api_css,
	    MP_R_NOUSER, NULL },
	{ MP_POST,	"/api/white-label/logo", mp_brand_api_logo,
	    MP_R_JSON | MP_R_ADMIN | MP_R_CSRF, mp_brand_logo_fields },
	{ MP_POST,	"/api/white-label/verify-domain", mp_brand_api_verify,
	    MP_R_JSON | MP_R_ADMIN | MP_R_CSRF, mp_brand_verify_fields },
	{ MP_GET,	"/admin/branding",	mp_brand_admin, MP_R_ADMIN, NULL },
	{ MP_POST,	"/admin/branding",	mp_brand_admin_save,
	    MP_R_ADMIN | MP_R_CSRF, mp_brand_fields },
	{ MP_POST,	"/admin/branding/logo",	mp_brand_admin_logo,
	    MP_R_ADMIN | MP_R_CSRF, mp_brand_logo_fields },
	{ MP_POST,	"/admin/branding/domain", mp_brand_admin_verify,
	    MP_R_ADMIN | MP_R_CSRF, mp_brand_verify_fields },
	{ MP_GET,	"/admin/branding/preview.css", mp_brand_preview_css,
	    MP_R_ADMIN, mp_brand_preview_fields },
	{ MP_GET,	"/admin",		mp_brand_staff_home, MP_R_STAFF, NULL },
	{ MP_GET,	"/staff",		mp_brand_staff_home, MP_R_STAFF, NULL },
};

/* kind, queue, handler, deadline handler, schedule, retry policy, thread-safe */
static const struct mp_job_kind jobs[] = {
	{ "brand.verify-domain", "tx", mp_brand_job_verify, NULL, 0,
	    MP_BACKOFF_DEFAULT, 1 },
};

static const struct mp_stmt_table *const stmts[] = {
	&mp_brand_files_st,
	&mp_brand_settings_st,
	&mp_brand_domain_st,
	&mp_brand_layout_st,
	NULL
};

static const struct mp_confkey conf_keys[] = {
	MP_CONF_I(mp_brand_conf, brand_grace, 0, 30 * 86400, "86400"),
	MP_CONF_I(mp_brand_conf, domain_check_allow_private, 0, 1, "0"),
	MP_CONF_I(mp_brand_conf, domain_check_allow_http, 0, 1, "0"),
	MP_CONF_I(mp_brand_conf, domain_check_port, 0, 65535, "0"),
	MP_CONF_I(mp_brand_conf, domain_check_timeout, 500, 60000, "10000"),
	MP_CONF_S(mp_brand_conf, domain_check_ca_file, "", NULL),
};

const struct mp_confsec mp_brand_confsec = {
	"brand", conf_keys, MP_NELEM(conf_keys), sizeof(struct mp_brand_conf)
};

const struct mp_feature mp_feature_brand = {
	.name = "brand",
	.routes = routes,
	.nroutes = MP_NELEM(routes),
	.jobs = jobs,
	.njobs = MP_NELEM(jobs),
	.stmts = stmts,
	.conf = &mp_brand_confsec,
	.layout = mp_brand_layout,
};
