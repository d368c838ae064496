/* Help center text helpers: slugs, prefix queries, snippet highlighting, query normalising. */
#include <string.h>

#include "features/kb/extern.h"

/*
 * ASCII for the Latin-1 letters U+00C0..U+00FF (UTF-8 C3 80..C3 BF), so
 * "Café à la carte" slugs to "cafe-a-la-carte".  NULL: no letter.
 */
static const char *const latin1[64] = {
	"a", "a", "a", "a", "a", "a", "ae", "c",	/* C0-C7 */
	"e", "e", "e", "e", "i", "i", "i", "i",		/* C8-CF */
	"d", "n", "o", "o", "o", "o", "o", NULL,	/* D0-D7 */
	"o", "u", "u", "u", "u", "y", "th", "ss",	/* D8-DF */
	"a", "a", "a", "a", "a", "a", "ae", "c",	/* E0-E7 */
	"e", "e", "e", "e", "i", "i", "i", "i",		/* E8-EF */
	"d", "n", "o", "o", "o", "o", "o", NULL,	/* F0-F7 */
	"o", "u", "u", "u", "u", "y", "th", "y",	/* F8-FF */
};

static int
is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/*
 * A URL slug of s: lower-case ASCII letters and digits, every other run
 * of characters one '-', no dash at either end, at most max bytes (cut at
 * a dash when there is one in the second half).  Never empty: "article"
 * when nothing is left.  Arena memory.
 */
char *
mp_kb_slugify(struct mp_arena *a, const char *s, size_t max)
{
	const unsigned char	*p = (const unsigned char *)s;
	const char		*t;
	char			*out;
	size_t			 n = 0, i;
	int			 dash = 0;

	if (max < 8)
		max = 8;
	out = mp_alloc(a, max + 1);
	while (*p != '\0' && n < max) {
		t = NULL;
		if (is_alnum(*p)) {
			if (dash && n > 0)
				out[n++] = '-';
			dash = 0;
			if (n < max)
				out[n++] = (char)(*p >= 'A' && *p <= 'Z' ?
				    *p + 32 : *p);
			p++;
			continue;
		}
		if (p[0] == 0xc3 && p[1] >= 0x80 && p[1] <= 0xbf) {
			t = latin1[p[1] - 0x80];
			p += 2;
		} else
			p++;
		if (t == NULL) {
			dash = 1;
			continue;
		}
		if (dash && n > 0)
			out[n++] = '-';
		dash = 0;
		for (; *t != '\0' && n < max; t++)
			out[n++] = *t;
	}
	while (n > 0 && out[n - 1] == '-')
		n--;
	if (*p != '\0') {
		/* Cut at the last dash when it leaves at least half. */
		for (i = n; i > max / 2; i--)
			if (out[i - 1] == '-') {
				n = i - 1;
				break;
			}
	}
	out[n] = '\0';
	if (n == 0)
		return mp_strdup(a, "article");
	return out;
}

/*
 * The to_tsquery text for an as-you-type query: its tokens of letters
 * and digits (bytes >= 0x80 count as letters), each quoted and marked as
 * a prefix, joined with &.  Returns NULL when the query has fewer than 3
 * letters and digits in all, so nothing is searched on one or two
 * keystrokes.  The result holds no character to_tsquery could read as
 * syntax.  Arena memory.
 */
char *
mp_kb_prefix_query(struct mp_arena *a, const char *q)
{
	const unsigned char	*p = (const unsigned char *)q;
	struct mp_buf		 b;
	size_t			 total = 0, len;
	int			 ntok = 0;
	char			*out;

	mp_buf_init(&b, 1024);
	while (*p != '\0' && ntok < 8) {
		while (*p != '\0' && !is_alnum(*p) && *p < 0x80)
			p++;
		if (*p == '\0')
			break;
		len = 0;
		while (p[len] != '\0' && (is_alnum(p[len]) || p[len] >= 0x80))
			len++;
		if (len > 40) {
			/* Never split a UTF-8 sequence at the cap. */
			len = 40;
			while (len > 0 && (p[len] & 0xc0) == 0x80)
				len--;
		}
		if (len > 0) {
			if (ntok > 0)
				mp_buf_puts(&b, " & ");
			mp_buf_putc(&b, '\'');
			mp_buf_add(&b, p, len);
			mp_buf_puts(&b, "':*");
			total += len;
			ntok++;
		}
		while (*p != '\0' && (is_alnum(*p) || *p >= 0x80))
			p++;
	}
	out = NULL;
	if (total >= 3 && !b.err)
		out = mp_strdup(a, mp_buf_cstr(&b));
	mp_buf_free(&b);
	return out;
}

/*
 * Append s to b as HTML: every character escaped, then the ts_headline
 * sentinels turned into <mark> and </mark>, balanced (a stray stop is
 * dropped, an open mark is closed at the end), MP_KB_LT shown as '<'.
 * Other control characters are dropped.  So the article's text can never become markup; only our
 * own tags are.
 */
void
mp_kb_mark_html(struct mp_buf *b, const char *s)
{
	const unsigned char	*p;
	int			 open = 0;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case MP_KB_MARK_START:
			if (!open)
				mp_buf_puts(b, "<mark>");
			open = 1;
			break;
		case MP_KB_MARK_STOP:
			if (open)
				mp_buf_puts(b, "</mark>");
			open = 0;
			break;
		case MP_KB_LT:
		case '<':
			mp_buf_puts(b, "&lt;");
			break;
		case '&':
			mp_buf_puts(b, "&amp;");
			break;
		case '>':
			mp_buf_puts(b, "&gt;");
			break;
		case '"':
			mp_buf_puts(b, "&quot;");
			break;
		case '\'':
			mp_buf_puts(b, "&#39;");
			break;
		default:
			if (*p < 0x20 && *p != '\n' && *p != '\t')
				break;
			mp_buf_putc(b, *p);
		}
	}
	if (open)
		mp_buf_puts(b, "</mark>");
}

/*
 * A search as it is logged and counted: surrounding space trimmed, inner
 * runs of space one blank, ASCII lower-cased, at most MP_KB_QUERY_MAX
 * bytes (never splitting a UTF-8 sequence).  "" for a blank query.
 * Arena memory.
 */
char *
mp_kb_norm_query(struct mp_arena *a, const char *q)
{
	const unsigned char	*p = (const unsigned char *)q;
	char			*out = mp_alloc(a, MP_KB_QUERY_MAX + 1);
	size_t			 n = 0;
	int			 space = 0;

	for (; *p != '\0'; p++) {
		if (*p <= ' ' || *p == 0x7f) {
			space = n > 0;
			continue;
		}
		if (n + (space ? 1 : 0) >= MP_KB_QUERY_MAX)
			break;
		if (space) {
			out[n++] = ' ';
			space = 0;
		}
		out[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	}
	if ((*p & 0xc0) == 0x80) {
		/* The cap fell inside a UTF-8 sequence: drop its start. */
		while (n > 0 && ((unsigned char)out[n - 1] & 0xc0) == 0x80)
			n--;
		if (n > 0)
			n--;
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
	return out;
}

/* 1 if t is a tag: 1 to 40 of [a-z0-9-], not starting or ending with '-'. */
int
mp_kb_tag_valid(const char *t)
{
	size_t	 i, n = strlen(t);

	if (n == 0 || n > 40 || t[0] == '-' || t[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!((t[i] >= 'a' && t[i] <= 'z') ||
		    (t[i] >= '0' && t[i] <= '9') || t[i] == '-'))
			return 0;
	return 1;
}

/* Blank out control characters (but newline and tab) in place. */
void
mp_kb_clean_text(char *s)
{
	unsigned char	*p;

	for (p = (unsigned char *)s; *p != '\0'; p++)
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
			*p = ' ';
}

/*
 * s percent-encoded for a query string value: letters, digits and
 * "-._~" stay, a space becomes '+', every other byte %XX.  Arena memory.
 */
char *
mp_kb_url_escape(struct mp_arena *a, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*p;
	char			*out, *o;

	out = o = mp_alloc(a, strlen(s) * 3 + 1);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (is_alnum(*p) || *p == '-' || *p == '.' || *p == '_' ||
		    *p == '~')
			*o++ = (char)*p;
		else if (*p == ' ')
			*o++ = '+';
		else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	return out;
}
