/* The newsletter: double opt-in, unsubscribe by mail, per-IP limits, the staff's subscriber list, CSV export and issues sent through the queue. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <ClearSilver.h>
#include <json-c/json.h>

#include "features/kb/kb.h"
#include "features/prefs/extern.h"

#define RESEND_S	60	/* a confirmation mail a minute per address */
#define CONFIRM_DAYS	"7 days"
#define SEND_BATCH	500	/* mails one newsletter.send job queues */
#define LIST_MAX	500	/* subscribers the staff page shows */

enum {
	NW_RATE,
	NW_RATE_ADD,
	NW_FIND,
	NW_INSERT,
	NW_RENEW,
	NW_CONFIRM_FIND,
	NW_CONFIRM,
	NW_ACTIVE,
	NW_COUNTS,
	NW_LIST,
	NW_CSV,
	NW_ISSUES,
	NW_ISSUE_INSERT,
	NW_ISSUE_GET,
	NW_ISSUE_BY_ID,
	NW_ISSUE_MARK,
	NW_AUDIENCE,
	NW_ISSUE_COUNT,
	NW__MAX
};

static const struct mp_stmt stmts[] = {
	[NW_RATE] = { "news_rate",
	    "SELECT count(*), coalesce(ceil(extract(epoch FROM min(created_at)"
	    " + interval '1 hour' - now())), 0)::integer FROM prefs_rate"
	    " WHERE bucket = $1 AND ip = $2::inet"
	    " AND created_at > now() - interval '1 hour'" },
	[NW_RATE_ADD] = { "news_rate_add",
	    "WITH d AS (DELETE FROM prefs_rate WHERE created_at < now() -"
	    " interval '1 day')"
	    " INSERT INTO prefs_rate (tenant_id, bucket, ip) VALUES"
	    " (mp_tenant(), $1, $2::inet)" },
	[NW_FIND] = { "news_find",
	    "SELECT id, state, confirm_sent_at > now() - make_interval(secs =>"
	    " $2::integer) FROM newsletter_subscriber"
	    " WHERE email = lower($1)" },
	[NW_INSERT] = { "news_insert",
	    "INSERT INTO newsletter_subscriber (tenant_id, email, name, source,"
	    " confirm_hash) VALUES (mp_tenant(), lower($1), coalesce($2, ''),"
	    " coalesce($3, 'website'), $4)" },
	[NW_RENEW] = { "news_renew",
	    "UPDATE newsletter_subscriber SET state = 'pending',"
	    " confirm_hash = $2, confirm_sent_at = now(),"
	    " source = CASE WHEN state = 'unsubscribed' THEN coalesce($3,"
	    " source) ELSE source END,"
	    " name = CASE WHEN coalesce($4::text, '') <> '' THEN $4::text"
	    " ELSE name END"
	    " WHERE id = $1::bigint" },
	[NW_CONFIRM_FIND] = { "news_confirm_find",
	    "SELECT email FROM newsletter_subscriber WHERE confirm_hash = $1"
	    " AND state = 'pending'"
	    " AND confirm_sent_at > now() - interval '" CONFIRM_DAYS "'" },
	/*
	 * Confirming is an opt-in: an earlier opt-out of marketing goes, and
	 * a user with this address has marketing mail switched on.
	 */
	[NW_CONFIRM] = { "news_confirm",
	    "WITH s AS (UPDATE newsletter_subscriber SET state = 'confirmed',"
	    " confirmed_at = now(), confirm_hash = NULL, unsubscribed_at = NULL"
	    " WHERE confirm_hash = $1 AND state = 'pending'"
	    " AND confirm_sent_at > now() - interval '" CONFIRM_DAYS "'"
	    " RETURNING id, email, name),"
	    " d AS (DELETE FROM notification_optout o USING s"
	    " WHERE o.channel = 'email' AND o.address = s.email"
	    " AND o.category IN ('marketing', 'newsletter')),"
	    " p AS (UPDATE notification_preferences p SET email = true,"
	    " updated_at = now() FROM users u, s"
	    " WHERE u.tenant_id = p.tenant_id"
	    " AND u.email = s.email AND p.user_id = u.id"
	    " AND p.category = 'marketing'),"
	    " e AS (INSERT INTO optout_event (tenant_id, action, channel,"
	    " address, category, source) SELECT mp_tenant(), 'in', 'email',"
	    " email, 'marketing', 'confirm' FROM s)"
	    " SELECT id, email, name FROM s" },
	[NW_ACTIVE] = { "news_active",
	    "SELECT id FROM newsletter_subscriber WHERE email = lower($1)"
	    " AND state = 'confirmed'"
	    " AND mp_should_notify('email', email, 'newsletter')" },
	[NW_COUNTS] = { "news_counts",
	    "SELECT count(*) FILTER (WHERE state = 'confirmed') AS confirmed,"
	    " count(*) FILTER (WHERE state = 'pending') AS pending,"
	    " count(*) FILTER (WHERE state = 'unsubscribed') AS unsubscribed"
	    " FROM newsletter_subscriber" },
	[NW_LIST] = { "news_list",
	    "SELECT email, name, source, state,"
	    " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')"
	    " AS created,"
	    " coalesce(to_char(confirmed_at AT TIME ZONE 'UTC',"
	    " 'YYYY-MM-DD HH24:MI'), '') AS confirmed,"
	    " coalesce(to_char(unsubscribed_at AT TIME ZONE 'UTC',"
	    " 'YYYY-MM-DD HH24:MI'), '') AS unsubscribed"
	    " FROM newsletter_subscriber ORDER BY created_at DESC, id DESC"
	    " LIMIT $1::integer" },
	[NW_CSV] = { "news_csv",
	    "SELECT email, name, source, state,"
	    " to_char(created_at AT TIME ZONE 'UTC',"
	    " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
	    " coalesce(to_char(confirmed_at AT TIME ZONE 'UTC',"
	    " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''),"
	    " coalesce(to_char(unsubscribed_at AT TIME ZONE 'UTC',"
	    " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '')"
	    " FROM newsletter_subscriber ORDER BY id" },
	[NW_ISSUES] = { "news_issues",
	    "SELECT public_id AS id, subject,"
	    " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')"
	    " AS created, coalesce(to_char(sent_at AT TIME ZONE 'UTC',"
	    " 'YYYY-MM-DD HH24:MI'), '') AS sent, coalesce(recipients, 0)"
	    " AS recipients FROM newsletter_issue ORDER BY created_at DESC"
	    " LIMIT 50" },
	[NW_ISSUE_INSERT] = { "news_issue_insert",
	    "INSERT INTO newsletter_issue (tenant_id, public_id, subject,"
	    " body_md, body_html, created_by) VALUES (mp_tenant(), $1, $2, $3,"
	    " $4, $5::bigint)" },
	[NW_ISSUE_GET] = { "news_issue_get",
	    "SELECT id, public_id, subject, body_md, body_html,"
	    " coalesce(to_char(sent_at AT TIME ZONE 'UTC',"
	    " 'YYYY-MM-DD HH24:MI'), ''), coalesce(recipients, 0)"
	    " FROM newsletter_issue WHERE public_id = $1" },
	[NW_ISSUE_BY_ID] = { "news_issue_by_id",
	    "SELECT id, public_id, subject, body_md, body_html"
	    " FROM newsletter_issue WHERE id = $1::bigint" },
	[NW_ISSUE_MARK] = { "news_issue_mark",
	    "UPDATE newsletter_issue SET sent_at = now(), recipients = 0"
	    " WHERE public_id = $1 AND sent_at IS NULL RETURNING id" },
	[NW_AUDIENCE] = { "news_audience",
	    "SELECT id, email, name FROM newsletter_subscriber"
	    " WHERE state = 'confirmed' AND id > $1::bigint"
	    " ORDER BY id LIMIT $2::integer" },
	[NW_ISSUE_COUNT] = { "news_issue_count",
	    "UPDATE newsletter_issue SET recipients = recipients + $2::integer"
	    " WHERE id = $1::bigint" },
};

_Static_assert(sizeof(stmts) / sizeof(stmts[0]) == NW__MAX,
    "newsletter statements and enum differ");

MP_STMT_TABLE(mp_prefs_news_st, stmts);

const struct mp_field mp_news_sub_fields[] = {
	{ "email", MP_V_EMAIL, 3, 254, 1, NULL },
	{ "name", MP_V_TEXT, 0, 200, 0, NULL },
	{ "source", MP_V_SLUG, 1, 64, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct mp_field mp_news_unsub_fields[] = {
	{ "email", MP_V_EMAIL, 3, 254, 1, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct mp_field mp_news_issue_fields[] = {
	{ "subject", MP_V_TEXT, 1, 200, 1, NULL },
	{ "body", MP_V_TEXT, 1, 100000, 1, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

/*
 * Count one request of r's address in bucket; past per_hour in the last
 * hour, answer 429 with Retry-After (the seconds until the oldest counted
 * request is an hour old) and count nothing.
 */
enum mp_err
mp_prefs_rate(struct mp_req *r, struct mp_resp *w, const char *bucket,
    int per_hour)
{
	struct mp_res	*res;
	const char	*p[2];
	enum mp_err	 rc;
	int		 wait;

	p[0] = bucket;
	p[1] = r->remote_addr;
	if ((rc = mp_q(&r->ctx, &stmts[NW_RATE], 2, p, &res)) != MP_OK)
		return rc;
	if (mp_res_int(res, 0, 0) >= per_hour) {
		wait = (int)mp_res_int(res, 0, 1);
		mp_resp_header(w, "Retry-After", mp_printf(r->ctx.a, "%d",
		    wait > 0 ? wait : 1));
		return mp_req_fail(r, MP_ERATE, NULL, "Too many requests "
		    "from your address. Try again later.");
	}
	return mp_q(&r->ctx, &stmts[NW_RATE_ADD], 2, p, NULL);
}

/* The answer to every subscribe request, whatever the address's state. */
static enum mp_err
sub_answer(struct mp_req *r, struct mp_resp *w)
{
	struct json_object	*o = json_object_new_object();

	mp_json_own(r->ctx.a, o);
	json_object_object_add(o, "status",
	    json_object_new_string("confirmation_sent"));
	json_object_object_add(o, "message", json_object_new_string(
	    "Check your inbox: we have sent a link to confirm the "
	    "subscription."));
	return mp_resp_json(r, w, 202, o);
}

/*
 * POST /api/marketing/newsletter {email, name, source}: a new or
 * unsubscribed address becomes pending and gets a confirmation link; a
 * pending one gets it again (at most once a minute); a subscribed one
 * gets nothing.  The answer is the same in every case (no existence
 * leak).  newsletter_per_ip_hour requests an hour per address (429).
 */
enum mp_err
mp_news_subscribe(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*email = mp_req_val(r, "email"),
				*name = mp_req_val(r, "name"),
				*source = mp_req_val(r, "source");
	struct mp_res		*res;
	struct mp_mail		 m;
	struct _hdf		*data;
	const char		*p[4], *state;
	char			*tok;
	enum mp_err		 rc;

	if ((rc = mp_prefs_rate(r, w, "newsletter",
	    mp_prefs_conf(r->ctx.cfg)->newsletter_per_ip_hour)) != MP_OK)
		return rc;
	p[0] = email->s;
	p[1] = mp_printf(r->ctx.a, "%d", RESEND_S);
	if ((rc = mp_q(&r->ctx, &stmts[NW_FIND], 2, p, &res)) != MP_OK)
		return rc;
	tok = mp_token(r->ctx.a, 32);
	if (mp_res_rows(res) == 0) {
		p[0] = email->s;
		p[1] = name->present ? name->s : NULL;
		p[2] = source->present ? source->s : NULL;
		p[3] = mp_sha256_hex(r->ctx.a, tok, strlen(tok));
		if ((rc = mp_q(&r->ctx, &stmts[NW_INSERT], 4, p, NULL)) !=
		    MP_OK)
			return rc;
	} else {
		state = mp_res_get(res, 0, 1);
		if (strcmp(state, "confirmed") == 0 ||
		    (strcmp(state, "pending") == 0 && mp_res_bool(res, 0, 2)))
			return sub_answer(r, w);
		p[0] = mp_strdup(r->ctx.a, mp_res_get(res, 0, 0));
		p[1] = mp_sha256_hex(r->ctx.a, tok, strlen(tok));
		p[2] = source->present ? source->s : NULL;
		p[3] = name->present ? name->s : NULL;
		if ((rc = mp_q(&r->ctx, &stmts[NW_RENEW], 4, p, NULL)) !=
		    MP_OK)
			return rc;
	}
	data = mp_hdf(r);
	mp_hdf_set(data, "News.ConfirmUrl", mp_printf(r->ctx.a,
	    "%s/newsletter/confirm/%s", mp_origin(&r->ctx), tok));
	memset(&m, 0, sizeof(m));
	m.to = email->s;
	m.to_name = name->present && name->len > 0 ? name->s : NULL;
	m.subject = mp_printf(r->ctx.a, "Confirm your subscription to the %s "
	    "newsletter", r->ctx.tenant->name);
	m.tpl = "newsletter/confirm";
	m.data = data;
	m.category = "transactional";
	m.priority = 2;
	if ((rc = mp_mail_queue(&r->ctx, &m, NULL)) != MP_OK)
		return rc;
	return sub_answer(r, w);
}

static const char *
confirm_hash(struct mp_req *r)
{
	const struct mp_capture	*t = mp_req_cap(r, "token");

	if (t == NULL || t->len < 32 || t->len > 64)
		return NULL;
	return mp_sha256_hex(r->ctx.a, t->s, t->len);
}

#define CONFIRM_GONE "This confirmation link is not valid, or it has " \
	"expired or been used."

/* GET /newsletter/confirm/{token}: a button; GET changes nothing. */
enum mp_err
mp_news_confirm_form(struct mp_req *r, struct mp_resp *w)
{
	const char	*h = confirm_hash(r);
	struct mp_res	*res;
	struct _hdf	*hdf;
	enum mp_err	 rc;

	if (h == NULL)
		return mp_req_fail(r, MP_ENOTFOUND, NULL, CONFIRM_GONE);
	if ((rc = mp_q_one(&r->ctx, &stmts[NW_CONFIRM_FIND], 1, &h, &res,
	    CONFIRM_GONE)) != MP_OK)
		return rc;
	hdf = mp_hdf(r);
	mp_hdf_set(hdf, "Page.Title", "Confirm your subscription");
	mp_hdf_set(hdf, "Page.NoIndex", "1");
	mp_hdf_set(hdf, "News.Email", mp_res_get(res, 0, 0));
	mp_hdf_set(hdf, "News.Action", r->path);
	mp_hdf_csrf(r, hdf);
	return mp_render(r, w, 200, "newsletter/confirm.cs", hdf);
}

/* POST /newsletter/confirm/{token}: subscribed; the welcome mail goes out. */
enum mp_err
mp_news_confirm(struct mp_req *r, struct mp_resp *w)
{
	const char	*h = confirm_hash(r);
	struct mp_res	*res;
	struct mp_mail	 m;
	struct _hdf	*hdf, *data;
	enum mp_err	 rc;

	if (h == NULL)
		return mp_req_fail(r, MP_ENOTFOUND, NULL, CONFIRM_GONE);
	if ((rc = mp_q_one(&r->ctx, &stmts[NW_CONFIRM], 1, &h, &res,
	    CONFIRM_GONE)) != MP_OK)
		return rc;
	data = mp_ctx_hdf(&r->ctx);
	mp_hdf_set(data, "News.Name", mp_res_get(res, 0, 2));
	memset(&m, 0, sizeof(m));
	m.to = mp_strdup(r->ctx.a, mp_res_get(res, 0, 1));
	m.subject = mp_printf(r->ctx.a, "Welcome to the %s newsletter",
	    r->ctx.tenant->name);
	m.tpl = "newsletter/welcome";
	m.data = data;
	m.category = "newsletter";
	m.priority = 4;
	m.idem_key = mp_printf(r->ctx.a, "news-welcome:%s:%lld",
	    mp_res_get(res, 0, 0), (long long)time(NULL));
	if ((rc = mp_mail_queue(&r->ctx, &m, NULL)) != MP_OK)
		return rc;
	hdf = mp_hdf(r);
	mp_hdf_set(hdf, "Page.Title", "You are subscribed");
	mp_hdf_set(hdf, "Page.NoIndex", "1");
	mp_hdf_set(hdf, "News.Email", m.to);
	mp_hdf_set(hdf, "News.Done", "confirmed");
	return mp_render(r, w, 200, "newsletter/confirm.cs", hdf);
}

/*
 * POST /api/marketing/unsubscribe {email}: the same answer whatever the
 * address; a subscribed one is mailed a message whose one-click link
 * (/u/) ends the subscription (at most one such mail an hour).
 */
enum mp_err
mp_news_unsubscribe(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*email = mp_req_val(r, "email");
	struct json_object	*o;
	struct mp_res		*res;
	struct mp_mail		 m;
	const char		*p[1];
	enum mp_err		 rc;

	if ((rc = mp_prefs_rate(r, w, "unsubscribe",
	    mp_prefs_conf(r->ctx.cfg)->unsubscribe_per_ip_hour)) != MP_OK)
		return rc;
	p[0] = email->s;
	if ((rc = mp_q(&r->ctx, &stmts[NW_ACTIVE], 1, p, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) == 1) {
		memset(&m, 0, sizeof(m));
		m.to = email->s;
		m.subject = mp_printf(r->ctx.a, "Unsubscribe from the %s "
		    "newsletter", r->ctx.tenant->name);
		m.tpl = "newsletter/unsubscribe";
		m.data = mp_ctx_hdf(&r->ctx);
		m.category = "newsletter";
		m.priority = 2;
		m.idem_key = mp_printf(r->ctx.a, "news-unsub:%s:%lld",
		    mp_res_get(res, 0, 0), (long long)(time(NULL) / 3600));
		if ((rc = mp_mail_queue(&r->ctx, &m, NULL)) != MP_OK)
			return rc;
	}
	o = json_object_new_object();
	mp_json_own(r->ctx.a, o);
	json_object_object_add(o, "status", json_object_new_string("ok"));
	json_object_object_add(o, "message", json_object_new_string(
	    "If this address is subscribed, we have sent it a link to "
	    "unsubscribe."));
	return mp_resp_json(r, w, 202, o);
}

/* GET /staff/newsletter: counts, subscribers, issues, the issue form. */
enum mp_err
mp_news_staff(struct mp_req *r, struct mp_resp *w)
{
	struct mp_res	*res;
	struct _hdf	*hdf;
	const char	*p[1];
	enum mp_err	 rc;

	hdf = mp_hdf(r);
	mp_hdf_set(hdf, "Page.Title", "Newsletter");
	if ((rc = mp_q(&r->ctx, &stmts[NW_COUNTS], 0, NULL, &res)) != MP_OK)
		return rc;
	mp_row_hdf(hdf, "News.Counts", res, 0, NULL);
	p[0] = mp_printf(r->ctx.a, "%d", LIST_MAX);
	if ((rc = mp_q(&r->ctx, &stmts[NW_LIST], 1, p, &res)) != MP_OK)
		return rc;
	mp_rows_hdf(hdf, "News.Subs", res, NULL);
	if ((rc = mp_q(&r->ctx, &stmts[NW_ISSUES], 0, NULL, &res)) != MP_OK)
		return rc;
	mp_rows_hdf(hdf, "News.Issues", res, NULL);
	mp_hdf_csrf(r, hdf);
	return mp_render(r, w, 200, "newsletter/staff.cs", hdf);
}

/* One CSV field: quoted, quotes doubled, and a leading = + - @ defused. */
static void
csv_field(struct mp_buf *b, const char *s, int last)
{
	mp_buf_putc(b, '"');
	if (*s == '=' || *s == '+' || *s == '-' || *s == '@')
		mp_buf_putc(b, '\'');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			mp_buf_putc(b, '"');
		mp_buf_putc(b, *s);
	}
	mp_buf_puts(b, last ? "\"\r\n" : "\",");
}

/* GET /staff/newsletter/subscribers.csv: every subscriber, RFC 4180. */
enum mp_err
mp_news_csv(struct mp_req *r, struct mp_resp *w)
{
	struct mp_res	*res;
	enum mp_err	 rc;
	int		 i, k;

	if ((rc = mp_q(&r->ctx, &stmts[NW_CSV], 0, NULL, &res)) != MP_OK)
		return rc;
	w->status = 200;
	w->ctype = "text/csv; charset=utf-8";
	mp_resp_header(w, "Content-Disposition",
	    "attachment; filename=\"newsletter-subscribers.csv\"");
	mp_buf_puts(&w->body, "email,name,source,state,created_at,"
	    "confirmed_at,unsubscribed_at\r\n");
	for (i = 0; i < mp_res_rows(res); i++)
		for (k = 0; k < 7; k++)
			csv_field(&w->body, mp_res_get(res, i, k), k == 6);
	return MP_OK;
}

/* POST /staff/newsletter/issues {subject, body}: a draft; 303 to it. */
enum mp_err
mp_news_issue_create(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*subj = mp_req_val(r, "subject"),
				*body = mp_req_val(r, "body");
	const char		*p[5];
	char			*html, *pid;
	enum mp_err		 rc;

	if (mp_kb_markdown_html(r->ctx.a, body->s, body->len, &html) != MP_OK)
		return mp_req_fail(r, MP_EINPUT, "body",
		    "The text could not be rendered: check it is valid "
		    "UTF-8 and not too large.");
	pid = mp_token(r->ctx.a, 16);
	p[0] = pid;
	p[1] = subj->s;
	p[2] = body->s;
	p[3] = html;
	p[4] = r->user->id_text;
	if ((rc = mp_q(&r->ctx, &stmts[NW_ISSUE_INSERT], 5, p, NULL)) != MP_OK)
		return rc;
	return mp_resp_redirect(w, 303, mp_printf(r->ctx.a,
	    "/staff/newsletter/issues/%s", pid));
}

/* GET /staff/newsletter/issues/{id}: the preview, test and send buttons. */
enum mp_err
mp_news_issue_show(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*id = mp_req_cap(r, "id");
	struct mp_res		*res;
	struct _hdf		*hdf;
	const char		*p[1], *s;
	enum mp_err		 rc;

	p[0] = id->s;
	if ((rc = mp_q_one(&r->ctx, &stmts[NW_ISSUE_GET], 1, p, &res,
	    "There is no such issue.")) != MP_OK)
		return rc;
	hdf = mp_hdf(r);
	mp_hdf_set(hdf, "Page.Title", mp_res_get(res, 0, 2));
	mp_hdf_set(hdf, "Issue.Id", mp_res_get(res, 0, 1));
	mp_hdf_set(hdf, "Issue.Subject", mp_res_get(res, 0, 2));
	mp_hdf_set(hdf, "Issue.BodyHtml", mp_res_get(res, 0, 4));
	mp_hdf_set(hdf, "Issue.Sent", mp_res_get(res, 0, 5));
	mp_hdf_set(hdf, "Issue.Recipients", mp_res_get(res, 0, 6));
	if ((s = mp_req_query(r, "done")) != NULL && (strcmp(s, "test") == 0 ||
	    strcmp(s, "sending") == 0))
		mp_hdf_set(hdf, "Issue.Done", s);
	mp_hdf_csrf(r, hdf);
	return mp_render(r, w, 200, "newsletter/issue.cs", hdf);
}

/* The issue's mail to one address. */
static enum mp_err
issue_mail(struct mp_ctx *c, struct mp_res *is, const char *to,
    const char *name, const char *category, const char *subject,
    const char *idem)
{
	struct mp_mail	 m;
	struct _hdf	*data = mp_ctx_hdf(c);

	mp_hdf_set(data, "News.Subject", mp_res_get(is, 0, 2));
	mp_hdf_set(data, "News.BodyText", mp_res_get(is, 0, 3));
	mp_hdf_set(data, "News.BodyHtml", mp_res_get(is, 0, 4));
	mp_hdf_set(data, "News.Name", name);
	memset(&m, 0, sizeof(m));
	m.to = to;
	m.to_name = name != NULL && *name != '\0' ? name : NULL;
	m.subject = subject;
	m.tpl = "newsletter/issue";
	m.data = data;
	m.category = category;
	m.priority = 7;
	m.idem_key = idem;
	return mp_mail_queue(c, &m, NULL);
}

/* POST /staff/newsletter/issues/{id}/test: the issue to the staff member. */
enum mp_err
mp_news_issue_test(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*id = mp_req_cap(r, "id");
	struct mp_res		*res;
	const char		*p[1];
	enum mp_err		 rc;

	p[0] = id->s;
	if ((rc = mp_q_one(&r->ctx, &stmts[NW_ISSUE_GET], 1, p, &res,
	    "There is no such issue.")) != MP_OK)
		return rc;
	/* Its own category: it reaches staff whatever they chose. */
	if ((rc = issue_mail(&r->ctx, res, r->user->email, r->user->name,
	    "newsletter-test", mp_printf(r->ctx.a, "[Test] %s",
	    mp_res_get(res, 0, 2)), NULL)) != MP_OK)
		return rc;
	return mp_resp_redirect(w, 303, mp_printf(r->ctx.a,
	    "/staff/newsletter/issues/%s?done=test", id->s));
}

/* Enqueue newsletter.send for issue after subscriber id after. */
static enum mp_err
send_job(struct mp_ctx *c, const char *issue, const char *after)
{
	struct mp_job_spec	 js;
	struct json_object	*pl = json_object_new_object();

	mp_json_own(c->a, pl);
	json_object_object_add(pl, "issue", json_object_new_string(issue));
	json_object_object_add(pl, "after", json_object_new_string(after));
	memset(&js, 0, sizeof(js));
	js.kind = "newsletter.send";
	js.queue = "bulk";
	js.priority = 7;
	js.payload = pl;
	js.idem_key = mp_printf(c->a, "news:%s:%s", issue, after);
	return mp_job_enqueue(c, &js, NULL);
}

/*
 * POST /staff/newsletter/issues/{id}/send: once (409 after), to every
 * confirmed subscriber, through the queue (newsletter.send jobs of
 * SEND_BATCH mails, each with its own unsubscribe link).
 */
enum mp_err
mp_news_issue_send(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*id = mp_req_cap(r, "id");
	struct mp_res		*res;
	const char		*p[1];
	enum mp_err		 rc;

	p[0] = id->s;
	if ((rc = mp_q_one(&r->ctx, &stmts[NW_ISSUE_GET], 1, p, &res,
	    "There is no such issue.")) != MP_OK)
		return rc;
	if ((rc = mp_q(&r->ctx, &stmts[NW_ISSUE_MARK], 1, p, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) != 1)
		return mp_req_fail(r, MP_ECONFLICT, NULL,
		    "This issue has already been sent.");
	if ((rc = send_job(&r->ctx, mp_res_get(res, 0, 0), "0")) != MP_OK)
		return rc;
	return mp_resp_redirect(w, 303, mp_printf(r->ctx.a,
	    "/staff/newsletter/issues/%s?done=sending", id->s));
}

/*
 * newsletter.send {issue, after}: queue the issue to the next SEND_BATCH
 * confirmed subscribers after id "after", then the job for the rest.
 * Each mail's idempotency key is its issue and subscriber, so a retried
 * batch queues nothing twice.
 */
enum mp_err
mp_news_job_send(struct mp_job *j)
{
	struct mp_ctx		*c = &j->ctx;
	struct json_object	*v;
	struct mp_res		*is, *aud;
	const char		*p[2], *issue, *after, *last = NULL;
	enum mp_err		 rc;
	int			 i, n;

	if (j->payload == NULL ||
	    !json_object_object_get_ex(j->payload, "issue", &v) ||
	    (issue = json_object_get_string(v)) == NULL ||
	    !json_object_object_get_ex(j->payload, "after", &v) ||
	    (after = json_object_get_string(v)) == NULL) {
		j->permanent = 1;
		j->error = "payload needs issue and after";
		return MP_EINPUT;
	}
	if ((rc = mp_tenant_fill(c)) != MP_OK)
		return rc;
	p[0] = issue;
	if ((rc = mp_q(c, &stmts[NW_ISSUE_BY_ID], 1, p, &is)) != MP_OK)
		return rc;
	if (mp_res_rows(is) != 1) {
		j->permanent = 1;
		j->error = "no such issue";
		return MP_ENOTFOUND;
	}
	p[0] = after;
	p[1] = mp_printf(c->a, "%d", SEND_BATCH);
	if ((rc = mp_q(c, &stmts[NW_AUDIENCE], 2, p, &aud)) != MP_OK)
		return rc;
	n = mp_res_rows(aud);
	for (i = 0; i < n; i++) {
		last = mp_res_get(aud, i, 0);
		if ((rc = issue_mail(c, is, mp_res_get(aud, i, 1),
		    mp_res_get(aud, i, 2), "newsletter",
		    mp_res_get(is, 0, 2), mp_printf(c->a, "news:%s:%s", issue,
		    last))) != MP_OK)
			return rc;
	}
	p[0] = issue;
	p[1] = mp_printf(c->a, "%d", n);
	if ((rc = mp_q(c, &stmts[NW_ISSUE_COUNT], 2, p, NULL)) != MP_OK)
		return rc;
	if (n == SEND_BATCH && (rc = send_job(c, issue, last)) != MP_OK)
		return rc;
	mp_info("job %s: newsletter issue %s queued to %d subscriber(s)",
	    j->id_text, issue, n);
	return MP_OK;
}
