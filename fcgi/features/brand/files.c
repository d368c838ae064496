/* What nginx serves from brand_dir: each tenant's versioned CSS, its images and favicon, and the per-host links that keep them to its hosts. */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "features/brand/extern.h"

/*
 * brand_dir/t/<slug>/		the tenant's files: <slug>-<version>.css,
 *				<sha256>.<ext> images, favicon.ico (a link)
 * brand_dir/h/<host>		a link to ../t/<slug> for every host that
 *				resolved to the tenant; nginx serves
 *				/brand/<file> from h/$host/<file> only, so
 *				a tenant's files answer on its hosts alone
 */

enum { F_HEAD, F_ASSET, F__MAX };

static const struct mp_stmt stmts[] = {
	[F_HEAD] = { "brand_f_head",
	    "SELECT version, primary_color, secondary_color, accent_color,"
	    " custom_css, favicon FROM tenant_branding", MP_STMT_READ },
	[F_ASSET] = { "brand_f_asset",
	    "SELECT media_type, data FROM brand_asset WHERE name = $1"
	    " LIMIT 1", MP_STMT_READ },
};

_Static_assert(MP_NELEM(stmts) == F__MAX, "brand file statements and enum differ");

MP_STMT_TABLE(mp_brand_files_st, stmts);

#define DEF_PRIMARY	"#1f5fbf"
#define DEF_SECONDARY	"#39424e"
#define DEF_ACCENT	"#0b7a53"

char *
mp_brand_css_name(struct mp_arena *a, const char *slug, const char *version)
{
	return mp_printf(a, "%s-%s.css", slug, version);
}

/*
 * The stylesheet of a brand: the colours as custom properties (checked
 * colours only: see mp_brand_color), then the tenant's custom CSS as
 * vetted by mp_brand_css_check.
 */
void
mp_brand_css_text(struct mp_buf *b, const char *primary, const char *secondary,
    const char *accent, const char *custom)
{
	char	 p[8], s[8], ac[8];

	if (primary == NULL || mp_brand_color(primary, p) != 0)
		mp_brand_color(DEF_PRIMARY, p);
	if (secondary == NULL || mp_brand_color(secondary, s) != 0)
		mp_brand_color(DEF_SECONDARY, s);
	if (accent == NULL || mp_brand_color(accent, ac) != 0)
		mp_brand_color(DEF_ACCENT, ac);
	mp_buf_printf(b, ":root{--brand:%s;--brand-secondary:%s;"
	    "--accent:%s;--brand-accent:%s;--on-brand:#ffffff}\n", p, s, ac,
	    ac);
	if (custom != NULL && *custom != '\0') {
		mp_buf_puts(b, "/* custom */\n");
		mp_buf_puts(b, custom);
		mp_buf_putc(b, '\n');
	}
}

static int
mkdir_p(const char *path)
{
	char	 tmp[1024], *p;

	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return -1;
	for (p = tmp + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(tmp, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

/*
 * Write data to dir/name atomically: a temporary file beside it, then
 * rename, so nginx never serves half a file.  0 or -1 (logged).
 */
static int
write_atomic(struct mp_arena *a, const char *dir, const char *name,
    const void *data, size_t len)
{
	char		*tmp, *path;
	unsigned char	 rnd[6];
	size_t		 off = 0;
	ssize_t		 n;
	int		 fd;

	mp_random(rnd, sizeof(rnd));
	tmp = mp_printf(a, "%s/.tmp-%s", dir, mp_hex(a, rnd, sizeof(rnd)));
	path = mp_printf(a, "%s/%s", dir, name);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0644)) == -1) {
		mp_error("brand: %s: %s", tmp, strerror(errno));
		return -1;
	}
	while (off < len) {
		if ((n = write(fd, (const char *)data + off, len - off)) < 0) {
			if (errno == EINTR)
				continue;
			mp_error("brand: write %s: %s", tmp, strerror(errno));
			close(fd);
			unlink(tmp);
			return -1;
		}
		off += (size_t)n;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		mp_error("brand: %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* Point dir/name at target, replacing what was there, atomically. */
static int
link_atomic(struct mp_arena *a, const char *dir, const char *name,
    const char *target)
{
	char		 cur[1024], *tmp, *path;
	unsigned char	 rnd[6];
	ssize_t		 n;

	path = mp_printf(a, "%s/%s", dir, name);
	if ((n = readlink(path, cur, sizeof(cur) - 1)) > 0) {
		cur[n] = '\0';
		if (strcmp(cur, target) == 0)
			return 0;
	}
	mp_random(rnd, sizeof(rnd));
	tmp = mp_printf(a, "%s/.tmp-%s", dir, mp_hex(a, rnd, sizeof(rnd)));
	if (symlink(target, tmp) != 0 || rename(tmp, path) != 0) {
		mp_error("brand: link %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* A host name safe to use as a file name: [a-z0-9.-], no "..". */
static int
host_ok(const char *h)
{
	size_t	 n;

	if (h == NULL || (n = strlen(h)) == 0 || n > 253 || h[0] == '.' ||
	    h[0] == '-' || strstr(h, "..") != NULL)
		return 0;
	return strspn(h, "abcdefghijklmnopqrstuvwxyz0123456789.-") == n;
}

/* Forget a host's link (its domain left the tenant). */
void
mp_brand_host_unlink(const struct mp_config *cfg, const char *host)
{
	char	 path[1024];

	if (!host_ok(host) || cfg->brand_dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/h/%s", cfg->brand_dir, host);
	if (unlink(path) != 0 && errno != ENOENT)
		mp_warn("brand: unlink %s: %s", path, strerror(errno));
}

/*
 * Remove CSS versions older than cur once the current file has been out
 * for brand_grace seconds: pages rendered before the change (cached
 * copies, open tabs) keep their stylesheet until then.
 */
static void
tidy(struct mp_ctx *c, const char *dir, const char *slug, long cur)
{
	struct stat	 st;
	struct dirent	*de;
	DIR		*d;
	size_t		 sl = strlen(slug);
	char		*end;
	long		 v;

	if (stat(mp_printf(c->a, "%s/%s", dir, mp_brand_css_name(c->a, slug,
	    mp_printf(c->a, "%ld", cur))), &st) != 0 ||
	    st.st_mtime + mp_brand_conf(c->cfg)->brand_grace > time(NULL))
		return;
	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, slug, sl) != 0 ||
		    de->d_name[sl] != '-')
			continue;
		v = strtol(de->d_name + sl + 1, &end, 10);
		if (strcmp(end, ".css") != 0 || v >= cur)
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			mp_info("brand: %s: removed %s", slug, de->d_name);
	}
	closedir(d);
}

/*
 * Make the tenant's files right on disk: its current CSS file (written
 * when missing), its favicon link, and when host is given (a host that
 * resolved to this tenant) the host's link to its directory.  Old CSS
 * versions go after the grace period.  MP_ESYS when brand_dir cannot be
 * written.
 */
enum mp_err
mp_brand_publish(struct mp_ctx *c, const char *host)
{
	struct mp_res	*res;
	struct mp_buf	 b;
	struct stat	 st;
	const char	*ver = "1", *fav = NULL;
	char		*dir, *hdir, *name, *def;
	enum mp_err	 rc;
	int		 ok;

	if ((rc = mp_tenant_fill(c)) != MP_OK)
		return rc;
	if ((rc = mp_q(c, &stmts[F_HEAD], 0, NULL, &res)) != MP_OK)
		return rc;
	dir = mp_printf(c->a, "%s/t/%s", c->cfg->brand_dir, c->tenant->slug);
	hdir = mp_printf(c->a, "%s/h", c->cfg->brand_dir);
	if (mkdir_p(dir) != 0 || mkdir_p(hdir) != 0) {
		mp_error("brand: cannot create %s: %s", dir, strerror(errno));
		return MP_ESYS;
	}
	if (mp_res_rows(res) == 1) {
		ver = mp_res_get(res, 0, 0);
		fav = mp_res_get(res, 0, 5);
	}
	name = mp_brand_css_name(c->a, c->tenant->slug, ver);
	if (stat(mp_printf(c->a, "%s/%s", dir, name), &st) != 0) {
		mp_buf_init(&b, 0);
		if (mp_res_rows(res) == 1)
			mp_brand_css_text(&b, mp_res_get(res, 0, 1),
			    mp_res_get(res, 0, 2), mp_res_get(res, 0, 3),
			    mp_res_get(res, 0, 4));
		else
			mp_brand_css_text(&b, NULL, NULL, NULL, NULL);
		ok = !b.err && write_atomic(c->a, dir, name, b.data, b.len) ==
		    0;
		mp_buf_free(&b);
		if (!ok)
			return MP_ESYS;
		mp_info("brand: %s: wrote %s", c->tenant->slug, name);
	}
	if (fav != NULL && stat(mp_printf(c->a, "%s/%s", dir, fav), &st) != 0 &&
	    mp_brand_store_asset(c, fav, NULL, 0) != MP_OK)
		fav = NULL;
	if (fav == NULL && (def = realpath(c->cfg->static_dir, NULL)) != NULL) {
		/* The product's icon, by absolute path: the link is elsewhere. */
		fav = mp_printf(c->a, "%s/favicon.ico", def);
		free(def);
	}
	if (fav != NULL && link_atomic(c->a, dir, "favicon.ico", fav) != 0)
		return MP_ESYS;
	if (host != NULL && host_ok(host) && link_atomic(c->a, hdir, host,
	    mp_printf(c->a, "../t/%s", c->tenant->slug)) != 0)
		return MP_ESYS;
	tidy(c, dir, c->tenant->slug, strtol(ver, NULL, 10));
	return MP_OK;
}

/*
 * Write an image into the tenant's directory under its content-hash
 * name: data[0..len) when given, else the bytes kept in brand_asset
 * (a brand_dir that lost the file).  MP_ENOTFOUND when the tenant has
 * no such image.
 */
enum mp_err
mp_brand_store_asset(struct mp_ctx *c, const char *name, const void *data,
    size_t len)
{
	struct mp_res	*res;
	const char	*p[1];
	char		*dir;
	unsigned char	*bytes = NULL;
	size_t		 blen = 0;
	enum mp_err	 rc;
	int		 ok;

	if ((rc = mp_tenant_fill(c)) != MP_OK)
		return rc;
	dir = mp_printf(c->a, "%s/t/%s", c->cfg->brand_dir, c->tenant->slug);
	if (mkdir_p(dir) != 0)
		return MP_ESYS;
	if (data == NULL) {
		p[0] = name;
		if ((rc = mp_q(c, &stmts[F_ASSET], 1, p, &res)) != MP_OK)
			return rc;
		if (mp_res_rows(res) != 1)
			return MP_ENOTFOUND;
		bytes = PQunescapeBytea((const unsigned char *)
		    mp_res_get(res, 0, 1), &blen);
		if (bytes == NULL)
			mp_oom();
		data = bytes;
		len = blen;
	}
	ok = write_atomic(c->a, dir, name, data, len) == 0;
	if (bytes != NULL)
		PQfreemem(bytes);
	return ok ? MP_OK : MP_ESYS;
}

/* Send the file at path as the response body (NULL when unreadable). */
static enum mp_err
send_file(struct mp_req *r, struct mp_resp *w, const char *path,
    const char *ctype, const char *cache)
{
	struct stat	 st;
	char		 buf[16384];
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		return MP_ENOTFOUND;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > 4 * 1024 * 1024) {
		close(fd);
		return MP_ENOTFOUND;
	}
	mp_buf_reset(&w->body);
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return MP_ESYS;
		}
		mp_buf_add(&w->body, buf, (size_t)n);
	}
	close(fd);
	(void)r;
	w->status = 200;
	w->ctype = ctype;
	mp_resp_header(w, "Cache-Control", cache);
	return MP_OK;
}

#define IMMUTABLE	"public, max-age=31536000, immutable"

/*
 * GET /brand/{slug}-{version}.css when nginx found no file for this
 * host: the tenant named by Host writes its current file (and the
 * host's link) and serves it.  Another tenant's name is 404.  An older
 * version than the current one, gone after its grace period, redirects
 * to the current one; a newer one is 404.
 */
enum mp_err
mp_brand_css_file(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*f = mp_req_cap(r, "file");
	struct mp_res		*res;
	const char		*dash, *cur;
	size_t			 sl = strlen(r->ctx.tenant->slug);
	long			 want, now;
	char			*end;
	enum mp_err		 rc;

	if (f == NULL || f->len <= sl + 5 ||
	    strncmp(f->s, r->ctx.tenant->slug, sl) != 0 || f->s[sl] != '-')
		return MP_ENOTFOUND;
	dash = f->s + sl;
	want = strtol(dash + 1, &end, 10);
	if (end == dash + 1 || strcmp(end, ".css") != 0 || want < 1)
		return MP_ENOTFOUND;
	if ((rc = mp_q(&r->ctx, &stmts[F_HEAD], 0, NULL, &res)) != MP_OK)
		return rc;
	cur = mp_res_rows(res) == 1 ? mp_res_get(res, 0, 0) : "1";
	now = strtol(cur, NULL, 10);
	if (want > now)
		return MP_ENOTFOUND;
	if (want < now) {
		mp_resp_header(w, "Cache-Control", "no-cache");
		return mp_resp_redirect(w, 302, mp_printf(r->ctx.a,
		    "/brand/%s", mp_brand_css_name(r->ctx.a,
		    r->ctx.tenant->slug, cur)));
	}
	if ((rc = mp_brand_publish(&r->ctx, r->host)) != MP_OK)
		return rc;
	return send_file(r, w, mp_printf(r->ctx.a, "%s/t/%s/%s",
	    r->ctx.cfg->brand_dir, r->ctx.tenant->slug, f->s),
	    "text/css; charset=utf-8", IMMUTABLE);
}

static const char *
ctype_of(const char *name)
{
	const char	*dot = strrchr(name, '.');

	if (dot == NULL)
		return NULL;
	if (strcmp(dot, ".png") == 0)
		return "image/png";
	if (strcmp(dot, ".jpg") == 0)
		return "image/jpeg";
	if (strcmp(dot, ".webp") == 0)
		return "image/webp";
	if (strcmp(dot, ".ico") == 0)
		return "image/x-icon";
	return NULL;
}

/*
 * GET /brand/{file} for an image nginx did not find for this host: the
 * tenant's own uploaded image (rewritten from the database when the
 * file is missing) with the host's link made, else 404.
 */
enum mp_err
mp_brand_asset_file(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*f = mp_req_cap(r, "file");
	struct mp_res		*res;
	const char		*p[1], *ct;
	size_t			 i;
	enum mp_err		 rc;

	if (f == NULL)
		return MP_ENOTFOUND;
	if (f->len > 4 && strcmp(f->s + f->len - 4, ".css") == 0)
		return mp_brand_css_file(r, w);
	if (f->len < 68 || (ct = ctype_of(f->s)) == NULL)
		return MP_ENOTFOUND;
	for (i = 0; i < 64; i++)
		if (strchr("0123456789abcdef", f->s[i]) == NULL)
			return MP_ENOTFOUND;
	p[0] = f->s;
	if ((rc = mp_q(&r->ctx, &stmts[F_ASSET], 1, p, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) != 1)
		return MP_ENOTFOUND;
	if ((rc = mp_brand_store_asset(&r->ctx, f->s, NULL, 0)) != MP_OK ||
	    (rc = mp_brand_publish(&r->ctx, r->host)) != MP_OK)
		return rc;
	return send_file(r, w, mp_printf(r->ctx.a, "%s/t/%s/%s",
	    r->ctx.cfg->brand_dir, r->ctx.tenant->slug, f->s), ct, IMMUTABLE);
}

/*
 * GET /favicon.ico on any host nginx has no link for: the tenant's
 * favicon (making the host's link, so nginx answers the next time), or
 * the product's default for a host that names no portal.
 */
enum mp_err
mp_brand_favicon(struct mp_req *r, struct mp_resp *w)
{
	const char	*cache = "public, max-age=86400";
	enum mp_err	 rc;

	if (mp_tenant_resolve(r) != MP_OK || r->ctx.tenant == NULL) {
		r->ctx.tenant = NULL;
		return send_file(r, w, mp_printf(r->ctx.a, "%s/favicon.ico",
		    r->ctx.cfg->static_dir), "image/x-icon", cache);
	}
	if ((rc = mp_tx_begin(&r->ctx)) != MP_OK)
		return rc;
	rc = mp_brand_publish(&r->ctx, r->host);
	if (rc == MP_OK)
		rc = mp_tx_commit(&r->ctx);
	else
		mp_tx_rollback(&r->ctx);
	if (rc != MP_OK)
		return rc;
	return send_file(r, w, mp_printf(r->ctx.a, "%s/t/%s/favicon.ico",
	    r->ctx.cfg->brand_dir, r->ctx.tenant->slug), "image/x-icon",
	    cache);
}
