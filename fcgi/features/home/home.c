/* The tenant home page and the health checks. */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "features/home/home.h"

enum hst { H_PING, H__MAX };

static const struct mp_stmt stmts[] = {
	[H_PING] = { "home_ping", "SELECT 1", MP_STMT_READ },
};

_Static_assert(MP_NELEM(stmts) == H__MAX,
    "home statement table and enum differ");

static MP_STMT_TABLE(home_st, stmts);

/*
 * GET /: the tenant's home page, linking the parts of the portal that
 * exist.  The brand (tagline, welcome, contact) is the layout's: the
 * brand feature fills Brand.* for every page.
 */
static enum mp_err
mp_home(struct mp_req *r, struct mp_resp *w)
{
	struct _hdf	*hdf = mp_hdf(r);

	mp_hdf_set(hdf, "Home.Links.help.Href", "/help");
	mp_hdf_set(hdf, "Home.Links.help.Label", "Help center");
	mp_hdf_set(hdf, "Home.Links.help.Desc",
	    "Search answers about domains, email, SSL, WordPress, billing "
	    "and backups.");
	mp_hdf_set(hdf, "Home.Links.status.Href", "/status");
	mp_hdf_set(hdf, "Home.Links.status.Label", "System status");
	mp_hdf_set(hdf, "Home.Links.status.Desc",
	    "Current status of every service, incidents, maintenance and "
	    "90 days of uptime.");
	mp_hdf_set(hdf, "Page.Title", r->ctx.tenant->name);
	return mp_render(r, w, 200, "home/index.cs", hdf);
}

/*
 * The read replica's part of /healthz, checked now: its state, its lag
 * in milliseconds (null when unknown) and the configured maximum.  A
 * replica that lags or is down does not make the host unhealthy: the
 * primary serves its reads meanwhile.
 */
static void
healthz_replica(struct mp_req *r, struct json_object *o)
{
	struct json_object	*ro;
	enum mp_replica_st	 st;

	if (r->app->replica == NULL) {
		json_object_object_add(o, "replica",
		    json_object_new_string("off"));
		return;
	}
	st = mp_replica_check(r->app, r->ctx.a);
	ro = json_object_new_object();
	json_object_object_add(ro, "status",
	    json_object_new_string(mp_replica_st_name(st)));
	json_object_object_add(ro, "lag_ms", r->app->rstate.lag_ms < 0 ?
	    NULL : json_object_new_int64(r->app->rstate.lag_ms));
	json_object_object_add(ro, "max_lag_ms",
	    json_object_new_int(r->ctx.cfg->replica_max_lag));
	json_object_object_add(o, "replica", ro);
}

/*
 * GET /healthz: JSON saying whether the database answers, with the
 * version, the pool generation and the read replica's state.  503 when
 * the database is down, so a load balancer can take the host out.
 */
static enum mp_err
mp_healthz(struct mp_req *r, struct mp_resp *w)
{
	struct json_object	*o = json_object_new_object();
	enum mp_err		 rc;

	rc = mp_q(&r->ctx, &stmts[H_PING], 0, NULL, NULL);
	json_object_object_add(o, "status",
	    json_object_new_string(rc == MP_OK ? "ok" : "unavailable"));
	json_object_object_add(o, "database",
	    json_object_new_string(rc == MP_OK ? "ok" : "unreachable"));
	healthz_replica(r, o);
	json_object_object_add(o, "version",
	    json_object_new_string(r->app->version));
	json_object_object_add(o, "generation",
	    json_object_new_int(r->app->generation));
	mp_resp_header(w, "Cache-Control", "no-store");
	mp_resp_json(r, w, rc == MP_OK ? 200 : 503, o);
	json_object_put(o);
	return MP_OK;
}

/* GET /healthz/live: the pool answers; no database, the bare cost. */
static enum mp_err
mp_healthz_live(struct mp_req *r, struct mp_resp *w)
{
	(void)r;
	w->status = 200;
	w->ctype = "application/json";
	mp_resp_header(w, "Cache-Control", "no-store");
	mp_buf_puts(&w->body, "{\"status\":\"ok\"}\n");
	return MP_OK;
}

static const struct mp_route routes[] = {
	{ MP_GET,	"/",			mp_home,	0, NULL },
	{ MP_GET,	"/healthz",		mp_healthz,
	    MP_R_JSON | MP_R_NOTENANT, NULL },
	{ MP_GET,	"/healthz/live",	mp_healthz_live,
	    MP_R_JSON | MP_R_NOTENANT | MP_R_NODB, NULL },
};

static const struct mp_stmt_table *const tables[] = { &home_st, NULL };

const struct mp_feature mp_feature_home = {
	.name = "home",
	.routes = routes,
	.nroutes = MP_NELEM(routes),
	.stmts = tables,
};
