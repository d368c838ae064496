/* Staff pages: sent mail and SMS, each message's timeline, retry. */
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

/* ------------------------------------------------------ staff pages */

static const struct {
	const char	*state;
	const char	*label;
} states[] = {
	{ "", "All" }, { "queued", "Queued" }, { "sending", "Sending" },
	{ "sent", "Sent" }, { "delivered", "Delivered" },
	{ "bounced", "Bounced" }, { "failed", "Failed" },
	{ "suppressed", "Suppressed" }, { "expired", "Expired" },
};

/*
 * GET /admin/notifications (staff): the most recent notifications of the
 * tenant, 50 a page, filtered by ?state=, each linking to its timeline.
 */
enum mp_err
mp_notify_list(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*vs = mp_req_val(r, "state"),
				*vp = mp_req_val(r, "page");
	struct mp_res		*res;
	const char		*p[3], *st = vs->present ? vs->s : "";
	HDF			*hdf;
	char			 k[64];
	size_t			 i;
	int64_t			 page = vp->present ? vp->i : 1, total;
	int			 n;
	enum mp_err		 rc;

	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (strcmp(states[i].state, st) == 0)
			break;
	if (i == sizeof(states) / sizeof(states[0]))
		return mp_req_fail(r, MP_EINPUT, "state",
		    "Unknown notification state.");
	p[0] = st;
	p[1] = "50";
	p[2] = mp_printf(r->ctx.a, "%lld", (long long)(page - 1) * 50);
	if ((rc = mp_q(&r->ctx, &mp_notify_stmts[N_LIST], 3, p, &res)) != MP_OK)
		return rc;
	hdf = mp_hdf(r);
	mp_hdf_set(hdf, "Page.Title", "Notifications");
	mp_hdf_set(hdf, "Page.NoIndex", "1");
	mp_hdf_set(hdf, "Filter.State", st);
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		snprintf(k, sizeof(k), "States.%zu.Value", i);
		mp_hdf_set(hdf, k, states[i].state);
		snprintf(k, sizeof(k), "States.%zu.Label", i);
		mp_hdf_set(hdf, k, states[i].label);
	}
	total = mp_res_rows(res) > 0 ? mp_res_int(res, 0, 9) : 0;
	for (n = 0; n < mp_res_rows(res); n++) {
		static const char *const f[] = { "Id", "Channel", "Category",
		    "Recipient", "Subject", "State", "Attempts", "Created",
		    "Reply" };

		for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
			snprintf(k, sizeof(k), "Notes.%d.%s", n, f[i]);
			mp_hdf_set(hdf, k, mp_res_get(res, n, (int)i));
		}
	}
	mp_hdf_setf(hdf, "List.Total", "%lld", (long long)total);
	mp_hdf_setf(hdf, "List.Page", "%lld", (long long)page);
	if (page > 1)
		mp_hdf_setf(hdf, "List.Prev", "%lld", (long long)page - 1);
	if (page * 50 < total)
		mp_hdf_setf(hdf, "List.Next", "%lld", (long long)page + 1);
	return mp_render(r, w, 200, "notify/list.cs", hdf);
}

/* GET /admin/notifications/{id} (staff): one notification and its timeline. */
enum mp_err
mp_notify_show(struct mp_req *r, struct mp_resp *w)
{
	static const char *const f[] = { NULL, "Id", "Channel", "Category",
	    "Recipient", "Subject", "State", "Attempts", "MessageId",
	    "ProviderId", "Reply", "Created", "Template", "Sent", "From",
	    "Opens", "Clicks" };
	const struct mp_capture	*cap = mp_req_cap(r, "id");
	struct mp_res		*res, *ev;
	const char		*p[1], *st;
	HDF			*hdf;
	char			 k[64];
	size_t			 i;
	int			 n;
	enum mp_err		 rc;

	p[0] = cap->s;
	if ((rc = mp_q(&r->ctx, &mp_notify_stmts[N_SHOW], 1, p, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) != 1)
		return mp_req_fail(r, MP_ENOTFOUND, NULL,
		    "There is no such notification.");
	p[0] = mp_res_get(res, 0, 0);
	if ((rc = mp_q(&r->ctx, &mp_notify_stmts[N_TIMELINE], 1, p, &ev)) != MP_OK)
		return rc;
	hdf = mp_hdf(r);
	mp_hdf_set(hdf, "Page.Title", "Notification");
	mp_hdf_set(hdf, "Page.NoIndex", "1");
	for (i = 1; i < sizeof(f) / sizeof(f[0]); i++) {
		snprintf(k, sizeof(k), "Note.%s", f[i]);
		mp_hdf_set(hdf, k, mp_res_get(res, 0, (int)i));
	}
	st = mp_res_get(res, 0, 6);
	if (strcmp(st, "failed") == 0 || strcmp(st, "expired") == 0)
		mp_hdf_set(hdf, "Note.CanRetry", "1");
	for (n = 0; n < mp_res_rows(ev); n++) {
		snprintf(k, sizeof(k), "Events.%d.Kind", n);
		mp_hdf_set(hdf, k, mp_res_get(ev, n, 0));
		snprintf(k, sizeof(k), "Events.%d.Detail", n);
		mp_hdf_set(hdf, k, mp_res_get(ev, n, 1));
		snprintf(k, sizeof(k), "Events.%d.At", n);
		mp_hdf_set(hdf, k, mp_res_get(ev, n, 2));
	}
	return mp_render(r, w, 200, "notify/show.cs", hdf);
}

/*
 * POST /admin/notifications/{id}/retry (staff, CSRF): queue a failed or
 * expired notification again now, with a fresh job.  303 back to it; 409
 * when it is not failed or expired.
 */
enum mp_err
mp_notify_retry(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*cap = mp_req_cap(r, "id");
	struct json_object	*payload;
	struct mp_job_spec	 js;
	struct mp_res		*res;
	const char		*p[3];
	char			*jid, *nid;
	enum mp_err		 rc;

	p[0] = cap->s;
	if ((rc = mp_q(&r->ctx, &mp_notify_stmts[N_RETRY], 1, p, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) != 1)
		return mp_req_fail(r, MP_ECONFLICT, NULL,
		    "Only failed or expired notifications can be retried.");
	nid = mp_strdup(r->ctx.a, mp_res_get(res, 0, 0));
	payload = json_object_new_object();
	mp_json_own(r->ctx.a, payload);
	json_object_object_add(payload, "n", json_object_new_string(nid));
	memset(&js, 0, sizeof(js));
	js.kind = strcmp(mp_res_get(res, 0, 1), "sms") == 0 ? "sms.send" :
	    "email.send";
	js.queue = "tx";
	js.priority = 1;
	js.payload = payload;
	if ((rc = mp_job_enqueue(&r->ctx, &js, &jid)) != MP_OK)
		return rc;
	p[0] = nid;
	p[1] = jid;
	p[2] = r->user != NULL ? mp_printf(r->ctx.a, "retried by %s",
	    r->user->email) : "retried by staff";
	if ((rc = mp_q(&r->ctx, &mp_notify_stmts[N_QUEUED], 3, p, NULL)) != MP_OK)
		return rc;
	return mp_resp_redirect(w, 303, mp_printf(r->ctx.a,
	    "/admin/notifications/%s", cap->s));
}
