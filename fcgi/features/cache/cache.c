/* The public-page cache: which responses nginx may keep, and the per-tenant generation its keys carry. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "features/cache/extern.h"
#include "features/status/status.h"

/*
 * nginx keeps anonymous GET and HEAD answers of the public pages in its
 * FastCGI cache (nginx/mpanel.conf.in) and serves them without asking
 * the pool.  The pool decides what may be kept: a response goes out with
 * "X-Mpanel-Cache: public" and "X-Accel-Expires: page_cache_ttl" only
 * when every rule below holds, and nginx stores nothing else.  Freshness
 * does not hang on the TTL: every key carries the tenant's generation
 * (cache_gen, moved by triggers in the change's own transaction; see
 * links.c for how nginx reads it), and the responder that made a change
 * moves nginx's view of it before its own response goes out.
 */

enum cst { CS_GEN, CS_SYNC, CS_NOW, CS__MAX };

static const struct mp_stmt stmts[] = {
	[CS_GEN] = { "cache_gen",
	    "SELECT coalesce((SELECT gen FROM cache_gen"
	    " WHERE tenant_id = mp_tenant()), 1)", MP_STMT_READ },
	[CS_SYNC] = { "cache_sync",
	    "SELECT tenant_id, gen, hosts, slug FROM mp_cache_sync("
	    "$1::timestamptz - interval '60 seconds',"
	    " coalesce($2::timestamptz, now() - interval '1 hour'), $3)", 0 },
	[CS_NOW] = { "cache_now", "SELECT now()", MP_STMT_READ },
};

_Static_assert(MP_NELEM(stmts) == CS__MAX,
    "cache statement table and enum differ");

static MP_STMT_TABLE(cache_st, stmts);

/*
 * The routes whose anonymous answers are the same for every visitor of
 * a tenant: the help center and its JSON, the status page with its
 * JSON, feeds and badge, the home page.  Patterns exactly as the owning
 * features declare them; a pattern that matches no route is reported by
 * mp_cache_unknown_routes (make check).
 */
static const char *const public_routes[] = {
	"/",
	"/help",
	"/help/search",
	"/help/articles/{ref}",
	"/help/categories/{slug:slug}",
	"/help/tags/{tag:slug}",
	"/help/feed.atom",
	"/sitemap.xml",
	"/robots.txt",
	"/api/kb/articles",
	"/api/kb/articles/{slug:slug}",
	"/api/kb/popular",
	"/api/kb/tags/{tag:slug}",
	"/api/kb/suggest",
	"/status",
	"/status/history",
	"/status/history.atom",
	"/status/history.rss",
	"/status/maintenance.ics",
	"/status/badge.svg",
	"/status/incidents/{id:slug}",
	"/api/v2/summary.json",
	"/api/v2/status.json",
	"/api/v2/components.json",
	"/api/v2/incidents.json",
	"/api/v2/incidents/unresolved.json",
	"/api/v2/scheduled-maintenances.json",
	"/api/v2/scheduled-maintenances/upcoming.json",
	"/api/v2/scheduled-maintenances/active.json",
	"/api/marketing/status",
};

static int
public_route(const struct mp_route *rt)
{
	size_t	 i;

	if (rt == NULL)
		return 0;
	for (i = 0; i < MP_NELEM(public_routes); i++)
		if (strcmp(rt->pattern, public_routes[i]) == 0)
			return 1;
	return 0;
}

int
mp_cache_unknown_routes(FILE *fp)
{
	const struct mp_feature	*const *f;
	size_t			 i, j;
	int			 found, bad = 0;

	for (i = 0; i < MP_NELEM(public_routes); i++) {
		found = 0;
		for (f = mp_features; *f != NULL && !found; f++)
			for (j = 0; j < (*f)->nroutes && !found; j++)
				found = ((*f)->routes[j].methods & MP_GET) &&
				    strcmp((*f)->routes[j].pattern,
				    public_routes[i]) == 0;
		if (!found) {
			fprintf(fp, "page cache: no GET route %s\n",
			    public_routes[i]);
			bad++;
		}
	}
	return bad;
}

/*
 * Whether this answer is the same for every anonymous visitor, so nginx
 * may keep it: a public route, GET or HEAD, 200, a tenant; no session,
 * credential, tenant override or X-Mpanel-No-Cache in the request (what
 * makes nginx pass it by: then there is nothing to mark or compress for
 * a copy); no cookie, no "private"/"no-store" and no form token in the
 * response.
 */
static int
shareable(struct mp_req *r, struct mp_resp *w)
{
	const char	*cc, *tok;

	if (!(r->method & (MP_GET | MP_HEAD)) || w->status != 200 ||
	    w->streamed || r->ctx.tenant == NULL || !public_route(r->route))
		return 0;
	if (r->user != NULL || r->sess != NULL || r->stale_cookie ||
	    r->visitor_csrf_new ||
	    mp_req_cookie(r, MP_SESSION_COOKIE) != NULL ||
	    mp_req_param(r, "HTTP_AUTHORIZATION") != NULL ||
	    mp_req_param(r, "HTTP_X_TENANT_ID") != NULL ||
	    mp_req_param(r, "HTTP_X_TENANT_SLUG") != NULL ||
	    mp_req_param(r, "HTTP_X_MPANEL_NO_CACHE") != NULL)
		return 0;
	if (mp_resp_get_header(w, "Set-Cookie") != NULL)
		return 0;
	/*
	 * Read from the replica, it may predate a change whose generation
	 * nginx already keys on: never kept (the cache replaces the replica
	 * for these pages; see docs/operations.md).
	 */
	if (mp_replica_for(r) != NULL)
		return 0;
	if ((cc = mp_resp_get_header(w, "Cache-Control")) != NULL &&
	    (strstr(cc, "private") != NULL || strstr(cc, "no-store") != NULL))
		return 0;
	/* A form carrying this visitor's token is theirs alone. */
	if ((tok = mp_csrf_existing(r)) != NULL && *tok != '\0' &&
	    w->body.len > 0 && memmem(w->body.data, w->body.len, tok,
	    strlen(tok)) != NULL)
		return 0;
	return 1;
}

/*
 * gzip a shareable answer for a client that takes it (nginx keys gzip
 * and plain apart): the copy nginx keeps, and sends at every hit, is a
 * fifth of the bytes.  Safe from BREACH: a shareable page holds no
 * secret (no session, no form token).  Left as it is on any failure.
 */
static void
compress_body(struct mp_req *r, struct mp_resp *w)
{
	const char	*ae = mp_req_param(r, "HTTP_ACCEPT_ENCODING");
	const char	*vary;
	unsigned char	*out;
	z_stream	 z;
	uLong		 bound;

	if (ae == NULL || strcasestr(ae, "gzip") == NULL ||
	    w->body.len < 1024 || w->body.len > UINT32_MAX ||
	    mp_resp_get_header(w, "Content-Encoding") != NULL)
		return;
	memset(&z, 0, sizeof(z));
	/* windowBits 15 + 16: a gzip header, as Content-Encoding wants. */
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		return;
	bound = deflateBound(&z, (uLong)w->body.len);
	out = mp_alloc(r->ctx.a, bound);
	z.next_in = (Bytef *)w->body.data;
	z.avail_in = (uInt)w->body.len;
	z.next_out = out;
	z.avail_out = (uInt)bound;
	if (deflate(&z, Z_FINISH) == Z_STREAM_END) {
		mp_buf_reset(&w->body);
		mp_buf_add(&w->body, out, z.total_out);
		mp_resp_header(w, "Content-Encoding", "gzip");
		if ((vary = mp_resp_get_header(w, "Vary")) == NULL)
			mp_resp_header(w, "Vary", "Accept-Encoding");
		else if (strcasestr(vary, "Accept-Encoding") == NULL)
			mp_resp_header(w, "Vary", mp_printf(r->ctx.a,
			    "%s, Accept-Encoding", vary));
	}
	deflateEnd(&z);
}

/* The tenant's generation as the database has it now; 0 on failure. */
static int64_t
db_gen(struct mp_req *r)
{
	struct mp_res	*res;
	int64_t		 g = 0;

	if (mp_q(&r->ctx, &stmts[CS_GEN], 0, NULL, &res) == MP_OK &&
	    mp_res_rows(res) == 1)
		g = mp_res_int(res, 0, 0);
	mp_tx_rollback(&r->ctx);
	return g;
}

/*
 * The send hook.  After a request that may have changed something
 * (unsafe method, a tenant): read the tenant's generation and move
 * nginx's link to it before the answer goes out, so the very next
 * request of anyone keys on the new generation.  After a shareable
 * answer: mark it for nginx, and make sure nginx can key it (the host's
 * link to the tenant, the tenant's link to its generation).
 */
static void
cache_send(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_cache_conf	*cc = mp_cache_conf(r->ctx.cfg);
	const char			*dir = cc->page_cache_links;
	int64_t				 g;

	if (r->ctx.tenant == NULL || r->db_down)
		return;
	if (mp_method_unsafe(r->method)) {
		if (dir[0] == '\0' || (g = db_gen(r)) <= 0 ||
		    mp_cache_linked_gen(dir, r->ctx.tenant->id) >= g)
			return;
		/* The status page's kept copies predate the change too. */
		if (mp_tenant_fill(&r->ctx) == MP_OK)
			mp_st_touch(r->ctx.cfg, r->ctx.a, r->ctx.tenant->slug);
		if (mp_cache_link_gen(dir, r->ctx.tenant->id, g) != 0)
			mp_warn("page cache: cannot link tenant %" PRId64
			    " to generation %" PRId64 " under %s",
			    r->ctx.tenant->id, g, dir);
		return;
	}
	if (!cc->page_cache || !shareable(r, w))
		return;
	if (dir[0] != '\0') {
		if (mp_cache_linked_gen(dir, r->ctx.tenant->id) == 0 &&
		    (g = db_gen(r)) > 0)
			(void)mp_cache_link_gen(dir, r->ctx.tenant->id, g);
		if (mp_cache_link_host(dir, r->host, r->ctx.tenant->id) != 0)
			return;
	}
	compress_body(r, w);
	mp_resp_header(w, "X-Mpanel-Cache", "public");
	mp_resp_header(w, "X-Accel-Expires",
	    mp_printf(r->ctx.a, "%d", cc->page_cache_ttl));
	if (r->count_tag != NULL)
		mp_resp_header(w, "X-Mpanel-Count", mp_printf(r->ctx.a,
		    "%" PRId64 " %s", r->ctx.tenant->id, r->count_tag));
}

/* ------------------------------------------------------------ worker */

static char	 last_now[64];		/* the database's now() at the last tick */
static int	 ticks;

/*
 * Parse a text[] literal of plain host names ({a.b,c.d}); hosts that
 * need quoting are not valid host names anyway and are skipped.
 */
static void
link_hosts(const char *dir, const char *arr, int64_t tenant)
{
	char	 buf[4096], *p, *h;

	if (arr == NULL || arr[0] != '{')
		return;
	snprintf(buf, sizeof(buf), "%s", arr + 1);
	if ((p = strrchr(buf, '}')) != NULL)
		*p = '\0';
	for (p = buf; (h = strsep(&p, ",")) != NULL;)
		if (mp_cache_host_ok(h))
			(void)mp_cache_link_host(dir, h, tenant);
}

void
mp_cache_tick(const struct mp_config *cfg, struct mp_db *db,
    struct mp_arena *a, int woken)
{
	const struct mp_cache_conf	*cc = mp_cache_conf(cfg);
	static uint64_t			 last_ms;
	struct mp_res			*res;
	const char			*p[3];
	char				 now[64];
	uint64_t			 ms = mp_monotonic_ms();
	int				 i;

	/* Job NOTIFYs wake the loop too, far more often than needed here. */
	if (!woken && ms - last_ms < 1000)
		return;
	last_ms = ms;
	mp_cache_count_tick(cfg, db, a);
	if (cc->page_cache_links[0] == '\0')
		return;
	if (mp_db_exec(db, a, &stmts[CS_NOW], 0, NULL, &res) != MP_OK ||
	    mp_res_rows(res) != 1)
		return;
	snprintf(now, sizeof(now), "%s", mp_res_get(res, 0, 0));
	/*
	 * Generations moved in the minute before the last tick, not just
	 * since it: a transaction stamps changed_at when it writes, and may
	 * commit later than a tick that looked.  Linking is idempotent.
	 * The first tick links every tenant, and takes the maintenance
	 * windows of the last hour as news.
	 */
	p[0] = last_now[0] != '\0' ? last_now : NULL;
	p[1] = p[0];
	p[2] = cfg->base_domain;
	if (mp_db_exec(db, a, &stmts[CS_SYNC], 3, p, &res) != MP_OK)
		return;
	for (i = 0; i < mp_res_rows(res); i++) {
		int64_t	 t = mp_res_int(res, i, 0), g = mp_res_int(res, i, 1);

		if (mp_cache_linked_gen(cc->page_cache_links, t) < g)
			mp_st_touch(cfg, a, mp_res_get(res, i, 3));
		if (mp_cache_link_gen(cc->page_cache_links, t, g) != 0)
			mp_warn("page cache: cannot link tenant %" PRId64
			    " under %s", t, cc->page_cache_links);
		link_hosts(cc->page_cache_links, mp_res_get(res, i, 2), t);
	}
	snprintf(last_now, sizeof(last_now), "%s", now);
	if (++ticks % 60 == 0)
		(void)mp_cache_links_prune(cc->page_cache_links, 300);
}

/* ---------------------------------------------------------- feature */

static const struct mp_confkey conf_keys[] = {
	MP_CONF_I(mp_cache_conf, page_cache, 0, 1, "1"),
	MP_CONF_S(mp_cache_conf, page_cache_links, "", NULL),
	MP_CONF_I(mp_cache_conf, page_cache_ttl, 1, 86400, "60"),
	MP_CONF_S(mp_cache_conf, page_cache_count_log, "", NULL),
};

const struct mp_confsec mp_cache_confsec = {
	"cache", conf_keys, MP_NELEM(conf_keys), sizeof(struct mp_cache_conf)
};

static const struct mp_stmt_table *const tables[] = { &cache_st, NULL };

const struct mp_feature mp_feature_cache = {
	.name = "cache",
	.stmts = tables,
	.conf = &mp_cache_confsec,
	.send = cache_send,
};
