/* The route table: every entry point of the portal on one screen. */
#include "features/extern.h"

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
	/* Only with test_routes = 1 (the dispatcher refuses it otherwise). */
	{ MP_GET,	"/_test/sleep",		mp_test_sleep,
	    MP_R_JSON | MP_R_NOTENANT | MP_R_NODB, sleep_fields },
};

const size_t mp_nroutes = sizeof(mp_routes) / sizeof(mp_routes[0]);
