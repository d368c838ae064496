/* Help center for crawlers: per-host sitemap.xml, robots.txt and the Atom feed of recent articles. */
#include <string.h>

#include "features/kb/extern.h"

#define SITEMAP_MAX	"50000"	/* URLs one sitemap file may list */
#define FEED_ENTRIES	20

enum kbseo_stmt {
	KBSEO_SITEMAP,
	KBSEO_FEED,
	KBSEO__MAX
};

static const struct mp_stmt stmts[] = {
	/* Published articles, then categories: path and last change. */
	[KBSEO_SITEMAP] = { "kbseo_sitemap",
	    "(SELECT '/help/articles/' || public_id || '-' || slug,"
	    " to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), 1"
	    " FROM kb_articles WHERE status = 'published'"
	    " ORDER BY updated_at DESC LIMIT " SITEMAP_MAX ")"
	    " UNION ALL (SELECT '/help/categories/' || slug, NULL, 2"
	    " FROM kb_categories ORDER BY slug LIMIT 1000)" },
	[KBSEO_FEED] = { "kbseo_feed",
	    "SELECT public_id, slug, title, summary,"
	    " to_char(updated_at AT TIME ZONE 'UTC',"
	    " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
	    " to_char(coalesce(published_at, created_at) AT TIME ZONE 'UTC',"
	    " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), author_name"
	    " FROM kb_articles WHERE status = 'published'"
	    " ORDER BY coalesce(published_at, created_at) DESC, id DESC"
	    " LIMIT $1" },
};

_Static_assert(sizeof(stmts) / sizeof(stmts[0]) == KBSEO__MAX,
    "kb seo statement table and enum differ");

MP_STMT_TABLE(mp_kb_seo_st, stmts);

/*
 * GET /sitemap.xml: this host's help center (home, published articles
 * with lastmod, categories).  Drafts, archived articles and other
 * tenants' articles never appear: the query asks for published rows and
 * row-level security scopes it to the tenant of Host.
 */
enum mp_err
mp_kb_sitemap(struct mp_req *r, struct mp_resp *w)
{
	const char	*origin = mp_origin(&r->ctx);
	struct mp_res	*res;
	int		 i;
	enum mp_err	 rc;

	if ((rc = mp_q(&r->ctx, &stmts[KBSEO_SITEMAP], 0, NULL, &res)) != MP_OK)
		return rc;
	w->status = 200;
	w->ctype = "application/xml; charset=utf-8";
	mp_resp_header(w, "Cache-Control", "public, max-age=3600");
	mp_buf_puts(&w->body, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
	    "<url><loc>");
	mp_buf_html(&w->body, origin);
	mp_buf_puts(&w->body, "/help</loc></url>\n");
	for (i = 0; i < mp_res_rows(res); i++) {
		mp_buf_puts(&w->body, "<url><loc>");
		mp_buf_html(&w->body, origin);
		mp_buf_html(&w->body, mp_res_get(res, i, 0));
		mp_buf_puts(&w->body, "</loc>");
		if (!mp_res_isnull(res, i, 1)) {
			mp_buf_puts(&w->body, "<lastmod>");
			mp_buf_html(&w->body, mp_res_get(res, i, 1));
			mp_buf_puts(&w->body, "</lastmod>");
		}
		mp_buf_puts(&w->body, "</url>\n");
	}
	mp_buf_puts(&w->body, "</urlset>\n");
	return MP_OK;
}

/*
 * GET /robots.txt: crawl the help center, not the search results or the
 * staff pages, and find the sitemap of this host.
 */
enum mp_err
mp_kb_robots(struct mp_req *r, struct mp_resp *w)
{
	w->status = 200;
	w->ctype = "text/plain; charset=utf-8";
	mp_resp_header(w, "Cache-Control", "public, max-age=3600");
	mp_buf_puts(&w->body, "User-agent: *\n"
	    "Disallow: /help/search\n"
	    "Disallow: /staff/\n"
	    "Disallow: /api/\n"
	    "Allow: /help\n"
	    "\nSitemap: ");
	mp_buf_puts(&w->body, mp_origin(&r->ctx));
	mp_buf_puts(&w->body, "/sitemap.xml\n");
	return MP_OK;
}

/* GET /help/feed.atom: the most recently published articles. */
enum mp_err
mp_kb_atom(struct mp_req *r, struct mp_resp *w)
{
	const char	*origin = mp_origin(&r->ctx), *p[1];
	struct mp_res	*res;
	struct mp_buf	*b = &w->body;
	char		*url;
	int		 i;
	enum mp_err	 rc;

	p[0] = mp_printf(r->ctx.a, "%d", FEED_ENTRIES);
	if ((rc = mp_q(&r->ctx, &stmts[KBSEO_FEED], 1, p, &res)) != MP_OK)
		return rc;
	w->status = 200;
	w->ctype = "application/atom+xml; charset=utf-8";
	mp_resp_header(w, "Cache-Control", "public, max-age=600");
	mp_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<title>");
	mp_buf_html(b, r->ctx.tenant->name);
	mp_buf_puts(b, " help center</title>\n<id>");
	mp_buf_html(b, origin);
	mp_buf_puts(b, "/help</id>\n<link rel=\"self\" href=\"");
	mp_buf_html(b, origin);
	mp_buf_puts(b, "/help/feed.atom\"/>\n<link href=\"");
	mp_buf_html(b, origin);
	mp_buf_puts(b, "/help\"/>\n<updated>");
	mp_buf_puts(b, mp_res_rows(res) ? mp_res_get(res, 0, 4) :
	    "1970-01-01T00:00:00Z");
	mp_buf_puts(b, "</updated>\n<author><name>");
	mp_buf_html(b, r->ctx.tenant->name);
	mp_buf_puts(b, "</name></author>\n");
	for (i = 0; i < mp_res_rows(res); i++) {
		url = mp_printf(r->ctx.a, "%s%s", origin, mp_kb_article_path(r->ctx.a,
		    mp_res_get(res, i, 0), mp_res_get(res, i, 1)));
		mp_buf_puts(b, "<entry>\n<title>");
		mp_buf_html(b, mp_res_get(res, i, 2));
		mp_buf_puts(b, "</title>\n<id>");
		mp_buf_html(b, url);
		mp_buf_puts(b, "</id>\n<link href=\"");
		mp_buf_html(b, url);
		mp_buf_puts(b, "\"/>\n<updated>");
		mp_buf_puts(b, mp_res_get(res, i, 4));
		mp_buf_puts(b, "</updated>\n<published>");
		mp_buf_puts(b, mp_res_get(res, i, 5));
		mp_buf_puts(b, "</published>\n<summary>");
		mp_buf_html(b, mp_res_get(res, i, 3));
		mp_buf_puts(b, "</summary>\n</entry>\n");
	}
	mp_buf_puts(b, "</feed>\n");
	return MP_OK;
}
