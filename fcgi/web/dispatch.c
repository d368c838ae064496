/* The request path: parse, route, tenant, transaction, handler, response, access log. */
#include <string.h>
#include <strings.h>

#include <fcgiapp.h>
#include <json-c/json.h>

#include "web/extern.h"

#define RESP_MAX	(16u << 20)	/* the largest page or JSON body */

#define is_unsafe(m)	mp_method_unsafe(m)

/*
 * Whether to look up the session: always, except on MP_R_NOUSER routes
 * (files meant for shared caches) and on hot public MP_R_NOSESSION
 * pages that came without a session cookie (anonymous visitors cost no
 * lookup; a signed-in one gets the navigation of their role).  JSON
 * NOSESSION endpoints never look one up.
 */
static int
wants_session(const struct mp_req *r)
{
	unsigned	 f = r->route->flags;

	if (f & MP_R_NOUSER)
		return 0;
	if (!(f & MP_R_NOSESSION))
		return !(f & MP_R_NODB);
	return !(f & MP_R_JSON) &&
	    mp_req_cookie(r, MP_SESSION_COOKIE) != NULL;
}

/*
 * Run the route's handler inside the tenant's transaction when it needs
 * the database, committing on success and rolling back on any error, so
 * the database is changed fully or not at all.  A request that may
 * change state is recorded (app->record) in that transaction, just
 * before the COMMIT: the change and its record commit together.
 */
static enum mp_err
run_handler(struct mp_req *r, struct mp_resp *w)
{
	unsigned	 f = r->route->flags;
	enum mp_err	 rc;

	if (r->ctx.tenant == NULL)
		return r->route->fn(r, w);
	if (f & MP_R_NODB) {
		/* A signed-in visitor still sees the navigation of their role. */
		if (wants_session(r) && (rc = mp_tx_begin(&r->ctx)) == MP_OK) {
			if ((rc = mp_session_load(r)) == MP_OK)
				rc = mp_tx_commit(&r->ctx);
			else
				mp_tx_rollback(&r->ctx);
			if (rc != MP_OK)
				return rc;
		}
		return r->route->fn(r, w);
	}
	if ((rc = mp_tx_begin(&r->ctx)) != MP_OK)
		return rc;
	if (wants_session(r))
		rc = mp_session_load(r);
	if (rc == MP_OK)
		rc = mp_auth_check(r);
	if (rc == MP_OK && (f & MP_R_CSRF) && is_unsafe(r->method))
		rc = mp_csrf_check(r);
	if (rc == MP_OK)
		rc = r->route->fn(r, w);
	if (rc == MP_OK && is_unsafe(r->method) && r->app->record != NULL &&
	    !w->streamed && (rc = r->app->record(r, w, MP_OK, 1)) == MP_OK)
		r->recorded = 1;
	if (rc == MP_OK && (rc = mp_tx_commit(&r->ctx)) != MP_OK)
		r->recorded = 0;
	if (rc != MP_OK)
		mp_tx_rollback(&r->ctx);
	return rc;
}

/*
 * Run the handler on the read replica when mp_replica_for allows it.  A
 * failure there (the replica went away, or a read route that writes
 * after all: a full counts table) is not the visitor's problem: the
 * response so far is dropped and the request served again from the
 * primary, which then answers for it.
 */
static enum mp_err
run_routed(struct mp_req *r, struct mp_resp *w)
{
	struct mp_db	*rdb = mp_replica_for(r);
	int		 nh = w->nh;
	enum mp_err	 rc;

	if (rdb == NULL)
		return run_handler(r, w);
	r->ctx.db = rdb;
	rc = run_handler(r, w);
	if (rc == MP_EDB)
		mp_tx_rollback(&r->ctx);
	r->ctx.db = r->app->db;
	if (rc != MP_EDB || w->streamed)
		return rc;
	mp_warn("read replica failed %s: served from the primary", r->path);
	r->app->rstate.next_ms = 0;	/* look again before the next one */
	mp_buf_reset(&w->body);
	w->status = 200;
	w->ctype = NULL;
	w->nh = nh;
	r->ctx.err_field = NULL;
	r->ctx.err_msg = NULL;
	return run_handler(r, w);
}

/*
 * Best effort, for a 404 or 405 page: the tenant named by Host, so the
 * page still shows the portal's name, its brand and the navigation of
 * the visitor's role.  An unknown host or a database error only means an
 * unbranded page.
 */
static void
error_tenant(struct mp_req *r)
{
	if (mp_req_wants_json(r) || mp_tenant_resolve(r) != MP_OK) {
		r->ctx.tenant = NULL;
		return;
	}
	/* A signed-in visitor keeps the navigation of their role. */
	if (mp_req_cookie(r, MP_SESSION_COOKIE) != NULL &&
	    mp_tx_begin(&r->ctx) == MP_OK) {
		if (mp_session_load(r) == MP_OK)
			mp_tx_commit(&r->ctx);
		else
			mp_tx_rollback(&r->ctx);
	}
}

/*
 * A JSON body is an object of named fields, and a PUT or PATCH of a JSON
 * endpoint carries one: anything else would be read as "no fields" and
 * answered 200 with nothing changed.
 */
static enum mp_err
body_shape(struct mp_req *r)
{
	if (r->json != NULL &&
	    !json_object_is_type(r->json, json_type_object))
		return mp_req_fail(r, MP_EINPUT, NULL,
		    "The JSON body must be an object of named fields.");
	if (!(r->route->flags & MP_R_JSON) ||
	    !(r->method & (MP_PUT | MP_PATCH)))
		return MP_OK;
	if (r->ctype == NULL ||
	    strncasecmp(r->ctype, "application/json", 16) != 0 ||
	    (r->ctype[16] != '\0' && r->ctype[16] != ';' &&
	    r->ctype[16] != ' ')) {
		r->err_status = 415;
		return mp_req_fail(r, MP_EINPUT, NULL,
		    "Send the body as application/json.");
	}
	if (r->json == NULL)
		return mp_req_fail(r, MP_EINPUT, NULL,
		    "The request body must be a JSON object.");
	return MP_OK;
}

/*
 * Everything between route and handler.  Returns MP_OK when the handler
 * filled w, else an error for mp_resp_error (r->err_* may say more).
 */
static enum mp_err
handle(struct mp_req *r, struct mp_resp *w)
{
	struct mp_app		*app = r->app;
	enum mp_route_result	 rr;
	unsigned		 allow = 0;
	enum mp_err		 rc;

	if ((rc = mp_req_init(r, app, r->ctx.a, r->fcgx)) != MP_OK)
		return rc;
	w->head_only = r->method == MP_HEAD;
	rr = mp_route_match(r->ctx.a, app->routes, app->nroutes, r->method,
	    r->path, &r->route, r->caps, &r->ncaps, &allow);
	if (rr == MP_ROUTE_NOTFOUND) {
		r->route = NULL;
		error_tenant(r);
		return mp_req_fail(r, MP_ENOTFOUND, NULL,
		    "There is no page at this address.");
	}
	if (rr == MP_ROUTE_BADMETHOD) {
		r->route = NULL;
		error_tenant(r);
		mp_resp_header(w, "Allow", mp_allow_header(r->ctx.a, allow));
		r->err_status = 405;
		return mp_req_fail(r, MP_EINPUT, NULL, mp_printf(r->ctx.a,
		    "%s is not allowed here.", r->method_name ?
		    r->method_name : "This method"));
	}
	if (r->route->flags & MP_R_CORS)
		mp_resp_header(w, "Access-Control-Allow-Origin", "*");
	if (is_unsafe(r->method) && ((rc = mp_req_read_body(r)) != MP_OK ||
	    (rc = body_shape(r)) != MP_OK))
		return rc;
	if ((rc = mp_req_validate(r)) != MP_OK)
		return rc;
	if (!(r->route->flags & MP_R_NOTENANT)) {
		rc = mp_tenant_resolve(r);
		if (rc == MP_ENOTFOUND)
			return mp_req_fail(r, rc, NULL,
			    "There is no portal at this address.");
		if (rc != MP_OK)
			return rc;
	}
	return run_routed(r, w);
}

/*
 * Serve one accepted request start to finish: nothing escapes this
 * function but the written response and the log lines.  The arena is
 * reset on the way out.
 */
void
mp_dispatch(struct mp_app *app, struct mp_arena *a, struct FCGX_Request *fcgx)
{
	static struct mp_resp	 w;
	static int		 inited;
	struct mp_req		 r;
	const char		*cc;
	enum mp_err		 rc;
	uint64_t		 ms;

	if (!inited) {
		mp_buf_init(&w.body, RESP_MAX);
		inited = 1;
	}
	mp_buf_reset(&w.body);
	w.status = 200;
	w.ctype = NULL;
	w.nh = 0;
	w.head_only = 0;
	w.streamed = 0;
	memset(&r, 0, sizeof(r));
	r.ctx.a = a;
	r.app = app;
	r.fcgx = fcgx;

	rc = handle(&r, &w);
	if (rc == MP_EDB && r.route != NULL &&
	    (r.route->flags & MP_R_FALLBACK) && app->fallback != NULL) {
		/* The database is down: the route may answer from a copy. */
		mp_tx_rollback(&r.ctx);
		if (app->fallback(&r, &w) == MP_OK) {
			rc = MP_OK;
			r.db_down = 1;	/* a copy: no shared cache keeps it */
		}
	}
	if (rc == MP_EAUTH && !mp_req_wants_json(&r) &&
	    (r.method == MP_GET || r.method == MP_HEAD)) {
		/* A page that needs a signed-in visitor: off to sign in. */
		mp_resp_redirect(&w, 303, mp_printf(a, "/login?next=%s",
		    mp_url_encode(a, r.path)));
		rc = MP_OK;
	}
	if (rc != MP_OK) {
		if (rc == MP_EDB) {
			mp_tx_rollback(&r.ctx);
			r.db_down = 1;
			mp_resp_header(&w, "Retry-After", "5");
			if (r.ctx.err_msg == NULL)
				r.ctx.err_msg = "The service is temporarily "
				    "unavailable. Please try again shortly.";
		}
		mp_resp_error(&r, &w, rc);
		if (r.err_status != 0)
			w.status = r.err_status;
	}
	if (r.visitor_csrf_new)
		mp_resp_cookie(&r, &w, MP_CSRF_COOKIE, r.visitor_csrf, -1);
	/*
	 * A refused or failed request (its transaction rolled back) is
	 * recorded all the same, in a transaction of its own.
	 */
	if (r.route != NULL && is_unsafe(r.method) && !r.recorded &&
	    app->record != NULL)
		(void)app->record(&r, &w, rc, 0);
	if (r.stale_cookie && r.user == NULL)
		mp_resp_cookie(&r, &w, MP_SESSION_COOKIE, "", 0);
	/* A page for one user (navigation, form tokens) is no shared copy. */
	if (r.user != NULL && ((cc = mp_resp_get_header(&w, "Cache-Control")) ==
	    NULL || strstr(cc, "public") != NULL))
		mp_resp_header(&w, "Cache-Control", "no-store");
	/* Every 503 says when to come back, /healthz's own included. */
	if (w.status == 503 && mp_resp_get_header(&w, "Retry-After") == NULL)
		mp_resp_header(&w, "Retry-After", "5");
	if (app->send != NULL)
		app->send(&r, &w);
	mp_resp_send(&r, &w);
	ms = mp_monotonic_ms() - r.started_ms;
	mp_access("%s \"%s %s\" %d %zu %llums host=%s tenant=%s",
	    r.remote_addr ? r.remote_addr : "-",
	    r.method_name ? r.method_name : "-", r.path ? r.path : "-",
	    w.status, w.body.len, (unsigned long long)ms,
	    r.host && *r.host ? r.host : "-",
	    r.ctx.tenant ? r.ctx.tenant->slug : "-");
	mp_log_set_reqid(NULL);
	mp_arena_reset(a);
}
