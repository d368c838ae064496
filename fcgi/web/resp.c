/* Responses: status, headers, cookies, JSON and error bodies, written once. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <fcgiapp.h>
#include <json-c/json.h>

#include "web/extern.h"

static const struct {
	int		 code;
	const char	*reason;
} reasons[] = {
	{ 200, "OK" }, { 201, "Created" }, { 202, "Accepted" },
	{ 204, "No Content" }, { 301, "Moved Permanently" },
	{ 302, "Found" }, { 303, "See Other" }, { 304, "Not Modified" },
	{ 307, "Temporary Redirect" }, { 308, "Permanent Redirect" },
	{ 400, "Bad Request" }, { 401, "Unauthorized" },
	{ 403, "Forbidden" }, { 404, "Not Found" },
	{ 405, "Method Not Allowed" }, { 409, "Conflict" },
	{ 410, "Gone" }, { 413, "Content Too Large" },
	{ 415, "Unsupported Media Type" }, { 422, "Unprocessable Content" },
	{ 429, "Too Many Requests" }, { 500, "Internal Server Error" },
	{ 502, "Bad Gateway" }, { 503, "Service Unavailable" },
};

static const char *
reason(int code)
{
	size_t	 i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].code == code)
			return reasons[i].reason;
	return "Unknown";
}

/*
 * Set a header; the strings must live until the response is sent (arena
 * or static).  A header set twice keeps the later value, so a response
 * never carries two Cache-Control lines; only Set-Cookie repeats.
 * Header values never come from raw request text without a validator,
 * and CR/LF are refused here all the same.
 */
void
mp_resp_header(struct mp_resp *w, const char *name, const char *value)
{
	int	 i;

	if (strpbrk(value, "\r\n") != NULL) {
		mp_error("header %s dropped", name);
		return;
	}
	if (strcasecmp(name, "Set-Cookie") != 0)
		for (i = 0; i < w->nh; i++)
			if (strcasecmp(w->h[i].name, name) == 0) {
				w->h[i].value = value;
				return;
			}
	if (w->nh >= MP_MAXHEADERS) {
		mp_error("header %s dropped", name);
		return;
	}
	w->h[w->nh].name = name;
	w->h[w->nh].value = value;
	w->nh++;
}

const char *
mp_resp_get_header(const struct mp_resp *w, const char *name)
{
	int	 i;

	for (i = 0; i < w->nh; i++)
		if (strcasecmp(w->h[i].name, name) == 0)
			return w->h[i].value;
	return NULL;
}

void
mp_resp_cookie(struct mp_req *r, struct mp_resp *w, const char *name,
    const char *value, long maxage)
{
	char	*c;

	if (maxage < 0)
		c = mp_printf(r->ctx.a, "%s=%s; Path=/; Secure; HttpOnly; "
		    "SameSite=Lax", name, value);
	else
		c = mp_printf(r->ctx.a, "%s=%s; Path=/; Max-Age=%ld; Secure; "
		    "HttpOnly; SameSite=Lax", name, value, maxage);
	mp_resp_header(w, "Set-Cookie", c);
}

/* A redirect with a tiny body; loc must be a path or an absolute URL. */
enum mp_err
mp_resp_redirect(struct mp_resp *w, int status, const char *loc)
{
	w->status = status;
	mp_resp_header(w, "Location", loc);
	w->ctype = "text/plain; charset=utf-8";
	mp_buf_reset(&w->body);
	mp_buf_puts(&w->body, "Redirecting\n");
	return MP_OK;
}

/* Serialize obj (which the caller still owns) as the body. */
enum mp_err
mp_resp_json(struct mp_req *r, struct mp_resp *w, int status,
    struct json_object *obj)
{
	const char	*s;
	size_t		 len;

	(void)r;
	s = json_object_to_json_string_length(obj, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	w->status = status;
	w->ctype = "application/json";
	mp_buf_reset(&w->body);
	mp_buf_add(&w->body, s, len);
	mp_buf_putc(&w->body, '\n');
	return MP_OK;
}

/*
 * The error body for err: JSON for JSON routes and clients asking for
 * JSON, else the HTML error page.  Uses r->ctx.err_field and r->ctx.err_msg when
 * a handler or validator set them.
 */
void
mp_resp_error(struct mp_req *r, struct mp_resp *w, enum mp_err err)
{
	int		 status = r->err_status ? r->err_status : mp_err_http(err);
	const char	*msg = r->ctx.err_msg ? r->ctx.err_msg : mp_err_message(err);
	const char	*code = mp_err_code(err);
	struct _hdf	*hdf;

	if (err == MP_EINPUT && r->ctx.err_field != NULL)
		code = "invalid_field";
	if (status == 405)
		code = "method_not_allowed";
	else if (status == 414)
		code = "uri_too_long";
	mp_buf_reset(&w->body);
	if (mp_req_wants_json(r)) {
		struct json_object *o = json_object_new_object();
		struct json_object *e = json_object_new_object();

		json_object_object_add(e, "code",
		    json_object_new_string(code));
		json_object_object_add(e, "message",
		    json_object_new_string(msg));
		if (r->ctx.err_field != NULL)
			json_object_object_add(e, "field",
			    json_object_new_string(r->ctx.err_field));
		json_object_object_add(e, "request_id",
		    json_object_new_string(r->ctx.reqid ? r->ctx.reqid : ""));
		json_object_object_add(o, "error", e);
		mp_resp_json(r, w, status, o);
		json_object_put(o);
		return;
	}
	if (r->app != NULL && r->ctx.tpl != NULL) {
		hdf = mp_hdf(r);
		mp_hdf_setf(hdf, "Error.Status", "%d", status);
		mp_hdf_set(hdf, "Error.Title", reason(status));
		mp_hdf_set(hdf, "Error.Message", msg);
		mp_hdf_set(hdf, "Error.Code", code);
		if (r->ctx.err_field != NULL)
			mp_hdf_set(hdf, "Error.Field", r->ctx.err_field);
		if (mp_render(r, w, status, "error.cs", hdf) == MP_OK)
			return;
	}
	w->status = status;
	w->ctype = "text/html; charset=utf-8";
	mp_buf_reset(&w->body);
	mp_buf_printf(&w->body, "<!doctype html><title>%d %s</title>"
	    "<h1>%d %s</h1><p>", status, reason(status), status,
	    reason(status));
	mp_buf_html(&w->body, msg);
	mp_buf_puts(&w->body, "</p>\n");
}

/*
 * Write the whole response to the FastCGI stream: Status, the headers
 * the handler set, Content-Type, Content-Length and X-Request-Id, then
 * the body unless the method was HEAD.
 */
void
mp_resp_send(struct mp_req *r, struct mp_resp *w)
{
	struct mp_buf	 h;
	int		 i;

	if (w->body.err) {
		mp_error("response body over its cap");
		mp_buf_reset(&w->body);
		w->body.err = 0;
		w->status = 500;
		w->ctype = "text/plain; charset=utf-8";
		mp_buf_puts(&w->body, "Internal Server Error\n");
	}
	mp_buf_init(&h, 0);
	mp_buf_printf(&h, "Status: %d %s\r\n", w->status, reason(w->status));
	if (w->ctype != NULL)
		mp_buf_printf(&h, "Content-Type: %s\r\n", w->ctype);
	mp_buf_printf(&h, "Content-Length: %zu\r\n", w->body.len);
	if (r->ctx.reqid != NULL)
		mp_buf_printf(&h, "X-Request-Id: %s\r\n", r->ctx.reqid);
	for (i = 0; i < w->nh; i++)
		if (w->h[i].name != NULL)
			mp_buf_printf(&h, "%s: %s\r\n", w->h[i].name,
			    w->h[i].value);
	mp_buf_puts(&h, "\r\n");
	FCGX_PutStr(h.data, (int)h.len, r->fcgx->out);
	if (!w->head_only && w->body.len > 0)
		FCGX_PutStr(w->body.data, (int)w->body.len, r->fcgx->out);
	mp_buf_free(&h);
}
