/* JSON written straight into a buffer, for answers too hot for a json-c tree. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/extern.h"

/*
 * Why not json-c here: building a tree costs an allocation per member and
 * per string, a hash table per object, a second pass to print it and a
 * third to free it.  For summary.json (about 10 KB) that was about a third
 * of the responder's time.  The writer appends each member as it comes, in
 * json-c's plain layout and escaping (JSON_C_TO_STRING_PLAIN |
 * JSON_C_TO_STRING_NOSLASHESCAPE, as mp_resp_json prints), so a string
 * reads the same either way.  Nothing checks that keys are unique.
 */

void
mp_jw_init(struct mp_jw *jw, struct mp_buf *b)
{

	jw->b = b;
	jw->depth = 0;
	jw->more = 0;
	jw->arr = 0;
	jw->script = 0;
}

/*
 * Append the n bytes at s as the inside of a JSON string: '"' and '\\'
 * escaped, control characters as \b \f \n \r \t or \u00xx, everything else
 * (UTF-8 included) as it is.  With script set, '<', '>' and '&' too, as
 * \u003c, \u003e and \u0026: the text can then sit inside an HTML
 * <script> element, where "</script" must never appear.
 */
static void
esc(struct mp_buf *b, const char *s, size_t n, int script)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*p = (const unsigned char *)s, *e = p + n;
	const unsigned char	*run;
	char			 u[6];
	const char		*rep;
	size_t			 rn;

	for (run = p; p < e; p++) {
		if (*p >= 0x20 && *p != '"' && *p != '\\' && (!script ||
		    (*p != '<' && *p != '>' && *p != '&')))
			continue;
		rn = 2;
		switch (*p) {
		case '"':
			rep = "\\\"";
			break;
		case '\\':
			rep = "\\\\";
			break;
		case '\b':
			rep = "\\b";
			break;
		case '\f':
			rep = "\\f";
			break;
		case '\n':
			rep = "\\n";
			break;
		case '\r':
			rep = "\\r";
			break;
		case '\t':
			rep = "\\t";
			break;
		default:
			memcpy(u, "\\u00", 4);
			u[4] = hex[*p >> 4];
			u[5] = hex[*p & 0xf];
			rep = u;
			rn = 6;
			break;
		}
		mp_buf_add(b, run, (size_t)(p - run));
		mp_buf_add(b, rep, rn);
		run = p + 1;
	}
	mp_buf_add(b, run, (size_t)(p - run));
}

/*
 * Start a member: the comma after an earlier one at this level, then
 * "key": inside an object.  Keys are ignored inside arrays and at the top.
 */
static void
member(struct mp_jw *jw, const char *key)
{
	uint64_t	 bit = (uint64_t)1 << jw->depth;

	if (jw->more & bit)
		mp_buf_putc(jw->b, ',');
	jw->more |= bit;
	if (key != NULL && jw->depth > 0 && !(jw->arr & bit)) {
		mp_buf_putc(jw->b, '"');
		esc(jw->b, key, strlen(key), jw->script);
		mp_buf_add(jw->b, "\":", 2);
	}
}

/* Open an object ('{') or an array ('['); past MP_JW_DEPTH sets b->err. */
static void
jw_open(struct mp_jw *jw, const char *key, int c)
{
	uint64_t	 bit;

	member(jw, key);
	if (jw->depth + 1 >= MP_JW_DEPTH) {
		jw->b->err = 1;
		return;
	}
	jw->depth++;
	bit = (uint64_t)1 << jw->depth;
	jw->more &= ~bit;
	if (c == '[')
		jw->arr |= bit;
	else
		jw->arr &= ~bit;
	mp_buf_putc(jw->b, c);
}

void
mp_jw_obj(struct mp_jw *jw, const char *key)
{

	jw_open(jw, key, '{');
}

void
mp_jw_arr(struct mp_jw *jw, const char *key)
{

	jw_open(jw, key, '[');
}

/* Close what the last mp_jw_obj or mp_jw_arr opened. */
void
mp_jw_end(struct mp_jw *jw)
{

	if (jw->depth == 0) {
		jw->b->err = 1;
		return;
	}
	mp_buf_putc(jw->b, jw->arr & ((uint64_t)1 << jw->depth) ? ']' : '}');
	jw->depth--;
}

/* A string member; NULL writes null. */
void
mp_jw_str(struct mp_jw *jw, const char *key, const char *s)
{

	if (s == NULL) {
		mp_jw_null(jw, key);
		return;
	}
	member(jw, key);
	mp_buf_putc(jw->b, '"');
	esc(jw->b, s, strlen(s), jw->script);
	mp_buf_putc(jw->b, '"');
}

void
mp_jw_int(struct mp_jw *jw, const char *key, long long v)
{
	char	 s[24];
	int	 n;

	member(jw, key);
	n = snprintf(s, sizeof(s), "%lld", v);
	mp_buf_add(jw->b, s, (size_t)n);
}

/*
 * A number as json-c prints a double: %.17g, and ".0" after a whole
 * number.  NaN and the infinities, which JSON has not, are null.
 */
void
mp_jw_double(struct mp_jw *jw, const char *key, double v)
{
	char	 s[40];
	int	 n;

	if (!isfinite(v)) {
		mp_jw_null(jw, key);
		return;
	}
	member(jw, key);
	n = snprintf(s, sizeof(s), "%.17g", v);
	if (strpbrk(s, ".e") == NULL) {
		memcpy(s + n, ".0", 3);
		n += 2;
	}
	mp_buf_add(jw->b, s, (size_t)n);
}

void
mp_jw_bool(struct mp_jw *jw, const char *key, int v)
{

	member(jw, key);
	if (v)
		mp_buf_add(jw->b, "true", 4);
	else
		mp_buf_add(jw->b, "false", 5);
}

void
mp_jw_null(struct mp_jw *jw, const char *key)
{

	member(jw, key);
	mp_buf_add(jw->b, "null", 4);
}

/*
 * A member whose value is JSON text already (PostgreSQL's output of a
 * json or jsonb column), copied as it is.  The caller answers for it
 * being one valid JSON value.
 */
void
mp_jw_raw(struct mp_jw *jw, const char *key, const char *json, size_t n)
{

	member(jw, key);
	mp_buf_add(jw->b, json, n);
}
