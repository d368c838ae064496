/* Help center, staff side: categories (one level of nesting) as pages and JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>
#include <json-c/json.h>

#include "features/kb/extern.h"

#define NAME_MAX_LEN	120
#define DESC_MAX_LEN	500
#define POSITION_MAX	1000000

enum kbk_stmt {
	KBK_LIST,
	KBK_GET,
	KBK_INSERT,
	KBK_UPDATE,
	KBK_DELETE,
	KBK__MAX
};

/* The columns of a category row, as KBK_LIST and KBK_GET give them. */
#define CATEGORY \
	"SELECT c.id, c.slug, c.name, c.description," \
	" coalesce(p.slug, '') AS parent_slug," \
	" coalesce(p.name, '') AS parent_name, c.position," \
	" (SELECT count(*) FROM kb_articles a WHERE a.category_id = c.id)" \
	"  AS articles," \
	" (SELECT count(*) FROM kb_categories k WHERE k.parent_id = c.id)" \
	"  AS children," \
	" c.parent_id IS NULL AS top, p.slug AS parent" \
	" FROM kb_categories c LEFT JOIN kb_categories p" \
	" ON p.tenant_id = c.tenant_id AND p.id = c.parent_id"
enum { K_ID, K_SLUG, K_NAME, K_DESC, K_PSLUG, K_PNAME, K_POS, K_ARTICLES,
    K_CHILDREN, K_TOP, K_PARENT };

static const struct mp_stmt stmts[] = {
	[KBK_LIST] = { "kbk_list", CATEGORY
	    " ORDER BY coalesce(p.position, c.position), coalesce(p.id, c.id),"
	    " c.parent_id NULLS FIRST, c.position, c.name", MP_STMT_READ },
	[KBK_GET] = { "kbk_get", CATEGORY " WHERE c.slug = $1",
	    MP_STMT_READ },
	/* The parent by slug ($4, NULL: none); the depth trigger refuses a
	 * second level. */
	[KBK_INSERT] = { "kbk_insert",
	    "INSERT INTO kb_categories (tenant_id, slug, name, description,"
	    " parent_id, position) VALUES (mp_tenant(), $1, $2, $3,"
	    " (SELECT id FROM kb_categories WHERE slug = $4), $5::int)"
	    " RETURNING slug", 0 },
	[KBK_UPDATE] = { "kbk_update",
	    "UPDATE kb_categories SET slug = $2, name = $3, description = $4,"
	    " parent_id = (SELECT id FROM kb_categories WHERE slug = $5),"
	    " position = $6::int WHERE id = $1 RETURNING slug", 0 },
	/* Only an empty category: no articles (drafts and archived ones
	 * too) and no children. */
	[KBK_DELETE] = { "kbk_delete",
	    "DELETE FROM kb_categories c WHERE c.id = $1"
	    " AND NOT EXISTS (SELECT 1 FROM kb_articles a"
	    "  WHERE a.category_id = c.id)"
	    " AND NOT EXISTS (SELECT 1 FROM kb_categories k"
	    "  WHERE k.parent_id = c.id) RETURNING 1", 0 },
};

_Static_assert(sizeof(stmts) / sizeof(stmts[0]) == KBK__MAX,
    "kb category statements and enum differ");

MP_STMT_TABLE(mp_kb_categories_st, stmts);

/* The declared fields of the form and of the JSON bodies (routes.c). */
const struct mp_field mp_kb_category_fields[] = {
	{ "name", MP_V_TEXT, 0, NAME_MAX_LEN, 0, NULL },
	{ "slug", MP_V_TEXT, 0, MP_KB_SLUG_MAX, 0, NULL },
	{ "description", MP_V_TEXT, 0, DESC_MAX_LEN, 0, NULL },
	{ "parent", MP_V_TEXT, 0, MP_KB_SLUG_MAX, 0, NULL },
	{ "position", MP_V_TEXT, 0, 8, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct mp_field mp_kb_category_list_fields[] = {
	{ "saved", MP_V_SLUG, 1, MP_KB_SLUG_MAX, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

/* A category as a form or JSON body gives it (NULL: absent). */
struct category {
	const char	*name;
	const char	*slug;
	const char	*description;
	const char	*parent;	/* slug, "" or NULL: top level */
	const char	*position;
};

static const char *
val(struct mp_req *r, const char *name)
{
	const struct mp_value	*v = mp_req_val(r, name);

	return v && v->present ? v->s : NULL;
}

/*
 * The request's fields over what cur holds (a new category: all NULL),
 * trimmed and checked; MP_EINPUT names the field (r->err_*).  row is the
 * category being edited (NULL when new).
 */
static enum mp_err
input(struct mp_req *r, struct category *c, const struct mp_res *row)
{
	const char	*s;
	char		*t, *end;
	long		 pos;

	if ((s = val(r, "name")) != NULL) {
		t = mp_strdup(r->ctx.a, s);
		mp_kb_clean_text(t);
		while (*t == ' ' || *t == '\t' || *t == '\n')
			t++;
		end = t + strlen(t);
		while (end > t && (end[-1] == ' ' || end[-1] == '\t' ||
		    end[-1] == '\n'))
			*--end = '\0';
		c->name = t;
	}
	if (c->name == NULL || *c->name == '\0')
		return mp_req_fail(r, MP_EINPUT, "name",
		    "Give the category a name.");
	if ((s = val(r, "slug")) != NULL)
		c->slug = s;
	if (c->slug == NULL || *c->slug == '\0')
		c->slug = mp_kb_slugify(r->ctx.a, c->name, MP_KB_SLUG_MAX);
	if (*c->slug == '\0' || strcmp(mp_kb_slugify(r->ctx.a, c->slug,
	    MP_KB_SLUG_MAX), c->slug) != 0)
		return mp_req_fail(r, MP_EINPUT, "slug",
		    "A slug is lower-case letters, digits and single hyphens, "
		    "like \"domains-dns\".");
	if ((s = val(r, "description")) != NULL)
		c->description = s;
	if (c->description == NULL)
		c->description = "";
	if ((s = val(r, "parent")) != NULL)
		c->parent = s;
	if (c->parent != NULL && *c->parent == '\0')
		c->parent = NULL;
	if ((s = val(r, "position")) != NULL)
		c->position = s;
	if (c->position == NULL || *c->position == '\0')
		c->position = "0";
	pos = strtol(c->position, &end, 10);
	if (*end != '\0' || pos < -POSITION_MAX || pos > POSITION_MAX)
		return mp_req_fail(r, MP_EINPUT, "position",
		    "The position is a whole number from -1000000 to 1000000.");
	if (c->parent == NULL)
		return MP_OK;
	if (row != NULL && strcmp(c->parent,
	    mp_res_get(row, 0, K_SLUG)) == 0)
		return mp_req_fail(r, MP_EINPUT, "parent",
		    "A category cannot be its own parent.");
	if (row != NULL && mp_res_int(row, 0, K_CHILDREN) > 0)
		return mp_req_fail(r, MP_EINPUT, "parent",
		    "This category has categories under it, so it stays at "
		    "the top level.");
	return MP_OK;
}

/*
 * Check the parent named by c (it must exist and be top level), then
 * insert (row NULL) or update.  On MP_OK *slug is the saved slug.
 */
static enum mp_err
store(struct mp_req *r, const struct category *c, const struct mp_res *row,
    const char **slug)
{
	struct mp_res	*res;
	const char	*p[6];
	enum mp_err	 rc;

	if (c->parent != NULL) {
		p[0] = c->parent;
		if ((rc = mp_q(&r->ctx, &stmts[KBK_GET], 1, p, &res)) != MP_OK)
			return rc;
		if (mp_res_rows(res) == 0)
			return mp_req_fail(r, MP_EINPUT, "parent",
			    "There is no such parent category.");
		if (!mp_res_bool(res, 0, K_TOP))
			return mp_req_fail(r, MP_EINPUT, "parent",
			    "Categories nest one level: the parent must be a "
			    "top-level category.");
	}
	if (row == NULL) {
		p[0] = c->slug;
		p[1] = c->name;
		p[2] = c->description;
		p[3] = c->parent;
		p[4] = c->position;
		rc = mp_q(&r->ctx, &stmts[KBK_INSERT], 5, p, &res);
	} else {
		p[0] = mp_res_get(row, 0, K_ID);
		p[1] = c->slug;
		p[2] = c->name;
		p[3] = c->description;
		p[4] = c->parent;
		p[5] = c->position;
		rc = mp_q(&r->ctx, &stmts[KBK_UPDATE], 6, p, &res);
	}
	if (rc == MP_ECONFLICT)
		return mp_req_fail(r, rc, "slug",
		    "Another category already uses this slug.");
	if (rc == MP_EINPUT)
		return mp_req_fail(r, rc, "parent",
		    "Categories nest one level only.");
	if (rc != MP_OK)
		return rc;
	*slug = mp_strdup(r->ctx.a, mp_res_get(res, 0, 0));
	return MP_OK;
}

/* The category with this slug into *row; MP_ENOTFOUND when there is none. */
static enum mp_err
find(struct mp_req *r, const char *slug, struct mp_res **row)
{
	const char	*p[1] = { slug };
	enum mp_err	 rc;

	if ((rc = mp_q(&r->ctx, &stmts[KBK_GET], 1, p, row)) != MP_OK)
		return rc;
	if (mp_res_rows(*row) == 0)
		return mp_req_fail(r, MP_ENOTFOUND, NULL,
		    "There is no help-center category with this slug.");
	return MP_OK;
}

/* Staff only: the category the route's {slug} names, into *row. */
static enum mp_err
target(struct mp_req *r, struct mp_res **row)
{
	enum mp_err	 rc;

	if ((rc = mp_kb_staff(r)) != MP_OK)
		return rc;
	return find(r, mp_req_cap(r, "slug")->s, row);
}

/* What a row holds, as the form shows it. */
static void
from_row(const struct mp_res *row, struct category *c)
{
	c->name = mp_res_get(row, 0, K_NAME);
	c->slug = mp_res_get(row, 0, K_SLUG);
	c->description = mp_res_get(row, 0, K_DESC);
	c->parent = *mp_res_get(row, 0, K_PSLUG) ? mp_res_get(row, 0, K_PSLUG) :
	    NULL;
	c->position = mp_res_get(row, 0, K_POS);
}

/* Whether the category in row holds nothing (it may be deleted). */
static int
empty(const struct mp_res *row)
{
	return mp_res_int(row, 0, K_ARTICLES) == 0 &&
	    mp_res_int(row, 0, K_CHILDREN) == 0;
}

/*
 * Roll back what a failed save ran and begin again for the page that
 * reports it (it reads the categories).
 */
static enum mp_err
restart(struct mp_req *r)
{
	mp_db_rollback(r->ctx.db);
	return mp_tx_begin(&r->ctx);
}

/*
 * The categories page: every category, and a form (a new category, or
 * the one in edit: its slug, with a delete button when can_delete) filled
 * from c, with r's error when there is one.  status is the page's HTTP
 * status.
 */
static enum mp_err
page(struct mp_req *r, struct mp_resp *w, const char *edit,
    const struct category *c, int can_delete, int status)
{
	HDF		*hdf = mp_hdf(r);
	struct mp_res	*res;
	const char	*pre, *saved;
	int		 i;
	enum mp_err	 rc;

	mp_kb_admin_page(r, hdf, edit ? "Edit help category" :
	    "Help categories");
	if ((rc = mp_q(&r->ctx, &stmts[KBK_LIST], 0, NULL, &res)) != MP_OK)
		return rc;
	for (i = 0; i < mp_res_rows(res); i++) {
		pre = mp_printf(r->ctx.a, "Kb.Cats.%d", i);
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.Slug", pre),
		    mp_res_get(res, i, K_SLUG));
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.Name", pre),
		    mp_res_get(res, i, K_NAME));
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.Parent", pre),
		    mp_res_get(res, i, K_PNAME));
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.Position", pre),
		    mp_res_get(res, i, K_POS));
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.Articles", pre),
		    mp_res_get(res, i, K_ARTICLES));
		if (mp_res_bool(res, i, K_TOP) && (edit == NULL ||
		    strcmp(edit, mp_res_get(res, i, K_SLUG)) != 0))
			mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.CanParent", pre),
			    "1");
	}
	if (edit != NULL) {
		mp_hdf_set(hdf, "Kb.Form.Edit", edit);
		mp_hdf_set(hdf, "Kb.Form.Action", mp_printf(r->ctx.a,
		    "/staff/help/categories/%s", edit));
	} else
		mp_hdf_set(hdf, "Kb.Form.Action", "/staff/help/categories");
	mp_hdf_set(hdf, "Kb.Form.Name", c->name);
	mp_hdf_set(hdf, "Kb.Form.Slug", c->slug);
	mp_hdf_set(hdf, "Kb.Form.Description", c->description);
	mp_hdf_set(hdf, "Kb.Form.Parent", c->parent);
	mp_hdf_set(hdf, "Kb.Form.Position", c->position);
	if (can_delete)
		mp_hdf_set(hdf, "Kb.Form.CanDelete", "1");
	/* Only the list page (a GET without edit) declares and shows it. */
	if (edit == NULL && r->method == MP_GET &&
	    (saved = val(r, "saved")) != NULL)
		mp_hdf_set(hdf, "Kb.Saved", saved);
	if (r->ctx.err_msg != NULL) {
		mp_hdf_set(hdf, "Kb.Error.Message", r->ctx.err_msg);
		mp_hdf_set(hdf, "Kb.Error.Field", r->ctx.err_field);
	}
	return mp_render(r, w, status, "kb/admin_categories.cs", hdf);
}

/* 422 for a field's problem, 409 for a slug in use. */
static int
form_status(enum mp_err rc)
{
	return rc == MP_ECONFLICT ? 409 : 422;
}

/* GET /staff/help/categories: the list and the form for a new one. */
enum mp_err
mp_kb_admin_categories(struct mp_req *r, struct mp_resp *w)
{
	struct category	 c;
	enum mp_err	 rc;

	if ((rc = mp_kb_staff(r)) != MP_OK)
		return rc;
	memset(&c, 0, sizeof(c));
	return page(r, w, NULL, &c, 0, 200);
}

/* POST /staff/help/categories: create; 303 back to the list. */
enum mp_err
mp_kb_admin_category_create(struct mp_req *r, struct mp_resp *w)
{
	struct category	 c;
	const char	*slug;
	enum mp_err	 rc;

	if ((rc = mp_kb_staff(r)) != MP_OK)
		return rc;
	memset(&c, 0, sizeof(c));
	if ((rc = input(r, &c, NULL)) == MP_OK &&
	    (rc = store(r, &c, NULL, &slug)) == MP_OK)
		return mp_resp_redirect(w, 303, mp_printf(r->ctx.a,
		    "/staff/help/categories?saved=%s", slug));
	if (rc != MP_EINPUT && rc != MP_ECONFLICT)
		return rc;
	if (restart(r) != MP_OK)
		return MP_EDB;
	return page(r, w, NULL, &c, 0, form_status(rc));
}

/* GET /staff/help/categories/{slug}: the form filled with the category. */
enum mp_err
mp_kb_admin_category(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*cap = mp_req_cap(r, "slug");
	struct mp_res		*row;
	struct category		 c;
	enum mp_err		 rc;

	if ((rc = target(r, &row)) != MP_OK)
		return rc;
	from_row(row, &c);
	return page(r, w, cap->s, &c, empty(row), 200);
}

/* POST /staff/help/categories/{slug}: save; 303 back to the list. */
enum mp_err
mp_kb_admin_category_update(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*cap = mp_req_cap(r, "slug");
	struct mp_res		*row;
	struct category		 c;
	const char		*slug;
	enum mp_err		 rc;

	if ((rc = target(r, &row)) != MP_OK)
		return rc;
	from_row(row, &c);
	if ((rc = input(r, &c, row)) == MP_OK &&
	    (rc = store(r, &c, row, &slug)) == MP_OK)
		return mp_resp_redirect(w, 303, mp_printf(r->ctx.a,
		    "/staff/help/categories?saved=%s", slug));
	if (rc != MP_EINPUT && rc != MP_ECONFLICT)
		return rc;
	if (restart(r) != MP_OK)
		return MP_EDB;
	return page(r, w, cap->s, &c, empty(row), form_status(rc));
}

/* Delete the (empty) category in row; MP_ECONFLICT when it is not empty. */
static enum mp_err
delete(struct mp_req *r, const struct mp_res *row)
{
	struct mp_res	*res;
	const char	*p[1] = { mp_res_get(row, 0, K_ID) };
	enum mp_err	 rc;

	if ((rc = mp_q(&r->ctx, &stmts[KBK_DELETE], 1, p, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) == 0)
		return mp_req_fail(r, MP_ECONFLICT, NULL,
		    "Only an empty category can be deleted: move its articles "
		    "(drafts and archived ones too) and categories first.");
	return MP_OK;
}

/* POST /staff/help/categories/{slug}/delete: an empty category goes. */
enum mp_err
mp_kb_admin_category_delete(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*cap = mp_req_cap(r, "slug");
	struct mp_res		*row;
	struct category		 c;
	enum mp_err		 rc;

	if ((rc = target(r, &row)) != MP_OK)
		return rc;
	if ((rc = delete(r, row)) == MP_OK)
		return mp_resp_redirect(w, 303, "/staff/help/categories");
	if (rc != MP_ECONFLICT)
		return rc;
	from_row(row, &c);
	return page(r, w, cap->s, &c, 0, 409);
}

/* What the JSON shows of a category (CATEGORY's column names). */
static const struct mp_col json_cols[] = {
	{ "slug", NULL, MP_COL_TEXT },
	{ "name", NULL, MP_COL_TEXT },
	{ "description", NULL, MP_COL_TEXT },
	{ "parent", NULL, MP_COL_TEXT },	/* null for a top-level one */
	{ "position", NULL, MP_COL_INT },
	{ "articles", NULL, MP_COL_INT },
	{ "children", NULL, MP_COL_INT },
	{ NULL, NULL, 0 }
};

/* Row i of res as a JSON object (owned by the caller). */
static struct json_object *
json_category(const struct mp_res *res, int i)
{
	return mp_row_json(res, i, json_cols);
}

/* The category saved as slug, as JSON with status. */
static enum mp_err
send_category(struct mp_req *r, struct mp_resp *w, int status,
    const char *slug)
{
	struct json_object	*o;
	struct mp_res		*row;
	enum mp_err		 rc;

	if ((rc = find(r, slug, &row)) != MP_OK)
		return rc;
	o = json_category(row, 0);
	mp_json_own(r->ctx.a, o);
	if (status == 201)
		mp_resp_header(w, "Location", mp_printf(r->ctx.a,
		    "/api/kb/admin/categories/%s", slug));
	return mp_resp_json(r, w, status, o);
}

/* GET /api/kb/admin/categories: every category, in display order. */
enum mp_err
mp_kb_api_categories(struct mp_req *r, struct mp_resp *w)
{
	struct json_object	*o, *arr;
	struct mp_res		*res;
	int			 i;
	enum mp_err		 rc;

	if ((rc = mp_kb_staff(r)) != MP_OK ||
	    (rc = mp_q(&r->ctx, &stmts[KBK_LIST], 0, NULL, &res)) != MP_OK)
		return rc;
	o = json_object_new_object();
	mp_json_own(r->ctx.a, o);
	arr = json_object_new_array();
	json_object_object_add(o, "categories", arr);
	for (i = 0; i < mp_res_rows(res); i++)
		json_object_array_add(arr, json_category(res, i));
	return mp_resp_json(r, w, 200, o);
}

/* POST /api/kb/admin/categories: 201 with the category. */
enum mp_err
mp_kb_api_category_create(struct mp_req *r, struct mp_resp *w)
{
	struct category	 c;
	const char	*slug;
	enum mp_err	 rc;

	if ((rc = mp_kb_staff(r)) != MP_OK)
		return rc;
	memset(&c, 0, sizeof(c));
	if ((rc = input(r, &c, NULL)) != MP_OK ||
	    (rc = store(r, &c, NULL, &slug)) != MP_OK)
		return rc;
	return send_category(r, w, 201, slug);
}

/* PUT /api/kb/admin/categories/{slug}: absent fields keep their values. */
enum mp_err
mp_kb_api_category_update(struct mp_req *r, struct mp_resp *w)
{
	struct mp_res		*row;
	struct category		 c;
	const char		*slug;
	enum mp_err		 rc;

	if ((rc = target(r, &row)) != MP_OK)
		return rc;
	from_row(row, &c);
	if ((rc = input(r, &c, row)) != MP_OK ||
	    (rc = store(r, &c, row, &slug)) != MP_OK)
		return rc;
	return send_category(r, w, 200, slug);
}

/* DELETE /api/kb/admin/categories/{slug}: 204, or 409 when not empty. */
enum mp_err
mp_kb_api_category_delete(struct mp_req *r, struct mp_resp *w)
{
	struct mp_res		*row;
	enum mp_err		 rc;

	if ((rc = target(r, &row)) != MP_OK ||
	    (rc = delete(r, row)) != MP_OK)
		return rc;
	w->status = 204;
	return MP_OK;
}
