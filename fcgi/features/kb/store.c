/* Help center storage: saving articles with revisions and slugs, and storing their renders. */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "features/kb/extern.h"

enum kbs_stmt {
	KBS_SOURCE,
	KBS_STORE_HTML,
	KBS_DEL_SECTIONS,
	KBS_ADD_SECTIONS,
	KBS_ADD_WORDS,
	KBS_TENANTS,
	KBS_PENDING,
	KBS_SLUG_TAKEN,
	KBS_CATEGORY_ID,
	KBS_LISTS_LOCK,
	KBS_INSERT,
	KBS_KEEP_REVISION,
	KBS_UPDATE,
	KBS_RETIRE_SLUG,
	KBS_RECLAIM_SLUG,
	KBS_RELATE,
	KBS_RELATE_ALL,
	KBS_RELATE_AROUND,
	KBS_ORIGINAL,
	KBS__MAX
};

static const struct mp_stmt stmts[] = {
	[KBS_SOURCE] = { "kbs_source",
	    "SELECT title, body_md, locale, status FROM kb_articles"
	    " WHERE id = $1" },
	[KBS_STORE_HTML] = { "kbs_store_html",
	    "UPDATE kb_articles SET body_html = $2, body_text = $3,"
	    " toc = $4::json, headings = $5, rendered_at = now()"
	    " WHERE id = $1" },
	[KBS_DEL_SECTIONS] = { "kbs_del_sections",
	    "DELETE FROM kb_sections WHERE article_id = $1" },
	[KBS_ADD_SECTIONS] = { "kbs_add_sections",
	    "INSERT INTO kb_sections (tenant_id, article_id, pos, level,"
	    " anchor, heading, body, config)"
	    " SELECT mp_tenant(), $1, x.pos, x.level, x.anchor, x.heading,"
	    " x.body, mp_kb_config($3)"
	    " FROM json_to_recordset($2::json) AS x(pos int, level int,"
	    " anchor text, heading text, body text)" },
	/*
	 * Words for "did you mean" and search's compound variants (migration
	 * 0016: hyphenated ones too), only ever from published text.
	 */
	[KBS_ADD_WORDS] = { "kbs_add_words",
	    "INSERT INTO kb_words (tenant_id, word)"
	    " SELECT DISTINCT mp_tenant(), w FROM kb_articles a,"
	    " unnest(tsvector_to_array(to_tsvector('kb_simple',"
	    " a.title || ' ' || a.body_text))) w"
	    " WHERE a.id = $1 AND a.status = 'published'"
	    " AND length(w) BETWEEN 3 AND 40"
	    " AND w ~ '^[[:alpha:]]+(-[[:alpha:]]+)?$'"
	    " ON CONFLICT DO NOTHING" },
	[KBS_TENANTS] = { "kbs_tenants",
	    "SELECT id FROM tenants ORDER BY id" },
	[KBS_PENDING] = { "kbs_pending",
	    "SELECT id FROM kb_articles WHERE $1 OR rendered_at IS NULL"
	    " OR rendered_at < updated_at ORDER BY id" },
	[KBS_SLUG_TAKEN] = { "kbs_slug_taken",
	    "SELECT 1 FROM kb_articles WHERE slug = $1"
	    " AND id IS DISTINCT FROM $2::bigint"
	    " UNION ALL SELECT 1 FROM kb_slug_history WHERE slug = $1"
	    " AND article_id IS DISTINCT FROM $2::bigint" },
	[KBS_CATEGORY_ID] = { "kbs_category_id",
	    "SELECT id FROM kb_categories WHERE slug = $1" },
	/*
	 * The tenant's related lists and links change under one lock
	 * (migration 0034), which a save takes before its first write, so
	 * that it never waits for it while holding an article's row.
	 */
	[KBS_LISTS_LOCK] = { "kbs_lists_lock",
	    "SELECT mp_kb_lists_lock(mp_tenant())" },
	[KBS_INSERT] = { "kbs_insert",
	    "INSERT INTO kb_articles (tenant_id, slug, title, summary,"
	    " body_md, category_id, tags, status, meta_title,"
	    " meta_description, locale, boost, author_id, author_name,"
	    " published_at, translation_of)"
	    " VALUES (mp_tenant(), $1, $2, $3, $4, $5,"
	    " string_to_array($6, ','), $7, $8, $9, $10, $11, $12, $13,"
	    " CASE WHEN $7 = 'published' THEN now() END, $14::bigint)"
	    " RETURNING id, public_id" },
	/* The version being replaced goes to the history first. */
	[KBS_KEEP_REVISION] = { "kbs_keep_revision",
	    "INSERT INTO kb_revisions (tenant_id, article_id, revision,"
	    " title, slug, summary, body_md, category_id, tags, status,"
	    " meta_title, meta_description, author_id, author_name, saved_at)"
	    " SELECT tenant_id, id, revision, title, slug, summary, body_md,"
	    " category_id, tags, status, meta_title, meta_description,"
	    " author_id, author_name, updated_at FROM kb_articles"
	    " WHERE id = $1" },
	[KBS_UPDATE] = { "kbs_update",
	    "UPDATE kb_articles SET slug = $2, title = $3, summary = $4,"
	    " body_md = $5, category_id = $6, tags = string_to_array($7, ','),"
	    " status = $8, meta_title = $9, meta_description = $10,"
	    " locale = $11, boost = $12, author_id = $13, author_name = $14,"
	    " translation_of = $15::bigint,"
	    " revision = revision + 1, updated_at = now(),"
	    " published_at = CASE WHEN $8 = 'published' THEN"
	    " coalesce(published_at, now()) ELSE published_at END"
	    " WHERE id = $1 RETURNING public_id" },
	[KBS_RETIRE_SLUG] = { "kbs_retire_slug",
	    "INSERT INTO kb_slug_history (tenant_id, slug, article_id)"
	    " VALUES (mp_tenant(), $1, $2) ON CONFLICT (tenant_id, slug)"
	    " DO UPDATE SET article_id = EXCLUDED.article_id,"
	    " retired_at = now()" },
	[KBS_RECLAIM_SLUG] = { "kbs_reclaim_slug",
	    "DELETE FROM kb_slug_history WHERE slug = $1 AND article_id = $2" },
	/* Related lists (migration 0010): of one article, of all, and of
	 * those a change to article $1 may enter or leave. */
	[KBS_RELATE] = { "kbs_relate",
	    "INSERT INTO kb_related AS k (tenant_id, article_id, ids)"
	    " SELECT a.tenant_id, a.id, mp_kb_related_ids(a.id)"
	    " FROM kb_articles a WHERE a.id = $1 AND a.status = 'published'"
	    " ON CONFLICT (tenant_id, article_id) DO UPDATE"
	    " SET ids = EXCLUDED.ids, computed_at = now()" },
	[KBS_RELATE_ALL] = { "kbs_relate_all",
	    "INSERT INTO kb_related AS k (tenant_id, article_id, ids)"
	    " SELECT a.tenant_id, a.id, mp_kb_related_ids(a.id)"
	    " FROM kb_articles a WHERE a.status = 'published'"
	    " ON CONFLICT (tenant_id, article_id) DO UPDATE"
	    " SET ids = EXCLUDED.ids, computed_at = now()" },
	[KBS_RELATE_AROUND] = { "kbs_relate_around",
	    "INSERT INTO kb_related AS k (tenant_id, article_id, ids)"
	    " SELECT a.tenant_id, a.id, mp_kb_related_ids(a.id)"
	    " FROM kb_articles a WHERE a.status = 'published' AND a.id <> $1"
	    " AND (a.id IN (SELECT r.article_id FROM kb_related r"
	    "  WHERE r.ids @> ARRAY[$1::bigint])"
	    " OR EXISTS (SELECT 1 FROM kb_articles x WHERE x.id = $1"
	    "  AND x.status = 'published'"
	    "  AND (a.tags && x.tags OR a.category_id = x.category_id)))"
	    " ON CONFLICT (tenant_id, article_id) DO UPDATE"
	    " SET ids = EXCLUDED.ids, computed_at = now()" },
	/* The original an article names ($1, a public id), and whether the
	 * article $2 (NULL: a new one) has translations of its own. */
	[KBS_ORIGINAL] = { "kbs_original",
	    "SELECT o.id, o.translation_of IS NOT NULL, o.locale,"
	    " EXISTS (SELECT 1 FROM kb_articles t"
	    "  WHERE t.translation_of = $2::bigint)"
	    " FROM kb_articles o WHERE o.public_id = $1", MP_STMT_READ },
};

_Static_assert(sizeof(stmts) / sizeof(stmts[0]) == KBS__MAX,
    "kb store statement table and enum differ");

MP_STMT_TABLE(mp_kb_store_st, stmts);

/*
 * Render article id (text) from its stored markdown and store the HTML,
 * the plain text, the section rows and (when published) its words, in
 * the caller's transaction with the tenant set.  Returns what
 * mp_kb_render or the database returned.
 */
enum mp_err
mp_kb_store_render(struct mp_db *db, struct mp_arena *a, const char *id)
{
	struct mp_kb_render	 out;
	struct json_object	*arr, *o, *toc;
	struct mp_res		*res;
	struct mp_buf		 hb;
	const char		*p[5], *md;
	size_t			 i, keep;
	enum mp_err		 rc;

	p[0] = id;
	if ((rc = mp_db_exec(db, a, &stmts[KBS_SOURCE], 1, p, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) == 0)
		return MP_ENOTFOUND;
	md = mp_res_get(res, 0, 1);
	if ((rc = mp_kb_render(a, md, strlen(md), mp_res_get(res, 0, 0),
	    &out)) != MP_OK)
		return rc;
	/* The contents ([[level, anchor, heading], ...], H2 and H3; NULL
	 * when there are none), stored so the page need not build it. */
	toc = json_object_new_array();
	mp_json_own(a, toc);
	mp_buf_init(&hb, 0);
	for (i = 0; i < out.nsec; i++) {
		if (out.sec[i].level < 2)
			continue;
		/* The headings for the search vectors, whole lines only. */
		keep = hb.len;
		if (hb.len > 0)
			mp_buf_putc(&hb, '\n');
		mp_buf_puts(&hb, out.sec[i].heading);
		if (hb.len > MP_KB_HEADINGS_MAX)
			hb.len = keep;
		o = json_object_new_array();
		json_object_array_add(o, json_object_new_int(out.sec[i].level));
		json_object_array_add(o,
		    json_object_new_string(out.sec[i].anchor));
		json_object_array_add(o,
		    json_object_new_string(out.sec[i].heading));
		json_object_array_add(toc, o);
	}
	p[1] = out.html;
	p[2] = out.text;
	p[3] = json_object_array_length(toc) == 0 ? NULL :
	    json_object_to_json_string_ext(toc, JSON_C_TO_STRING_PLAIN);
	p[4] = mp_strndup(a, hb.len ? mp_buf_cstr(&hb) : "", hb.len);
	mp_buf_free(&hb);
	if ((rc = mp_db_exec(db, a, &stmts[KBS_STORE_HTML], 5, p, NULL)) !=
	    MP_OK)
		return rc;
	p[2] = mp_strdup(a, mp_res_get(res, 0, 2));	/* the locale */
	if ((rc = mp_db_exec(db, a, &stmts[KBS_DEL_SECTIONS], 1, p, NULL)) !=
	    MP_OK)
		return rc;
	arr = json_object_new_array();
	mp_json_own(a, arr);
	for (i = 0; i < out.nsec; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "pos", json_object_new_int((int)i));
		json_object_object_add(o, "level",
		    json_object_new_int(out.sec[i].level));
		json_object_object_add(o, "anchor",
		    json_object_new_string(out.sec[i].anchor));
		json_object_object_add(o, "heading",
		    json_object_new_string(out.sec[i].heading));
		json_object_object_add(o, "body",
		    json_object_new_string(out.sec[i].text));
		json_object_array_add(arr, o);
	}
	p[1] = json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN);
	if ((rc = mp_db_exec(db, a, &stmts[KBS_ADD_SECTIONS], 3, p, NULL)) !=
	    MP_OK)
		return rc;
	return mp_db_exec(db, a, &stmts[KBS_ADD_WORDS], 1, p, NULL);
}

/*
 * For every tenant, render the articles never rendered or changed since
 * (all of them when all is set), one transaction per tenant.  Used by
 * mpanelctl kb-render and seed-demo with a context on the owner's
 * connection and no tenant; each tenant's transaction is bound with
 * mp_tx_begin, so row-level security applies as in the pool.  *count
 * says how many were rendered.  An article whose source fails to render
 * is logged and skipped.
 */
enum mp_err
mp_kb_render_pending(struct mp_ctx *c, int all, int *count)
{
	struct mp_db	*db = c->db;
	struct mp_arena	*a = c->a;
	struct mp_res	*tenants, *ids;
	struct mp_tenant tenant;
	const char	*p[1];
	int		 t, i;
	enum mp_err	 rc;

	*count = 0;
	c->tenant = NULL;
	if ((rc = mp_q(c, &stmts[KBS_TENANTS], 0, NULL, &tenants)) != MP_OK)
		return rc;
	for (t = 0; t < mp_res_rows(tenants); t++) {
		memset(&tenant, 0, sizeof(tenant));
		tenant.id_text = mp_strdup(a, mp_res_get(tenants, t, 0));
		tenant.id = mp_res_int(tenants, t, 0);
		c->tenant = &tenant;
		if ((rc = mp_tx_begin(c)) != MP_OK)
			goto out;
		p[0] = all ? "true" : "false";
		if ((rc = mp_db_exec(db, a, &stmts[KBS_PENDING], 1, p,
		    &ids)) != MP_OK)
			goto fail;
		for (i = 0; i < mp_res_rows(ids); i++) {
			rc = mp_kb_store_render(db, a, mp_res_get(ids, i, 0));
			if (rc == MP_EINPUT || rc == MP_ELIMIT) {
				mp_warn("kb article %s: cannot render",
				    mp_res_get(ids, i, 0));
				continue;
			}
			if (rc != MP_OK)
				goto fail;
			(*count)++;
		}
		if (mp_res_rows(ids) > 0 && (rc = mp_db_exec(db, a,
		    &stmts[KBS_RELATE_ALL], 0, NULL, NULL)) != MP_OK)
			goto fail;
		if ((rc = mp_tx_commit(c)) != MP_OK)
			goto out;
	}
	rc = MP_OK;
	goto out;
fail:
	mp_tx_rollback(c);
out:
	c->tenant = NULL;
	return rc;
}

/*
 * A free slug for article id (NULL for a new one) starting from want:
 * want itself, else want-2, want-3...  Slugs retired by other articles
 * count as taken, so their old URLs keep leading to them.
 */
static enum mp_err
free_slug(struct mp_req *r, const char *want, const char *id, char **out)
{
	struct mp_res	*res;
	const char	*p[2];
	char		*s = (char *)want;
	int		 k;
	enum mp_err	 rc;

	for (k = 2; k < 1000; k++) {
		p[0] = s;
		p[1] = id;
		if ((rc = mp_q(&r->ctx, &stmts[KBS_SLUG_TAKEN], 2, p, &res)) !=
		    MP_OK)
			return rc;
		if (mp_res_rows(res) == 0) {
			*out = s;
			return MP_OK;
		}
		s = mp_printf(r->ctx.a, "%.*s-%d", MP_KB_SLUG_MAX - 5, want, k);
	}
	return mp_req_fail(r, MP_ECONFLICT, "slug",
	    "Too many articles use this slug; choose another.");
}

static enum mp_err relate(struct mp_req *, const char *);

/*
 * The row id of the original that in names (NULL: none) into *orig, for
 * article id (NULL: a new one).  One level: the original is no
 * translation, is in another language, and an article with translations
 * of its own stays an original.
 */
static enum mp_err
original(struct mp_req *r, const char *id, const struct mp_kb_input *in,
    const char **orig)
{
	struct mp_res	*res;
	const char	*p[2];
	enum mp_err	 rc;

	*orig = NULL;
	if (in->translation_of == NULL || *in->translation_of == '\0')
		return MP_OK;
	p[0] = in->translation_of;
	p[1] = id;
	if ((rc = mp_q(&r->ctx, &stmts[KBS_ORIGINAL], 2, p, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) == 0)
		return mp_req_fail(r, MP_EINPUT, "translation_of",
		    "There is no help article with this id to translate.");
	if (id != NULL && strcmp(mp_res_get(res, 0, 0), id) == 0)
		return mp_req_fail(r, MP_EINPUT, "translation_of",
		    "An article cannot be a translation of itself.");
	if (mp_res_bool(res, 0, 1))
		return mp_req_fail(r, MP_EINPUT, "translation_of",
		    "That article is itself a translation: name its original.");
	if (strcmp(mp_res_get(res, 0, 2), in->locale ? in->locale : "en") == 0)
		return mp_req_fail(r, MP_EINPUT, "translation_of",
		    "The original is in the same language; set this article's "
		    "locale to the language it is written in.");
	if (mp_res_bool(res, 0, 3))
		return mp_req_fail(r, MP_EINPUT, "translation_of",
		    "This article has translations of its own, so it stays an "
		    "original.");
	*orig = mp_res_get(res, 0, 0);
	return MP_OK;
}

/*
 * Create (id NULL) or update article id with in, which the caller has
 * validated for lengths; this checks what needs the database or the
 * renderer (category, tags, slug, markdown) and names the field of any
 * problem.  An update keeps the replaced version as a revision and
 * retires a changed slug.  On success *pubid is the public id.  Runs in
 * the request's transaction: an error leaves nothing changed.
 */
enum mp_err
mp_kb_save(struct mp_req *r, const char *id, const struct mp_kb_input *in,
    char **pubid)
{
	struct mp_kb_render	 out;
	struct mp_res		*res;
	const char		*p[15], *cat = NULL, *aid, *orig;
	char			*slug, *tags, *t, *tok, *save;
	int			 ntags = 0;
	enum mp_err		 rc;

	if (in->status == NULL || (strcmp(in->status, "draft") != 0 &&
	    strcmp(in->status, "published") != 0 &&
	    strcmp(in->status, "archived") != 0))
		return mp_req_fail(r, MP_EINPUT, "status",
		    "status is draft, published or archived.");
	rc = mp_kb_render(r->ctx.a, in->body, strlen(in->body), in->title, &out);
	if (rc == MP_ELIMIT)
		return mp_req_fail(r, MP_EINPUT, "body", "The body is too "
		    "large: at most 256 KB of markdown, tables at most 64 "
		    "columns and 50,000 cells.");
	if (rc != MP_OK)
		return mp_req_fail(r, MP_EINPUT, "body",
		    "The body is not valid UTF-8 text.");
	if (in->category != NULL && *in->category != '\0') {
		p[0] = in->category;
		if ((rc = mp_q(&r->ctx, &stmts[KBS_CATEGORY_ID], 1, p, &res)) !=
		    MP_OK)
			return rc;
		if (mp_res_rows(res) == 0)
			return mp_req_fail(r, MP_EINPUT, "category",
			    "There is no category with this slug.");
		cat = mp_res_get(res, 0, 0);
	}
	/* Tags: comma or space separated, lower-cased, each a tag. */
	tags = mp_strdup(r->ctx.a, "");
	t = mp_strdup(r->ctx.a, in->tags ? in->tags : "");
	for (tok = strtok_r(t, ", \t\r\n", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t\r\n", &save)) {
		char *c;

		for (c = tok; *c != '\0'; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c += 32;
		if (!mp_kb_tag_valid(tok))
			return mp_req_fail(r, MP_EINPUT, "tags", mp_printf(r->ctx.a,
			    "The tag \"%.40s\" is not 1 to 40 of a-z, 0-9 and "
			    "'-'.", tok));
		if (++ntags > 20)
			return mp_req_fail(r, MP_EINPUT, "tags",
			    "An article has at most 20 tags.");
		tags = mp_printf(r->ctx.a, "%s%s%s", tags, ntags > 1 ? "," : "",
		    tok);
	}
	slug = in->slug && *in->slug ? mp_kb_slugify(r->ctx.a, in->slug,
	    MP_KB_SLUG_MAX) : mp_kb_slugify(r->ctx.a, in->title, MP_KB_SLUG_MAX);
	if ((rc = free_slug(r, slug, id, &slug)) != MP_OK)
		return rc;
	aid = r->user ? r->user->id_text : NULL;
	if ((rc = original(r, id, in, &orig)) != MP_OK)
		return rc;
	if ((rc = mp_q(&r->ctx, &stmts[KBS_LISTS_LOCK], 0, NULL, NULL)) != MP_OK)
		return rc;

	if (id == NULL) {
		p[0] = slug;
		p[1] = in->title;
		p[2] = in->summary ? in->summary : "";
		p[3] = in->body;
		p[4] = cat;
		p[5] = tags;
		p[6] = in->status;
		p[7] = in->meta_title ? in->meta_title : "";
		p[8] = in->meta_description ? in->meta_description : "";
		p[9] = in->locale ? in->locale : "en";
		p[10] = in->boost ? in->boost : "1";
		p[11] = aid;
		p[12] = in->author_name ? in->author_name : "";
		p[13] = orig;
		if ((rc = mp_q(&r->ctx, &stmts[KBS_INSERT], 14, p, &res)) != MP_OK)
			return rc;
		id = mp_strdup(r->ctx.a, mp_res_get(res, 0, 0));
		*pubid = mp_strdup(r->ctx.a, mp_res_get(res, 0, 1));
	} else {
		p[0] = id;
		if ((rc = mp_q(&r->ctx, &stmts[KBS_KEEP_REVISION], 1, p, NULL)) !=
		    MP_OK)
			return rc;
		if (in->old_slug != NULL && strcmp(in->old_slug, slug) != 0) {
			p[0] = in->old_slug;
			p[1] = id;
			if ((rc = mp_q(&r->ctx, &stmts[KBS_RETIRE_SLUG], 2, p,
			    NULL)) != MP_OK)
				return rc;
			p[0] = slug;
			if ((rc = mp_q(&r->ctx, &stmts[KBS_RECLAIM_SLUG], 2, p,
			    NULL)) != MP_OK)
				return rc;
		}
		p[0] = id;
		p[1] = slug;
		p[2] = in->title;
		p[3] = in->summary ? in->summary : "";
		p[4] = in->body;
		p[5] = cat;
		p[6] = tags;
		p[7] = in->status;
		p[8] = in->meta_title ? in->meta_title : "";
		p[9] = in->meta_description ? in->meta_description : "";
		p[10] = in->locale ? in->locale : "en";
		p[11] = in->boost ? in->boost : "1";
		p[12] = aid;
		p[13] = in->author_name ? in->author_name : "";
		p[14] = orig;
		if ((rc = mp_q(&r->ctx, &stmts[KBS_UPDATE], 15, p, &res)) != MP_OK)
			return rc;
		*pubid = mp_strdup(r->ctx.a, mp_res_get(res, 0, 0));
	}
	r->ctx.db_used = 1;
	if ((rc = mp_kb_store_render(r->ctx.db, r->ctx.a, id)) != MP_OK)
		return rc;
	return relate(r, id);
}

/*
 * The related list of article id now, and of the others it may enter or
 * leave soon after (the kb.related job), in r's transaction.
 */
static enum mp_err
relate(struct mp_req *r, const char *id)
{
	struct mp_job_spec	 js;
	struct json_object	*payload;
	const char		*p[1] = { id };
	enum mp_err		 rc;

	if ((rc = mp_q(&r->ctx, &stmts[KBS_RELATE], 1, p, NULL)) != MP_OK)
		return rc;
	payload = json_object_new_object();
	mp_json_own(r->ctx.a, payload);
	json_object_object_add(payload, "article", json_object_new_string(id));
	memset(&js, 0, sizeof(js));
	js.kind = "kb.related";
	js.queue = "bulk";
	js.priority = 5;
	js.payload = payload;
	return mp_job_enqueue(&r->ctx, &js, NULL);
}

/* kb.related: refresh the lists a change to the payload's article may touch. */
enum mp_err
mp_kb_job_related(struct mp_job *j)
{
	struct json_object	*v;
	const char		*p[1];
	struct mp_res		*res;
	enum mp_err		 rc;

	if (j->payload == NULL ||
	    !json_object_object_get_ex(j->payload, "article", &v) ||
	    (p[0] = json_object_get_string(v)) == NULL ||
	    strspn(p[0], "0123456789") != strlen(p[0]) || *p[0] == '\0') {
		j->permanent = 1;
		j->error = "payload without an article id";
		return MP_EINPUT;
	}
	if ((rc = mp_q(&j->ctx, &stmts[KBS_RELATE_AROUND], 1, p, &res)) != MP_OK)
		return rc;
	mp_info("kb.related: %ld lists refreshed after article %s",
	    mp_res_affected(res), p[0]);
	return MP_OK;
}
