/* The survey form reached from mail (GET shows, POST records once), and the signed-in customer's survey JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>
#include <json-c/json.h>

#include "features/surveys/extern.h"

enum {
	SF_BY_TOKEN,
	SF_ANSWER_TOKEN,
	SF_ANSWER_ID,
	SF_MINE,
	SF_MINE_ONE,
	SF__MAX
};

#define STATUS_SQL \
	"CASE WHEN s.responded_at IS NOT NULL THEN 'answered'" \
	" WHEN s.expires_at <= now() THEN 'expired' ELSE 'open' END"
#define ISO(col) \
	"to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
#define MINE_COLS \
	"SELECT s.public_id AS id, s.type, s.question, s.scale_min," \
	" s.scale_max, s.reference, " ISO("s.send_at") " AS sent_at," \
	" " ISO("s.expires_at") " AS expires_at, " STATUS_SQL " AS status," \
	" s.score, s.comment, " ISO("s.responded_at") " AS responded_at," \
	" count(*) OVER () AS total FROM survey s" \
	" WHERE (s.user_id = $1::bigint OR (s.user_id IS NULL" \
	" AND s.email = lower($2))) AND s.send_at <= now()"
#define ANSWER_SET \
	"UPDATE survey SET responded_at = now(), score = $2::smallint," \
	" comment = nullif($3, ''), followup = $4"
#define ANSWER_RET \
	" AND responded_at IS NULL AND expires_at > now()" \
	" RETURNING public_id, type, email, score, scale_max, reference"

static const struct mp_stmt stmts[] = {
	/*
	 * The survey a token names, with the tenant's branding: one row
	 * even for an unknown token, so its page is branded too.
	 */
	[SF_BY_TOKEN] = { "survey_by_token",
	    "SELECT s.public_id, s.type, s.question, s.scale_min, s.scale_max,"
	    " s.responded_at IS NOT NULL, s.expires_at <= now(), s.score,"
	    " b.version, b.support_email"
	    " FROM (SELECT 1) one"
	    " LEFT JOIN survey s ON s.token_hash = $1"
	    " LEFT JOIN tenant_branding b"
	    "   ON b.tenant_id = current_setting('app.tenant_id', true)::bigint",
	    MP_STMT_READ },
	/* Single use in SQL: the second of two answers updates nothing. */
	[SF_ANSWER_TOKEN] = { "survey_answer_token",
	    ANSWER_SET " WHERE token_hash = $1" ANSWER_RET },
	[SF_ANSWER_ID] = { "survey_answer_id",
	    ANSWER_SET " WHERE public_id = $1 AND send_at <= now()"
	    " AND (user_id = $5::bigint OR (user_id IS NULL"
	    " AND email = lower($6)))" ANSWER_RET },
	[SF_MINE] = { "survey_mine",
	    MINE_COLS " ORDER BY s.send_at DESC, s.id DESC"
	    " LIMIT $3::integer OFFSET $4::integer", MP_STMT_READ },
	[SF_MINE_ONE] = { "survey_mine_one",
	    MINE_COLS " AND s.public_id = $3", MP_STMT_READ },
};

_Static_assert(MP_NELEM(stmts) == SF__MAX,
    "survey form statements and enum differ");

MP_STMT_TABLE(mp_surveys_form_st, stmts);

/*
 * The form's fields.  Both are checked here rather than by their
 * declaration, against the survey's own scale and the comment cap, so
 * that a refused answer comes back as the tenant's form with what was
 * typed kept; the declaration only requires valid text.
 */
const struct mp_field mp_surveys_answer_fields[] = {
	{ "score", MP_V_TEXT, 0, 4, 0, NULL },
	{ "comment", MP_V_TEXT, 0, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct mp_field mp_surveys_mine_fields[] = {
	{ "limit", MP_V_INT, 1, 200, 0, NULL },
	{ "offset", MP_V_INT, 0, 1000000, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

/* What the customer's JSON shows of a survey (SF_MINE's names). */
static const struct mp_col mine_cols[] = {
	{ "id", NULL, MP_COL_TEXT },
	{ "type", NULL, MP_COL_TEXT },
	{ "question", NULL, MP_COL_TEXT },
	{ "scale_min", NULL, MP_COL_INT },
	{ "scale_max", NULL, MP_COL_INT },
	{ "reference", NULL, MP_COL_TEXT },
	{ "sent_at", NULL, MP_COL_TEXT },
	{ "expires_at", NULL, MP_COL_TEXT },
	{ "status", NULL, MP_COL_TEXT },
	{ "score", NULL, MP_COL_INT },
	{ "comment", NULL, MP_COL_TEXT },
	{ "responded_at", NULL, MP_COL_TEXT },
	{ NULL, NULL, 0 }
};

struct json_object *
mp_surveys_json_num(struct mp_arena *a, double v, int decimals)
{
	return json_object_new_double_s(v, mp_printf(a, "%.*f", decimals,
	    v));
}

/*
 * Queue the notice of a low score to the tenant's support address, in
 * the caller's transaction (so it exists exactly when the answer does).
 * ans is the row SF_ANSWER_* returned.  A tenant without a support
 * address gets the flag only (logged).
 */
static enum mp_err
followup_notice(struct mp_ctx *c, const char *support, struct mp_res *ans,
    const char *comment)
{
	struct mp_mail	 m;
	char		*origin;
	HDF		*hdf;

	if (support == NULL || *support == '\0' || strchr(support, '@') ==
	    NULL) {
		mp_warn("survey %s: low score flagged, but the tenant has no "
		    "support address for the notice", mp_res_get(ans, 0, 0));
		return MP_OK;
	}
	if ((origin = mp_origin(c)) == NULL)
		return MP_EDB;
	hdf = mp_ctx_hdf(c);
	mp_hdf_set(hdf, "Followup.Type", mp_res_get(ans, 0, 1));
	mp_hdf_set(hdf, "Followup.Email", mp_res_get(ans, 0, 2));
	mp_hdf_set(hdf, "Followup.Score", mp_res_get(ans, 0, 3));
	mp_hdf_set(hdf, "Followup.Max", mp_res_get(ans, 0, 4));
	mp_hdf_set(hdf, "Followup.Reference", mp_res_get(ans, 0, 5));
	mp_hdf_set(hdf, "Followup.Comment", comment != NULL &&
	    *comment != '\0' ? comment : NULL);
	mp_hdf_set(hdf, "Followup.Url", mp_printf(c->a,
	    "%s/staff/surveys#f-%s", origin, mp_res_get(ans, 0, 0)));
	memset(&m, 0, sizeof(m));
	m.to = support;
	m.subject = mp_printf(c->a, "Survey follow-up: %s/%s from %s",
	    mp_res_get(ans, 0, 3), mp_res_get(ans, 0, 4),
	    mp_res_get(ans, 0, 2));
	m.tpl = "surveys/followup";
	m.data = hdf;
	m.category = "transactional";
	m.priority = 3;
	return mp_mail_queue(c, &m, NULL);
}

/*
 * Check score text s (NULL: absent) against [smin, smax] and the comment
 * against its cap; on a failure set the context's error (field and
 * sentence) and return MP_EINPUT.
 */
static enum mp_err
check_answer(struct mp_ctx *c, const char *s, const char *comment, int smin,
    int smax, int *score)
{
	struct mp_value	 v;
	const char	*why;
	const char	*msg = mp_printf(c->a, "Choose a score from %d to %d.",
	    smin, smax);

	if (s == NULL || *s == '\0')
		return mp_fail(c, MP_EINPUT, "score", msg);
	if (mp_validate(MP_V_INT, s, strlen(s), smin, smax, &v, &why) !=
	    MP_OK)
		return mp_fail(c, MP_EINPUT, "score", msg);
	*score = (int)v.i;
	if (comment != NULL && mp_validate(MP_V_TEXT, comment,
	    strlen(comment), 0, SURVEY_COMMENT_MAX, &v, &why) != MP_OK)
		return mp_fail(c, MP_EINPUT, "comment", mp_printf(c->a,
		    "The comment can have at most %d characters.",
		    SURVEY_COMMENT_MAX));
	return MP_OK;
}

/*
 * Record an answer with statement st (params p[0], then score, comment
 * and the follow-up flag are filled in here; p[4], p[5] are the
 * statement's own).  *res is the answered row, or has no row when the
 * survey was answered (or expired) meanwhile.  A low score queues the
 * notice in the same transaction.
 */
static enum mp_err
record(struct mp_ctx *c, const struct mp_stmt *st, const char **p, int np,
    const char *type, int score, int smin, int smax, const char *comment,
    const char *support, struct mp_res **res)
{
	int		 low = mp_survey_low(type, score, smin, smax);
	enum mp_err	 rc;

	p[1] = mp_printf(c->a, "%d", score);
	p[2] = comment != NULL ? comment : "";
	p[3] = low ? "open" : "none";
	if ((rc = mp_q(c, st, np, p, res)) != MP_OK)
		return rc;
	if (mp_res_rows(*res) == 1 && low)
		return followup_notice(c, support, *res, comment);
	return MP_OK;
}

/* The data every page of the form has: title, brand, no index, CSS. */
static HDF *
page_hdf(struct mp_req *r, struct mp_res *res)
{
	HDF	*hdf = mp_hdf(r);

	mp_hdf_set(hdf, "Page.Title", "Your feedback");
	mp_hdf_set(hdf, "Page.NoIndex", "1");
	mp_hdf_set(hdf, "Page.Links.0.Rel", "stylesheet");
	mp_hdf_set(hdf, "Page.Links.0.Href", "/static/css/surveys.css");
	if (res != NULL)
		mp_hdf_set(hdf, "Tenant.BrandVersion", mp_res_get(res, 0, 8));
	return hdf;
}

/* A page without a form: thanks, answered, expired, unknown, staff. */
static enum mp_err
state_page(struct mp_req *r, struct mp_resp *w, struct mp_res *res,
    int status, const char *state)
{
	HDF	*hdf = page_hdf(r, res);

	mp_hdf_set(hdf, "Survey.State", state);
	return mp_render(r, w, status, "surveys/done.cs", hdf);
}

/*
 * The form: question, the scale as radio buttons (pick pre-selected when
 * it is one of the scale's), the comment, the CSRF field, and the
 * context's error (field and sentence) when an answer was refused.
 */
static enum mp_err
form_page(struct mp_req *r, struct mp_resp *w, struct mp_res *res,
    int status, const char *pick, const char *comment)
{
	HDF		*hdf = page_hdf(r, res);
	const char	*type = mp_res_get(res, 0, 1), *lo, *hi;
	struct mp_value	 v;
	const char	*why;
	int		 smin = (int)mp_res_int(res, 0, 3);
	int		 smax = (int)mp_res_int(res, 0, 4), i, sel = -1;
	char		 key[64];

	if (pick != NULL && mp_validate(MP_V_INT, pick, strlen(pick), smin,
	    smax, &v, &why) == MP_OK)
		sel = (int)v.i;
	if (strcmp(type, "nps") == 0) {
		lo = "Not at all likely";
		hi = "Extremely likely";
	} else if (strcmp(type, "onboarding") == 0) {
		lo = "Very hard";
		hi = "Very easy";
	} else {
		lo = "Very dissatisfied";
		hi = "Very satisfied";
	}
	mp_hdf_csrf(r, hdf);
	mp_hdf_set(hdf, "Survey.Question", mp_res_get(res, 0, 2));
	mp_hdf_set(hdf, "Survey.Type", type);
	mp_hdf_set(hdf, "Survey.Low", lo);
	mp_hdf_set(hdf, "Survey.High", hi);
	mp_hdf_set(hdf, "Survey.Action", r->path);
	mp_hdf_setf(hdf, "Survey.CommentMax", "%d", SURVEY_COMMENT_MAX);
	mp_hdf_set(hdf, "Survey.Comment", comment);
	if (smax - smin > 5)
		mp_hdf_set(hdf, "Survey.Wide", "1");
	for (i = smin; i <= smax; i++) {
		snprintf(key, sizeof(key), "Survey.Scale.%d.Score", i - smin);
		mp_hdf_setf(hdf, key, "%d", i);
		if (i == sel) {
			snprintf(key, sizeof(key), "Survey.Scale.%d.Checked",
			    i - smin);
			mp_hdf_set(hdf, key, "1");
		}
	}
	if (r->ctx.err_field != NULL) {
		mp_hdf_set(hdf, "Survey.Error.Field", r->ctx.err_field);
		mp_hdf_set(hdf, "Survey.Error.Message", r->ctx.err_msg);
	}
	return mp_render(r, w, status, "surveys/form.cs", hdf);
}

/*
 * Look up the survey of the path's token.  *res always has one row (the
 * branding); its column 0 is NULL for an unknown token.
 */
static enum mp_err
by_token(struct mp_req *r, struct mp_res **res)
{
	const struct mp_capture	*cap = mp_req_cap(r, "token");
	const char		*p[1];

	p[0] = mp_sha256_hex(r->ctx.a, cap->s, cap->len);
	return mp_q(&r->ctx, &stmts[SF_BY_TOKEN], 1, p, res);
}

/* Staff may look at the link but never answer for a customer. */
static int
is_staff(const struct mp_req *r)
{
	return r->user != NULL && r->user->role >= MP_ROLE_SUPPORT;
}

/*
 * GET /s/{token}: the form, with ?score=N pre-selected.  Records nothing
 * (mail scanners fetch links).  404 unknown, 410 expired, 200 "already
 * answered" for an answered survey, 403 for a signed-in staff member.
 */
enum mp_err
mp_surveys_form(struct mp_req *r, struct mp_resp *w)
{
	struct mp_res	*res;
	enum mp_err	 rc;

	mp_resp_header(w, "Cache-Control", "no-store");
	if ((rc = by_token(r, &res)) != MP_OK)
		return rc;
	if (mp_res_isnull(res, 0, 0))
		return state_page(r, w, res, 404, "unknown");
	if (mp_res_bool(res, 0, 5))
		return state_page(r, w, res, 200, "answered");
	if (mp_res_bool(res, 0, 6))
		return state_page(r, w, res, 410, "expired");
	if (is_staff(r))
		return state_page(r, w, res, 403, "staff");
	return form_page(r, w, res, 200, mp_req_query(r, "score"), NULL);
}

/*
 * POST /s/{token}: record the answer once, then the thank-you page.
 * Fields score (on the survey's scale) and comment (<= 2000 characters):
 * a refused one brings the form back (400) naming the field, with
 * nothing recorded.  A second answer gets "already answered" (409).
 */
enum mp_err
mp_surveys_answer(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*sv = mp_req_val(r, "score");
	const struct mp_value	*cv = mp_req_val(r, "comment");
	const char		*comment = cv->present ? cv->s : NULL, *p[4];
	struct mp_res		*res, *ans;
	int			 score = 0;
	enum mp_err		 rc;

	mp_resp_header(w, "Cache-Control", "no-store");
	if ((rc = by_token(r, &res)) != MP_OK)
		return rc;
	if (mp_res_isnull(res, 0, 0))
		return state_page(r, w, res, 404, "unknown");
	if (mp_res_bool(res, 0, 5))
		return state_page(r, w, res, 409, "answered");
	if (mp_res_bool(res, 0, 6))
		return state_page(r, w, res, 410, "expired");
	if (is_staff(r))
		return state_page(r, w, res, 403, "staff");
	if (check_answer(&r->ctx, sv->present ? sv->s : NULL, comment,
	    (int)mp_res_int(res, 0, 3), (int)mp_res_int(res, 0, 4), &score) !=
	    MP_OK)
		return form_page(r, w, res, 400, sv->present ? sv->s : NULL,
		    comment);
	p[0] = mp_sha256_hex(r->ctx.a, mp_req_cap(r, "token")->s,
	    mp_req_cap(r, "token")->len);
	if ((rc = record(&r->ctx, &stmts[SF_ANSWER_TOKEN], p, 4,
	    mp_res_get(res, 0, 1), score, (int)mp_res_int(res, 0, 3),
	    (int)mp_res_int(res, 0, 4), comment, mp_res_get(res, 0, 9),
	    &ans)) != MP_OK)
		return rc;
	if (mp_res_rows(ans) == 0)
		return state_page(r, w, res, 409, "answered");
	return state_page(r, w, res, 200, "thanks");
}

/* GET /api/surveys: the signed-in customer's surveys, newest first. */
enum mp_err
mp_surveys_api_mine(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*lv = mp_req_val(r, "limit");
	const struct mp_value	*ov = mp_req_val(r, "offset");
	struct json_object	*o;
	struct mp_res		*res;
	const char		*p[4];
	enum mp_err		 rc;

	p[0] = r->user->id_text;
	p[1] = r->user->email;
	p[2] = mp_printf(r->ctx.a, "%d", lv->present ? (int)lv->i : 50);
	p[3] = mp_printf(r->ctx.a, "%d", ov->present ? (int)ov->i : 0);
	if ((rc = mp_q(&r->ctx, &stmts[SF_MINE], 4, p, &res)) != MP_OK)
		return rc;
	o = json_object_new_object();
	mp_json_own(r->ctx.a, o);
	json_object_object_add(o, "surveys", mp_rows_json(res, mine_cols));
	json_object_object_add(o, "total", json_object_new_int64(
	    mp_res_rows(res) ? mp_res_int_by(res, 0, "total") : 0));
	json_object_object_add(o, "limit", json_object_new_int(atoi(p[2])));
	json_object_object_add(o, "offset", json_object_new_int(atoi(p[3])));
	return mp_resp_json(r, w, 200, o);
}

/* The customer's survey the path's id names, or MP_ENOTFOUND. */
static enum mp_err
mine_one(struct mp_req *r, struct mp_res **res)
{
	const char	*p[3];

	p[0] = r->user->id_text;
	p[1] = r->user->email;
	p[2] = mp_req_cap(r, "id")->s;
	return mp_q_one(&r->ctx, &stmts[SF_MINE_ONE], 3, p, res,
	    "There is no such survey.");
}

/* GET /api/surveys/{id}: one of the signed-in customer's surveys. */
enum mp_err
mp_surveys_api_one(struct mp_req *r, struct mp_resp *w)
{
	struct json_object	*o;
	struct mp_res		*res;
	enum mp_err		 rc;

	if ((rc = mine_one(r, &res)) != MP_OK)
		return rc;
	o = json_object_new_object();
	mp_json_own(r->ctx.a, o);
	json_object_object_add(o, "survey", mp_row_json(res, 0, mine_cols));
	return mp_resp_json(r, w, 200, o);
}

/*
 * POST /api/surveys/{id}/respond: the signed-in customer answers one of
 * their surveys (score on its scale, comment <= 2000 characters).  200
 * with the survey; 400 naming the field; 403 for staff; 409 answered
 * already; 410 expired.
 */
enum mp_err
mp_surveys_api_respond(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*sv = mp_req_val(r, "score");
	const struct mp_value	*cv = mp_req_val(r, "comment");
	const char		*comment = cv->present ? cv->s : NULL, *p[6];
	struct json_object	*o;
	struct mp_res		*res, *ans, *b;
	int			 score = 0;
	enum mp_err		 rc;

	if (is_staff(r))
		return mp_req_fail(r, MP_EFORBID, NULL,
		    "Staff cannot answer a customer's survey.");
	if ((rc = mine_one(r, &res)) != MP_OK)
		return rc;
	if (strcmp(mp_res_by(res, 0, "status"), "answered") == 0)
		return mp_req_fail(r, MP_ECONFLICT, NULL,
		    "This survey was answered already.");
	if (strcmp(mp_res_by(res, 0, "status"), "expired") == 0) {
		r->err_status = 410;
		return mp_req_fail(r, MP_ECONFLICT, NULL,
		    "This survey has expired.");
	}
	if (check_answer(&r->ctx, sv->present ? sv->s : NULL, comment,
	    (int)mp_res_int_by(res, 0, "scale_min"),
	    (int)mp_res_int_by(res, 0, "scale_max"), &score) != MP_OK)
		return MP_EINPUT;
	/* The branding row alone (no token hashes to ""): support's address. */
	p[0] = "";
	if ((rc = mp_q(&r->ctx, &stmts[SF_BY_TOKEN], 1, p, &b)) != MP_OK)
		return rc;
	p[0] = mp_req_cap(r, "id")->s;
	p[4] = r->user->id_text;
	p[5] = r->user->email;
	if ((rc = record(&r->ctx, &stmts[SF_ANSWER_ID], p, 6,
	    mp_res_by(res, 0, "type"), score,
	    (int)mp_res_int_by(res, 0, "scale_min"),
	    (int)mp_res_int_by(res, 0, "scale_max"), comment,
	    mp_res_get(b, 0, 9), &ans)) != MP_OK)
		return rc;
	if (mp_res_rows(ans) == 0)
		return mp_req_fail(r, MP_ECONFLICT, NULL,
		    "This survey was answered already.");
	if ((rc = mine_one(r, &res)) != MP_OK)
		return rc;
	o = json_object_new_object();
	mp_json_own(r->ctx.a, o);
	json_object_object_add(o, "survey", mp_row_json(res, 0, mine_cols));
	return mp_resp_json(r, w, 200, o);
}
