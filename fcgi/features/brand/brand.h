/* The brand feature: white-label settings, brand CSS and images served by nginx, custom domains, the staff landing page. */
#ifndef MP_FEATURES_BRAND_H
#define MP_FEATURES_BRAND_H

#include "features/feature.h"

extern const struct mp_feature	 mp_feature_brand;

/*
 * The brand a page's layout shows, read by the page's own statement so
 * the page costs one round trip: MP_BRAND_COLS(b) are the MP_BRAND_NCOLS
 * columns, all text, of the tenant_branding row b (joined on the
 * tenant, NULL when it has none), and mp_brand_fill puts them, from
 * column col of row row, where the layout expects them.  The layout then
 * reads nothing more.  Call it just before rendering: it sets a default
 * Page.Description when the page set none.
 */
#define MP_BRAND_COLS(b) \
	b ".version::text, " b ".site_title, " b ".company_name, " \
	b ".tagline, " b ".logo_light, " b ".logo_dark, " b ".favicon, " \
	b ".meta_description, " b ".footer_links::text, " b ".support_email, " \
	b ".support_phone, " b ".welcome_message"
#define MP_BRAND_NCOLS	12

struct _hdf;
struct mp_res;
void	 mp_brand_fill(struct mp_req *, struct _hdf *, const struct mp_res *,
	    int row, int col);

#endif
