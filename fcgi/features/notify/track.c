/* Public endpoints reached from mail: the open pixel and tracked clicks (unsubscribe is the prefs feature's). */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ClearSilver.h>
#include <json-c/json.h>
#include <openssl/hmac.h>
#include <openssl/evp.h>

#include "features/notify/extern.h"

/* --------------------------------------------------- public endpoints */

/* The smallest transparent GIF. */
static const unsigned char pixel[] = {
	0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80,
	0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0x21, 0xf9, 0x04,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b
};

/*
 * Look up the notification a verified token names; fills the row in
 * *res.  MP_ENOTFOUND for a bad token or unknown notification.
 */
static enum mp_err
token_row(struct mp_req *r, char type, struct mp_res **res, int *link)
{
	const struct mp_capture	*cap = mp_req_cap(r, "token");
	char			 pid[TOKEN_PIDMAX + 1];
	const char		*p[1];
	enum mp_err		 rc;

	if (cap == NULL || mp_notify_token_check(&r->ctx, cap->s, type, pid, link) != 0)
		return mp_req_fail(r, MP_ENOTFOUND, NULL,
		    "This link is not valid.");
	p[0] = pid;
	if ((rc = mp_q(&r->ctx, &mp_notify_stmts[N_BY_PID], 1, p, res)) != MP_OK)
		return rc;
	if (mp_res_rows(*res) != 1)
		return mp_req_fail(r, MP_ENOTFOUND, NULL,
		    "This link is not valid.");
	return MP_OK;
}

/*
 * GET /t/o/{token}: the open pixel.  Counts the open in email_analytics
 * (the first one also goes on the timeline) and answers a 1x1 GIF.
 */
enum mp_err
mp_track_open(struct mp_req *r, struct mp_resp *w)
{
	struct mp_res	*res, *cnt;
	const char	*p[1];
	enum mp_err	 rc;
	int		 link;

	if ((rc = token_row(r, 'o', &res, &link)) != MP_OK)
		return rc;
	p[0] = mp_res_get(res, 0, 0);
	if ((rc = mp_q(&r->ctx, &mp_notify_stmts[N_OPEN], 1, p, &cnt)) != MP_OK)
		return rc;
	if (mp_res_int(cnt, 0, 0) == 1 && (rc = mp_notify_event(&r->ctx, p[0], "open", NULL, NULL)) != MP_OK)
		return rc;
	w->status = 200;
	w->ctype = "image/gif";
	mp_resp_header(w, "Cache-Control", "no-store, private");
	mp_buf_add(&w->body, pixel, sizeof(pixel));
	return MP_OK;
}

/*
 * GET /t/c/{token}: a tracked link.  Redirects (302) to the URL recorded
 * for that link of that message, never to anything from the request.
 */
enum mp_err
mp_track_click(struct mp_req *r, struct mp_resp *w)
{
	struct json_object	*links, *u;
	struct mp_res		*res;
	const char		*p[5], *s;
	char			 err[64];
	enum mp_err		 rc;
	int			 link;

	if ((rc = token_row(r, 'c', &res, &link)) != MP_OK)
		return rc;
	s = mp_res_get(res, 0, 4);
	if (s == NULL || mp_json_parse(r->ctx.a, s, strlen(s), 4, &links, err,
	    sizeof(err)) != MP_OK || !json_object_is_type(links,
	    json_type_array) || link >= (int)json_object_array_length(links) ||
	    (u = json_object_array_get_idx(links, (size_t)link)) == NULL)
		return mp_req_fail(r, MP_ENOTFOUND, NULL,
		    "This link is not valid.");
	p[0] = mp_res_get(res, 0, 0);
	if ((rc = mp_q(&r->ctx, &mp_notify_stmts[N_CLICK], 1, p, NULL)) != MP_OK)
		return rc;
	if ((rc = mp_notify_event(&r->ctx, p[0],
	    "click", json_object_get_string(u), NULL)) != MP_OK)
		return rc;
	mp_resp_header(w, "Cache-Control", "no-store, private");
	mp_resp_header(w, "Referrer-Policy", "no-referrer");
	return mp_resp_redirect(w, 302, json_object_get_string(u));
}
