/* Making surveys: one after a support interaction, NPS campaigns by hand and each quarter, and their mail. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>
#include <json-c/json.h>

#include "features/surveys/extern.h"

enum {
	SN_SETTINGS,
	SN_USER_PID,
	SN_USER_EMAIL,
	SN_CAN_MAIL,
	SN_NPS_RECENT,
	SN_INSERT,
	SN_NID,
	SN_QUARTER,
	SN_ELIGIBLE,
	SN_CAMPAIGN_START,
	SN_CAMPAIGN_DONE,
	SN__MAX
};

#define ISO(col) \
	"to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

static const struct mp_stmt stmts[] = {
	[SN_SETTINGS] = { "survey_settings",
	    "SELECT coalesce((SELECT csat_delay FROM survey_settings), 86400),"
	    " coalesce((SELECT nps_quarterly FROM survey_settings), false)",
	    MP_STMT_READ },
	[SN_USER_PID] = { "survey_user_pid",
	    "SELECT id, email, name, role, status, public_id FROM users"
	    " WHERE public_id = $1", MP_STMT_READ },
	[SN_USER_EMAIL] = { "survey_user_email",
	    "SELECT id, email, name, role, status, public_id FROM users"
	    " WHERE email = lower($1)", MP_STMT_READ },
	[SN_CAN_MAIL] = { "survey_can_mail",
	    "SELECT mp_should_notify('email', $1, '" SURVEY_CATEGORY "')",
	    MP_STMT_READ },
	[SN_NPS_RECENT] = { "survey_nps_recent",
	    "SELECT 1 FROM survey WHERE type = 'nps'"
	    " AND (user_id = $1::bigint OR email = lower($2))"
	    " AND created_at > now() - interval '90 days' LIMIT 1",
	    MP_STMT_READ },
	/*
	 * The question and scale as the tenant words them now; the mail
	 * goes at send_at and the link works 14 days from then.  One
	 * survey per person and campaign: a second one inserts nothing.
	 */
	[SN_INSERT] = { "survey_insert",
	    "INSERT INTO survey (tenant_id, public_id, token_hash, type,"
	    " user_id, email, reference, campaign, question, scale_min,"
	    " scale_max, created_by, send_at, expires_at)"
	    " SELECT mp_tenant(), $1, $2, $3, $4::bigint, lower($5), $6, $7,"
	    " q.question, q.scale_min, q.scale_max, $8::bigint,"
	    " now() + make_interval(secs => $9::integer),"
	    " now() + make_interval(secs => $9::integer) + interval '14 days'"
	    " FROM survey_question_of($3) q"
	    " ON CONFLICT (tenant_id, user_id, campaign) DO NOTHING"
	    " RETURNING id, public_id, question, scale_min, scale_max,"
	    " " ISO("send_at") ", " ISO("expires_at") ","
	    " to_char(expires_at AT TIME ZONE 'UTC', 'FMDD Mon YYYY')" },
	[SN_NID] = { "survey_nid",
	    "UPDATE survey SET notification_id = $2 WHERE id = $1::bigint" },
	[SN_QUARTER] = { "survey_quarter",
	    "SELECT 'nps-' || to_char(now() AT TIME ZONE 'UTC', 'YYYY-\"Q\"Q')",
	    MP_STMT_READ },
	/*
	 * Active customers without an NPS survey in the last 90 days nor in
	 * this campaign, who have not opted out of survey mail.
	 */
	[SN_ELIGIBLE] = { "survey_eligible",
	    "SELECT u.id, u.email, u.name FROM users u"
	    " WHERE u.role = 'customer' AND u.status = 'active'"
	    " AND NOT EXISTS (SELECT 1 FROM survey s WHERE s.type = 'nps'"
	    "  AND (s.user_id = u.id OR s.email = u.email)"
	    "  AND (s.created_at > now() - interval '90 days'"
	    "   OR s.campaign = $1))"
	    " AND mp_should_notify('email', u.email, '" SURVEY_CATEGORY "')"
	    " ORDER BY u.id LIMIT $2::integer" },
	[SN_CAMPAIGN_START] = { "survey_campaign_start",
	    "WITH i AS (INSERT INTO survey_campaign (tenant_id, campaign)"
	    " VALUES (mp_tenant(), $1) ON CONFLICT DO NOTHING RETURNING 1)"
	    " SELECT finished_at IS NULL FROM survey_campaign"
	    " WHERE campaign = $1 UNION ALL SELECT true FROM i" },
	[SN_CAMPAIGN_DONE] = { "survey_campaign_done",
	    "UPDATE survey_campaign SET finished_at = now(),"
	    " sent = sent + $2::integer WHERE campaign = $1" },
};

_Static_assert(MP_NELEM(stmts) == SN__MAX,
    "survey send statements and enum differ");

MP_STMT_TABLE(mp_surveys_send_st, stmts);

static const char *const types[] = { "csat", "support_ticket", "nps",
    "product", "onboarding", NULL };

const struct mp_field mp_surveys_create_fields[] = {
	{ "user", MP_V_TOKEN, 16, 64, 0, NULL },
	{ "email", MP_V_EMAIL, 3, 254, 0, NULL },
	{ "type", MP_V_ENUM, 0, 0, 1, types },
	{ "reference", MP_V_TEXT, 0, 200, 0, NULL },
	{ "delay", MP_V_INT, 0, 2592000, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

/* What the mail says beside the ends of the scale. */
static void
scale_labels(const char *type, const char **lo, const char **hi)
{
	if (strcmp(type, "nps") == 0) {
		*lo = "Not at all likely";
		*hi = "Extremely likely";
	} else if (strcmp(type, "onboarding") == 0) {
		*lo = "Very hard";
		*hi = "Very easy";
	} else {
		*lo = "Very dissatisfied";
		*hi = "Very satisfied";
	}
}

/* The subject line of a type's mail. */
static const char *
subject(struct mp_ctx *c, const char *type)
{
	if (strcmp(type, "nps") == 0)
		return mp_printf(c->a, "Would you recommend %s?",
		    c->tenant->name);
	return mp_printf(c->a, "How did we do? A one-click question from %s",
	    c->tenant->name);
}

/*
 * A survey for one person, and its mail queued in the same transaction
 * (run at send_at): the token exists only in the mail's links, the
 * survey keeps its hash.  With a campaign already holding this user,
 * nothing is made and *made is 0.  On success *row is the survey as
 * SN_INSERT returns it.
 */
static enum mp_err
make_one(struct mp_ctx *c, const char *type, const char *user_id,
    const char *email, const char *name, const char *reference,
    const char *campaign, const char *created_by, int delay,
    struct mp_res **row, int *made)
{
	struct mp_mail	 m;
	struct mp_res	*res;
	const char	*p[9], *lo, *hi;
	char		*tok, *url, *nid, *origin, key[64];
	HDF		*hdf;
	int		 i, smin, smax;
	enum mp_err	 rc;

	*made = 0;
	/* A job knows its tenant by id only: the subject names it. */
	if ((rc = mp_tenant_fill(c)) != MP_OK)
		return rc;
	tok = mp_token(c->a, SURVEY_TOKEN_BYTES);
	p[0] = mp_token(c->a, 16);
	p[1] = mp_sha256_hex(c->a, tok, strlen(tok));
	p[2] = type;
	p[3] = user_id;
	p[4] = email;
	p[5] = reference != NULL && *reference != '\0' ? reference : NULL;
	p[6] = campaign;
	p[7] = created_by;
	p[8] = mp_printf(c->a, "%d", delay);
	if ((rc = mp_q(c, &stmts[SN_INSERT], 9, p, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) != 1)
		return MP_OK;
	if ((origin = mp_origin(c)) == NULL)
		return MP_EDB;
	smin = (int)mp_res_int(res, 0, 3);
	smax = (int)mp_res_int(res, 0, 4);
	url = mp_printf(c->a, "%s/s/%s", origin, tok);
	hdf = mp_ctx_hdf(c);
	mp_hdf_set(hdf, "Survey.Question", mp_res_get(res, 0, 2));
	mp_hdf_set(hdf, "Survey.Url", url);
	mp_hdf_set(hdf, "Survey.Type", type);
	mp_hdf_set(hdf, "Survey.Expires", mp_res_get(res, 0, 7));
	mp_hdf_set(hdf, "Survey.Name", name != NULL && *name != '\0' ?
	    name : NULL);
	scale_labels(type, &lo, &hi);
	mp_hdf_set(hdf, "Survey.Low", lo);
	mp_hdf_set(hdf, "Survey.High", hi);
	mp_hdf_setf(hdf, "Survey.Min", "%d", smin);
	mp_hdf_setf(hdf, "Survey.Max", "%d", smax);
	for (i = smin; i <= smax; i++) {
		snprintf(key, sizeof(key), "Survey.Scale.%d.Score", i - smin);
		mp_hdf_setf(hdf, key, "%d", i);
		snprintf(key, sizeof(key), "Survey.Scale.%d.Url", i - smin);
		mp_hdf_set(hdf, key, mp_printf(c->a, "%s?score=%d", url, i));
	}
	memset(&m, 0, sizeof(m));
	m.to = email;
	m.to_name = name != NULL && *name != '\0' ? name : NULL;
	m.subject = subject(c, type);
	m.tpl = "surveys/invite";
	m.data = hdf;
	m.category = SURVEY_CATEGORY;
	m.priority = 6;
	m.user_id = user_id != NULL ? strtoll(user_id, NULL, 10) : 0;
	m.run_at = delay > 0 ? mp_res_get(res, 0, 5) : NULL;
	if ((rc = mp_mail_queue(c, &m, &nid)) != MP_OK)
		return rc;
	p[0] = mp_res_get(res, 0, 0);
	p[1] = nid;
	if ((rc = mp_q(c, &stmts[SN_NID], 2, p, NULL)) != MP_OK)
		return rc;
	*row = res;
	*made = 1;
	return MP_OK;
}

/*
 * POST /api/admin/surveys: one survey for a customer named by user (public
 * id) or email, of type, with an optional reference (a ticket id), its
 * mail sent after delay seconds (default: the tenant's CSAT delay).  201
 * with the survey; 400 naming the field for someone who is not an active
 * customer or an NPS survey within 90 days; 409 when the address has
 * opted out of survey mail.
 */
enum mp_err
mp_surveys_api_create(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*user = mp_req_val(r, "user");
	const struct mp_value	*email = mp_req_val(r, "email");
	const struct mp_value	*type = mp_req_val(r, "type");
	const struct mp_value	*ref = mp_req_val(r, "reference");
	const struct mp_value	*delay = mp_req_val(r, "delay");
	struct json_object	*o, *s, *sc;
	struct mp_res		*u, *res = NULL;
	const char		*p[2], *to, *uid = NULL, *name = NULL,
				*upid = NULL, *field;
	int			 d, made;
	enum mp_err		 rc;

	if (!user->present && !email->present)
		return mp_req_fail(r, MP_EINPUT, "user",
		    "Name the customer: user (their id) or email.");
	field = user->present ? "user" : "email";
	p[0] = user->present ? user->s : email->s;
	if ((rc = mp_q(&r->ctx, &stmts[user->present ? SN_USER_PID :
	    SN_USER_EMAIL], 1, p, &u)) != MP_OK)
		return rc;
	if (mp_res_rows(u) == 0 && user->present)
		return mp_req_fail(r, MP_EINPUT, "user",
		    "There is no user with this id.");
	if (mp_res_rows(u) == 1) {
		if (strcmp(mp_res_get(u, 0, 3), "customer") != 0)
			return mp_req_fail(r, MP_EINPUT, field,
			    "Surveys go to customers, not to staff.");
		if (strcmp(mp_res_get(u, 0, 4), "active") != 0)
			return mp_req_fail(r, MP_EINPUT, field,
			    "This customer's account is disabled.");
		uid = mp_res_get(u, 0, 0);
		to = mp_res_get(u, 0, 1);
		name = mp_res_get(u, 0, 2);
		upid = mp_res_get(u, 0, 5);
	} else
		to = email->s;
	p[0] = to;
	if ((rc = mp_q(&r->ctx, &stmts[SN_CAN_MAIL], 1, p, &res)) != MP_OK)
		return rc;
	if (!mp_res_bool(res, 0, 0))
		return mp_req_fail(r, MP_ECONFLICT, field,
		    "This address has opted out of survey mail.");
	if (strcmp(type->s, "nps") == 0) {
		p[0] = uid;
		p[1] = to;
		if ((rc = mp_q(&r->ctx, &stmts[SN_NPS_RECENT], 2, p, &res)) !=
		    MP_OK)
			return rc;
		if (mp_res_rows(res) > 0)
			return mp_req_fail(r, MP_ECONFLICT, field,
			    "This customer had an NPS survey in the last 90 "
			    "days.");
	}
	if (delay->present)
		d = (int)delay->i;
	else {
		if ((rc = mp_q(&r->ctx, &stmts[SN_SETTINGS], 0, NULL, &res)) !=
		    MP_OK)
			return rc;
		d = (int)mp_res_int(res, 0, 0);
	}
	if ((rc = make_one(&r->ctx, type->s, uid, to, name,
	    ref->present ? ref->s : NULL, NULL, r->user->id_text, d, &res,
	    &made)) != MP_OK)
		return rc;
	if (!made)
		return mp_req_fail(r, MP_ECONFLICT, field,
		    "This survey exists already.");
	o = json_object_new_object();
	mp_json_own(r->ctx.a, o);
	s = json_object_new_object();
	json_object_object_add(s, "id",
	    json_object_new_string(mp_res_get(res, 0, 1)));
	json_object_object_add(s, "type", json_object_new_string(type->s));
	json_object_object_add(s, "email", json_object_new_string(to));
	json_object_object_add(s, "user", upid ?
	    json_object_new_string(upid) : NULL);
	json_object_object_add(s, "reference", ref->present && *ref->s ?
	    json_object_new_string(ref->s) : NULL);
	json_object_object_add(s, "question",
	    json_object_new_string(mp_res_get(res, 0, 2)));
	sc = json_object_new_object();
	json_object_object_add(sc, "min",
	    json_object_new_int((int)mp_res_int(res, 0, 3)));
	json_object_object_add(sc, "max",
	    json_object_new_int((int)mp_res_int(res, 0, 4)));
	json_object_object_add(s, "scale", sc);
	json_object_object_add(s, "delay", json_object_new_int(d));
	json_object_object_add(s, "send_at",
	    json_object_new_string(mp_res_get(res, 0, 5)));
	json_object_object_add(s, "expires_at",
	    json_object_new_string(mp_res_get(res, 0, 6)));
	json_object_object_add(o, "survey", s);
	return mp_resp_json(r, w, 201, o);
}

/*
 * One NPS campaign for the context's tenant: a survey (mailed now) for
 * every eligible customer, SURVEY_BATCH to a transaction, at most max
 * in all.  *sent is how many were made, *more whether some remain.
 * Each batch is committed when commit is set (the quarterly job); a
 * request keeps its one transaction.
 */
static enum mp_err
campaign(struct mp_ctx *c, const char *camp, const char *by, int max,
    int commit, int *sent, int *more)
{
	struct mp_res	*res, *row;
	const char	*p[2];
	int		 i, n, made;
	enum mp_err	 rc;

	*sent = 0;
	*more = 0;
	for (;;) {
		n = max - *sent < SURVEY_BATCH ? max - *sent : SURVEY_BATCH;
		p[0] = camp;
		p[1] = mp_printf(c->a, "%d", n > 0 ? n : 1);
		if ((rc = mp_q(c, &stmts[SN_ELIGIBLE], 2, p, &res)) != MP_OK)
			return rc;
		if (n <= 0) {
			/* At the cap: is anyone left for the next call? */
			*more = mp_res_rows(res) > 0;
			break;
		}
		for (i = 0; i < mp_res_rows(res); i++) {
			if ((rc = make_one(c, "nps", mp_res_get(res, i, 0),
			    mp_res_get(res, i, 1), mp_res_get(res, i, 2),
			    NULL, camp, by, 0, &row, &made)) != MP_OK)
				return rc;
			*sent += made;
		}
		if (commit && (rc = mp_tx_commit(c)) != MP_OK)
			return rc;
		if (mp_res_rows(res) < n)
			break;
	}
	return MP_OK;
}

/*
 * POST /api/surveys/admin/send-nps: this quarter's NPS campaign now.  Every
 * active customer without an NPS survey in 90 days (nor in this quarter's
 * campaign) who has not opted out gets one; run again, it sends nothing
 * new.  200 with the campaign, how many were sent and whether more remain
 * (at most 500 a request: call again).
 */
enum mp_err
mp_surveys_api_send_nps(struct mp_req *r, struct mp_resp *w)
{
	struct json_object	*o;
	struct mp_res		*res;
	const char		*camp;
	int			 sent, more;
	enum mp_err		 rc;

	if ((rc = mp_q(&r->ctx, &stmts[SN_QUARTER], 0, NULL, &res)) != MP_OK)
		return rc;
	camp = mp_strdup(r->ctx.a, mp_res_get(res, 0, 0));
	if ((rc = campaign(&r->ctx, camp, r->user->id_text, 500, 0, &sent,
	    &more)) != MP_OK)
		return rc;
	o = json_object_new_object();
	mp_json_own(r->ctx.a, o);
	json_object_object_add(o, "campaign", json_object_new_string(camp));
	json_object_object_add(o, "sent", json_object_new_int(sent));
	json_object_object_add(o, "more", json_object_new_boolean(more));
	return mp_resp_json(r, w, 200, o);
}

/*
 * survey.nps, daily per tenant: when the tenant has the quarterly NPS
 * campaign switched on and this quarter's has not finished, run it (in
 * batches, each committed) and mark it finished.  So each tenant's
 * customers are asked once a quarter, soon after the quarter starts.
 */
enum mp_err
mp_surveys_job_nps(struct mp_job *j)
{
	struct mp_ctx	*c = &j->ctx;
	struct mp_res	*res;
	const char	*p[2], *camp;
	int		 sent, more;
	enum mp_err	 rc;

	if ((rc = mp_q(c, &stmts[SN_SETTINGS], 0, NULL, &res)) != MP_OK)
		return rc;
	if (!mp_res_bool(res, 0, 1))
		return MP_OK;
	if ((rc = mp_q(c, &stmts[SN_QUARTER], 0, NULL, &res)) != MP_OK)
		return rc;
	camp = mp_strdup(c->a, mp_res_get(res, 0, 0));
	p[0] = camp;
	if ((rc = mp_q(c, &stmts[SN_CAMPAIGN_START], 1, p, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) == 0 || !mp_res_bool(res, 0, 0))
		return MP_OK;
	if ((rc = mp_tx_commit(c)) != MP_OK)
		return rc;
	if ((rc = campaign(c, camp, NULL, 100000, 1, &sent, &more)) != MP_OK)
		return rc;
	p[1] = mp_printf(c->a, "%d", sent);
	if ((rc = mp_q(c, &stmts[SN_CAMPAIGN_DONE], 2, p, NULL)) != MP_OK)
		return rc;
	mp_info("survey.nps: campaign %s sent %d survey%s", camp, sent,
	    sent == 1 ? "" : "s");
	return MP_OK;
}
