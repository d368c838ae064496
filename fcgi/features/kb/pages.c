/* Help center, public side: home, search, articles, categories, tags, votes and their JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ClearSilver.h>
#include <json-c/json.h>

#include "features/brand/brand.h"
#include "features/kb/extern.h"

#define PAGE_SIZE	10
#define MAX_PAGE	100
#define VISITOR_COOKIE	"__Host-mp_vid"
#define VISITOR_MAXAGE	(400L * 86400L)

/*
 * The columns of an article card.  Its category's slug and name are kept
 * on the article (migration 0035), so no card joins kb_categories.
 */
#define CARD \
	"a.public_id, a.slug, a.title, a.summary," \
	" coalesce(a.category_slug, '') AS cslug," \
	" coalesce(a.category_name, '') AS cname," \
	" array_to_string(a.tags, ',') AS tagl," \
	" to_char(a.updated_at AT TIME ZONE 'UTC'," \
	" 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS upd"
enum { C_PUBID, C_SLUG, C_TITLE, C_SUMMARY, C_CSLUG, C_CNAME, C_TAGS,
    C_UPDATED, C__N };

/*
 * One article with what its page shows, read as stored: its breadcrumb
 * (the category and its parent, migration 0035), its related articles
 * and its published translations (migration 0034: kb_related.links and
 * kb_articles.translations, JSON arrays or NULL), each kept by triggers
 * that follow every change to what they name.  The tenant's brand comes
 * along (MP_BRAND_COLS), so the page, layout and all, is one round trip.
 */
#define ARTICLE \
	"SELECT " CARD ", a.id, coalesce(a.body_html, ''), a.meta_title," \
	" a.meta_description, a.locale, a.author_name," \
	" coalesce(a.parent_slug, ''), coalesce(a.parent_name, '')," \
	" to_char(coalesce(a.published_at, a.created_at) AT TIME ZONE 'UTC'," \
	" 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), a.toc, k.links, a.translations, " \
	MP_BRAND_COLS("b") \
	" FROM kb_articles a" \
	" LEFT JOIN kb_related k ON k.tenant_id = a.tenant_id" \
	" AND k.article_id = a.id" \
	" LEFT JOIN tenant_branding b ON b.tenant_id = a.tenant_id"
/* The synonym groups query $1 (locale $2) fires: JSON [[term, ...], ...]. */
#define FIRED \
	"SELECT json_agg(g.terms ORDER BY g.id) FROM kb_synonyms g" \
	" WHERE g.id = ANY ((SELECT e.fired FROM mp_kb_expand($1, $2) e)::bigint[])"

enum { A_ID = C__N, A_HTML, A_MTITLE, A_MDESC, A_LOCALE, A_AUTHOR, A_PSLUG,
    A_PNAME, A_PUBLISHED, A_TOC, A_RELATED, A_TRANS, A_BRAND };

/*
 * A row limit the planner does not see: with "LIMIT $1" a plan for the
 * value at hand always looks cheaper than the generic one, so PostgreSQL
 * planned the statement again at every execution (0.6-1.5 ms for the
 * popular list, three times its own work).  As a sub-select, every value
 * costs the same, and the generic plan is kept after the fifth run.
 */
#define LIMIT_1		"(SELECT $1::integer)"

/* The first of KB_SEARCH's MP_BRAND_COLS, then its memo columns. */
#define KB_SEARCH_BRAND	17
#define KB_SEARCH_MEMO	(KB_SEARCH_BRAND + MP_BRAND_NCOLS)

/* Characters of a hit's best section the snippet is made from, at most. */
#define SNIPPET_SOURCE	"20000"

enum kb_stmt {
	KB_CATS,
	KB_POPULAR,
	KB_ARTICLE,
	KB_ARTICLE_SLUG,
	KB_SEARCH,
	KB_LIST,
	KB_SUGGEST,
	KB_DIDYOUMEAN,
	KB_FIRED,
	KB_CLOSEST,
	KB_CATEGORY,
	KB_CHILDREN,
	KB_VOTE,
	KB__MAX
};

static const struct mp_stmt stmts[] = {
	/*
	 * Each category with its published articles and its subcategories',
	 * from the counts a trigger keeps (migration 0033).
	 */
	[KB_CATS] = { "kb_cats",
	    "SELECT c.slug, c.name, c.description, coalesce(p.slug, ''),"
	    " (SELECT coalesce(sum(n.published), 0) FROM kb_category_counts n"
	    "  JOIN kb_categories x ON x.tenant_id = n.tenant_id"
	    "  AND x.id = n.category_id WHERE x.id = c.id OR x.parent_id = c.id)"
	    " FROM kb_categories c LEFT JOIN kb_categories p"
	    " ON p.tenant_id = c.tenant_id AND p.id = c.parent_id"
	    " ORDER BY coalesce(p.position, c.position), coalesce(p.id, c.id),"
	    " c.parent_id NULLS FIRST, c.position, c.name", MP_STMT_READ },
	/*
	 * Most viewed over 30 days (kb_popular, kept by the kb.popular job),
	 * topped up with the most recent: both candidate lists come from
	 * indexes and stop after $1 rows (and the ties of the last, which
	 * the published dates then order), so the list costs the same for a
	 * tenant of any size.  $1 through LIMIT_1: see there.  A limit the
	 * planner cannot see it takes for a tenth of the rows, too many to
	 * join one by one: so the popular side checks each row's article in
	 * a sub-select, which keeps the walk down kb_popular_views, and the
	 * newest side reads kb_articles_newest alone (migration 0031).
	 */
	[KB_POPULAR] = { "kb_popular",
	    "WITH cand AS ((SELECT p.article_id AS id, p.views AS n"
	    "  FROM kb_popular p WHERE (SELECT a.status FROM kb_articles a"
	    "  WHERE a.tenant_id = p.tenant_id AND a.id = p.article_id)"
	    "  = 'published'"
	    "  ORDER BY p.views DESC FETCH FIRST " LIMIT_1 " ROWS WITH TIES)"
	    " UNION ALL (SELECT a.id, 0 FROM kb_articles a"
	    "  WHERE a.status = 'published'"
	    "  ORDER BY a.published_at DESC NULLS LAST, a.id"
	    "  LIMIT " LIMIT_1 ")),"
	    " best AS (SELECT id, max(n) AS n FROM cand GROUP BY id)"
	    " SELECT " CARD ", b.n FROM best b JOIN kb_articles a"
	    " ON a.tenant_id = mp_tenant() AND a.id = b.id"
	    " WHERE a.status = 'published'"
	    " ORDER BY b.n DESC, a.published_at DESC NULLS LAST, a.id LIMIT " LIMIT_1, MP_STMT_READ },
	[KB_ARTICLE] = { "kb_article",
	    ARTICLE " WHERE a.public_id = $1 AND a.status = 'published'", MP_STMT_READ },
	[KB_ARTICLE_SLUG] = { "kb_article_slug",
	    ARTICLE " WHERE a.status = 'published' AND (a.slug = $1"
	    " OR a.id = (SELECT h.article_id FROM kb_slug_history h"
	    " WHERE h.slug = $1))", MP_STMT_READ },
	/*
	 * The page of hits comes from mp_kb_search() (migrations 0006, 0016,
	 * 0023): the tenant's published articles of a locale matching the
	 * query, ranked, at most 1,000 counted, found through the GIN index
	 * that row-level security would keep out of reach here.  It returns
	 * ids only, and hq, the OR of every lexeme of the expanded query
	 * (synonyms and variants too); the articles are read below under
	 * row-level security, each with its best section (the one hq ranks
	 * highest) and that section's text, which the snippet is made from
	 * (mp_kb_snippet_html), and hq, whose lexemes the snippet marks
	 * (read once a page: mp_kb_query_lexemes).  The synonym groups are
	 * worked out once, not once a hit.  The tenant's brand comes along
	 * (MP_BRAND_COLS, from column KB_SEARCH_BRAND), so a page with hits
	 * is one round trip.  $7-$11 are this responder's memo of the
	 * query's expansion (kb/memo.c) or NULL; the last four columns are
	 * a new one to keep (gen NULL: none; migration 0038).
	 */
	[KB_SEARCH] = { "kb_search",
	    "WITH hits AS MATERIALIZED (SELECT s.article_id AS id,"
	    "  s.score AS rank, s.matches AS total, s.capped, s.pos,"
	    "  s.coverage, s.fired, s.hq, s.gen, s.concepts, s.as_typed"
	    "  FROM mp_kb_search($1, $2, $5, $6, $3, $4,"
	    "  $7, $8, $9, $10, $11) s),"
	    " syn AS MATERIALIZED (SELECT json_agg(g.terms ORDER BY g.id)"
	    "  AS j FROM kb_synonyms g WHERE g.id = ANY ((SELECT x.fired"
	    "  FROM hits x LIMIT 1)::bigint[]))"
	    " SELECT " CARD ", h.rank, h.total,"
	    " b.anchor, b.heading, left(b.body, " SNIPPET_SOURCE "),"
	    " h.capped, h.coverage, syn.j, h.hq, " MP_BRAND_COLS("br") ","
	    " h.gen, h.concepts, h.as_typed, h.fired"
	    " FROM hits h JOIN kb_articles a ON a.tenant_id = mp_tenant()"
	    " AND a.id = h.id"
	    " CROSS JOIN syn"
	    " LEFT JOIN tenant_branding br ON br.tenant_id = a.tenant_id"
	    " LEFT JOIN LATERAL (SELECT"
	    " s.anchor, s.heading, s.body FROM kb_sections s"
	    " WHERE s.article_id = h.id"
	    " ORDER BY ts_rank(s.tsv, h.hq) DESC, s.pos LIMIT 1) b ON true"
	    " ORDER BY h.pos", MP_STMT_READ },
	/*
	 * A list (tag $1, category $2 with its subcategories, either or
	 * none): the page's ids in the order of kb_articles_list, counted
	 * on the way without reading the table (migration 0030), then only
	 * the page's rows read whole.
	 */
	[KB_LIST] = { "kb_list",
	    "SELECT " CARD ", 0, p.total FROM (SELECT a.id, a.boost,"
	    " a.published_at, count(*) OVER () AS total FROM kb_articles a"
	    " WHERE a.status = 'published'"
	    " AND ($1::text IS NULL OR a.tags @> ARRAY[$1::text])"
	    " AND ($2::text IS NULL OR a.category_id = ANY (ARRAY("
	    "  SELECT k.id FROM kb_categories k WHERE k.slug = $2"
	    "  OR k.parent_id = (SELECT x.id FROM kb_categories x"
	    "  WHERE x.slug = $2))))"
	    " ORDER BY a.boost DESC, a.published_at DESC NULLS LAST, a.id"
	    " LIMIT $3 OFFSET $4) p"
	    " JOIN kb_articles a ON a.tenant_id = mp_tenant() AND a.id = p.id"
	    " ORDER BY p.boost DESC, p.published_at DESC NULLS LAST, p.id",
	    MP_STMT_READ },
	/*
	 * Titles matching the prefix query $1 (mp_kb_prefix_query), through
	 * the index on (tenant, title) that row-level security would keep
	 * out of reach here (migration 0029).
	 */
	[KB_SUGGEST] = { "kb_suggest",
	    "SELECT s.public_id, s.slug, s.title"
	    " FROM mp_kb_suggest($1, $2, $3::integer) s", MP_STMT_READ },
	/*
	 * "Did you mean": each word of the query that no published article
	 * has (nor a synonym group, nor the stop words) becomes the nearest
	 * word that one has; known words stay as typed.  NULL when no word
	 * changed.  A function (migration 0023) so that the trigram index
	 * serves it, which row-level security would not allow here.
	 */
	[KB_DIDYOUMEAN] = { "kb_didyoumean",
	    "SELECT mp_kb_didyoumean($1, $2)", MP_STMT_READ },
	/* The synonym groups a query fires, as a JSON array of arrays. */
	[KB_FIRED] = { "kb_fired", FIRED, MP_STMT_READ },
	/*
	 * The categories closest to a query that found nothing: by trigram
	 * word similarity to their name and description, then by size.
	 */
	[KB_CLOSEST] = { "kb_closest",
	    "SELECT c.slug, c.name, c.description FROM kb_categories c"
	    " ORDER BY greatest(word_similarity(lower($1), lower(c.name)),"
	    " word_similarity(lower($1), lower(c.description))) DESC,"
	    " coalesce((SELECT n.published FROM kb_category_counts n"
	    "  WHERE n.tenant_id = c.tenant_id AND n.category_id = c.id), 0)"
	    " DESC, c.position, c.name"
	    " LIMIT 3", MP_STMT_READ },
	[KB_CATEGORY] = { "kb_category",
	    "SELECT c.id, c.slug, c.name, c.description, coalesce(p.slug, ''),"
	    " coalesce(p.name, '') FROM kb_categories c"
	    " LEFT JOIN kb_categories p ON p.tenant_id = c.tenant_id"
	    " AND p.id = c.parent_id WHERE c.slug = $1", MP_STMT_READ },
	[KB_CHILDREN] = { "kb_children",
	    "SELECT c.slug, c.name FROM kb_categories c"
	    " WHERE c.parent_id = $1 ORDER BY c.position, c.name", MP_STMT_READ },
	/*
	 * One vote per visitor per article per day: the insert does nothing
	 * on a second vote.  Returns whether the article exists and whether
	 * the vote was recorded.
	 */
	[KB_VOTE] = { "kb_vote",
	    "WITH a AS (SELECT id FROM kb_articles WHERE public_id = $1"
	    " AND status = 'published'),"
	    " v AS (INSERT INTO kb_votes (tenant_id, article_id, day,"
	    " visitor_hash, helpful, reason) SELECT mp_tenant(), a.id,"
	    " current_date, $2, $3, $4 FROM a"
	    " ON CONFLICT DO NOTHING RETURNING 1)"
	    " SELECT (SELECT count(*) FROM a), (SELECT count(*) FROM v)" },
};

_Static_assert(sizeof(stmts) / sizeof(stmts[0]) == KB__MAX,
    "kb statement table and enum differ");

MP_STMT_TABLE(mp_kb_pages_st, stmts);

/* The declared fields of the help center's routes (routes.c). */
const struct mp_field mp_kb_search_fields[] = {
	{ "q", MP_V_TEXT, 0, MP_KB_QUERY_MAX, 0, NULL },
	{ "page", MP_V_INT, 1, MAX_PAGE, 0, NULL },
	{ "locale", MP_V_SLUG, 2, 5, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct mp_field mp_kb_article_fields[] = {
	{ "q", MP_V_TEXT, 0, MP_KB_QUERY_MAX, 0, NULL },
	{ "voted", MP_V_SLUG, 1, 8, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct mp_field mp_kb_vote_fields[] = {
	{ "helpful", MP_V_BOOL, 0, 0, 0, NULL },
	{ "reason", MP_V_TEXT, 0, 500, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct mp_field mp_kb_page_fields[] = {
	{ "page", MP_V_INT, 1, MAX_PAGE, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct mp_field mp_kb_api_list_fields[] = {
	{ "q", MP_V_TEXT, 0, MP_KB_QUERY_MAX, 0, NULL },
	{ "search", MP_V_TEXT, 0, MP_KB_QUERY_MAX, 0, NULL },
	{ "tag", MP_V_SLUG, 1, 40, 0, NULL },
	{ "category", MP_V_SLUG, 1, MP_KB_SLUG_MAX, 0, NULL },
	{ "locale", MP_V_SLUG, 2, 5, 0, NULL },
	{ "limit", MP_V_INT, 1, 100, 0, NULL },
	{ "offset", MP_V_INT, 0, 10000, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct mp_field mp_kb_admin_list_fields[] = {
	{ "status", MP_V_SLUG, 1, 20, 0, NULL },
	{ "q", MP_V_TEXT, 0, MP_KB_QUERY_MAX, 0, NULL },
	{ "category", MP_V_SLUG, 1, MP_KB_SLUG_MAX, 0, NULL },
	{ "page", MP_V_INT, 1, 10000, 0, NULL },
	{ "limit", MP_V_INT, 1, 200, 0, NULL },
	{ "offset", MP_V_INT, 0, 1000000, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct mp_field mp_kb_admin_save_fields[] = {
	{ "title", MP_V_TEXT, 0, 200, 0, NULL },
	{ "slug", MP_V_TEXT, 0, MP_KB_SLUG_MAX, 0, NULL },
	{ "summary", MP_V_TEXT, 0, 500, 0, NULL },
	{ "excerpt", MP_V_TEXT, 0, 500, 0, NULL },
	{ "body", MP_V_TEXT, 0, MP_KB_MD_MAX, 0, NULL },
	{ "content", MP_V_TEXT, 0, MP_KB_MD_MAX, 0, NULL },
	{ "category", MP_V_TEXT, 0, MP_KB_SLUG_MAX, 0, NULL },
	{ "tags", MP_V_TEXT, 0, 1000, 0, NULL },
	{ "status", MP_V_TEXT, 0, 20, 0, NULL },
	{ "meta_title", MP_V_TEXT, 0, 200, 0, NULL },
	{ "metaTitle", MP_V_TEXT, 0, 200, 0, NULL },
	{ "meta_description", MP_V_TEXT, 0, 300, 0, NULL },
	{ "metaDescription", MP_V_TEXT, 0, 300, 0, NULL },
	{ "locale", MP_V_TEXT, 0, 5, 0, NULL },
	{ "boost", MP_V_TEXT, 0, 8, 0, NULL },
	{ "action", MP_V_TEXT, 0, 20, 0, NULL },
	{ "translation_of", MP_V_TEXT, 0, 32, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

/* The path of an article's page: /help/articles/{id}-{slug}. */
char *
mp_kb_article_path(struct mp_arena *a, const char *pubid, const char *slug)
{
	return mp_printf(a, "/help/articles/%s-%s", pubid, slug);
}

/* Navigation and the help center's stylesheet for every kb page. */
void
mp_kb_page(struct mp_req *r, HDF *hdf)
{
	(void)r;
	mp_hdf_set(hdf, "Nav.0.Href", "/");
	mp_hdf_set(hdf, "Nav.0.Label", "Home");
	mp_hdf_set(hdf, "Nav.1.Href", "/help");
	mp_hdf_set(hdf, "Nav.1.Label", "Help center");
	mp_hdf_set(hdf, "Nav.1.Current", "1");
	mp_hdf_set(hdf, "Page.Links.0.Rel", "stylesheet");
	mp_hdf_set(hdf, "Page.Links.0.Href", "/static/css/kb.css");
	mp_hdf_set(hdf, "Page.Links.1.Rel", "alternate");
	mp_hdf_set(hdf, "Page.Links.1.Type", "application/atom+xml");
	mp_hdf_set(hdf, "Page.Links.1.Href", "/help/feed.atom");
	mp_hdf_set(hdf, "Page.Links.1.Title", "Recent help articles");
}

/*
 * Row i of a KB_SEARCH result as a hit of the search page at prefix: only
 * the card fields kb/search.cs shows (no id, slug, summary or tags, which
 * the other cards have: ten hits, half the HDF nodes).  Returns that node.
 */
static HDF *
hdf_hit(struct mp_req *r, HDF *hdf, const char *prefix,
    const struct mp_res *res, int i)
{
	HDF	*n = mp_hdf_node(hdf, prefix);

	mp_hdf_set(n, "Href", mp_kb_article_path(r->ctx.a,
	    mp_res_get(res, i, C_PUBID), mp_res_get(res, i, C_SLUG)));
	mp_hdf_set(n, "Title", mp_res_get(res, i, C_TITLE));
	mp_hdf_set(n, "Category.Name", mp_res_get(res, i, C_CNAME));
	mp_hdf_set(n, "Updated", mp_res_get(res, i, C_UPDATED));
	mp_hdf_set(n, "UpdatedDay",
	    mp_strndup(r->ctx.a, mp_res_get(res, i, C_UPDATED), 10));
	return n;
}

/*
 * Fill prefix.* of hdf with the card columns of row i of res: a hit's
 * fields and the id, slug, summary, category slug and tags.  Returns
 * that node, for the caller's own fields.
 */
static HDF *
hdf_card(struct mp_req *r, HDF *hdf, const char *prefix,
    const struct mp_res *res, int i)
{
	HDF		*n = hdf_hit(r, hdf, prefix, res, i), *tn = NULL;
	const char	*tags = mp_res_get(res, i, C_TAGS);
	char		*t, *tok, *save, k[16];
	int		 nt = 0;

	mp_hdf_set(n, "Id", mp_res_get(res, i, C_PUBID));
	mp_hdf_set(n, "Slug", mp_res_get(res, i, C_SLUG));
	mp_hdf_set(n, "Summary", mp_res_get(res, i, C_SUMMARY));
	mp_hdf_set(n, "Category.Slug", mp_res_get(res, i, C_CSLUG));
	t = mp_strdup(r->ctx.a, tags ? tags : "");
	for (tok = strtok_r(t, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (tn == NULL)
			tn = mp_hdf_node(n, "Tags");
		snprintf(k, sizeof(k), "%d", nt++);
		mp_hdf_set(tn, k, tok);
	}
	return n;
}

/* The card columns of row i, as members of the object jw has open. */
static void
jw_card(struct mp_jw *jw, struct mp_req *r, const struct mp_res *res, int i)
{
	const char	*t = mp_res_get(res, i, C_TAGS);
	char		*s, *tok, *save;

	mp_jw_str(jw, "id", mp_res_get(res, i, C_PUBID));
	mp_jw_str(jw, "slug", mp_res_get(res, i, C_SLUG));
	mp_jw_str(jw, "title", mp_res_get(res, i, C_TITLE));
	mp_jw_str(jw, "excerpt", mp_res_get(res, i, C_SUMMARY));
	mp_jw_str(jw, "url", mp_kb_article_path(r->ctx.a,
	    mp_res_get(res, i, C_PUBID), mp_res_get(res, i, C_SLUG)));
	if (*mp_res_get(res, i, C_CSLUG) != '\0') {
		mp_jw_obj(jw, "category");
		mp_jw_str(jw, "slug", mp_res_get(res, i, C_CSLUG));
		mp_jw_str(jw, "name", mp_res_get(res, i, C_CNAME));
		mp_jw_end(jw);
	} else
		mp_jw_null(jw, "category");
	mp_jw_arr(jw, "tags");
	s = mp_strdup(r->ctx.a, t ? t : "");
	for (tok = strtok_r(s, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save))
		mp_jw_str(jw, NULL, tok);
	mp_jw_end(jw);
	mp_jw_str(jw, "updated_at", mp_res_get(res, i, C_UPDATED));
}

/* Start a JSON answer with status, its object open. */
static void
json_begin(struct mp_resp *w, struct mp_jw *jw, int status)
{

	mp_resp_jw_begin(w, jw, status);
	mp_jw_obj(jw, NULL);
}

/* Send o (which this takes over) as the JSON body with status. */
static enum mp_err
send_json(struct mp_req *r, struct mp_resp *w, int status,
    struct json_object *o)
{
	mp_json_own(r->ctx.a, o);
	return mp_resp_json(r, w, status, o);
}

/* The page number field (1 when absent), as an offset. */
static int
page_offset(struct mp_req *r, int *page)
{
	const struct mp_value	*v = mp_req_val(r, "page");

	*page = v && v->present ? (int)v->i : 1;
	return (*page - 1) * PAGE_SIZE;
}

/* A text field's value or NULL when it is absent or empty. */
static const char *
field(struct mp_req *r, const char *name)
{
	const struct mp_value	*v = mp_req_val(r, name);

	return v && v->present && v->len > 0 ? v->s : NULL;
}

static const char *
locale_of(struct mp_req *r)
{
	const char	*l = field(r, "locale");

	return l ? l : "en";
}

/*
 * GET /help: the search box, the categories with their article counts
 * (children nested under their parent) and the popular articles.
 */
enum mp_err
mp_kb_index(struct mp_req *r, struct mp_resp *w)
{
	HDF		*hdf = mp_hdf(r);
	struct mp_res	*res;
	const char	*p[1] = { "8" };
	char		*pre;
	int		 i, top = -1, child = 0;
	enum mp_err	 rc;

	mp_kb_page(r, hdf);
	if ((rc = mp_q(&r->ctx, &stmts[KB_CATS], 0, NULL, &res)) != MP_OK)
		return rc;
	for (i = 0; i < mp_res_rows(res); i++) {
		if (*mp_res_get(res, i, 3) == '\0') {
			top++;
			child = 0;
			pre = mp_printf(r->ctx.a, "Kb.Categories.%d", top);
		} else if (top >= 0)
			pre = mp_printf(r->ctx.a, "Kb.Categories.%d.Children.%d",
			    top, child++);
		else
			continue;
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.Slug", pre),
		    mp_res_get(res, i, 0));
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.Name", pre),
		    mp_res_get(res, i, 1));
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.Description", pre),
		    mp_res_get(res, i, 2));
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.Count", pre),
		    mp_res_get(res, i, 4));
	}
	if ((rc = mp_q(&r->ctx, &stmts[KB_POPULAR], 1, p, &res)) != MP_OK)
		return rc;
	for (i = 0; i < mp_res_rows(res); i++)
		hdf_card(r, hdf, mp_printf(r->ctx.a, "Kb.Popular.%d", i), res, i);
	mp_hdf_set(hdf, "Page.Title", "Help center");
	mp_hdf_set(hdf, "Page.Description", mp_printf(r->ctx.a,
	    "Answers and guides from %s: domains, email, SSL, WordPress, "
	    "billing and backups.", r->ctx.tenant->name));
	mp_hdf_set(hdf, "Page.Canonical", mp_printf(r->ctx.a, "%s/help",
	    mp_origin(&r->ctx)));
	return mp_render(r, w, 200, "kb/index.cs", hdf);
}

/*
 * Run a search for q (not blank) in locale, with optional tag and
 * category filters.  On MP_OK *res holds the rows (see KB_SEARCH), *total
 * the number of matches and *capped whether that number stopped at the
 * cap (1,000: there are more); the search is counted in the daily rollup
 * when log is set (pages, not keystrokes).  The query's expansion is
 * passed from this responder's memo when it has one, and a new one the
 * search returns is kept.
 */
static enum mp_err
run_search(struct mp_req *r, const char *q, const char *locale,
    const char *tag, const char *cat, int limit, int offset, int log,
    struct mp_res **res, long *total, int *capped)
{
	struct mp_kb_memo	 m = { NULL, NULL, NULL, NULL, NULL };
	const char		*p[11];
	char			*norm;
	enum mp_err		 rc;
	int64_t			 tenant = r->ctx.tenant->id;

	mp_kb_memo_get(r->ctx.a, tenant, locale, q, &m);
	p[0] = q;
	p[1] = locale;
	p[2] = mp_printf(r->ctx.a, "%d", limit);
	p[3] = mp_printf(r->ctx.a, "%d", offset);
	p[4] = tag;
	p[5] = cat;
	p[6] = m.gen;
	p[7] = m.concepts;
	p[8] = m.typed;
	p[9] = m.fired;
	p[10] = m.hq;
	if ((rc = mp_q(&r->ctx, &stmts[KB_SEARCH], 11, p, res)) != MP_OK)
		return rc;
	if (mp_res_rows(*res) > 0 && !mp_res_isnull(*res, 0, KB_SEARCH_MEMO)) {
		m.gen = mp_res_get(*res, 0, KB_SEARCH_MEMO);
		m.concepts = mp_res_get(*res, 0, KB_SEARCH_MEMO + 1);
		m.typed = mp_res_get(*res, 0, KB_SEARCH_MEMO + 2);
		m.fired = mp_res_isnull(*res, 0, KB_SEARCH_MEMO + 3) ? NULL :
		    mp_res_get(*res, 0, KB_SEARCH_MEMO + 3);
		m.hq = mp_res_get(*res, 0, 16);
		mp_kb_memo_put(tenant, locale, q, &m);
	}
	*total = mp_res_rows(*res) > 0 ? (long)mp_res_int(*res, 0, 9) : 0;
	*capped = mp_res_rows(*res) > 0 && mp_res_bool(*res, 0, 13);
	norm = mp_kb_norm_query(r->ctx.a, q);
	if (log && *norm != '\0' && offset == 0)
		return mp_kb_count_search(r, norm, *total);
	return MP_OK;
}

/*
 * A "did you mean" for q in locale, made of words the published articles
 * have, or NULL when every word of q is known.
 */
static const char *
did_you_mean(struct mp_req *r, const char *q, const char *locale)
{
	struct mp_res	*res;
	const char	*p[2] = { q, locale }, *s;
	char		*norm;

	if (mp_q(&r->ctx, &stmts[KB_DIDYOUMEAN], 2, p, &res) != MP_OK ||
	    mp_res_rows(res) == 0 || (s = mp_res_get(res, 0, 0)) == NULL)
		return NULL;
	norm = mp_kb_norm_query(r->ctx.a, q);
	if (strcmp(norm, s) == 0 || *s == '\0')
		return NULL;
	return s;
}

/*
 * Whether to look for a "did you mean": nothing was found, or the best
 * hit covers only part of the query (a word may be misspelt).
 */
static int
want_dym(const struct mp_res *res, long total)
{
	return total == 0 || (mp_res_rows(res) > 0 &&
	    atof(mp_res_get(res, 0, 14)) < 0.999);
}

/*
 * The synonym groups q fires in locale, as JSON [[term, ...], ...]
 * (arena text), or NULL for none.  res is a KB_SEARCH result; when it is
 * empty the groups are asked for on their own.
 */
static const char *
fired_json(struct mp_req *r, const char *q, const char *locale,
    const struct mp_res *res)
{
	struct mp_res	*f;
	const char	*p[2] = { q, locale };

	if (mp_res_rows(res) > 0)
		return mp_res_isnull(res, 0, 15) ? NULL :
		    mp_res_get(res, 0, 15);
	if (mp_q(&r->ctx, &stmts[KB_FIRED], 2, p, &f) != MP_OK ||
	    mp_res_rows(f) == 0 || mp_res_isnull(f, 0, 0))
		return NULL;
	return mp_res_get(f, 0, 0);
}

/* The way on from a search that found nothing: the contact form's path. */
static char *
contact_path(struct mp_req *r, const char *q)
{
	return mp_printf(r->ctx.a, "/help/contact?q=%s",
	    mp_kb_url_escape(r->ctx.a, q));
}

/* "categories": the closest categories to q, [{slug, name, url}]. */
static void
jw_closest(struct mp_jw *jw, struct mp_req *r, const struct mp_res *res)
{
	int	 i;

	mp_jw_arr(jw, "categories");
	for (i = 0; i < mp_res_rows(res); i++) {
		mp_jw_obj(jw, NULL);
		mp_jw_str(jw, "slug", mp_res_get(res, i, 0));
		mp_jw_str(jw, "name", mp_res_get(res, i, 1));
		mp_jw_str(jw, "url", mp_printf(r->ctx.a, "/help/categories/%s",
		    mp_res_get(res, i, 0)));
		mp_jw_end(jw);
	}
	mp_jw_end(jw);
}

/*
 * The lexemes a KB_SEARCH result's snippets mark (its hq column, the same
 * in every row), space separated; "" for no rows.
 */
static const char *
hit_lexemes(struct mp_req *r, const struct mp_res *res)
{
	return mp_res_rows(res) > 0 ?
	    mp_kb_query_lexemes(r->ctx.a, mp_res_get(res, 0, 16)) : "";
}

/*
 * The HTML of the snippet of row i of a KB_SEARCH result in locale, with
 * lex (hit_lexemes) marked: its escaped text with our <mark> tags only.
 */
static char *
snippet_html(struct mp_req *r, struct mp_res *res, int i, const char *locale,
    const char *lex)
{
	struct mp_buf	 b;
	char		*s;

	mp_buf_init(&b, 0);
	mp_kb_snippet_html(r->ctx.a, &b, mp_res_get(res, i, 12), lex,
	    strncmp(locale, "en", 2) == 0);
	s = mp_strdup(r->ctx.a, mp_buf_cstr(&b));
	mp_buf_free(&b);
	return s;
}

/* Kb.Synonyms.N: the fired groups, each its terms joined for reading. */
static void
hdf_fired(struct mp_req *r, HDF *hdf, const char *js)
{
	struct mp_jrow	*g;
	struct mp_buf	 b;
	long		 i, n = mp_json_rows(r->ctx.a, js, &g);
	size_t		 j;
	char		 name[32];

	mp_buf_init(&b, 0);
	for (i = 0; i < n; i++) {
		mp_buf_reset(&b);
		for (j = 0; j < g[i].n; j++)
			if (g[i].v[j] != NULL) {
				if (b.len > 0)
					mp_buf_puts(&b, ", ");
				mp_buf_puts(&b, g[i].v[j]);
			}
		snprintf(name, sizeof(name), "Kb.Synonyms.%ld", i);
		mp_hdf_set(hdf, name, mp_buf_cstr(&b));
	}
	mp_buf_free(&b);
}

/*
 * GET /help/search?q=&page=: ranked results with a highlighted snippet of
 * each hit's best section and a deep link to it, ten a page, "did you
 * mean" when nothing matches.  Never indexed.  A blank query shows the
 * search box alone.
 */
enum mp_err
mp_kb_search_page(struct mp_req *r, struct mp_resp *w)
{
	HDF		*hdf = mp_hdf(r), *n;
	const char	*q = field(r, "q"), *dym, *anchor, *nq, *lex, *p[1];
	struct mp_res	*res;
	long		 total = 0;
	int		 i, page, offset, pages, capped = 0;
	char		*pre;
	enum mp_err	 rc;

	mp_kb_page(r, hdf);
	mp_hdf_set(hdf, "Page.NoIndex", "1");
	mp_hdf_set(hdf, "Page.Title", q ? mp_printf(r->ctx.a, "Search: %s", q) :
	    "Search the help center");
	offset = page_offset(r, &page);
	if (q == NULL || *mp_kb_norm_query(r->ctx.a, q) == '\0')
		return mp_render(r, w, 200, "kb/search.cs", hdf);
	mp_hdf_set(hdf, "Kb.Query", q);
	if ((rc = run_search(r, q, locale_of(r), NULL, NULL, PAGE_SIZE,
	    offset, 1, &res, &total, &capped)) != MP_OK)
		return rc;
	nq = mp_kb_norm_query(r->ctx.a, q);
	lex = hit_lexemes(r, res);
	for (i = 0; i < mp_res_rows(res); i++) {
		n = hdf_hit(r, hdf, mp_printf(r->ctx.a, "Kb.Results.%d", i),
		    res, i);
		/* The link carries the query so a click is counted. */
		mp_hdf_set(n, "Query", nq);
		anchor = mp_res_get(res, i, 10);
		if (anchor != NULL && *anchor != '\0') {
			mp_hdf_set(n, "Anchor", anchor);
			mp_hdf_set(n, "Section", mp_res_get(res, i, 11));
		}
		mp_hdf_set(n, "SnippetHtml", snippet_html(r, res, i,
		    locale_of(r), lex));
	}
	/* No hits: the layout reads the brand itself. */
	if (mp_res_rows(res) > 0)
		mp_brand_fill(r, hdf, res, 0, KB_SEARCH_BRAND);
	pages = (int)((total + PAGE_SIZE - 1) / PAGE_SIZE);
	if (pages > MAX_PAGE)
		pages = MAX_PAGE;
	mp_hdf_setf(hdf, "Kb.Total", "%ld", total);
	if (capped)
		mp_hdf_set(hdf, "Kb.TotalCapped", "1");
	mp_hdf_setf(hdf, "Kb.Page", "%d", page);
	mp_hdf_setf(hdf, "Kb.Pages", "%d", pages);
	if (page > 1)
		mp_hdf_setf(hdf, "Kb.PrevPage", "%d", page - 1);
	if (page < pages)
		mp_hdf_setf(hdf, "Kb.NextPage", "%d", page + 1);
	if (want_dym(res, total) && (dym = did_you_mean(r, q,
	    locale_of(r))) != NULL)
		mp_hdf_set(hdf, "Kb.DidYouMean", dym);
	hdf_fired(r, hdf, fired_json(r, q, locale_of(r), res));
	if (total == 0) {
		/* Never a dead end: the closest topics and a person. */
		p[0] = q;
		if ((rc = mp_q(&r->ctx, &stmts[KB_CLOSEST], 1, p, &res)) !=
		    MP_OK)
			return rc;
		for (i = 0; i < mp_res_rows(res); i++) {
			pre = mp_printf(r->ctx.a, "Kb.Closest.%d", i);
			mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.Slug", pre),
			    mp_res_get(res, i, 0));
			mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.Name", pre),
			    mp_res_get(res, i, 1));
			mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.Description",
			    pre), mp_res_get(res, i, 2));
		}
		mp_hdf_set(hdf, "Kb.ContactHref", contact_path(r, q));
	}
	return mp_render(r, w, 200, "kb/search.cs", hdf);
}

/*
 * Split "{id}-{slug}" into the public id and the slug (which may be
 * empty).  Returns 0 when the id part is not a public id.
 */
static int
split_ref(struct mp_req *r, const char *ref, char **id, const char **slug)
{
	const char	*dash = strchr(ref, '-');
	size_t		 n = dash ? (size_t)(dash - ref) : strlen(ref);
	size_t		 i;

	if (n < 8 || n > 32)
		return 0;
	for (i = 0; i < n; i++)
		if (!((ref[i] >= '0' && ref[i] <= '9') ||
		    (ref[i] >= 'a' && ref[i] <= 'z')))
			return 0;
	*id = mp_strndup(r->ctx.a, ref, n);
	*slug = dash ? dash + 1 : "";
	return 1;
}

/* One ListItem of a BreadcrumbList. */
static void
jsonld_crumb(struct mp_jw *jw, int pos, const char *name, const char *item)
{

	mp_jw_obj(jw, NULL);
	mp_jw_str(jw, "@type", "ListItem");
	mp_jw_int(jw, "position", pos);
	mp_jw_str(jw, "name", name);
	mp_jw_str(jw, "item", item);
	mp_jw_end(jw);
}

/*
 * The JSON-LD of an article page: Article plus its BreadcrumbList, with
 * '<', '>' and '&' escaped so that it can sit in a <script> element.
 * Arena memory.
 */
static char *
article_jsonld(struct mp_req *r, const struct mp_res *res, const char *url)
{
	const char	*origin = mp_origin(&r->ctx), *s;
	struct mp_buf	 b;
	struct mp_jw	 jw;
	char		*out;
	int		 pos = 1;

	mp_buf_init(&b, 0);
	mp_jw_init(&jw, &b);
	jw.script = 1;
	mp_jw_arr(&jw, NULL);
	mp_jw_obj(&jw, NULL);
	mp_jw_str(&jw, "@context", "https://schema.org");
	mp_jw_str(&jw, "@type", "Article");
	mp_jw_str(&jw, "headline", mp_res_get(res, 0, C_TITLE));
	mp_jw_str(&jw, "description", mp_res_get(res, 0, C_SUMMARY));
	mp_jw_str(&jw, "datePublished", mp_res_get(res, 0, A_PUBLISHED));
	mp_jw_str(&jw, "dateModified", mp_res_get(res, 0, C_UPDATED));
	mp_jw_str(&jw, "inLanguage", mp_res_get(res, 0, A_LOCALE));
	mp_jw_str(&jw, "mainEntityOfPage", url);
	mp_jw_obj(&jw, "publisher");
	mp_jw_str(&jw, "@type", "Organization");
	mp_jw_str(&jw, "name", r->ctx.tenant->name);
	mp_jw_end(&jw);
	mp_jw_end(&jw);

	mp_jw_obj(&jw, NULL);
	mp_jw_str(&jw, "@context", "https://schema.org");
	mp_jw_str(&jw, "@type", "BreadcrumbList");
	mp_jw_arr(&jw, "itemListElement");
	jsonld_crumb(&jw, pos++, "Help center",
	    mp_printf(r->ctx.a, "%s/help", origin));
	if (*(s = mp_res_get(res, 0, A_PSLUG)) != '\0')
		jsonld_crumb(&jw, pos++, mp_res_get(res, 0, A_PNAME),
		    mp_printf(r->ctx.a, "%s/help/categories/%s", origin, s));
	if (*(s = mp_res_get(res, 0, C_CSLUG)) != '\0')
		jsonld_crumb(&jw, pos++, mp_res_get(res, 0, C_CNAME),
		    mp_printf(r->ctx.a, "%s/help/categories/%s", origin, s));
	jsonld_crumb(&jw, pos, mp_res_get(res, 0, C_TITLE), url);
	mp_jw_end(&jw);
	mp_jw_end(&jw);
	mp_jw_end(&jw);
	out = mp_strdup(r->ctx.a, mp_buf_cstr(&b));
	mp_buf_free(&b);
	return out;
}

/*
 * Value i of a stored JSON row, "" when the row is short or the value is
 * null.
 */
static const char *
jval(const struct mp_jrow *row, size_t i)
{
	return i < row->n && row->v[i] != NULL ? row->v[i] : "";
}

/*
 * Kb.Toc.* and Kb.Related.* from the article row's stored JSON: the
 * contents [[level, anchor, heading], ...] and the related links
 * [[public id, slug, title], ...].
 */
static void
hdf_toc_related(struct mp_req *r, HDF *hdf, const struct mp_res *res)
{
	struct mp_jrow	*rows;
	HDF		*list = NULL, *e;
	long		 i, n;
	char		 key[24];

	n = mp_json_rows(r->ctx.a, mp_res_get(res, 0, A_TOC), &rows);
	if (n > 0)
		list = mp_hdf_node(hdf, "Kb.Toc");
	for (i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "%ld", i);
		e = mp_hdf_node(list, key);
		mp_hdf_set(e, "Level", jval(&rows[i], 0));
		mp_hdf_set(e, "Anchor", jval(&rows[i], 1));
		mp_hdf_set(e, "Heading", jval(&rows[i], 2));
	}
	n = mp_json_rows(r->ctx.a, mp_res_get(res, 0, A_RELATED), &rows);
	if (n > 0)
		list = mp_hdf_node(hdf, "Kb.Related");
	for (i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "%ld", i);
		e = mp_hdf_node(list, key);
		mp_hdf_set(e, "Href", mp_kb_article_path(r->ctx.a,
		    jval(&rows[i], 0), jval(&rows[i], 1)));
		mp_hdf_set(e, "Title", jval(&rows[i], 2));
	}
}

/* One published translation of an article. */
struct kb_trans {
	const char	*locale;
	const char	*id;
	const char	*slug;
};

/*
 * The article row's published translations (its A_TRANS column, JSON
 * [[locale, id, slug], ...]) into *out: how many, 0 for none.  Arena
 * memory.
 */
static size_t
translations(struct mp_req *r, const struct mp_res *res, struct kb_trans **out)
{
	struct mp_jrow	*rows;
	long		 i, n;

	*out = NULL;
	if ((n = mp_json_rows(r->ctx.a, mp_res_get(res, 0, A_TRANS), &rows)) <= 0)
		return 0;
	*out = mp_alloc(r->ctx.a, (size_t)n * sizeof(**out));
	for (i = 0; i < n; i++) {
		(*out)[i].locale = jval(&rows[i], 0);
		(*out)[i].id = jval(&rows[i], 1);
		(*out)[i].slug = jval(&rows[i], 2);
	}
	return (size_t)n;
}

/*
 * The article's published translations: alternate links with hreflang
 * (its own language too, as search engines want) and Kb.Translations.*
 * for the page.  Nothing when it has none.
 */
static void
hdf_translations(struct mp_req *r, HDF *hdf, const struct mp_res *res,
    const char *url)
{
	struct kb_trans	*t;
	const char	*href;
	size_t		 i, n;

	if ((n = translations(r, res, &t)) == 0)
		return;
	/* Page.Links 0 and 1 are the stylesheet and the feed (mp_kb_page). */
	mp_hdf_set(hdf, "Page.Links.2.Rel", "alternate");
	mp_hdf_set(hdf, "Page.Links.2.Hreflang", mp_res_get(res, 0, A_LOCALE));
	mp_hdf_set(hdf, "Page.Links.2.Href", url);
	for (i = 0; i < n; i++) {
		href = mp_kb_article_path(r->ctx.a, t[i].id, t[i].slug);
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "Page.Links.%zu.Rel", i + 3),
		    "alternate");
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "Page.Links.%zu.Hreflang",
		    i + 3), t[i].locale);
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "Page.Links.%zu.Href", i + 3),
		    mp_printf(r->ctx.a, "%s%s", mp_origin(&r->ctx), href));
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "Kb.Translations.%zu.Locale", i),
		    t[i].locale);
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "Kb.Translations.%zu.Href", i),
		    href);
	}
}

/*
 * GET /help/articles/{id}-{slug}: the article with its table of contents,
 * breadcrumb, tags, related articles and the vote form.  A stale or
 * missing slug 301s to the current URL; drafts, archived articles and
 * other tenants' articles are 404.  Counts one view in today's rollup
 * row, and a click for ?q= (links from the search page).
 */
enum mp_err
mp_kb_article_page(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*ref = mp_req_cap(r, "ref");
	const char		*slug, *p[1], *q = field(r, "q"), *voted;
	HDF			*hdf;
	struct mp_res		*res;
	char			*id, *path, *url;
	enum mp_err		 rc;

	if (!split_ref(r, ref->s, &id, &slug))
		return MP_ENOTFOUND;
	p[0] = id;
	if ((rc = mp_q(&r->ctx, &stmts[KB_ARTICLE], 1, p, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) == 0)
		return mp_req_fail(r, MP_ENOTFOUND, NULL,
		    "There is no published help article at this address.");
	path = mp_kb_article_path(r->ctx.a, id, mp_res_get(res, 0, C_SLUG));
	if (strcmp(slug, mp_res_get(res, 0, C_SLUG)) != 0) {
		mp_resp_header(w, "Cache-Control", "public, max-age=300");
		return mp_resp_redirect(w, 301, path);
	}
	hdf = mp_hdf(r);
	mp_kb_page(r, hdf);
	url = mp_printf(r->ctx.a, "%s%s", mp_origin(&r->ctx), path);
	hdf_card(r, hdf, "Kb.Article", res, 0);
	mp_hdf_set(hdf, "Kb.Article.BodyHtml", mp_res_get(res, 0, A_HTML));
	mp_hdf_set(hdf, "Kb.Article.Author", mp_res_get(res, 0, A_AUTHOR));
	mp_hdf_set(hdf, "Kb.Article.Parent.Slug", mp_res_get(res, 0, A_PSLUG));
	mp_hdf_set(hdf, "Kb.Article.Parent.Name", mp_res_get(res, 0, A_PNAME));
	mp_hdf_set(hdf, "Kb.Article.Url", url);
	mp_hdf_set(hdf, "Kb.Article.JsonLdHtml", article_jsonld(r, res, url));
	hdf_toc_related(r, hdf, res);
	hdf_translations(r, hdf, res, url);
	if ((voted = field(r, "voted")) != NULL)
		mp_hdf_set(hdf, "Kb.Voted", strcmp(voted, "dup") == 0 ?
		    "dup" : "yes");
	mp_hdf_set(hdf, "Page.Title", *mp_res_get(res, 0, A_MTITLE) ?
	    mp_res_get(res, 0, A_MTITLE) : mp_res_get(res, 0, C_TITLE));
	mp_hdf_set(hdf, "Page.Description", *mp_res_get(res, 0, A_MDESC) ?
	    mp_res_get(res, 0, A_MDESC) : mp_res_get(res, 0, C_SUMMARY));
	mp_hdf_set(hdf, "Page.Canonical", url);
	mp_hdf_set(hdf, "Page.Meta.0.Property", "og:type");
	mp_hdf_set(hdf, "Page.Meta.0.Content", "article");
	mp_hdf_set(hdf, "Page.Meta.1.Property", "og:title");
	mp_hdf_set(hdf, "Page.Meta.1.Content", mp_res_get(res, 0, C_TITLE));
	mp_hdf_set(hdf, "Page.Meta.2.Property", "og:description");
	mp_hdf_set(hdf, "Page.Meta.2.Content", mp_res_get(res, 0, C_SUMMARY));
	mp_hdf_set(hdf, "Page.Meta.3.Property", "og:url");
	mp_hdf_set(hdf, "Page.Meta.3.Content", url);
	mp_hdf_set(hdf, "Page.Meta.4.Property", "og:site_name");
	mp_hdf_set(hdf, "Page.Meta.4.Content", r->ctx.tenant->name);
	mp_hdf_set(hdf, "Page.Meta.5.Property", "article:modified_time");
	mp_hdf_set(hdf, "Page.Meta.5.Content", mp_res_get(res, 0, C_UPDATED));
	mp_hdf_set(hdf, "Page.Lang", mp_res_get(res, 0, A_LOCALE));
	/*
	 * The vote form carries the session's token when signed in; an
	 * anonymous visitor's page is nginx's shared copy, so none (the
	 * vote routes are MP_R_ANONFORM).
	 */
	if (r->sess != NULL)
		mp_hdf_csrf(r, hdf);
	else
		mp_hdf_set(hdf, "Session.Csrf", "");
	mp_brand_fill(r, hdf, res, 0, A_BRAND);
	if ((rc = mp_render(r, w, 200, "kb/article.cs", hdf)) != MP_OK)
		return rc;
	if ((rc = mp_kb_count_view(r, mp_res_get(res, 0, A_ID))) != MP_OK)
		return rc;
	return q != NULL ? mp_kb_count_click(r, mp_kb_norm_query(r->ctx.a, q)) :
	    MP_OK;
}

/*
 * The visitor's hash for vote deduplication: SHA-256 of the random
 * visitor cookie, which is set (for 400 days) when missing or malformed.
 */
static char *
visitor_hash(struct mp_req *r, struct mp_resp *w)
{
	const char	*c = mp_req_cookie(r, VISITOR_COOKIE);
	struct mp_value	 v;
	const char	*why;

	if (c == NULL || mp_validate(MP_V_TOKEN, c, strlen(c), 43, 43, &v,
	    &why) != MP_OK) {
		c = mp_token(r->ctx.a, 32);
		mp_resp_cookie(r, w, VISITOR_COOKIE, c, VISITOR_MAXAGE);
	}
	return mp_sha256_hex(r->ctx.a, c, strlen(c));
}

/*
 * Record one vote on the published article with public id pubid.
 * Returns MP_ENOTFOUND for no such article, MP_ECONFLICT when this
 * visitor already voted on it today.
 */
static enum mp_err
vote(struct mp_req *r, struct mp_resp *w, const char *pubid)
{
	const struct mp_value	*h = mp_req_val(r, "helpful");
	const char		*p[4];
	struct mp_res		*res;
	enum mp_err		 rc;

	if (h == NULL || !h->present)
		return mp_req_fail(r, MP_EINPUT, "helpful",
		    "Say whether the article helped: helpful is yes or no.");
	p[0] = pubid;
	p[1] = visitor_hash(r, w);
	p[2] = h->i ? "true" : "false";
	p[3] = field(r, "reason") ? field(r, "reason") : "";
	if ((rc = mp_q(&r->ctx, &stmts[KB_VOTE], 4, p, &res)) != MP_OK)
		return rc;
	if (mp_res_int(res, 0, 0) == 0)
		return mp_req_fail(r, MP_ENOTFOUND, NULL,
		    "There is no published help article with this id.");
	if (mp_res_int(res, 0, 1) == 0)
		return mp_req_fail(r, MP_ECONFLICT, NULL,
		    "You already voted on this article today. Thank you!");
	return MP_OK;
}

/*
 * POST /help/articles/{id}-{slug}/vote (form): 303 back to the article
 * with a thank-you (or "already voted") note at the vote box.
 */
enum mp_err
mp_kb_vote_form(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*ref = mp_req_cap(r, "ref");
	const char		*slug;
	char			*id;
	enum mp_err		 rc;

	if (!split_ref(r, ref->s, &id, &slug))
		return MP_ENOTFOUND;
	rc = vote(r, w, id);
	if (rc == MP_ECONFLICT)
		return mp_resp_redirect(w, 303, mp_printf(r->ctx.a,
		    "/help/articles/%s-%s?voted=dup#vote", id, slug));
	if (rc != MP_OK)
		return rc;
	return mp_resp_redirect(w, 303, mp_printf(r->ctx.a,
	    "/help/articles/%s-%s?voted=yes#vote", id, slug));
}

/*
 * POST /api/kb/articles/{id}/vote {"helpful": true, "reason": "..."}:
 * 201 {"recorded": true}; 409 when already voted today; 404 unknown.
 */
enum mp_err
mp_kb_api_vote(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*id = mp_req_cap(r, "id");
	struct json_object	*o;
	enum mp_err		 rc;

	if ((rc = vote(r, w, id->s)) != MP_OK)
		return rc;
	o = json_object_new_object();
	json_object_object_add(o, "recorded", json_object_new_boolean(1));
	json_object_object_add(o, "message", json_object_new_string(
	    "Thank you for your feedback."));
	return send_json(r, w, 201, o);
}

/*
 * Fill Kb.Results from a KB_LIST result and the pager fields; shared by
 * the category and tag pages.
 */
static void
hdf_list(struct mp_req *r, HDF *hdf, struct mp_res *res, int page)
{
	long	 total = mp_res_rows(res) ? (long)mp_res_int(res, 0, C__N + 1) : 0;
	int	 i, pages = (int)((total + PAGE_SIZE - 1) / PAGE_SIZE);

	for (i = 0; i < mp_res_rows(res); i++)
		hdf_card(r, hdf, mp_printf(r->ctx.a, "Kb.Results.%d", i), res, i);
	if (pages > MAX_PAGE)
		pages = MAX_PAGE;
	mp_hdf_setf(hdf, "Kb.Total", "%ld", total);
	mp_hdf_setf(hdf, "Kb.Page", "%d", page);
	if (page > 1)
		mp_hdf_setf(hdf, "Kb.PrevPage", "%d", page - 1);
	if (page < pages)
		mp_hdf_setf(hdf, "Kb.NextPage", "%d", page + 1);
}

/* GET /help/categories/{slug}: the category, its children and articles. */
enum mp_err
mp_kb_category_page(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*slug = mp_req_cap(r, "slug");
	const char		*p[4];
	HDF			*hdf;
	struct mp_res		*res, *kids;
	int			 i, page, offset;
	enum mp_err		 rc;

	p[0] = slug->s;
	if ((rc = mp_q(&r->ctx, &stmts[KB_CATEGORY], 1, p, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) == 0)
		return mp_req_fail(r, MP_ENOTFOUND, NULL,
		    "There is no help category at this address.");
	hdf = mp_hdf(r);
	mp_kb_page(r, hdf);
	mp_hdf_set(hdf, "Kb.Category.Slug", mp_res_get(res, 0, 1));
	mp_hdf_set(hdf, "Kb.Category.Name", mp_res_get(res, 0, 2));
	mp_hdf_set(hdf, "Kb.Category.Description", mp_res_get(res, 0, 3));
	mp_hdf_set(hdf, "Kb.Category.Parent.Slug", mp_res_get(res, 0, 4));
	mp_hdf_set(hdf, "Kb.Category.Parent.Name", mp_res_get(res, 0, 5));
	mp_hdf_set(hdf, "Page.Title", mp_res_get(res, 0, 2));
	if (*mp_res_get(res, 0, 3) != '\0')
		mp_hdf_set(hdf, "Page.Description", mp_res_get(res, 0, 3));
	mp_hdf_set(hdf, "Page.Canonical", mp_printf(r->ctx.a,
	    "%s/help/categories/%s", mp_origin(&r->ctx), slug->s));
	p[0] = mp_res_get(res, 0, 0);
	if ((rc = mp_q(&r->ctx, &stmts[KB_CHILDREN], 1, p, &kids)) != MP_OK)
		return rc;
	for (i = 0; i < mp_res_rows(kids); i++) {
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "Kb.Children.%d.Slug", i),
		    mp_res_get(kids, i, 0));
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "Kb.Children.%d.Name", i),
		    mp_res_get(kids, i, 1));
	}
	offset = page_offset(r, &page);
	p[0] = NULL;
	p[1] = slug->s;
	p[2] = mp_printf(r->ctx.a, "%d", PAGE_SIZE);
	p[3] = mp_printf(r->ctx.a, "%d", offset);
	if ((rc = mp_q(&r->ctx, &stmts[KB_LIST], 4, p, &res)) != MP_OK)
		return rc;
	hdf_list(r, hdf, res, page);
	return mp_render(r, w, 200, "kb/category.cs", hdf);
}

/* GET /help/tags/{tag}: the published articles with this tag. */
enum mp_err
mp_kb_tag_page(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*tag = mp_req_cap(r, "tag");
	const char		*p[4];
	HDF			*hdf;
	struct mp_res		*res;
	int			 page, offset;
	enum mp_err		 rc;

	offset = page_offset(r, &page);
	p[0] = tag->s;
	p[1] = NULL;
	p[2] = mp_printf(r->ctx.a, "%d", PAGE_SIZE);
	p[3] = mp_printf(r->ctx.a, "%d", offset);
	if ((rc = mp_q(&r->ctx, &stmts[KB_LIST], 4, p, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) == 0 && page == 1)
		return mp_req_fail(r, MP_ENOTFOUND, NULL,
		    "No published help article has this tag.");
	hdf = mp_hdf(r);
	mp_kb_page(r, hdf);
	mp_hdf_set(hdf, "Kb.Tag", tag->s);
	mp_hdf_set(hdf, "Page.Title", mp_printf(r->ctx.a, "Articles tagged %s",
	    tag->s));
	mp_hdf_set(hdf, "Page.Canonical", mp_printf(r->ctx.a, "%s/help/tags/%s",
	    mp_origin(&r->ctx), tag->s));
	hdf_list(r, hdf, res, page);
	return mp_render(r, w, 200, "kb/tag.cs", hdf);
}

/*
 * GET /api/kb/articles?q=&tag=&category=&limit=&offset=: a search when q
 * is given (ranked, with snippets as HTML), else the list; both say the
 * total.
 */
enum mp_err
mp_kb_api_articles(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*lv = mp_req_val(r, "limit");
	const struct mp_value	*ov = mp_req_val(r, "offset");
	const char		*q = field(r, "q"), *p[4];
	int			 limit = lv && lv->present ? (int)lv->i : 10;
	int			 offset = ov && ov->present ? (int)ov->i : 0;
	struct mp_jw		 jw;
	struct mp_res		*res;
	long			 total = 0;
	const char		*dym, *js, *lex = "";
	int			 i, search, capped = 0;
	enum mp_err		 rc;

	if (q == NULL)
		q = field(r, "search");	/* the old platform's name */
	search = q != NULL && *mp_kb_norm_query(r->ctx.a, q) != '\0';
	if (search) {
		if ((rc = run_search(r, q, locale_of(r), field(r, "tag"),
		    field(r, "category"), limit, offset, 1, &res, &total,
		    &capped)) != MP_OK)
			return rc;
		lex = hit_lexemes(r, res);
	} else {
		p[0] = field(r, "tag");
		p[1] = field(r, "category");
		p[2] = mp_printf(r->ctx.a, "%d", limit);
		p[3] = mp_printf(r->ctx.a, "%d", offset);
		if ((rc = mp_q(&r->ctx, &stmts[KB_LIST], 4, p, &res)) != MP_OK)
			return rc;
		total = mp_res_rows(res) ? (long)mp_res_int(res, 0, 9) : 0;
	}
	json_begin(w, &jw, 200);
	mp_jw_arr(&jw, "articles");
	for (i = 0; i < mp_res_rows(res); i++) {
		mp_jw_obj(&jw, NULL);
		jw_card(&jw, r, res, i);
		if (search) {
			mp_jw_double(&jw, "rank", atof(mp_res_get(res, i, 8)));
			mp_jw_double(&jw, "coverage",
			    atof(mp_res_get(res, i, 14)));
			mp_jw_str(&jw, "section", mp_res_isnull(res, i, 10) ||
			    *mp_res_get(res, i, 10) == '\0' ? NULL :
			    mp_res_get(res, i, 10));
			mp_jw_str(&jw, "snippet_html", snippet_html(r, res, i,
			    locale_of(r), lex));
		}
		mp_jw_end(&jw);
	}
	mp_jw_end(&jw);
	mp_jw_int(&jw, "total", total);
	if (search)
		mp_jw_bool(&jw, "total_capped", capped);
	mp_jw_int(&jw, "limit", limit);
	mp_jw_int(&jw, "offset", offset);
	if (search && want_dym(res, total) && (dym = did_you_mean(r, q,
	    locale_of(r))) != NULL)
		mp_jw_str(&jw, "did_you_mean", dym);
	if (search) {
		/* PostgreSQL's json_agg of the groups' terms, as it is. */
		if ((js = fired_json(r, q, locale_of(r), res)) != NULL &&
		    js[0] == '[')
			mp_jw_raw(&jw, "synonyms", js, strlen(js));
		else {
			mp_jw_arr(&jw, "synonyms");
			mp_jw_end(&jw);
		}
	}
	if (search && total == 0) {
		p[0] = q;
		if ((rc = mp_q(&r->ctx, &stmts[KB_CLOSEST], 1, p, &res)) !=
		    MP_OK)
			return rc;
		jw_closest(&jw, r, res);
		mp_jw_str(&jw, "contact_url", contact_path(r, q));
	}
	return mp_resp_jw_end(w, &jw);
}

/* "translations": the published ones, [{"locale", "id", "slug", "url"}]. */
static void
jw_translations(struct mp_jw *jw, struct mp_req *r, const struct mp_res *res)
{
	struct kb_trans	*t;
	size_t		 i, n = translations(r, res, &t);

	mp_jw_arr(jw, "translations");
	for (i = 0; i < n; i++) {
		mp_jw_obj(jw, NULL);
		mp_jw_str(jw, "locale", t[i].locale);
		mp_jw_str(jw, "id", t[i].id);
		mp_jw_str(jw, "slug", t[i].slug);
		mp_jw_str(jw, "url", mp_kb_article_path(r->ctx.a, t[i].id,
		    t[i].slug));
		mp_jw_end(jw);
	}
	mp_jw_end(jw);
}

/*
 * The full JSON of the article in row 0 of an ARTICLE result, as members
 * of the object jw has open.  The table of contents is the stored json
 * as it is.
 */
static void
jw_article(struct mp_jw *jw, struct mp_req *r, const struct mp_res *res)
{
	const char	*s;

	jw_card(jw, r, res, 0);
	mp_jw_str(jw, "html", mp_res_get(res, 0, A_HTML));
	mp_jw_str(jw, "meta_title", mp_res_get(res, 0, A_MTITLE));
	mp_jw_str(jw, "meta_description", mp_res_get(res, 0, A_MDESC));
	mp_jw_str(jw, "locale", mp_res_get(res, 0, A_LOCALE));
	mp_jw_str(jw, "published_at", mp_res_get(res, 0, A_PUBLISHED));
	if ((s = mp_res_get(res, 0, A_TOC)) != NULL && s[0] == '[')
		mp_jw_raw(jw, "toc", s, strlen(s));
	else {
		mp_jw_arr(jw, "toc");
		mp_jw_end(jw);
	}
	jw_translations(jw, r, res);
}

/* GET /api/kb/articles/{slug}: one published article by (any past) slug. */
enum mp_err
mp_kb_api_article(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*slug = mp_req_cap(r, "slug");
	const char		*p[1] = { slug->s };
	struct mp_jw		 jw;
	struct mp_res		*res;
	enum mp_err		 rc;

	if ((rc = mp_q(&r->ctx, &stmts[KB_ARTICLE_SLUG], 1, p, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) == 0)
		return mp_req_fail(r, MP_ENOTFOUND, NULL,
		    "There is no published help article with this slug.");
	if ((rc = mp_kb_count_view(r, mp_res_get(res, 0, A_ID))) != MP_OK)
		return rc;
	json_begin(w, &jw, 200);
	jw_article(&jw, r, res);
	return mp_resp_jw_end(w, &jw);
}

/* GET /api/kb/popular?limit=: most viewed over the last 30 days. */
enum mp_err
mp_kb_api_popular(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*lv = mp_req_val(r, "limit");
	const char		*p[1];
	struct mp_jw		 jw;
	struct mp_res		*res;
	int			 i;
	enum mp_err		 rc;

	p[0] = mp_printf(r->ctx.a, "%d", lv && lv->present ? (int)lv->i : 10);
	if ((rc = mp_q(&r->ctx, &stmts[KB_POPULAR], 1, p, &res)) != MP_OK)
		return rc;
	json_begin(w, &jw, 200);
	mp_jw_arr(&jw, "articles");
	for (i = 0; i < mp_res_rows(res); i++) {
		mp_jw_obj(&jw, NULL);
		jw_card(&jw, r, res, i);
		mp_jw_int(&jw, "views_30d", mp_res_int(res, i, C__N));
		mp_jw_end(&jw);
	}
	mp_jw_end(&jw);
	return mp_resp_jw_end(w, &jw);
}

/* GET /api/kb/tags/{tag}: the published articles with this tag. */
enum mp_err
mp_kb_api_tag(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*tag = mp_req_cap(r, "tag");
	const struct mp_value	*lv = mp_req_val(r, "limit");
	const struct mp_value	*ov = mp_req_val(r, "offset");
	const char		*p[4];
	struct mp_jw		 jw;
	struct mp_res		*res;
	int			 i;
	enum mp_err		 rc;

	p[0] = tag->s;
	p[1] = NULL;
	p[2] = mp_printf(r->ctx.a, "%d", lv && lv->present ? (int)lv->i : 50);
	p[3] = mp_printf(r->ctx.a, "%d", ov && ov->present ? (int)ov->i : 0);
	if ((rc = mp_q(&r->ctx, &stmts[KB_LIST], 4, p, &res)) != MP_OK)
		return rc;
	json_begin(w, &jw, 200);
	mp_jw_str(&jw, "tag", tag->s);
	mp_jw_arr(&jw, "articles");
	for (i = 0; i < mp_res_rows(res); i++) {
		mp_jw_obj(&jw, NULL);
		jw_card(&jw, r, res, i);
		mp_jw_end(&jw);
	}
	mp_jw_end(&jw);
	mp_jw_int(&jw, "total", mp_res_rows(res) ? mp_res_int(res, 0, 9) : 0);
	return mp_resp_jw_end(w, &jw);
}

/*
 * GET /api/kb/suggest?q=: up to 8 titles for the search box as the
 * visitor types.  Fewer than 3 letters or digits: an empty list, without
 * touching the database.  Not logged (keystrokes are not searches).
 */
enum mp_err
mp_kb_api_suggest(struct mp_req *r, struct mp_resp *w)
{
	const char		*q = field(r, "q"), *p[3];
	struct mp_jw		 jw;
	struct mp_res		*res;
	char			*tq;
	int			 i;
	enum mp_err		 rc;

	mp_resp_header(w, "Cache-Control", "private, max-age=60");
	if (q == NULL || (tq = mp_kb_prefix_query(r->ctx.a, q)) == NULL) {
		json_begin(w, &jw, 200);
		mp_jw_arr(&jw, "suggestions");
		mp_jw_end(&jw);
		return mp_resp_jw_end(w, &jw);
	}
	p[0] = tq;
	p[1] = locale_of(r);
	p[2] = "8";
	if ((rc = mp_q(&r->ctx, &stmts[KB_SUGGEST], 3, p, &res)) != MP_OK)
		return rc;
	json_begin(w, &jw, 200);
	mp_jw_arr(&jw, "suggestions");
	for (i = 0; i < mp_res_rows(res); i++) {
		mp_jw_obj(&jw, NULL);
		mp_jw_str(&jw, "title", mp_res_get(res, i, 2));
		mp_jw_str(&jw, "url", mp_kb_article_path(r->ctx.a,
		    mp_res_get(res, i, 0), mp_res_get(res, i, 1)));
		mp_jw_end(&jw);
	}
	mp_jw_end(&jw);
	if (mp_res_rows(res) == 0) {
		/* No title starts so: the closest topics and a person. */
		p[0] = q;
		if ((rc = mp_q(&r->ctx, &stmts[KB_CLOSEST], 1, p, &res)) !=
		    MP_OK)
			return rc;
		jw_closest(&jw, r, res);
		mp_jw_str(&jw, "contact_url", contact_path(r, q));
	}
	return mp_resp_jw_end(w, &jw);
}
