/* Golden renders: every template rendered from a fixture and compared byte for byte. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>

#include "web/extern.h"

#define CASES	MP_SRCDIR "/tests/golden/cases"

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

/*
 * Render one case: NAME.hdf names its template in Golden.Template and
 * holds the data (with at least one hostile value); NAME.html is what a
 * browser must receive.  MP_GOLDEN_UPDATE=1 rewrites the expectation.
 */
static int
run_case(struct mp_templates *tpl, const char *name)
{
	char		 path[4096];
	HDF		*hdf;
	NEOERR		*e;
	struct mp_buf	 out;
	char		*want;
	size_t		 wlen = 0;
	const char	*t;
	int		 ok = 0;
	FILE		*f;

	snprintf(path, sizeof(path), "%s/%s.hdf", CASES, name);
	hdf_init(&hdf);
	if ((e = hdf_read_file(hdf, path)) != STATUS_OK) {
		nerr_ignore(&e);
		printf("not ok - %s: cannot read fixture\n", name);
		hdf_destroy(&hdf);
		return 0;
	}
	t = hdf_get_value(hdf, "Golden.Template", NULL);
	mp_buf_init(&out, 0);
	if (t == NULL || mp_tpl_render(tpl, t, hdf, &out) != MP_OK) {
		printf("not ok - %s: render failed\n", name);
		goto out;
	}
	/* The hostile values must not come through as markup. */
	{
		HDF *bad = hdf_get_obj(hdf, "Golden.MustNotContain");

		for (bad = bad ? hdf_obj_child(bad) : NULL; bad != NULL;
		    bad = hdf_obj_next(bad)) {
			const char *needle = hdf_obj_value(bad);

			mp_buf_cstr(&out);
			if (needle != NULL && strstr(out.data, needle)) {
				printf("not ok - %s: output contains %s\n",
				    name, needle);
				goto out;
			}
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
	free(want);
out:
	mp_buf_free(&out);
	hdf_destroy(&hdf);
	return ok;
}

int
main(void)
{
	struct mp_templates	*tpl;
	struct dirent		*de;
	DIR			*d;
	char			 err[512], name[256];
	size_t			 len;
	int			 pass = 0, fail = 0;

	if (mp_tpl_load(&tpl, MP_SRCDIR "/templates", err, sizeof(err)) !=
	    MP_OK) {
		printf("not ok - templates: %s\n", err);
		return 1;
	}
	if ((d = opendir(CASES)) == NULL) {
		printf("not ok - no cases in %s\n", CASES);
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".hdf") != 0 ||
		    len - 4 >= sizeof(name))
			continue;
		memcpy(name, de->d_name, len - 4);
		name[len - 4] = '\0';
		if (run_case(tpl, name))
			pass++;
		else
			fail++;
	}
	closedir(d);
	mp_tpl_free(tpl);
	printf("%d passed, %d failed\n", pass, fail);
	return fail == 0 && pass > 0 ? 0 : 1;
}
