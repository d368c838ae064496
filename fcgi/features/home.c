/* The tenant home page and the health checks. */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "features/extern.h"

/*
 * GET /: the tenant's home page, linking the parts of the portal that
 * exist.  Needs no query: the tenant was resolved from Host.
 */
enum mp_err
mp_home(struct mp_req *r, struct mp_resp *w)
{
	struct _hdf	*hdf = mp_hdf(r);
	struct mp_res	*res;
	enum mp_err	 rc;

	if ((rc = mp_q(r, &mp_stmts[ST_BRANDING], 0, NULL, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) > 0) {
		mp_hdf_set(hdf, "Brand.Tagline", mp_res_get(res, 0, 1));
		mp_hdf_set(hdf, "Brand.SupportEmail", mp_res_get(res, 0, 2));
		mp_hdf_set(hdf, "Tenant.BrandVersion", mp_res_get(res, 0, 3));
	}
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
	mp_hdf_set(hdf, "Page.Title", r->tenant->name);
	return mp_render(r, w, 200, "home/index.cs", hdf);
}

/*
 * GET /brand/{slug}.css: the tenant's colours as CSS custom properties.
 * nginx serves a file from brand_dir when one exists and falls back here.
 * The URL carries ?v=<version>, so it may be cached for a year.  Only the
 * tenant named by Host answers for its own slug.
 */
enum mp_err
mp_brand_css(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*slug = mp_req_cap(r, "slug");
	struct mp_res		*res;
	enum mp_err		 rc;

	if (strcmp(slug->s, r->tenant->slug) != 0)
		return MP_ENOTFOUND;
	if ((rc = mp_q(r, &mp_stmts[ST_BRANDING], 0, NULL, &res)) != MP_OK)
		return rc;
	w->status = 200;
	w->ctype = "text/css; charset=utf-8";
	mp_resp_header(w, "Cache-Control", "public, max-age=31536000");
	/* The colours passed a CHECK of ^#[0-9a-f]{6}$: safe to emit. */
	mp_buf_printf(&w->body, ":root{--brand:%s;--accent:%s}\n",
	    mp_res_rows(res) ? mp_res_get(res, 0, 4) : "#1f5fbf",
	    mp_res_rows(res) ? mp_res_get(res, 0, 5) : "#0b7a53");
	return MP_OK;
}

/*
 * GET /healthz: JSON saying whether the database answers, with the
 * version and the pool generation.  503 when the database is down, so a
 * load balancer can take the host out.
 */
enum mp_err
mp_healthz(struct mp_req *r, struct mp_resp *w)
{
	struct json_object	*o = json_object_new_object();
	enum mp_err		 rc;

	rc = mp_q(r, &mp_stmts[ST_PING], 0, NULL, NULL);
	json_object_object_add(o, "status",
	    json_object_new_string(rc == MP_OK ? "ok" : "unavailable"));
	json_object_object_add(o, "database",
	    json_object_new_string(rc == MP_OK ? "ok" : "unreachable"));
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
enum mp_err
mp_healthz_live(struct mp_req *r, struct mp_resp *w)
{
	(void)r;
	w->status = 200;
	w->ctype = "application/json";
	mp_resp_header(w, "Cache-Control", "no-store");
	mp_buf_puts(&w->body, "{\"status\":\"ok\"}\n");
	return MP_OK;
}

/* GET /_test/sleep?ms=N: a slow request for the process-manager tests. */
enum mp_err
mp_test_sleep(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*ms = mp_req_val(r, "ms");
	struct timespec		 ts;

	ts.tv_sec = ms->i / 1000;
	ts.tv_nsec = (ms->i % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0)
		continue;
	w->status = 200;
	w->ctype = "application/json";
	mp_buf_printf(&w->body, "{\"slept_ms\":%lld,\"pid\":%d}\n",
	    (long long)ms->i, (int)getpid());
	return MP_OK;
}
