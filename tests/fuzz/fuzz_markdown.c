/* Fuzz target: help-article markdown rendering and the safety of what it stores. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "features/kb/extern.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* What safe mode writes in place of raw HTML; the only comment allowed. */
#define OMITTED		"<!-- raw HTML omitted -->"

/*
 * The elements cmark-gfm writes for markdown with our extensions (table,
 * strikethrough, autolink, tasklist).  Any other tag in the output came
 * from the source.
 */
static const char *const tags[] = {
	"a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4",
	"h5", "h6", "hr", "img", "input", "li", "ol", "p", "pre", "strong",
	"table", "tbody", "td", "th", "thead", "tr", "ul"
};

/*
 * The attributes cmark-gfm and mp_kb_render write: link and image
 * targets, titles and alt text, heading ids, rel on external links, the
 * list start, cell alignment, the code block's language and the task
 * list checkbox.
 */
static const char *const attrs[] = {
	"align", "alt", "checked", "disabled", "href", "id", "lang", "rel",
	"src", "start", "title", "type"
};

/* Print why html is unsafe, from the offending byte on, and abort. */
static void
fail(const char *why, const char *html, const char *at)
{
	fprintf(stderr, "fuzz_markdown: %s at offset %zu: %.80s\n", why,
	    (size_t)(at - html), at);
	abort();
}

/* 1 if s[0..n) is one of the nt names of t, ignoring ASCII case. */
static int
listed(const char *s, size_t n, const char *const *t, size_t nt)
{
	size_t	 i;

	for (i = 0; i < nt; i++)
		if (strlen(t[i]) == n && strncasecmp(s, t[i], n) == 0)
			return 1;
	return 0;
}

/* The HTML whitespace that separates tag names and attributes. */
static int
html_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

/*
 * 1 if the attribute value v[0..n), a URL, has a javascript:, vbscript:
 * or data: scheme as a browser would read it: character references
 * decoded, leading spaces and control characters dropped, tabs and
 * newlines anywhere removed, ASCII case ignored.
 */
static int
bad_url(const char *v, size_t n)
{
	static const struct {
		const char	*name;
		char		 c;
	} named[] = {
		{ "amp;", '&' }, { "colon;", ':' }, { "tab;", '\t' },
		{ "newline;", '\n' }, { "lt;", '<' }, { "gt;", '>' },
		{ "quot;", '"' }, { "apos;", '\'' }
	};
	static const char	 digits[] = "0123456789abcdef";
	const char		*dp;
	char			 s[16];
	size_t			 i = 0, k, d, len, ns = 0;
	unsigned long		 cp;
	int			 hex;
	char			 c;

	while (i < n && ns < sizeof(s)) {
		c = v[i++];
		if (c == '&' && i < n && v[i] == '#') {
			k = i + 1;
			if ((hex = k < n && (v[k] == 'x' || v[k] == 'X')))
				k++;
			for (cp = 0, d = k; k < n && (dp = memchr(digits,
			    tolower((unsigned char)v[k]), hex ? 16 : 10)) !=
			    NULL; k++)
				if (cp < 0x110000)
					cp = cp * (hex ? 16 : 10) +
					    (unsigned long)(dp - digits);
			if (k > d) {
				i = k < n && v[k] == ';' ? k + 1 : k;
				/* Nothing past ASCII spells a scheme. */
				c = cp < 0x80 ? (char)cp : '?';
			}
		} else if (c == '&') {
			for (k = 0; k < sizeof(named) / sizeof(named[0]); k++) {
				len = strlen(named[k].name);
				if (n - i < len ||
				    strncasecmp(v + i, named[k].name, len) != 0)
					continue;
				c = named[k].c;
				i += len;
				break;
			}
		}
		if (c == '\t' || c == '\n' || c == '\r' ||
		    (ns == 0 && (unsigned char)c <= ' '))
			continue;
		s[ns++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	return (ns >= 11 && memcmp(s, "javascript:", 11) == 0) ||
	    (ns >= 9 && memcmp(s, "vbscript:", 9) == 0) ||
	    (ns >= 5 && memcmp(s, "data:", 5) == 0);
}

/*
 * Walk html as a browser tokenizes it and abort on anything cmark-gfm
 * in safe mode does not write: a '<' that does not open one of its tags
 * (escaped text is "&lt;", so a bare '<' is markup from the source), a
 * comment other than OMITTED, a tag outside tags[] (script, iframe,
 * style, svg...), an attribute outside attrs[] (any on* handler, style,
 * srcdoc...), or an href or src with a script or data URL.  Text between
 * tags is not examined: whatever it says, it is text.
 */
static void
check_html(const char *html)
{
	const char	*p = html, *q, *name, *v;
	size_t		 n, vn;
	char		 quote;
	int		 close;

	while ((p = strchr(p, '<')) != NULL) {
		if (strncmp(p, "<!--", 4) == 0) {
			if (strncmp(p, OMITTED, sizeof(OMITTED) - 1) != 0)
				fail("comment from the source", html, p);
			p += sizeof(OMITTED) - 1;
			continue;
		}
		q = p + 1;
		if ((close = *q == '/'))
			q++;
		if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z')))
			fail("unescaped '<'", html, p);
		for (name = q; *q != '\0' && *q != '/' && *q != '>' &&
		    !html_space(*q); q++)
			continue;
		if (!listed(name, (size_t)(q - name), tags,
		    sizeof(tags) / sizeof(tags[0])))
			fail("tag from the source", html, p);
		for (;;) {
			while (html_space(*q) || *q == '/')
				q++;
			if (*q == '>' || *q == '\0')
				break;
			if (close)
				fail("attribute on an end tag", html, p);
			for (name = q; *q != '\0' && *q != '/' && *q != '>' &&
			    *q != '=' && !html_space(*q); q++)
				continue;
			if ((n = (size_t)(q - name)) == 0)
				fail("malformed attribute", html, p);
			if (n > 2 && strncasecmp(name, "on", 2) == 0)
				fail("event handler attribute", html, p);
			if (!listed(name, n, attrs,
			    sizeof(attrs) / sizeof(attrs[0])))
				fail("attribute from the source", html, p);
			while (html_space(*q))
				q++;
			if (*q != '=')
				continue;
			q++;
			while (html_space(*q))
				q++;
			if (*q == '"' || *q == '\'') {
				quote = *q++;
				v = q;
				if ((q = strchr(q, quote)) == NULL)
					fail("unterminated attribute", html, p);
				vn = (size_t)(q++ - v);
			} else {
				for (v = q; *q != '\0' && *q != '>' &&
				    !html_space(*q); q++)
					continue;
				vn = (size_t)(q - v);
			}
			if (((n == 4 && strncasecmp(name, "href", 4) == 0) ||
			    (n == 3 && strncasecmp(name, "src", 3) == 0)) &&
			    bad_url(v, vn))
				fail("script or data URL", html, p);
		}
		if (*q == '\0')
			fail("unterminated tag", html, p);
		p = q + 1;
	}
}

/*
 * The snippet of text for its own first words (stemmed and not): no '<'
 * but those of <mark> and </mark>, which alternate.
 */
static void
check_snippet(struct mp_arena *a, const char *text)
{
	struct mp_buf	 b;
	const char	*p, *lex = mp_strndup(a, text, 40);
	int		 stem, open;

	for (stem = 0; stem < 2; stem++) {
		mp_buf_init(&b, 0);
		mp_kb_snippet_html(a, &b, text, lex, stem);
		open = 0;
		for (p = mp_buf_cstr(&b); (p = strchr(p, '<')) != NULL; p++) {
			if (!open && strncmp(p, "<mark>", 6) == 0)
				open = 1;
			else if (open && strncmp(p, "</mark>", 7) == 0)
				open = 0;
			else
				abort();
		}
		if (open)
			abort();
		mp_buf_free(&b);
	}
}

/*
 * Whatever the source, the HTML passes check_html(): nothing of it is
 * markup but what cmark-gfm writes in safe mode.  The text and sections
 * hold no control byte but newline and tab.  A snippet of a section,
 * whatever the lexemes (here its own first words), is markup only in its
 * <mark> tags, balanced.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct mp_arena		*a = mp_arena_new(0);
	struct mp_kb_render	 r;
	const char		*p;
	size_t			 i;

	if (mp_kb_render(a, (const char *)data, len, "t", &r) == MP_OK) {
		check_html(r.html);
		for (p = r.text; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20 && *p != '\n' &&
			    *p != '\t')
				abort();
		for (i = 0; i < r.nsec; i++) {
			for (p = r.sec[i].text; *p != '\0'; p++)
				if ((unsigned char)*p < 0x20 && *p != '\n' &&
				    *p != '\t')
					abort();
			check_snippet(a, r.sec[i].text);
		}
	}
	mp_arena_free(a);
	return 0;
}
