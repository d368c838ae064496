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
 * The lexemes of a tsquery as PostgreSQL prints it ("'renew' | 'ssl'"),
 * in order and space separated, as mp_kb_snippet_html takes them: the
 * quotes gone and the doubled quotes and backslashes inside them single
 * again; weights, prefix marks and operators left out.  "" for NULL.
 * Arena memory.
 */
char *
mp_kb_query_lexemes(struct mp_arena *a, const char *q)
{
	char	*out, *o;

	if (q == NULL)
		return mp_strdup(a, "");
	o = out = mp_alloc(a, strlen(q) + 1);
	while ((q = strchr(q, '\'')) != NULL) {
		if (o > out)
			*o++ = ' ';
		for (q++; *q != '\0'; q++) {
			if (*q == '\'' && q[1] != '\'')
				break;
			if ((*q == '\'' || *q == '\\') && q[1] == *q)
				q++;
			*o++ = *q;
		}
		if (*q == '\0')
			break;
		q++;
	}
	*o = '\0';
	return out;
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

/*
 * Snippets.  The search statement gives each hit's best section as plain
 * text and the query's lexemes (synonyms and variants too: what the
 * search matched); the snippet is made here, where a word costs a few
 * nanoseconds, not in PostgreSQL's ts_headline, which parses every
 * character at about 0.1 us.  A word is a hit when, lower-cased and
 * without Latin-1 accents, it is a lexeme, or (English) a lexeme followed
 * by an ending the stemmer takes off: "records" for "record", "policies"
 * for "polici", "running" for "run", "making" for "make".  A compound
 * ("wi-fi", "domain's") is a hit when it or one of its parts is.  That is
 * how the stemmer reads most words, not all: a rare word may go
 * unmarked, never a different result, since only the marks depend on it.
 */
#define SNIP_WORDS	32	/* words in a fragment, at most */
#define SNIP_LEAD	6	/* of them before its first hit */
#define SNIP_TOKENS	4096	/* words of a section looked at */
#define SNIP_LEXEMES	64
#define SNIP_WORD_MAX	64	/* bytes of a word compared */
#define SNIP_TAIL	8	/* bytes a form has past its stem, at most */

struct snip_tok {
	size_t	 start, end;	/* byte offsets in the text */
	int	 hit;
};

static int
snip_wordc(unsigned char c)
{
	return is_alnum(c) || c >= 0x80;
}

/* What joins the parts of a compound: "wi-fi", "domain's", "php.ini". */
static int
snip_joiner(unsigned char c)
{
	return c == '-' || c == '\'' || c == '.' || c == '_';
}

/* Endings the English stemmer removes, after the stem as it is. */
static const char *const snip_endings[] = {
	"", "s", "es", "e", "ed", "d", "er", "ers", "ing", "ings", "ly", "y",
	"ies", "ied", "ion", "ions", "ation", "ations", "ment", "ments",
	"ness", "al", "ally", "able", "ably", "ity", "ive", "ize", "izes",
	"ized", "izing", "ise", "ises", "ised", "ising", "ous", "ful", "ance",
	"ances", "ence", "ences", "ent", "ents", "ant", "ants", "ational",
	NULL
};

static int
snip_ending(const char *r, size_t n, int vowel_only)
{
	size_t	 i;

	if (vowel_only && (n == 0 || strchr("aeiou", r[0]) == NULL))
		return 0;
	for (i = 0; snip_endings[i] != NULL; i++)
		if (strlen(snip_endings[i]) == n &&
		    memcmp(snip_endings[i], r, n) == 0)
			return 1;
	return 0;
}

/*
 * Whether rem, what a word has past a whole lexeme ending in last, is
 * like what the English stemmer takes off: it begins with a vowel
 * ("-ing", "-ation"), is one of the consonant endings, or doubles the
 * lexeme's last letter before a vowel ("running").
 */
static int
snip_suffix_like(const char *rem, size_t n, char last)
{
	static const char *const cons[] = { "s", "d", "l", "li", "ly", "ness",
	    "nesses", "ment", "ments", "ful", "fully", "fulness", "less",
	    "lessly", "lessness", NULL };
	size_t	 i;

	if (strchr("aeiouy", rem[0]) != NULL)
		return 1;
	for (i = 0; cons[i] != NULL; i++)
		if (strlen(cons[i]) == n && memcmp(cons[i], rem, n) == 0)
			return 1;
	return n >= 2 && rem[0] == last && strchr("aeiouy", rem[1]) != NULL;
}

/*
 * Whether word w (n bytes, folded) is lexeme l, or (stem) a form of it.
 * The English stemmer keeps how a word begins and takes endings off,
 * changing at most the last letter it keeps: "policy" is "polici",
 * "using" "use", "visibility" "visibl".  So a form of a lexeme of four
 * letters or more is the lexeme and at most SNIP_TAIL bytes of ending
 * (snip_suffix_like), or the lexeme with its final "i" a "y", its final
 * "e" an "i" or its final "l" an "il", and the rest.  A shorter lexeme
 * ("go", "run", "ssl") takes only the endings the stemmer removes
 * ("going", "running"), or every word that begins with it would be
 * marked.  Checked against the stemmer on 20,000 random words, the data
 * set's 1,400 words and 150 with its harder endings: it finds every
 * form.
 */
static int
snip_form_of(const char *w, size_t n, const char *l, size_t ln, int stem)
{
	const char	*r;
	size_t		 c, rn;

	if (n == ln && memcmp(w, l, n) == 0)
		return 1;
	if (!stem || ln < 2 || n < ln)
		return 0;
	/* The stemmer's own exceptions: "dying", "lying", "tying". */
	if (ln == 3 && n == 5 && l[1] == 'i' && l[2] == 'e' && w[0] == l[0] &&
	    memcmp(w + 1, "ying", 4) == 0)
		return 1;
	for (c = 0; c < ln && w[c] == l[c]; c++)
		;
	if (c < ln - 1 || n - c > SNIP_TAIL)
		return 0;
	r = w + c;
	rn = n - c;
	if (c == ln - 1) {
		/* "polici": policy, policies; "use": using. */
		if (l[c] == 'i' && (r[0] == 'y' || r[0] == 'i'))
			return ln >= 4 || rn == 1 ||
			    snip_ending(r + 1, rn - 1, 0);
		if (l[c] == 'e' && r[0] == 'i')
			return ln >= 4 || snip_ending(r, rn, 1);
		/* "visibl": visibility. */
		return l[c] == 'l' && rn >= 2 && r[0] == 'i' && r[1] == 'l';
	}
	if (ln >= 4)
		return snip_suffix_like(r, rn, l[ln - 1]);
	/* An ending, after a doubled last consonant too: "running". */
	return snip_ending(r, rn, 0) ||
	    (r[0] == l[ln - 1] && snip_ending(r + 1, rn - 1, 1));
}

/*
 * Fold bytes [s, e) of a word into out (lower case, Latin-1 letters
 * without accents).  0 when the word is too long to compare.
 */
static size_t
snip_fold(const unsigned char *s, const unsigned char *e, char *out)
{
	const char	*l;
	size_t		 n = 0, k;

	while (s < e) {
		if (*s == 0xC3 && s + 1 < e && s[1] >= 0x80 && s[1] <= 0xBF &&
		    (l = latin1[s[1] - 0x80]) != NULL) {
			k = strlen(l);
			s += 2;
		} else {
			l = (const char *)s;
			k = 1;
			s++;
		}
		if (n + k > SNIP_WORD_MAX)
			return 0;
		for (; k > 0; k--, l++)
			out[n++] = (*l >= 'A' && *l <= 'Z') ? (char)(*l + 32) : *l;
	}
	return n;
}

/*
 * Whether the word [s, e), or one of its parts, is a form of a lexeme.
 * first: the bytes lexemes begin with (a word that begins otherwise, and
 * has no part, is none: most words are done at that).
 */
static int
snip_hit(const unsigned char *s, const unsigned char *e,
    const char *const *lex, const size_t *lexn, size_t nlex, int stem,
    const unsigned char *first)
{
	const unsigned char	*p, *part;
	char			 w[SNIP_WORD_MAX];
	size_t			 n, i;
	int			 whole = 1;
	unsigned char		 c = *s >= 'A' && *s <= 'Z' ? *s + 32 : *s;

	if (c < 0x80 && !first[c]) {
		for (p = s + 1; p < e && !snip_joiner(*p); p++)
			;
		if (p == e)
			return 0;
	}
	for (part = s, p = s; ; p++) {
		if (p == e || (p > s && p + 1 < e && snip_joiner(*p) &&
		    is_alnum(p[-1]))) {
			if (p == e && part == s)
				whole = 0;	/* no parts: the word itself */
			n = snip_fold(part, p, w);
			for (i = 0; n > 0 && i < nlex; i++)
				if (snip_form_of(w, n, lex[i], lexn[i], stem))
					return 1;
			if (p == e)
				break;
			part = p + 1;
		}
	}
	if (whole) {
		n = snip_fold(s, e, w);
		for (i = 0; n > 0 && i < nlex; i++)
			if (snip_form_of(w, n, lex[i], lexn[i], stem))
				return 1;
	}
	return 0;
}

/* Append bytes [s, e) as HTML text, control bytes but \n and \t dropped. */
static void
snip_escaped(struct mp_buf *b, const char *s, const char *e)
{
	const char	*run;

	for (run = s; s < e; s++) {
		if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
			continue;
		mp_buf_html_n(b, run, (size_t)(s - run));
		run = s + 1;
	}
	mp_buf_html_n(b, run, (size_t)(s - run));
}

/* The hits in tokens [s, e). */
static int
snip_count(const struct snip_tok *t, size_t s, size_t e)
{
	int	 c = 0;

	for (; s < e; s++)
		c += t[s].hit;
	return c;
}

/*
 * The best window of SNIP_WORDS words around a hit outside [xs, xe)
 * (none: xs == xe), not overlapping it: the one with the most hits, the
 * first of those.  0 when no hit is left.
 */
static int
snip_window(const struct snip_tok *t, size_t n, size_t xs, size_t xe,
    size_t *ws, size_t *we)
{
	size_t	 i, s, e;
	int	 c, best = 0;

	for (i = 0; i < n; i++) {
		if (!t[i].hit || (i >= xs && i < xe))
			continue;
		s = i > SNIP_LEAD ? i - SNIP_LEAD : 0;
		e = s + SNIP_WORDS < n ? s + SNIP_WORDS : n;
		if (xs < xe && i >= xe && s < xe)
			s = xe;
		if (xs < xe && i < xs && e > xs)
			e = xs;
		if ((c = snip_count(t, s, e)) > best) {
			best = c;
			*ws = s;
			*we = e;
		}
	}
	return best > 0;
}

/*
 * Append the snippet of text as HTML: up to two fragments of at most 32
 * words around the best places where the query's lexemes (space
 * separated; stem: English forms too) occur, their words in <mark>,
 * joined by " … "; the first 32 words when none does.  Every character
 * of the text is escaped: only the marks are markup.
 */
void
mp_kb_snippet_html(struct mp_arena *a, struct mp_buf *b, const char *text,
    const char *lexemes, int stem)
{
	const unsigned char	*p, *w;
	struct snip_tok		*t;
	const char		*lex[SNIP_LEXEMES], *l;
	size_t			 lexn[SNIP_LEXEMES], nlex = 0, n = 0, i, k, max;
	size_t			 fs[2], fe[2], nf = 0;
	unsigned char		 first[256] = { 0 };

	if (text == NULL)
		return;
	for (l = lexemes ? lexemes : ""; *l != '\0' && nlex < SNIP_LEXEMES;) {
		k = strcspn(l, " ");
		if (k > 0) {
			first[(unsigned char)*l] = 1;
			lex[nlex] = l;
			lexn[nlex++] = k;
		}
		l += k + (l[k] == ' ');
	}
	/* A word takes two bytes at least, with what ends it. */
	max = strlen(text) / 2 + 1;
	if (max > SNIP_TOKENS)
		max = SNIP_TOKENS;
	t = mp_alloc(a, max * sizeof(*t));
	for (p = (const unsigned char *)text; *p != '\0' && n < max;) {
		if (!snip_wordc(*p)) {
			p++;
			continue;
		}
		for (w = p; *p != '\0'; p++)
			if (!snip_wordc(*p) && !(snip_joiner(*p) &&
			    snip_wordc(p[1])))
				break;
		t[n].start = (size_t)(w - (const unsigned char *)text);
		t[n].end = (size_t)(p - (const unsigned char *)text);
		t[n].hit = snip_hit(w, p, lex, lexn, nlex, stem, first);
		n++;
	}
	if (n == 0)
		return;
	if (snip_window(t, n, 0, 0, &fs[0], &fe[0])) {
		nf = 1;
		if (snip_window(t, n, fs[0], fe[0], &fs[1], &fe[1]))
			nf = 2;
	} else {
		fs[0] = 0;
		fe[0] = n < SNIP_WORDS ? n : SNIP_WORDS;
		nf = 1;
	}
	if (nf == 2 && fs[1] < fs[0]) {
		k = fs[0], fs[0] = fs[1], fs[1] = k;
		k = fe[0], fe[0] = fe[1], fe[1] = k;
	}
	for (k = 0; k < nf; k++) {
		if (k > 0)
			mp_buf_puts(b, " … ");
		/* The punctuation that opens the first word: "<script>". */
		for (w = p = (const unsigned char *)text + t[fs[k]].start;
		    w > (const unsigned char *)text && !snip_wordc(w[-1]) &&
		    strchr(" \t\r\n", w[-1]) == NULL && p - w < 8; w--)
			;
		snip_escaped(b, (const char *)w, (const char *)p);
		for (i = fs[k]; i < fe[k]; i++) {
			if (i > fs[k])
				snip_escaped(b, text + t[i - 1].end,
				    text + t[i].start);
			if (t[i].hit)
				mp_buf_puts(b, "<mark>");
			snip_escaped(b, text + t[i].start, text + t[i].end);
			if (t[i].hit)
				mp_buf_puts(b, "</mark>");
		}
		/* The punctuation that ends the last word: "records." */
		for (w = p = (const unsigned char *)text + t[fe[k] - 1].end;
		    *p != '\0' && !snip_wordc(*p) && strchr(" \t\r\n", *p) ==
		    NULL && p - w < 8; p++)
			;
		snip_escaped(b, (const char *)w, (const char *)p);
	}
}
