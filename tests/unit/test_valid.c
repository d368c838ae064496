/* Unit tests for the validators: every type at and just past its bounds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/extern.h"

static enum mp_err
v(enum mp_vtype t, const char *s, int64_t min, int64_t max,
    struct mp_value *out)
{
	struct mp_value	 tmp;
	const char	*why = NULL;
	enum mp_err	 rc;

	rc = mp_validate(t, s, strlen(s), min, max, out ? out : &tmp, &why);
	if (rc == MP_OK)
		assert_null(why);
	else {
		assert_non_null(why);
		assert_true(strlen(why) > 0);
	}
	return rc;
}

#define OK(t, s, lo, hi)	do { if (v(t, s, lo, hi, NULL) != MP_OK) \
	fail_msg("rejected %s", s); } while (0)
#define BAD(t, s, lo, hi)	do { if (v(t, s, lo, hi, NULL) != MP_EINPUT) \
	fail_msg("accepted %s", s); } while (0)

static void
test_text(void **state)
{
	struct mp_value	 val;
	const char	*why;

	OK(MP_V_TEXT, "abc", 3, 3);
	BAD(MP_V_TEXT, "ab", 3, 5);
	BAD(MP_V_TEXT, "abcdef", 3, 5);
	/* Three characters in six bytes. */
	OK(MP_V_TEXT, "\xc3\xa9\xc3\xa9\xc3\xa9", 0, 3);
	BAD(MP_V_TEXT, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 0, 3);
	OK(MP_V_TEXT, "\xf0\x9f\x98\x80", 1, 1);
	OK(MP_V_TEXT, "", 0, 10);
	BAD(MP_V_TEXT, "", 1, 10);
	OK(MP_V_TEXT, "anything long at all", 0, 0);	/* max 0: none */
	BAD(MP_V_TEXT, "\xff", 0, 0);
	assert_int_equal(mp_validate(MP_V_TEXT, "a\0b", 3, 0, 0, &val, &why),
	    MP_EINPUT);
	assert_int_equal(val.present, 0);
	assert_int_equal(v(MP_V_TEXT, "hi", 0, 10, &val), MP_OK);
	assert_int_equal(val.present, 1);
	assert_int_equal(val.type, MP_V_TEXT);
	assert_int_equal(val.len, 2);
	assert_string_equal(val.s, "hi");
}

static void
test_int(void **state)
{
	struct mp_value	 val;

	assert_int_equal(v(MP_V_INT, "42", 1, 100, &val), MP_OK);
	assert_int_equal(val.i, 42);
	assert_int_equal(v(MP_V_INT, "-7", -10, 10, &val), MP_OK);
	assert_int_equal(val.i, -7);
	OK(MP_V_INT, "1", 1, 100);
	OK(MP_V_INT, "100", 1, 100);
	OK(MP_V_INT, "0100", 1, 100);
	BAD(MP_V_INT, "0", 1, 100);
	BAD(MP_V_INT, "101", 1, 100);
	BAD(MP_V_INT, "", 0, 10);
	BAD(MP_V_INT, "-", 0, 10);
	BAD(MP_V_INT, "+1", 0, 10);
	BAD(MP_V_INT, " 1", 0, 10);
	BAD(MP_V_INT, "1 ", 0, 10);
	BAD(MP_V_INT, "1.0", 0, 10);
	BAD(MP_V_INT, "0x1", 0, 10);
	assert_int_equal(v(MP_V_INT, "9223372036854775807", INT64_MIN,
	    INT64_MAX, &val), MP_OK);
	assert_int_equal(val.i, INT64_MAX);
	assert_int_equal(v(MP_V_INT, "-9223372036854775808", INT64_MIN,
	    INT64_MAX, &val), MP_OK);
	assert_true(val.i == INT64_MIN);
	BAD(MP_V_INT, "9223372036854775808", INT64_MIN, INT64_MAX);
	BAD(MP_V_INT, "-9223372036854775809", INT64_MIN, INT64_MAX);
	BAD(MP_V_INT, "99999999999999999999999", INT64_MIN, INT64_MAX);
	OK(MP_V_INT, "-5", 0, 0);	/* both 0: unbounded */
}

static void
test_bool(void **state)
{
	static const char *const yes[] = { "true", "TRUE", "1", "on", "On",
	    "yes", "YES" };
	static const char *const no[] = { "false", "False", "0", "off",
	    "OFF", "no", "No" };
	static const char *const bad[] = { "", "2", "y", "n", "truee",
	    "of", "ye", " yes" };
	struct mp_value	 val;
	size_t		 i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		assert_int_equal(v(MP_V_BOOL, yes[i], 0, 0, &val), MP_OK);
		assert_int_equal(val.i, 1);
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		assert_int_equal(v(MP_V_BOOL, no[i], 0, 0, &val), MP_OK);
		assert_int_equal(val.i, 0);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		BAD(MP_V_BOOL, bad[i], 0, 0);
}

static void
test_email(void **state)
{
	static const char *const good[] = {
		"a@b.co", "first.last@example.com", "x+tag@sub.example.org",
		"o'brien@example.ie", "a!#$%&'*+/=?^_`{|}~-@x-y.example",
		"1@2.3", "a@b-c.d",
	};
	static const char *const bad[] = {
		"", "plain", "@example.com", "a@", "a@b", "a@@b.c", "a@b@c.d",
		".a@b.c", "a.@b.c", "a..b@c.d", "a b@c.d", "a@b..c",
		"a@.b.c", "a@b.c.", "a@-b.c", "a@b-.c", "a@b_c.d",
		"a\"b@c.d", "a@b.c\n", "\xc3\xa9@b.c", "a@\xc3\xa9.c",
		"(a)@b.c", "a@[1.2.3.4]",
	};
	char	 buf[400];
	size_t	 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		OK(MP_V_EMAIL, good[i], 0, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		BAD(MP_V_EMAIL, bad[i], 0, 0);
	/* Local part: 64 bytes pass, 65 fail. */
	memset(buf, 'l', 64);
	snprintf(buf + 64, sizeof(buf) - 64, "%s", "@example.com");
	OK(MP_V_EMAIL, buf, 0, 0);
	memset(buf, 'l', 65);
	snprintf(buf + 65, sizeof(buf) - 65, "%s", "@example.com");
	BAD(MP_V_EMAIL, buf, 0, 0);
	/* A label of 63 passes, 64 fails. */
	memcpy(buf, "a@", 2);
	memset(buf + 2, 'd', 63);
	snprintf(buf + 65, sizeof(buf) - 65, "%s", ".com");
	OK(MP_V_EMAIL, buf, 0, 0);
	memset(buf + 2, 'd', 64);
	snprintf(buf + 66, sizeof(buf) - 66, "%s", ".com");
	BAD(MP_V_EMAIL, buf, 0, 0);
	/* Total: 254 bytes pass, 255 fail. */
	memcpy(buf, "a@", 2);
	memset(buf + 2, 'd', 252);
	for (i = 50; i < 254; i += 50)
		buf[i] = '.';
	buf[254] = '\0';
	OK(MP_V_EMAIL, buf, 0, 0);
	buf[254] = 'd';
	buf[255] = '\0';
	BAD(MP_V_EMAIL, buf, 0, 0);
	BAD(MP_V_EMAIL, "abc@example.com", 0, 14);
	OK(MP_V_EMAIL, "abc@example.com", 0, 15);
}

static void
test_slug(void **state)
{

	OK(MP_V_SLUG, "acme", 0, 0);
	OK(MP_V_SLUG, "a-1-b", 0, 63);
	OK(MP_V_SLUG, "a", 0, 1);
	BAD(MP_V_SLUG, "ab", 0, 1);
	OK(MP_V_SLUG, "abc", 0, 3);
	BAD(MP_V_SLUG, "abcd", 0, 3);
	BAD(MP_V_SLUG, "ab", 3, 10);
	BAD(MP_V_SLUG, "", 0, 10);
	BAD(MP_V_SLUG, "-a", 0, 10);
	BAD(MP_V_SLUG, "a-", 0, 10);
	BAD(MP_V_SLUG, "a--b", 0, 10);
	BAD(MP_V_SLUG, "Acme", 0, 10);
	BAD(MP_V_SLUG, "a_b", 0, 10);
	BAD(MP_V_SLUG, "a.b", 0, 10);
	BAD(MP_V_SLUG, "-", 0, 10);
}

static void
test_uuid(void **state)
{

	OK(MP_V_UUID, "123e4567-e89b-12d3-a456-426614174000", 0, 0);
	OK(MP_V_UUID, "123E4567-E89B-12D3-A456-426614174000", 0, 0);
	BAD(MP_V_UUID, "123e4567-e89b-12d3-a456-42661417400", 0, 0);
	BAD(MP_V_UUID, "123e4567-e89b-12d3-a456-4266141740000", 0, 0);
	BAD(MP_V_UUID, "123e4567e89b12d3a456426614174000", 0, 0);
	BAD(MP_V_UUID, "123e4567-e89b-12d3-a456_426614174000", 0, 0);
	BAD(MP_V_UUID, "g23e4567-e89b-12d3-a456-426614174000", 0, 0);
	BAD(MP_V_UUID, "{23e4567-e89b-12d3-a456-42661417400}", 0, 0);
	BAD(MP_V_UUID, "", 0, 0);
}

static void
test_token(void **state)
{

	OK(MP_V_TOKEN, "abcDEF012-_", 0, 0);
	OK(MP_V_TOKEN, "abcd", 4, 4);
	BAD(MP_V_TOKEN, "abc", 4, 8);
	BAD(MP_V_TOKEN, "abcdefghi", 4, 8);
	OK(MP_V_TOKEN, "abcdefgh", 4, 8);
	BAD(MP_V_TOKEN, "", 0, 0);
	BAD(MP_V_TOKEN, "abc=", 0, 0);
	BAD(MP_V_TOKEN, "ab+c", 0, 0);
	BAD(MP_V_TOKEN, "ab/c", 0, 0);
	BAD(MP_V_TOKEN, "ab c", 0, 0);
}

static void
test_url(void **state)
{

	OK(MP_V_URL, "https://example.com", 0, 0);
	OK(MP_V_URL, "http://example.com/a?b=c#d", 0, 0);
	OK(MP_V_URL, "HTTPS://EXAMPLE.COM:8443/", 0, 0);
	OK(MP_V_URL, "https://ex.com/\xc3\xa9", 0, 0);
	BAD(MP_V_URL, "ftp://example.com", 0, 0);
	BAD(MP_V_URL, "javascript:alert(1)", 0, 0);
	BAD(MP_V_URL, "//example.com", 0, 0);
	BAD(MP_V_URL, "https://", 0, 0);
	BAD(MP_V_URL, "https:///path", 0, 0);
	BAD(MP_V_URL, "https://:80/", 0, 0);
	BAD(MP_V_URL, "https://exa mple.com", 0, 0);
	BAD(MP_V_URL, "https://example.com/\n", 0, 0);
	BAD(MP_V_URL, "https://example.com/\x7f", 0, 0);
	BAD(MP_V_URL, "https://example.com/\xff", 0, 0);
	BAD(MP_V_URL, "", 0, 0);
	OK(MP_V_URL, "http://a.b", 0, 10);
	BAD(MP_V_URL, "http://a.bc", 0, 10);
}

/* The error table: status, code and a user sentence for every error. */
static void
test_err_table(void **state)
{
	int	 e;

	assert_int_equal(mp_err_http(MP_OK), 200);
	assert_int_equal(mp_err_http(MP_EINPUT), 400);
	assert_string_equal(mp_err_code(MP_EINPUT), "invalid_request");
	assert_int_equal(mp_err_http(MP_ENOTFOUND), 404);
	assert_string_equal(mp_err_code(MP_ENOTFOUND), "not_found");
	assert_int_equal(mp_err_http(MP_EAUTH), 401);
	assert_string_equal(mp_err_code(MP_EAUTH), "unauthorized");
	assert_int_equal(mp_err_http(MP_EFORBID), 403);
	assert_string_equal(mp_err_code(MP_EFORBID), "forbidden");
	assert_int_equal(mp_err_http(MP_ECONFLICT), 409);
	assert_string_equal(mp_err_code(MP_ECONFLICT), "conflict");
	assert_int_equal(mp_err_http(MP_ELIMIT), 413);
	assert_string_equal(mp_err_code(MP_ELIMIT), "too_large");
	assert_int_equal(mp_err_http(MP_EDB), 503);
	assert_string_equal(mp_err_code(MP_EDB), "unavailable");
	assert_int_equal(mp_err_http(MP_EUPSTREAM), 502);
	assert_string_equal(mp_err_code(MP_EUPSTREAM), "upstream_error");
	assert_int_equal(mp_err_http(MP_ESYS), 500);
	assert_string_equal(mp_err_code(MP_ESYS), "internal_error");
	for (e = 0; e < MP_ERR__MAX; e++)
		assert_true(strlen(mp_err_message((enum mp_err)e)) > 10);
	assert_int_equal(mp_err_http((enum mp_err)999), 500);
}

/* MP_V_ENUM: exact words only, the index in v->i, the list in the message. */
static void
test_enum(void **state)
{
	static const char *const set[] = { "none", "minor", "major", NULL };
	struct mp_arena		*a = mp_arena_new(0);
	struct mp_value		 v;
	const char		*why = NULL;

	(void)state;
	assert_int_equal(mp_validate_enum(a, "major", 5, set, &v, &why), MP_OK);
	assert_int_equal(v.i, 2);
	assert_int_equal(v.present, 1);
	assert_int_equal(mp_validate_enum(a, "none", 4, set, &v, &why), MP_OK);
	assert_int_equal(v.i, 0);
	/* a prefix, a longer word, another case: all refused */
	assert_int_equal(mp_validate_enum(a, "majo", 4, set, &v, &why),
	    MP_EINPUT);
	assert_string_equal(why, "must be none, minor or major");
	assert_int_equal(mp_validate_enum(a, "majors", 6, set, &v, &why),
	    MP_EINPUT);
	assert_int_equal(mp_validate_enum(a, "Major", 5, set, &v, &why),
	    MP_EINPUT);
	assert_int_equal(mp_validate_enum(a, "major\0", 6, set, &v, &why),
	    MP_EINPUT);
	mp_arena_free(a);
}

/* Unix seconds of a valid TIME or DATE. */
static int64_t
secs(enum mp_vtype t, const char *s)
{
	struct mp_value	 val;

	if (v(t, s, 0, 0, &val) != MP_OK)
		fail_msg("rejected %s", s);
	return val.i;
}

static void
test_time(void **state)
{
	struct mp_arena	*a = mp_arena_new(0);

	(void)state;
	/* Every shape PostgreSQL and people write, to the second. */
	assert_int_equal(secs(MP_V_TIME, "1970-01-01T00:00Z"), 0);
	assert_int_equal(secs(MP_V_TIME, "2026-05-01T22:00Z"), 1777672800);
	assert_int_equal(secs(MP_V_TIME, "2026-05-01 22:00"), 1777672800);
	assert_int_equal(secs(MP_V_TIME, "2026-05-01T22:00:30.25Z"),
	    1777672830);
	assert_int_equal(secs(MP_V_TIME, "2026-05-02T00:00+02"), 1777672800);
	assert_int_equal(secs(MP_V_TIME, "2026-05-02T00:00+02:00"),
	    1777672800);
	assert_int_equal(secs(MP_V_TIME, "2026-05-01T20:30-0130"),
	    1777672800);
	/* Leap days: 2028 and 2000 have one, 2027 and 2100 do not. */
	assert_int_equal(secs(MP_V_TIME, "2028-02-29T00:00Z"), 1835395200);
	OK(MP_V_TIME, "2000-02-29T12:00Z", 0, 0);
	BAD(MP_V_TIME, "2027-02-29T12:00Z", 0, 0);
	BAD(MP_V_TIME, "2100-02-29T12:00Z", 0, 0);
	/* The impossible date of the report, and each part past its end. */
	BAD(MP_V_TIME, "2027-02-30T25:61Z", 0, 0);
	BAD(MP_V_TIME, "2027-02-30T10:00Z", 0, 0);
	OK(MP_V_TIME, "2027-04-30T23:59:59Z", 0, 0);
	BAD(MP_V_TIME, "2027-04-31T10:00Z", 0, 0);
	BAD(MP_V_TIME, "2027-13-01T10:00Z", 0, 0);
	BAD(MP_V_TIME, "2027-00-01T10:00Z", 0, 0);
	BAD(MP_V_TIME, "2027-01-00T10:00Z", 0, 0);
	BAD(MP_V_TIME, "2027-01-01T24:00Z", 0, 0);
	BAD(MP_V_TIME, "2027-01-01T10:60Z", 0, 0);
	BAD(MP_V_TIME, "2027-01-01T10:00:61Z", 0, 0);
	OK(MP_V_TIME, "2027-01-01T10:00+15:59", 0, 0);
	BAD(MP_V_TIME, "2027-01-01T10:00+16:00", 0, 0);
	BAD(MP_V_TIME, "2027-01-01T10:00+05:", 0, 0);
	BAD(MP_V_TIME, "2027-01-01T10:00+05:60", 0, 0);
	/* Shapes that are not a time. */
	BAD(MP_V_TIME, "", 0, 0);
	BAD(MP_V_TIME, "2027-01-01", 0, 0);
	BAD(MP_V_TIME, "2027-01-01T", 0, 0);
	BAD(MP_V_TIME, "2027-01-01T10", 0, 0);
	BAD(MP_V_TIME, "2027-01-01T10:0Z", 0, 0);
	BAD(MP_V_TIME, "2027-01-01T10:00:00.Z", 0, 0);
	BAD(MP_V_TIME, "2027-01-01T10:00ZZ", 0, 0);
	BAD(MP_V_TIME, "2027-1-01T10:00Z", 0, 0);
	BAD(MP_V_TIME, "0000-01-01T10:00Z", 0, 0);
	BAD(MP_V_TIME, "+2027-01-01T10:00Z", 0, 0);
	BAD(MP_V_TIME, "2027-01-01T10:00 UTC", 0, 0);
	/* Bounds in Unix seconds, inclusive. */
	OK(MP_V_TIME, "1970-01-01T00:01Z", 60, 120);
	BAD(MP_V_TIME, "1970-01-01T00:00:59Z", 60, 120);
	BAD(MP_V_TIME, "1970-01-01T00:02:01Z", 60, 120);
	/* Dates. */
	assert_int_equal(secs(MP_V_DATE, "2026-12-05"), 1796428800);
	BAD(MP_V_DATE, "2026-02-29", 0, 0);
	BAD(MP_V_DATE, "2026-12-05T00:00Z", 0, 0);
	BAD(MP_V_DATE, "2026-12-5", 0, 0);
	/* And back: the canonical UTC text. */
	assert_string_equal(mp_time_utc(a, 0), "1970-01-01T00:00:00Z");
	assert_string_equal(mp_time_utc(a, 1777672830),
	    "2026-05-01T22:00:30Z");
	assert_string_equal(mp_time_utc(a, 1835395200 + 86399),
	    "2028-02-29T23:59:59Z");
	assert_string_equal(mp_time_utc(a, -1), "1969-12-31T23:59:59Z");
	mp_arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_int),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_slug),
		cmocka_unit_test(test_uuid),
		cmocka_unit_test(test_token),
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_err_table),
		cmocka_unit_test(test_enum),
		cmocka_unit_test(test_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
