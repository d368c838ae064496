/* Help center, staff side: the tenant's search synonyms (groups of terms that mean the same), page and JSON. */
#include <string.h>

#include <ClearSilver.h>
#include <json-c/json.h>

#include "features/kb/extern.h"

#define TERMS_MIN	2
#define TERMS_MAX	12
#define TERM_MAX	60	/* bytes of one term */

enum kby_stmt {
	KBY_LIST,
	KBY_GET,
	KBY_INSERT,
	KBY_UPDATE,
	KBY_DELETE,
	KBY__MAX
};

static const struct mp_stmt stmts[] = {
	[KBY_LIST] = { "kby_list",
	    "SELECT id, locale, to_json(terms), array_to_string(terms, ', ')"
	    " FROM kb_synonyms ORDER BY terms[1], id", MP_STMT_READ },
	[KBY_GET] = { "kby_get",
	    "SELECT id, locale, to_json(terms) FROM kb_synonyms WHERE id = $1",
	    MP_STMT_READ },
	[KBY_INSERT] = { "kby_insert",
	    "INSERT INTO kb_synonyms (tenant_id, terms)"
	    " SELECT mp_tenant(), array_agg(t ORDER BY n)"
	    " FROM json_array_elements_text($1::json) WITH ORDINALITY x(t, n)"
	    " RETURNING id" },
	[KBY_UPDATE] = { "kby_update",
	    "UPDATE kb_synonyms SET terms = (SELECT array_agg(t ORDER BY n)"
	    " FROM json_array_elements_text($2::json) WITH ORDINALITY x(t, n)),"
	    " updated_at = now() WHERE id = $1 RETURNING id" },
	[KBY_DELETE] = { "kby_delete",
	    "DELETE FROM kb_synonyms WHERE id = $1 RETURNING id" },
};

_Static_assert(sizeof(stmts) / sizeof(stmts[0]) == KBY__MAX,
    "kb synonyms statement table and enum differ");

MP_STMT_TABLE(mp_kb_synonyms_st, stmts);

const struct mp_field mp_kb_synonym_fields[] = {
	{ "terms", MP_V_TEXT, 0, 1000, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

/*
 * Append one term (trimmed, inner runs of space one blank) to arr unless
 * it is empty.  Returns 0 for a term that breaks a rule (why says which).
 */
static int
add_term(struct mp_req *r, struct json_object *arr, const char *s, size_t len,
    const char **why)
{
	struct mp_buf	 b;
	size_t		 i, n;
	int		 space = 0, alnum = 0;
	char		*t;

	mp_buf_init(&b, 0);
	for (i = 0; i < len; i++) {
		unsigned char	 c = (unsigned char)s[i];

		if (c <= ' ') {
			space = b.len > 0;
			continue;
		}
		if (space)
			mp_buf_putc(&b, ' ');
		space = 0;
		mp_buf_putc(&b, (char)c);
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c >= 0x80)
			alnum = 1;
	}
	t = mp_strndup(r->ctx.a, b.len ? mp_buf_cstr(&b) : "", b.len);
	mp_buf_free(&b);
	if (*t == '\0')
		return 1;
	if (strlen(t) > TERM_MAX) {
		*why = "Each term is at most 60 characters.";
		return 0;
	}
	if (!alnum) {
		*why = "Each term needs a letter or a digit.";
		return 0;
	}
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++)
		if (strcasecmp(json_object_get_string(
		    json_object_array_get_idx(arr, i)), t) == 0) {
			*why = "A term appears twice in the group.";
			return 0;
		}
	json_object_array_add(arr, json_object_new_string(t));
	return 1;
}

/*
 * The terms of the request (a JSON array of strings, or text with one
 * term per comma or line) as a JSON array text in *out.  Fails with a 400
 * naming "terms" unless there are 2 to 12 distinct terms of 1 to 60
 * characters, each with a letter or a digit.
 */
static enum mp_err
terms_of(struct mp_req *r, const char **out)
{
	struct json_object	*j, *e, *arr;
	const struct mp_value	*v;
	const char		*s, *why = NULL, *end;
	size_t			 i, n;

	arr = json_object_new_array();
	mp_json_own(r->ctx.a, arr);
	if (r->json != NULL && json_object_object_get_ex(r->json, "terms", &j)
	    && json_object_is_type(j, json_type_array)) {
		n = json_object_array_length(j);
		if (n > TERMS_MAX)
			goto many;
		for (i = 0; i < n; i++) {
			e = json_object_array_get_idx(j, i);
			if (!json_object_is_type(e, json_type_string))
				return mp_req_fail(r, MP_EINPUT, "terms",
				    "terms is a list of words or phrases.");
			s = json_object_get_string(e);
			if (!add_term(r, arr, s, strlen(s), &why))
				return mp_req_fail(r, MP_EINPUT, "terms", why);
		}
	} else if ((v = mp_req_val(r, "terms")) != NULL && v->present) {
		for (s = v->s; *s != '\0'; s = *end ? end + 1 : end) {
			end = s + strcspn(s, ",\n");
			if (!add_term(r, arr, s, (size_t)(end - s), &why))
				return mp_req_fail(r, MP_EINPUT, "terms", why);
			if (json_object_array_length(arr) > TERMS_MAX)
				goto many;
		}
	}
	n = json_object_array_length(arr);
	if (n > TERMS_MAX)
		goto many;
	if (n < TERMS_MIN)
		return mp_req_fail(r, MP_EINPUT, "terms",
		    "A synonym group needs at least two terms, separated by"
		    " commas.");
	*out = json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN);
	return MP_OK;
many:
	return mp_req_fail(r, MP_EINPUT, "terms",
	    "A synonym group has at most 12 terms.");
}

/* One group as JSON: {"id", "locale", "terms"}; res row i of KBY_*. */
static struct json_object *
group_json(struct mp_req *r, struct mp_res *res, int i)
{
	struct json_object	*o = json_object_new_object(), *t;
	const char		*s = mp_res_get(res, i, 2);
	char			 err[80];

	(void)r;
	json_object_object_add(o, "id", json_object_new_int64(
	    mp_res_int(res, i, 0)));
	json_object_object_add(o, "locale",
	    json_object_new_string(mp_res_get(res, i, 1)));
	if (mp_json_parse(r->ctx.a, s, strlen(s), 3, &t, err, sizeof(err)) ==
	    MP_OK)
		json_object_object_add(o, "terms", json_object_get(t));
	else
		json_object_object_add(o, "terms", json_object_new_array());
	return o;
}

/* GET /staff/help/synonyms: the groups and a form to add one. */
enum mp_err
mp_kb_admin_synonyms(struct mp_req *r, struct mp_resp *w)
{
	struct mp_res	*res;
	const char	*pre;
	HDF		*hdf;
	int		 i;
	enum mp_err	 rc;

	if ((rc = mp_kb_staff(r)) != MP_OK)
		return rc;
	if ((rc = mp_q(&r->ctx, &stmts[KBY_LIST], 0, NULL, &res)) != MP_OK)
		return rc;
	hdf = mp_hdf(r);
	mp_kb_admin_page(r, hdf, "Search synonyms");
	mp_hdf_csrf(r, hdf);
	for (i = 0; i < mp_res_rows(res); i++) {
		pre = mp_printf(r->ctx.a, "Kb.Synonyms.%d", i);
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.Id", pre),
		    mp_res_get(res, i, 0));
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.Terms", pre),
		    mp_res_get(res, i, 3));
	}
	return mp_render(r, w, 200, "kb/admin_synonyms.cs", hdf);
}

/* POST /staff/help/synonyms (form: terms): add a group, 303 back. */
enum mp_err
mp_kb_admin_synonym_create(struct mp_req *r, struct mp_resp *w)
{
	const char	*p[1];
	enum mp_err	 rc;

	if ((rc = mp_kb_staff(r)) != MP_OK || (rc = terms_of(r, &p[0])) !=
	    MP_OK)
		return rc;
	if ((rc = mp_q(&r->ctx, &stmts[KBY_INSERT], 1, p, NULL)) != MP_OK)
		return rc;
	return mp_resp_redirect(w, 303, "/staff/help/synonyms?saved=1");
}

/* Change ($2 != NULL) or delete group id; MP_ENOTFOUND when unknown. */
static enum mp_err
change(struct mp_req *r, const char *terms)
{
	const struct mp_capture	*id = mp_req_cap(r, "id");
	const char		*p[2] = { id->s, terms };
	struct mp_res		*res;
	enum mp_err		 rc;

	if ((rc = mp_q(&r->ctx, &stmts[terms ? KBY_UPDATE : KBY_DELETE],
	    terms ? 2 : 1, p, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) == 0)
		return mp_req_fail(r, MP_ENOTFOUND, NULL,
		    "There is no synonym group with this id.");
	return MP_OK;
}

/* POST /staff/help/synonyms/{id} (form: terms): change a group. */
enum mp_err
mp_kb_admin_synonym_update(struct mp_req *r, struct mp_resp *w)
{
	const char	*terms;
	enum mp_err	 rc;

	if ((rc = mp_kb_staff(r)) != MP_OK || (rc = terms_of(r, &terms)) !=
	    MP_OK || (rc = change(r, terms)) != MP_OK)
		return rc;
	return mp_resp_redirect(w, 303, "/staff/help/synonyms?saved=1");
}

/* POST /staff/help/synonyms/{id}/delete: remove a group. */
enum mp_err
mp_kb_admin_synonym_delete(struct mp_req *r, struct mp_resp *w)
{
	enum mp_err	 rc;

	if ((rc = mp_kb_staff(r)) != MP_OK || (rc = change(r, NULL)) != MP_OK)
		return rc;
	return mp_resp_redirect(w, 303, "/staff/help/synonyms?deleted=1");
}

/* The group id (text) as JSON with status. */
static enum mp_err
send_group(struct mp_req *r, struct mp_resp *w, int status, const char *id)
{
	struct json_object	*o;
	struct mp_res		*res;
	const char		*p[1] = { id };
	enum mp_err		 rc;

	if ((rc = mp_q(&r->ctx, &stmts[KBY_GET], 1, p, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) == 0)
		return MP_ENOTFOUND;
	o = group_json(r, res, 0);
	mp_json_own(r->ctx.a, o);
	return mp_resp_json(r, w, status, o);
}

/* GET /api/kb/admin/synonyms: {"synonyms": [{"id", "locale", "terms"}]} */
enum mp_err
mp_kb_api_synonyms(struct mp_req *r, struct mp_resp *w)
{
	struct json_object	*o, *arr;
	struct mp_res		*res;
	int			 i;
	enum mp_err		 rc;

	if ((rc = mp_kb_staff(r)) != MP_OK)
		return rc;
	if ((rc = mp_q(&r->ctx, &stmts[KBY_LIST], 0, NULL, &res)) != MP_OK)
		return rc;
	o = json_object_new_object();
	mp_json_own(r->ctx.a, o);
	arr = json_object_new_array();
	for (i = 0; i < mp_res_rows(res); i++)
		json_object_array_add(arr, group_json(r, res, i));
	json_object_object_add(o, "synonyms", arr);
	return mp_resp_json(r, w, 200, o);
}

/* POST /api/kb/admin/synonyms {"terms": [...]}: 201 with the group. */
enum mp_err
mp_kb_api_synonym_create(struct mp_req *r, struct mp_resp *w)
{
	struct mp_res	*res;
	const char	*p[1];
	enum mp_err	 rc;

	if ((rc = mp_kb_staff(r)) != MP_OK || (rc = terms_of(r, &p[0])) !=
	    MP_OK)
		return rc;
	if ((rc = mp_q(&r->ctx, &stmts[KBY_INSERT], 1, p, &res)) != MP_OK)
		return rc;
	return send_group(r, w, 201, mp_res_get(res, 0, 0));
}

/* PUT /api/kb/admin/synonyms/{id} {"terms": [...]}: 200 with the group. */
enum mp_err
mp_kb_api_synonym_update(struct mp_req *r, struct mp_resp *w)
{
	const char	*terms;
	enum mp_err	 rc;

	if ((rc = mp_kb_staff(r)) != MP_OK || (rc = terms_of(r, &terms)) !=
	    MP_OK || (rc = change(r, terms)) != MP_OK)
		return rc;
	return send_group(r, w, 200, mp_req_cap(r, "id")->s);
}

/* DELETE /api/kb/admin/synonyms/{id}: 204. */
enum mp_err
mp_kb_api_synonym_delete(struct mp_req *r, struct mp_resp *w)
{
	enum mp_err	 rc;

	if ((rc = mp_kb_staff(r)) != MP_OK || (rc = change(r, NULL)) != MP_OK)
		return rc;
	w->status = 204;
	return MP_OK;
}
