/* Staff reading of the audit log: filtered list, one entry, stats, streamed export and the chain check. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>
#include <json-c/json.h>

#include "features/audit/extern.h"

#define LEVELS	"ARRAY['debug','info','notice','warning','error','critical']"
#define ZERO32	"'\\x0000000000000000000000000000000000000000000000000000000000000000'::bytea"

/* Columns of a listed or exported entry, by the names the JSON uses. */
#define ENTRY_COLS \
	"a.seq AS id, to_char(a.created_at AT TIME ZONE 'UTC'," \
	" 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS at, a.actor_email," \
	" a.actor_role, s.email AS subject_email, a.action," \
	" a.resource_type, a.resource_id, a.outcome, a.status, a.severity," \
	" a.method, a.route, a.changes, host(a.ip) AS ip, a.user_agent," \
	" a.request_id, a.gdpr, a.pci, encode(a.row_hash, 'hex') AS row_hash"
#define ENTRY_FROM \
	" FROM audit_logs a LEFT JOIN users s ON s.tenant_id = a.tenant_id" \
	" AND s.id = a.subject_user_id"

/*
 * The filters, $1..$8: user (email: entries by or about them), action,
 * resource type, resource id, least severity (1..6), outcome, from,
 * to (times, to exclusive).
 */
#define FILTERS \
	" WHERE ($1::text IS NULL OR a.user_id = (SELECT id FROM users" \
	" WHERE email = lower($1)) OR a.subject_user_id = (SELECT id FROM" \
	" users WHERE email = lower($1)))" \
	" AND ($2::text IS NULL OR a.action = $2)" \
	" AND ($3::text IS NULL OR a.resource_type = $3)" \
	" AND ($4::text IS NULL OR a.resource_id = $4)" \
	" AND ($5::int IS NULL OR array_position(" LEVELS ", a.severity)" \
	" >= $5::int)" \
	" AND ($6::text IS NULL OR a.outcome = $6)" \
	" AND ($7::timestamptz IS NULL OR a.created_at >= $7::timestamptz)" \
	" AND ($8::timestamptz IS NULL OR a.created_at < $8::timestamptz)"

enum {
	RD_LIST,
	RD_COUNT,
	RD_ONE,
	RD_STATS,
	RD_BY_ACTION,
	RD_BY_OUTCOME,
	RD_BY_SEVERITY,
	RD_PER_DAY,
	RD_EXPORT,
	RD_EXPORT_FIRST,
	RD_EXPORT_LAST,
	RD_VERIFY,
	RD_CHECKPOINT,
	RD__MAX
};

static const struct mp_stmt stmts[] = {
	/* Newest first; $9 the cursor (entries before that seq), $10 limit. */
	[RD_LIST] = { "audit_list",
	    "SELECT " ENTRY_COLS ENTRY_FROM FILTERS
	    " AND ($9::bigint IS NULL OR a.seq < $9::bigint)"
	    " ORDER BY a.seq DESC LIMIT $10::int", MP_STMT_READ },
	[RD_COUNT] = { "audit_count",
	    "SELECT count(*) FROM audit_logs a" FILTERS, MP_STMT_READ },
	[RD_ONE] = { "audit_one",
	    "SELECT " ENTRY_COLS ", encode(a.prev_hash, 'hex') AS prev_hash"
	    ENTRY_FROM " WHERE a.seq = $1::bigint", MP_STMT_READ },
	[RD_STATS] = { "audit_stats",
	    "SELECT count(*) AS total,"
	    " count(*) FILTER (WHERE outcome <> 'success') AS refused,"
	    " count(DISTINCT user_id) AS actors FROM audit_logs"
	    " WHERE created_at >= current_date - ($1::int - 1)",
	    MP_STMT_READ },
	[RD_BY_ACTION] = { "audit_by_action",
	    "SELECT action, count(*) FROM audit_logs"
	    " WHERE created_at >= current_date - ($1::int - 1)"
	    " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 100", MP_STMT_READ },
	[RD_BY_OUTCOME] = { "audit_by_outcome",
	    "SELECT o, count(a.seq) FROM unnest(ARRAY['success','denied',"
	    "'failed']) o LEFT JOIN audit_logs a ON a.outcome = o"
	    " AND a.created_at >= current_date - ($1::int - 1)"
	    " GROUP BY o ORDER BY o", MP_STMT_READ },
	[RD_BY_SEVERITY] = { "audit_by_severity",
	    "SELECT v, count(a.seq) FROM unnest(" LEVELS ") v"
	    " LEFT JOIN audit_logs a ON a.severity = v"
	    " AND a.created_at >= current_date - ($1::int - 1)"
	    " GROUP BY v ORDER BY v", MP_STMT_READ },
	[RD_PER_DAY] = { "audit_per_day",
	    "SELECT to_char(d, 'YYYY-MM-DD'), count(a.seq)"
	    " FROM generate_series(current_date - ($1::int - 1), current_date,"
	    " interval '1 day') d LEFT JOIN audit_logs a"
	    " ON a.created_at >= d AND a.created_at < d + interval '1 day'"
	    " GROUP BY d ORDER BY d", MP_STMT_READ },
	/*
	 * One batch of an export: the entries of seq ($1, min($2, $1 + $3)],
	 * oldest first.  Each batch is its own statement, so no snapshot or
	 * cursor is held between batches and memory is one batch's; the seq
	 * window bounds a batch's work whatever plan is chosen.  A date range
	 * becomes a seq range first (the two below): created_at is taken
	 * under the chain lock, so it grows with seq.
	 */
	[RD_EXPORT] = { "audit_export",
	    "SELECT " ENTRY_COLS ENTRY_FROM
	    " WHERE a.seq > $1::bigint"
	    " AND a.seq <= least($2::bigint, $1::bigint + $3::int)"
	    " ORDER BY a.seq", MP_STMT_READ },
	[RD_EXPORT_FIRST] = { "audit_export_first",
	    "SELECT seq - 1 FROM audit_logs WHERE created_at >= $1::timestamptz"
	    " ORDER BY created_at LIMIT 1", MP_STMT_READ },
	[RD_EXPORT_LAST] = { "audit_export_last",
	    "SELECT seq FROM audit_logs WHERE created_at < $1::timestamptz"
	    " ORDER BY created_at DESC LIMIT 1", MP_STMT_READ },
	/*
	 * The chain walk: every row's hash recomputed from its canonical
	 * form and its stored prev_hash; the link to the row before checked
	 * where there is no gap (a gap is reported as a gap).
	 */
	[RD_VERIFY] = { "audit_verify",
	    "WITH w AS (SELECT seq, row_hash,"
	    " row_hash = sha256(prev_hash || audit_canonical(a)) AS hash_ok,"
	    " prev_hash = coalesce(lag(row_hash) OVER o, " ZERO32 ") AS link_ok,"
	    " coalesce(lag(seq) OVER o, 0) AS pseq"
	    " FROM audit_logs a WINDOW o AS (ORDER BY seq)),"
	    " bad AS (SELECT seq FROM w WHERE NOT hash_ok"
	    " OR (seq = pseq + 1 AND NOT link_ok)),"
	    " gaps AS (SELECT pseq + 1 AS f, seq - 1 AS t FROM w"
	    " WHERE seq <> pseq + 1)"
	    " SELECT (SELECT count(*) FROM w) AS entries,"
	    " (SELECT coalesce(max(seq), 0) FROM w) AS head_seq,"
	    " (SELECT encode(row_hash, 'hex') FROM w ORDER BY seq DESC"
	    " LIMIT 1) AS head_hash,"
	    " (SELECT coalesce(min(seq), 0) FROM bad) AS first_break,"
	    " (SELECT count(*) FROM bad) AS breaks,"
	    " (SELECT count(*) FROM gaps) AS ngaps,"
	    " (SELECT string_agg(f || '-' || t, ',' ORDER BY f) FROM"
	    " (SELECT f, t FROM gaps ORDER BY f LIMIT 16) g) AS gaps",
	    MP_STMT_READ },
	/* The newest checkpoint, and whether its row still has its hash. */
	[RD_CHECKPOINT] = { "audit_checkpoint_check",
	    "SELECT c.seq, coalesce(a.row_hash = c.head_hash, false),"
	    " to_char(c.created_at AT TIME ZONE 'UTC',"
	    " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), c.key_id"
	    " FROM audit_checkpoints c LEFT JOIN audit_logs a"
	    " ON a.tenant_id = c.tenant_id AND a.seq = c.seq"
	    " ORDER BY c.id DESC LIMIT 1", MP_STMT_READ },
};

_Static_assert(MP_NELEM(stmts) == RD__MAX, "read statements and enum differ");

MP_STMT_TABLE(mp_audit_read_st, stmts);

static const char *const levels[] = {
	"debug", "info", "notice", "warning", "error", "critical", NULL
};

static const char *
val(const struct mp_req *r, const char *name)
{
	const struct mp_value	*v = mp_req_val(r, name);

	return v != NULL && v->present ? mp_strndup(r->ctx.a, v->s, v->len) :
	    NULL;
}

/*
 * The filter parameters $1..$8 from the request's declared fields.
 * "resource" is "type" or "type:id".  Dates (the page's) cover whole
 * days: to is inclusive.
 */
static void
filters(struct mp_req *r, const char *p[8])
{
	const struct mp_value	*v;
	const char		*res, *colon;
	int			 i;

	for (i = 0; i < 8; i++)
		p[i] = NULL;
	p[0] = val(r, "user");
	p[1] = val(r, "action");
	if ((res = val(r, "resource")) != NULL) {
		if ((colon = strchr(res, ':')) != NULL) {
			p[2] = mp_strndup(r->ctx.a, res, (size_t)(colon - res));
			p[3] = colon + 1;
		} else
			p[2] = res;
	}
	if ((v = mp_req_val(r, "severity")) != NULL && v->present)
		p[4] = mp_printf(r->ctx.a, "%d", (int)v->i + 1);
	p[5] = val(r, "outcome");
	if ((v = mp_req_val(r, "from")) != NULL && v->present)
		p[6] = mp_time_utc(r->ctx.a, v->i);
	if ((v = mp_req_val(r, "to")) != NULL && v->present)
		p[7] = mp_time_utc(r->ctx.a, v->i +
		    (v->type == MP_V_DATE ? 86400 : 0));
}

/* GET /api/admin/audit: filtered, newest first, cursor paging. */
enum mp_err
mp_audit_api_list(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*lim = mp_req_val(r, "limit");
	const char		*p[10];
	struct mp_res		*res, *cnt;
	struct json_object	*o, *list;
	int64_t			 n = lim->present ? lim->i : 50;
	int			 rows;
	enum mp_err		 rc;

	filters(r, p);
	p[8] = val(r, "cursor");
	p[9] = mp_printf(r->ctx.a, "%lld", (long long)n);
	if ((rc = mp_q(&r->ctx, &stmts[RD_LIST], 10, p, &res)) != MP_OK ||
	    (rc = mp_q(&r->ctx, &stmts[RD_COUNT], 8, p, &cnt)) != MP_OK)
		return rc;
	rows = mp_res_rows(res);
	list = mp_rows_json(res, NULL);
	o = json_object_new_object();
	json_object_object_add(o, "entries", list);
	json_object_object_add(o, "total",
	    json_object_new_int64(mp_res_int(cnt, 0, 0)));
	json_object_object_add(o, "next_cursor", rows == n && rows > 0 ?
	    json_object_new_string(mp_res_by(res, rows - 1, "id")) : NULL);
	mp_resp_json(r, w, 200, o);
	json_object_put(o);
	return MP_OK;
}

static struct json_object *
counts(struct mp_res *res)
{
	struct json_object	*o = json_object_new_object();
	int			 i;

	for (i = 0; i < mp_res_rows(res); i++)
		json_object_object_add(o, mp_res_get(res, i, 0),
		    json_object_new_int64(mp_res_int(res, i, 1)));
	return o;
}

/* GET /api/admin/audit/stats?days=30: totals of the last days days. */
enum mp_err
mp_audit_api_stats(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*d = mp_req_val(r, "days");
	struct mp_res		*t, *a, *o, *s, *p;
	struct json_object	*j;
	const char		*q[1];
	enum mp_err		 rc;

	q[0] = mp_printf(r->ctx.a, "%lld", (long long)(d->present ? d->i : 30));
	if ((rc = mp_q(&r->ctx, &stmts[RD_STATS], 1, q, &t)) != MP_OK ||
	    (rc = mp_q(&r->ctx, &stmts[RD_BY_ACTION], 1, q, &a)) != MP_OK ||
	    (rc = mp_q(&r->ctx, &stmts[RD_BY_OUTCOME], 1, q, &o)) != MP_OK ||
	    (rc = mp_q(&r->ctx, &stmts[RD_BY_SEVERITY], 1, q, &s)) != MP_OK ||
	    (rc = mp_q(&r->ctx, &stmts[RD_PER_DAY], 1, q, &p)) != MP_OK)
		return rc;
	j = mp_row_json(t, 0, NULL);
	json_object_object_add(j, "days", json_object_new_int64(
	    d->present ? d->i : 30));
	json_object_object_add(j, "by_action", counts(a));
	json_object_object_add(j, "by_outcome", counts(o));
	json_object_object_add(j, "by_severity", counts(s));
	json_object_object_add(j, "per_day", counts(p));
	mp_resp_json(r, w, 200, j);
	json_object_put(j);
	return MP_OK;
}

/*
 * One CSV field: quoted when it holds a comma, quote or line break; a
 * text that a spreadsheet would run as a formula gets a leading quote.
 */
static void
csv_field(struct mp_buf *b, const char *s, int text)
{
	const char	*p;

	if (s == NULL)
		return;
	if (text && strpbrk(s, ",\"\r\n") == NULL && strchr("=+-@\t\r",
	    s[0]) == NULL) {
		mp_buf_puts(b, s);
		return;
	}
	if (!text) {
		mp_buf_puts(b, s);
		return;
	}
	mp_buf_putc(b, '"');
	if (strchr("=+-@\t\r", s[0]) != NULL && s[0] != '\0')
		mp_buf_putc(b, '\'');
	for (p = s; *p != '\0'; p++) {
		if (*p == '"')
			mp_buf_putc(b, '"');
		mp_buf_putc(b, *p);
	}
	mp_buf_putc(b, '"');
}

static void
csv_row(struct mp_buf *b, const struct mp_res *res, int row)
{
	int	 c, n = mp_res_ncols(res);

	for (c = 0; c < n; c++) {
		if (c > 0)
			mp_buf_putc(b, ',');
		csv_field(b, mp_res_get(res, row, c),
		    mp_res_colkind(res, c) == MP_COL_TEXT ||
		    mp_res_colkind(res, c) == MP_COL_JSON);
	}
	mp_buf_puts(b, "\r\n");
}

/*
 * GET /api/admin/audit/export?format=csv|json&from=&to= (dates, to
 * inclusive; default: everything).  Streamed: headers first, then one
 * keyset batch at a time, each written out before the next is read, so
 * memory stays one batch's however many entries the range holds.  Once
 * streaming has begun an error can only end the body early (logged).
 */
enum mp_err
mp_audit_api_export(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*fmt = mp_req_val(r, "format");
	const struct mp_value	*from = mp_req_val(r, "from");
	const struct mp_value	*to = mp_req_val(r, "to");
	int			 json = fmt->present && fmt->i == 1;
	struct mp_arena		*ba;
	struct mp_ctx		 bc;
	struct mp_res		*res, *lo, *hi;
	const char		*p[3], *q[1];
	int64_t			 after, last, total = 0;
	int			 i, n, first = 1, batch;
	enum mp_err		 rc = MP_OK;

	batch = mp_audit_conf(r->ctx.cfg)->audit_export_batch;
	q[0] = from->present ? mp_time_utc(r->ctx.a, from->i) : "-infinity";
	if ((rc = mp_tenant_fill(&r->ctx)) != MP_OK ||
	    (rc = mp_q(&r->ctx, &stmts[RD_EXPORT_FIRST], 1, q, &lo)) != MP_OK)
		return rc;
	q[0] = to->present ? mp_time_utc(r->ctx.a, to->i + 86400) : "infinity";
	if ((rc = mp_q(&r->ctx, &stmts[RD_EXPORT_LAST], 1, q, &hi)) != MP_OK)
		return rc;
	/* Nothing in the range: an empty export, not an error. */
	after = mp_res_rows(lo) ? mp_res_int(lo, 0, 0) : 0;
	last = mp_res_rows(lo) && mp_res_rows(hi) ? mp_res_int(hi, 0, 0) : 0;
	p[1] = mp_printf(r->ctx.a, "%lld", (long long)last);
	p[2] = mp_printf(r->ctx.a, "%d", batch);
	w->status = 200;
	w->ctype = json ? "application/json" : "text/csv; charset=utf-8";
	mp_resp_header(w, "Content-Disposition", mp_printf(r->ctx.a,
	    "attachment; filename=\"audit-%s.%s\"", r->ctx.tenant->slug,
	    json ? "json" : "csv"));
	mp_resp_header(w, "Cache-Control", "no-store");
	mp_resp_stream_begin(r, w);
	if (json)
		mp_buf_puts(&w->body, "[");
	else
		mp_buf_puts(&w->body, "id,at,actor_email,actor_role,"
		    "subject_email,action,resource_type,resource_id,outcome,"
		    "status,severity,method,route,changes,ip,user_agent,"
		    "request_id,gdpr,pci,row_hash\r\n");
	ba = mp_arena_new(0);
	bc = r->ctx;
	bc.a = ba;
	while (after < last) {
		mp_arena_reset(ba);
		p[0] = mp_printf(ba, "%lld", (long long)after);
		if ((rc = mp_q(&bc, &stmts[RD_EXPORT], 3, p, &res)) != MP_OK) {
			mp_error("audit export of %s stopped after %lld "
			    "entries", r->ctx.tenant->slug, (long long)total);
			break;
		}
		n = mp_res_rows(res);
		for (i = 0; i < n; i++) {
			if (json) {
				struct json_object *o = mp_row_json(res, i, NULL);

				mp_buf_puts(&w->body, first ? "\n" : ",\n");
				mp_buf_puts(&w->body,
				    json_object_to_json_string_ext(o,
				    JSON_C_TO_STRING_PLAIN |
				    JSON_C_TO_STRING_NOSLASHESCAPE));
				json_object_put(o);
			} else
				csv_row(&w->body, res, i);
			first = 0;
		}
		total += n;
		after += batch;
		mp_resp_stream_flush(r, w);
	}
	mp_arena_free(ba);
	if (rc == MP_OK && json)
		mp_buf_puts(&w->body, "\n]\n");
	mp_resp_stream_flush(r, w);
	return MP_OK;
}

enum mp_err
mp_audit_verify(struct mp_ctx *c, struct mp_audit_check *k)
{
	struct mp_res	*res, *cp;
	const char	*g, *s;
	char		*e;
	enum mp_err	 rc;
	int		 i = 0;

	memset(k, 0, sizeof(*k));
	if ((rc = mp_q(c, &stmts[RD_VERIFY], 0, NULL, &res)) != MP_OK ||
	    (rc = mp_q(c, &stmts[RD_CHECKPOINT], 0, NULL, &cp)) != MP_OK)
		return rc;
	k->entries = mp_res_int_by(res, 0, "entries");
	k->head_seq = mp_res_int_by(res, 0, "head_seq");
	if ((s = mp_res_by(res, 0, "head_hash")) != NULL)
		k->head_hash = mp_strdup(c->a, s);
	k->first_break = mp_res_int_by(res, 0, "first_break");
	k->breaks = mp_res_int_by(res, 0, "breaks");
	k->ngaps = mp_res_int_by(res, 0, "ngaps");
	for (g = mp_res_by(res, 0, "gaps"); g != NULL && *g != '\0' &&
	    i < 16; i++) {
		k->gap_from[i] = strtoll(g, &e, 10);
		k->gap_to[i] = *e == '-' ? strtoll(e + 1, &e, 10) :
		    k->gap_from[i];
		g = *e == ',' ? e + 1 : e;
	}
	k->checkpoint_ok = 1;
	if (mp_res_rows(cp) == 1) {
		k->checkpoint_seq = mp_res_int(cp, 0, 0);
		k->checkpoint_ok = mp_res_bool(cp, 0, 1);
	}
	k->ok = k->breaks == 0 && k->ngaps == 0 && k->checkpoint_ok;
	return MP_OK;
}

struct json_object *
mp_audit_check_json(const struct mp_audit_check *k)
{
	struct json_object	*o = json_object_new_object(), *gaps, *g;
	int64_t			 i;

	json_object_object_add(o, "ok", json_object_new_boolean(k->ok));
	json_object_object_add(o, "entries", json_object_new_int64(k->entries));
	json_object_object_add(o, "head_seq",
	    json_object_new_int64(k->head_seq));
	json_object_object_add(o, "head_hash", k->head_hash ?
	    json_object_new_string(k->head_hash) : NULL);
	json_object_object_add(o, "first_break", k->first_break ?
	    json_object_new_int64(k->first_break) : NULL);
	json_object_object_add(o, "breaks", json_object_new_int64(k->breaks));
	gaps = json_object_new_array();
	for (i = 0; i < k->ngaps && i < 16; i++) {
		g = json_object_new_object();
		json_object_object_add(g, "from",
		    json_object_new_int64(k->gap_from[i]));
		json_object_object_add(g, "to",
		    json_object_new_int64(k->gap_to[i]));
		json_object_array_add(gaps, g);
	}
	json_object_object_add(o, "gaps", gaps);
	json_object_object_add(o, "gap_count", json_object_new_int64(k->ngaps));
	if (k->checkpoint_seq > 0) {
		g = json_object_new_object();
		json_object_object_add(g, "seq",
		    json_object_new_int64(k->checkpoint_seq));
		json_object_object_add(g, "matches",
		    json_object_new_boolean(k->checkpoint_ok));
		json_object_object_add(o, "checkpoint", g);
	} else
		json_object_object_add(o, "checkpoint", NULL);
	return o;
}

/* GET /api/admin/audit/verify */
enum mp_err
mp_audit_api_verify(struct mp_req *r, struct mp_resp *w)
{
	struct mp_audit_check	 k;
	struct json_object	*o;
	enum mp_err		 rc;

	if ((rc = mp_audit_verify(&r->ctx, &k)) != MP_OK)
		return rc;
	o = mp_audit_check_json(&k);
	mp_resp_json(r, w, 200, o);
	json_object_put(o);
	return MP_OK;
}

/* How the page names the columns of ENTRY_COLS. */
static const struct mp_col page_cols[] = {
	{ "id", "Id", MP_COL_TEXT },
	{ "at", "At", MP_COL_TEXT },
	{ "actor_email", "Actor", MP_COL_TEXT },
	{ "actor_role", "Role", MP_COL_TEXT },
	{ "subject_email", "Subject", MP_COL_TEXT },
	{ "action", "Action", MP_COL_TEXT },
	{ "resource_type", "ResourceType", MP_COL_TEXT },
	{ "resource_id", "ResourceId", MP_COL_TEXT },
	{ "outcome", "Outcome", MP_COL_TEXT },
	{ "status", "Status", MP_COL_TEXT },
	{ "severity", "Severity", MP_COL_TEXT },
	{ "method", "Method", MP_COL_TEXT },
	{ "route", "Route", MP_COL_TEXT },
	{ "ip", "Ip", MP_COL_TEXT },
	{ "user_agent", "UserAgent", MP_COL_TEXT },
	{ "request_id", "RequestId", MP_COL_TEXT },
	{ "changes", "Changes", MP_COL_TEXT },
	{ "row_hash", "Hash", MP_COL_TEXT },
	{ NULL, NULL, 0 }
};

/* The filter as the form shows it and as the pager and export links repeat it. */
static void
filter_hdf(struct mp_req *r, HDF *hdf)
{
	static const char *const names[] = { "user", "action", "resource",
	    "severity", "outcome", "from", "to", NULL };
	struct mp_buf	 q;
	const char	*v;
	int		 i;

	mp_buf_init(&q, 0);
	for (i = 0; names[i] != NULL; i++) {
		if ((v = val(r, names[i])) == NULL)
			continue;
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "Audit.Filter.%s",
		    names[i]), v);
		mp_buf_printf(&q, "&%s=%s", names[i], mp_url_encode(r->ctx.a,
		    v));
	}
	mp_hdf_set(hdf, "Audit.Query", q.len ? mp_buf_cstr(&q) : "");
	mp_hdf_set(hdf, "Audit.ExportRange", mp_printf(r->ctx.a, "%s%s%s%s",
	    val(r, "from") ? "&from=" : "", val(r, "from") ? val(r, "from") :
	    "", val(r, "to") ? "&to=" : "", val(r, "to") ? val(r, "to") : ""));
	mp_buf_free(&q);
}

/*
 * GET /admin/audit: the newest entries matching the filter, 50 a page,
 * the chain's state (walked on ?verify=1, the newest checkpoint always)
 * and export links for the filter's dates.
 */
enum mp_err
mp_audit_page(struct mp_req *r, struct mp_resp *w)
{
	HDF			*hdf = mp_hdf(r);
	const struct mp_value	*vf = mp_req_val(r, "verify");
	const char		*p[10];
	struct mp_res		*res, *cnt, *cp;
	struct mp_audit_check	 k;
	int			 rows, i;
	enum mp_err		 rc;

	filters(r, p);
	p[8] = val(r, "cursor");
	p[9] = "50";
	if ((rc = mp_q(&r->ctx, &stmts[RD_LIST], 10, p, &res)) != MP_OK ||
	    (rc = mp_q(&r->ctx, &stmts[RD_COUNT], 8, p, &cnt)) != MP_OK ||
	    (rc = mp_q(&r->ctx, &stmts[RD_CHECKPOINT], 0, NULL, &cp)) != MP_OK)
		return rc;
	mp_hdf_set(hdf, "Page.Title", "Audit log");
	filter_hdf(r, hdf);
	for (i = 0; levels[i] != NULL; i++)
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "Audit.Levels.%d", i),
		    levels[i]);
	rows = mp_res_rows(res);
	mp_rows_hdf(hdf, "Audit.List", res, page_cols);
	mp_hdf_set(hdf, "Audit.Total", mp_res_get(cnt, 0, 0));
	if (rows == 50)
		mp_hdf_set(hdf, "Audit.Next", mp_res_by(res, rows - 1, "id"));
	if (mp_res_rows(cp) == 1) {
		mp_hdf_set(hdf, "Audit.Checkpoint.Seq", mp_res_get(cp, 0, 0));
		mp_hdf_set(hdf, "Audit.Checkpoint.At", mp_res_get(cp, 0, 2));
		mp_hdf_set(hdf, "Audit.Checkpoint.Matches",
		    mp_res_bool(cp, 0, 1) ? "1" : "0");
	}
	if (vf != NULL && vf->present && vf->i) {
		if ((rc = mp_audit_verify(&r->ctx, &k)) != MP_OK)
			return rc;
		mp_hdf_set(hdf, "Audit.Verify.Done", "1");
		mp_hdf_set(hdf, "Audit.Verify.Ok", k.ok ? "1" : "0");
		mp_hdf_setf(hdf, "Audit.Verify.Entries", "%lld",
		    (long long)k.entries);
		mp_hdf_setf(hdf, "Audit.Verify.HeadSeq", "%lld",
		    (long long)k.head_seq);
		mp_hdf_set(hdf, "Audit.Verify.HeadHash", k.head_hash);
		if (k.first_break)
			mp_hdf_setf(hdf, "Audit.Verify.FirstBreak", "%lld",
			    (long long)k.first_break);
		mp_hdf_setf(hdf, "Audit.Verify.Gaps", "%lld",
		    (long long)k.ngaps);
	}
	return mp_render(r, w, 200, "audit/admin.cs", hdf);
}

/* GET /admin/audit/{seq:int}: one entry, every field, its hashes. */
enum mp_err
mp_audit_page_entry(struct mp_req *r, struct mp_resp *w)
{
	HDF			*hdf = mp_hdf(r);
	const struct mp_capture	*seq = mp_req_cap(r, "seq");
	struct json_object	*ch;
	struct mp_res		*res;
	const char		*p[1];
	enum mp_err		 rc;

	p[0] = mp_printf(r->ctx.a, "%lld", (long long)seq->i);
	if ((rc = mp_q_one(&r->ctx, &stmts[RD_ONE], 1, p, &res,
	    "There is no such audit entry.")) != MP_OK)
		return rc;
	mp_hdf_set(hdf, "Page.Title", mp_printf(r->ctx.a, "Audit entry %s",
	    p[0]));
	mp_row_hdf(hdf, "Audit.Entry", res, 0, page_cols);
	mp_hdf_set(hdf, "Audit.Entry.PrevHash", mp_res_by(res, 0,
	    "prev_hash"));
	/* The changes, indented for reading. */
	if ((ch = json_tokener_parse(mp_res_by(res, 0, "changes"))) != NULL) {
		mp_hdf_set(hdf, "Audit.Entry.Changes",
		    json_object_to_json_string_ext(ch,
		    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(ch);
	}
	return mp_render(r, w, 200, "audit/entry.cs", hdf);
}
