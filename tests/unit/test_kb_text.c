/* Unit tests for the help center's pure helpers: slugs, prefix queries, snippets, rendering. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "features/kb/extern.h"

static struct mp_arena	*a;

static int
setup(void **state)
{
	(void)state;
	a = mp_arena_new(0);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	mp_arena_free(a);
	return 0;
}

static void
test_slugify(void **state)
{
	char	 long_title[300];

	(void)state;
	assert_string_equal(mp_kb_slugify(a, "Point your domain's DNS at us",
	    80), "point-your-domain-s-dns-at-us");
	assert_string_equal(mp_kb_slugify(a, "  --SSL & HTTPS--  ", 80),
	    "ssl-https");
	assert_string_equal(mp_kb_slugify(a, "Café à la carte", 80),
	    "cafe-a-la-carte");
	assert_string_equal(mp_kb_slugify(a, "Straße", 80), "strasse");
	assert_string_equal(mp_kb_slugify(a, "日本語", 80), "article");
	assert_string_equal(mp_kb_slugify(a, "", 80), "article");
	assert_string_equal(mp_kb_slugify(a, "<script>alert(1)</script>", 80),
	    "script-alert-1-script");
	/* At the cap: cut at a dash, never longer than max. */
	memset(long_title, 'a', sizeof(long_title));
	memcpy(long_title + 70, " bbbbbbbbbbbbbbbbbbbb", 21);
	long_title[sizeof(long_title) - 1] = '\0';
	assert_true(strlen(mp_kb_slugify(a, long_title, 80)) <= 80);
	assert_string_equal(mp_kb_slugify(a, "abcdefgh ijklmnop", 10),
	    "abcdefgh");
	assert_string_equal(mp_kb_slugify(a, "abcdefghij", 10), "abcdefghij");
	assert_string_equal(mp_kb_slugify(a, "abcdefghijk", 10), "abcdefghij");
}

static void
test_prefix_query(void **state)
{
	(void)state;
	/* Fewer than 3 letters and digits: nothing to search. */
	assert_null(mp_kb_prefix_query(a, ""));
	assert_null(mp_kb_prefix_query(a, "ss"));
	assert_null(mp_kb_prefix_query(a, "s s"));
	assert_null(mp_kb_prefix_query(a, "'&|!:*()"));
	assert_string_equal(mp_kb_prefix_query(a, "ssl"), "'ssl':*");
	assert_string_equal(mp_kb_prefix_query(a, "s sl"), "'s':* & 'sl':*");
	/* Syntax characters never reach to_tsquery. */
	assert_string_equal(mp_kb_prefix_query(a, "renew' | !cert:*"),
	    "'renew':* & 'cert':*");
	assert_string_equal(mp_kb_prefix_query(a, "café"), "'café':*");
	assert_non_null(mp_kb_prefix_query(a,
	    "a b c d e f g h i j k l m n o p"));
	assert_null(strchr(mp_kb_prefix_query(a,
	    "a b c d e f g h i j k l m n o p"), 'i'));
}

/* The snippet of text for lexemes as HTML, in a fresh buffer (arena copy). */
static const char *
snip(const char *text, const char *lexemes, int stem)
{
	struct mp_buf	 b;
	char		*s;

	mp_buf_init(&b, 0);
	mp_kb_snippet_html(a, &b, text, lexemes, stem);
	s = mp_strdup(a, mp_buf_cstr(&b));
	mp_buf_free(&b);
	return s;
}

static void
test_snippet_html(void **state)
{
	char	 big[4000], want[4000];
	size_t	 i;

	(void)state;
	/* Every character escaped; only the marks are markup. */
	assert_string_equal(snip("Use <script> & \"quotes\" 'x' for the "
	    "records.", "record", 1), "Use &lt;script&gt; &amp; &quot;quotes"
	    "&quot; &#39;x&#39; for the <mark>records</mark>.");
	assert_string_equal(snip("x\001y\r\nz", "zz", 1), "xy\nz");
	/* Forms the English stemmer reads as the lexeme, and not others. */
	assert_string_equal(snip("Our Policies and one policy.", "polici", 1),
	    "Our <mark>Policies</mark> and one <mark>policy</mark>.");
	assert_string_equal(snip("Running, run, runs; rung.", "run", 1),
	    "<mark>Running</mark>, <mark>run</mark>, <mark>runs</mark>; rung.");
	/* "maker" is a word of its own to the stemmer. */
	assert_string_equal(snip("Making a make, maker.", "make", 1),
	    "<mark>Making</mark> a <mark>make</mark>, maker.");
	assert_string_equal(snip("Going to Google is good.", "go", 1),
	    "<mark>Going</mark> to Google is good.");
	/* The stem's last letter changed or dropped ("ll" is "l"). */
	assert_string_equal(snip("zqkcabefafll and sensibility",
	    "zqkcabefafl sensibl", 1), "<mark>zqkcabefafll</mark> and "
	    "<mark>sensibility</mark>");
	/* At most 8 bytes past the stem. */
	assert_string_equal(snip("recordabcdefgh recordabcdefghi", "record",
	    1), "<mark>recordabcdefgh</mark> recordabcdefghi");
	/* Without stemming (other languages): the word itself only. */
	assert_string_equal(snip("Records record.", "record", 0),
	    "Records <mark>record</mark>.");
	/* Accents and case folded; compounds and their parts. */
	assert_string_equal(snip("CAFÉ wi-fi domain's", "cafe wifi domain", 1),
	    "<mark>CAFÉ</mark> wi-fi <mark>domain&#39;s</mark>");
	assert_string_equal(snip("Set up Wi-Fi here.", "wi-fi", 1),
	    "Set up <mark>Wi-Fi</mark> here.");
	/* No hit: the first 32 words. */
	memset(big, 0, sizeof(big));
	for (i = 0; i < 40; i++)
		snprintf(big + strlen(big), sizeof(big) - strlen(big), "w%zu ",
		    i);
	assert_string_equal(snip(big, "zzz", 1), mp_printf(a, "%.*s",
	    (int)(strstr(big, "w32 ") - big - 1), big));
	/* Two fragments around the hits far apart, in text order. */
	big[0] = '\0';
	for (i = 0; i < 200; i++)
		snprintf(big + strlen(big), sizeof(big) - strlen(big), "%s ",
		    i == 20 ? "alpha" : i == 150 ? "beta" : "filler");
	want[0] = '\0';
	for (i = 14; i < 176; i = i == 45 ? 144 : i + 1)
		snprintf(want + strlen(want), sizeof(want) - strlen(want),
		    "%s%s", i == 14 ? "" : i == 144 ? " … " : " ",
		    i == 20 ? "<mark>alpha</mark>" : i == 150 ?
		    "<mark>beta</mark>" : "filler");
	assert_string_equal(snip(big, "beta alpha", 1), want);
	/* The punctuation around a fragment's first and last words. */
	assert_string_equal(snip("Type `<script>alert(1)</script>` now", "script",
	    1), "Type `&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script"
	    "</mark>&gt;` now");
	assert_string_equal(snip("(<b>records</b>)", "record", 1),
	    "(&lt;b&gt;<mark>records</mark>&lt;/b&gt;)");
	/* A section's first 4,096 words are looked at, no more. */
	for (i = 4095; i <= 4096; i++) {
		char	*t = mp_alloc(a, 2 * i + 4);
		size_t	 k;

		for (k = 0; k < i; k++)
			memcpy(t + 2 * k, "a ", 2);
		memcpy(t + 2 * i, "hit", 4);
		assert_string_equal(snip(t, "hit", 1), i == 4095 ?
		    "a a a a a a <mark>hit</mark>" : mp_printf(a, "%.63s", t));
	}
	/* Nothing to show: no text (no section), no words. */
	assert_string_equal(snip(NULL, "x", 1), "");
	assert_string_equal(snip("", "x", 1), "");
	assert_string_equal(snip(" -- ", NULL, 1), "");
}

/*
 * Words whose lexeme the English stemmer changes, as PostgreSQL's English
 * configuration has them: the snippet marks each word for its lexeme.
 */
static void
test_snippet_stemmer_forms(void **state)
{
	/* (word, its lexeme in PostgreSQL's English configuration) */
	static const char *const forms[][2] = {
		{ "sensibility", "sensibl" },
		{ "visibility", "visibl" },
		{ "usability", "usabl" },
		{ "classify", "classifi" },
		{ "happily", "happili" },
		{ "early", "earli" },
		{ "dying", "die" },
		{ "using", "use" },
		{ "hopefulness", "hope" },
		{ "effectiveness", "effect" },
		{ "seriousness", "serious" },
		{ "operator", "oper" },
		{ "indicator", "indic" },
		{ "allowance", "allow" },
		{ "conference", "confer" },
		{ "classified", "classifi" },
		{ "verification", "verif" },
		{ "notification", "notif" },
		{ "actively", "activ" },
		{ "generously", "generous" },
		{ "agreed", "agre" },
		{ "emailing", "email" },
		{ "mailboxes", "mailbox" },
		{ "caches", "cach" },
		{ "caching", "cach" },
		{ "registration", "registr" },
		{ "propagation", "propag" },
		{ "optimization", "optim" },
		{ "compressed", "compress" },
		{ "securely", "secur" },
		{ "authorization", "author" },
		{ "international", "intern" },
		{ "professional", "profession" },
		{ "troubleshooting", "troubleshoot" },
		{ "cancelled", "cancel" },
		{ "cancellations", "cancel" },
		{ "redirection", "redirect" },
		{ "restoration", "restor" },
		{ "installations", "instal" },
		{ "nameservers", "nameserv" },
		{ "forwarders", "forward" },
		{ "subdomains", "subdomain" },
		{ "renewals", "renew" },
		{ "certificates", "certif" },
		{ "failures", "failur" },
		{ "zqkcabefafll", "zqkcabefafl" },
		{ "dry", "dri" },
		{ "try", "tri" },
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		assert_string_equal(snip(forms[i][0], forms[i][1], 1),
		    mp_printf(a, "<mark>%s</mark>", forms[i][0]));
}

static void
test_norm_query(void **state)
{
	char	 big[400];

	(void)state;
	assert_string_equal(mp_kb_norm_query(a, "  SSL   Certificate\t"),
	    "ssl certificate");
	assert_string_equal(mp_kb_norm_query(a, " \t "), "");
	/* The cap never splits a UTF-8 sequence. */
	memset(big, 'a', 199);
	memcpy(big + 199, "é", 2);
	big[201] = '\0';
	assert_int_equal(strlen(mp_kb_norm_query(a, big)), 199);
	memset(big, 'a', sizeof(big));
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(strlen(mp_kb_norm_query(a, big)), MP_KB_QUERY_MAX);
}

static void
test_query_lexemes(void **state)
{
	(void)state;
	assert_string_equal(mp_kb_query_lexemes(a, NULL), "");
	assert_string_equal(mp_kb_query_lexemes(a, ""), "");
	assert_string_equal(mp_kb_query_lexemes(a,
	    "'certif' | 'extend' | 'https' | 'renew'"),
	    "certif extend https renew");
	assert_string_equal(mp_kb_query_lexemes(a, "'ssl'"), "ssl");
	/* Doubled quotes and backslashes are single again. */
	assert_string_equal(mp_kb_query_lexemes(a,
	    "'o''reilly' | 'a\\\\b' | 'x'"), "o'reilly a\\b x");
	/* Weights, prefixes and operators are not lexemes. */
	assert_string_equal(mp_kb_query_lexemes(a,
	    "'wi-fi':* & !'e' <-> 'mail':AB"), "wi-fi e mail");
	/* An unterminated lexeme ends the list with what it has. */
	assert_string_equal(mp_kb_query_lexemes(a, "'dns' | 'mx"), "dns mx");
}

static void
test_url_escape(void **state)
{
	(void)state;
	assert_string_equal(mp_kb_url_escape(a, ""), "");
	assert_string_equal(mp_kb_url_escape(a, "renew ssl-cert_1.x~"),
	    "renew+ssl-cert_1.x~");
	assert_string_equal(mp_kb_url_escape(a, "\"><&=+#%?/"),
	    "%22%3E%3C%26%3D%2B%23%25%3F%2F");
	assert_string_equal(mp_kb_url_escape(a, "caf\xc3\xa9"), "caf%C3%A9");
}

static void
test_tag_valid(void **state)
{
	(void)state;
	assert_true(mp_kb_tag_valid("dns"));
	assert_true(mp_kb_tag_valid("two-factor"));
	assert_false(mp_kb_tag_valid(""));
	assert_false(mp_kb_tag_valid("-x"));
	assert_false(mp_kb_tag_valid("x-"));
	assert_false(mp_kb_tag_valid("DNS"));
	assert_false(mp_kb_tag_valid("a b"));
	assert_true(mp_kb_tag_valid(
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));	/* 40 */
	assert_false(mp_kb_tag_valid(
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));	/* 41 */
}

static void
test_render(void **state)
{
	struct mp_kb_render	 r;
	const char		*md = "Lead text.\n\n## Main\n\nBody <b>x</b>\n\n"
	    "[a](javascript:alert(1)) [b](https://e.example/) [c](/help)\n\n"
	    "### Two words\n\n| h | i |\n|---|---|\n| 1 | 2 |\n";

	(void)state;
	assert_int_equal(mp_kb_render(a, md, strlen(md), "Title", &r), MP_OK);
	/* "main" is the page's own id: the heading takes main-2. */
	assert_non_null(strstr(r.html, "<h2 id=\"main-2\">Main</h2>"));
	assert_non_null(strstr(r.html, "<h3 id=\"two-words\">"));
	assert_null(strstr(r.html, "<b>"));
	assert_non_null(strstr(r.html, "<a href=\"\">a</a>"));
	assert_non_null(strstr(r.html,
	    "<a rel=\"nofollow ugc noopener\" href=\"https://e.example/\">"));
	assert_non_null(strstr(r.html, "<a href=\"/help\">c</a>"));
	assert_non_null(strstr(r.html, "<table>"));
	assert_int_equal(r.nsec, 3);
	assert_int_equal(r.sec[0].level, 1);
	assert_string_equal(r.sec[0].heading, "Title");
	assert_string_equal(r.sec[1].anchor, "main-2");
	assert_string_equal(r.sec[2].heading, "Two words");
	assert_int_equal(r.sec[2].level, 3);
	assert_non_null(strstr(r.sec[2].text, "1 | 2"));
}

static void
test_render_limits(void **state)
{
	struct mp_kb_render	 r;
	char			*big;
	size_t			 n, i;

	(void)state;
	/* 256 KB is accepted, one byte more is not. */
	big = malloc(MP_KB_MD_MAX + 2);
	memset(big, 'a', MP_KB_MD_MAX + 1);
	big[MP_KB_MD_MAX + 1] = '\0';
	assert_int_equal(mp_kb_render(a, big, MP_KB_MD_MAX, "t", &r), MP_OK);
	assert_int_equal(mp_kb_render(a, big, MP_KB_MD_MAX + 1, "t", &r),
	    MP_ELIMIT);
	/* A wide header over many lines: refused before cmark sees it. */
	n = 0;
	for (i = 0; i < 65; i++)
		n += (size_t)snprintf(big + n, 8, "x|");
	big[n++] = '\n';
	for (i = 0; i < 65; i++)
		n += (size_t)snprintf(big + n, 8, "-|");
	big[n++] = '\n';
	big[n] = '\0';
	assert_int_equal(mp_kb_render(a, big, n, "t", &r), MP_ELIMIT);
	/* 64 columns are fine. */
	n = 0;
	for (i = 0; i < 64; i++)
		n += (size_t)snprintf(big + n, 8, "x|");
	big[n++] = '\n';
	for (i = 0; i < 64; i++)
		n += (size_t)snprintf(big + n, 8, "-|");
	big[n++] = '\n';
	big[n] = '\0';
	assert_int_equal(mp_kb_render(a, big, n, "t", &r), MP_OK);
	assert_int_equal(mp_kb_render(a, "\xff", 1, "t", &r), MP_EINPUT);
	free(big);
}

/* Read a whole file into the arena; NULL if it cannot be read. */
static char *
slurp(const char *path, size_t *len)
{
	FILE	*f = fopen(path, "rb");
	char	*buf;
	long	 n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = mp_alloc(a, (size_t)n + 1);
	*len = fread(buf, 1, (size_t)n, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

/*
 * The golden markdown render: hostile source (raw HTML, script and data
 * URLs, attribute injection in tables) against the stored expectation.
 * MP_GOLDEN_UPDATE=1 rewrites the expectation; check its diff.
 */
static void
test_render_golden(void **state)
{
	const char		*md_path = MP_SRCDIR
	    "/tests/golden/cases/kb_markdown_safety.md";
	const char		*html_path = MP_SRCDIR
	    "/tests/golden/cases/kb_markdown_safety.html";
	struct mp_kb_render	 r;
	char			*md, *want;
	size_t			 len, wlen;
	FILE			*f;

	(void)state;
	assert_non_null(md = slurp(md_path, &len));
	assert_int_equal(mp_kb_render(a, md, len, "Golden", &r), MP_OK);
	if (getenv("MP_GOLDEN_UPDATE") != NULL) {
		assert_non_null(f = fopen(html_path, "wb"));
		fputs(r.html, f);
		fclose(f);
	}
	assert_non_null(want = slurp(html_path, &wlen));
	assert_string_equal(r.html, want);
	assert_null(strstr(r.html, "<script"));
	assert_null(strstr(r.html, "<iframe"));
	assert_null(strstr(r.html, "<img src=x"));
	assert_null(strstr(r.html, "javascript:"));
	assert_null(strstr(r.html, "JAVASCRIPT:"));
	assert_null(strstr(r.html, "data:text"));
	assert_null(strstr(r.html, "\" onmouseover"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slugify),
		cmocka_unit_test(test_prefix_query),
		cmocka_unit_test(test_snippet_html),
		cmocka_unit_test(test_snippet_stemmer_forms),
		cmocka_unit_test(test_norm_query),
		cmocka_unit_test(test_query_lexemes),
		cmocka_unit_test(test_url_escape),
		cmocka_unit_test(test_tag_valid),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_render_limits),
		cmocka_unit_test(test_render_golden),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
