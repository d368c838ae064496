/* Unit tests for urlencoded, cookie and percent decoding and UTF-8 checks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/extern.h"

static const struct mp_limits lim = { 1024, 4, 8, 2048, 32 };

static enum mp_err
ue(struct mp_arena *a, const char *s, struct mp_kv **kv, int *n)
{

	return mp_parse_urlencoded(a, s, strlen(s), &lim, kv, n);
}

static void
test_urlencoded(void **state)
{
	struct mp_arena	*a = mp_arena_new(0);
	struct mp_kv	*kv;
	int		 n;

	assert_int_equal(ue(a, "a=1&b=x+y%21&&c&=e&", &kv, &n), MP_OK);
	assert_int_equal(n, 4);
	assert_string_equal(kv[0].key, "a");
	assert_string_equal(kv[0].val, "1");
	assert_int_equal(kv[0].vlen, 1);
	assert_string_equal(kv[1].key, "b");
	assert_string_equal(kv[1].val, "x y!");
	assert_string_equal(kv[2].key, "c");
	assert_string_equal(kv[2].val, "");
	assert_int_equal(kv[2].vlen, 0);
	assert_string_equal(kv[3].key, "");
	assert_string_equal(kv[3].val, "e");
	assert_null(kv[0].filename);
	assert_null(kv[0].ctype);

	assert_int_equal(ue(a, "k=a=b;c", &kv, &n), MP_OK);
	assert_int_equal(n, 1);
	assert_string_equal(kv[0].val, "a=b;c");
	assert_int_equal(ue(a, "k=%C3%A9t%c3%a9", &kv, &n), MP_OK);
	assert_string_equal(kv[0].val, "\xc3\xa9t\xc3\xa9");
	assert_int_equal(ue(a, "", &kv, &n), MP_OK);
	assert_int_equal(n, 0);
	assert_int_equal(ue(a, "&&&", &kv, &n), MP_OK);
	assert_int_equal(n, 0);
	assert_int_equal(mp_parse_urlencoded(a, NULL, 0, &lim, &kv, &n),
	    MP_OK);
	assert_int_equal(n, 0);
	mp_arena_free(a);
}

static void
test_urlencoded_bad(void **state)
{
	static const char *const bad[] = {
		"a=%00", "a%00=1", "a=%", "a=%4", "a=%zz", "a=%C3",
		"a=%C0%AF", "a=%ED%A0%80", "a=%F4%90%80%80", "%FF=1",
	};
	struct mp_arena	*a = mp_arena_new(0);
	struct mp_kv	*kv;
	size_t		 i;
	int		 n;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (ue(a, bad[i], &kv, &n) != MP_EINPUT)
			fail_msg("accepted %s", bad[i]);
	assert_int_equal(mp_parse_urlencoded(a, "a=b\0c", 5, &lim, &kv, &n),
	    MP_EINPUT);
	mp_arena_free(a);
}

/* Limits: 4 fields, 8 bytes per decoded value, 1024 bytes of body. */
static void
test_urlencoded_limits(void **state)
{
	struct mp_arena	*a = mp_arena_new(0);
	struct mp_kv	*kv;
	char		*big;
	int		 n;

	assert_int_equal(ue(a, "a&b&c&d", &kv, &n), MP_OK);
	assert_int_equal(n, 4);
	assert_int_equal(ue(a, "a&b&c&d&e", &kv, &n), MP_ELIMIT);
	assert_int_equal(ue(a, "a&b&&c&d&", &kv, &n), MP_OK);
	assert_int_equal(ue(a, "v=12345678", &kv, &n), MP_OK);
	assert_int_equal(ue(a, "v=123456789", &kv, &n), MP_ELIMIT);
	/* The limit is on the decoded value: 8 escapes are 8 bytes. */
	assert_int_equal(ue(a, "v=%41%41%41%41%41%41%41%41", &kv, &n), MP_OK);
	assert_string_equal(kv[0].val, "AAAAAAAA");
	assert_int_equal(ue(a, "12345678=v", &kv, &n), MP_OK);
	assert_int_equal(ue(a, "123456789=v", &kv, &n), MP_ELIMIT);
	big = calloc(1, 1026);
	memset(big, '&', 1024);
	assert_int_equal(ue(a, big, &kv, &n), MP_OK);
	big[1024] = '&';
	assert_int_equal(ue(a, big, &kv, &n), MP_ELIMIT);
	free(big);
	mp_arena_free(a);
}

static void
test_cookies(void **state)
{
	struct mp_arena	*a = mp_arena_new(0);
	struct mp_kv	*kv;
	int		 n;

	assert_int_equal(mp_parse_cookies(a,
	    "sid=abc; q=\"quoted\";bad; =x; x y=1;plus=a+b%20c;  t = v ",
	    &lim, &kv, &n), MP_OK);
	assert_int_equal(n, 4);
	assert_string_equal(kv[0].key, "sid");
	assert_string_equal(kv[0].val, "abc");
	assert_string_equal(kv[1].key, "q");
	assert_string_equal(kv[1].val, "quoted");
	assert_string_equal(kv[2].key, "plus");
	assert_string_equal(kv[2].val, "a+b%20c");
	assert_string_equal(kv[3].key, "t");
	assert_string_equal(kv[3].val, "v");
	assert_int_equal(kv[3].vlen, 1);
	assert_int_equal(mp_parse_cookies(a, "a=\x01; b=\xff; c=\"\"", &lim,
	    &kv, &n), MP_OK);
	assert_int_equal(n, 1);
	assert_string_equal(kv[0].key, "c");
	assert_string_equal(kv[0].val, "");
	assert_int_equal(mp_parse_cookies(a, NULL, &lim, &kv, &n), MP_OK);
	assert_int_equal(n, 0);
	assert_int_equal(mp_parse_cookies(a, "", &lim, &kv, &n), MP_OK);
	assert_int_equal(n, 0);
	mp_arena_free(a);
}

static void
test_cookie_limits(void **state)
{
	struct mp_arena	*a = mp_arena_new(0);
	struct mp_kv	*kv;
	int		 n;

	assert_int_equal(mp_parse_cookies(a, "a=1; b=2; c=3; d=4", &lim,
	    &kv, &n), MP_OK);
	assert_int_equal(n, 4);
	assert_int_equal(mp_parse_cookies(a, "a=1; b=2; c=3; d=4; e=5", &lim,
	    &kv, &n), MP_ELIMIT);
	/* Skipped pairs do not count. */
	assert_int_equal(mp_parse_cookies(a, "a=1; b=2; c=3; d=4; junk", &lim,
	    &kv, &n), MP_OK);
	assert_int_equal(mp_parse_cookies(a, "a=12345678", &lim, &kv, &n),
	    MP_OK);
	assert_int_equal(mp_parse_cookies(a, "a=123456789", &lim, &kv, &n),
	    MP_ELIMIT);
	assert_int_equal(mp_parse_cookies(a, "a=\"12345678\"", &lim, &kv, &n),
	    MP_OK);
	mp_arena_free(a);
}

static void
test_pct_decode(void **state)
{
	char	 s[32];
	size_t	 n;

	n = (size_t)snprintf(s, sizeof(s), "%s", "a+b%2Fc%2f%41");
	assert_int_equal(mp_pct_decode(s, &n, 1), 0);
	assert_int_equal(n, 7);
	assert_string_equal(s, "a b/c/A");
	n = (size_t)snprintf(s, sizeof(s), "%s", "a+b");
	assert_int_equal(mp_pct_decode(s, &n, 0), 0);
	assert_string_equal(s, "a+b");
	n = (size_t)snprintf(s, sizeof(s), "%s", "x%00y");
	assert_int_equal(mp_pct_decode(s, &n, 0), 0);
	assert_int_equal(n, 3);
	assert_memory_equal(s, "x\0y", 3);
	n = (size_t)snprintf(s, sizeof(s), "%s", "%4");
	assert_int_equal(mp_pct_decode(s, &n, 0), -1);
	n = (size_t)snprintf(s, sizeof(s), "%s", "%g0");
	assert_int_equal(mp_pct_decode(s, &n, 0), -1);
}

static void
test_utf8(void **state)
{

	assert_true(mp_utf8_valid("", 0));
	assert_true(mp_utf8_valid("plain", 5));
	assert_true(mp_utf8_valid("\xc2\x80", 2));		/* U+0080 */
	assert_true(mp_utf8_valid("\xdf\xbf", 2));
	assert_true(mp_utf8_valid("\xe0\xa0\x80", 3));	/* U+0800 */
	assert_true(mp_utf8_valid("\xed\x9f\xbf", 3));	/* U+D7FF */
	assert_true(mp_utf8_valid("\xee\x80\x80", 3));	/* U+E000 */
	assert_true(mp_utf8_valid("\xef\xbf\xbf", 3));
	assert_true(mp_utf8_valid("\xf0\x90\x80\x80", 4));	/* U+10000 */
	assert_true(mp_utf8_valid("\xf4\x8f\xbf\xbf", 4));	/* U+10FFFF */
	assert_false(mp_utf8_valid("a\0b", 3));
	assert_false(mp_utf8_valid("\x80", 1));
	assert_false(mp_utf8_valid("\xc0\xaf", 2));		/* overlong */
	assert_false(mp_utf8_valid("\xc1\xbf", 2));
	assert_false(mp_utf8_valid("\xe0\x9f\xbf", 3));	/* overlong */
	assert_false(mp_utf8_valid("\xed\xa0\x80", 3));	/* surrogate */
	assert_false(mp_utf8_valid("\xf0\x8f\xbf\xbf", 4));	/* overlong */
	assert_false(mp_utf8_valid("\xf4\x90\x80\x80", 4));	/* > U+10FFFF */
	assert_false(mp_utf8_valid("\xf5\x80\x80\x80", 4));
	assert_false(mp_utf8_valid("\xff", 1));
	assert_false(mp_utf8_valid("\xe2\x82", 2));		/* truncated */
	assert_false(mp_utf8_valid("\xe2\x82\xac", 2));	/* cut by n */
	assert_false(mp_utf8_valid("\xe2\x28\xa1", 3));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_urlencoded),
		cmocka_unit_test(test_urlencoded_bad),
		cmocka_unit_test(test_urlencoded_limits),
		cmocka_unit_test(test_cookies),
		cmocka_unit_test(test_cookie_limits),
		cmocka_unit_test(test_pct_decode),
		cmocka_unit_test(test_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
