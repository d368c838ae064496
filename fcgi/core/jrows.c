/* Stored JSON tables ([[value, ...], ...]) read into arena strings without a tree. */
#include <stdint.h>
#include <string.h>

#include "core/extern.h"

/*
 * The database keeps small lists as JSON arrays of arrays of scalars: an
 * article's contents and related links, a search's synonym groups.  A
 * page only walks them once, so a json-c tree (a parse that sets up a
 * locale, a 32-slot array per row, a string object per value, then a
 * free of each) cost more than everything else the page did with them.
 */

struct rd {
	struct mp_arena	*a;
	const char	*p;
};

static void
ws(struct rd *r)
{
	while (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')
		r->p++;
}

static int
hex4(const char *s, unsigned *out)
{
	unsigned	 v = 0;
	int		 i, h;

	for (i = 0; i < 4; i++) {
		if ((h = mp_hexval((unsigned char)s[i])) < 0)
			return 0;
		v = v << 4 | (unsigned)h;
	}
	*out = v;
	return 1;
}

static char *
utf8(char *o, unsigned c)
{
	if (c < 0x80)
		*o++ = (char)c;
	else if (c < 0x800) {
		*o++ = (char)(0xc0 | c >> 6);
		*o++ = (char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		*o++ = (char)(0xe0 | c >> 12);
		*o++ = (char)(0x80 | (c >> 6 & 0x3f));
		*o++ = (char)(0x80 | (c & 0x3f));
	} else {
		*o++ = (char)(0xf0 | c >> 18);
		*o++ = (char)(0x80 | (c >> 12 & 0x3f));
		*o++ = (char)(0x80 | (c >> 6 & 0x3f));
		*o++ = (char)(0x80 | (c & 0x3f));
	}
	return o;
}

/*
 * A string at r->p (its opening quote), decoded into the arena.  The
 * decoded text is never longer than the escaped one, so one allocation
 * of that length serves.  NULL when malformed, or when it holds a NUL
 * (\u0000), which a C string would silently cut short.
 */
static const char *
string(struct rd *r)
{
	const char	*s = r->p + 1, *e;
	char		*out, *o;
	unsigned	 c, lo;

	for (e = s; *e != '"'; e++) {
		if (*e == '\0' || (unsigned char)*e < 0x20)
			return NULL;
		if (*e == '\\' && *++e == '\0')
			return NULL;
	}
	o = out = mp_alloc(r->a, (size_t)(e - s) + 1);
	while (s < e) {
		if (*s != '\\') {
			*o++ = *s++;
			continue;
		}
		switch (*++s) {
		case '"': case '\\': case '/':
			*o++ = *s++;
			continue;
		case 'b': *o++ = '\b'; s++; continue;
		case 'f': *o++ = '\f'; s++; continue;
		case 'n': *o++ = '\n'; s++; continue;
		case 'r': *o++ = '\r'; s++; continue;
		case 't': *o++ = '\t'; s++; continue;
		case 'u':
			break;
		default:
			return NULL;
		}
		if (e - s < 5 || !hex4(s + 1, &c) || c == 0)
			return NULL;
		s += 5;
		if (c >= 0xdc00 && c <= 0xdfff)
			return NULL;
		if (c >= 0xd800 && c <= 0xdbff) {
			if (e - s < 6 || s[0] != '\\' || s[1] != 'u' ||
			    !hex4(s + 2, &lo) || lo < 0xdc00 || lo > 0xdfff)
				return NULL;
			c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
			s += 6;
		}
		o = utf8(o, c);
	}
	*o = '\0';
	r->p = e + 1;
	return out;
}

/* A number, true or false as written (arena); NULL when malformed. */
static const char *
bare(struct rd *r, int *isnull)
{
	const char	*s = r->p;
	size_t		 n;

	*isnull = 0;
	if (strncmp(s, "null", 4) == 0) {
		r->p += 4;
		*isnull = 1;
		return NULL;
	}
	if (strncmp(s, "true", 4) == 0 || strncmp(s, "false", 5) == 0)
		n = s[0] == 't' ? 4 : 5;
	else {
		n = strspn(s, "-+0123456789.eE");
		if (n == 0 || (s[0] != '-' && (s[0] < '0' || s[0] > '9')))
			return NULL;
	}
	r->p += n;
	return mp_strndup(r->a, s, n);
}

/*
 * Read s, a JSON array of arrays of strings, numbers, booleans and nulls
 * (whitespace anywhere JSON allows it), into *out: one mp_jrow per inner
 * array, each value a string of the arena (a string decoded, a number or
 * boolean as written, NULL for null).  Returns the number of rows, or -1
 * when s is NULL or anything else (nesting deeper, an object, a
 * malformed value, text after the array), with *out NULL.
 */
long
mp_json_rows(struct mp_arena *a, const char *s, struct mp_jrow **out)
{
	struct rd	 r = { a, s };
	struct mp_jrow	*rows = NULL, *nrows;
	const char	**v, **nv, *x;
	size_t		 n = 0, cap = 0, m, vcap;
	int		 isnull;

	*out = NULL;
	if (s == NULL)
		return -1;
	ws(&r);
	if (*r.p++ != '[')
		return -1;
	ws(&r);
	if (*r.p == ']')
		goto end;
	for (;;) {
		if (*r.p++ != '[')
			return -1;
		v = NULL;
		m = vcap = 0;
		ws(&r);
		if (*r.p != ']') {
			for (;;) {
				ws(&r);
				if (*r.p == '"') {
					if ((x = string(&r)) == NULL)
						return -1;
				} else if ((x = bare(&r, &isnull)) == NULL &&
				    !isnull)
					return -1;
				if (m == vcap) {
					vcap = vcap ? vcap * 2 : 4;
					nv = mp_alloc(a, vcap * sizeof(*nv));
					if (m > 0)
						memcpy(nv, v, m * sizeof(*nv));
					v = nv;
				}
				v[m++] = x;
				ws(&r);
				if (*r.p == ']')
					break;
				if (*r.p++ != ',')
					return -1;
			}
		}
		r.p++;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			nrows = mp_alloc(a, cap * sizeof(*nrows));
			if (n > 0)
				memcpy(nrows, rows, n * sizeof(*nrows));
			rows = nrows;
		}
		rows[n].v = v;
		rows[n].n = m;
		n++;
		ws(&r);
		if (*r.p == ']')
			break;
		if (*r.p++ != ',')
			return -1;
		ws(&r);
	}
end:
	r.p++;
	ws(&r);
	if (*r.p != '\0')
		return -1;
	*out = rows;
	return (long)n;
}
