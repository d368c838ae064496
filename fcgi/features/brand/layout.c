/* The brand on every page: the current CSS version, logo, favicon, footer and a meta description, filled before any page renders. */
#include <string.h>

#include <ClearSilver.h>
#include <json-c/json.h>

#include "features/brand/extern.h"

enum { L_HEAD, L__MAX };

static const struct mp_stmt stmts[] = {
	[L_HEAD] = { "brand_l_head",
	    "SELECT " MP_BRAND_COLS("b") " FROM tenant_branding b",
	    MP_STMT_READ },
};

_Static_assert(MP_NELEM(stmts) == L__MAX, "brand layout statements and enum differ");

MP_STMT_TABLE(mp_brand_layout_st, stmts);

static void
footer(struct mp_req *r, HDF *hdf, const char *json)
{
	struct json_object	*a, *e, *l, *u;
	size_t			 i;

	if (json == NULL || (a = json_tokener_parse(json)) == NULL)
		return;
	for (i = 0; json_object_is_type(a, json_type_array) &&
	    i < json_object_array_length(a); i++) {
		e = json_object_array_get_idx(a, i);
		if (!json_object_object_get_ex(e, "label", &l) ||
		    !json_object_object_get_ex(e, "url", &u))
			continue;
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "Brand.Footer.%zu.Label",
		    i), json_object_get_string(l));
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "Brand.Footer.%zu.Url", i),
		    json_object_get_string(u));
	}
	json_object_put(a);
}

/*
 * Fill Brand.* from the MP_BRAND_COLS columns of res from col on, row
 * row (res NULL, or a NULL version: the tenant has no brand row), and
 * the default meta description when the page set none.  See brand.h.
 */
void
mp_brand_fill(struct mp_req *r, HDF *hdf, const struct mp_res *res, int row,
    int col)
{
	const char	*v, *desc;

	v = res != NULL && row < mp_res_rows(res) &&
	    !mp_res_isnull(res, row, col) ? mp_res_get(res, row, col) : NULL;
	if (v != NULL) {
		mp_hdf_set(hdf, "Tenant.BrandVersion", v);
		mp_hdf_set(hdf, "Brand.Css", mp_printf(r->ctx.a, "/brand/%s",
		    mp_brand_css_name(r->ctx.a, r->ctx.tenant->slug, v)));
		mp_hdf_set(hdf, "Brand.Title", mp_res_get(res, row, col + 1));
		mp_hdf_set(hdf, "Brand.Company", mp_res_get(res, row, col + 2));
		mp_hdf_set(hdf, "Brand.Tagline", mp_res_get(res, row, col + 3));
		if (!mp_res_isnull(res, row, col + 4))
			mp_hdf_set(hdf, "Brand.Logo", mp_printf(r->ctx.a,
			    "/brand/%s", mp_res_get(res, row, col + 4)));
		if (!mp_res_isnull(res, row, col + 5))
			mp_hdf_set(hdf, "Brand.LogoDark", mp_printf(r->ctx.a,
			    "/brand/%s", mp_res_get(res, row, col + 5)));
		if (!mp_res_isnull(res, row, col + 6))
			mp_hdf_set(hdf, "Brand.Icon", mp_printf(r->ctx.a,
			    "/brand/%s", mp_res_get(res, row, col + 6)));
		footer(r, hdf, mp_res_get(res, row, col + 8));
		mp_hdf_set(hdf, "Brand.SupportEmail",
		    mp_res_get(res, row, col + 9));
		mp_hdf_set(hdf, "Brand.SupportPhone",
		    mp_res_get(res, row, col + 10));
		mp_hdf_set(hdf, "Brand.Welcome", mp_res_get(res, row, col + 11));
	} else if (!r->db_down)
		mp_hdf_set(hdf, "Brand.Css", mp_printf(r->ctx.a, "/brand/%s",
		    mp_brand_css_name(r->ctx.a, r->ctx.tenant->slug, "1")));
	if (hdf_get_value(hdf, "Page.Description", NULL) == NULL) {
		desc = v != NULL ? mp_res_get(res, row, col + 7) : NULL;
		mp_hdf_set(hdf, "Page.Description", desc != NULL ? desc :
		    mp_printf(r->ctx.a, "%s customer portal: help center, "
		    "system status and your account.", r->ctx.tenant->name));
	}
}

/*
 * Fill Brand.* for the layout of a tenant's page: the stylesheet of the
 * current version (read now, so a change shows on the very next page),
 * title, logos, favicon, footer links and contact, and a meta
 * description when the page set none.  One indexed read; its failure
 * fails the page (a 503 like any other read), and the error page of a
 * failed database renders with the product's look.  Runs once per page,
 * and reads nothing when the page's statement brought the brand along
 * (mp_brand_fill already set Brand.Css).
 */
enum mp_err
mp_brand_layout(struct mp_req *r, HDF *hdf)
{
	struct mp_res	*res = NULL;
	enum mp_err	 rc;
	int		 was_tx;

	if (r->ctx.tenant == NULL || r->ctx.tenant->slug == NULL ||
	    hdf_get_value(hdf, "Brand.Css", NULL) != NULL)
		return MP_OK;
	if (!r->db_down) {
		was_tx = mp_db_in_tx(r->ctx.db);
		rc = mp_q(&r->ctx, &stmts[L_HEAD], 0, NULL, &res);
		if (!was_tx)
			mp_tx_rollback(&r->ctx);	/* a read: sends nothing */
		if (rc != MP_OK)
			return rc;
	}
	mp_brand_fill(r, hdf, res, 0, 0);
	return MP_OK;
}
