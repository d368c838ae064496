/* Decoding of query strings, urlencoded forms, Cookie headers; UTF-8. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/extern.h"

/*
 * 1 if s[0..n) is well-formed UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF) and contains no NUL byte.
 */
int
mp_utf8_valid(const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, need, k;
	unsigned char		 c, lo, hi;

	while (i < n) {
		c = p[i];
		if (c == 0)
			return 0;
		if (c < 0x80) {
			i++;
			continue;
		}
		lo = 0x80;
		hi = 0xbf;
		if (c >= 0xc2 && c <= 0xdf)
			need = 1;
		else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			if (c == 0xe0)
				lo = 0xa0;	/* overlong */
			else if (c == 0xed)
				hi = 0x9f;	/* surrogates */
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			if (c == 0xf0)
				lo = 0x90;	/* overlong */
			else if (c == 0xf4)
				hi = 0x8f;	/* above U+10FFFF */
		} else
			return 0;
		if (n - i - 1 < need)
			return 0;
		if (p[i + 1] < lo || p[i + 1] > hi)
			return 0;
		for (k = 2; k <= need; k++)
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
		i += need + 1;
	}
	return 1;
}

/* The value of hex digit c, or -1 when c is not one. */
int
mp_hexval(int c)
{

	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decode %XX escapes (and '+' as space if asked) of s[0..*len) in place
 * and store the new length; a NUL is written after it.  s must have room
 * for that NUL at s[*len].  Returns -1, leaving s partly decoded, on a '%'
 * not followed by two hex digits.  %00 decodes to a NUL byte: callers
 * that must not see one check with mp_utf8_valid().
 */
int
mp_pct_decode(char *s, size_t *len, int plus_is_space)
{
	size_t	 i, o, n = *len;
	int	 h, l;

	for (i = o = 0; i < n; i++, o++) {
		if (s[i] == '%') {
			if (n - i < 3 ||
			    (h = mp_hexval((unsigned char)s[i + 1])) == -1 ||
			    (l = mp_hexval((unsigned char)s[i + 2])) == -1)
				return -1;
			s[o] = (char)(h << 4 | l);
			i += 2;
		} else if (s[i] == '+' && plus_is_space)
			s[o] = ' ';
		else
			s[o] = s[i];
	}
	s[o] = '\0';
	*len = o;
	return 0;
}

/*
 * Copy src[0..n) into the arena and decode it.  Returns MP_EINPUT for a
 * bad escape, a NUL or invalid UTF-8, MP_ELIMIT when the decoded text is
 * longer than maxlen (0: no limit).
 */
static enum mp_err
decode_part(struct mp_arena *a, const char *src, size_t n, size_t maxlen,
    char **out, size_t *outlen)
{
	char	*s;

	s = mp_strndup(a, src, n);
	if (mp_pct_decode(s, &n, 1) == -1)
		return MP_EINPUT;
	if (maxlen != 0 && n > maxlen)
		return MP_ELIMIT;
	if (!mp_utf8_valid(s, n))
		return MP_EINPUT;
	*out = s;
	*outlen = n;
	return MP_OK;
}

/*
 * Decode application/x-www-form-urlencoded src[0..len): pairs separated
 * by '&', empty pairs skipped, a key without '=' gets an empty value.
 * On MP_OK *out is an arena array of *n pairs (NULL when there are none),
 * each key and val NUL-terminated, vlen the value's length.  Limits of 0
 * (or lim NULL) mean no limit.  MP_ELIMIT: body longer than max_body,
 * more than max_fields pairs, or a decoded key or value longer than
 * max_field_len.  MP_EINPUT: bad escape, NUL or invalid UTF-8.
 */
enum mp_err
mp_parse_urlencoded(struct mp_arena *a, const char *src, size_t len,
    const struct mp_limits *lim, struct mp_kv **out, int *n)
{
	const char	*p, *end, *amp, *eq;
	struct mp_kv	*kv = NULL;
	size_t		 count = 0, maxlen = 0, klen;
	int		 i = 0;
	enum mp_err	 rc = MP_OK;

	*out = NULL;
	*n = 0;
	if (src == NULL || len == 0)
		goto out;
	if (lim != NULL && lim->max_body != 0 && len > lim->max_body) {
		rc = MP_ELIMIT;
		goto out;
	}
	if (lim != NULL)
		maxlen = lim->max_field_len;

	/* Count first so that the limit is checked before any decoding. */
	end = src + len;
	for (p = src; p < end; p = amp + 1) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if (amp > p)
			count++;
		if (amp == end)
			break;
	}
	if (lim != NULL && lim->max_fields > 0 &&
	    count > (size_t)lim->max_fields) {
		rc = MP_ELIMIT;
		goto out;
	}
	if (count == 0 || count > INT32_MAX)
		goto out;
	kv = mp_calloc(a, count, sizeof(*kv));

	for (p = src; p < end; p = amp + 1) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if (amp == p)
			continue;
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL)
			eq = amp;
		if ((rc = decode_part(a, p, (size_t)(eq - p), maxlen,
		    &kv[i].key, &klen)) != MP_OK)
			goto out;
		if (eq == amp)
			kv[i].val = mp_strndup(a, "", 0);
		else if ((rc = decode_part(a, eq + 1, (size_t)(amp - eq - 1),
		    maxlen, &kv[i].val, &kv[i].vlen)) != MP_OK)
			goto out;
		i++;
		if (amp == end)
			break;
	}
	*out = kv;
	*n = i;
out:
	return rc;
}

/* RFC 6265 cookie-name characters (an HTTP token). */
static int
cookie_namechar(int c)
{

	if (c <= 0x20 || c >= 0x7f)
		return 0;
	return strchr("()<>@,;:\\\"/[]?={}", c) == NULL;
}

/*
 * Split a Cookie header "a=b; c=d" into arena pairs.  Values are taken
 * literally (no '+' or percent decoding) with surrounding double quotes
 * removed.  Pairs with no '=', an invalid name, or a value holding control
 * bytes or invalid UTF-8 are skipped, as browsers send what other sites
 * set.  MP_ELIMIT past max_fields pairs or a value longer than
 * max_field_len; *out is NULL when there are no pairs.
 */
enum mp_err
mp_parse_cookies(struct mp_arena *a, const char *hdr,
    const struct mp_limits *lim, struct mp_kv **out, int *n)
{
	const char	*p, *semi, *ks, *ke, *vs, *ve, *q;
	struct mp_kv	*kv = NULL;
	size_t		 count = 0, maxlen = 0;
	int		 i = 0, pass;
	enum mp_err	 rc = MP_OK;

	*out = NULL;
	*n = 0;
	if (hdr == NULL)
		goto out;
	if (lim != NULL)
		maxlen = lim->max_field_len;

	/* Pass 0 counts the valid pairs, pass 1 stores them. */
	for (pass = 0; pass < 2; pass++) {
		for (p = hdr; *p != '\0'; p = *semi ? semi + 1 : semi) {
			if ((semi = strchr(p, ';')) == NULL)
				semi = p + strlen(p);
			ks = p;
			while (ks < semi && (*ks == ' ' || *ks == '\t'))
				ks++;
			if ((ke = memchr(ks, '=', (size_t)(semi - ks))) ==
			    NULL)
				continue;
			vs = ke + 1;
			while (ke > ks && (ke[-1] == ' ' || ke[-1] == '\t'))
				ke--;
			if (ke == ks)
				continue;
			for (q = ks; q < ke && cookie_namechar(
			    (unsigned char)*q); q++)
				;
			if (q < ke)
				continue;
			ve = semi;
			while (vs < ve && (*vs == ' ' || *vs == '\t'))
				vs++;
			while (ve > vs && (ve[-1] == ' ' || ve[-1] == '\t'))
				ve--;
			if (ve - vs >= 2 && *vs == '"' && ve[-1] == '"') {
				vs++;
				ve--;
			}
			for (q = vs; q < ve && (unsigned char)*q >= 0x20 &&
			    *q != 0x7f; q++)
				;
			if (q < ve || !mp_utf8_valid(vs, (size_t)(ve - vs)))
				continue;
			if (pass == 0) {
				if (maxlen != 0 && (size_t)(ve - vs) > maxlen) {
					rc = MP_ELIMIT;
					goto out;
				}
				count++;
				continue;
			}
			kv[i].key = mp_strndup(a, ks, (size_t)(ke - ks));
			kv[i].val = mp_strndup(a, vs, (size_t)(ve - vs));
			kv[i].vlen = (size_t)(ve - vs);
			i++;
		}
		if (pass == 0) {
			if (lim != NULL && lim->max_fields > 0 &&
			    count > (size_t)lim->max_fields) {
				rc = MP_ELIMIT;
				goto out;
			}
			if (count == 0 || count > INT32_MAX)
				goto out;
			kv = mp_calloc(a, count, sizeof(*kv));
		}
	}
	*out = kv;
	*n = i;
out:
	return rc;
}
