/* Brand colours and custom CSS: colour parsing, WCAG contrast, and a CSS tokenizer that vets a tenant's stylesheet. */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "features/brand/extern.h"

/*
 * Parse "#rgb" or "#rrggbb" (either case) into canonical "#rrggbb" in
 * out[8].  0 on success, -1 when s is not such a colour.
 */
int
mp_brand_color(const char *s, char out[8])
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 n, i;
	int			 v;

	if (s == NULL || s[0] != '#')
		return -1;
	n = strlen(s + 1);
	if (n != 3 && n != 6)
		return -1;
	for (i = 1; i <= n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return -1;
	out[0] = '#';
	for (i = 0; i < 6; i++) {
		v = tolower((unsigned char)s[1 + (n == 3 ? i / 2 : i)]);
		out[1 + i] = hex[isdigit(v) ? v - '0' : v - 'a' + 10];
	}
	out[7] = '\0';
	return 0;
}

/* WCAG 2.x relative luminance of one sRGB channel value 0..255. */
static double
channel(int c)
{
	double	 v = c / 255.0;

	return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
}

static double
luminance(const char *rrggbb)
{
	unsigned	 r, g, b;

	if (sscanf(rrggbb + 1, "%2x%2x%2x", &r, &g, &b) != 3)
		return 0;
	return 0.2126 * channel((int)r) + 0.7152 * channel((int)g) +
	    0.0722 * channel((int)b);
}

/*
 * The WCAG contrast ratio (1..21) of two canonical "#rrggbb" colours.
 */
double
mp_brand_contrast(const char *a, const char *b)
{
	double	 la = luminance(a), lb = luminance(b), t;

	if (la < lb) {
		t = la;
		la = lb;
		lb = t;
	}
	return (la + 0.05) / (lb + 0.05);
}

/*
 * The tokenizer follows CSS Syntax Level 3 closely enough to see what a
 * browser sees: escapes are decoded before names are compared (so
 * "@\69mport" and "u\rl(" are what they are), comments and strings are
 * skipped as units, and unquoted url(...) is its own token.
 */
enum tok {
	T_EOF, T_WS, T_IDENT, T_FUNC, T_AT, T_HASH, T_STRING, T_BADSTRING,
	T_URL, T_BADURL, T_NUMBER, T_DELIM, T_CDO, T_CDC, T_COLON, T_SEMI,
	T_COMMA, T_LBRACE, T_RBRACE, T_LPAREN, T_RPAREN, T_LBRACK, T_RBRACK
};

struct lex {
	const char	*s;
	size_t		 n;
	size_t		 i;
	int		 line;
	/* the current token */
	enum tok	 t;
	int		 tline;
	char		 val[512];	/* decoded name, string or url */
	size_t		 vlen;
	int		 vlong;		/* val was cut */
	int		 delim;
};

static int
at(const struct lex *l, size_t k)
{
	return l->i + k < l->n ? (unsigned char)l->s[l->i + k] : -1;
}

static int
is_nl(int c)
{
	return c == '\n' || c == '\r' || c == '\f';
}

static int
is_namestart(int c)
{
	return c >= 0 && (isalpha(c) || c == '_' || c >= 0x80);
}

static int
is_name(int c)
{
	return is_namestart(c) || (c >= 0 && isdigit(c)) || c == '-';
}

/* A valid escape starts at offset k: a backslash not before a newline. */
static int
escape_at(const struct lex *l, size_t k)
{
	return at(l, k) == '\\' && !is_nl(at(l, k + 1)) && at(l, k + 1) != -1;
}

static void
adv(struct lex *l, size_t k)
{
	while (k-- > 0 && l->i < l->n) {
		if (l->s[l->i] == '\n' || l->s[l->i] == '\f' ||
		    (l->s[l->i] == '\r' && at(l, 1) != '\n'))
			l->line++;
		l->i++;
	}
}

/* Append one raw byte of the input (valid UTF-8 already). */
static void
putb(struct lex *l, int c)
{
	if (l->vlen + 1 >= sizeof(l->val)) {
		l->vlong = 1;
		return;
	}
	l->val[l->vlen++] = (char)c;
	l->val[l->vlen] = '\0';
}

/* Append code point cp as UTF-8 (what an escape decodes to). */
static void
put(struct lex *l, unsigned cp)
{
	char	 b[4];
	size_t	 k = 0, j;

	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80)
		b[k++] = (char)cp;
	else if (cp < 0x800) {
		b[k++] = (char)(0xc0 | cp >> 6);
		b[k++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		b[k++] = (char)(0xe0 | cp >> 12);
		b[k++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[k++] = (char)(0x80 | (cp & 0x3f));
	} else {
		b[k++] = (char)(0xf0 | cp >> 18);
		b[k++] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[k++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[k++] = (char)(0x80 | (cp & 0x3f));
	}
	for (j = 0; j < k; j++) {
		if (l->vlen + 1 >= sizeof(l->val)) {
			l->vlong = 1;
			return;
		}
		l->val[l->vlen++] = b[j];
	}
	l->val[l->vlen] = '\0';
}

/* Consume an escape (the backslash is at l->i) and append what it means. */
static void
escape(struct lex *l)
{
	unsigned	 cp = 0;
	int		 c, k = 0;

	adv(l, 1);
	while (k < 6 && (c = at(l, 0)) != -1 && isxdigit(c)) {
		cp = cp * 16 + (unsigned)(isdigit(c) ? c - '0' :
		    tolower(c) - 'a' + 10);
		adv(l, 1);
		k++;
	}
	if (k > 0) {
		c = at(l, 0);
		if (c == ' ' || c == '\t' || c == '\n' || c == '\f')
			adv(l, 1);
		else if (c == '\r')
			adv(l, at(l, 1) == '\n' ? 2 : 1);
		put(l, cp);
		return;
	}
	/* Any other character stands for itself, all its bytes. */
	do {
		putb(l, at(l, 0));
		adv(l, 1);
	} while (at(l, 0) != -1 && (at(l, 0) & 0xc0) == 0x80);
}

static void
name(struct lex *l)
{
	for (;;) {
		if (is_name(at(l, 0))) {
			putb(l, at(l, 0));
			adv(l, 1);
		} else if (escape_at(l, 0))
			escape(l);
		else
			return;
	}
}

/* Would an identifier start at offset k? */
static int
ident_start(const struct lex *l, size_t k)
{
	int	 c = at(l, k);

	if (c == '-')
		return is_namestart(at(l, k + 1)) || at(l, k + 1) == '-' ||
		    escape_at(l, k + 1);
	return is_namestart(c) || escape_at(l, k);
}

static void
string(struct lex *l, int q)
{
	int	 c;

	adv(l, 1);
	l->t = T_STRING;
	for (;;) {
		c = at(l, 0);
		if (c == -1)
			return;
		if (c == q) {
			adv(l, 1);
			return;
		}
		if (is_nl(c)) {
			l->t = T_BADSTRING;
			return;
		}
		if (c == '\\') {
			if (at(l, 1) == -1)
				adv(l, 1);
			else if (is_nl(at(l, 1)))
				adv(l, at(l, 1) == '\r' && at(l, 2) == '\n' ?
				    3 : 2);
			else
				escape(l);
			continue;
		}
		putb(l, c);
		adv(l, 1);
	}
}

static int
is_ws(int c)
{
	return c == ' ' || c == '\t' || is_nl(c);
}

/* After "url(" with an unquoted argument: the rest of a url token. */
static void
url(struct lex *l)
{
	int	 c;

	while (is_ws(at(l, 0)))
		adv(l, 1);
	l->t = T_URL;
	for (;;) {
		c = at(l, 0);
		if (c == -1)
			return;
		if (c == ')') {
			adv(l, 1);
			return;
		}
		if (is_ws(c)) {
			while (is_ws(at(l, 0)))
				adv(l, 1);
			if (at(l, 0) == ')' || at(l, 0) == -1) {
				adv(l, 1);
				return;
			}
			break;
		}
		if (c == '"' || c == '\'' || c == '(' || c < 0x20 ||
		    c == 0x7f)
			break;
		if (c == '\\') {
			if (!escape_at(l, 0))
				break;
			escape(l);
			continue;
		}
		putb(l, c);
		adv(l, 1);
	}
	/* A bad url: skip to its end. */
	l->t = T_BADURL;
	while ((c = at(l, 0)) != -1 && c != ')') {
		if (escape_at(l, 0))
			escape(l);
		else
			adv(l, 1);
	}
	adv(l, 1);
}

/* Read the next token into l (comments are skipped). */
static void
next(struct lex *l)
{
	int	 c;

	l->vlen = 0;
	l->vlong = 0;
	l->val[0] = '\0';
	l->delim = 0;
again:
	l->tline = l->line;
	c = at(l, 0);
	if (c == -1) {
		l->t = T_EOF;
		return;
	}
	if (c == '/' && at(l, 1) == '*') {
		adv(l, 2);
		while (at(l, 0) != -1 && !(at(l, 0) == '*' && at(l, 1) == '/'))
			adv(l, 1);
		adv(l, 2);
		goto again;
	}
	if (is_ws(c)) {
		while (is_ws(at(l, 0)))
			adv(l, 1);
		l->t = T_WS;
		return;
	}
	if (c == '"' || c == '\'') {
		string(l, c);
		return;
	}
	if (c == '#' && (is_name(at(l, 1)) || escape_at(l, 1))) {
		adv(l, 1);
		name(l);
		l->t = T_HASH;
		return;
	}
	if ((c >= '0' && c <= '9') || (c == '.' && at(l, 1) >= '0' &&
	    at(l, 1) <= '9') || ((c == '+' || c == '-') && ((at(l, 1) >= '0'
	    && at(l, 1) <= '9') || (at(l, 1) == '.' && at(l, 2) >= '0' &&
	    at(l, 2) <= '9')))) {
		adv(l, 1);
		while ((c = at(l, 0)) != -1 && (isdigit(c) || c == '.' ||
		    ((c == 'e' || c == 'E') && at(l, 1) >= '0' &&
		    at(l, 1) <= '9')))
			adv(l, 1);
		if (at(l, 0) == '%')
			adv(l, 1);
		else if (ident_start(l, 0))
			name(l);	/* the unit */
		l->t = T_NUMBER;
		return;
	}
	if (c == '<' && at(l, 1) == '!' && at(l, 2) == '-' && at(l, 3) == '-') {
		adv(l, 4);
		l->t = T_CDO;
		return;
	}
	if (c == '-' && at(l, 1) == '-' && at(l, 2) == '>') {
		adv(l, 3);
		l->t = T_CDC;
		return;
	}
	if (ident_start(l, 0)) {
		name(l);
		if (at(l, 0) == '(') {
			adv(l, 1);
			if (l->vlen == 3 && strcasecmp(l->val, "url") == 0) {
				while (is_ws(at(l, 0)) && is_ws(at(l, 1)))
					adv(l, 1);
				if (at(l, 0) == '"' || at(l, 0) == '\'' ||
				    (is_ws(at(l, 0)) && (at(l, 1) == '"' ||
				    at(l, 1) == '\''))) {
					l->t = T_FUNC;
					return;
				}
				l->vlen = 0;
				l->val[0] = '\0';
				url(l);
				return;
			}
			l->t = T_FUNC;
			return;
		}
		l->t = T_IDENT;
		return;
	}
	if (c == '@' && ident_start(l, 1)) {
		adv(l, 1);
		name(l);
		l->t = T_AT;
		return;
	}
	adv(l, 1);
	switch (c) {
	case ':': l->t = T_COLON; return;
	case ';': l->t = T_SEMI; return;
	case ',': l->t = T_COMMA; return;
	case '{': l->t = T_LBRACE; return;
	case '}': l->t = T_RBRACE; return;
	case '(': l->t = T_LPAREN; return;
	case ')': l->t = T_RPAREN; return;
	case '[': l->t = T_LBRACK; return;
	case ']': l->t = T_RBRACK; return;
	default:
		l->t = T_DELIM;
		l->delim = c;
		return;
	}
}

/* At-rules a tenant's stylesheet may use; everything else is refused. */
static const char *const at_ok[] = {
	"media", "supports", "keyframes", "-webkit-keyframes", "font-face",
	"layer", "container", "page", NULL
};

/* Functions that load or run something besides url(). */
static const char *const fn_bad[] = {
	"expression", "image-set", "-webkit-image-set", "src", "element",
	"-moz-element", "paint", NULL
};

/* Properties that bind behaviour (old IE, old Firefox). */
static const char *const ident_bad[] = {
	"behavior", "-ms-behavior", "-moz-binding", NULL
};

static int
in_set(const char *s, const char *const *set)
{
	for (; *set != NULL; set++)
		if (strcasecmp(s, *set) == 0)
			return 1;
	return 0;
}

static int
has_ci(const char *s, const char *needle)
{
	size_t	 n = strlen(needle);

	for (; *s != '\0'; s++)
		if (strncasecmp(s, needle, n) == 0)
			return 1;
	return 0;
}

/*
 * Whether u names one of the tenant's uploaded assets: "/brand/<name>"
 * with name in assets (NULL-terminated).
 */
static int
own_asset(const char *u, const char *const *assets)
{
	if (strncmp(u, "/brand/", 7) != 0 || assets == NULL)
		return 0;
	for (; *assets != NULL; assets++)
		if (strcmp(u + 7, *assets) == 0)
			return 1;
	return 0;
}

static int	refuse(char *, size_t, int, const char *, ...)
		    __attribute__((format(printf, 4, 5)));

/* Write "custom_css line N: <sentence>" into why; returns -1. */
static int
refuse(char *why, size_t whysz, int line, const char *fmt, ...)
{
	char	 msg[240];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(why, whysz, "custom_css line %d: %s", line, msg);
	return -1;
}

/*
 * Vet a tenant's custom CSS: valid UTF-8 without NUL, at most max bytes,
 * balanced brackets, no "<" (so no "</style" or "<!--" wherever it is
 * pasted), only the at-rules of at_ok, no url() except "/brand/<name>"
 * of the tenant's own assets, no expression() or other loading
 * functions, no "javascript:" in any name, string or url, no behaviour
 * bindings.  0 when it passes; else -1 with a sentence naming the line
 * in why.
 */
int
mp_brand_css_check(const char *css, size_t len, size_t max,
    const char *const *assets, char *why, size_t whysz)
{
	struct lex	 l;
	char		 stack[64];
	int		 depth = 0, want_url = 0, url_line = 0;
	size_t		 i;

	if (len > max) {
		snprintf(why, whysz, "custom_css is longer than %zu bytes.",
		    max);
		return -1;
	}
	if (!mp_utf8_valid(css, len)) {
		snprintf(why, whysz,
		    "custom_css must be UTF-8 text without NUL bytes.");
		return -1;
	}
	memset(&l, 0, sizeof(l));
	l.s = css;
	l.n = len;
	l.line = 1;
	for (i = 0; i < len; i++)
		if (css[i] == '<') {
			int line = 1;
			size_t k;

			for (k = 0; k < i; k++)
				line += css[k] == '\n';
			return refuse(why, whysz, line,
			    "the character \"<\" is not allowed (no </style "
			    "or <!-- in a stylesheet)");
		}
	for (;;) {
		next(&l);
		if (l.t == T_EOF)
			break;
		if (l.vlong)
			return refuse(why, whysz, l.tline,
			    "a name, string or url is too long");
		if (want_url) {
			/* url( followed by a string: that string, then ). */
			if (l.t == T_WS)
				continue;
			if (l.t != T_STRING)
				return refuse(why, whysz, url_line,
				    "url() must hold one address");
			if (!own_asset(l.val, assets))
				return refuse(why, whysz, url_line,
				    "url(%s) is not one of this portal's "
				    "uploaded images", l.val);
			do
				next(&l);
			while (l.t == T_WS);
			if (l.t != T_RPAREN)
				return refuse(why, whysz, url_line,
				    "url() must hold one address");
			want_url = 0;
			continue;
		}
		switch (l.t) {
		case T_BADSTRING:
			return refuse(why, whysz, l.tline,
			    "a string is not closed before the end of the "
			    "line");
		case T_BADURL:
			return refuse(why, whysz, l.tline,
			    "a url() is malformed");
		case T_CDO:
		case T_CDC:
			return refuse(why, whysz, l.tline,
			    "<!-- and --> are not allowed");
		case T_AT:
			if (!in_set(l.val, at_ok))
				return refuse(why, whysz, l.tline,
				    "@%s is not allowed", l.val);
			break;
		case T_URL:
			if (!own_asset(l.val, assets))
				return refuse(why, whysz, l.tline,
				    "url(%s) is not one of this portal's "
				    "uploaded images", l.val);
			break;
		case T_FUNC:
			if (in_set(l.val, fn_bad))
				return refuse(why, whysz, l.tline,
				    "%s() is not allowed", l.val);
			if (strcasecmp(l.val, "url") == 0) {
				want_url = 1;
				url_line = l.tline;
				break;
			}
			if (depth == (int)sizeof(stack))
				return refuse(why, whysz, l.tline,
				    "brackets are nested too deeply");
			stack[depth++] = ')';
			break;
		case T_IDENT:
			if (strcasecmp(l.val, "javascript") == 0 ||
			    strcasecmp(l.val, "vbscript") == 0)
				return refuse(why, whysz, l.tline,
				    "\"%s:\" is not allowed", l.val);
			if (in_set(l.val, ident_bad))
				return refuse(why, whysz, l.tline,
				    "%s is not allowed", l.val);
			break;
		case T_LBRACE:
		case T_LPAREN:
		case T_LBRACK:
			if (depth == (int)sizeof(stack))
				return refuse(why, whysz, l.tline,
				    "brackets are nested too deeply");
			stack[depth++] = l.t == T_LBRACE ? '}' :
			    l.t == T_LPAREN ? ')' : ']';
			break;
		case T_RBRACE:
		case T_RPAREN:
		case T_RBRACK: {
			char c = l.t == T_RBRACE ? '}' : l.t == T_RPAREN ?
			    ')' : ']';

			if (depth == 0 || stack[depth - 1] != c)
				return refuse(why, whysz, l.tline,
				    "\"%s\" does not close an open bracket",
				    c == '}' ? "}" : c == ')' ? ")" : "]");
			depth--;
			break;
		}
		default:
			break;
		}
		if ((l.t == T_IDENT || l.t == T_STRING || l.t == T_URL ||
		    l.t == T_FUNC || l.t == T_HASH) &&
		    (has_ci(l.val, "javascript:") || has_ci(l.val, "vbscript:")))
			return refuse(why, whysz, l.tline,
			    "\"javascript:\" is not allowed");
	}
	if (want_url)
		return refuse(why, whysz, url_line,
		    "url() is not closed");
	if (depth > 0)
		return refuse(why, whysz, l.line,
		    "a \"%s\" is missing at the end", depth > 0 &&
		    stack[depth - 1] == '}' ? "}" : stack[depth - 1] == ')' ?
		    ")" : "]");
	return 0;
}
