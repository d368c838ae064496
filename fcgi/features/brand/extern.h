/* The brand feature's own interface, shared by the files of fcgi/features/brand only. */
#ifndef MP_FEATURES_BRAND_EXTERN_H
#define MP_FEATURES_BRAND_EXTERN_H

#include "features/brand/brand.h"
#include "features/queue/queue.h"

#define MP_BRAND_CSS_MAX	20000	/* bytes of custom CSS */
#define MP_BRAND_LOGO_MAX	(512 * 1024)
#define MP_BRAND_LOGO_DIM	2048	/* pixels, either side */
#define MP_BRAND_ICON_MAX	(100 * 1024)
#define MP_BRAND_ICON_DIM	512
#define MP_BRAND_AA		4.5	/* WCAG AA, normal text */

/* The brand feature's settings (brand.c has the keys, defaults, ranges). */
struct mp_brand_conf {
	int	 brand_grace;		/* seconds an old CSS file stays */
	int	 domain_check_allow_private;	/* 0/1 */
	int	 domain_check_allow_http;	/* 0/1 */
	int	 domain_check_port;	/* 0: the scheme's */
	int	 domain_check_timeout;	/* milliseconds */
	char	*domain_check_ca_file;
};

extern const struct mp_confsec	 mp_brand_confsec;
#define mp_brand_conf(cfg) \
	((const struct mp_brand_conf *)mp_config_sec((cfg), &mp_brand_confsec))

/* css.c */
int	 mp_brand_color(const char *, char out[8]);
double	 mp_brand_contrast(const char *, const char *);
int	 mp_brand_css_check(const char *css, size_t len, size_t max,
	    const char *const *assets, char *why, size_t whysz);

/* image.c */
struct mp_brand_img {
	const char	*ext;		/* png, jpg, webp, ico */
	const char	*ctype;
	unsigned long	 w;
	unsigned long	 h;
};

int	 mp_brand_image(const void *, size_t, struct mp_brand_img *,
	    const char **why);

/* files.c: what nginx serves from brand_dir. */
struct mp_brand_row;

char		*mp_brand_css_name(struct mp_arena *, const char *slug,
		    const char *version);
void		 mp_brand_css_text(struct mp_buf *, const char *primary,
		    const char *secondary, const char *accent,
		    const char *custom);
enum mp_err	 mp_brand_publish(struct mp_ctx *, const char *host);
enum mp_err	 mp_brand_store_asset(struct mp_ctx *, const char *name,
		    const void *, size_t);
void		 mp_brand_host_unlink(const struct mp_config *,
		    const char *host);
enum mp_err	 mp_brand_css_file(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_brand_asset_file(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_brand_favicon(struct mp_req *, struct mp_resp *);
extern const struct mp_stmt_table	 mp_brand_files_st;

/* settings.c: the settings page and the JSON API. */
enum mp_err	 mp_brand_api_get(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_brand_api_put(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_brand_api_css(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_brand_api_logo(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_brand_admin(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_brand_admin_save(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_brand_admin_logo(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_brand_preview_css(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_brand_staff_home(struct mp_req *, struct mp_resp *);
extern const struct mp_field	 mp_brand_fields[];
extern const struct mp_field	 mp_brand_logo_fields[];
extern const struct mp_field	 mp_brand_preview_fields[];
extern const struct mp_stmt_table	 mp_brand_settings_st;

/* domain.c: custom domains. */
enum mp_err	 mp_brand_api_verify(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_brand_admin_verify(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_brand_job_verify(struct mp_job *);
enum mp_err	 mp_brand_domain_start(struct mp_ctx *, const char *domain,
		    int enqueue);
int		 mp_brand_domain_ok(const struct mp_config *,
		    const char *);
extern const struct mp_field	 mp_brand_verify_fields[];
extern const struct mp_stmt_table	 mp_brand_domain_st;

/* layout.c: the brand and navigation on every page. */
enum mp_err	 mp_brand_layout(struct mp_req *, struct _hdf *);
extern const struct mp_stmt_table	 mp_brand_layout_st;

#endif
