/* SMS: a Twilio-compatible client, E.164 numbers, the sms.send job and signed status callbacks. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "features/notify/extern.h"

#define SMS_MAXBODY	1600		/* characters Twilio accepts */
#define SMS_MAXREPLY	(64 * 1024)

enum sst {
	S_INSERT,
	S_LOAD,
	S_SENDING,
	S_SENT,
	S_RETRY,
	S_PAUSE,
	S_EXPIRE,
	S_SUPPRESSED,
	S_BY_SID,
	S_STATUS,
	S__MAX
};

static const struct mp_stmt stmts[] = {
	[S_INSERT] = { "sms_insert",
	    "WITH n AS (INSERT INTO notification (tenant_id, public_id, channel,"
	    " category, user_id, recipient, body_text, priority, idem_key,"
	    " message_id, deadline) VALUES (mp_tenant(), $1, 'sms', $2,"
	    " $3::bigint, $4, $5, $6::smallint, $7, $8, $9::timestamptz)"
	    " ON CONFLICT (tenant_id, idem_key) WHERE idem_key IS NOT NULL"
	    " DO NOTHING RETURNING id, public_id)"
	    " SELECT id, public_id, true FROM n UNION ALL"
	    " SELECT id, public_id, false FROM notification"
	    " WHERE idem_key = $7 AND NOT EXISTS (SELECT 1 FROM n)" },
	[S_LOAD] = { "sms_load",
	    "SELECT n.id, n.state, n.recipient, n.body_text, t.slug,"
	    " mp_notify_decision('sms', n.recipient, n.category, n.user_id)"
	    " = 'send',"
	    " coalesce((SELECT ceil(extract(epoch FROM paused_until - now()))"
	    "  FROM job_pause WHERE channel = 'sms'"
	    "  AND paused_until > now()), 0)::integer, t.custom_domain"
	    " FROM notification n JOIN tenants t ON t.id = n.tenant_id"
	    " WHERE n.id = $1::bigint AND n.channel = 'sms' FOR UPDATE OF n" },
	[S_SENDING] = { "sms_sending",
	    "WITH e AS (INSERT INTO notification_event (tenant_id,"
	    " notification_id, kind, detail) VALUES (mp_tenant(), $1::bigint,"
	    " 'attempt', $2))"
	    " UPDATE notification SET state = 'sending', attempts = attempts + 1,"
	    " updated_at = now() WHERE id = $1::bigint" },
	[S_SENT] = { "sms_sent",
	    "WITH e AS (INSERT INTO notification_event (tenant_id,"
	    " notification_id, kind, detail) VALUES (mp_tenant(), $1::bigint,"
	    " 'sent', left($4, 2000)))"
	    " UPDATE notification SET state = CASE WHEN state IN ('delivered',"
	    " 'failed') THEN state ELSE 'sent' END, sent_at = now(),"
	    " provider_id = $2, provider_status = coalesce(provider_status, $3),"
	    " last_reply = left($4, 2000), updated_at = now()"
	    " WHERE id = $1::bigint" },
	[S_RETRY] = { "sms_retry",
	    "WITH e AS (INSERT INTO notification_event (tenant_id,"
	    " notification_id, kind, detail) VALUES (mp_tenant(), $1::bigint,"
	    " CASE WHEN $3::boolean THEN 'failed' ELSE 'retry' END,"
	    " left($2, 2000)))"
	    " UPDATE notification SET state = CASE WHEN $3::boolean THEN"
	    " 'failed' ELSE 'queued' END, last_reply = left($2, 2000),"
	    " updated_at = now() WHERE id = $1::bigint" },
	[S_PAUSE] = { "sms_pause",
	    "WITH p AS (INSERT INTO job_pause (channel, paused_until, reason)"
	    " VALUES ('sms', now() + make_interval(secs => $3::integer),"
	    " left($2, 500)) ON CONFLICT (channel) DO UPDATE SET"
	    " paused_until = EXCLUDED.paused_until, reason = EXCLUDED.reason,"
	    " updated_at = now()),"
	    " e AS (INSERT INTO notification_event (tenant_id, notification_id,"
	    " kind, detail) VALUES (mp_tenant(), $1::bigint, 'paused',"
	    " left($2, 2000)))"
	    " UPDATE notification SET state = 'queued', last_reply ="
	    " left($2, 2000), updated_at = now() WHERE id = $1::bigint" },
	[S_EXPIRE] = { "sms_expire",
	    "WITH u AS (UPDATE notification SET state = 'expired',"
	    " updated_at = now() WHERE id = $1::bigint AND state IN"
	    " ('queued', 'sending') RETURNING id)"
	    " INSERT INTO notification_event (tenant_id, notification_id, kind,"
	    " detail) SELECT mp_tenant(), id, 'expired', $2 FROM u" },
	[S_SUPPRESSED] = { "sms_suppressed",
	    "WITH e AS (INSERT INTO notification_event (tenant_id,"
	    " notification_id, kind, detail) VALUES (mp_tenant(), $1::bigint,"
	    " 'suppressed', $2))"
	    " UPDATE notification SET state = 'suppressed', updated_at = now()"
	    " WHERE id = $1::bigint" },
	[S_BY_SID] = { "sms_by_sid",
	    "SELECT id, coalesce(provider_status, ''), state FROM notification"
	    " WHERE provider_id = $1 AND channel = 'sms' FOR UPDATE" },
	[S_STATUS] = { "sms_status",
	    "WITH e AS (INSERT INTO notification_event (tenant_id,"
	    " notification_id, kind, detail) VALUES (mp_tenant(), $1::bigint,"
	    " 'sms_callback', left($4, 2000)))"
	    " UPDATE notification SET provider_status = CASE WHEN $5::boolean"
	    " THEN $2 ELSE provider_status END, state = CASE WHEN $5::boolean"
	    " THEN $3 ELSE state END, updated_at = now()"
	    " WHERE id = $1::bigint" },
};

_Static_assert(sizeof(stmts) / sizeof(stmts[0]) == S__MAX,
    "sms statement table and enum differ");

MP_STMT_TABLE(mp_notify_sms_st, stmts);

/* 1 if s is an E.164 number: '+', a non-zero digit, 7 to 15 digits in all. */
int
mp_e164_valid(const char *s)
{
	size_t	 n;

	if (s == NULL || s[0] != '+' || s[1] < '1' || s[1] > '9')
		return 0;
	n = strlen(s + 1);
	return n >= 7 && n <= 15 && strspn(s + 1, "0123456789") == n;
}

/*
 * Record one SMS notification and enqueue sms.send in the request's
 * transaction (tx queue).  An idempotency key already used returns the
 * existing notification.  *notification_id is the public id (arena).
 */
enum mp_err
mp_sms_queue(struct mp_ctx *c, const struct mp_sms *s, char **notification_id)
{
	struct json_object	*payload;
	struct mp_job_spec	 js;
	struct mp_res		*res;
	const char		*p[9];
	char			*pid, *jid;
	enum mp_err		 rc;

	if (notification_id != NULL)
		*notification_id = NULL;
	if (!mp_e164_valid(s->to))
		return mp_fail(c, MP_EINPUT, "to", "The phone number must "
		    "be in E.164 form: + and 7 to 15 digits.");
	if (s->body == NULL || *s->body == '\0' ||
	    strlen(s->body) > SMS_MAXBODY)
		return mp_fail(c, MP_EINPUT, "body",
		    "The message must have 1 to 1600 characters.");
	pid = mp_token(c->a, 16);
	p[0] = pid;
	p[1] = s->category ? s->category : "transactional";
	p[2] = s->user_id > 0 ? mp_printf(c->a, "%lld",
	    (long long)s->user_id) : NULL;
	p[3] = s->to;
	p[4] = s->body;
	p[5] = mp_printf(c->a, "%d", s->priority ? s->priority : 5);
	p[6] = s->idem_key;
	p[7] = mp_printf(c->a, "<%s@sms>", pid);
	p[8] = s->deadline;
	if ((rc = mp_q(c, &stmts[S_INSERT], 9, p, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) != 1)
		return MP_EDB;
	if (notification_id != NULL)
		*notification_id = mp_strdup(c->a, mp_res_get(res, 0, 1));
	if (!mp_res_bool(res, 0, 2))
		return MP_OK;
	payload = json_object_new_object();
	mp_json_own(c->a, payload);
	json_object_object_add(payload, "n",
	    json_object_new_string(mp_res_get(res, 0, 0)));
	memset(&js, 0, sizeof(js));
	js.kind = "sms.send";
	js.queue = "tx";
	js.priority = s->priority ? s->priority : 5;
	js.deadline = s->deadline;
	js.payload = payload;
	if ((rc = mp_job_enqueue(c, &js, &jid)) != MP_OK)
		return rc;
	return mp_notify_event(c,
	    mp_res_get(res, 0, 0), "queued", NULL, NULL);
}

struct reply {
	struct mp_buf	 body;
	long		 retry_after;
};

static size_t
body_cb(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct reply	*rp = arg;

	mp_buf_add(&rp->body, buf, size * nmemb);
	return rp->body.err ? 0 : size * nmemb;
}

static size_t
hdr_cb(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct reply	*rp = arg;
	size_t		 n = size * nmemb;

	if (n > 12 && strncasecmp(buf, "Retry-After:", 12) == 0)
		rp->retry_after = strtol(buf + 12, NULL, 10);
	return n;
}

static enum mp_err
job_fail(struct mp_job *j, const char *why, int permanent)
{
	j->error = why;
	j->permanent = permanent;
	return MP_EUPSTREAM;
}

/*
 * sms.send: POST the message to {sms_base_url}/2010-04-01/Accounts/{sid}/
 * Messages.json with basic auth, StatusCallback pointing at the tenant's
 * /sms/status.  2xx: sent, with the provider's sid and status; 429 and
 * 5xx and connection errors: retried (429 after Retry-After); 401/403:
 * sending paused and an alert; other 4xx: failed for good.
 */
enum mp_err
mp_sms_job_send(struct mp_job *j)
{
	const struct mp_config	*cfg = j->ctx.cfg;
	struct json_object	*n, *o, *sid, *st;
	struct mp_res		*res;
	struct reply		 rp;
	struct mp_tenant	 t;
	const char		*p[4], *state, *nid;
	char			*form, err[128], ebuf[CURL_ERROR_SIZE] = "",
				*reply;
	CURL			*c;
	CURLcode		 cc;
	long			 code = 0;
	int			 paused, last;

	if (j->payload == NULL ||
	    !json_object_object_get_ex(j->payload, "n", &n))
		return job_fail(j, "payload has no notification", 1);
	nid = json_object_get_string(n);
	p[0] = nid;
	if (mp_q(&j->ctx, &stmts[S_LOAD], 1, p, &res) != MP_OK)
		return job_fail(j, "database error loading notification", 0);
	if (mp_res_rows(res) != 1)
		return job_fail(j, "no such notification", 1);
	state = mp_res_get(res, 0, 1);
	if (strcmp(state, "queued") != 0 && strcmp(state, "sending") != 0)
		return MP_OK;
	if ((paused = (int)mp_res_int(res, 0, 6)) > 0) {
		j->no_spend = 1;
		j->retry_in = paused + 1;
		return job_fail(j, "SMS sending is paused", 0);
	}
	if (!mp_res_bool(res, 0, 5)) {
		p[1] = "number suppressed or unsubscribed";
		if (mp_q(&j->ctx, &stmts[S_SUPPRESSED], 2, p, NULL) != MP_OK)
			return job_fail(j, "database error", 0);
		return MP_OK;
	}
	if (mp_notify_conf(cfg)->sms_base_url[0] == '\0' || mp_notify_conf(cfg)->sms_account_sid[0] == '\0' ||
	    mp_notify_conf(cfg)->sms_from[0] == '\0') {
		j->no_spend = 1;
		j->retry_in = mp_notify_conf(cfg)->sender_pause;
		mp_error("ALERT SMS not configured (sms_base_url, "
		    "sms_account_sid, sms_from)");
		return job_fail(j, "SMS is not configured", 0);
	}
	c = j->thr->http;
	if (c == NULL && (c = j->thr->http = curl_easy_init()) == NULL)
		mp_oom();
	curl_easy_reset(c);
	memset(&t, 0, sizeof(t));
	t.slug = mp_strdup(j->ctx.a, mp_res_get(res, 0, 4));
	t.domain = mp_res_isnull(res, 0, 7) ? NULL :
	    mp_strdup(j->ctx.a, mp_res_get(res, 0, 7));
	form = mp_printf(j->ctx.a, "To=%s&From=%s&Body=%s&StatusCallback=%s",
	    mp_url_encode(j->ctx.a, mp_res_get(res, 0, 2)),
	    mp_url_encode(j->ctx.a, mp_notify_conf(cfg)->sms_from),
	    mp_url_encode(j->ctx.a, mp_res_get(res, 0, 3)),
	    mp_url_encode(j->ctx.a, mp_printf(j->ctx.a, "%s/sms/status",
	    mp_origin_of(j->ctx.a, cfg, &t))));

	p[1] = mp_printf(j->ctx.a, "attempt %d of %d (job %s)", j->attempt,
	    j->max_attempts, j->id_text);
	if (mp_q(&j->ctx, &stmts[S_SENDING], 2, p, NULL) != MP_OK ||
	    mp_tx_commit(&j->ctx) != MP_OK)
		return job_fail(j, "database error recording the attempt", 0);

	mp_buf_init(&rp.body, SMS_MAXREPLY);
	rp.retry_after = 0;
	curl_easy_setopt(c, CURLOPT_URL, mp_printf(j->ctx.a,
	    "%s/2010-04-01/Accounts/%s/Messages.json", mp_notify_conf(cfg)->sms_base_url,
	    mp_url_encode(j->ctx.a, mp_notify_conf(cfg)->sms_account_sid)));
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
	curl_easy_setopt(c, CURLOPT_USERNAME, mp_notify_conf(cfg)->sms_account_sid);
	curl_easy_setopt(c, CURLOPT_PASSWORD, mp_notify_conf(cfg)->sms_auth_token);
	curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, body_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &rp);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, hdr_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &rp);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	reply = mp_strndup(j->ctx.a, rp.body.data ? rp.body.data : "",
	    rp.body.len > 500 ? 500 : rp.body.len);
	mp_buf_free(&rp.body);
	last = j->attempt >= j->max_attempts;
	p[0] = nid;

	if (cc == CURLE_OK && code >= 200 && code < 300) {
		if (mp_json_parse(j->ctx.a, reply, strlen(reply), 16, &o, err,
		    sizeof(err)) != MP_OK ||
		    !json_object_object_get_ex(o, "sid", &sid))
			return job_fail(j, "provider reply without a sid", 0);
		p[1] = json_object_get_string(sid);
		p[2] = json_object_object_get_ex(o, "status", &st) ?
		    json_object_get_string(st) : "queued";
		p[3] = mp_printf(j->ctx.a, "%ld %s", code, reply);
		if (mp_q(&j->ctx, &stmts[S_SENT], 4, p, NULL) != MP_OK)
			return job_fail(j, "database error after sending", 0);
		mp_info("job %s sms %s: sent, sid %s", j->id_text, nid, p[1]);
		return MP_OK;
	}
	p[1] = cc != CURLE_OK ? mp_printf(j->ctx.a, "%s",
	    ebuf[0] ? ebuf : curl_easy_strerror(cc)) :
	    mp_printf(j->ctx.a, "%ld %s", code, reply);
	if (cc == CURLE_OK && (code == 401 || code == 403)) {
		p[2] = mp_printf(j->ctx.a, "%d", mp_notify_conf(cfg)->sender_pause);
		if (mp_q(&j->ctx, &stmts[S_PAUSE], 3, p, NULL) != MP_OK ||
		    mp_tx_commit(&j->ctx) != MP_OK)
			return job_fail(j, "database error pausing", 0);
		mp_error("ALERT SMS sending paused for %d s: %s",
		    mp_notify_conf(cfg)->sender_pause, p[1]);
		j->no_spend = 1;
		j->retry_in = mp_notify_conf(cfg)->sender_pause;
		return job_fail(j, p[1], 0);
	}
	if (cc == CURLE_OK && code >= 400 && code < 500 && code != 429) {
		p[2] = "true";
		if (mp_q(&j->ctx, &stmts[S_RETRY], 3, p, NULL) != MP_OK ||
		    mp_tx_commit(&j->ctx) != MP_OK)
			return job_fail(j, "database error after a failure",
			    0);
		return job_fail(j, p[1], 1);
	}
	if (code == 429 && rp.retry_after > 0)
		j->retry_in = (double)rp.retry_after;
	p[2] = last ? "true" : "false";
	if (mp_q(&j->ctx, &stmts[S_RETRY], 3, p, NULL) != MP_OK ||
	    mp_tx_commit(&j->ctx) != MP_OK)
		return job_fail(j, "database error after a failure", 0);
	mp_warn("job %s sms %s: %s (%s)", j->id_text, nid,
	    last ? "failed" : "will retry", p[1]);
	return job_fail(j, p[1], 0);
}

/* sms.send past its deadline. */
enum mp_err
mp_sms_job_expire(struct mp_job *j)
{
	struct json_object	*n;
	const char		*p[2];

	if (j->payload == NULL ||
	    !json_object_object_get_ex(j->payload, "n", &n))
		return MP_OK;
	p[0] = json_object_get_string(n);
	p[1] = "deadline passed before delivery";
	return mp_q(&j->ctx, &stmts[S_EXPIRE], 2, p, NULL);
}

/* How far along a provider status is; callbacks only move forward. */
static int
status_rank(const char *s)
{
	static const struct { const char *s; int r; } ranks[] = {
		{ "accepted", 1 }, { "queued", 2 }, { "sending", 3 },
		{ "sent", 4 }, { "delivered", 6 }, { "undelivered", 6 },
		{ "failed", 6 }, { "read", 7 },
	};
	size_t	 i;

	for (i = 0; i < sizeof(ranks) / sizeof(ranks[0]); i++)
		if (strcmp(s, ranks[i].s) == 0)
			return ranks[i].r;
	return 0;
}

static int
kv_cmp(const void *a, const void *b)
{
	return strcmp(((const struct mp_kv *)a)->key,
	    ((const struct mp_kv *)b)->key);
}

/*
 * Is r signed by the provider?  The X-Twilio-Signature header must be
 * base64(HMAC-SHA1(auth token, URL + the POST fields sorted by name, each
 * name then value)), the URL being the tenant's origin and r's path and
 * query.  Returns 1 or 0 (no token configured: 0).
 */
int
mp_sms_signed(struct mp_req *r)
{
	const struct mp_config	*cfg = r->ctx.cfg;
	const char		*sig = mp_req_param(r, "HTTP_X_TWILIO_SIGNATURE");
	struct mp_kv		*kv;
	struct mp_buf		 b;
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 mdlen = 0;
	char			*want, *url;
	int			 i;

	if (mp_notify_conf(cfg)->sms_auth_token[0] == '\0' || sig == NULL)
		return 0;
	url = mp_printf(r->ctx.a, "%s%s%s%s", mp_origin(&r->ctx), r->path,
	    r->query && *r->query ? "?" : "", r->query ? r->query : "");
	kv = mp_memdup(r->ctx.a, r->form, sizeof(*kv) * (size_t)(r->nform ?
	    r->nform : 1));
	qsort(kv, (size_t)r->nform, sizeof(*kv), kv_cmp);
	mp_buf_init(&b, 0);
	mp_buf_puts(&b, url);
	for (i = 0; i < r->nform; i++) {
		mp_buf_puts(&b, kv[i].key);
		mp_buf_add(&b, kv[i].val, kv[i].vlen);
	}
	HMAC(EVP_sha1(), mp_notify_conf(cfg)->sms_auth_token,
	    (int)strlen(mp_notify_conf(cfg)->sms_auth_token),
	    (const unsigned char *)b.data, b.len, md, &mdlen);
	mp_buf_free(&b);
	want = mp_base64(r->ctx.a, md, mdlen);
	return strlen(sig) == strlen(want) &&
	    mp_ct_equal(sig, want, strlen(want));
}

/*
 * POST /sms/status: the provider's status callback, signed (see
 * mp_sms_signed; else 403).  Callbacks arrive out of order: the highest
 * status wins.  Answers 204.
 */
enum mp_err
mp_sms_status(struct mp_req *r, struct mp_resp *w)
{
	struct mp_res		*res;
	const char		*sidv = mp_req_form(r, "MessageSid"),
				*stv = mp_req_form(r, "MessageStatus"),
				*ec = mp_req_form(r, "ErrorCode"), *p[5], *cur;
	enum mp_err		 rc;
	int			 fwd;

	if (mp_req_param(r, "HTTP_X_TWILIO_SIGNATURE") == NULL)
		return mp_req_fail(r, MP_EFORBID, NULL,
		    "The request is not signed.");
	if (!mp_sms_signed(r))
		return mp_req_fail(r, MP_EFORBID, NULL,
		    "The signature does not match.");
	if (sidv == NULL || stv == NULL || strlen(sidv) > 64 ||
	    status_rank(stv) == 0)
		return mp_req_fail(r, MP_EINPUT, "MessageStatus",
		    "MessageSid and a known MessageStatus are required.");
	p[0] = sidv;
	if ((rc = mp_q(&r->ctx, &stmts[S_BY_SID], 1, p, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) != 1)
		return mp_req_fail(r, MP_ENOTFOUND, NULL,
		    "No message with this sid.");
	cur = mp_res_get(res, 0, 1);
	fwd = status_rank(stv) > status_rank(cur);
	p[0] = mp_res_get(res, 0, 0);
	p[1] = stv;
	p[2] = strcmp(stv, "delivered") == 0 || strcmp(stv, "read") == 0 ?
	    "delivered" : strcmp(stv, "failed") == 0 ||
	    strcmp(stv, "undelivered") == 0 ? "failed" :
	    mp_res_get(res, 0, 2);
	p[3] = mp_printf(r->ctx.a, "%s%s%s%s", stv, ec ? " (error " : "",
	    ec ? ec : "", ec ? ")" : "");
	if (!fwd)
		p[3] = mp_printf(r->ctx.a, "%s, ignored: already %s", p[3], cur);
	p[4] = fwd ? "true" : "false";
	if ((rc = mp_q(&r->ctx, &stmts[S_STATUS], 5, p, NULL)) != MP_OK)
		return rc;
	w->status = 204;
	return MP_OK;
}
