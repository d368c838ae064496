/* Field validators: request strings to typed values, or the reason not. */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "core/extern.h"

/* Code points in valid UTF-8 s[0..n): count the non-continuation bytes. */
static size_t
utf8_chars(const char *s, size_t n)
{
	size_t	 i, c = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
	return c;
}

static int
in_range(int64_t v, int64_t min, int64_t max)
{

	return v >= min && v <= max;
}

static const char *
v_text(const char *s, size_t n, int64_t min, int64_t max)
{
	size_t	 c;

	if (!mp_utf8_valid(s, n))
		return "must be valid text";
	c = utf8_chars(s, n);
	if (min > 0 && c < (uint64_t)min)
		return n == 0 ? "is required" : "is too short";
	if (max > 0 && c > (uint64_t)max)
		return "is too long";
	return NULL;
}

/* Decimal int64: optional '-', digits only.  min == max == 0: any value. */
static const char *
v_int(const char *s, size_t n, int64_t min, int64_t max, int64_t *out)
{
	size_t		 i = 0;
	uint64_t	 v = 0, lim;
	int		 neg = 0, d;

	if (n > 0 && s[0] == '-') {
		neg = 1;
		i = 1;
	}
	if (i == n)
		return "must be a whole number";
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return "must be a whole number";
		d = s[i] - '0';
		if (v > (lim - (uint64_t)d) / 10)
			return "is out of range";
		v = v * 10 + (uint64_t)d;
	}
	if (neg)
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	else
		*out = (int64_t)v;
	if (!(min == 0 && max == 0) && !in_range(*out, min, max))
		return "is out of range";
	return NULL;
}

static const char *
v_bool(const char *s, size_t n, int64_t *out)
{
	static const char *const yes[] = { "true", "1", "on", "yes" };
	static const char *const no[] = { "false", "0", "off", "no" };
	size_t	 i;

	for (i = 0; i < 4; i++) {
		if (strlen(yes[i]) == n && strncasecmp(s, yes[i], n) == 0) {
			*out = 1;
			return NULL;
		}
		if (strlen(no[i]) == n && strncasecmp(s, no[i], n) == 0) {
			*out = 0;
			return NULL;
		}
	}
	return "must be yes or no";
}

static int
is_alnum(int c)
{

	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/*
 * Pragmatic addr-spec: local part of RFC 5322 atext and single inner dots,
 * 1..64 bytes; a domain of two or more LDH labels of 1..63 bytes.
 */
static const char *
v_email(const char *s, size_t n, int64_t max)
{
	static const char *bad = "must be a valid email address";
	const char	*at, *p, *end = s + n, *label;

	if (n > 254 || (max > 0 && n > (uint64_t)max))
		return "is too long";
	if ((at = memchr(s, '@', n)) == NULL ||
	    memchr(at + 1, '@', (size_t)(end - at - 1)) != NULL)
		return bad;
	if (at == s || at - s > 64 || s[0] == '.' || at[-1] == '.')
		return bad;
	for (p = s; p < at; p++) {
		if (*p == '.' && p[1] == '.')
			return bad;
		if (!is_alnum((unsigned char)*p) &&
		    (*p == '\0' || strchr(".!#$%&'*+/=?^_`{|}~-", *p) == NULL))
			return bad;
	}
	if (memchr(at + 1, '.', (size_t)(end - at - 1)) == NULL)
		return bad;
	for (label = p = at + 1; p <= end; p++) {
		if (p < end && *p != '.') {
			if (!is_alnum((unsigned char)*p) && *p != '-')
				return bad;
			continue;
		}
		if (p == label || p - label > 63 || *label == '-' ||
		    p[-1] == '-')
			return bad;
		label = p + 1;
	}
	return NULL;
}

static const char *
v_slug(const char *s, size_t n, int64_t min, int64_t max)
{
	static const char *bad =
	    "may only contain lower-case letters, digits and dashes";
	size_t	 i;

	if (n == 0 || (min > 0 && n < (uint64_t)min))
		return n == 0 ? "is required" : "is too short";
	if (max > 0 && n > (uint64_t)max)
		return "is too long";
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return bad;
	if (s[0] == '-' || s[n - 1] == '-' || memmem(s, n, "--", 2) != NULL)
		return "must not start or end with a dash or hold two in a row";
	return NULL;
}

static int
is_hex(int c)
{

	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

static const char *
v_uuid(const char *s, size_t n)
{
	size_t	 i;

	if (n != 36)
		return "must be a valid identifier";
	for (i = 0; i < n; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return "must be a valid identifier";
		} else if (!is_hex((unsigned char)s[i]))
			return "must be a valid identifier";
	}
	return NULL;
}

static const char *
v_token(const char *s, size_t n, int64_t min, int64_t max)
{
	size_t	 i;

	if (n == 0 || (min > 0 && n < (uint64_t)min) ||
	    (max > 0 && n > (uint64_t)max))
		return "is not a valid token";
	for (i = 0; i < n; i++)
		if (!is_alnum((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '_')
			return "is not a valid token";
	return NULL;
}

/* http(s)://host..., no whitespace or control bytes, valid UTF-8. */
static const char *
v_url(const char *s, size_t n, int64_t max)
{
	static const char *bad = "must be a web address starting with "
	    "http:// or https://";
	size_t	 i, hs;

	if (max > 0 && n > (uint64_t)max)
		return "is too long";
	if (n >= 7 && strncasecmp(s, "http://", 7) == 0)
		hs = 7;
	else if (n >= 8 && strncasecmp(s, "https://", 8) == 0)
		hs = 8;
	else
		return bad;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			return bad;
	if (!mp_utf8_valid(s, n))
		return bad;
	/* The host: authority up to path, query or fragment, without port. */
	for (i = hs; i < n && s[i] != '/' && s[i] != '?' && s[i] != '#' &&
	    s[i] != ':'; i++)
		;
	if (i == hs)
		return bad;
	return NULL;
}

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t	 era, yoe, doy;

	if (m <= 2)
		y--;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static int
days_in_month(int64_t y, int m)
{
	static const int	 mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31,
	    30, 31, 30, 31 };

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return mdays[m - 1];
}

/* n decimal digits at s (all of them digits), or -1. */
static int
digits(const char *s, size_t avail, size_t n)
{
	int	 v = 0;
	size_t	 i;

	if (avail < n)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/*
 * YYYY-MM-DD at s, a real day (2027-02-30 is not); *days since the
 * epoch.  Returns the bytes read, or 0.
 */
static size_t
parse_date(const char *s, size_t n, int64_t *days)
{
	int	 y, m, d;

	if ((y = digits(s, n, 4)) < 1 || n < 10 || s[4] != '-' ||
	    (m = digits(s + 5, n - 5, 2)) < 1 || m > 12 || s[7] != '-' ||
	    (d = digits(s + 8, n - 8, 2)) < 1 || d > days_in_month(y, m))
		return 0;
	*days = days_from_civil(y, m, d);
	return 10;
}

static const char *
v_date(const char *s, size_t n, int64_t min, int64_t max, int64_t *out)
{
	int64_t	 days;

	if (parse_date(s, n, &days) != n || n == 0)
		return "must be a real date like 2026-05-01";
	*out = days * 86400;
	if (!(min == 0 && max == 0) && !in_range(*out, min, max))
		return "is out of range";
	return NULL;
}

/*
 * YYYY-MM-DD, 'T' or a space, HH:MM, optional :SS and a fraction, then
 * Z, +HH, +HHMM or +HH:MM (or nothing: UTC).  Every part within its real
 * range: hour 0-23, minute and second 0-59 (a leap second's :60 too),
 * offset up to 15:59 as PostgreSQL allows.
 */
static const char *
v_time(const char *s, size_t n, int64_t min, int64_t max, int64_t *out)
{
	static const char *bad = "must be a real date and time like "
	    "2026-05-01T22:00Z";
	int64_t		 days, secs;
	size_t		 i;
	int		 hh, mm, ss = 0, oh = 0, om = 0, sign = 1;

	if ((i = parse_date(s, n, &days)) == 0 || i >= n ||
	    (s[i] != 'T' && s[i] != 't' && s[i] != ' '))
		return bad;
	i++;
	if ((hh = digits(s + i, n - i, 2)) < 0 || hh > 23 || i + 2 >= n ||
	    s[i + 2] != ':' || (mm = digits(s + i + 3, n - i - 3, 2)) < 0 ||
	    mm > 59)
		return bad;
	i += 5;
	if (i < n && s[i] == ':') {
		if ((ss = digits(s + i + 1, n - i - 1, 2)) < 0 || ss > 60)
			return bad;
		i += 3;
		if (i < n && s[i] == '.') {
			if (++i >= n || s[i] < '0' || s[i] > '9')
				return bad;
			while (i < n && s[i] >= '0' && s[i] <= '9')
				i++;
		}
	}
	if (i < n && (s[i] == 'Z' || s[i] == 'z'))
		i++;
	else if (i < n && (s[i] == '+' || s[i] == '-')) {
		sign = s[i] == '-' ? -1 : 1;
		if ((oh = digits(s + i + 1, n - i - 1, 2)) < 0 || oh > 15)
			return bad;
		i += 3;
		if (i < n && s[i] == ':' && ++i == n)
			return bad;
		if (i < n) {
			if ((om = digits(s + i, n - i, 2)) < 0 || om > 59)
				return bad;
			i += 2;
		}
	}
	if (i != n)
		return bad;
	secs = days * 86400 + hh * 3600 + mm * 60 + (ss == 60 ? 59 : ss);
	*out = secs - sign * (oh * 3600 + om * 60);
	if (!(min == 0 && max == 0) && !in_range(*out, min, max))
		return "is out of range";
	return NULL;
}

const char *
mp_time_utc(struct mp_arena *a, int64_t t)
{
	int64_t	 z, era, doe, yoe, y, doy, mp, d, m, secs;

	z = (t >= 0 ? t : t - 86399) / 86400;
	secs = t - z * 86400;
	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	if (m <= 2)
		y++;
	return mp_printf(a, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ",
	    (long long)y, (long long)m, (long long)d,
	    (long long)(secs / 3600), (long long)(secs / 60 % 60),
	    (long long)(secs % 60));
}

/*
 * Validate s[0..len) as type t.  min and max bound the length in
 * characters for TEXT, in bytes for SLUG, TOKEN, EMAIL and URL (max only;
 * 0 means none) and the value for INT, and in Unix seconds for TIME and
 * DATE (both 0: unbounded).  On MP_OK v is
 * filled (s points into the caller's string, i holds INT and BOOL
 * values) and present is 1; on MP_EINPUT present is 0 and *why is a
 * static sentence fragment such as "must be a valid email address".
 */
enum mp_err
mp_validate(enum mp_vtype t, const char *s, size_t len, int64_t min,
    int64_t max, struct mp_value *v, const char **why)
{
	const char	*w = NULL;
	int64_t		 i = 0;

	if (s == NULL) {
		s = "";
		len = 0;
	}
	switch (t) {
	case MP_V_TEXT:
		w = v_text(s, len, min, max);
		break;
	case MP_V_INT:
		w = v_int(s, len, min, max, &i);
		break;
	case MP_V_BOOL:
		w = v_bool(s, len, &i);
		break;
	case MP_V_EMAIL:
		w = v_email(s, len, max);
		break;
	case MP_V_SLUG:
		w = v_slug(s, len, min, max);
		break;
	case MP_V_UUID:
		w = v_uuid(s, len);
		break;
	case MP_V_TOKEN:
		w = v_token(s, len, min, max);
		break;
	case MP_V_URL:
		w = v_url(s, len, max);
		break;
	case MP_V_TIME:
		w = v_time(s, len, min, max, &i);
		break;
	case MP_V_DATE:
		w = v_date(s, len, min, max, &i);
		break;
	default:
		w = "cannot be checked";
		break;
	}
	if (v != NULL) {
		v->type = t;
		v->present = w == NULL;
		v->s = s;
		v->len = len;
		v->i = w == NULL ? i : 0;
	}
	if (why != NULL)
		*why = w;
	return w == NULL ? MP_OK : MP_EINPUT;
}

enum mp_err
mp_validate_enum(struct mp_arena *a, const char *s, size_t len,
    const char *const *set, struct mp_value *v, const char **why)
{
	struct mp_buf	 b;
	int64_t		 i;

	for (i = 0; set != NULL && set[i] != NULL; i++)
		if (strlen(set[i]) == len && memcmp(set[i], s, len) == 0) {
			v->type = MP_V_ENUM;
			v->present = 1;
			v->s = s;
			v->len = len;
			v->i = i;
			return MP_OK;
		}
	mp_buf_init(&b, 0);
	mp_buf_puts(&b, "must be ");
	for (i = 0; set != NULL && set[i] != NULL; i++)
		mp_buf_printf(&b, "%s%s", i == 0 ? "" : set[i + 1] == NULL ?
		    " or " : ", ", set[i]);
	*why = mp_strdup(a, mp_buf_cstr(&b));
	mp_buf_free(&b);
	return MP_EINPUT;
}
