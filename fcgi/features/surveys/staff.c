/* The staff side of surveys: metrics and their charts, answers, follow-ups, CSV export and settings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>
#include <json-c/json.h>

#include "features/surveys/extern.h"

enum {
	ST_LIST,
	ST_COUNTS,
	ST_RATE_MONTHS,
	ST_FOLLOWUPS,
	ST_FOLLOWUP_SET,
	ST_EXPORT,
	ST_SETTINGS,
	ST_QUESTIONS,
	ST_SETTINGS_PUT,
	ST_QUESTION_PUT,
	ST_QUESTION_DEL,
	ST__MAX
};

#define ISO(col) \
	"to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
#define STATUS_SQL \
	"CASE WHEN s.responded_at IS NOT NULL THEN 'answered'" \
	" WHEN s.expires_at <= now() THEN 'expired' ELSE 'open' END"
/* Surveys whose mail went out (or is going): what response rates divide by. */
#define SENT_SQL \
	" FROM survey s LEFT JOIN notification n" \
	" ON n.tenant_id = s.tenant_id AND n.public_id = s.notification_id" \
	" WHERE s.send_at <= now()" \
	" AND s.send_at > now() - make_interval(days => $1::integer)" \
	" AND (n.state IS NULL OR n.state NOT IN ('suppressed', 'failed'," \
	" 'expired', 'bounced'))"
#define ROW_COLS \
	"SELECT s.public_id AS id, s.type, s.email, u.public_id AS \"user\"," \
	" s.reference, s.campaign, s.question, s.scale_min, s.scale_max," \
	" " STATUS_SQL " AS status, s.score, s.comment, s.followup," \
	" s.followup_note, " ISO("s.send_at") " AS sent_at," \
	" " ISO("s.expires_at") " AS expires_at," \
	" " ISO("s.responded_at") " AS responded_at," \
	" " ISO("s.followup_at") " AS followup_at," \
	" to_char(s.responded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')" \
	" AS answered_on, count(*) OVER () AS total" \
	" FROM survey s LEFT JOIN users u" \
	" ON u.tenant_id = s.tenant_id AND u.id = s.user_id"

static const struct mp_stmt stmts[] = {
	[ST_LIST] = { "survey_list",
	    ROW_COLS " WHERE ($1 = '' OR s.type = $1)"
	    " AND ($2 = '' OR ($2 = 'answered' AND s.responded_at IS NOT NULL)"
	    " OR ($2 = 'unanswered' AND s.responded_at IS NULL"
	    "  AND s.expires_at > now())"
	    " OR ($2 = 'expired' AND s.responded_at IS NULL"
	    "  AND s.expires_at <= now())"
	    " OR ($2 = 'followup' AND s.followup = 'open'))"
	    " AND ($3 = '' OR s.send_at >= $3::date)"
	    " AND ($4 = '' OR s.send_at < $4::date + 1)"
	    " ORDER BY coalesce(s.responded_at, s.send_at) DESC, s.id DESC"
	    " LIMIT $5::integer OFFSET $6::integer", MP_STMT_READ },
	/*
	 * Counts per group (CSAT types together) for the window and per
	 * period (NPS by quarter, the others by month): p is NULL on the
	 * window's row.  The arithmetic is metrics.c's.
	 */
	[ST_COUNTS] = { "survey_counts",
	    "SELECT g, p, count(*) AS sent, count(responded_at) AS answered,"
	    " count(*) FILTER (WHERE score >= 4) AS good,"
	    " count(*) FILTER (WHERE score >= 9) AS promoters,"
	    " count(*) FILTER (WHERE score BETWEEN 7 AND 8) AS passives,"
	    " count(*) FILTER (WHERE score <= 6) AS detractors,"
	    " coalesce(sum(score), 0) AS total"
	    " FROM (SELECT CASE WHEN s.type IN ('csat', 'support_ticket')"
	    " THEN 'csat' ELSE s.type END AS g,"
	    " CASE WHEN s.type = 'nps' THEN to_char(s.send_at AT TIME ZONE"
	    " 'UTC', 'YYYY-\"Q\"Q') ELSE to_char(s.send_at AT TIME ZONE 'UTC',"
	    " 'YYYY-MM') END AS p, s.responded_at, s.score" SENT_SQL ") x"
	    " GROUP BY GROUPING SETS ((g), (g, p)) ORDER BY g, p NULLS FIRST",
	    MP_STMT_READ },
	[ST_RATE_MONTHS] = { "survey_rate_months",
	    "SELECT to_char(s.send_at AT TIME ZONE 'UTC', 'YYYY-MM') AS p,"
	    " count(*) AS sent, count(s.responded_at) AS answered" SENT_SQL
	    " GROUP BY 1 ORDER BY 1", MP_STMT_READ },
	[ST_FOLLOWUPS] = { "survey_followups",
	    ROW_COLS " WHERE s.followup <> 'none'"
	    " AND ($1 = 'all' OR s.followup = $1)"
	    " ORDER BY s.followup = 'open' DESC, s.responded_at DESC, s.id DESC"
	    " LIMIT 500", MP_STMT_READ },
	[ST_FOLLOWUP_SET] = { "survey_followup_set",
	    "UPDATE survey SET followup = CASE WHEN $3::boolean THEN 'done'"
	    " ELSE 'open' END, followup_note = coalesce($2, followup_note),"
	    " followup_by = $4::bigint, followup_at = now()"
	    " WHERE public_id = $1 AND followup <> 'none' RETURNING id" },
	[ST_EXPORT] = { "survey_export",
	    "SELECT s.public_id, s.type, s.email, coalesce(s.reference, ''),"
	    " coalesce(s.campaign, ''), " ISO("s.send_at") ","
	    " coalesce(" ISO("s.responded_at") ", ''),"
	    " coalesce(s.score::text, ''), s.scale_min, s.scale_max,"
	    " coalesce(s.comment, ''), s.followup,"
	    " coalesce(s.followup_note, '')"
	    " FROM survey s WHERE s.send_at >= $1::date"
	    " AND s.send_at < $2::date + 1 AND s.send_at <= now()"
	    " ORDER BY s.send_at, s.id LIMIT 100001", MP_STMT_READ },
	[ST_SETTINGS] = { "survey_settings_get",
	    "SELECT coalesce((SELECT csat_delay FROM survey_settings), 86400)"
	    " AS csat_delay, coalesce((SELECT nps_quarterly FROM"
	    " survey_settings), false) AS nps_quarterly", MP_STMT_READ },
	[ST_QUESTIONS] = { "survey_questions",
	    "SELECT t.type, q.question, q.scale_min, q.scale_max,"
	    " EXISTS (SELECT 1 FROM survey_question c WHERE c.type = t.type)"
	    " AS custom FROM unnest(ARRAY['csat', 'support_ticket', 'nps',"
	    " 'product', 'onboarding']) WITH ORDINALITY AS t (type, o),"
	    " survey_question_of(t.type) q ORDER BY t.o", MP_STMT_READ },
	[ST_SETTINGS_PUT] = { "survey_settings_put",
	    "INSERT INTO survey_settings (tenant_id, csat_delay, nps_quarterly)"
	    " VALUES (mp_tenant(), coalesce($1::integer, 86400),"
	    " coalesce($2::boolean, false))"
	    " ON CONFLICT (tenant_id) DO UPDATE SET"
	    " csat_delay = coalesce($1::integer, survey_settings.csat_delay),"
	    " nps_quarterly = coalesce($2::boolean,"
	    " survey_settings.nps_quarterly), updated_at = now()" },
	[ST_QUESTION_PUT] = { "survey_question_put",
	    "INSERT INTO survey_question (tenant_id, type, question, scale_min,"
	    " scale_max) SELECT mp_tenant(), $1, $2,"
	    " coalesce($3::smallint, d.scale_min),"
	    " coalesce($4::smallint, d.scale_max)"
	    " FROM survey_question_of($1) d"
	    " ON CONFLICT (tenant_id, type) DO UPDATE SET"
	    " question = excluded.question, scale_min = excluded.scale_min,"
	    " scale_max = excluded.scale_max, updated_at = now()" },
	[ST_QUESTION_DEL] = { "survey_question_del",
	    "DELETE FROM survey_question WHERE type = $1" },
};

_Static_assert(MP_NELEM(stmts) == ST__MAX,
    "survey staff statements and enum differ");

MP_STMT_TABLE(mp_surveys_staff_st, stmts);

static const char *const types[] = { "csat", "support_ticket", "nps",
    "product", "onboarding", NULL };
static const char *const statuses[] = { "answered", "unanswered", "expired",
    "followup", NULL };
static const char *const fstates[] = { "open", "done", "all", NULL };

const struct mp_field mp_surveys_list_fields[] = {
	{ "type", MP_V_ENUM, 0, 0, 0, types },
	{ "status", MP_V_ENUM, 0, 0, 0, statuses },
	{ "from", MP_V_DATE, 0, 0, 0, NULL },
	{ "to", MP_V_DATE, 0, 0, 0, NULL },
	{ "limit", MP_V_INT, 1, 200, 0, NULL },
	{ "offset", MP_V_INT, 0, 1000000, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct mp_field mp_surveys_metrics_fields[] = {
	{ "days", MP_V_INT, 1, 3650, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct mp_field mp_surveys_followups_fields[] = {
	{ "state", MP_V_ENUM, 0, 0, 0, fstates },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct mp_field mp_surveys_followup_fields[] = {
	{ "note", MP_V_TEXT, 0, SURVEY_NOTE_MAX, 0, NULL },
	{ "done", MP_V_BOOL, 0, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct mp_field mp_surveys_export_fields[] = {
	{ "from", MP_V_DATE, 0, 0, 0, NULL },
	{ "to", MP_V_DATE, 0, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct mp_field mp_surveys_settings_fields[] = {
	{ "csat_delay", MP_V_INT, 0, 2592000, 0, NULL },
	{ "nps_quarterly", MP_V_BOOL, 0, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct mp_field mp_surveys_question_fields[] = {
	{ "question", MP_V_TEXT, 1, 300, 1, NULL },
	{ "scale_min", MP_V_INT, 0, 1, 0, NULL },
	{ "scale_max", MP_V_INT, 3, 10, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct mp_field mp_surveys_page_fields[] = {
	{ "days", MP_V_INT, 1, 3650, 0, NULL },
	{ "page", MP_V_INT, 1, 10000, 0, NULL },
	{ "saved", MP_V_TEXT, 0, 16, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct mp_field mp_surveys_form_settings_fields[] = {
	{ "csat_delay_hours", MP_V_INT, 0, 720, 1, NULL },
	{ "nps_quarterly", MP_V_BOOL, 0, 0, 0, NULL },
	{ "q_csat", MP_V_TEXT, 0, 300, 0, NULL },
	{ "q_support_ticket", MP_V_TEXT, 0, 300, 0, NULL },
	{ "q_nps", MP_V_TEXT, 0, 300, 0, NULL },
	{ "q_product", MP_V_TEXT, 0, 300, 0, NULL },
	{ "q_onboarding", MP_V_TEXT, 0, 300, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

/* What lists and follow-ups show of a survey (ROW_COLS' names). */
static const struct mp_col row_cols[] = {
	{ "id", NULL, MP_COL_TEXT },
	{ "type", NULL, MP_COL_TEXT },
	{ "email", NULL, MP_COL_TEXT },
	{ "user", NULL, MP_COL_TEXT },
	{ "reference", NULL, MP_COL_TEXT },
	{ "campaign", NULL, MP_COL_TEXT },
	{ "question", NULL, MP_COL_TEXT },
	{ "scale_min", NULL, MP_COL_INT },
	{ "scale_max", NULL, MP_COL_INT },
	{ "status", NULL, MP_COL_TEXT },
	{ "score", NULL, MP_COL_INT },
	{ "comment", NULL, MP_COL_TEXT },
	{ "followup", NULL, MP_COL_TEXT },
	{ "followup_note", NULL, MP_COL_TEXT },
	{ "sent_at", NULL, MP_COL_TEXT },
	{ "expires_at", NULL, MP_COL_TEXT },
	{ "responded_at", NULL, MP_COL_TEXT },
	{ "followup_at", NULL, MP_COL_TEXT },
	{ NULL, NULL, 0 }
};

/* The same for the staff page's templates. */
static const struct mp_col page_cols[] = {
	{ "id", "Id", MP_COL_TEXT },
	{ "type", "Type", MP_COL_TEXT },
	{ "email", "Email", MP_COL_TEXT },
	{ "reference", "Reference", MP_COL_TEXT },
	{ "score", "Score", MP_COL_TEXT },
	{ "scale_max", "Max", MP_COL_TEXT },
	{ "comment", "Comment", MP_COL_TEXT },
	{ "followup", "Followup", MP_COL_TEXT },
	{ "followup_note", "Note", MP_COL_TEXT },
	{ "answered_on", "Answered", MP_COL_TEXT },
	{ NULL, NULL, 0 }
};

static const char *
val_or(const struct mp_value *v, const char *def)
{
	return v->present ? v->s : def;
}

/* A date field (validated YYYY-MM-DD) as text, "" when absent. */
static const char *
date_field(struct mp_req *r, const char *name)
{
	const struct mp_value	*v = mp_req_val(r, name);

	return v->present ? mp_strndup(r->ctx.a, v->s, v->len) : "";
}

/* ----------------------------------------------------------- metrics */

/* Row i of ST_COUNTS as counts. */
static void
counts_of(const struct mp_res *res, int i, struct mp_survey_counts *c)
{
	c->sent = mp_res_int_by(res, i, "sent");
	c->answered = mp_res_int_by(res, i, "answered");
	c->good = mp_res_int_by(res, i, "good");
	c->promoters = mp_res_int_by(res, i, "promoters");
	c->passives = mp_res_int_by(res, i, "passives");
	c->detractors = mp_res_int_by(res, i, "detractors");
	c->sum = mp_res_int_by(res, i, "total");
}

/* key: the metric fn computes from c (JSON null when it has no denominator). */
static void
add_num(struct mp_arena *a, struct json_object *o, const char *key,
    int (*fn)(const struct mp_survey_counts *, double *),
    const struct mp_survey_counts *c, int decimals)
{
	double	 v;

	json_object_object_add(o, key, fn(c, &v) ?
	    mp_surveys_json_num(a, v, decimals) : NULL);
}

/* The metrics of one group (a window or a period) as JSON. */
static struct json_object *
metrics_json(struct mp_arena *a, const char *group,
    const struct mp_survey_counts *c)
{
	struct json_object	*o = json_object_new_object();

	if (strcmp(group, "csat") == 0)
		add_num(a, o, "csat_pct", mp_survey_csat_pct, c, 1);
	if (strcmp(group, "nps") == 0) {
		add_num(a, o, "nps", mp_survey_nps, c, 1);
		json_object_object_add(o, "promoters",
		    json_object_new_int64(c->promoters));
		json_object_object_add(o, "passives",
		    json_object_new_int64(c->passives));
		json_object_object_add(o, "detractors",
		    json_object_new_int64(c->detractors));
	}
	add_num(a, o, "average", mp_survey_average, c, 2);
	json_object_object_add(o, "n", json_object_new_int64(c->answered));
	json_object_object_add(o, "sent", json_object_new_int64(c->sent));
	add_num(a, o, "response_rate", mp_survey_rate, c, 1);
	return o;
}

static enum mp_err
counts(struct mp_req *r, int days, struct mp_res **res)
{
	const char	*p[1];

	p[0] = mp_printf(r->ctx.a, "%d", days);
	return mp_q(&r->ctx, &stmts[ST_COUNTS], 1, p, res);
}

/*
 * GET /api/surveys/admin/metrics?days=30: for surveys sent in the last
 * days (default 30), per group (csat: csat and support_ticket; nps;
 * product; onboarding) the metrics with n and response rate, and the
 * same per period (NPS by quarter, the others by month).
 */
enum mp_err
mp_surveys_api_metrics(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*dv = mp_req_val(r, "days");
	int			 days = dv->present ? (int)dv->i : 30, i;
	static const char *const groups[] = { "csat", "nps", "product",
	    "onboarding" };
	struct json_object	*o, *g[4], *per[4], *m;
	struct mp_survey_counts	 c, zero;
	struct mp_res		*res;
	const char		*gn;
	size_t			 k;
	enum mp_err		 rc;

	if ((rc = counts(r, days, &res)) != MP_OK)
		return rc;
	o = json_object_new_object();
	mp_json_own(r->ctx.a, o);
	json_object_object_add(o, "days", json_object_new_int(days));
	memset(&zero, 0, sizeof(zero));
	for (k = 0; k < MP_NELEM(groups); k++) {
		g[k] = metrics_json(r->ctx.a, groups[k], &zero);
		per[k] = json_object_new_array();
	}
	for (i = 0; i < mp_res_rows(res); i++) {
		gn = mp_res_by(res, i, "g");
		for (k = 0; k < MP_NELEM(groups); k++)
			if (strcmp(gn, groups[k]) == 0)
				break;
		if (k == MP_NELEM(groups))
			continue;
		counts_of(res, i, &c);
		m = metrics_json(r->ctx.a, groups[k], &c);
		if (mp_res_by(res, i, "p") == NULL) {
			json_object_put(g[k]);
			g[k] = m;
		} else {
			json_object_object_add(m, "period",
			    json_object_new_string(mp_res_by(res, i, "p")));
			json_object_array_add(per[k], m);
		}
	}
	for (k = 0; k < MP_NELEM(groups); k++) {
		json_object_object_add(g[k], "periods", per[k]);
		json_object_object_add(o, groups[k], g[k]);
	}
	return mp_resp_json(r, w, 200, o);
}

/* ----------------------------------------------------------- charts */

#define CH_W	640	/* the chart's box, in SVG units */
#define CH_H	220
#define CH_L	44
#define CH_R	8
#define CH_T	18
#define CH_B	48

/*
 * One bar chart into prefix.*: the SVG geometry of each bar (value v[i]
 * when has[i], on a scale from lo to hi), its label, its value as text
 * and its n; the zero line and the grid.  Numbers only: the template
 * escapes the labels.
 */
static void
chart(HDF *hdf, const char *prefix, int nb, char **label, double *v,
    int *has, int64_t *n, double lo, double hi, const char *unit)
{
	double	 pw = CH_W - CH_L - CH_R, ph = CH_H - CH_T - CH_B;
	double	 slot = nb > 0 ? pw / nb : pw, y0, y, h, t;
	char	 k[160];
	int	 i;

	y0 = CH_T + hi / (hi - lo) * ph;
	snprintf(k, sizeof(k), "%s.Width", prefix);
	mp_hdf_setf(hdf, k, "%d", CH_W);
	snprintf(k, sizeof(k), "%s.Height", prefix);
	mp_hdf_setf(hdf, k, "%d", CH_H);
	snprintf(k, sizeof(k), "%s.ZeroY", prefix);
	mp_hdf_setf(hdf, k, "%.1f", y0);
	snprintf(k, sizeof(k), "%s.Left", prefix);
	mp_hdf_setf(hdf, k, "%d", CH_L);
	snprintf(k, sizeof(k), "%s.Right", prefix);
	mp_hdf_setf(hdf, k, "%d", CH_W - CH_R);
	snprintf(k, sizeof(k), "%s.LabelX", prefix);
	mp_hdf_setf(hdf, k, "%d", CH_L - 4);
	snprintf(k, sizeof(k), "%s.MidX", prefix);
	mp_hdf_setf(hdf, k, "%d", CH_W / 2);
	snprintf(k, sizeof(k), "%s.MidY", prefix);
	mp_hdf_setf(hdf, k, "%d", CH_H / 2);
	for (i = 0; i < 3; i++) {
		t = hi - (hi - lo) * i / 2;
		snprintf(k, sizeof(k), "%s.Grid.%d.Y", prefix, i);
		mp_hdf_setf(hdf, k, "%.1f", CH_T + (hi - t) / (hi - lo) * ph);
		snprintf(k, sizeof(k), "%s.Grid.%d.TextY", prefix, i);
		mp_hdf_setf(hdf, k, "%.1f", CH_T + (hi - t) / (hi - lo) * ph +
		    4);
		snprintf(k, sizeof(k), "%s.Grid.%d.Label", prefix, i);
		mp_hdf_setf(hdf, k, "%.0f%s", t, unit);
	}
	snprintf(k, sizeof(k), "%s.Count", prefix);
	mp_hdf_setf(hdf, k, "%d", nb);
	for (i = 0; i < nb; i++) {
		double x = CH_L + i * slot;

#define BAR(f, ...) do { \
	snprintf(k, sizeof(k), "%s.Bars.%d." f, prefix, i); \
	mp_hdf_setf(hdf, k, __VA_ARGS__); \
} while (0)
		BAR("X", "%.1f", x + slot * 0.2);
		BAR("W", "%.1f", slot * 0.6);
		BAR("Cx", "%.1f", x + slot / 2);
		BAR("LabelY", "%d", CH_H - CH_B + 16);
		BAR("NY", "%d", CH_H - CH_B + 32);
		snprintf(k, sizeof(k), "%s.Bars.%d.Label", prefix, i);
		mp_hdf_set(hdf, k, label[i]);
		BAR("N", "%lld", (long long)n[i]);
		if (!has[i]) {
			BAR("Value", "%s", "no data");
			BAR("TextY", "%.1f", y0 - 4);
			continue;
		}
		y = v[i] >= 0 ? y0 - v[i] / (hi - lo) * ph : y0;
		h = (v[i] >= 0 ? v[i] : -v[i]) / (hi - lo) * ph;
		BAR("Y", "%.1f", y);
		BAR("H", "%.1f", h < 0.5 ? 0.5 : h);
		BAR("Value", "%.1f%s", v[i], unit);
		BAR("TextY", "%.1f", v[i] >= 0 ? y - 4 : y + h + 12);
		BAR("Has", "%d", 1);
#undef BAR
	}
}

/* The charts and headline figures of the staff page over days. */
static enum mp_err
page_metrics(struct mp_req *r, HDF *hdf, int days)
{
	struct mp_survey_counts	 c;
	struct mp_res		*res, *rm;
	const char		*p[1], *g;
	char			*lab[3][64];
	double			 v[3][64], x;
	int			 has[3][64], nb[3] = { 0, 0, 0 }, i, which;
	int64_t			 n[3][64];
	enum mp_err		 rc;

	if ((rc = counts(r, days, &res)) != MP_OK)
		return rc;
	p[0] = mp_printf(r->ctx.a, "%d", days);
	if ((rc = mp_q(&r->ctx, &stmts[ST_RATE_MONTHS], 1, p, &rm)) != MP_OK)
		return rc;
	for (i = 0; i < mp_res_rows(res); i++) {
		g = mp_res_by(res, i, "g");
		counts_of(res, i, &c);
		if (mp_res_by(res, i, "p") == NULL) {
			/* The window's headline figures. */
			char key[64];

			snprintf(key, sizeof(key), "Surveys.Sum.%s", g);
			mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.N", key),
			    mp_printf(r->ctx.a, "%lld", (long long)c.answered));
			mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.Sent", key),
			    mp_printf(r->ctx.a, "%lld", (long long)c.sent));
			if (mp_survey_rate(&c, &x))
				mp_hdf_setf(hdf, mp_printf(r->ctx.a,
				    "%s.Rate", key), "%.1f", x);
			if (mp_survey_average(&c, &x))
				mp_hdf_setf(hdf, mp_printf(r->ctx.a,
				    "%s.Average", key), "%.2f", x);
			if (strcmp(g, "csat") == 0 &&
			    mp_survey_csat_pct(&c, &x))
				mp_hdf_setf(hdf, mp_printf(r->ctx.a,
				    "%s.Csat", key), "%.1f", x);
			if (strcmp(g, "nps") == 0) {
				if (mp_survey_nps(&c, &x))
					mp_hdf_setf(hdf, mp_printf(r->ctx.a,
					    "%s.Nps", key), "%+.1f", x);
				mp_hdf_setf(hdf, mp_printf(r->ctx.a,
				    "%s.Promoters", key), "%lld",
				    (long long)c.promoters);
				mp_hdf_setf(hdf, mp_printf(r->ctx.a,
				    "%s.Passives", key), "%lld",
				    (long long)c.passives);
				mp_hdf_setf(hdf, mp_printf(r->ctx.a,
				    "%s.Detractors", key), "%lld",
				    (long long)c.detractors);
			}
			continue;
		}
		if (strcmp(g, "csat") == 0)
			which = 0;
		else if (strcmp(g, "nps") == 0)
			which = 1;
		else
			continue;
		if (nb[which] >= 64)
			continue;
		lab[which][nb[which]] = mp_strdup(r->ctx.a,
		    mp_res_by(res, i, "p"));
		has[which][nb[which]] = which == 0 ?
		    mp_survey_csat_pct(&c, &v[which][nb[which]]) :
		    mp_survey_nps(&c, &v[which][nb[which]]);
		n[which][nb[which]] = c.answered;
		nb[which]++;
	}
	for (i = 0; i < mp_res_rows(rm) && nb[2] < 64; i++) {
		c.sent = mp_res_int_by(rm, i, "sent");
		c.answered = mp_res_int_by(rm, i, "answered");
		lab[2][nb[2]] = mp_strdup(r->ctx.a, mp_res_by(rm, i, "p"));
		has[2][nb[2]] = mp_survey_rate(&c, &v[2][nb[2]]);
		n[2][nb[2]] = c.sent;
		nb[2]++;
	}
	chart(hdf, "Surveys.Chart.Csat", nb[0], lab[0], v[0], has[0], n[0],
	    0, 100, "%");
	chart(hdf, "Surveys.Chart.Nps", nb[1], lab[1], v[1], has[1], n[1],
	    -100, 100, "");
	chart(hdf, "Surveys.Chart.Rate", nb[2], lab[2], v[2], has[2], n[2],
	    0, 100, "%");
	return MP_OK;
}

/* ----------------------------------------------------------- lists */

/* GET /api/surveys/admin/all?type=&status=&from=&to=&limit=&offset= */
enum mp_err
mp_surveys_api_all(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*lv = mp_req_val(r, "limit");
	const struct mp_value	*ov = mp_req_val(r, "offset");
	struct json_object	*o;
	struct mp_res		*res;
	const char		*p[6];
	int			 limit = lv->present ? (int)lv->i : 50;
	int			 offset = ov->present ? (int)ov->i : 0;
	enum mp_err		 rc;

	p[0] = val_or(mp_req_val(r, "type"), "");
	p[1] = val_or(mp_req_val(r, "status"), "");
	p[2] = date_field(r, "from");
	p[3] = date_field(r, "to");
	p[4] = mp_printf(r->ctx.a, "%d", limit);
	p[5] = mp_printf(r->ctx.a, "%d", offset);
	if ((rc = mp_q(&r->ctx, &stmts[ST_LIST], 6, p, &res)) != MP_OK)
		return rc;
	o = json_object_new_object();
	mp_json_own(r->ctx.a, o);
	json_object_object_add(o, "surveys", mp_rows_json(res, row_cols));
	json_object_object_add(o, "total", json_object_new_int64(
	    mp_res_rows(res) ? mp_res_int_by(res, 0, "total") : 0));
	json_object_object_add(o, "limit", json_object_new_int(limit));
	json_object_object_add(o, "offset", json_object_new_int(offset));
	return mp_resp_json(r, w, 200, o);
}

static enum mp_err
followups(struct mp_req *r, const char *state, struct mp_res **res)
{
	const char	*p[1];

	p[0] = state;
	return mp_q(&r->ctx, &stmts[ST_FOLLOWUPS], 1, p, res);
}

/* GET /api/surveys/admin/followups?state=open|done|all (default open) */
enum mp_err
mp_surveys_api_followups(struct mp_req *r, struct mp_resp *w)
{
	struct json_object	*o;
	struct mp_res		*res;
	enum mp_err		 rc;

	if ((rc = followups(r, val_or(mp_req_val(r, "state"), "open"),
	    &res)) != MP_OK)
		return rc;
	o = json_object_new_object();
	mp_json_own(r->ctx.a, o);
	json_object_object_add(o, "followups", mp_rows_json(res, row_cols));
	json_object_object_add(o, "total", json_object_new_int(
	    mp_res_rows(res)));
	return mp_resp_json(r, w, 200, o);
}

/*
 * Save a follow-up's note and state (done, else still open) for the
 * survey of the path's id; MP_ENOTFOUND unless it is flagged.
 */
static enum mp_err
followup_set(struct mp_req *r)
{
	const struct mp_value	*note = mp_req_val(r, "note");
	const struct mp_value	*done = mp_req_val(r, "done");
	struct mp_res		*res;
	const char		*p[4];

	p[0] = mp_req_cap(r, "id")->s;
	p[1] = note->present ? note->s : NULL;
	p[2] = done->present && done->i ? "true" : "false";
	p[3] = r->user->id_text;
	return mp_q_one(&r->ctx, &stmts[ST_FOLLOWUP_SET], 4, p, &res,
	    "There is no follow-up for this survey.");
}

/* POST /api/surveys/admin/{id}/followup: note, done; 200 with it. */
enum mp_err
mp_surveys_api_followup(struct mp_req *r, struct mp_resp *w)
{
	struct json_object	*o, *f = NULL;
	struct mp_res		*res;
	int			 i;
	enum mp_err		 rc;

	if ((rc = followup_set(r)) != MP_OK)
		return rc;
	if ((rc = followups(r, "all", &res)) != MP_OK)
		return rc;
	for (i = 0; i < mp_res_rows(res); i++)
		if (strcmp(mp_res_by(res, i, "id"), mp_req_cap(r, "id")->s) ==
		    0)
			f = mp_row_json(res, i, row_cols);
	o = json_object_new_object();
	mp_json_own(r->ctx.a, o);
	json_object_object_add(o, "followup", f);
	return mp_resp_json(r, w, 200, o);
}

/* POST /staff/surveys/{id}/followup: the queue's form; 303 back to it. */
enum mp_err
mp_surveys_staff_followup(struct mp_req *r, struct mp_resp *w)
{
	enum mp_err	 rc;

	if ((rc = followup_set(r)) != MP_OK)
		return rc;
	return mp_resp_redirect(w, 303,
	    "/staff/surveys?saved=followup#followups");
}

/* ---------------------------------------------------------- settings */

static enum mp_err
settings_json(struct mp_req *r, struct mp_resp *w)
{
	struct json_object	*o, *q, *e;
	struct mp_res		*s, *res;
	int			 i;
	enum mp_err		 rc;

	if ((rc = mp_q(&r->ctx, &stmts[ST_SETTINGS], 0, NULL, &s)) != MP_OK ||
	    (rc = mp_q(&r->ctx, &stmts[ST_QUESTIONS], 0, NULL, &res)) != MP_OK)
		return rc;
	o = mp_row_json(s, 0, NULL);
	mp_json_own(r->ctx.a, o);
	q = json_object_new_object();
	for (i = 0; i < mp_res_rows(res); i++) {
		e = mp_row_json(res, i, NULL);
		json_object_object_del(e, "type");
		json_object_object_add(q, mp_res_get(res, i, 0), e);
	}
	json_object_object_add(o, "questions", q);
	return mp_resp_json(r, w, 200, o);
}

/* GET /api/surveys/admin/settings: delay, quarterly NPS, the questions. */
enum mp_err
mp_surveys_api_settings(struct mp_req *r, struct mp_resp *w)
{
	return settings_json(r, w);
}

/* PUT /api/surveys/admin/settings: csat_delay (seconds), nps_quarterly. */
enum mp_err
mp_surveys_api_settings_put(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*d = mp_req_val(r, "csat_delay");
	const struct mp_value	*q = mp_req_val(r, "nps_quarterly");
	const char		*p[2];
	enum mp_err		 rc;

	p[0] = d->present ? mp_printf(r->ctx.a, "%lld", (long long)d->i) :
	    NULL;
	p[1] = q->present ? (q->i ? "true" : "false") : NULL;
	if ((rc = mp_q(&r->ctx, &stmts[ST_SETTINGS_PUT], 2, p, NULL)) != MP_OK)
		return rc;
	return settings_json(r, w);
}

/*
 * PUT /api/surveys/admin/questions/{type}: the tenant's wording of type
 * (question, 1-300 characters) and for product and onboarding the scale
 * (scale_min 0 or 1, scale_max 3-10).  CSAT types stay 1-5, NPS 0-10.
 */
enum mp_err
mp_surveys_api_question_put(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*t = mp_req_cap(r, "type");
	const struct mp_value	*q = mp_req_val(r, "question");
	const struct mp_value	*lo = mp_req_val(r, "scale_min");
	const struct mp_value	*hi = mp_req_val(r, "scale_max");
	const char		*p[4];
	size_t			 k;
	int			 fixed;
	enum mp_err		 rc;

	for (k = 0; types[k] != NULL; k++)
		if (strcmp(types[k], t->s) == 0)
			break;
	if (types[k] == NULL)
		return mp_req_fail(r, MP_ENOTFOUND, NULL,
		    "There is no such survey type.");
	fixed = strcmp(t->s, "product") != 0 && strcmp(t->s, "onboarding") != 0;
	if (fixed && (lo->present || hi->present))
		return mp_req_fail(r, MP_EINPUT, lo->present ? "scale_min" :
		    "scale_max", "The scale of this type cannot change "
		    "(CSAT 1-5, NPS 0-10).");
	p[0] = t->s;
	p[1] = q->s;
	p[2] = lo->present ? mp_printf(r->ctx.a, "%lld", (long long)lo->i) :
	    NULL;
	p[3] = hi->present ? mp_printf(r->ctx.a, "%lld", (long long)hi->i) :
	    NULL;
	if ((rc = mp_q(&r->ctx, &stmts[ST_QUESTION_PUT], 4, p, NULL)) != MP_OK)
		return rc;
	return settings_json(r, w);
}

/*
 * POST /staff/surveys/settings (admins): the delay in hours, quarterly
 * NPS, and each type's question (empty: the default wording).
 */
enum mp_err
mp_surveys_staff_settings(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*h = mp_req_val(r, "csat_delay_hours");
	const struct mp_value	*q = mp_req_val(r, "nps_quarterly");
	const struct mp_value	*qv;
	const char		*p[4];
	size_t			 k;
	enum mp_err		 rc;

	p[0] = mp_printf(r->ctx.a, "%lld", (long long)h->i * 3600);
	p[1] = q->present && q->i ? "true" : "false";
	if ((rc = mp_q(&r->ctx, &stmts[ST_SETTINGS_PUT], 2, p, NULL)) != MP_OK)
		return rc;
	for (k = 0; types[k] != NULL; k++) {
		qv = mp_req_val(r, mp_printf(r->ctx.a, "q_%s", types[k]));
		p[0] = types[k];
		if (!qv->present || *qv->s == '\0') {
			rc = mp_q(&r->ctx, &stmts[ST_QUESTION_DEL], 1, p,
			    NULL);
		} else {
			p[1] = qv->s;
			p[2] = NULL;
			p[3] = NULL;
			rc = mp_q(&r->ctx, &stmts[ST_QUESTION_PUT], 4, p,
			    NULL);
		}
		if (rc != MP_OK)
			return rc;
	}
	return mp_resp_redirect(w, 303,
	    "/staff/surveys?saved=settings#settings");
}

/* ---------------------------------------------------------- the page */

/*
 * GET /staff/surveys?days=365&page=1: headline metrics, three charts with
 * n beside each bar, the follow-up queue with its forms, the answers with
 * comments (50 a page), the export form and, for admins, the settings.
 */
enum mp_err
mp_surveys_staff(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*dv = mp_req_val(r, "days");
	const struct mp_value	*pv = mp_req_val(r, "page");
	const struct mp_value	*sv = mp_req_val(r, "saved");
	int			 days = dv->present ? (int)dv->i : 365;
	int			 page = pv->present ? (int)pv->i : 1;
	struct mp_res		*res, *s;
	const char		*p[6];
	int64_t			 total;
	HDF			*hdf = mp_hdf(r);
	enum mp_err		 rc;

	mp_hdf_set(hdf, "Page.Title", "Surveys");
	mp_hdf_set(hdf, "Page.NoIndex", "1");
	mp_hdf_set(hdf, "Page.Links.0.Rel", "stylesheet");
	mp_hdf_set(hdf, "Page.Links.0.Href", "/static/css/surveys.css");
	mp_hdf_csrf(r, hdf);
	mp_hdf_setf(hdf, "Surveys.Days", "%d", days);
	if (sv->present)
		mp_hdf_set(hdf, "Surveys.Saved", sv->s);
	if ((rc = page_metrics(r, hdf, days)) != MP_OK)
		return rc;
	if ((rc = followups(r, "open", &res)) != MP_OK)
		return rc;
	mp_rows_hdf(hdf, "Surveys.Followups", res, page_cols);
	mp_hdf_setf(hdf, "Surveys.FollowupCount", "%d", mp_res_rows(res));
	p[0] = "";
	p[1] = "answered";
	p[2] = "";
	p[3] = "";
	p[4] = "50";
	p[5] = mp_printf(r->ctx.a, "%d", (page - 1) * 50);
	if ((rc = mp_q(&r->ctx, &stmts[ST_LIST], 6, p, &res)) != MP_OK)
		return rc;
	mp_rows_hdf(hdf, "Surveys.Answers", res, page_cols);
	total = mp_res_rows(res) ? mp_res_int_by(res, 0, "total") : 0;
	mp_hdf_setf(hdf, "Surveys.AnswerTotal", "%lld", (long long)total);
	mp_hdf_setf(hdf, "Surveys.Page", "%d", page);
	if (page > 1)
		mp_hdf_setf(hdf, "Surveys.Prev", "%d", page - 1);
	if ((int64_t)page * 50 < total)
		mp_hdf_setf(hdf, "Surveys.Next", "%d", page + 1);
	if (r->user->role >= MP_ROLE_ADMIN) {
		if ((rc = mp_q(&r->ctx, &stmts[ST_SETTINGS], 0, NULL, &s)) !=
		    MP_OK ||
		    (rc = mp_q(&r->ctx, &stmts[ST_QUESTIONS], 0, NULL, &res)) !=
		    MP_OK)
			return rc;
		mp_hdf_setf(hdf, "Surveys.Settings.DelayHours", "%lld",
		    (long long)(mp_res_int(s, 0, 0) / 3600));
		if (mp_res_bool(s, 0, 1))
			mp_hdf_set(hdf, "Surveys.Settings.NpsQuarterly", "1");
		for (int i = 0; i < mp_res_rows(res); i++) {
			const char *t = mp_res_get(res, i, 0);

			mp_hdf_set(hdf, mp_printf(r->ctx.a,
			    "Surveys.Settings.Q.%d.Type", i), t);
			mp_hdf_set(hdf, mp_printf(r->ctx.a,
			    "Surveys.Settings.Q.%d.Question", i),
			    mp_res_bool(res, i, 4) ? mp_res_get(res, i, 1) :
			    "");
			mp_hdf_set(hdf, mp_printf(r->ctx.a,
			    "Surveys.Settings.Q.%d.Default", i),
			    mp_res_get(res, i, 1));
		}
	}
	return mp_render(r, w, 200, "surveys/staff.cs", hdf);
}

/* ---------------------------------------------------------- export */

/* One CSV cell: quoted, quotes doubled, and a leading =, +, - or @ defused. */
static void
csv_cell(struct mp_buf *b, const char *s, int last)
{
	mp_buf_putc(b, '"');
	if (*s == '=' || *s == '+' || *s == '-' || *s == '@' || *s == '\t' ||
	    *s == '\r')
		mp_buf_putc(b, '\'');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			mp_buf_putc(b, '"');
		mp_buf_putc(b, *s);
	}
	mp_buf_putc(b, '"');
	mp_buf_puts(b, last ? "\r\n" : ",");
}

/*
 * GET /staff/surveys/export.csv?from=YYYY-MM-DD&to=YYYY-MM-DD: the
 * surveys sent in that range (both days included), answered or not, as
 * CSV.  from and to are required; at most 100,000 rows (413 past it).
 */
enum mp_err
mp_surveys_export(struct mp_req *r, struct mp_resp *w)
{
	static const char *const head[] = { "id", "type", "email",
	    "reference", "campaign", "sent_at", "responded_at", "score",
	    "scale_min", "scale_max", "comment", "followup", "followup_note" };
	struct mp_res	*res;
	const char	*p[2];
	int		 i, k, nc = (int)MP_NELEM(head);
	enum mp_err	 rc;

	p[0] = date_field(r, "from");
	p[1] = date_field(r, "to");
	if (*p[0] == '\0')
		return mp_req_fail(r, MP_EINPUT, "from",
		    "from is required (YYYY-MM-DD).");
	if (*p[1] == '\0')
		return mp_req_fail(r, MP_EINPUT, "to",
		    "to is required (YYYY-MM-DD).");
	if (strcmp(p[0], p[1]) > 0)
		return mp_req_fail(r, MP_EINPUT, "to",
		    "to must not be before from.");
	if ((rc = mp_q(&r->ctx, &stmts[ST_EXPORT], 2, p, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) > 100000)
		return mp_req_fail(r, MP_ELIMIT, "to",
		    "More than 100,000 surveys: export a shorter range.");
	w->status = 200;
	w->ctype = "text/csv; charset=utf-8";
	mp_resp_header(w, "Content-Disposition", mp_printf(r->ctx.a,
	    "attachment; filename=\"surveys-%s-to-%s.csv\"", p[0], p[1]));
	mp_buf_reset(&w->body);
	for (k = 0; k < nc; k++)
		csv_cell(&w->body, head[k], k == nc - 1);
	for (i = 0; i < mp_res_rows(res); i++)
		for (k = 0; k < nc; k++)
			csv_cell(&w->body, mp_res_get(res, i, k),
			    k == nc - 1);
	return MP_OK;
}
