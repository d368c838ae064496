/* Unit tests for two-factor sign-in: TOTP (RFC 6238 vectors), base32, backup codes, sealing, the remember cookie, the QR encoder's structure. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "features/twofa/extern.h"

static struct mp_arena	*a;

static int
setup(void **state)
{
	(void)state;
	a = mp_arena_new(0);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	mp_arena_free(a);
	return 0;
}

/* RFC 6238 appendix B, the SHA-1 rows: seed "12345678901234567890". */
static const struct {
	int64_t		 t;
	uint32_t	 totp8;
} rfc6238[] = {
	{ 59LL, 94287082 },
	{ 1111111109LL, 7081804 },
	{ 1111111111LL, 14050471 },
	{ 1234567890LL, 89005924 },
	{ 2000000000LL, 69279037 },
	{ 20000000000LL, 65353130 },
};

static const unsigned char seed[] = "12345678901234567890";

static void
test_rfc6238_vectors(void **state)
{
	size_t	 i;
	uint64_t step;

	(void)state;
	for (i = 0; i < MP_NELEM(rfc6238); i++) {
		step = mp_totp_step(rfc6238[i].t);
		assert_int_equal(mp_totp(seed, 20, step, 8), rfc6238[i].totp8);
		/* Six digits are the low six of the same truncated value. */
		assert_int_equal(mp_totp(seed, 20, step, 6),
		    rfc6238[i].totp8 % 1000000);
	}
	/* The steps themselves: T = floor(t / 30). */
	assert_int_equal(mp_totp_step(59), 1);
	assert_int_equal(mp_totp_step(1111111109), 0x23523EC);
	assert_int_equal(mp_totp_step(20000000000LL), 0x27BC86AA);
}

/* RFC 4226 appendix D: HOTP of the same seed for counters 0..9. */
static void
test_rfc4226_vectors(void **state)
{
	static const uint32_t	 want[10] = { 755224, 287082, 359152, 969429,
	    338314, 254676, 287922, 162583, 399871, 520489 };
	uint64_t		 c;

	(void)state;
	for (c = 0; c < 10; c++)
		assert_int_equal(mp_totp(seed, 20, c, 6), want[c]);
}

static void
test_match_window(void **state)
{
	uint64_t	 step = 1000000;
	char		 code[16];
	int		 d;

	(void)state;
	for (d = -2; d <= 2; d++) {
		snprintf(code, sizeof(code), "%06u",
		    mp_totp(seed, 20, step + (uint64_t)(int64_t)d, 6));
		if (d >= -1 && d <= 1)
			assert_int_equal(mp_totp_match(seed, 20, step, code),
			    step + (uint64_t)(int64_t)d);
		else if (mp_totp(seed, 20, step + (uint64_t)(int64_t)d, 6) !=
		    mp_totp(seed, 20, step, 6))
			assert_int_equal(mp_totp_match(seed, 20, step, code), 0);
	}
	/* Spaces are allowed; five or seven digits and letters are not. */
	snprintf(code, sizeof(code), "%03u %03u",
	    mp_totp(seed, 20, step, 6) / 1000, mp_totp(seed, 20, step, 6) % 1000);
	assert_int_equal(mp_totp_match(seed, 20, step, code), step);
	assert_int_equal(mp_totp_match(seed, 20, step, "12345"), 0);
	assert_int_equal(mp_totp_match(seed, 20, step, "1234567"), 0);
	assert_int_equal(mp_totp_match(seed, 20, step, "12a456"), 0);
	assert_int_equal(mp_totp_match(seed, 20, step, ""), 0);
}

/* RFC 4648 section 10. */
static void
test_base32(void **state)
{
	static const char *const v[][2] = {
		{ "", "" }, { "f", "MY" }, { "fo", "MZXQ" }, { "foo", "MZXW6" },
		{ "foob", "MZXW6YQ" }, { "fooba", "MZXW6YTB" },
		{ "foobar", "MZXW6YTBOI" },
	};
	unsigned char	 out[32];
	size_t		 i;

	(void)state;
	for (i = 0; i < MP_NELEM(v); i++) {
		assert_string_equal(mp_base32(a, v[i][0], strlen(v[i][0])),
		    v[i][1]);
		assert_int_equal(mp_base32_decode(v[i][1], out, sizeof(out)),
		    (int)strlen(v[i][0]));
		assert_memory_equal(out, v[i][0], strlen(v[i][0]));
	}
	/* Lower case, spaces and padding are read too; 0, 1, 8, 9 are not base32. */
	assert_int_equal(mp_base32_decode("mzxw 6ytb oi======", out,
	    sizeof(out)), 6);
	assert_memory_equal(out, "foobar", 6);
	assert_int_equal(mp_base32_decode("MZXW1", out, sizeof(out)), -1);
	/* At the output limit, then one byte past it. */
	assert_int_equal(mp_base32_decode("MZXW6", out, 3), 3);
	assert_int_equal(mp_base32_decode("MZXW6YQ", out, 3), -1);
	/* A 20-byte secret is 32 characters, shown in eight groups of four. */
	assert_int_equal(strlen(mp_base32(a, seed, 20)), 32);
	assert_string_equal(mp_base32_grouped(a, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
	    "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ");
}

static void
test_backup_codes(void **state)
{
	char	*c, *d;
	int	 i;

	(void)state;
	c = mp_backup_code(a);
	d = mp_backup_code(a);
	assert_int_equal(strlen(c), MP_BACKUP_LEN);
	assert_string_not_equal(c, d);
	for (i = 0; i < MP_BACKUP_LEN; i++)
		assert_non_null(strchr("abcdefghijklmnopqrstuvwxyz234567", c[i]));
	assert_string_equal(mp_backup_show(a, "abcdefgh2345"), "abcd-efgh-2345");
	assert_string_equal(mp_backup_norm(a, "ABCD-efgh 2345"), "abcdefgh2345");
	assert_string_equal(mp_backup_norm(a, mp_backup_show(a, c)), c);
	/* Eleven and thirteen characters, and characters outside the set. */
	assert_null(mp_backup_norm(a, "abcd-efgh-234"));
	assert_null(mp_backup_norm(a, "abcd-efgh-23456"));
	assert_null(mp_backup_norm(a, "abcd-efgh-2341"));
	assert_null(mp_backup_norm(a, "123456"));
}

static void
keys(struct mp_twofa_keys *k, unsigned char fill)
{
	unsigned char	 master[32];

	memset(master, fill, sizeof(master));
	mp_twofa_derive(master, sizeof(master), 7, "c", k);
}

static void
test_seal(void **state)
{
	struct mp_twofa_keys	 k, other, t9;
	unsigned char		 out[64];
	unsigned char		 master[32];
	char			*s, *bad;

	(void)state;
	keys(&k, 1);
	keys(&other, 2);
	memset(master, 1, sizeof(master));
	mp_twofa_derive(master, sizeof(master), 9, "c", &t9);
	/* The two derived keys differ, and differ per tenant. */
	assert_memory_not_equal(k.seal, k.mac, MP_SEAL_KEYLEN);
	assert_memory_not_equal(k.seal, t9.seal, MP_SEAL_KEYLEN);
	s = mp_seal(a, &k, 7, 42, seed, 20);
	assert_non_null(s);
	assert_true(strncmp(s, "c.", 2) == 0);
	/* The secret does not appear in the sealed text. */
	assert_null(strstr(s, mp_b64url(a, seed, 20)));
	assert_int_equal(mp_unseal(&k, 7, 42, s, out, sizeof(out)), 20);
	assert_memory_equal(out, seed, 20);
	/* Another user, tenant or key cannot open it. */
	assert_int_equal(mp_unseal(&k, 7, 43, s, out, sizeof(out)), -1);
	assert_int_equal(mp_unseal(&k, 8, 42, s, out, sizeof(out)), -1);
	assert_int_equal(mp_unseal(&other, 7, 42, s, out, sizeof(out)), -1);
	/* One character changed in the ciphertext. */
	bad = mp_strdup(a, s);
	bad[10] = bad[10] == 'A' ? 'B' : 'A';
	assert_int_equal(mp_unseal(&k, 7, 42, bad, out, sizeof(out)), -1);
	/* Two sealings of the same secret differ (fresh nonce). */
	assert_string_not_equal(s, mp_seal(a, &k, 7, 42, seed, 20));
}

static void
test_remember(void **state)
{
	struct mp_twofa_keys	 k, other;
	char			*c, *bad;

	(void)state;
	keys(&k, 1);
	keys(&other, 2);
	c = mp_remember_make(a, &k, 7, 42, 2000, 3);
	assert_true(mp_remember_check(&k, 7, 42, 3, 1999, c));
	/* At the expiry second it is over. */
	assert_false(mp_remember_check(&k, 7, 42, 3, 2000, c));
	/* Bound to the user, the epoch, the tenant and the key. */
	assert_false(mp_remember_check(&k, 7, 43, 3, 1000, c));
	assert_false(mp_remember_check(&k, 7, 42, 4, 1000, c));
	assert_false(mp_remember_check(&k, 8, 42, 3, 1000, c));
	assert_false(mp_remember_check(&other, 7, 42, 3, 1000, c));
	bad = mp_strdup(a, c);
	bad[3] = bad[3] == 'A' ? 'B' : 'A';
	assert_false(mp_remember_check(&k, 7, 42, 3, 1000, bad));
	assert_false(mp_remember_check(&k, 7, 42, 3, 1000, ""));
	assert_false(mp_remember_check(&k, 7, 42, 3, 1000, NULL));
}

/* ------------------------------------------------------------- QR */

/* The 7x7 finder with its top-left at (x, y), and its light separator. */
static void
assert_finder(const struct mp_qr *q, int x, int y)
{
	int	 i, j, d, want;

	for (j = -1; j <= 7; j++)
		for (i = -1; i <= 7; i++) {
			if (x + i < 0 || y + j < 0 || x + i >= q->size ||
			    y + j >= q->size)
				continue;
			d = abs(i - 3) > abs(j - 3) ? abs(i - 3) : abs(j - 3);
			want = d <= 1 || d == 3;
			assert_int_equal(q->dark[y + j][x + i], want);
		}
}

/* Bit 14 first, as the standard's table prints them. */
static void
assert_format(const struct mp_qr *q, const char *want)
{
	unsigned	 a1 = 0, a2 = 0;
	int		 i, n = q->size;

	/* Copy one: around the top-left finder. */
	for (i = 0; i <= 5; i++)
		a1 |= (unsigned)q->dark[i][8] << i;
	a1 |= (unsigned)q->dark[7][8] << 6;
	a1 |= (unsigned)q->dark[8][8] << 7;
	a1 |= (unsigned)q->dark[8][7] << 8;
	for (i = 9; i < 15; i++)
		a1 |= (unsigned)q->dark[8][14 - i] << i;
	/* Copy two: under the top-right and beside the bottom-left finder. */
	for (i = 0; i < 8; i++)
		a2 |= (unsigned)q->dark[8][n - 1 - i] << i;
	for (i = 8; i < 15; i++)
		a2 |= (unsigned)q->dark[n - 15 + i][8] << i;
	assert_int_equal(a1, a2);
	for (i = 0; i < 15; i++)
		assert_int_equal((a1 >> (14 - i)) & 1, want[i] - '0');
}

static void
test_qr_structure(void **state)
{
	/* ISO/IEC 18004 table C.1, level M. */
	static const char *const fmt[8] = {
		"101010000010010", "101000100100101", "101111001111100",
		"101101101001011", "100010111111001", "100000011001110",
		"100111110010111", "100101010100000",
	};
	struct mp_qr	*q = mp_alloc(a, sizeof(*q));
	const char	*uri = "otpauth://totp/Acme%20Hosting:casey%40example.com"
	    "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Acme%20Hosting"
	    "&algorithm=SHA1&digits=6&period=30";
	int		 m, i, n;

	(void)state;
	for (m = 0; m < 8; m++)
		assert_int_equal(mp_qr_format_bits(m),
		    (unsigned)strtoul(fmt[m], NULL, 2));
	for (m = 0; m < 8; m++) {
		assert_int_equal(mp_qr_encode(uri, strlen(uri), m, q), MP_OK);
		assert_int_equal(q->mask, m);
		assert_format(q, fmt[m]);
	}
	/* 145 bytes: version 8 holds 152 data codewords at level M. */
	assert_int_equal(strlen(uri), 145);
	assert_int_equal(q->version, 8);
	n = q->size;
	assert_int_equal(n, 49);
	assert_finder(q, 0, 0);
	assert_finder(q, n - 7, 0);
	assert_finder(q, 0, n - 7);
	/* Timing patterns between the finders; the dark module. */
	for (i = 8; i < n - 8; i++) {
		assert_int_equal(q->dark[6][i], i % 2 == 0);
		assert_int_equal(q->dark[i][6], i % 2 == 0);
	}
	assert_int_equal(q->dark[n - 8][8], 1);
	/* The alignment pattern at (24, 24): dark centre, light ring. */
	assert_int_equal(q->dark[24][24], 1);
	assert_int_equal(q->dark[23][24], 0);
	assert_int_equal(q->dark[22][24], 1);
	/* Version 8's information block: 001000 then BCH, 0x085BC. */
	{
		unsigned v = 0;

		for (i = 0; i < 18; i++)
			v |= (unsigned)q->dark[i / 3][n - 11 + i % 3] << i;
		assert_int_equal(v, 0x085BC);
	}
	/* The mask of least penalty is one of the eight. */
	assert_int_equal(mp_qr_encode(uri, strlen(uri), -1, q), MP_OK);
	assert_true(q->mask >= 0 && q->mask <= 7);
}

static void
test_qr_versions(void **state)
{
	struct mp_qr	*q = mp_alloc(a, sizeof(*q));
	char		 buf[420];

	(void)state;
	memset(buf, 'a', sizeof(buf));
	/* Version 1 at level M holds 14 bytes; 15 need version 2. */
	assert_int_equal(mp_qr_encode(buf, 14, -1, q), MP_OK);
	assert_int_equal(q->version, 1);
	assert_int_equal(q->size, 21);
	assert_int_equal(mp_qr_encode(buf, 15, -1, q), MP_OK);
	assert_int_equal(q->version, 2);
	/* Version 9 holds 180 bytes; version 10's count takes 16 bits. */
	assert_int_equal(mp_qr_encode(buf, 180, -1, q), MP_OK);
	assert_int_equal(q->version, 9);
	assert_int_equal(mp_qr_encode(buf, 181, -1, q), MP_OK);
	assert_int_equal(q->version, 10);
	/* The largest version here holds 412 bytes, and no more. */
	assert_int_equal(mp_qr_encode(buf, 412, -1, q), MP_OK);
	assert_int_equal(q->version, MP_QR_MAXVER);
	assert_int_equal(q->size, 77);
	assert_int_equal(mp_qr_encode(buf, 413, -1, q), MP_ELIMIT);
}

static void
test_qr_svg(void **state)
{
	struct mp_qr	*q = mp_alloc(a, sizeof(*q));
	char		*svg;
	int		 x, y, dark = 0, runs = 0;
	const char	*p;

	(void)state;
	assert_int_equal(mp_qr_encode("otpauth://totp/x", 16, 0, q), MP_OK);
	svg = mp_qr_svg(a, q, 240);
	assert_true(strncmp(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 33 33\" width=\"240\" height=\"240\"", 66) == 0);
	assert_non_null(strstr(svg, "</svg>"));
	/* Each run of dark modules is one "M...z"; the first is the finder's top. */
	assert_non_null(strstr(svg, "d=\"M4 4h7v1h-7z"));
	for (y = 0; y < q->size; y++)
		for (x = 0; x < q->size; x++) {
			dark += q->dark[y][x];
			if (q->dark[y][x] && (x == 0 || !q->dark[y][x - 1]))
				runs++;
		}
	assert_true(dark > 0);
	for (p = svg, x = 0; (p = strchr(p, 'z')) != NULL; p++)
		x++;
	assert_int_equal(x, runs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc6238_vectors),
		cmocka_unit_test(test_rfc4226_vectors),
		cmocka_unit_test(test_match_window),
		cmocka_unit_test(test_base32),
		cmocka_unit_test(test_backup_codes),
		cmocka_unit_test(test_seal),
		cmocka_unit_test(test_remember),
		cmocka_unit_test(test_qr_structure),
		cmocka_unit_test(test_qr_versions),
		cmocka_unit_test(test_qr_svg),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
