/* Unit tests for the brand's colour parsing, WCAG contrast, custom CSS tokenizer checks and image sniffing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "features/brand/extern.h"

#define H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const char *const assets[] = { H64 ".png", NULL };
static char why[300];

static int
check(const char *css)
{
	why[0] = '\0';
	return mp_brand_css_check(css, strlen(css), MP_BRAND_CSS_MAX, assets,
	    why, sizeof(why));
}

static void
test_colors(void **state)
{
	char	 c[8];

	(void)state;
	assert_int_equal(mp_brand_color("#1F5FBF", c), 0);
	assert_string_equal(c, "#1f5fbf");
	assert_int_equal(mp_brand_color("#15b", c), 0);
	assert_string_equal(c, "#1155bb");
	assert_int_equal(mp_brand_color("1f5fbf", c), -1);
	assert_int_equal(mp_brand_color("#1f5fb", c), -1);
	assert_int_equal(mp_brand_color("#1f5fbfa", c), -1);
	assert_int_equal(mp_brand_color("#gggggg", c), -1);
	assert_int_equal(mp_brand_color("#12", c), -1);
	assert_int_equal(mp_brand_color("red", c), -1);
	assert_int_equal(mp_brand_color("", c), -1);
}

static void
test_contrast(void **state)
{
	(void)state;
	/* The extremes and WCAG's published figures. */
	assert_true(mp_brand_contrast("#000000", "#ffffff") > 20.99);
	assert_true(mp_brand_contrast("#ffffff", "#ffffff") < 1.0001);
	/* #767676 is the lightest grey passing AA on white (4.54:1). */
	assert_true(mp_brand_contrast("#767676", "#ffffff") >= 4.5);
	assert_true(mp_brand_contrast("#777777", "#ffffff") < 4.5);
	/* Order does not matter. */
	assert_true(mp_brand_contrast("#ffffff", "#1f5fbf") ==
	    mp_brand_contrast("#1f5fbf", "#ffffff"));
	/* The demo tenants' colours pass; a yellow does not. */
	assert_true(mp_brand_contrast("#6b3fa0", "#ffffff") >= 4.5);
	assert_true(mp_brand_contrast("#b3541e", "#ffffff") >= 4.5);
	assert_true(mp_brand_contrast("#ffcc00", "#ffffff") < 2.0);
}

static void
test_css_ok(void **state)
{
	(void)state;
	assert_int_equal(check(""), 0);
	assert_int_equal(check("header.site { border-bottom: 4px solid "
	    "var(--brand-accent); }\n.hero h1 { letter-spacing: .02em }"), 0);
	assert_int_equal(check("@media (max-width: 40em) { .a { color: "
	    "#123 } }"), 0);
	assert_int_equal(check(".a { content: \"a;b}\" } /* } { */"), 0);
	assert_int_equal(check(".logo { background: url(/brand/" H64
	    ".png) }"), 0);
	assert_int_equal(check(".logo { background: url( \"/brand/" H64
	    ".png\" ) }"), 0);
	assert_int_equal(check("@keyframes x { from { opacity: 0 } to { "
	    "opacity: 1 } }"), 0);
	assert_int_equal(check(".a { width: calc(100% - 2rem) }"), 0);
}

static void
assert_refused(const char *css, const char *needle)
{
	assert_int_equal(check(css), -1);
	if (strstr(why, needle) == NULL)
		fail_msg("\"%s\" refused with \"%s\", wanted \"%s\"", css, why,
		    needle);
}

static void
test_css_refused(void **state)
{
	(void)state;
	assert_refused("@import url(/brand/" H64 ".png);", "@import");
	/* Escapes are decoded before names are compared. */
	assert_refused("@\\69mport 'x.css';", "@import is not allowed");
	assert_refused("@IMPORT 'x.css';", "@IMPORT is not allowed");
	assert_refused("@charset \"utf-8\";", "@charset");
	assert_refused("@namespace svg url(x);", "@namespace");
	assert_refused(".a{}\n</style><script>alert(1)</script>",
	    "line 2: the character \"<\"");
	assert_refused(".a { background: url(https://evil.example/x.png) }",
	    "url(https://evil.example/x.png) is not one");
	assert_refused(".a { background: url('//evil.example/x.png') }",
	    "is not one of this portal's");
	assert_refused(".a { background: u\\72l(https://e.example/) }",
	    "is not one");
	assert_refused(".a { background: URL(/brand/" H64 "0.png) }",
	    "is not one");
	assert_refused(".a { background: url(/brand/../t/globex/" H64
	    ".png) }", "is not one");
	assert_refused(".a {\n\n width: expression(alert(1)) }",
	    "line 3: expression() is not allowed");
	assert_refused(".a { width: ex\\70ression(alert(1)) }",
	    "expression() is not allowed");
	assert_refused(".a { background: image-set('x.png' 1x) }",
	    "image-set() is not allowed");
	assert_refused(".a { x: \"javascript:alert(1)\" }",
	    "\"javascript:\" is not allowed");
	assert_refused(".a { x: \"java\\73 cript:alert(1)\" }",
	    "javascript:");
	assert_refused(".a { x: javascript:alert(1) }", "javascript");
	assert_refused(".a { behavior: url(x.htc) }", "behavior");
	assert_refused(".a { -moz-binding: none }", "-moz-binding");
	assert_refused(".a { color: red", "missing at the end");
	assert_refused(".a { color: red } }", "does not close");
	assert_refused(".a { content: \"open\n}", "not closed");
	assert_refused(".a { background: url(a b) }", "malformed");
}

static void
test_css_size(void **state)
{
	char	*s = malloc(MP_BRAND_CSS_MAX + 2);

	(void)state;
	memset(s, ' ', MP_BRAND_CSS_MAX + 1);
	s[MP_BRAND_CSS_MAX + 1] = '\0';
	assert_int_equal(mp_brand_css_check(s, MP_BRAND_CSS_MAX, MP_BRAND_CSS_MAX,
	    assets, why, sizeof(why)), 0);
	assert_int_equal(mp_brand_css_check(s, MP_BRAND_CSS_MAX + 1,
	    MP_BRAND_CSS_MAX, assets, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "longer than 20000 bytes"));
	/* NUL bytes and broken UTF-8 are refused. */
	assert_int_equal(mp_brand_css_check("a\0b", 3, 100, assets, why,
	    sizeof(why)), -1);
	assert_int_equal(mp_brand_css_check("\xff", 1, 100, assets, why,
	    sizeof(why)), -1);
	free(s);
}

static void
test_images(void **state)
{
	static const unsigned char png[] = "\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR"
	    "\0\0\x01\x00\0\0\0\x40\x08\x06\0\0\0";
	static const unsigned char jpg[] = "\xff\xd8\xff\xe0\0\x10JFIF\0\x01"
	    "\x01\0\0\x01\0\x01\0\0\xff\xc0\0\x11\x08\0\x20\0\x30\x03\x01\x22"
	    "\0\x02\x11\x01\x03\x11\x01\xff\xd9";
	static const unsigned char webp[] = "RIFF\x24\0\0\0WEBPVP8X\x0a\0\0\0"
	    "\0\0\0\0\x3f\0\0\x1f\0\0\0\0\0\0";
	static const unsigned char svg[] = "<?xml version=\"1.0\"?><svg "
	    "xmlns=\"http://www.w3.org/2000/svg\"/>";
	static const unsigned char exe[] = "MZ\x90\0\x03\0\0\0\x04\0\0\0\xff"
	    "\xff\0\0\xb8\0\0\0\0\0\0\0\x40\0\0\0";
	unsigned char		 ico[22 + 4];
	struct mp_brand_img	 im;
	const char		*w = NULL;

	(void)state;
	assert_int_equal(mp_brand_image(png, sizeof(png) - 1, &im, &w), 0);
	assert_string_equal(im.ext, "png");
	assert_int_equal(im.w, 256);
	assert_int_equal(im.h, 64);
	assert_int_equal(mp_brand_image(jpg, sizeof(jpg) - 1, &im, &w), 0);
	assert_string_equal(im.ext, "jpg");
	assert_int_equal(im.w, 48);
	assert_int_equal(im.h, 32);
	assert_int_equal(mp_brand_image(webp, sizeof(webp) - 1, &im, &w), 0);
	assert_string_equal(im.ext, "webp");
	assert_int_equal(im.w, 64);
	assert_int_equal(im.h, 32);
	memset(ico, 0, sizeof(ico));
	ico[2] = 1;
	ico[4] = 1;
	ico[6] = 16;
	ico[7] = 16;
	ico[14] = 4;		/* size 4 */
	ico[18] = 22;		/* at offset 22 */
	assert_int_equal(mp_brand_image(ico, sizeof(ico), &im, &w), 0);
	assert_string_equal(im.ext, "ico");
	assert_int_equal(im.w, 16);
	/* An icon entry pointing past the end is refused. */
	ico[18] = 23;
	assert_int_equal(mp_brand_image(ico, sizeof(ico), &im, &w), -1);
	assert_int_equal(mp_brand_image(svg, sizeof(svg) - 1, &im, &w), -1);
	assert_non_null(strstr(w, "SVG"));
	assert_int_equal(mp_brand_image(exe, sizeof(exe) - 1, &im, &w), -1);
	assert_non_null(strstr(w, "not a PNG"));
	/* A PNG signature with a zero width. */
	{
		unsigned char z[sizeof(png)];

		memcpy(z, png, sizeof(png));
		memset(z + 16, 0, 4);
		assert_int_equal(mp_brand_image(z, sizeof(z) - 1, &im, &w), -1);
	}
	/* Truncated headers. */
	assert_int_equal(mp_brand_image(png, 20, &im, &w), -1);
	assert_int_equal(mp_brand_image(jpg, 10, &im, &w), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_colors),
		cmocka_unit_test(test_contrast),
		cmocka_unit_test(test_css_ok),
		cmocka_unit_test(test_css_refused),
		cmocka_unit_test(test_css_size),
		cmocka_unit_test(test_images),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
