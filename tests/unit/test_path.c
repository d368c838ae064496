/* Unit tests for path canonicalisation: traversal, encodings, length. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/extern.h"

static void
test_good(void **state)
{
	static const char *const io[][2] = {
		{ "/", "/" },
		{ "//", "/" },
		{ "///", "/" },
		{ "/a", "/a" },
		{ "/a/", "/a/" },
		{ "//a//b//", "/a/b/" },
		{ "/a%20b", "/a b" },
		{ "/caf%C3%A9", "/caf\xc3\xa9" },
		{ "/a+b", "/a+b" },
		{ "/...", "/..." },
		{ "/.well-known/x", "/.well-known/x" },
		{ "/a..b/..c/c..", "/a..b/..c/c.." },
		{ "/%7Bx%7D", "/{x}" },
		{ "/s/x%3Fy", "/s/x?y" },
	};
	struct mp_arena	*a = mp_arena_new(0);
	char		*out;
	size_t		 i;

	for (i = 0; i < sizeof(io) / sizeof(io[0]); i++) {
		out = NULL;
		if (mp_path_canon(a, io[i][0], 2048, &out) != MP_OK)
			fail_msg("rejected %s", io[i][0]);
		assert_string_equal(out, io[i][1]);
	}
	mp_arena_free(a);
}

static void
test_bad(void **state)
{
	static const char *const bad[] = {
		"", "a", "a/b", "/..", "/../etc/passwd", "/a/../b", "/a/..",
		"/.", "/./a", "/a/.", "/a/./", "/%2e%2e/x", "/%2E%2E",
		"/.%2e/", "/%2e./", "/%2e", "/a%2fb", "/a%2Fb", "/a%5cb",
		"/a%5Cb", "/a\\b", "/a%00", "/%00/", "/%", "/%4", "/%zz",
		"/%g1", "/%C3", "/%C0%AE%C0%AE/", "/%ff", "/\xff",
		"/a%0ab", "/a\nb", "/a%7f", "/\x01", "/a%ED%A0%80",
	};
	struct mp_arena	*a = mp_arena_new(0);
	char		*out;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		out = NULL;
		if (mp_path_canon(a, bad[i], 2048, &out) != MP_EINPUT)
			fail_msg("accepted %s", bad[i]);
		assert_null(out);
	}
	assert_int_equal(mp_path_canon(a, NULL, 2048, &out), MP_EINPUT);
	mp_arena_free(a);
}

/* The limit is on the raw length: exactly max passes, one more fails. */
static void
test_limit(void **state)
{
	struct mp_arena	*a = mp_arena_new(0);
	char		 p[64], *out;

	memset(p, 'x', sizeof(p));
	p[0] = '/';
	p[10] = '\0';
	assert_int_equal(mp_path_canon(a, p, 10, &out), MP_OK);
	assert_int_equal(strlen(out), 10);
	p[10] = 'x';
	p[11] = '\0';
	assert_int_equal(mp_path_canon(a, p, 10, &out), MP_ELIMIT);
	assert_int_equal(mp_path_canon(a, p, 0, &out), MP_OK);
	assert_int_equal(mp_path_canon(a, "/%41%41%41", 10, &out), MP_OK);
	assert_string_equal(out, "/AAA");
	assert_int_equal(mp_path_canon(a, "/%41%41%41/", 10, &out),
	    MP_ELIMIT);
	mp_arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
