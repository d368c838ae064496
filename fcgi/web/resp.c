/* Responses: status, headers, cookies, JSON and error bodies, written once. */
#include <sys/uio.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <fastcgi.h>
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

void
mp_resp_jw_begin(struct mp_resp *w, struct mp_jw *jw, int status)
{

	w->status = status;
	w->ctype = "application/json";
	mp_buf_reset(&w->body);
	mp_jw_init(jw, &w->body);
}

enum mp_err
mp_resp_jw_end(struct mp_resp *w, struct mp_jw *jw)
{

	while (jw->depth > 0)
		mp_jw_end(jw);
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
 * Put Status, Content-Type, Content-Length (when length is set: not for
 * a streamed body), X-Request-Id and the headers the handler set in h.
 */
static void
make_head(struct mp_req *r, struct mp_resp *w, int length, struct mp_buf *h)
{
	int	 i;

	mp_buf_printf(h, "Status: %d %s\r\n", w->status, reason(w->status));
	if (w->ctype != NULL)
		mp_buf_printf(h, "Content-Type: %s\r\n", w->ctype);
	if (length)
		mp_buf_printf(h, "Content-Length: %zu\r\n", w->body.len);
	if (r->ctx.reqid != NULL)
		mp_buf_printf(h, "X-Request-Id: %s\r\n", r->ctx.reqid);
	for (i = 0; i < w->nh; i++)
		if (w->h[i].name != NULL)
			mp_buf_printf(h, "%s: %s\r\n", w->h[i].name,
			    w->h[i].value);
	mp_buf_puts(h, "\r\n");
}

/* The head of a streamed response, through libfcgi's stream. */
static void
send_head(struct mp_req *r, struct mp_resp *w)
{
	struct mp_buf	 h;

	mp_buf_init(&h, 0);
	make_head(r, w, 0, &h);
	FCGX_PutStr(h.data, (int)h.len, r->fcgx->out);
	mp_buf_free(&h);
}

/* A FastCGI record header: type, request id, content length (no padding). */
static void
fcgi_header(FCGI_Header *fh, int type, int id, size_t len)
{

	memset(fh, 0, sizeof(*fh));
	fh->version = FCGI_VERSION_1;
	fh->type = (unsigned char)type;
	fh->requestIdB1 = (unsigned char)((id >> 8) & 0xff);
	fh->requestIdB0 = (unsigned char)(id & 0xff);
	fh->contentLengthB1 = (unsigned char)((len >> 8) & 0xff);
	fh->contentLengthB0 = (unsigned char)(len & 0xff);
}

/* writev(2) all of iov[0..n), resuming after short writes; 0 or an errno. */
static int
writev_all(int fd, struct iovec *iov, int n)
{
	ssize_t	 k;

	while (n > 0) {
		k = writev(fd, iov, n > IOV_MAX ? IOV_MAX : n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		while (n > 0 && (size_t)k >= iov->iov_len) {
			k -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + k;
			iov->iov_len -= (size_t)k;
		}
	}
	return 0;
}

/*
 * Write a whole answer, head h and body (len bytes), to the FastCGI
 * connection of r: as stdout records, then the end of stdout and of the
 * request, in one writev(2) where the socket takes it all.  libfcgi's
 * stream would copy it into 8 KB records and write each as it fills:
 * two or more system calls for any page over 8 KB.  Its stdout stream is
 * then marked closed (the fields fcgiapp.h gives for that), so that
 * FCGX_Finish_r writes nothing more; a failed write is left as the
 * stream's error, and FCGX_Finish_r then drops the connection.  Only for
 * an answer of which nothing went through the stream.
 */
static void
send_whole(struct mp_req *r, const struct mp_buf *h, const char *body,
    size_t len)
{
	enum { RECMAX = FCGI_MAX_LENGTH, NREC_STACK = 8 };
	FCGX_Request	*q = r->fcgx;
	FCGX_Stream	*out = q->out;
	FCGI_Header	 hs[NREC_STACK + 1], *fh = hs;
	FCGI_EndRequestRecord end;
	struct iovec	 vs[3 * NREC_STACK + 2], *iov = vs;
	size_t		 total = h->len + len, off = 0, nrec, take, hpart;
	int		 n = 0, i, err;

	nrec = total / RECMAX + (total % RECMAX != 0);
	if (nrec > NREC_STACK) {
		fh = calloc(nrec + 1, sizeof(*fh));
		iov = calloc(3 * nrec + 2, sizeof(*iov));
		if (fh == NULL || iov == NULL)
			mp_oom();
	}
	for (i = 0; (size_t)i < nrec; i++) {
		take = total - off < RECMAX ? total - off : RECMAX;
		fcgi_header(&fh[i], FCGI_STDOUT, q->requestId, take);
		iov[n].iov_base = &fh[i];
		iov[n++].iov_len = sizeof(fh[i]);
		hpart = 0;
		if (off < h->len) {
			hpart = h->len - off < take ? h->len - off : take;
			iov[n].iov_base = h->data + off;
			iov[n++].iov_len = hpart;
		}
		if (take > hpart) {
			iov[n].iov_base = (char *)body + (off + hpart - h->len);
			iov[n++].iov_len = take - hpart;
		}
		off += take;
	}
	fcgi_header(&fh[nrec], FCGI_STDOUT, q->requestId, 0);
	iov[n].iov_base = &fh[nrec];
	iov[n++].iov_len = sizeof(fh[nrec]);
	memset(&end, 0, sizeof(end));
	fcgi_header(&end.header, FCGI_END_REQUEST, q->requestId,
	    sizeof(end.body));
	end.body.appStatusB3 = (unsigned char)((q->appStatus >> 24) & 0xff);
	end.body.appStatusB2 = (unsigned char)((q->appStatus >> 16) & 0xff);
	end.body.appStatusB1 = (unsigned char)((q->appStatus >> 8) & 0xff);
	end.body.appStatusB0 = (unsigned char)(q->appStatus & 0xff);
	end.body.protocolStatus = FCGI_REQUEST_COMPLETE;
	iov[n].iov_base = &end;
	iov[n++].iov_len = sizeof(end);
	if ((err = writev_all(q->ipcFd, iov, n)) != 0)
		out->FCGI_errno = err;
	out->isClosed = 1;
	out->wasFCloseCalled = 1;
	if (fh != hs) {
		free(fh);
		free(iov);
	}
}

void
mp_resp_stream_begin(struct mp_req *r, struct mp_resp *w)
{
	if (w->streamed)
		return;
	send_head(r, w);
	w->streamed = 1;
	mp_resp_stream_flush(r, w);
}

void
mp_resp_stream_flush(struct mp_req *r, struct mp_resp *w)
{
	if (!w->streamed)
		return;
	if (!w->head_only && w->body.len > 0 && !w->body.err)
		FCGX_PutStr(w->body.data, (int)w->body.len, r->fcgx->out);
	mp_buf_reset(&w->body);
	w->body.err = 0;
	mp_pool_progress();
}

/*
 * Write the whole response to the FastCGI connection: the headers, then the
 * body unless the method was HEAD.  A streamed response only has what
 * is left of its body to write.
 */
void
mp_resp_send(struct mp_req *r, struct mp_resp *w)
{
	struct mp_buf	 h;

	if (w->streamed) {
		mp_resp_stream_flush(r, w);
		return;
	}
	if (w->body.err) {
		mp_error("response body over its cap");
		mp_buf_reset(&w->body);
		w->body.err = 0;
		w->status = 500;
		w->ctype = "text/plain; charset=utf-8";
		mp_buf_puts(&w->body, "Internal Server Error\n");
	}
	mp_buf_init(&h, 0);
	make_head(r, w, 1, &h);
	send_whole(r, &h, w->body.data, w->head_only ? 0 : w->body.len);
	mp_buf_free(&h);
}
