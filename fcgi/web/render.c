/* ClearSilver rendering: every template parsed once per process, HTML-escaped by default. */
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>

#include "web/extern.h"

struct tpl {
	char	*name;		/* relative to the templates directory */
	CSPARSE	*cs;
};

struct mp_templates {
	HDF		*base;	/* escape mode and load path, shared */
	HDF		*text;	/* the same for text/plain parts: no escaping */
	struct tpl	*t;
	size_t		 n;
	size_t		 cap;
	char		*dir;
};

/* Turn a ClearSilver error into text and free it. */
static void
neo_msg(NEOERR *e, char *errbuf, size_t errsz)
{
	STRING	 s;

	string_init(&s);
	nerr_error_string(e, &s);
	snprintf(errbuf, errsz, "%s", s.buf ? s.buf : "template error");
	string_clear(&s);
	nerr_ignore(&e);
}

static struct mp_templates *loading;
static char	*load_err;
static size_t	 load_errsz;

/*
 * Parse one template.  Files whose names start with '_' and layout.cs are
 * fragments for include: they are parsed as part of the pages using them.
 */
static int
load_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	struct mp_templates	*ts = loading;
	const char		*rel, *base;
	size_t			 len;
	CSPARSE			*cs = NULL;
	NEOERR			*e;

	(void)st;
	(void)ftw;
	if (type != FTW_F)
		return 0;
	len = strlen(path);
	if (len < 3 || strcmp(path + len - 3, ".cs") != 0)
		return 0;
	rel = path + strlen(ts->dir);
	while (*rel == '/')
		rel++;
	base = strrchr(rel, '/');
	base = base ? base + 1 : rel;
	if (base[0] == '_' || strcmp(rel, "layout.cs") == 0)
		return 0;
	/*
	 * The one place escaping is off: mail text parts (*.txt.cs) are
	 * text/plain, never read as HTML, so their values go out as typed.
	 * Every other template escapes every var: for HTML.
	 */
	if ((e = cs_init(&cs, len > 7 && strcmp(path + len - 7, ".txt.cs") ==
	    0 ? ts->text : ts->base)) != STATUS_OK ||
	    (e = cgi_register_strfuncs(cs)) != STATUS_OK ||
	    (e = cs_parse_file(cs, rel)) != STATUS_OK) {
		char msg[400];

		neo_msg(e, msg, sizeof(msg));
		snprintf(load_err, load_errsz, "template %s: %s", rel, msg);
		if (cs != NULL)
			cs_destroy(&cs);
		return 1;
	}
	if (ts->n == ts->cap) {
		ts->cap = ts->cap ? ts->cap * 2 : 32;
		if ((ts->t = realloc(ts->t, ts->cap * sizeof(*ts->t))) == NULL)
			mp_oom();
	}
	if ((ts->t[ts->n].name = strdup(rel)) == NULL)
		mp_oom();
	ts->t[ts->n].cs = cs;
	ts->n++;
	return 0;
}

static int
tpl_cmp(const void *a, const void *b)
{
	return strcmp(((const struct tpl *)a)->name,
	    ((const struct tpl *)b)->name);
}

/*
 * Parse every page template under dir.  On failure returns MP_EINPUT with
 * the file and ClearSilver's message in errbuf and leaves *out NULL.
 */
enum mp_err
mp_tpl_load(struct mp_templates **out, const char *dir, char *errbuf,
    size_t errsz)
{
	struct mp_templates	*ts;
	NEOERR			*e;

	*out = NULL;
	if ((ts = calloc(1, sizeof(*ts))) == NULL || 
	    (ts->dir = strdup(dir)) == NULL)
		mp_oom();
	if ((e = hdf_init(&ts->base)) != STATUS_OK ||
	    (e = hdf_set_value(ts->base, "Config.VarEscapeMode", "html")) !=
	    STATUS_OK ||
	    (e = hdf_set_value(ts->base, "hdf.loadpaths.0", dir)) !=
	    STATUS_OK ||
	    (e = hdf_init(&ts->text)) != STATUS_OK ||
	    (e = hdf_set_value(ts->text, "Config.VarEscapeMode", "none")) !=
	    STATUS_OK ||
	    (e = hdf_set_value(ts->text, "hdf.loadpaths.0", dir)) !=
	    STATUS_OK) {
		neo_msg(e, errbuf, errsz);
		mp_tpl_free(ts);
		return MP_ESYS;
	}
	loading = ts;
	load_err = errbuf;
	load_errsz = errsz;
	snprintf(errbuf, errsz, "templates %s: cannot read", dir);
	if (nftw(dir, load_one, 16, FTW_PHYS) != 0) {
		loading = NULL;
		mp_tpl_free(ts);
		return MP_EINPUT;
	}
	loading = NULL;
	qsort(ts->t, ts->n, sizeof(*ts->t), tpl_cmp);
	*out = ts;
	return MP_OK;
}

void
mp_tpl_free(struct mp_templates *ts)
{
	size_t	 i;

	if (ts == NULL)
		return;
	for (i = 0; i < ts->n; i++) {
		cs_destroy(&ts->t[i].cs);
		free(ts->t[i].name);
	}
	free(ts->t);
	if (ts->base != NULL)
		hdf_destroy(&ts->base);
	if (ts->text != NULL)
		hdf_destroy(&ts->text);
	free(ts->dir);
	free(ts);
}

static NEOERR *
out_buf(void *ctx, char *s)
{
	mp_buf_puts(ctx, s);
	return STATUS_OK;
}

/*
 * Render template name with hdf into b.  The parse tree is shared by all
 * requests of the process; only the data tree is swapped in for the
 * render and swapped back, so nothing of one request reaches the next.
 */
enum mp_err
mp_tpl_render(struct mp_templates *ts, const char *name, HDF *hdf,
    struct mp_buf *b)
{
	struct tpl	 key, *t;
	NEOERR		*e;
	HDF		*saved;

	key.name = (char *)name;
	t = bsearch(&key, ts->t, ts->n, sizeof(*ts->t), tpl_cmp);
	if (t == NULL) {
		mp_error("no template %s", name);
		return MP_ESYS;
	}
	saved = t->cs->hdf;
	t->cs->hdf = hdf;
	e = cs_render(t->cs, b, out_buf);
	t->cs->hdf = saved;
	if (e != STATUS_OK) {
		char msg[400];

		neo_msg(e, msg, sizeof(msg));
		mp_error("render %s: %s", name, msg);
		return MP_ESYS;
	}
	return b->err ? MP_ESYS : MP_OK;
}

static void
hdf_free(void *p)
{
	HDF	*h = p;

	hdf_destroy(&h);
}

void
mp_hdf_set(HDF *hdf, const char *name, const char *val)
{
	NEOERR	*e;

	if (val == NULL)
		return;
	if ((e = hdf_set_value(hdf, name, val)) != STATUS_OK) {
		nerr_ignore(&e);
		mp_oom();
	}
}

/*
 * Setting many values under one prefix through its node saves walking
 * the prefix from the root (and formatting its name) for each.
 */
HDF *
mp_hdf_node(HDF *hdf, const char *name)
{
	HDF	*n;
	NEOERR	*e;

	if ((e = hdf_get_node(hdf, name, &n)) != STATUS_OK) {
		nerr_ignore(&e);
		mp_oom();
	}
	return n;
}

void
mp_hdf_setf(HDF *hdf, const char *name, const char *fmt, ...)
{
	char	 buf[1024];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	mp_hdf_set(hdf, name, buf);
}

static void
put_col(HDF *hdf, const char *prefix, const struct mp_res *res, int row,
    int col, const char *key, enum mp_coltype type)
{
	const char	*v;
	char		 name[256];
	int		 isbool;

	if (col < 0 || (v = mp_res_get(res, row, col)) == NULL)
		return;
	isbool = (type == MP_COL_AUTO ? mp_res_colkind(res, col) : type) ==
	    MP_COL_BOOL;
	snprintf(name, sizeof(name), "%s.%s", prefix,
	    key != NULL ? key : mp_res_colname(res, col));
	mp_hdf_set(hdf, name, isbool ? (v[0] == 't' ? "1" : "0") : v);
}

/*
 * Row row of res into prefix.<key> of hdf: the columns of cols (NULL-col
 * terminated; key NULL: the column's name), or every column (cols
 * NULL).  Booleans become "1" or "0"; SQL NULL leaves the name unset.
 */
void
mp_row_hdf(HDF *hdf, const char *prefix, const struct mp_res *res, int row,
    const struct mp_col *cols)
{
	int	 c;

	if (cols == NULL) {
		for (c = 0; c < mp_res_ncols(res); c++)
			put_col(hdf, prefix, res, row, c, NULL, MP_COL_AUTO);
		return;
	}
	for (; cols->col != NULL; cols++)
		put_col(hdf, prefix, res, row, mp_res_col(res, cols->col),
		    cols->key, cols->type);
}

/* Every row of res as prefix.0, prefix.1, ... */
void
mp_rows_hdf(HDF *hdf, const char *prefix, const struct mp_res *res,
    const struct mp_col *cols)
{
	char	 p[200];
	int	 i, n = mp_res_rows(res);

	for (i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "%s.%d", prefix, i);
		mp_row_hdf(hdf, p, res, i, cols);
	}
}

/*
 * A data tree for a unit of work (a page, a mail), destroyed at arena
 * reset, holding the tenant's name and slug.
 */
HDF *
mp_ctx_hdf(struct mp_ctx *c)
{
	HDF	*hdf;
	NEOERR	*e;

	if ((e = hdf_init(&hdf)) != STATUS_OK) {
		nerr_ignore(&e);
		mp_oom();
	}
	mp_arena_cleanup(c->a, hdf_free, hdf);
	if (c->tenant != NULL && mp_tenant_fill(c) == MP_OK) {
		mp_hdf_set(hdf, "Tenant.Name", c->tenant->name);
		mp_hdf_set(hdf, "Tenant.Slug", c->tenant->slug);
	}
	return hdf;
}

/*
 * Req.Section: the first segment of path ("/help" for /help/articles/x,
 * "/" for the home page), which the layout's navigation compares with
 * its links instead of slicing the path once a link.
 */
static void
set_section(HDF *hdf, const char *path)
{
	char	 sec[64];
	size_t	 n;

	if (path == NULL || path[0] != '/')
		return;
	n = 1 + strcspn(path + 1, "/");
	if (n >= sizeof(sec))
		return;
	memcpy(sec, path, n);
	sec[n] = '\0';
	mp_hdf_set(hdf, "Req.Section", sec);
}

/*
 * A data tree for one request, destroyed at arena reset, holding what
 * the layout needs: tenant, request id and path and section, version.
 */
HDF *
mp_hdf(struct mp_req *r)
{
	HDF	*hdf = mp_ctx_hdf(&r->ctx);

	if (r->ctx.tenant != NULL) {
		/* Only a token there is already: see mp_hdf_csrf(). */
		mp_hdf_set(hdf, "Session.Csrf", mp_csrf_existing(r));
	}
	if (r->user != NULL) {
		mp_hdf_set(hdf, "User.Name", r->user->name);
		mp_hdf_set(hdf, "User.Email", r->user->email);
		mp_hdf_set(hdf, "User.Role", mp_role_name(r->user->role));
		if (r->user->role >= MP_ROLE_SUPPORT)
			mp_hdf_set(hdf, "User.IsStaff", "1");
	}
	mp_hdf_set(hdf, "Req.Id", r->ctx.reqid);
	mp_hdf_set(hdf, "Req.Path", r->path);
	set_section(hdf, r->path);
	if (r->app != NULL)
		mp_hdf_set(hdf, "App.Version", r->app->version);
	return hdf;
}

/*
 * For a page with a form an anonymous visitor may post: make sure there
 * is a CSRF token (minting the visitor's cookie if need be) and put it in
 * Session.Csrf.  Pages without forms never mint one, so they carry no
 * Set-Cookie and stay cacheable.
 */
void
mp_hdf_csrf(struct mp_req *r, HDF *hdf)
{
	mp_hdf_set(hdf, "Session.Csrf", mp_csrf_token(r));
}

/*
 * Render tpl as the HTML response with the given status, after the
 * features' layout hook has filled what every page shows (the brand).
 */
enum mp_err
mp_render(struct mp_req *r, struct mp_resp *w, int status, const char *tpl,
    HDF *hdf)
{
	enum mp_err	 rc;
	size_t		 skip = 0;

	if (r->app != NULL && r->app->layout != NULL &&
	    (rc = r->app->layout(r, hdf)) != MP_OK)
		return rc;
	mp_buf_reset(&w->body);
	if ((rc = mp_tpl_render(r->ctx.tpl, tpl, hdf, &w->body)) != MP_OK) {
		mp_buf_reset(&w->body);
		return rc;
	}
	/* Template comments and macro definitions leave blank lines first. */
	while (skip < w->body.len && (w->body.data[skip] == '\n' ||
	    w->body.data[skip] == ' ' || w->body.data[skip] == '\t'))
		skip++;
	if (skip > 0) {
		memmove(w->body.data, w->body.data + skip, w->body.len - skip);
		w->body.len -= skip;
	}
	w->status = status;
	w->ctype = "text/html; charset=utf-8";
	return MP_OK;
}
