/* Unit tests for password hashing and policy: format, verification, rehash, length limits, common list. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "core/extern.h"

static int
scrypt_raw(const char *pw, const unsigned char *salt, size_t sl,
    uint64_t n, uint64_t r, uint64_t p, unsigned char *out, size_t ol)
{
	return EVP_PBE_scrypt(pw, strlen(pw), salt, sl, n, r, p, 0, out, ol)
	    == 1 ? 0 : -1;
}

static void
test_hash_verify(void **state)
{
	struct mp_arena	*a = mp_arena_new(0);
	char		*h, *h2;
	int		 rehash = -1;

	(void)state;
	h = mp_password_hash(a, "correct horse battery staple");
	assert_true(strncmp(h, "scrypt$32768$8$3$", 17) == 0);
	assert_true(mp_password_verify("correct horse battery staple", h,
	    &rehash));
	assert_int_equal(rehash, 0);
	assert_false(mp_password_verify("correct horse battery stapl", h,
	    NULL));
	/* Same password, new salt, different string. */
	h2 = mp_password_hash(a, "correct horse battery staple");
	assert_string_not_equal(h, h2);
	/* Malformed stored values never match. */
	assert_false(mp_password_verify("x", "", NULL));
	assert_false(mp_password_verify("x", NULL, NULL));
	assert_false(mp_password_verify("x", "bcrypt$xyz", NULL));
	assert_false(mp_password_verify("x", "scrypt$3$8$1$AAAAAAAAAAA$AAAA",
	    NULL));
	mp_arena_free(a);
}

/* A hash made with weaker parameters verifies and asks for a rehash. */
static void
test_rehash(void **state)
{
	struct mp_arena	*a = mp_arena_new(0);
	unsigned char	 salt[16], out[32];
	const char	*stored;
	int		 rehash = 0;

	(void)state;
	memset(salt, 7, sizeof(salt));
	assert_int_equal(scrypt_raw("pw-old-params", salt,
	    sizeof(salt), 1024, 8, 1, out, sizeof(out)), 0);
	stored = mp_printf(a, "scrypt$1024$8$1$%s$%s", mp_b64url(a, salt, 16),
	    mp_b64url(a, out, 32));
	assert_true(mp_password_verify("pw-old-params", stored, &rehash));
	assert_int_equal(rehash, 1);
	mp_arena_free(a);
}

static void
test_policy(void **state)
{
	char		 buf[600];
	const char	*why;
	char		 path[] = "/tmp/mp-common-XXXXXX";
	int		 fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "# list\npassword\nqwerty123\n", 26), 26);
	close(fd);
	mp_password_list(path);
	assert_int_equal(mp_password_policy("Passw0rd-long-enough", &why),
	    MP_OK);
	/* 7 characters is one short; 8 is the minimum. */
	assert_int_equal(mp_password_policy("abcdefg", &why), MP_EINPUT);
	assert_int_equal(mp_password_policy("abcdefgh", &why), MP_OK);
	/* Length is in characters: 8 two-byte letters pass, 7 do not. */
	assert_int_equal(mp_password_policy("ééééééé", &why), MP_EINPUT);
	assert_int_equal(mp_password_policy("éééééééé", &why), MP_OK);
	/* 128 is the maximum; 129 is refused. */
	memset(buf, 'k', 128);
	buf[128] = '\0';
	assert_int_equal(mp_password_policy(buf, &why), MP_OK);
	buf[128] = 'k';
	buf[129] = '\0';
	assert_int_equal(mp_password_policy(buf, &why), MP_EINPUT);
	/* Common passwords, whatever their case. */
	assert_int_equal(mp_password_policy("password", &why), MP_EINPUT);
	assert_int_equal(mp_password_policy("QWERTY123", &why), MP_EINPUT);
	assert_non_null(strstr(why, "common"));
	/* Invalid UTF-8. */
	assert_int_equal(mp_password_policy("abcdefgh\xff", &why), MP_EINPUT);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_verify),
		cmocka_unit_test(test_rehash),
		cmocka_unit_test(test_policy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
