/* Help-center views, searches and clicks: counted in the responder, written in batches, kept for kb_stats_days. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "features/kb/extern.h"

/*
 * A page view used to cost an upsert, its WAL and a commit that waits:
 * more than the rest of the page.  Now each responder adds views,
 * searches and clicks up in memory and writes them with one statement
 * per table and tenant, after a response has gone out, at most
 * kb_count_flush seconds after the first count it holds (also when idle,
 * and when it leaves on QUIT, HUP or recycling).  A full table does not
 * lose a count: the request then writes it itself, as before.  A
 * responder stopped with TERM or killed loses at most its last
 * kb_count_flush seconds of counts.  Rows are written in key order, so
 * two responders sharing a slot never wait on each other in a cycle.
 */

#define VIEWS_MAX	512
#define SEARCHES_MAX	128
#define RETRY_MS	5000	/* after a failed write */

struct view {
	int64_t		 tenant;
	int64_t		 article;
	int		 day;		/* days since 1970-01-01, UTC */
	unsigned	 n;
};

struct search {
	int64_t		 tenant;
	int		 day;
	char		 q[MP_KB_QUERY_MAX + 1];
	unsigned	 n;		/* searches */
	unsigned	 clicks;
	long		 results;	/* of the latest search */
};

static struct view	 views[VIEWS_MAX];
static int		 nviews;
static struct search	 searches[SEARCHES_MAX];
static int		 nsearches;
static uint64_t		 due_ms;	/* 0: nothing held */

enum kbc_stmt {
	KBC_VIEWS,
	KBC_SEARCHES,
	KBC_VIEW,
	KBC_SEARCH,
	KBC_PRUNE_VIEWS,
	KBC_PRUNE_SEARCHES,
	KBC_PRUNE_CONTACTS,
	KBC_PRUNE_WORDS,
	KBC_VIEW_N,
	KBC_SEARCH_N,
	KBC_POPULAR,
	KBC_POPULAR_GONE,
	KBC__MAX
};

/*
 * $1..: parallel arrays.  Views of an article that has gone since are
 * dropped by the join (row-level security keeps it to the tenant).
 */
static const struct mp_stmt stmts[] = {
	[KBC_VIEWS] = { "kbc_views",
	    "INSERT INTO kb_views AS k (tenant_id, article_id, day, slot, views)"
	    " SELECT a.tenant_id, a.id, v.day, $4, v.n"
	    " FROM unnest($1::bigint[], $2::date[], $3::int[]) v(id, day, n)"
	    " JOIN kb_articles a ON a.tenant_id = mp_tenant() AND a.id = v.id"
	    " ON CONFLICT (tenant_id, article_id, day, slot)"
	    " DO UPDATE SET views = k.views + EXCLUDED.views", 0 },
	[KBC_SEARCHES] = { "kbc_searches",
	    "INSERT INTO kb_searches AS k (tenant_id, day, query, slot,"
	    " searches, results, clicks)"
	    " SELECT mp_tenant(), s.day, s.q, $6, s.n, s.res, s.clicks"
	    " FROM unnest($1::text[], $2::date[], $3::int[], $4::int[],"
	    " $5::int[]) s(q, day, n, res, clicks)"
	    " ON CONFLICT (tenant_id, day, query, slot) DO UPDATE"
	    " SET searches = k.searches + EXCLUDED.searches,"
	    " results = CASE WHEN EXCLUDED.searches > 0"
	    " THEN EXCLUDED.results ELSE k.results END,"
	    " clicks = k.clicks + EXCLUDED.clicks", 0 },
	/* One count written by the request itself (the tables are full). */
	[KBC_VIEW] = { "kbc_view",
	    "INSERT INTO kb_views AS k (tenant_id, article_id, day, slot, views)"
	    " VALUES (mp_tenant(), $1, $2, $3, 1)"
	    " ON CONFLICT (tenant_id, article_id, day, slot)"
	    " DO UPDATE SET views = k.views + 1", 0 },
	[KBC_SEARCH] = { "kbc_search",
	    "INSERT INTO kb_searches AS k (tenant_id, day, query, slot,"
	    " searches, results, clicks) VALUES (mp_tenant(), $2, $1, $5,"
	    " $3, $4, 1 - $3)"
	    " ON CONFLICT (tenant_id, day, query, slot) DO UPDATE"
	    " SET searches = k.searches + EXCLUDED.searches,"
	    " results = CASE WHEN EXCLUDED.searches > 0"
	    " THEN EXCLUDED.results ELSE k.results END,"
	    " clicks = k.clicks + EXCLUDED.clicks", 0 },
	[KBC_PRUNE_VIEWS] = { "kbc_prune_views",
	    "DELETE FROM kb_views WHERE day < current_date - $1::int", 0 },
	[KBC_PRUNE_SEARCHES] = { "kbc_prune_searches",
	    "DELETE FROM kb_searches WHERE day < current_date - $1::int", 0 },
	/*
	 * Counts of pages nginx answered from its cache (mp_kb_count_cached),
	 * on the UTC day like the responders' (today()).
	 */
	[KBC_VIEW_N] = { "kbc_view_n",
	    "INSERT INTO kb_views AS k (tenant_id, article_id, day, slot, views)"
	    " SELECT a.tenant_id, a.id, (now() AT TIME ZONE 'UTC')::date, 0, $2"
	    " FROM kb_articles a"
	    " WHERE a.tenant_id = mp_tenant() AND a.id = $1"
	    " ON CONFLICT (tenant_id, article_id, day, slot)"
	    " DO UPDATE SET views = k.views + EXCLUDED.views", 0 },
	[KBC_SEARCH_N] = { "kbc_search_n",
	    "INSERT INTO kb_searches AS k (tenant_id, day, query, slot,"
	    " searches, results, clicks) VALUES (mp_tenant(),"
	    " (now() AT TIME ZONE 'UTC')::date,"
	    " $1, 0, $2, $3, $4)"
	    " ON CONFLICT (tenant_id, day, query, slot) DO UPDATE"
	    " SET searches = k.searches + EXCLUDED.searches,"
	    " results = CASE WHEN EXCLUDED.searches > 0"
	    " THEN EXCLUDED.results ELSE k.results END,"
	    " clicks = k.clicks + EXCLUDED.clicks", 0 },
	/*
	 * The popular list's totals (kb_popular, migration 0028): views of
	 * the last 30 days per article, only the rows that changed written,
	 * in key order; then the articles with no view left in the window.
	 */
	[KBC_POPULAR] = { "kbc_popular",
	    "INSERT INTO kb_popular AS p (tenant_id, article_id, views)"
	    " SELECT mp_tenant(), article_id, sum(views) FROM kb_views"
	    " WHERE day > current_date - 30 GROUP BY article_id"
	    " HAVING sum(views) > 0 ORDER BY article_id"
	    " ON CONFLICT (tenant_id, article_id) DO UPDATE"
	    " SET views = EXCLUDED.views WHERE p.views <> EXCLUDED.views", 0 },
	[KBC_POPULAR_GONE] = { "kbc_popular_gone",
	    "DELETE FROM kb_popular p WHERE NOT EXISTS (SELECT 1 FROM kb_views v"
	    " WHERE v.tenant_id = p.tenant_id AND v.article_id = p.article_id"
	    " AND v.day > current_date - 30 AND v.views > 0)", 0 },
	/* Contact requests from failed searches older than $1 days. */
	[KBC_PRUNE_CONTACTS] = { "kbc_prune_contacts",
	    "DELETE FROM kb_contact_requests"
	    " WHERE created_at < now() - make_interval(days => $1::int)", 0 },
	/* "Did you mean" words no published article has any more. */
	[KBC_PRUNE_WORDS] = { "kbc_prune_words",
	    "WITH cur AS (SELECT DISTINCT w FROM kb_articles a,"
	    " unnest(tsvector_to_array(to_tsvector('kb_simple',"
	    " a.title || ' ' || a.body_text))) w WHERE a.status = 'published')"
	    " DELETE FROM kb_words k WHERE NOT EXISTS"
	    " (SELECT 1 FROM cur WHERE cur.w = k.word)", 0 },
};

_Static_assert(sizeof(stmts) / sizeof(stmts[0]) == KBC__MAX,
    "kb count statements and enum differ");

MP_STMT_TABLE(mp_kb_counts_st, stmts);

/* This responder's slot in the split rollup rows. */
static const char *
slot(void)
{
	static char	 s[4];

	if (s[0] == '\0')
		snprintf(s, sizeof(s), "%d", (int)(getpid() % 8));
	return s;
}

static int
today(void)
{
	return (int)(time(NULL) / 86400);
}

/* "YYYY-MM-DD" of a day number, into buf. */
static const char *
day_text(char *buf, size_t sz, int day)
{
	time_t		 t = (time_t)day * 86400;
	struct tm	 tm;

	gmtime_r(&t, &tm);
	strftime(buf, sz, "%Y-%m-%d", &tm);
	return buf;
}

/* The first count since the last write starts the clock. */
static void
held(struct mp_req *r)
{
	if (due_ms == 0)
		due_ms = mp_monotonic_ms() +
		    (uint64_t)mp_kb_conf(r->ctx.cfg)->kb_count_flush * 1000;
}

/*
 * What this response counted, as "v=ID", "s=QUERY&r=RESULTS" or
 * "c=QUERY" joined by "&": the page cache keeps it with a copy of the
 * page and hands it back (mp_kb_count_cached) each time nginx serves
 * that copy instead of this code.
 */
static void
count_tag(struct mp_req *r, const char *t)
{
	r->count_tag = r->count_tag == NULL ? t :
	    mp_printf(r->ctx.a, "%s&%s", r->count_tag, t);
}

enum mp_err
mp_kb_count_view(struct mp_req *r, const char *article_id)
{
	int64_t		 id = strtoll(article_id, NULL, 10);
	int		 d = today(), i;
	char		 dt[16];
	const char	*p[3];

	count_tag(r, mp_printf(r->ctx.a, "v=%" PRId64, id));

	for (i = 0; i < nviews; i++)
		if (views[i].article == id && views[i].tenant == r->ctx.tenant->id &&
		    views[i].day == d) {
			views[i].n++;
			return MP_OK;
		}
	if (nviews < VIEWS_MAX) {
		views[nviews].tenant = r->ctx.tenant->id;
		views[nviews].article = id;
		views[nviews].day = d;
		views[nviews].n = 1;
		nviews++;
		held(r);
		return MP_OK;
	}
	p[0] = article_id;
	p[1] = day_text(dt, sizeof(dt), d);
	p[2] = slot();
	return mp_q(&r->ctx, &stmts[KBC_VIEW], 3, p, NULL);
}

/* A search (searched 1) or a click on one of its results (0). */
static enum mp_err
count_search(struct mp_req *r, const char *q, int searched, long results)
{
	int		 d = today(), i;
	struct search	*s = NULL;
	char		 dt[16];
	const char	*p[5];

	if (*q == '\0' || strlen(q) > MP_KB_QUERY_MAX)
		return MP_OK;
	count_tag(r, searched ? mp_printf(r->ctx.a, "s=%s&r=%ld",
	    mp_url_encode(r->ctx.a, q), results) : mp_printf(r->ctx.a, "c=%s",
	    mp_url_encode(r->ctx.a, q)));
	for (i = 0; i < nsearches && s == NULL; i++)
		if (searches[i].tenant == r->ctx.tenant->id &&
		    searches[i].day == d && strcmp(searches[i].q, q) == 0)
			s = &searches[i];
	if (s == NULL && nsearches < SEARCHES_MAX) {
		s = &searches[nsearches++];
		memset(s, 0, sizeof(*s));
		s->tenant = r->ctx.tenant->id;
		s->day = d;
		memcpy(s->q, q, strlen(q) + 1);	/* fits: checked above */
		held(r);
	} else if (s == NULL) {
		p[0] = q;
		p[1] = day_text(dt, sizeof(dt), d);
		p[2] = searched ? "1" : "0";
		p[3] = mp_printf(r->ctx.a, "%ld", results);
		p[4] = slot();
		return mp_q(&r->ctx, &stmts[KBC_SEARCH], 5, p, NULL);
	}
	if (searched) {
		s->n++;
		s->results = results;
	} else
		s->clicks++;
	return MP_OK;
}

enum mp_err
mp_kb_count_search(struct mp_req *r, const char *norm, long results)
{
	return count_search(r, norm, 1, results);
}

enum mp_err
mp_kb_count_click(struct mp_req *r, const char *norm)
{
	return count_search(r, norm, 0, 0);
}

/* Append s to b as an element of a PostgreSQL array literal. */
static void
array_item(struct mp_buf *b, const char *s)
{
	if (b->len > 1)
		mp_buf_putc(b, ',');
	mp_buf_putc(b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			mp_buf_putc(b, '\\');
		mp_buf_putc(b, *s);
	}
	mp_buf_putc(b, '"');
}

/*
 * Write tenant t's views and searches in one transaction.  MP_OK when
 * they are in the database; else they stay held.
 */
static enum mp_err
write_tenant(struct mp_ctx *c, int64_t t)
{
	struct mp_arena	*a = c->a;
	struct mp_tenant tenant;
	struct mp_buf	 arr[5];
	const char	*p[6];
	char		 num[32], dt[16];
	int		 i, k, nv = 0, ns = 0;
	enum mp_err	 rc;

	for (k = 0; k < 5; k++) {
		mp_buf_init(&arr[k], 0);
		mp_buf_putc(&arr[k], '{');
	}
	for (i = 0; i < nviews; i++) {
		if (views[i].tenant != t)
			continue;
		snprintf(num, sizeof(num), "%lld", (long long)views[i].article);
		array_item(&arr[0], num);
		array_item(&arr[1], day_text(dt, sizeof(dt), views[i].day));
		snprintf(num, sizeof(num), "%u", views[i].n);
		array_item(&arr[2], num);
		nv++;
	}
	for (k = 0; k < 3; k++)
		mp_buf_putc(&arr[k], '}');
	memset(&tenant, 0, sizeof(tenant));
	tenant.id = t;
	tenant.id_text = mp_printf(a, "%lld", (long long)t);
	c->tenant = &tenant;
	if ((rc = mp_tx_begin(c)) != MP_OK)
		goto out;
	if (nv > 0) {
		for (k = 0; k < 3; k++)
			p[k] = mp_strdup(a, mp_buf_cstr(&arr[k]));
		p[3] = slot();
		if ((rc = mp_q(c, &stmts[KBC_VIEWS], 4, p, NULL)) != MP_OK)
			goto out;
	}
	for (k = 0; k < 5; k++) {
		mp_buf_reset(&arr[k]);
		mp_buf_putc(&arr[k], '{');
	}
	for (i = 0; i < nsearches; i++) {
		if (searches[i].tenant != t)
			continue;
		array_item(&arr[0], searches[i].q);
		array_item(&arr[1], day_text(dt, sizeof(dt), searches[i].day));
		snprintf(num, sizeof(num), "%u", searches[i].n);
		array_item(&arr[2], num);
		snprintf(num, sizeof(num), "%ld", searches[i].results);
		array_item(&arr[3], num);
		snprintf(num, sizeof(num), "%u", searches[i].clicks);
		array_item(&arr[4], num);
		ns++;
	}
	if (ns > 0) {
		for (k = 0; k < 5; k++) {
			mp_buf_putc(&arr[k], '}');
			p[k] = mp_strdup(a, mp_buf_cstr(&arr[k]));
		}
		p[5] = slot();
		if ((rc = mp_q(c, &stmts[KBC_SEARCHES], 6, p, NULL)) != MP_OK)
			goto out;
	}
	rc = mp_tx_commit(c);
out:
	if (rc != MP_OK)
		mp_tx_rollback(c);
	c->tenant = NULL;
	for (k = 0; k < 5; k++)
		mp_buf_free(&arr[k]);
	return rc;
}

static int
view_cmp(const void *a, const void *b)
{
	const struct view	*x = a, *y = b;

	if (x->tenant != y->tenant)
		return x->tenant < y->tenant ? -1 : 1;
	if (x->article != y->article)
		return x->article < y->article ? -1 : 1;
	return x->day - y->day;
}

static int
search_cmp(const void *a, const void *b)
{
	const struct search	*x = a, *y = b;
	int			 c;

	if (x->tenant != y->tenant)
		return x->tenant < y->tenant ? -1 : 1;
	if (x->day != y->day)
		return x->day - y->day;
	if ((c = strcmp(x->q, y->q)) != 0)
		return c;
	return 0;
}

/* Forget what is held of tenant t (written). */
static void
drop_tenant(int64_t t)
{
	int	 i, n;

	for (i = n = 0; i < nviews; i++)
		if (views[i].tenant != t)
			views[n++] = views[i];
	nviews = n;
	for (i = n = 0; i < nsearches; i++)
		if (searches[i].tenant != t)
			searches[n++] = searches[i];
	nsearches = n;
}

int
mp_kb_counts_flush(struct mp_ctx *c, int force)
{
	uint64_t	 now;
	int64_t		 t, next;
	int		 i, failed = 0;

	if (due_ms == 0)
		return -1;
	now = mp_monotonic_ms();
	if (!force && now < due_ms)
		return (int)(due_ms - now);
	qsort(views, (size_t)nviews, sizeof(views[0]), view_cmp);
	qsort(searches, (size_t)nsearches, sizeof(searches[0]), search_cmp);
	/*
	 * Tenant by tenant, in order; one that fails keeps its counts for
	 * the next try and does not hold up the others.
	 */
	for (t = INT64_MIN; ; t = next) {
		next = INT64_MAX;
		for (i = 0; i < nviews; i++)
			if (views[i].tenant > t && views[i].tenant < next)
				next = views[i].tenant;
		for (i = 0; i < nsearches; i++)
			if (searches[i].tenant > t && searches[i].tenant < next)
				next = searches[i].tenant;
		if (next == INT64_MAX)
			break;
		if (write_tenant(c, next) == MP_OK)
			drop_tenant(next);
		else
			failed++;
		mp_arena_reset(c->a);
	}
	if (failed) {
		mp_warn("help-center counts not written yet (%d views, "
		    "%d searches held); trying again in %d s", nviews,
		    nsearches, RETRY_MS / 1000);
		due_ms = mp_monotonic_ms() + RETRY_MS;
		return RETRY_MS;
	}
	due_ms = 0;
	return -1;
}

/*
 * kb.retention (daily, per tenant): views and searches older than
 * kb_stats_days go, contact requests older than kb_contact_days, and so
 * do "did you mean" words that no published article has any more (an
 * archived article's words stop being offered).
 */
enum mp_err
mp_kb_job_retention(struct mp_job *j)
{
	struct mp_res	*v, *s, *w, *k;
	const char	*p[1], *pc[1];
	enum mp_err	 rc;

	p[0] = mp_printf(j->ctx.a, "%d", mp_kb_conf(j->ctx.cfg)->kb_stats_days);
	pc[0] = mp_printf(j->ctx.a, "%d",
	    mp_kb_conf(j->ctx.cfg)->kb_contact_days);
	if ((rc = mp_q(&j->ctx, &stmts[KBC_PRUNE_VIEWS], 1, p, &v)) != MP_OK ||
	    (rc = mp_q(&j->ctx, &stmts[KBC_PRUNE_SEARCHES], 1, p, &s)) != MP_OK ||
	    (rc = mp_q(&j->ctx, &stmts[KBC_PRUNE_CONTACTS], 1, pc, &k)) !=
	    MP_OK ||
	    (rc = mp_q(&j->ctx, &stmts[KBC_PRUNE_WORDS], 0, NULL, &w)) != MP_OK)
		return rc;
	if (mp_res_affected(v) + mp_res_affected(s) + mp_res_affected(k) +
	    mp_res_affected(w) > 0)
		mp_info("kb.retention: %ld view rows, %ld search rows, %ld "
		    "contact requests and %ld words removed", mp_res_affected(v),
		    mp_res_affected(s), mp_res_affected(k), mp_res_affected(w));
	return MP_OK;
}

/*
 * kb.popular (every 5 minutes, per tenant): the totals the popular list
 * reads (/help, /api/kb/popular), so a request never sums 30 days of
 * view rows.  The list lags the counts by at most this period.
 */
enum mp_err
mp_kb_job_popular(struct mp_job *j)
{
	enum mp_err	 rc;

	if ((rc = mp_q(&j->ctx, &stmts[KBC_POPULAR], 0, NULL, NULL)) != MP_OK)
		return rc;
	return mp_q(&j->ctx, &stmts[KBC_POPULAR_GONE], 0, NULL, NULL);
}

/*
 * Count n more of what tag says (see count_tag) for c's tenant, in c's
 * transaction: the views and searches nginx answered from a cached copy.
 * A malformed tag counts nothing.
 */
enum mp_err
mp_kb_count_cached(struct mp_ctx *c, const char *tag, long n)
{
	char		*t = mp_strdup(c->a, tag), *item, *q = NULL, *res = NULL;
	char		*v = NULL, *click = NULL;
	const char	*p[4];
	size_t		 len;
	enum mp_err	 rc = MP_OK;

	while ((item = strsep(&t, "&")) != NULL) {
		if (strncmp(item, "v=", 2) == 0)
			v = item + 2;
		else if (strncmp(item, "s=", 2) == 0)
			q = item + 2;
		else if (strncmp(item, "r=", 2) == 0)
			res = item + 2;
		else if (strncmp(item, "c=", 2) == 0)
			click = item + 2;
	}
	if (v != NULL && *v != '\0' && strspn(v, "0123456789") == strlen(v)) {
		p[0] = v;
		p[1] = mp_printf(c->a, "%ld", n);
		if ((rc = mp_q(c, &stmts[KBC_VIEW_N], 2, p, NULL)) != MP_OK)
			return rc;
	}
	if (q != NULL || click != NULL) {
		int searched = q != NULL;

		p[0] = searched ? q : click;
		len = strlen(p[0]);
		if (mp_pct_decode((char *)p[0], &len, 0) != 0 || len == 0 ||
		    len > MP_KB_QUERY_MAX)
			return MP_OK;
		p[1] = searched ? mp_printf(c->a, "%ld", n) : "0";
		p[2] = searched && res != NULL ?
		    mp_printf(c->a, "%ld", strtol(res, NULL, 10)) : "0";
		p[3] = searched ? "0" : mp_printf(c->a, "%ld", n);
		rc = mp_q(c, &stmts[KBC_SEARCH_N], 4, p, NULL);
	}
	return rc;
}
