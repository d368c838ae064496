/* Help center, staff side: article list, editor with preview, revisions, report, and their JSON. */
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>
#include <json-c/json.h>

#include "features/kb/extern.h"

#define ADMIN_PAGE	25

/*
 * The synonym groups the logged query s.query fires with today's
 * synonyms (searches are logged without their locale: English), as a
 * JSON array of "a, b, c" texts.
 */
#define SYNONYMS \
	"(SELECT coalesce(json_agg(array_to_string(g.terms, ', ')" \
	" ORDER BY g.id), '[]') FROM kb_synonyms g WHERE g.id = ANY" \
	" ((SELECT e.fired FROM mp_kb_expand(s.query, 'en') e)::bigint[])) AS synonyms"

enum kba_stmt {
	KBA_LIST,
	KBA_GET,
	KBA_REVISIONS,
	KBA_REVISION,
	KBA_CATS,
	KBA_STATUS_COUNTS,
	KBA_TOTALS,
	KBA_TOP_SEARCHES,
	KBA_ZERO_SEARCHES,
	KBA_HELPFUL,
	KBA_FEEDBACK,
	KBA_REASONS,
	KBA__MAX
};

static const struct mp_stmt stmts[] = {
	[KBA_LIST] = { "kba_list",
	    "SELECT a.public_id, a.slug, a.title, a.status,"
	    " coalesce(c.name, ''), to_char(a.updated_at AT TIME ZONE 'UTC',"
	    " 'YYYY-MM-DD HH24:MI'), a.revision, a.author_name,"
	    " count(*) OVER (), coalesce(c.slug, ''),"
	    " array_to_string(a.tags, ',')"
	    " FROM kb_articles a LEFT JOIN kb_categories c"
	    " ON c.tenant_id = a.tenant_id AND c.id = a.category_id"
	    " WHERE ($1::text IS NULL OR a.status = $1)"
	    " AND ($2::text IS NULL OR a.title ILIKE '%' ||"
	    " replace(replace(replace($2, '\\', '\\\\'), '%', '\\%'),"
	    " '_', '\\_') || '%')"
	    " AND ($3::text IS NULL OR c.slug = $3)"
	    " ORDER BY a.updated_at DESC, a.id DESC LIMIT $4 OFFSET $5" },
	[KBA_GET] = { "kba_get",
	    "SELECT a.id, a.public_id, a.slug, a.title, a.summary, a.body_md,"
	    " coalesce(c.slug, ''), array_to_string(a.tags, ', '), a.status,"
	    " a.meta_title, a.meta_description, a.locale, a.boost::text,"
	    " a.revision, to_char(a.updated_at AT TIME ZONE 'UTC',"
	    " 'YYYY-MM-DD HH24:MI'), a.author_name,"
	    " coalesce(o.public_id, '')"
	    " FROM kb_articles a LEFT JOIN kb_categories c"
	    " ON c.tenant_id = a.tenant_id AND c.id = a.category_id"
	    " LEFT JOIN kb_articles o ON o.tenant_id = a.tenant_id"
	    " AND o.id = a.translation_of"
	    " WHERE a.public_id = $1 FOR UPDATE OF a" },
	[KBA_REVISIONS] = { "kba_revisions",
	    "SELECT revision, title, status, author_name,"
	    " to_char(saved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'), slug"
	    " FROM kb_revisions WHERE article_id = $1"
	    " ORDER BY revision DESC LIMIT 200" },
	[KBA_REVISION] = { "kba_revision",
	    "SELECT r.title, r.slug, r.summary, r.body_md,"
	    " coalesce(c.slug, ''), array_to_string(r.tags, ','), r.status,"
	    " r.meta_title, r.meta_description"
	    " FROM kb_revisions r LEFT JOIN kb_categories c"
	    " ON c.tenant_id = r.tenant_id AND c.id = r.category_id"
	    " WHERE r.article_id = $1 AND r.revision = $2" },
	[KBA_CATS] = { "kba_cats",
	    "SELECT c.slug, CASE WHEN p.name IS NULL THEN c.name"
	    " ELSE p.name || ' › ' || c.name END FROM kb_categories c"
	    " LEFT JOIN kb_categories p ON p.tenant_id = c.tenant_id"
	    " AND p.id = c.parent_id ORDER BY 2" },
	[KBA_STATUS_COUNTS] = { "kba_status_counts",
	    "SELECT s.status, count(a.id) FROM (VALUES ('draft'),"
	    " ('published'), ('archived')) s(status)"
	    " LEFT JOIN kb_articles a ON a.status = s.status"
	    " GROUP BY s.status ORDER BY s.status" },
	[KBA_TOTALS] = { "kba_totals",
	    "SELECT (SELECT coalesce(sum(views), 0) FROM kb_views"
	    "  WHERE day > current_date - 30),"
	    " (SELECT count(*) FILTER (WHERE helpful) FROM kb_votes),"
	    " (SELECT count(*) FILTER (WHERE NOT helpful) FROM kb_votes),"
	    " (SELECT coalesce(sum(searches), 0) FROM kb_searches"
	    "  WHERE day > current_date - 30)" },
	/*
	 * Rows with clicks only (a result opened on a day its query was not
	 * searched, or any ?q= link) count for clicks, never as searches.
	 */
	/* Each with the synonym groups it fires now (see SYNONYMS). */
	[KBA_TOP_SEARCHES] = { "kba_top_searches",
	    "SELECT s.*, " SYNONYMS " FROM (SELECT query, sum(searches) AS searches,"
	    " coalesce(max(results) FILTER (WHERE searches > 0), 0) AS results,"
	    " sum(clicks) AS clicks"
	    " FROM kb_searches WHERE day > current_date - 30"
	    " GROUP BY query HAVING sum(searches) > 0"
	    " ORDER BY 2 DESC, 1 LIMIT 20) s ORDER BY 2 DESC, 1" },
	/* Each with the contact requests it caused (kb_contact_requests). */
	[KBA_ZERO_SEARCHES] = { "kba_zero_searches",
	    "SELECT s.*, (SELECT count(*) FROM kb_contact_requests c"
	    " WHERE c.query_norm = s.query) AS requests, " SYNONYMS
	    " FROM (SELECT query, sum(searches) AS searches FROM kb_searches"
	    " WHERE day > current_date - 30 GROUP BY query"
	    " HAVING sum(searches) > 0"
	    " AND max(results) FILTER (WHERE searches > 0) = 0"
	    " ORDER BY 2 DESC, 1 LIMIT 20) s ORDER BY 2 DESC, 1" },
	/*
	 * Articles with votes: the most helpful (half or more of the votes
	 * say yes), best first, when $1; else the least helpful (fewer than
	 * half), worst first.  So no article is in both lists.  Each with its
	 * vote count and the last five reasons readers gave.
	 */
	[KBA_HELPFUL] = { "kba_helpful",
	    "SELECT a.public_id AS id, a.slug, a.title,"
	    " count(*) FILTER (WHERE v.helpful) AS helpful,"
	    " count(*) FILTER (WHERE NOT v.helpful) AS not_helpful,"
	    " count(*) AS votes,"
	    " round(avg(v.helpful::int) * 100) AS helpful_percent,"
	    " (SELECT coalesce(json_agg(x.reason ORDER BY x.created_at DESC,"
	    "  x.visitor_hash), '[]') FROM (SELECT f.reason, f.created_at,"
	    "  f.visitor_hash FROM kb_votes f WHERE f.article_id = a.id"
	    "  AND f.reason <> '' ORDER BY f.created_at DESC, f.visitor_hash"
	    "  LIMIT 5) x) AS reasons"
	    " FROM kb_votes v JOIN kb_articles a ON a.tenant_id = v.tenant_id"
	    " AND a.id = v.article_id GROUP BY a.tenant_id, a.id"
	    " HAVING (avg(v.helpful::int) >= 0.5) = $1"
	    " ORDER BY CASE WHEN $1 THEN avg(v.helpful::int) END DESC,"
	    " avg(v.helpful::int), count(*) DESC, a.id LIMIT 10" },
	/* What readers typed after "What could be better?", newest first. */
	[KBA_FEEDBACK] = { "kba_feedback",
	    "SELECT a.public_id AS id, a.slug, a.title, v.helpful, v.reason,"
	    " to_char(v.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')"
	    " AS created FROM kb_votes v JOIN kb_articles a"
	    " ON a.tenant_id = v.tenant_id AND a.id = v.article_id"
	    " WHERE v.reason <> '' ORDER BY v.created_at DESC, v.visitor_hash"
	    " LIMIT 20" },
	/* The same for one article (its row id), for the editor. */
	[KBA_REASONS] = { "kba_reasons",
	    "SELECT v.helpful, v.reason, to_char(v.created_at AT TIME ZONE"
	    " 'UTC', 'YYYY-MM-DD HH24:MI') FROM kb_votes v"
	    " JOIN kb_articles a ON a.tenant_id = v.tenant_id"
	    " AND a.id = v.article_id WHERE a.public_id = $1"
	    " AND v.reason <> '' ORDER BY v.created_at DESC, v.visitor_hash"
	    " LIMIT 20" },
};

_Static_assert(sizeof(stmts) / sizeof(stmts[0]) == KBA__MAX,
    "kb admin statement table and enum differ");

MP_STMT_TABLE(mp_kb_admin_st, stmts);

/*
 * Staff only: the route says MP_R_STAFF and the dispatcher enforces it;
 * this checks again so the pages stay closed whatever the route table
 * says.
 */
enum mp_err
mp_kb_staff(struct mp_req *r)
{
	if (r->user == NULL)
		return mp_req_fail(r, MP_EAUTH, NULL,
		    "Sign in as staff to manage the help center.");
	if (r->user->role < MP_ROLE_SUPPORT)
		return mp_req_fail(r, MP_EFORBID, NULL,
		    "Only support staff and admins manage the help center.");
	return MP_OK;
}

static const char *
val(struct mp_req *r, const char *name)
{
	const struct mp_value	*v = mp_req_val(r, name);

	return v && v->present ? v->s : NULL;
}

static const char *
nonempty(struct mp_req *r, const char *name)
{
	const char	*s = val(r, name);

	return s && *s ? s : NULL;
}

/* The author's name for the article: the staff member's name or email. */
static const char *
author(struct mp_req *r)
{
	if (r->user == NULL)
		return "";
	if (r->user->name && *r->user->name)
		return r->user->name;
	return r->user->email ? r->user->email : "";
}

/*
 * tags as the request gives them: a JSON array of strings, or text.
 * Returns NULL when absent.
 */
static const char *
tags_of(struct mp_req *r)
{
	struct json_object	*j, *e;
	char			*s;
	size_t			 i, n;

	if (r->json != NULL && json_object_object_get_ex(r->json, "tags", &j)
	    && json_object_is_type(j, json_type_array)) {
		s = mp_strdup(r->ctx.a, "");
		n = json_object_array_length(j);
		for (i = 0; i < n; i++) {
			e = json_object_array_get_idx(j, i);
			s = mp_printf(r->ctx.a, "%s%s%s", s, i ? "," : "",
			    json_object_get_string(e) ?
			    json_object_get_string(e) : "");
		}
		return s;
	}
	return val(r, "tags");
}

/*
 * Overlay the request's fields on in (which holds the current values for
 * an update, or nothing for a create).  Accepts the old platform's names
 * (content, excerpt, metaTitle, metaDescription) too.
 */
static enum mp_err
input_from_req(struct mp_req *r, struct mp_kb_input *in)
{
	const char	*s;
	char		*end;
	double		 d;

#define TAKE(member, name) do { \
	if ((s = val(r, name)) != NULL) \
		in->member = s; \
} while (0)
	TAKE(title, "title");
	TAKE(slug, "slug");
	TAKE(summary, "excerpt");
	TAKE(summary, "summary");
	TAKE(body, "content");
	TAKE(body, "body");
	TAKE(category, "category");
	TAKE(status, "status");
	TAKE(meta_title, "metaTitle");
	TAKE(meta_title, "meta_title");
	TAKE(meta_description, "metaDescription");
	TAKE(meta_description, "meta_description");
	TAKE(locale, "locale");
	TAKE(boost, "boost");
	TAKE(translation_of, "translation_of");
#undef TAKE
	if ((s = tags_of(r)) != NULL)
		in->tags = s;
	if (in->title == NULL || *in->title == '\0')
		return mp_req_fail(r, MP_EINPUT, "title",
		    "title is required (1 to 200 characters).");
	if (in->body == NULL)
		in->body = "";
	if (in->status == NULL || *in->status == '\0')
		in->status = "draft";
	if (in->locale != NULL && *in->locale != '\0') {
		size_t n = strlen(in->locale);

		if (!(n == 2 || (n == 5 && in->locale[2] == '-')) ||
		    in->locale[0] < 'a' || in->locale[0] > 'z' ||
		    in->locale[1] < 'a' || in->locale[1] > 'z')
			return mp_req_fail(r, MP_EINPUT, "locale",
			    "locale is a language code such as en or en-GB.");
	} else
		in->locale = "en";
	if (in->boost != NULL && *in->boost != '\0') {
		d = strtod(in->boost, &end);
		if (*end != '\0' || !(d >= 0.1 && d <= 10))
			return mp_req_fail(r, MP_EINPUT, "boost",
			    "boost is a number from 0.1 to 10.");
	} else
		in->boost = "1";
	in->author_name = author(r);
	return MP_OK;
}

/* Load article pubid (locked) into in; *id gets its row id. */
static enum mp_err
load(struct mp_req *r, const char *pubid, struct mp_kb_input *in,
    struct mp_res **resp, const char **id)
{
	const char	*p[1] = { pubid };
	struct mp_res	*res;
	enum mp_err	 rc;

	if ((rc = mp_q_one(&r->ctx, &stmts[KBA_GET], 1, p, &res,
	    "There is no help article with this id.")) != MP_OK)
		return rc;
	memset(in, 0, sizeof(*in));
	*id = mp_res_get(res, 0, 0);
	in->slug = mp_res_get(res, 0, 2);
	in->old_slug = mp_res_get(res, 0, 2);
	in->title = mp_res_get(res, 0, 3);
	in->summary = mp_res_get(res, 0, 4);
	in->body = mp_res_get(res, 0, 5);
	in->category = mp_res_get(res, 0, 6);
	in->tags = mp_res_get(res, 0, 7);
	in->status = mp_res_get(res, 0, 8);
	in->meta_title = mp_res_get(res, 0, 9);
	in->meta_description = mp_res_get(res, 0, 10);
	in->locale = mp_res_get(res, 0, 11);
	in->boost = mp_res_get(res, 0, 12);
	in->translation_of = mp_res_get(res, 0, 16);
	if (resp != NULL)
		*resp = res;
	return MP_OK;
}

/* The JSON of article pubid as staff see it, status and source included. */
static enum mp_err
admin_json(struct mp_req *r, const char *pubid, struct json_object **out)
{
	const char		*p[1] = { pubid };
	struct mp_res		*res;
	struct json_object	*o, *tags;
	char			*t, *tok, *save;
	enum mp_err		 rc;

	if ((rc = mp_q(&r->ctx, &stmts[KBA_GET], 1, p, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) == 0)
		return MP_ENOTFOUND;
	o = json_object_new_object();
	json_object_object_add(o, "id",
	    json_object_new_string(mp_res_get(res, 0, 1)));
	json_object_object_add(o, "slug",
	    json_object_new_string(mp_res_get(res, 0, 2)));
	json_object_object_add(o, "title",
	    json_object_new_string(mp_res_get(res, 0, 3)));
	json_object_object_add(o, "excerpt",
	    json_object_new_string(mp_res_get(res, 0, 4)));
	json_object_object_add(o, "content",
	    json_object_new_string(mp_res_get(res, 0, 5)));
	json_object_object_add(o, "category", *mp_res_get(res, 0, 6) ?
	    json_object_new_string(mp_res_get(res, 0, 6)) : NULL);
	tags = json_object_new_array();
	t = mp_strdup(r->ctx.a, mp_res_get(res, 0, 7));
	for (tok = strtok_r(t, ", ", &save); tok != NULL;
	    tok = strtok_r(NULL, ", ", &save))
		json_object_array_add(tags, json_object_new_string(tok));
	json_object_object_add(o, "tags", tags);
	json_object_object_add(o, "status",
	    json_object_new_string(mp_res_get(res, 0, 8)));
	json_object_object_add(o, "meta_title",
	    json_object_new_string(mp_res_get(res, 0, 9)));
	json_object_object_add(o, "meta_description",
	    json_object_new_string(mp_res_get(res, 0, 10)));
	json_object_object_add(o, "locale",
	    json_object_new_string(mp_res_get(res, 0, 11)));
	json_object_object_add(o, "boost",
	    json_object_new_double(atof(mp_res_get(res, 0, 12))));
	json_object_object_add(o, "revision", json_object_new_int(
	    (int)mp_res_int(res, 0, 13)));
	json_object_object_add(o, "translation_of", *mp_res_get(res, 0, 16) ?
	    json_object_new_string(mp_res_get(res, 0, 16)) : NULL);
	json_object_object_add(o, "url", json_object_new_string(
	    mp_kb_article_path(r->ctx.a, mp_res_get(res, 0, 1),
	    mp_res_get(res, 0, 2))));
	mp_json_own(r->ctx.a, o);
	*out = o;
	return MP_OK;
}

/* Fill Kb.Categories.* (slug, label) for the editor's select. */
static enum mp_err
hdf_categories(struct mp_req *r, HDF *hdf)
{
	struct mp_res	*res;
	int		 i;
	enum mp_err	 rc;

	if ((rc = mp_q(&r->ctx, &stmts[KBA_CATS], 0, NULL, &res)) != MP_OK)
		return rc;
	for (i = 0; i < mp_res_rows(res); i++) {
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "Kb.Categories.%d.Slug", i),
		    mp_res_get(res, i, 0));
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "Kb.Categories.%d.Name", i),
		    mp_res_get(res, i, 1));
	}
	return MP_OK;
}

/* Navigation and title of a staff page. */
void
mp_kb_admin_page(struct mp_req *r, HDF *hdf, const char *title)
{
	mp_kb_page(r, hdf);
	mp_hdf_set(hdf, "Nav.2.Href", "/staff/help");
	mp_hdf_set(hdf, "Nav.2.Label", "Manage articles");
	mp_hdf_set(hdf, "Nav.3.Href", "/staff/help/categories");
	mp_hdf_set(hdf, "Nav.3.Label", "Categories");
	mp_hdf_set(hdf, "Nav.4.Href", "/staff/help/report");
	mp_hdf_set(hdf, "Nav.4.Label", "Search report");
	mp_hdf_set(hdf, "Nav.5.Href", "/staff/help/synonyms");
	mp_hdf_set(hdf, "Nav.5.Label", "Synonyms");
	mp_hdf_set(hdf, "Nav.6.Href", "/staff/help/requests");
	mp_hdf_set(hdf, "Nav.6.Label", "Contact requests");
	mp_hdf_set(hdf, "Page.NoIndex", "1");
	mp_hdf_set(hdf, "Page.Title", title);
}

/* Run KBA_LIST with the request's filters into res. */
static enum mp_err
list(struct mp_req *r, int limit, int offset, struct mp_res **res)
{
	const char	*p[5];

	p[0] = nonempty(r, "status");
	p[1] = nonempty(r, "q");
	p[2] = nonempty(r, "category");
	p[3] = mp_printf(r->ctx.a, "%d", limit);
	p[4] = mp_printf(r->ctx.a, "%d", offset);
	return mp_q(&r->ctx, &stmts[KBA_LIST], 5, p, res);
}

/* GET /staff/help?status=&q=&category=&page=: every article, filtered. */
enum mp_err
mp_kb_admin_list(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*pv = mp_req_val(r, "page");
	int			 page = pv && pv->present ? (int)pv->i : 1;
	HDF			*hdf;
	struct mp_res		*res;
	long			 total;
	char			*pre;
	int			 i;
	enum mp_err		 rc;

	if ((rc = mp_kb_staff(r)) != MP_OK)
		return rc;
	if ((rc = list(r, ADMIN_PAGE, (page - 1) * ADMIN_PAGE, &res)) != MP_OK)
		return rc;
	hdf = mp_hdf(r);
	mp_kb_admin_page(r, hdf, "Manage help articles");
	if ((rc = hdf_categories(r, hdf)) != MP_OK)
		return rc;
	for (i = 0; i < mp_res_rows(res); i++) {
		pre = mp_printf(r->ctx.a, "Kb.Articles.%d", i);
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.Id", pre),
		    mp_res_get(res, i, 0));
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.Title", pre),
		    mp_res_get(res, i, 2));
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.Status", pre),
		    mp_res_get(res, i, 3));
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.Category", pre),
		    mp_res_get(res, i, 4));
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.Updated", pre),
		    mp_res_get(res, i, 5));
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.Revision", pre),
		    mp_res_get(res, i, 6));
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.Href", pre),
		    mp_kb_article_path(r->ctx.a, mp_res_get(res, i, 0),
		    mp_res_get(res, i, 1)));
	}
	total = mp_res_rows(res) ? (long)mp_res_int(res, 0, 8) : 0;
	mp_hdf_setf(hdf, "Kb.Total", "%ld", total);
	mp_hdf_set(hdf, "Kb.Filter.Status", nonempty(r, "status"));
	mp_hdf_set(hdf, "Kb.Filter.Q", nonempty(r, "q"));
	mp_hdf_set(hdf, "Kb.Filter.Category", nonempty(r, "category"));
	mp_hdf_setf(hdf, "Kb.Page", "%d", page);
	if (page > 1)
		mp_hdf_setf(hdf, "Kb.PrevPage", "%d", page - 1);
	if ((long)page * ADMIN_PAGE < total)
		mp_hdf_setf(hdf, "Kb.NextPage", "%d", page + 1);
	return mp_render(r, w, 200, "kb/admin_list.cs", hdf);
}

/* Fill Kb.Edit.* with in for the editor. */
static void
hdf_edit(struct mp_req *r, HDF *hdf, const struct mp_kb_input *in)
{
	(void)r;
	mp_hdf_set(hdf, "Kb.Edit.Title", in->title);
	mp_hdf_set(hdf, "Kb.Edit.Slug", in->slug);
	mp_hdf_set(hdf, "Kb.Edit.Summary", in->summary);
	mp_hdf_set(hdf, "Kb.Edit.Body", in->body);
	mp_hdf_set(hdf, "Kb.Edit.Category", in->category);
	mp_hdf_set(hdf, "Kb.Edit.Tags", in->tags);
	mp_hdf_set(hdf, "Kb.Edit.Status", in->status ? in->status : "draft");
	mp_hdf_set(hdf, "Kb.Edit.MetaTitle", in->meta_title);
	mp_hdf_set(hdf, "Kb.Edit.MetaDescription", in->meta_description);
	mp_hdf_set(hdf, "Kb.Edit.Locale", in->locale ? in->locale : "en");
	mp_hdf_set(hdf, "Kb.Edit.Boost", in->boost ? in->boost : "1");
	mp_hdf_set(hdf, "Kb.Edit.TranslationOf", in->translation_of);
}

/*
 * The editor page for pubid (NULL: a new article) showing in, with a
 * rendered preview when preview is set and an error note when err is.
 */
static enum mp_err
editor(struct mp_req *r, struct mp_resp *w, const char *pubid,
    const struct mp_kb_input *in, int preview, int status)
{
	HDF			*hdf = mp_hdf(r);
	struct mp_kb_render	 out;
	struct mp_res		*res;
	const char		*p[1];
	char			*pre;
	int			 i;
	enum mp_err		 rc;

	mp_kb_admin_page(r, hdf, pubid ? "Edit help article" : "New help article");
	if ((rc = hdf_categories(r, hdf)) != MP_OK)
		return rc;
	hdf_edit(r, hdf, in);
	if (pubid != NULL) {
		mp_hdf_set(hdf, "Kb.Edit.Id", pubid);
		mp_hdf_set(hdf, "Kb.Edit.Action", mp_printf(r->ctx.a,
		    "/staff/help/articles/%s", pubid));
		if (in->old_slug != NULL)
			mp_hdf_set(hdf, "Kb.Edit.Href", mp_kb_article_path(r->ctx.a,
			    pubid, in->old_slug));
		/* What readers said after "What could be better?". */
		p[0] = pubid;
		if ((rc = mp_q(&r->ctx, &stmts[KBA_REASONS], 1, p, &res)) !=
		    MP_OK)
			return rc;
		for (i = 0; i < mp_res_rows(res); i++) {
			pre = mp_printf(r->ctx.a, "Kb.Reasons.%d", i);
			mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.Helpful", pre),
			    mp_res_bool(res, i, 0) ? "1" : "0");
			mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.Reason", pre),
			    mp_res_get(res, i, 1));
			mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.Created", pre),
			    mp_res_get(res, i, 2));
		}
	} else
		mp_hdf_set(hdf, "Kb.Edit.Action", "/staff/help/articles");
	if (preview && in->body != NULL && mp_kb_render(r->ctx.a, in->body,
	    strlen(in->body), in->title, &out) == MP_OK)
		mp_hdf_set(hdf, "Kb.Preview.BodyHtml", out.html);
	if (r->ctx.err_msg != NULL) {
		mp_hdf_set(hdf, "Kb.Error.Message", r->ctx.err_msg);
		mp_hdf_set(hdf, "Kb.Error.Field", r->ctx.err_field);
	}
	return mp_render(r, w, status, "kb/admin_edit.cs", hdf);
}

/* GET /staff/help/new: an empty editor. */
enum mp_err
mp_kb_admin_new(struct mp_req *r, struct mp_resp *w)
{
	struct mp_kb_input	 in;
	enum mp_err		 rc;

	if ((rc = mp_kb_staff(r)) != MP_OK)
		return rc;
	memset(&in, 0, sizeof(in));
	return editor(r, w, NULL, &in, 0, 200);
}

/* GET /staff/help/articles/{id}: the editor with the article's source. */
enum mp_err
mp_kb_admin_edit(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*id = mp_req_cap(r, "id");
	struct mp_kb_input	 in;
	const char		*rowid;
	struct mp_res		*res;
	HDF			*hdf;
	enum mp_err		 rc;

	if ((rc = mp_kb_staff(r)) != MP_OK)
		return rc;
	if ((rc = load(r, id->s, &in, &res, &rowid)) != MP_OK)
		return rc;
	(void)hdf;
	return editor(r, w, id->s, &in, 0, 200);
}

/*
 * The shared body of the create and update forms: action=preview renders
 * the editor with a preview and changes nothing; otherwise the article
 * is saved and the browser sent to its editor (303).  A problem with a
 * field shows the editor again with the visitor's text and a 422, after
 * the transaction is rolled back (the handler returns an error status
 * through the rendered page, so nothing of the attempt stays).
 */
static enum mp_err
save_form(struct mp_req *r, struct mp_resp *w, const char *pubid,
    struct mp_kb_input *in, const char *rowid)
{
	const char	*action = val(r, "action");
	char		*newid;
	enum mp_err	 rc;

	if ((rc = input_from_req(r, in)) != MP_OK)
		goto invalid;
	if (action != NULL && strcmp(action, "preview") == 0)
		return editor(r, w, pubid, in, 1, 200);
	if (action != NULL && strcmp(action, "publish") == 0)
		in->status = "published";
	else if (action != NULL && strcmp(action, "archive") == 0)
		in->status = "archived";
	if ((rc = mp_kb_save(r, rowid, in, &newid)) != MP_OK)
		goto invalid;
	return mp_resp_redirect(w, 303, mp_printf(r->ctx.a,
	    "/staff/help/articles/%s?saved=1", newid));
invalid:
	if (rc != MP_EINPUT && rc != MP_ECONFLICT)
		return rc;
	/* Roll back whatever ran, then answer with the editor. */
	mp_db_rollback(r->ctx.db);
	if (mp_tx_begin(&r->ctx) != MP_OK)
		return MP_EDB;
	return editor(r, w, pubid, in, 0, rc == MP_ECONFLICT ? 409 : 422);
}

/* POST /staff/help/articles: create from the editor form. */
enum mp_err
mp_kb_admin_create(struct mp_req *r, struct mp_resp *w)
{
	struct mp_kb_input	 in;
	enum mp_err		 rc;

	if ((rc = mp_kb_staff(r)) != MP_OK)
		return rc;
	memset(&in, 0, sizeof(in));
	return save_form(r, w, NULL, &in, NULL);
}

/* POST /staff/help/articles/{id}: save, publish or archive from the form. */
enum mp_err
mp_kb_admin_update(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*id = mp_req_cap(r, "id");
	struct mp_kb_input	 in;
	const char		*rowid;
	enum mp_err		 rc;

	if ((rc = mp_kb_staff(r)) != MP_OK)
		return rc;
	if ((rc = load(r, id->s, &in, NULL, &rowid)) != MP_OK)
		return rc;
	return save_form(r, w, id->s, &in, rowid);
}

/* GET /staff/help/articles/{id}/revisions: the history, newest first. */
enum mp_err
mp_kb_admin_revisions(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*id = mp_req_cap(r, "id");
	struct mp_kb_input	 in;
	const char		*rowid, *p[1];
	struct mp_res		*res;
	HDF			*hdf;
	char			*pre;
	int			 i;
	enum mp_err		 rc;

	if ((rc = mp_kb_staff(r)) != MP_OK)
		return rc;
	if ((rc = load(r, id->s, &in, NULL, &rowid)) != MP_OK)
		return rc;
	p[0] = rowid;
	if ((rc = mp_q(&r->ctx, &stmts[KBA_REVISIONS], 1, p, &res)) != MP_OK)
		return rc;
	hdf = mp_hdf(r);
	mp_kb_admin_page(r, hdf, mp_printf(r->ctx.a, "Revisions: %s", in.title));
	mp_hdf_set(hdf, "Kb.Edit.Id", id->s);
	mp_hdf_set(hdf, "Kb.Edit.Title", in.title);
	for (i = 0; i < mp_res_rows(res); i++) {
		pre = mp_printf(r->ctx.a, "Kb.Revisions.%d", i);
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.Number", pre),
		    mp_res_get(res, i, 0));
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.Title", pre),
		    mp_res_get(res, i, 1));
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.Status", pre),
		    mp_res_get(res, i, 2));
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.Author", pre),
		    mp_res_get(res, i, 3));
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.Saved", pre),
		    mp_res_get(res, i, 4));
	}
	return mp_render(r, w, 200, "kb/admin_revisions.cs", hdf);
}

/*
 * POST /staff/help/articles/{id}/revisions/{rev}/restore: save revision
 * rev's content as a new revision (the current one goes to the history
 * like any save).  The article keeps its current status.  303 to the
 * editor.
 */
enum mp_err
mp_kb_admin_restore(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*id = mp_req_cap(r, "id");
	const struct mp_capture	*rev = mp_req_cap(r, "rev");
	struct mp_kb_input	 in;
	const char		*rowid, *p[2];
	struct mp_res		*res;
	char			*newid;
	enum mp_err		 rc;

	if ((rc = mp_kb_staff(r)) != MP_OK)
		return rc;
	if ((rc = load(r, id->s, &in, NULL, &rowid)) != MP_OK)
		return rc;
	p[0] = rowid;
	p[1] = rev->s;
	if ((rc = mp_q_one(&r->ctx, &stmts[KBA_REVISION], 2, p, &res,
	    "This article has no such revision.")) != MP_OK)
		return rc;
	in.title = mp_res_get(res, 0, 0);
	in.slug = mp_res_get(res, 0, 1);
	in.summary = mp_res_get(res, 0, 2);
	in.body = mp_res_get(res, 0, 3);
	in.category = mp_res_get(res, 0, 4);
	in.tags = mp_res_get(res, 0, 5);
	/* The status stays: restoring text never publishes or hides. */
	in.meta_title = mp_res_get(res, 0, 7);
	in.meta_description = mp_res_get(res, 0, 8);
	in.author_name = author(r);
	if ((rc = mp_kb_save(r, rowid, &in, &newid)) != MP_OK)
		return rc;
	return mp_resp_redirect(w, 303, mp_printf(r->ctx.a,
	    "/staff/help/articles/%s?saved=1", newid));
}

/*
 * The numbers of the search report and of GET /api/kb/admin/stats, as
 * one JSON object (arena-owned).
 */
/* The statistics' lists, by the statements' column names. */
static const struct mp_col search_cols[] = {
	{ "query", NULL, MP_COL_TEXT },
	{ "searches", NULL, MP_COL_INT },
	{ "results", NULL, MP_COL_INT },
	{ "clicks", NULL, MP_COL_INT },
	{ "synonyms", NULL, MP_COL_JSON },
	{ NULL, NULL, 0 }
};

static const struct mp_col zero_cols[] = {
	{ "query", NULL, MP_COL_TEXT },
	{ "searches", NULL, MP_COL_INT },
	{ "requests", NULL, MP_COL_INT },
	{ "synonyms", NULL, MP_COL_JSON },
	{ NULL, NULL, 0 }
};

static const struct mp_col helpful_cols[] = {
	{ "id", NULL, MP_COL_TEXT },
	{ "title", NULL, MP_COL_TEXT },
	{ "helpful", NULL, MP_COL_INT },
	{ "not_helpful", NULL, MP_COL_INT },
	{ "votes", NULL, MP_COL_INT },
	{ "helpful_percent", NULL, MP_COL_INT },
	{ "reasons", NULL, MP_COL_JSON },
	{ NULL, NULL, 0 }
};

static const struct mp_col feedback_cols[] = {
	{ "id", NULL, MP_COL_TEXT },
	{ "title", NULL, MP_COL_TEXT },
	{ "helpful", NULL, MP_COL_BOOL },
	{ "reason", NULL, MP_COL_TEXT },
	{ "created", "created_at", MP_COL_TEXT },
	{ NULL, NULL, 0 }
};

static enum mp_err
stats(struct mp_req *r, struct json_object **out)
{
	struct json_object	*o = json_object_new_object(), *x, *arr, *e;
	struct mp_res		*res;
	const char		*p[1];
	long			 up, down;
	int			 i, k;
	enum mp_err		 rc;

	mp_json_own(r->ctx.a, o);
	if ((rc = mp_q(&r->ctx, &stmts[KBA_STATUS_COUNTS], 0, NULL, &res)) != MP_OK)
		return rc;
	x = json_object_new_object();
	for (i = 0; i < mp_res_rows(res); i++)
		json_object_object_add(x, mp_res_get(res, i, 0),
		    json_object_new_int64(mp_res_int(res, i, 1)));
	json_object_object_add(o, "articles", x);
	if ((rc = mp_q(&r->ctx, &stmts[KBA_TOTALS], 0, NULL, &res)) != MP_OK)
		return rc;
	up = (long)mp_res_int(res, 0, 1);
	down = (long)mp_res_int(res, 0, 2);
	json_object_object_add(o, "views_30d",
	    json_object_new_int64(mp_res_int(res, 0, 0)));
	json_object_object_add(o, "searches_30d",
	    json_object_new_int64(mp_res_int(res, 0, 3)));
	x = json_object_new_object();
	json_object_object_add(x, "helpful", json_object_new_int64(up));
	json_object_object_add(x, "not_helpful", json_object_new_int64(down));
	json_object_object_add(x, "helpful_ratio", up + down > 0 ?
	    json_object_new_double((double)up / (double)(up + down)) : NULL);
	json_object_object_add(o, "votes", x);

	if ((rc = mp_q(&r->ctx, &stmts[KBA_TOP_SEARCHES], 0, NULL, &res)) != MP_OK)
		return rc;
	json_object_object_add(o, "top_searches",
	    mp_rows_json(res, search_cols));
	if ((rc = mp_q(&r->ctx, &stmts[KBA_ZERO_SEARCHES], 0, NULL, &res)) != MP_OK)
		return rc;
	json_object_object_add(o, "zero_result_searches",
	    mp_rows_json(res, zero_cols));
	for (k = 0; k < 2; k++) {
		p[0] = k == 0 ? "true" : "false";
		if ((rc = mp_q(&r->ctx, &stmts[KBA_HELPFUL], 1, p, &res)) != MP_OK)
			return rc;
		arr = json_object_new_array();
		for (i = 0; i < mp_res_rows(res); i++) {
			e = mp_row_json(res, i, helpful_cols);
			json_object_object_add(e, "url",
			    json_object_new_string(mp_kb_article_path(r->ctx.a,
			    mp_res_by(res, i, "id"), mp_res_by(res, i, "slug"))));
			json_object_array_add(arr, e);
		}
		json_object_object_add(o, k == 0 ? "most_helpful" :
		    "least_helpful", arr);
	}
	if ((rc = mp_q(&r->ctx, &stmts[KBA_FEEDBACK], 0, NULL, &res)) != MP_OK)
		return rc;
	arr = json_object_new_array();
	for (i = 0; i < mp_res_rows(res); i++) {
		e = mp_row_json(res, i, feedback_cols);
		json_object_object_add(e, "url",
		    json_object_new_string(mp_kb_article_path(r->ctx.a,
		    mp_res_by(res, i, "id"), mp_res_by(res, i, "slug"))));
		json_object_array_add(arr, e);
	}
	json_object_object_add(o, "feedback", arr);
	*out = o;
	return MP_OK;
}

/*
 * Copy a JSON array of objects into HDF prefix.N.Key for the report; an
 * array value becomes prefix.N.Key.M, a boolean 1 or 0.
 */
static void
hdf_rows(struct mp_req *r, HDF *hdf, const char *prefix,
    struct json_object *arr)
{
	size_t	 i, j, n = json_object_array_length(arr);

	for (i = 0; i < n; i++) {
		json_object_object_foreach(json_object_array_get_idx(arr, i),
		    k, v) {
			if (v != NULL && json_object_is_type(v, json_type_array)) {
				for (j = 0; j < json_object_array_length(v); j++)
					mp_hdf_set(hdf, mp_printf(r->ctx.a,
					    "%s.%zu.%s.%zu", prefix, i, k, j),
					    json_object_get_string(
					    json_object_array_get_idx(v, j)));
				continue;
			}
			mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.%zu.%s", prefix, i,
			    k), v == NULL ? "" : json_object_is_type(v,
			    json_type_boolean) ? (json_object_get_boolean(v) ?
			    "1" : "0") : json_object_get_string(v));
		}
	}
}

/* GET /staff/help/report: top and zero-result searches, votes, views. */
enum mp_err
mp_kb_admin_report(struct mp_req *r, struct mp_resp *w)
{
	struct json_object	*o, *x, *v;
	HDF			*hdf;
	enum mp_err		 rc;

	if ((rc = mp_kb_staff(r)) != MP_OK)
		return rc;
	if ((rc = stats(r, &o)) != MP_OK)
		return rc;
	hdf = mp_hdf(r);
	mp_kb_admin_page(r, hdf, "Help center report");
	json_object_object_get_ex(o, "articles", &x);
	json_object_object_foreach(x, k, cnt)
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "Kb.Stats.Articles.%s", k),
		    json_object_get_string(cnt));
	json_object_object_get_ex(o, "views_30d", &x);
	mp_hdf_set(hdf, "Kb.Stats.Views", json_object_get_string(x));
	json_object_object_get_ex(o, "searches_30d", &x);
	mp_hdf_set(hdf, "Kb.Stats.Searches", json_object_get_string(x));
	json_object_object_get_ex(o, "votes", &x);
	json_object_object_get_ex(x, "helpful", &v);
	mp_hdf_set(hdf, "Kb.Stats.Helpful", json_object_get_string(v));
	json_object_object_get_ex(x, "not_helpful", &v);
	mp_hdf_set(hdf, "Kb.Stats.NotHelpful", json_object_get_string(v));
	if (json_object_object_get_ex(x, "helpful_ratio", &v) && v != NULL)
		mp_hdf_setf(hdf, "Kb.Stats.Ratio", "%.0f",
		    json_object_get_double(v) * 100);
	json_object_object_get_ex(o, "top_searches", &x);
	hdf_rows(r, hdf, "Kb.Top", x);
	json_object_object_get_ex(o, "zero_result_searches", &x);
	hdf_rows(r, hdf, "Kb.Zero", x);
	json_object_object_get_ex(o, "most_helpful", &x);
	hdf_rows(r, hdf, "Kb.Most", x);
	json_object_object_get_ex(o, "least_helpful", &x);
	hdf_rows(r, hdf, "Kb.Least", x);
	json_object_object_get_ex(o, "feedback", &x);
	hdf_rows(r, hdf, "Kb.Feedback", x);
	return mp_render(r, w, 200, "kb/admin_report.cs", hdf);
}

/* GET /api/kb/admin/articles?status=&q=&category=&limit=&offset= */
enum mp_err
mp_kb_api_admin_list(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*lv = mp_req_val(r, "limit");
	const struct mp_value	*ov = mp_req_val(r, "offset");
	int			 limit = lv && lv->present ? (int)lv->i : 50;
	int			 offset = ov && ov->present ? (int)ov->i : 0;
	struct json_object	*o, *arr, *e;
	struct mp_res		*res;
	int			 i;
	enum mp_err		 rc;

	if ((rc = mp_kb_staff(r)) != MP_OK)
		return rc;
	if ((rc = list(r, limit, offset, &res)) != MP_OK)
		return rc;
	o = json_object_new_object();
	mp_json_own(r->ctx.a, o);
	arr = json_object_new_array();
	for (i = 0; i < mp_res_rows(res); i++) {
		e = json_object_new_object();
		json_object_object_add(e, "id",
		    json_object_new_string(mp_res_get(res, i, 0)));
		json_object_object_add(e, "slug",
		    json_object_new_string(mp_res_get(res, i, 1)));
		json_object_object_add(e, "title",
		    json_object_new_string(mp_res_get(res, i, 2)));
		json_object_object_add(e, "status",
		    json_object_new_string(mp_res_get(res, i, 3)));
		json_object_object_add(e, "category", *mp_res_get(res, i, 9) ?
		    json_object_new_string(mp_res_get(res, i, 9)) : NULL);
		json_object_object_add(e, "revision",
		    json_object_new_int((int)mp_res_int(res, i, 6)));
		json_object_object_add(e, "author",
		    json_object_new_string(mp_res_get(res, i, 7)));
		json_object_array_add(arr, e);
	}
	json_object_object_add(o, "articles", arr);
	json_object_object_add(o, "total", json_object_new_int64(
	    mp_res_rows(res) ? mp_res_int(res, 0, 8) : 0));
	json_object_object_add(o, "limit", json_object_new_int(limit));
	json_object_object_add(o, "offset", json_object_new_int(offset));
	return mp_resp_json(r, w, 200, o);
}

/* POST /api/kb/admin/articles: 201 with the article as staff see it. */
enum mp_err
mp_kb_api_admin_create(struct mp_req *r, struct mp_resp *w)
{
	struct mp_kb_input	 in;
	struct json_object	*o;
	char			*pubid;
	enum mp_err		 rc;

	if ((rc = mp_kb_staff(r)) != MP_OK)
		return rc;
	memset(&in, 0, sizeof(in));
	if ((rc = input_from_req(r, &in)) != MP_OK ||
	    (rc = mp_kb_save(r, NULL, &in, &pubid)) != MP_OK ||
	    (rc = admin_json(r, pubid, &o)) != MP_OK)
		return rc;
	mp_resp_header(w, "Location", mp_printf(r->ctx.a,
	    "/api/kb/admin/articles/%s", pubid));
	return mp_resp_json(r, w, 201, o);
}

/* PUT /api/kb/admin/articles/{id}: change the fields given, keep the rest. */
enum mp_err
mp_kb_api_admin_update(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*id = mp_req_cap(r, "id");
	struct mp_kb_input	 in;
	struct json_object	*o;
	const char		*rowid;
	char			*pubid;
	enum mp_err		 rc;

	if ((rc = mp_kb_staff(r)) != MP_OK)
		return rc;
	if ((rc = load(r, id->s, &in, NULL, &rowid)) != MP_OK)
		return rc;
	/* An absent slug keeps the current one unless the title changes. */
	if (val(r, "slug") == NULL && val(r, "title") != NULL &&
	    strcmp(val(r, "title"), in.title) != 0)
		in.slug = NULL;
	if ((rc = input_from_req(r, &in)) != MP_OK ||
	    (rc = mp_kb_save(r, rowid, &in, &pubid)) != MP_OK ||
	    (rc = admin_json(r, pubid, &o)) != MP_OK)
		return rc;
	return mp_resp_json(r, w, 200, o);
}

/* GET /api/kb/admin/stats */
enum mp_err
mp_kb_api_admin_stats(struct mp_req *r, struct mp_resp *w)
{
	struct json_object	*o;
	enum mp_err		 rc;

	if ((rc = mp_kb_staff(r)) != MP_OK)
		return rc;
	if ((rc = stats(r, &o)) != MP_OK)
		return rc;
	return mp_resp_json(r, w, 200, o);
}
