/* Requests: the FastCGI environment copied into the arena, bodies parsed and fields validated. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <fcgiapp.h>
#include <json-c/json.h>

#include "web/extern.h"

const char *
mp_req_param(const struct mp_req *r, const char *name)
{
	return FCGX_GetParam(name, r->fcgx->envp);
}

static const char *
kv_find(const struct mp_kv *kv, int n, const char *key)
{
	int	 i;

	for (i = 0; i < n; i++)
		if (strcmp(kv[i].key, key) == 0)
			return kv[i].val;
	return NULL;
}

const char *
mp_req_query(const struct mp_req *r, const char *key)
{
	return kv_find(r->qs, r->nqs, key);
}

const char *
mp_req_form(const struct mp_req *r, const char *key)
{
	return kv_find(r->form, r->nform, key);
}

const char *
mp_req_cookie(const struct mp_req *r, const char *key)
{
	return kv_find(r->cookies, r->ncookies, key);
}

const struct mp_capture *
mp_req_cap(const struct mp_req *r, const char *name)
{
	int	 i;

	for (i = 0; i < r->ncaps; i++)
		if (strcmp(r->caps[i].name, name) == 0)
			return &r->caps[i];
	return NULL;
}

/* The validated value of a declared field; never NULL for a declared name. */
const struct mp_value *
mp_req_val(const struct mp_req *r, const char *name)
{
	static const struct mp_value	 absent;
	const struct mp_field		*f;
	int				 i;

	if (r->route == NULL)
		return &absent;
	for (f = r->route->fields, i = 0; f != NULL && f->name != NULL;
	    f++, i++)
		if (strcmp(f->name, name) == 0)
			return r->vals != NULL ? &r->vals[i] : &absent;
	/*
	 * A handler asking for a field its route never declared is a bug
	 * (the value would never be validated): loud in debug builds, logged
	 * in others.
	 */
	mp_error("route %s: field %s was never declared", r->route->pattern,
	    name);
#ifdef MP_DEBUG
	abort();
#endif
	return &absent;
}

enum mp_err
mp_req_fail(struct mp_req *r, enum mp_err err, const char *field,
    const char *msg)
{
	return mp_fail(&r->ctx, err, field, msg);
}

/*
 * JSON errors for JSON routes, for unmatched paths under /api/, and for
 * clients whose Accept prefers application/json.
 */
int
mp_req_wants_json(const struct mp_req *r)
{
	if (r->route != NULL)
		return (r->route->flags & MP_R_JSON) != 0;
	if (r->path != NULL && strncmp(r->path, "/api/", 5) == 0)
		return 1;
	return r->accept != NULL &&
	    strncmp(r->accept, "application/json", 16) == 0;
}

static char *
dup_param(struct mp_req *r, const char *name)
{
	const char	*v = mp_req_param(r, name);

	return v ? mp_strdup(r->ctx.a, v) : NULL;
}

/* A request id from nginx's $request_id when it is sane, else our own. */
static char *
request_id(struct mp_req *r)
{
	const char	*v = mp_req_param(r, "REQUEST_ID");
	size_t		 i, n;

	if (v != NULL && (n = strlen(v)) >= 8 && n <= 64) {
		for (i = 0; i < n; i++)
			if (!isxdigit((unsigned char)v[i]))
				break;
		if (i == n)
			return mp_strdup(r->ctx.a, v);
	}
	return mp_token(r->ctx.a, 12);
}

/*
 * Fill r from the FastCGI parameters: method, canonical path, query,
 * host, cookies.  The body is left for mp_req_read_body().  Returns
 * MP_EINPUT or MP_ELIMIT (with r->ctx.err_msg set) for a request that must
 * not reach routing.
 */
enum mp_err
mp_req_init(struct mp_req *r, struct mp_app *app, struct mp_arena *a,
    struct FCGX_Request *fcgx)
{
	const struct mp_limits	*lim = &app->limits;
	struct mp_limits	 clim;
	const char		*uri, *q, *cookie, *h;
	size_t			 plen;
	char			*host, *colon;
	enum mp_err		 rc;

	memset(r, 0, sizeof(*r));
	r->ctx.a = a;
	r->ctx.db = app->db;
	r->ctx.cfg = app->cfg;
	r->ctx.tpl = app->tpl;
	r->app = app;
	r->fcgx = fcgx;
	r->started_ms = mp_monotonic_ms();
	r->ctx.reqid = request_id(r);
	mp_log_set_reqid(r->ctx.reqid);
	r->method_name = dup_param(r, "REQUEST_METHOD");
	r->method = r->method_name ? mp_method_parse(r->method_name) : 0;
	r->remote_addr = dup_param(r, "REMOTE_ADDR");
	r->user_agent = dup_param(r, "HTTP_USER_AGENT");
	r->accept = dup_param(r, "HTTP_ACCEPT");
	r->ctype = dup_param(r, "CONTENT_TYPE");

	if ((h = mp_req_param(r, "HTTP_HOST")) == NULL)
		h = mp_req_param(r, "SERVER_NAME");
	host = mp_strdup(a, h ? h : "");
	if (host[0] != '[' && (colon = strrchr(host, ':')) != NULL)
		*colon = '\0';
	for (colon = host; *colon; colon++)
		*colon = (char)tolower((unsigned char)*colon);
	r->host = host;

	if ((uri = mp_req_param(r, "REQUEST_URI")) == NULL)
		uri = "/";
	q = strchr(uri, '?');
	plen = q ? (size_t)(q - uri) : strlen(uri);
	if (plen > lim->max_path) {
		r->err_status = 414;
		return mp_req_fail(r, MP_ELIMIT, NULL,
		    "The request path is too long.");
	}
	if ((rc = mp_path_canon(a, mp_strndup(a, uri, plen), lim->max_path,
	    &r->path)) != MP_OK)
		return mp_req_fail(r, rc, NULL,
		    "The request path is not allowed.");
	r->query = mp_strdup(a, q ? q + 1 : "");
	if (*r->query != '\0' && (rc = mp_parse_urlencoded(a, r->query,
	    strlen(r->query), lim, &r->qs, &r->nqs)) != MP_OK)
		return mp_req_fail(r, rc, NULL,
		    rc == MP_ELIMIT ? "The query string has too many or too "
		    "long fields." : "The query string is malformed.");
	/*
	 * Cookies are bounded by nginx's header buffers, not by the field
	 * count: a browser carrying many cookies of a sibling site must not
	 * lose its session cookie with them.
	 */
	clim = *lim;
	clim.max_fields = 0;
	if ((cookie = mp_req_param(r, "HTTP_COOKIE")) != NULL &&
	    mp_parse_cookies(a, cookie, &clim, &r->cookies, &r->ncookies) !=
	    MP_OK) {
		/* Malformed cookies are ignored, not fatal. */
		r->cookies = NULL;
		r->ncookies = 0;
	}
	return MP_OK;
}

/*
 * Read and parse the body according to its Content-Type.  The declared
 * length is checked against max_body before a byte is read.  Returns
 * MP_ELIMIT (413), MP_EINPUT (400, with the parser's message) or MP_OK.
 */
enum mp_err
mp_req_read_body(struct mp_req *r)
{
	const struct mp_limits	*lim = &r->app->limits;
	const char		*cl = mp_req_param(r, "CONTENT_LENGTH");
	char			*end, *msg;
	unsigned long long	 n;
	int			 got;
	enum mp_err		 rc;

	if (cl == NULL || *cl == '\0')
		return MP_OK;
	n = strtoull(cl, &end, 10);
	if (*end != '\0')
		return mp_req_fail(r, MP_EINPUT, NULL,
		    "Content-Length is not a number.");
	if (n > lim->max_body) {
		r->ctx.err_msg = mp_printf(r->ctx.a, "The request body is larger than "
		    "%zu bytes.", lim->max_body);
		return MP_ELIMIT;
	}
	if (n == 0)
		return MP_OK;
	r->body = mp_alloc(r->ctx.a, (size_t)n + 1);
	got = FCGX_GetStr(r->body, (int)n, r->fcgx->in);
	if (got < 0 || (unsigned long long)got != n)
		return mp_req_fail(r, MP_EINPUT, NULL,
		    "The request body is shorter than Content-Length.");
	r->body[n] = '\0';
	r->bodylen = (size_t)n;

	if (r->ctype == NULL)
		return MP_OK;
	if (strncasecmp(r->ctype, "application/x-www-form-urlencoded", 33)
	    == 0) {
		rc = mp_parse_urlencoded(r->ctx.a, r->body, r->bodylen, lim,
		    &r->form, &r->nform);
		if (rc != MP_OK)
			return mp_req_fail(r, rc, NULL, rc == MP_ELIMIT ?
			    "The form has too many or too long fields." :
			    "The form data is malformed.");
	} else if (strncasecmp(r->ctype, "multipart/form-data", 19) == 0) {
		rc = mp_parse_multipart(r->ctx.a, r->ctype, r->body, r->bodylen,
		    lim, &r->form, &r->nform);
		if (rc != MP_OK)
			return mp_req_fail(r, rc, NULL, rc == MP_ELIMIT ?
			    "The form has too many or too long fields." :
			    "The multipart form data is malformed.");
	} else if (strncasecmp(r->ctype, "application/json", 16) == 0) {
		char errbuf[160];

		rc = mp_json_parse(r->ctx.a, r->body, r->bodylen,
		    lim->max_json_depth, &r->json, errbuf, sizeof(errbuf));
		if (rc != MP_OK) {
			msg = mp_printf(r->ctx.a, "Invalid JSON: %s", errbuf);
			return mp_req_fail(r, MP_EINPUT, NULL, msg);
		}
	}
	return MP_OK;
}

/*
 * The raw text of field f: from the JSON body when there is one (numbers
 * and booleans as their JSON text), else the form, else the query.
 */
static const char *
field_text(struct mp_req *r, const struct mp_field *f, size_t *len)
{
	const char		*v = NULL;
	struct json_object	*jv;

	if (r->json != NULL && json_object_is_type(r->json, json_type_object)) {
		if (json_object_object_get_ex(r->json, f->name, &jv) &&
		    !json_object_is_type(jv, json_type_null)) {
			if (json_object_is_type(jv, json_type_string)) {
				*len = (size_t)json_object_get_string_len(jv);
				return json_object_get_string(jv);
			}
			if (json_object_is_type(jv, json_type_object) ||
			    json_object_is_type(jv, json_type_array))
				return NULL;
			v = json_object_to_json_string_ext(jv,
			    JSON_C_TO_STRING_PLAIN);
		}
	} else if ((v = mp_req_form(r, f->name)) == NULL)
		v = mp_req_query(r, f->name);
	if (v != NULL)
		*len = strlen(v);
	return v;
}

/*
 * Validate every field the route declares.  The first failure sets
 * r->ctx.err_field and r->ctx.err_msg and returns MP_EINPUT; handlers then see
 * typed values only (mp_req_val).
 */
enum mp_err
mp_req_validate(struct mp_req *r)
{
	const struct mp_field	*f;
	const char		*v, *why;
	size_t			 len = 0, n = 0;
	int			 i;

	if (r->route->fields == NULL)
		return MP_OK;
	for (f = r->route->fields; f->name != NULL; f++)
		n++;
	r->vals = mp_calloc(r->ctx.a, n ? n : 1, sizeof(*r->vals));
	for (f = r->route->fields, i = 0; f->name != NULL; f++, i++) {
		v = field_text(r, f, &len);
		r->vals[i].type = f->type;
		if (v == NULL || (len == 0 && f->type != MP_V_TEXT)) {
			if (f->required)
				return mp_req_fail(r, MP_EINPUT, f->name,
				    mp_printf(r->ctx.a, "%s is required.",
				    f->name));
			continue;
		}
		if ((f->type == MP_V_ENUM ? mp_validate_enum(r->ctx.a, v, len,
		    f->values, &r->vals[i], &why) : mp_validate(f->type, v, len,
		    f->min, f->max, &r->vals[i], &why)) != MP_OK)
			return mp_req_fail(r, MP_EINPUT, f->name,
			    mp_printf(r->ctx.a, "%s %s.", f->name, why));
		r->vals[i].present = 1;
	}
	return MP_OK;
}
