/* White-label settings: the JSON API, the staff page with its preview, logo uploads, and the staff landing page. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <ClearSilver.h>
#include <json-c/json.h>

#include "features/brand/extern.h"

#define MAX_LINKS	8

enum {
	S_GET, S_ENSURE, S_UPDATE, S_ASSETS, S_MAIL, S_ASSET_INS, S_SET_LOGO,
	S__MAX
};

static const struct mp_stmt stmts[] = {
	[S_GET] = { "brand_s_get",
	    "SELECT b.version, b.site_title AS portal_title, b.company_name,"
	    " b.tagline, b.primary_color, b.secondary_color, b.accent_color,"
	    " b.logo_light, b.logo_dark, b.favicon,"
	    " '/brand/' || b.logo_light AS logo_url,"
	    " '/brand/' || b.logo_dark AS logo_dark_url,"
	    " coalesce('/brand/' || b.favicon, '/favicon.ico') AS favicon_url,"
	    " b.email_from_name, b.email_from_address, b.welcome_message,"
	    " b.support_email, b.support_phone, b.meta_description,"
	    " b.footer_links, b.custom_css, t.custom_domain,"
	    " '/brand/' || t.slug || '-' || b.version || '.css' AS css_url,"
	    " d.domain AS pending_domain, d.token, d.status AS domain_status,"
	    " d.detail AS domain_detail, d.checked_at AS domain_checked_at,"
	    " b.updated_at"
	    " FROM tenants t JOIN tenant_branding b ON b.tenant_id = t.id"
	    " LEFT JOIN brand_domain d ON d.tenant_id = t.id"
	    " WHERE t.id = mp_tenant()", MP_STMT_READ },
	[S_ENSURE] = { "brand_s_ensure",
	    "INSERT INTO tenant_branding (tenant_id, site_title)"
	    " SELECT id, name FROM tenants WHERE id = mp_tenant()"
	    " ON CONFLICT (tenant_id) DO NOTHING" },
	[S_UPDATE] = { "brand_s_update",
	    "UPDATE tenant_branding SET"
	    " company_name = CASE WHEN $1::text IS NULL THEN company_name"
	    "  ELSE nullif($1, '') END,"
	    " site_title = coalesce($2, site_title),"
	    " tagline = CASE WHEN $3::text IS NULL THEN tagline"
	    "  ELSE nullif($3, '') END,"
	    " primary_color = coalesce($4, primary_color),"
	    " secondary_color = coalesce($5, secondary_color),"
	    " accent_color = coalesce($6, accent_color),"
	    " email_from_name = CASE WHEN $7::text IS NULL THEN email_from_name"
	    "  ELSE nullif($7, '') END,"
	    " email_from_address = CASE WHEN $8::text IS NULL"
	    "  THEN email_from_address ELSE nullif($8, '') END,"
	    " welcome_message = CASE WHEN $9::text IS NULL THEN welcome_message"
	    "  ELSE nullif($9, '') END,"
	    " support_email = CASE WHEN $10::text IS NULL THEN support_email"
	    "  ELSE nullif($10, '') END,"
	    " support_phone = CASE WHEN $11::text IS NULL THEN support_phone"
	    "  ELSE nullif($11, '') END,"
	    " meta_description = CASE WHEN $12::text IS NULL"
	    "  THEN meta_description ELSE nullif($12, '') END,"
	    " footer_links = coalesce($13::jsonb, footer_links),"
	    " custom_css = coalesce($14, custom_css),"
	    " logo_light = CASE WHEN $15::text IS NULL THEN logo_light"
	    "  ELSE nullif($15, '') END,"
	    " logo_dark = CASE WHEN $16::text IS NULL THEN logo_dark"
	    "  ELSE nullif($16, '') END,"
	    " favicon = CASE WHEN $17::text IS NULL THEN favicon"
	    "  ELSE nullif($17, '') END,"
	    " version = version + 1, updated_at = now()"
	    " RETURNING version, email_from_name, email_from_address" },
	[S_ASSETS] = { "brand_s_assets",
	    "SELECT name, kind FROM brand_asset ORDER BY created_at",
	    MP_STMT_READ },
	[S_MAIL] = { "brand_s_mail",
	    "INSERT INTO tenant_mail_settings (tenant_id, from_name,"
	    " from_address) VALUES (mp_tenant(), $1, $2)"
	    " ON CONFLICT (tenant_id) DO UPDATE SET"
	    " from_name = EXCLUDED.from_name,"
	    " from_address = EXCLUDED.from_address, updated_at = now()" },
	[S_ASSET_INS] = { "brand_s_asset_ins",
	    "INSERT INTO brand_asset (tenant_id, name, kind, media_type, bytes,"
	    " width, height, data) VALUES (mp_tenant(), $1, $2, $3, $4::int,"
	    " $5::int, $6::int, decode($7, 'hex'))"
	    " ON CONFLICT (tenant_id, name, kind) DO NOTHING" },
	[S_SET_LOGO] = { "brand_s_set_logo",
	    "UPDATE tenant_branding SET"
	    " logo_light = CASE WHEN $1 = 'logo' THEN $2 ELSE logo_light END,"
	    " logo_dark = CASE WHEN $1 = 'logo_dark' THEN $2 ELSE logo_dark END,"
	    " favicon = CASE WHEN $1 = 'favicon' THEN $2 ELSE favicon END,"
	    " version = version + 1, updated_at = now() RETURNING version" },
};

_Static_assert(MP_NELEM(stmts) == S__MAX, "brand settings statements and enum differ");

MP_STMT_TABLE(mp_brand_settings_st, stmts);

/* The settings as PUT /api/white-label and the staff form take them. */
const struct mp_field mp_brand_fields[] = {
	{ "company_name",	MP_V_TEXT, 0, 200, 0, NULL },
	{ "portal_title",	MP_V_TEXT, 1, 200, 0, NULL },
	{ "tagline",		MP_V_TEXT, 0, 300, 0, NULL },
	{ "primary_color",	MP_V_TEXT, 0, 7, 0, NULL },
	{ "secondary_color",	MP_V_TEXT, 0, 7, 0, NULL },
	{ "accent_color",	MP_V_TEXT, 0, 7, 0, NULL },
	{ "email_from_name",	MP_V_TEXT, 0, 200, 0, NULL },
	{ "email_from_address",	MP_V_TEXT, 0, 254, 0, NULL },
	{ "welcome_message",	MP_V_TEXT, 0, 2000, 0, NULL },
	{ "support_email",	MP_V_TEXT, 0, 254, 0, NULL },
	{ "support_phone",	MP_V_TEXT, 0, 40, 0, NULL },
	{ "meta_description",	MP_V_TEXT, 0, 300, 0, NULL },
	{ "footer_links",	MP_V_TEXT, 0, 8000, 0, NULL },
	{ "custom_css",		MP_V_TEXT, 0, 65536, 0, NULL },
	{ "logo_light",		MP_V_TEXT, 0, 80, 0, NULL },
	{ "logo_dark",		MP_V_TEXT, 0, 80, 0, NULL },
	{ "favicon",		MP_V_TEXT, 0, 80, 0, NULL },
	{ "custom_domain",	MP_V_TEXT, 0, 253, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

static const char *const logo_kinds[] = { "light", "dark", "favicon", NULL };

const struct mp_field mp_brand_logo_fields[] = {
	{ "kind",	MP_V_ENUM, 0, 0, 0, logo_kinds },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct mp_field mp_brand_preview_fields[] = {
	{ "primary_color",	MP_V_TEXT, 0, 7, 0, NULL },
	{ "secondary_color",	MP_V_TEXT, 0, 7, 0, NULL },
	{ "accent_color",	MP_V_TEXT, 0, 7, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

/* A field's validated text, or NULL when the request did not send it. */
static const char *
val(struct mp_req *r, const char *name)
{
	const struct mp_value	*v = mp_req_val(r, name);

	return v != NULL && v->present ? v->s : NULL;
}

/* JSON of the settings row; the staff see what only they may. */
static struct json_object *
settings_json(struct mp_req *r, const struct mp_res *res)
{
	static const struct mp_col pub[] = {
		{ "version", NULL, MP_COL_INT },
		{ "company_name", NULL, MP_COL_TEXT },
		{ "portal_title", NULL, MP_COL_TEXT },
		{ "tagline", NULL, MP_COL_TEXT },
		{ "primary_color", NULL, MP_COL_TEXT },
		{ "secondary_color", NULL, MP_COL_TEXT },
		{ "accent_color", NULL, MP_COL_TEXT },
		{ "logo_url", NULL, MP_COL_TEXT },
		{ "logo_dark_url", NULL, MP_COL_TEXT },
		{ "favicon_url", NULL, MP_COL_TEXT },
		{ "welcome_message", NULL, MP_COL_TEXT },
		{ "support_email", NULL, MP_COL_TEXT },
		{ "support_phone", NULL, MP_COL_TEXT },
		{ "meta_description", NULL, MP_COL_TEXT },
		{ "footer_links", NULL, MP_COL_JSON },
		{ "custom_domain", NULL, MP_COL_TEXT },
		{ "css_url", NULL, MP_COL_TEXT },
		{ NULL, NULL, 0 }
	};
	static const struct mp_col staff[] = {
		{ "email_from_name", NULL, MP_COL_TEXT },
		{ "email_from_address", NULL, MP_COL_TEXT },
		{ "custom_css", NULL, MP_COL_TEXT },
		{ "logo_light", NULL, MP_COL_TEXT },
		{ "logo_dark", NULL, MP_COL_TEXT },
		{ "favicon", NULL, MP_COL_TEXT },
		{ "updated_at", NULL, MP_COL_TEXT },
		{ NULL, NULL, 0 }
	};
	struct json_object	*o, *s, *d;

	o = mp_row_json(res, 0, pub);
	if (r->user == NULL || r->user->role < MP_ROLE_SUPPORT)
		return o;
	s = mp_row_json(res, 0, staff);
	json_object_object_foreach(s, k, v)
		json_object_object_add(o, k, json_object_get(v));
	json_object_put(s);
	if (!mp_res_isnull(res, 0, mp_res_col(res, "pending_domain"))) {
		d = json_object_new_object();
		json_object_object_add(d, "domain", json_object_new_string(
		    mp_res_by(res, 0, "pending_domain")));
		json_object_object_add(d, "status", json_object_new_string(
		    mp_res_by(res, 0, "domain_status")));
		json_object_object_add(d, "token", json_object_new_string(
		    mp_res_by(res, 0, "token")));
		json_object_object_add(d, "url", json_object_new_string(
		    mp_printf(r->ctx.a, "https://%s/.well-known/"
		    "mpanel-verification/%s", mp_res_by(res, 0,
		    "pending_domain"), mp_res_by(res, 0, "token"))));
		json_object_object_add(d, "detail",
		    mp_res_by(res, 0, "domain_detail") ? json_object_new_string(
		    mp_res_by(res, 0, "domain_detail")) : NULL);
		json_object_object_add(d, "checked_at",
		    mp_res_by(res, 0, "domain_checked_at") ?
		    json_object_new_string(mp_res_by(res, 0,
		    "domain_checked_at")) : NULL);
		json_object_object_add(o, "domain_verification", d);
	}
	return o;
}

/* The settings row, created with defaults when the tenant has none. */
static enum mp_err
load(struct mp_req *r, struct mp_res **res)
{
	enum mp_err	 rc;

	if ((rc = mp_q(&r->ctx, &stmts[S_GET], 0, NULL, res)) != MP_OK)
		return rc;
	if (mp_res_rows(*res) == 1)
		return MP_OK;
	if ((rc = mp_q(&r->ctx, &stmts[S_ENSURE], 0, NULL, NULL)) != MP_OK)
		return rc;
	return mp_q_one(&r->ctx, &stmts[S_GET], 0, NULL, res,
	    "This portal has no settings.");
}

/* GET /api/white-label: the tenant's brand (more for its staff). */
enum mp_err
mp_brand_api_get(struct mp_req *r, struct mp_resp *w)
{
	struct json_object	*o;
	struct mp_res		*res;
	enum mp_err		 rc;

	if ((rc = load(r, &res)) != MP_OK)
		return rc;
	o = settings_json(r, res);
	mp_resp_header(w, "Cache-Control", "no-cache");
	rc = mp_resp_json(r, w, 200, o);
	json_object_put(o);
	return rc;
}

/* GET /api/white-label/css: the current stylesheet, revalidated by version. */
enum mp_err
mp_brand_api_css(struct mp_req *r, struct mp_resp *w)
{
	struct mp_res	*res;
	const char	*inm = mp_req_param(r, "HTTP_IF_NONE_MATCH");
	char		*etag;
	enum mp_err	 rc;

	if ((rc = load(r, &res)) != MP_OK)
		return rc;
	etag = mp_printf(r->ctx.a, "\"v%s\"", mp_res_by(res, 0, "version"));
	mp_resp_header(w, "Cache-Control", "no-cache");
	mp_resp_header(w, "ETag", etag);
	mp_resp_header(w, "Link", mp_printf(r->ctx.a, "<%s>; rel=\"canonical\"",
	    mp_res_by(res, 0, "css_url")));
	if (inm != NULL && strcmp(inm, etag) == 0) {
		w->status = 304;
		mp_buf_reset(&w->body);
		return MP_OK;
	}
	w->status = 200;
	w->ctype = "text/css; charset=utf-8";
	mp_buf_reset(&w->body);
	mp_brand_css_text(&w->body, mp_res_by(res, 0, "primary_color"),
	    mp_res_by(res, 0, "secondary_color"),
	    mp_res_by(res, 0, "accent_color"), mp_res_by(res, 0, "custom_css"));
	return MP_OK;
}

/*
 * A colour field: NULL when absent, else its canonical "#rrggbb" (or a
 * 422 naming the field).
 */
static enum mp_err
color(struct mp_req *r, const char *field, char **out)
{
	const char	*s = val(r, field);
	char		 c[8];

	*out = NULL;
	if (s == NULL)
		return MP_OK;
	if (mp_brand_color(s, c) != 0)
		return mp_req_fail(r, MP_EINPUT, field, mp_printf(r->ctx.a,
		    "%s must be a colour like #1f5fbf or #15b.", field));
	*out = mp_strdup(r->ctx.a, c);
	return MP_OK;
}

/* White text (the header, buttons, badges) must reach WCAG AA on c. */
static enum mp_err
contrast(struct mp_req *r, const char *field, const char *c)
{
	double	 ratio = mp_brand_contrast(c, "#ffffff");

	if (ratio + 1e-9 >= MP_BRAND_AA)
		return MP_OK;
	return mp_req_fail(r, MP_EINPUT, field, mp_printf(r->ctx.a,
	    "%s %s gives white text a contrast ratio of %.2f:1; WCAG AA "
	    "needs at least 4.5:1. Choose a darker colour.", field, c,
	    (double)((long)(ratio * 100)) / 100));
}

/* A footer link's address: https://, http:// or a path on this site. */
static int
link_ok(const char *u)
{
	size_t	 i;

	if (strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0 &&
	    !(u[0] == '/' && u[1] != '/' && u[1] != '\\'))
		return 0;
	for (i = 0; u[i] != '\0'; i++)
		if ((unsigned char)u[i] <= ' ' || u[i] == 0x7f ||
		    u[i] == '"' || u[i] == '<' || u[i] == '>' || u[i] == '\\')
			return 0;
	return i <= 300 && (u[0] == '/' || strlen(u) > 8);
}

static char *
trim(char *s)
{
	char	*e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static enum mp_err
add_link(struct mp_req *r, struct json_object *arr, const char *label,
    const char *url, int n)
{
	struct json_object	*o;

	if (n >= MAX_LINKS)
		return mp_req_fail(r, MP_EINPUT, "footer_links",
		    "footer_links may hold at most 8 links.");
	if (label == NULL || *label == '\0' || strlen(label) > 60)
		return mp_req_fail(r, MP_EINPUT, "footer_links",
		    mp_printf(r->ctx.a, "footer_links link %d needs a label of "
		    "1 to 60 characters.", n + 1));
	if (url == NULL || !link_ok(url))
		return mp_req_fail(r, MP_EINPUT, "footer_links",
		    mp_printf(r->ctx.a, "footer_links link %d needs an "
		    "https:// address or a path starting with /.", n + 1));
	o = json_object_new_object();
	json_object_object_add(o, "label", json_object_new_string(label));
	json_object_object_add(o, "url", json_object_new_string(url));
	json_object_array_add(arr, o);
	return MP_OK;
}

/*
 * footer_links as JSON text for the database: from a JSON array of
 * {"label","url"} objects, or from the form's lines "Label | address".
 */
static enum mp_err
footer_links(struct mp_req *r, char **out)
{
	const char		*s = val(r, "footer_links");
	struct json_object	*arr, *in = NULL, *e, *l, *u;
	char			*copy, *line, *bar, *save = NULL;
	enum mp_err		 rc = MP_OK;
	size_t			 i;
	int			 n = 0;

	*out = NULL;
	if (r->json != NULL && (!json_object_object_get_ex(r->json,
	    "footer_links", &in) || json_object_is_type(in, json_type_null)))
		return MP_OK;
	if (r->json == NULL && s == NULL)
		return MP_OK;
	arr = json_object_new_array();
	mp_json_own(r->ctx.a, arr);
	if (r->json != NULL) {
		if (!json_object_is_type(in, json_type_array))
			return mp_req_fail(r, MP_EINPUT, "footer_links",
			    "footer_links must be an array of {\"label\", "
			    "\"url\"} objects.");
		for (i = 0; i < json_object_array_length(in) && rc == MP_OK;
		    i++) {
			e = json_object_array_get_idx(in, i);
			if (!json_object_is_type(e, json_type_object) ||
			    !json_object_object_get_ex(e, "label", &l) ||
			    !json_object_object_get_ex(e, "url", &u) ||
			    !json_object_is_type(l, json_type_string) ||
			    !json_object_is_type(u, json_type_string))
				return mp_req_fail(r, MP_EINPUT,
				    "footer_links", "footer_links must be an "
				    "array of {\"label\", \"url\"} objects.");
			rc = add_link(r, arr, json_object_get_string(l),
			    json_object_get_string(u), n++);
		}
	} else {
		copy = mp_strdup(r->ctx.a, s);
		for (line = strtok_r(copy, "\r\n", &save); line != NULL &&
		    rc == MP_OK; line = strtok_r(NULL, "\r\n", &save)) {
			line = trim(line);
			if (*line == '\0')
				continue;
			if ((bar = strchr(line, '|')) == NULL)
				return mp_req_fail(r, MP_EINPUT,
				    "footer_links", mp_printf(r->ctx.a,
				    "footer_links line %d must read "
				    "\"Label | address\".", n + 1));
			*bar = '\0';
			rc = add_link(r, arr, trim(line), trim(bar + 1), n++);
		}
	}
	if (rc == MP_OK)
		*out = mp_strdup(r->ctx.a, json_object_to_json_string_ext(arr,
		    JSON_C_TO_STRING_PLAIN));
	return rc;
}

/*
 * Validate every field the request sent and write them: colours and
 * their contrast, addresses, links, custom CSS through the tokenizer,
 * logo names among the tenant's uploads, a new custom domain (which
 * starts its ownership check).  Nothing is written unless everything
 * passed.  On success the transaction is committed and the new CSS file
 * is written before returning; *version is the new version.
 */
static enum mp_err
apply(struct mp_req *r, const char **version)
{
	struct mp_res	*cur, *assets, *res;
	const char	*p[17], *s, *why, *domain;
	const char	*names[64];
	char		*prim, *sec, *acc, *links, err[240];
	struct mp_value	 v;
	enum mp_err	 rc;
	int		 i, n;

	if ((rc = load(r, &cur)) != MP_OK)
		return rc;
	if ((rc = color(r, "primary_color", &prim)) != MP_OK ||
	    (rc = color(r, "secondary_color", &sec)) != MP_OK ||
	    (rc = color(r, "accent_color", &acc)) != MP_OK)
		return rc;
	if ((rc = contrast(r, "primary_color", prim ? prim :
	    mp_res_by(cur, 0, "primary_color"))) != MP_OK ||
	    (rc = contrast(r, "accent_color", acc ? acc :
	    mp_res_by(cur, 0, "accent_color"))) != MP_OK)
		return rc;
	for (i = 0; i < 2; i++) {
		const char *f = i == 0 ? "email_from_address" : "support_email";

		if ((s = val(r, f)) != NULL && *s != '\0' &&
		    mp_validate(MP_V_EMAIL, s, strlen(s), 0, 254, &v, &why) !=
		    MP_OK)
			return mp_req_fail(r, MP_EINPUT, f, mp_printf(r->ctx.a,
			    "%s %s.", f, why));
	}
	if ((s = val(r, "support_phone")) != NULL && *s != '\0' &&
	    (strlen(s) < 3 || strspn(s, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz +()./-") != strlen(s)))
		return mp_req_fail(r, MP_EINPUT, "support_phone",
		    "support_phone may hold digits, letters, spaces and "
		    "+ ( ) . / - only.");
	if ((rc = footer_links(r, &links)) != MP_OK)
		return rc;
	if ((rc = mp_q(&r->ctx, &stmts[S_ASSETS], 0, NULL, &assets)) != MP_OK)
		return rc;
	n = mp_res_rows(assets) < 63 ? mp_res_rows(assets) : 63;
	for (i = 0; i < n; i++)
		names[i] = mp_res_get(assets, i, 0);
	names[n] = NULL;
	for (i = 0; i < 3; i++) {
		static const char *const lf[] = { "logo_light", "logo_dark",
		    "favicon" };
		int k, found = 0;

		if ((s = val(r, lf[i])) == NULL || *s == '\0')
			continue;
		for (k = 0; k < n; k++)
			found |= strcmp(names[k], s) == 0;
		if (!found)
			return mp_req_fail(r, MP_EINPUT, lf[i],
			    mp_printf(r->ctx.a, "%s must name an image "
			    "uploaded with POST /api/white-label/logo.", lf[i]));
	}
	if ((s = val(r, "custom_css")) != NULL &&
	    mp_brand_css_check(s, strlen(s), MP_BRAND_CSS_MAX, names, err,
	    sizeof(err)) != 0)
		return mp_req_fail(r, MP_EINPUT, "custom_css",
		    mp_strdup(r->ctx.a, err));
	p[0] = val(r, "company_name");
	p[1] = val(r, "portal_title");
	p[2] = val(r, "tagline");
	p[3] = prim;
	p[4] = sec;
	p[5] = acc;
	p[6] = val(r, "email_from_name");
	p[7] = val(r, "email_from_address");
	p[8] = val(r, "welcome_message");
	p[9] = val(r, "support_email");
	p[10] = val(r, "support_phone");
	p[11] = val(r, "meta_description");
	p[12] = links;
	p[13] = val(r, "custom_css");
	p[14] = val(r, "logo_light");
	p[15] = val(r, "logo_dark");
	p[16] = val(r, "favicon");
	domain = val(r, "custom_domain");
	if (domain != NULL && *domain != '\0' && !mp_brand_domain_ok(r->ctx.cfg, domain))
		return mp_req_fail(r, MP_EINPUT, "custom_domain",
		    "custom_domain must be a host name such as "
		    "portal.example.com, not under this service's own domain.");
	if ((rc = mp_q(&r->ctx, &stmts[S_UPDATE], 17, p, &res)) != MP_OK)
		return rc;
	*version = mp_strdup(r->ctx.a, mp_res_get(res, 0, 0));
	if (!mp_res_isnull(res, 0, 1) && !mp_res_isnull(res, 0, 2)) {
		p[0] = mp_res_get(res, 0, 1);
		p[1] = mp_res_get(res, 0, 2);
		if ((rc = mp_q(&r->ctx, &stmts[S_MAIL], 2, p, NULL)) != MP_OK)
			return rc;
	}
	if (domain != NULL && (rc = mp_brand_domain_start(&r->ctx, domain,
	    0)) != MP_OK)
		return rc;
	if ((rc = mp_tx_commit(&r->ctx)) != MP_OK)
		return rc;
	/* Committed: the file for the new version; the fallback would too. */
	if (mp_brand_publish(&r->ctx, r->host) != MP_OK)
		mp_warn("brand: %s: CSS file not written now; nginx's "
		    "fallback will", r->ctx.tenant->slug);
	mp_tx_commit(&r->ctx);
	return MP_OK;
}

/* PUT /api/white-label: change any of the settings; 200 with all of them. */
enum mp_err
mp_brand_api_put(struct mp_req *r, struct mp_resp *w)
{
	const char	*ver;
	enum mp_err	 rc;

	if ((rc = apply(r, &ver)) != MP_OK)
		return rc;
	return mp_brand_api_get(r, w);
}

/*
 * An upload: the "file" part of the multipart body, checked by content
 * (PNG, JPEG, WebP, ICO; SVG and anything else refused), size and
 * dimensions for its kind, stored under the SHA-256 of its bytes, and
 * made the tenant's logo, dark logo or favicon.  *name is the file name.
 */
static enum mp_err
upload(struct mp_req *r, const char **name, const char **kind)
{
	const struct mp_value	*k = mp_req_val(r, "kind");
	const struct mp_kv	*f = NULL;
	struct mp_brand_img	 im;
	const char		*why, *p[7];
	size_t			 max, dim;
	enum mp_err		 rc;
	int			 i, icon;

	for (i = 0; i < r->nform; i++)
		if (strcmp(r->form[i].key, "file") == 0 &&
		    r->form[i].filename != NULL)
			f = &r->form[i];
	if (f == NULL || f->vlen == 0)
		return mp_req_fail(r, MP_EINPUT, "file", "Choose an image "
		    "file to upload (a multipart/form-data part named file).");
	*kind = k != NULL && k->present ? (k->i == 0 ? "logo" : k->i == 1 ?
	    "logo_dark" : "favicon") : "logo";
	icon = strcmp(*kind, "favicon") == 0;
	max = icon ? MP_BRAND_ICON_MAX : MP_BRAND_LOGO_MAX;
	dim = icon ? MP_BRAND_ICON_DIM : MP_BRAND_LOGO_DIM;
	if (f->vlen > max)
		return mp_req_fail(r, MP_ELIMIT, "file", mp_printf(r->ctx.a,
		    "The image is larger than %zu KB.", max / 1024));
	if (mp_brand_image(f->val, f->vlen, &im, &why) != 0)
		return mp_req_fail(r, MP_EINPUT, "file", why);
	if (im.w > dim || im.h > dim)
		return mp_req_fail(r, MP_EINPUT, "file", mp_printf(r->ctx.a,
		    "The image is %lux%lu pixels; at most %zux%zu are "
		    "accepted.", im.w, im.h, dim, dim));
	*name = mp_printf(r->ctx.a, "%s.%s", mp_sha256_hex(r->ctx.a, f->val,
	    f->vlen), im.ext);
	p[0] = *name;
	p[1] = *kind;
	p[2] = im.ctype;
	p[3] = mp_printf(r->ctx.a, "%zu", f->vlen);
	p[4] = mp_printf(r->ctx.a, "%lu", im.w);
	p[5] = mp_printf(r->ctx.a, "%lu", im.h);
	p[6] = mp_hex(r->ctx.a, f->val, f->vlen);
	if ((rc = mp_q(&r->ctx, &stmts[S_ENSURE], 0, NULL, NULL)) != MP_OK ||
	    (rc = mp_q(&r->ctx, &stmts[S_ASSET_INS], 7, p, NULL)) != MP_OK ||
	    (rc = mp_brand_store_asset(&r->ctx, *name, f->val, f->vlen)) !=
	    MP_OK)
		return rc;
	p[0] = *kind;
	p[1] = *name;
	if ((rc = mp_q(&r->ctx, &stmts[S_SET_LOGO], 2, p, NULL)) != MP_OK ||
	    (rc = mp_tx_commit(&r->ctx)) != MP_OK)
		return rc;
	if (mp_brand_publish(&r->ctx, r->host) != MP_OK)
		mp_warn("brand: %s: files not written now; nginx's fallback "
		    "will", r->ctx.tenant->slug);
	mp_tx_commit(&r->ctx);
	return MP_OK;
}

/* POST /api/white-label/logo (multipart: file, kind): 201 with the image. */
enum mp_err
mp_brand_api_logo(struct mp_req *r, struct mp_resp *w)
{
	struct json_object	*o;
	const char		*name, *kind;
	enum mp_err		 rc;

	if ((rc = upload(r, &name, &kind)) != MP_OK)
		return rc;
	o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "kind", json_object_new_string(kind));
	json_object_object_add(o, "url", json_object_new_string(
	    mp_printf(r->ctx.a, "/brand/%s", name)));
	rc = mp_resp_json(r, w, 201, o);
	json_object_put(o);
	return rc;
}

/* The staff page's data: the settings as form values, images, domain. */
static enum mp_err
admin_hdf(struct mp_req *r, HDF *hdf, int from_request)
{
	struct mp_res		*res;
	struct json_object	*links, *e, *l, *u;
	struct mp_buf		 b;
	const struct mp_field	*f;
	const char		*s;
	enum mp_err		 rc;
	size_t			 i;

	if ((rc = load(r, &res)) != MP_OK)
		return rc;
	mp_row_hdf(hdf, "Brand.Form", res, 0, NULL);
	mp_buf_init(&b, 0);
	if ((s = mp_res_by(res, 0, "footer_links")) != NULL &&
	    (links = json_tokener_parse(s)) != NULL) {
		for (i = 0; i < json_object_array_length(links); i++) {
			e = json_object_array_get_idx(links, i);
			if (json_object_object_get_ex(e, "label", &l) &&
			    json_object_object_get_ex(e, "url", &u))
				mp_buf_printf(&b, "%s | %s\n",
				    json_object_get_string(l),
				    json_object_get_string(u));
		}
		json_object_put(links);
	}
	mp_hdf_set(hdf, "Brand.Form.footer_links", mp_buf_cstr(&b));
	mp_buf_free(&b);
	if (from_request)
		for (f = mp_brand_fields; f->name != NULL; f++)
			if ((s = mp_req_form(r, f->name)) != NULL)
				mp_hdf_set(hdf, mp_printf(r->ctx.a,
				    "Brand.Form.%s", f->name), s);
	if (!mp_res_isnull(res, 0, mp_res_col(res, "pending_domain")))
		mp_hdf_set(hdf, "Brand.Form.check_url", mp_printf(r->ctx.a,
		    "https://%s/.well-known/mpanel-verification/%s",
		    mp_res_by(res, 0, "pending_domain"),
		    mp_res_by(res, 0, "token")));
	mp_hdf_csrf(r, hdf);
	mp_hdf_set(hdf, "Page.Title", "Branding");
	mp_hdf_set(hdf, "Page.NoIndex", "1");
	return MP_OK;
}

/* GET /admin/branding: the settings form, the images and a preview. */
enum mp_err
mp_brand_admin(struct mp_req *r, struct mp_resp *w)
{
	HDF		*hdf = mp_hdf(r);
	const char	*q = mp_req_query(r, "saved");
	enum mp_err	 rc;

	if ((rc = admin_hdf(r, hdf, 0)) != MP_OK)
		return rc;
	if (q != NULL)
		mp_hdf_set(hdf, "Brand.Notice", strcmp(q, "logo") == 0 ?
		    "The image is uploaded and in use." : strcmp(q, "domain") ==
		    0 ? "The domain check is queued." : "The branding is saved.");
	return mp_render(r, w, 200, "brand/admin.cs", hdf);
}

/* Re-show the form with the visitor's values and the error beside them. */
static enum mp_err
admin_error(struct mp_req *r, struct mp_resp *w, enum mp_err err)
{
	HDF		*hdf;
	const char	*msg = r->ctx.err_msg, *field = r->ctx.err_field;

	if (err != MP_EINPUT && err != MP_ELIMIT)
		return err;
	mp_tx_rollback(&r->ctx);
	hdf = mp_hdf(r);
	if (admin_hdf(r, hdf, 1) != MP_OK)
		return err;
	mp_hdf_set(hdf, "Brand.Error", msg);
	mp_hdf_set(hdf, "Brand.ErrorField", field);
	r->ctx.err_msg = NULL;
	r->ctx.err_field = NULL;
	return mp_render(r, w, 422, "brand/admin.cs", hdf);
}

/* POST /admin/branding: save the form; 303 back, or 422 with the error. */
enum mp_err
mp_brand_admin_save(struct mp_req *r, struct mp_resp *w)
{
	const char	*ver;
	enum mp_err	 rc;

	if ((rc = apply(r, &ver)) != MP_OK)
		return admin_error(r, w, rc);
	return mp_resp_redirect(w, 303, "/admin/branding?saved=1");
}

/* POST /admin/branding/logo: the form's upload. */
enum mp_err
mp_brand_admin_logo(struct mp_req *r, struct mp_resp *w)
{
	const char	*name, *kind;
	enum mp_err	 rc;

	if ((rc = upload(r, &name, &kind)) != MP_OK)
		return admin_error(r, w, rc);
	return mp_resp_redirect(w, 303, "/admin/branding?saved=logo");
}

/*
 * GET /admin/branding/preview.css?primary_color=&...: the colours being
 * edited, scoped to the preview box, for the page's live preview.
 * Invalid colours fall back to the defaults (the form says why on save).
 */
enum mp_err
mp_brand_preview_css(struct mp_req *r, struct mp_resp *w)
{
	struct mp_buf	 b;
	const char	*p, *s, *a;
	char		 cp[8], cs[8], ca[8];

	p = val(r, "primary_color");
	s = val(r, "secondary_color");
	a = val(r, "accent_color");
	if (p == NULL || mp_brand_color(p, cp) != 0)
		memcpy(cp, "#1f5fbf", sizeof(cp));
	if (s == NULL || mp_brand_color(s, cs) != 0)
		memcpy(cs, "#39424e", sizeof(cs));
	if (a == NULL || mp_brand_color(a, ca) != 0)
		memcpy(ca, "#0b7a53", sizeof(ca));
	mp_buf_init(&b, 0);
	mp_buf_printf(&b, ".brand-preview{--brand:%s;--brand-secondary:%s;"
	    "--accent:%s;--brand-accent:%s}\n", cp, cs, ca, ca);
	w->status = 200;
	w->ctype = "text/css; charset=utf-8";
	mp_buf_reset(&w->body);
	mp_buf_add(&w->body, b.data, b.len);
	mp_buf_free(&b);
	mp_resp_header(w, "Cache-Control", "no-store");
	return MP_OK;
}

/*
 * GET /admin and GET /staff: what the staff manage, one link each, by
 * role (support staff see what they may use; admins everything).
 */
enum mp_err
mp_brand_staff_home(struct mp_req *r, struct mp_resp *w)
{
	static const struct {
		const char	*href, *label, *desc;
		int		 admin;
	} items[] = {
		{ "/staff/help", "Help center articles",
		    "Write, publish and organise help articles; see what "
		    "visitors search for.", 0 },
		{ "/staff/status", "Status page",
		    "Components, incidents, maintenance and probes.", 0 },
		{ "/staff/surveys", "Surveys",
		    "Satisfaction and NPS results, campaigns and follow-ups.",
		    0 },
		{ "/admin/notifications", "Sent mail and SMS",
		    "Every message the portal sent, with its delivery "
		    "timeline.", 0 },
		{ "/staff/newsletter", "Newsletter",
		    "Subscribers, their sources, and issues to send.", 0 },
		{ "/staff/notifications/optouts", "Opt-outs",
		    "Every unsubscribe and preference change, with its "
		    "evidence.", 0 },
		{ "/admin/users", "Users", "Accounts and their roles.", 1 },
		{ "/admin/audit", "Audit log",
		    "Every change and sign-in, its chain's verification, and "
		    "exports.", 1 },
		{ "/admin/branding", "Branding",
		    "Name, logos, colours, custom CSS, mail sender and "
		    "custom domain.", 1 },
	};
	HDF	*hdf = mp_hdf(r);
	size_t	 i, n = 0;

	for (i = 0; i < MP_NELEM(items); i++) {
		if (items[i].admin && r->user->role < MP_ROLE_ADMIN)
			continue;
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "Staff.Items.%zu.Href", n),
		    items[i].href);
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "Staff.Items.%zu.Label", n),
		    items[i].label);
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "Staff.Items.%zu.Desc", n),
		    items[i].desc);
		n++;
	}
	mp_hdf_set(hdf, "Page.Title", "Staff");
	mp_hdf_set(hdf, "Page.NoIndex", "1");
	return mp_render(r, w, 200, "brand/staff.cs", hdf);
}
