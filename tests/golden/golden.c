/* Golden renders: every template rendered from a fixture and compared byte for byte. */
#include <sys/stat.h>

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>

#include "web/extern.h"

#define TEMPLATES	MP_SRCDIR "/templates"
#define CASES		MP_SRCDIR "/tests/golden/cases"

/*
 * Templates that need no case of their own.  The loader (render.c) skips
 * them: they only define macros for include and cannot be rendered
 * alone, so the pages that include them cover them.  Each must exist and
 * be included by at least one template that has a case.
 */
static const struct partial {
	const char	*name;
	const char	*why;
} partials[] = {
	{ "layout.cs", "page_start, page_end and csrf_field of every page" },
	{ "kb/_macros.cs", "search box, article card and pager of help pages" },
	{ "status/_macros.cs", "pills, uptime bars and timeline of status "
	    "pages" },
	{ "mail/_layout.cs", "mail_start and mail_end of the HTML mails" },
	{ "twofa/_enrol.cs", "QR code, key and first-code form of the 2FA "
	    "setup page and of enrolment at sign-in" },
	{ "prefs/_matrix.cs", "the preference matrix of the account page and "
	    "the unsubscribe page" },
};

/*
 * Characters that are markup when they come through unescaped, each
 * with the harmless stand-in the markup check puts in the data.
 */
static const char markup[] = "<>\"'";
static const char standin[] = "{}~^";

/* A growable list of strings, each owned by the list. */
struct names {
	char	**v;
	size_t	  n;
	size_t	  cap;
};

static void
names_add(struct names *l, const char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		if ((l->v = realloc(l->v, l->cap * sizeof(*l->v))) == NULL)
			mp_oom();
	}
	if ((l->v[l->n++] = strdup(s)) == NULL)
		mp_oom();
}

static int
names_has(const struct names *l, const char *s)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

static void
names_free(struct names *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*buf;
	long	 n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	if ((buf = calloc(1, (size_t)n + 1)) == NULL)
		mp_oom();
	*len = fread(buf, 1, (size_t)n, f);
	fclose(f);
	return buf;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t	 n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/*
 * Values a template may print raw: by convention their names end in Html
 * and each escape:"none" that prints one carries an audit comment.  The
 * Golden subtree is the test's own and never rendered.
 */
static int
raw_or_ours(const char *name)
{
	return ends_with(name, "Html") || strcmp(name, "Golden") == 0;
}

/*
 * Replace each character of which (a subset of markup) in the values
 * under parent with its stand-in, one for one, so that values equal
 * before are equal after and the template takes the same branches.
 * Values raw_or_ours() names stay as they are.  Returns how many values
 * held '<' or '"': what the case feeds that could open a tag or leave an
 * attribute.
 */
static int
defang(HDF *parent, const char *which)
{
	HDF		*c;
	const char	*name, *v, *m;
	char		*s, *p;
	int		 fed = 0;
	NEOERR		*e;

	for (c = hdf_obj_child(parent); c != NULL; c = hdf_obj_next(c)) {
		name = hdf_obj_name(c);
		if (raw_or_ours(name))
			continue;
		if ((v = hdf_obj_value(c)) != NULL &&
		    strpbrk(v, which) != NULL) {
			if (strpbrk(v, "<\"") != NULL)
				fed++;
			if ((s = strdup(v)) == NULL)
				mp_oom();
			for (p = s; *p != '\0'; p++)
				if (strchr(which, *p) != NULL &&
				    (m = strchr(markup, *p)) != NULL)
					*p = standin[m - markup];
			if ((e = hdf_set_value(parent, name, s)) != STATUS_OK) {
				nerr_ignore(&e);
				mp_oom();
			}
			free(s);
		}
		fed += defang(c, which);
	}
	return fed;
}

/* Print, as TAP comments, the values under parent found verbatim in out. */
static void
show_raw(HDF *parent, const char *prefix, const char *out)
{
	HDF		*c;
	const char	*name, *v;
	char		 full[512];

	for (c = hdf_obj_child(parent); c != NULL; c = hdf_obj_next(c)) {
		name = hdf_obj_name(c);
		if (raw_or_ours(name))
			continue;
		snprintf(full, sizeof(full), "%s%s%s", prefix,
		    *prefix ? "." : "", name);
		if ((v = hdf_obj_value(c)) != NULL &&
		    strpbrk(v, markup) != NULL && strstr(out, v) != NULL)
			printf("# raw in the output: %s = %s\n", full, v);
		show_raw(c, full, out);
	}
}

static size_t
count_char(const struct mp_buf *b, char ch)
{
	size_t	 i, n = 0;

	for (i = 0; i < b->len; i++)
		if (b->data[i] == ch)
			n++;
	return n;
}

static int
same_buf(const struct mp_buf *a, const struct mp_buf *b)
{
	return a->len == b->len && (a->len == 0 ||
	    memcmp(a->data, b->data, a->len) == 0);
}

/*
 * Read the fixture at path into a new tree in *hdf.  Returns 0 (and
 * leaves *hdf NULL) when it cannot be read.
 */
static int
read_fixture(const char *path, HDF **hdf)
{
	NEOERR	*e;

	hdf_init(hdf);
	if ((e = hdf_read_file(*hdf, path)) != STATUS_OK) {
		nerr_ignore(&e);
		hdf_destroy(hdf);
		*hdf = NULL;
		return 0;
	}
	return 1;
}

/*
 * The generic escaping check of an HTML or XML case.  ref is the render
 * of the same fixture after defang() of all of markup: every markup
 * character of its data swapped for a harmless one.  A template that
 * escapes everything produces as many '<', '>', '"' and '\'' either way,
 * since all of them then come from the template itself; more in out is
 * data come through as markup.  Returns 1 when the counts agree, else
 * prints why and the values of hdf it finds verbatim in out.
 */
static int
same_markup(const char *name, struct mp_buf *out, const struct mp_buf *ref,
    HDF *hdf)
{
	size_t	 i, got, want;

	for (i = 0; markup[i] != '\0'; i++) {
		got = count_char(out, markup[i]);
		want = count_char(ref, markup[i]);
		if (got != want) {
			printf("not ok - %s: %zu '%c' in the output, %zu with "
			    "the data defanged: data came through as markup\n",
			    name, got, markup[i], want);
			show_raw(hdf, "", mp_buf_cstr(out));
			return 0;
		}
	}
	return 1;
}

/*
 * Render one case: NAME.hdf names its template in Golden.Template and
 * holds the data, with at least one hostile value ('<' or '"' in a value
 * the template escapes) that reaches the output: swapping the '<' and '"'
 * of the data for stand-ins must change the render.  NAME.html is what
 * the client must receive.
 * An HTML or XML case passes same_markup() and never shows any of the
 * strings under Golden.MustNotContain.  A text part (*.txt.cs, mail) is
 * plain text, never interpreted as HTML, so its hostile values come
 * through as they are and only the comparison applies.  Adds the
 * template's name to covered.  MP_GOLDEN_UPDATE=1 rewrites the
 * expectation of a case that passes its escaping checks.
 */
static int
run_case(struct mp_templates *tpl, const char *name, struct names *covered)
{
	char		 path[4096], hdfpath[4096];
	HDF		*hdf = NULL, *safe = NULL, *probe = NULL, *bad;
	struct mp_buf	 out, ref, pro;
	char		*want = NULL;
	size_t		 wlen = 0;
	const char	*t;
	int		 ok = 0, text;
	FILE		*f;

	mp_buf_init(&out, 0);
	mp_buf_init(&ref, 0);
	mp_buf_init(&pro, 0);
	snprintf(hdfpath, sizeof(hdfpath), "%s/%s.hdf", CASES, name);
	if (!read_fixture(hdfpath, &hdf) || !read_fixture(hdfpath, &safe) ||
	    !read_fixture(hdfpath, &probe)) {
		printf("not ok - %s: cannot read fixture\n", name);
		goto out;
	}
	if ((t = hdf_get_value(hdf, "Golden.Template", NULL)) == NULL) {
		printf("not ok - %s: no Golden.Template\n", name);
		goto out;
	}
	if (!names_has(covered, t))
		names_add(covered, t);
	text = ends_with(t, ".txt.cs");
	defang(safe, markup);
	if (defang(probe, "<\"") == 0) {
		printf("not ok - %s: feeds no hostile value ('<' or '\"' "
		    "in a value not named *Html)\n", name);
		goto out;
	}
	if (mp_tpl_render(tpl, t, hdf, &out) != MP_OK ||
	    mp_tpl_render(tpl, t, safe, &ref) != MP_OK ||
	    mp_tpl_render(tpl, t, probe, &pro) != MP_OK) {
		printf("not ok - %s: render failed\n", name);
		goto out;
	}
	mp_buf_cstr(&out);
	if (same_buf(&out, &pro)) {
		printf("not ok - %s: no '<' or '\"' of the data reaches the "
		    "output\n", name);
		goto out;
	}
	if (!text && !same_markup(name, &out, &ref, hdf))
		goto out;
	bad = hdf_get_obj(hdf, "Golden.MustNotContain");
	for (bad = bad ? hdf_obj_child(bad) : NULL; bad != NULL;
	    bad = hdf_obj_next(bad)) {
		const char *needle = hdf_obj_value(bad);

		if (needle != NULL && strstr(out.data, needle)) {
			printf("not ok - %s: output contains %s\n", name,
			    needle);
			goto out;
		}
	}
	snprintf(path, sizeof(path), "%s/%s.html", CASES, name);
	if (getenv("MP_GOLDEN_UPDATE") != NULL) {
		if ((f = fopen(path, "wb")) != NULL) {
			fwrite(out.data, 1, out.len, f);
			fclose(f);
		}
		printf("ok - %s (updated)\n", name);
		ok = 1;
		goto out;
	}
	want = slurp(path, &wlen);
	if (want != NULL && wlen == out.len &&
	    memcmp(want, out.data, out.len) == 0) {
		printf("ok - %s\n", name);
		ok = 1;
	} else
		printf("not ok - %s: output differs from %s\n", name, path);
out:
	free(want);
	mp_buf_free(&out);
	mp_buf_free(&ref);
	mp_buf_free(&pro);
	if (hdf != NULL)
		hdf_destroy(&hdf);
	if (safe != NULL)
		hdf_destroy(&safe);
	if (probe != NULL)
		hdf_destroy(&probe);
	return ok;
}

static struct names	*walking;

static int
collect_one(const char *path, const struct stat *st, int type,
    struct FTW *ftw)
{
	const char	*rel = path + strlen(TEMPLATES);

	(void)st;
	(void)ftw;
	while (*rel == '/')
		rel++;
	if (type == FTW_F && ends_with(rel, ".cs"))
		names_add(walking, rel);
	return 0;
}

/* Does some template in covered include partial? */
static int
included(const struct names *covered, const char *partial)
{
	char	 path[4096], needle[512];
	char	*src;
	size_t	 i, len;
	int	 found = 0;

	snprintf(needle, sizeof(needle), "include:\"%s\"", partial);
	for (i = 0; i < covered->n && !found; i++) {
		snprintf(path, sizeof(path), "%s/%s", TEMPLATES,
		    covered->v[i]);
		if ((src = slurp(path, &len)) != NULL &&
		    strstr(src, needle) != NULL)
			found = 1;
		free(src);
	}
	return found;
}

/*
 * Every template under templates/ needs a case or a place in partials[].
 * Prints one line per template that has neither, and per partial that
 * is gone or no longer included by a covered page.  Returns 1 when all
 * are accounted for.
 */
static int
coverage(const struct names *covered)
{
	struct names	 all = { NULL, 0, 0 };
	size_t		 i, k, np;
	int		 ok = 1;

	np = sizeof(partials) / sizeof(partials[0]);
	walking = &all;
	if (nftw(TEMPLATES, collect_one, 16, FTW_PHYS) != 0 || all.n == 0) {
		printf("not ok - coverage: cannot list %s\n", TEMPLATES);
		ok = 0;
		goto out;
	}
	qsort(all.v, all.n, sizeof(*all.v), str_cmp);
	for (i = 0; i < all.n; i++) {
		if (names_has(covered, all.v[i]))
			continue;
		for (k = 0; k < np; k++)
			if (strcmp(partials[k].name, all.v[i]) == 0)
				break;
		if (k == np) {
			printf("not ok - coverage: templates/%s has no golden "
			    "case\n", all.v[i]);
			ok = 0;
		}
	}
	for (k = 0; k < np; k++) {
		if (!names_has(&all, partials[k].name)) {
			printf("not ok - coverage: partial %s (%s) is gone: "
			    "take it off the list\n", partials[k].name,
			    partials[k].why);
			ok = 0;
		} else if (!included(covered, partials[k].name)) {
			printf("not ok - coverage: partial %s (%s) is "
			    "included by no page with a case\n",
			    partials[k].name, partials[k].why);
			ok = 0;
		}
	}
	if (ok)
		printf("ok - coverage: %zu templates, %zu with cases, %zu "
		    "partials covered through them\n", all.n, covered->n, np);
out:
	walking = NULL;
	names_free(&all);
	return ok;
}

int
main(void)
{
	struct mp_templates	*tpl;
	struct dirent		*de;
	struct names		 cases = { NULL, 0, 0 };
	struct names		 covered = { NULL, 0, 0 };
	DIR			*d;
	char			 err[512], name[256];
	size_t			 i, len;
	int			 pass = 0, fail = 0;

	if (mp_tpl_load(&tpl, TEMPLATES, err, sizeof(err)) != MP_OK) {
		printf("not ok - templates: %s\n", err);
		return 1;
	}
	if ((d = opendir(CASES)) == NULL) {
		printf("not ok - no cases in %s\n", CASES);
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 5 || !ends_with(de->d_name, ".hdf") ||
		    len - 4 >= sizeof(name))
			continue;
		memcpy(name, de->d_name, len - 4);
		name[len - 4] = '\0';
		names_add(&cases, name);
	}
	closedir(d);
	qsort(cases.v, cases.n, sizeof(*cases.v), str_cmp);
	for (i = 0; i < cases.n; i++) {
		if (run_case(tpl, cases.v[i], &covered))
			pass++;
		else
			fail++;
	}
	if (coverage(&covered))
		pass++;
	else
		fail++;
	names_free(&cases);
	names_free(&covered);
	mp_tpl_free(tpl);
	printf("%d passed, %d failed\n", pass, fail);
	return fail == 0 && pass > 0 ? 0 : 1;
}
