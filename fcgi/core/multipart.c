/* multipart/form-data (RFC 7578) decoded into the same pairs as forms. */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "core/extern.h"

#define MP_BOUNDARY_MAX	70
#define MP_PARTHDR_MAX	8192	/* bytes of one part's header block */

/* Skip spaces and tabs. */
static const char *
skip_ws(const char *p, const char *end)
{

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/*
 * Find parameter name in a header value of the form "type; a=b; c="d"".
 * Quoted values end at the next '"': browsers percent-encode quotes in
 * names and do not backslash-escape (HTML's form encoding algorithm).
 * Returns 1 and sets *vs and *vlen, 0 if absent, -1 if malformed.
 */
static int
find_param(const char *s, const char *end, const char *name,
    const char **vs, size_t *vlen)
{
	const char	*p, *ns, *ne, *v, *ve;
	size_t		 nlen = strlen(name);
	int		 found = 0;

	if ((p = memchr(s, ';', (size_t)(end - s))) == NULL)
		return 0;
	while (p < end) {
		p = skip_ws(p + 1, end);	/* past ';' */
		ns = p;
		while (p < end && *p != '=' && *p != ';')
			p++;
		ne = p;
		while (ne > ns && (ne[-1] == ' ' || ne[-1] == '\t'))
			ne--;
		if (p == end || *p == ';') {
			if (ne == ns && p < end)
				continue;	/* stray ';' */
			if (ne == ns)
				break;
			return -1;
		}
		p = skip_ws(p + 1, end);	/* past '=' */
		if (p < end && *p == '"') {
			v = ++p;
			if ((ve = memchr(p, '"', (size_t)(end - p))) == NULL)
				return -1;
			p = skip_ws(ve + 1, end);
			if (p < end && *p != ';')
				return -1;
		} else {
			v = p;
			while (p < end && *p != ';')
				p++;
			ve = p;
			while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
				ve--;
		}
		if (!found && (size_t)(ne - ns) == nlen &&
		    strncasecmp(ns, name, nlen) == 0) {
			*vs = v;
			*vlen = (size_t)(ve - v);
			found = 1;
		}
		if (p >= end)
			break;
	}
	return found;
}

/* RFC 2046 bchars; a space may not be last. */
static int
boundary_ok(const char *b, size_t len)
{
	size_t	 i;

	if (len == 0 || len > MP_BOUNDARY_MAX || b[len - 1] == ' ')
		return 0;
	for (i = 0; i < len; i++) {
		if ((b[i] >= '0' && b[i] <= '9') ||
		    (b[i] >= 'a' && b[i] <= 'z') ||
		    (b[i] >= 'A' && b[i] <= 'Z'))
			continue;
		if (b[i] == '\0' || strchr("'()+_,-./:=? ", b[i]) == NULL)
			return 0;
	}
	return 1;
}

/*
 * Parse one part's header block hs[0..he) into name, filename and
 * content type.  The block is a sequence of CRLF-terminated lines.
 */
static enum mp_err
part_headers(struct mp_arena *a, const char *hs, const char *he,
    struct mp_kv *kv)
{
	const char	*line, *eol, *colon, *v, *ve, *pv;
	size_t		 plen;
	int		 r, havecd = 0;

	if (memchr(hs, '\0', (size_t)(he - hs)) != NULL)
		return MP_EINPUT;
	for (line = hs; line < he; line = eol + 2) {
		if ((eol = memmem(line, (size_t)(he - line), "\r\n", 2)) ==
		    NULL)
			return MP_EINPUT;
		if ((colon = memchr(line, ':', (size_t)(eol - line))) == NULL)
			return MP_EINPUT;
		v = skip_ws(colon + 1, eol);
		ve = eol;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		if ((size_t)(colon - line) == 19 &&
		    strncasecmp(line, "Content-Disposition", 19) == 0) {
			if (havecd++ || (size_t)(ve - v) < 9 ||
			    strncasecmp(v, "form-data", 9) != 0 ||
			    (v + 9 < ve && v[9] != ';' && v[9] != ' ' &&
			    v[9] != '\t'))
				return MP_EINPUT;
			if ((r = find_param(v, ve, "name", &pv, &plen)) != 1)
				return MP_EINPUT;
			if (!mp_utf8_valid(pv, plen))
				return MP_EINPUT;
			kv->key = mp_strndup(a, pv, plen);
			if ((r = find_param(v, ve, "filename", &pv, &plen)) ==
			    -1)
				return MP_EINPUT;
			if (r == 1) {
				if (!mp_utf8_valid(pv, plen))
					return MP_EINPUT;
				kv->filename = mp_strndup(a, pv, plen);
			}
		} else if ((size_t)(colon - line) == 12 &&
		    strncasecmp(line, "Content-Type", 12) == 0) {
			if (!mp_utf8_valid(v, (size_t)(ve - v)))
				return MP_EINPUT;
			kv->ctype = mp_strndup(a, v, (size_t)(ve - v));
		}
	}
	return havecd ? MP_OK : MP_EINPUT;
}

/*
 * Decode a multipart/form-data body src[0..len) whose request Content-Type
 * is ctype.  Each part becomes a pair: key from the Content-Disposition
 * name, filename and ctype when the part has them (else NULL), val the
 * raw bytes (binary-safe, length vlen, NUL added).  Parts without a
 * filename are text fields and must be UTF-8 without NUL.  MP_ELIMIT past
 * max_body, max_fields parts or a text value longer than max_field_len
 * (a file part is bounded by max_body and by what its handler accepts);
 * MP_EINPUT for a bad content type or boundary, a
 * missing closing delimiter or a malformed part.
 */
enum mp_err
mp_parse_multipart(struct mp_arena *a, const char *ctype, const char *src,
    size_t len, const struct mp_limits *lim, struct mp_kv **out, int *n)
{
	const char	*end, *p, *bs, *hs, *he, *next;
	char		*delim = NULL;
	struct mp_kv	*kv = NULL, *nkv, part;
	size_t		 blen, dlen, count = 0, vlen, maxlen = 0, cap = 0;
	int		 r;
	enum mp_err	 rc = MP_EINPUT;

	*out = NULL;
	*n = 0;
	if (ctype == NULL || src == NULL)
		goto out;
	if (lim != NULL && lim->max_body != 0 && len > lim->max_body) {
		rc = MP_ELIMIT;
		goto out;
	}
	if (lim != NULL)
		maxlen = lim->max_field_len;
	p = skip_ws(ctype, ctype + strlen(ctype));
	if (strncasecmp(p, "multipart/form-data", 19) != 0 ||
	    (p[19] != '\0' && p[19] != ';' && p[19] != ' ' && p[19] != '\t'))
		goto out;
	if ((r = find_param(p, p + strlen(p), "boundary", &bs, &blen)) != 1 ||
	    !boundary_ok(bs, blen))
		goto out;

	/* delim is "\r\n--boundary"; the body starts with it minus CRLF. */
	dlen = blen + 4;
	delim = mp_alloc(a, dlen + 1);
	memcpy(delim, "\r\n--", 4);
	memcpy(delim + 4, bs, blen);
	delim[dlen] = '\0';
	end = src + len;
	if (len >= dlen - 2 && memcmp(src, delim + 2, dlen - 2) == 0)
		p = src + dlen - 2;
	else if ((p = memmem(src, len, delim, dlen)) != NULL)
		p += dlen;	/* a preamble is ignored */
	else
		goto out;

	for (;;) {
		/* p is just past a delimiter. */
		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			break;		/* close delimiter; epilogue ignored */
		p = skip_ws(p, end);	/* transport padding */
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
			goto out;
		hs = p + 2;
		if (end - hs >= 2 && hs[0] == '\r' && hs[1] == '\n')
			he = hs;	/* no headers at all */
		else {
			if ((he = memmem(hs, (size_t)(end - hs), "\r\n\r\n",
			    4)) == NULL)
				goto out;
			he += 2;	/* keep the last line's CRLF */
		}
		if (he - hs > MP_PARTHDR_MAX) {
			rc = MP_ELIMIT;
			goto out;
		}
		memset(&part, 0, sizeof(part));
		if ((rc = part_headers(a, hs, he, &part)) != MP_OK)
			goto out;
		rc = MP_EINPUT;
		p = he + 2;
		if ((next = memmem(p, (size_t)(end - p), delim, dlen)) ==
		    NULL)
			goto out;
		vlen = (size_t)(next - p);
		if (lim != NULL && lim->max_fields > 0 &&
		    count >= (size_t)lim->max_fields) {
			rc = MP_ELIMIT;
			goto out;
		}
		/* Files are bounded by max_body (checked above) and their handler. */
		if (maxlen != 0 && vlen > maxlen && part.filename == NULL) {
			rc = MP_ELIMIT;
			goto out;
		}
		if (part.filename == NULL && !mp_utf8_valid(p, vlen))
			goto out;
		part.val = mp_strndup(a, p, vlen);
		part.vlen = vlen;
		if (count == cap) {
			if (cap >= INT32_MAX / 2)
				goto out;
			cap = cap ? cap * 2 : 8;
			nkv = mp_calloc(a, cap, sizeof(*nkv));
			if (count > 0)
				memcpy(nkv, kv, count * sizeof(*kv));
			kv = nkv;
		}
		kv[count++] = part;
		p = next + dlen;
	}
	*out = kv;
	*n = (int)count;
	rc = MP_OK;
out:
	return rc;
}
