/* Unit tests for hashing, encodings, random tokens, constant-time compare. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/extern.h"

static void
test_sha256(void **state)
{
	struct mp_arena	*a = mp_arena_new(0);

	assert_string_equal(mp_sha256_hex(a, "abc", 3),
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_string_equal(mp_sha256_hex(a, "", 0),
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	mp_arena_free(a);
}

/* RFC 4648 section 10 vectors, in the URL alphabet without padding. */
static void
test_b64url(void **state)
{
	struct mp_arena		*a = mp_arena_new(0);
	static const unsigned char hi[] = { 0xfb, 0xff, 0xbf };

	assert_string_equal(mp_b64url(a, "", 0), "");
	assert_string_equal(mp_b64url(a, "f", 1), "Zg");
	assert_string_equal(mp_b64url(a, "fo", 2), "Zm8");
	assert_string_equal(mp_b64url(a, "foo", 3), "Zm9v");
	assert_string_equal(mp_b64url(a, "foob", 4), "Zm9vYg");
	assert_string_equal(mp_b64url(a, "fooba", 5), "Zm9vYmE");
	assert_string_equal(mp_b64url(a, "foobar", 6), "Zm9vYmFy");
	assert_string_equal(mp_b64url(a, hi, 3), "-_-_");
	assert_string_equal(mp_b64url(a, hi, 2), "-_8");
	assert_string_equal(mp_hex(a, hi, 3), "fbffbf");
	assert_string_equal(mp_hex(a, "", 0), "");
	mp_arena_free(a);
}

static void
test_token(void **state)
{
	struct mp_arena	*a = mp_arena_new(0);
	char		*t1, *t2, *big;
	size_t		 i;

	t1 = mp_token(a, 32);
	t2 = mp_token(a, 32);
	assert_int_equal(strlen(t1), 43);	/* 256 bits */
	assert_string_not_equal(t1, t2);
	for (i = 0; t1[i] != '\0'; i++)
		assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789-_", t1[i]));
	big = mp_token(a, 100000);
	assert_int_equal(strlen(big), 133334);
	mp_arena_free(a);
}

static void
test_ct_equal(void **state)
{

	assert_true(mp_ct_equal("abcdef", "abcdef", 6));
	assert_false(mp_ct_equal("abcdef", "abcdeg", 6));
	assert_false(mp_ct_equal("xbcdef", "abcdef", 6));
	assert_true(mp_ct_equal("a", "b", 0));
}

static void
test_clock(void **state)
{
	uint64_t	 t0, t1;

	t0 = mp_monotonic_ms();
	t1 = mp_monotonic_ms();
	assert_true(t0 > 0);
	assert_true(t1 >= t0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_b64url),
		cmocka_unit_test(test_token),
		cmocka_unit_test(test_ct_equal),
		cmocka_unit_test(test_clock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
