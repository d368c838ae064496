/* Unit tests for the mail and queue helpers: HTML to text, base64, E.164, backoff bounds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "features/notify/notify.h"
#include "features/queue/queue.h"

static void
test_html_to_text(void **state)
{
	struct mp_arena	*a = mp_arena_new(4096);
	char		*t;

	t = mp_mail_html_to_text(a, "<html><head><title>x</title>"
	    "<style>p{color:red}</style></head><body><h1>Hello &amp; "
	    "welcome</h1><p>Line   one<br>line two</p><ul><li>a</li>"
	    "<li>b</li></ul><p><a href=\"https://e.test/?a=1&amp;b=2\">"
	    "the link</a> and <a href=\"https://e.test/\">https://e.test/"
	    "</a></p><script>alert(1)</script></body></html>");
	assert_string_equal(t, "Hello & welcome\n\nLine one\nline two\n\n"
	    "- a\n- b\n\nthe link (https://e.test/?a=1&b=2) and "
	    "https://e.test/\n");
	/* Nothing but text stays text; an empty body is one newline. */
	assert_string_equal(mp_mail_html_to_text(a, "plain &lt;b&gt;"),
	    "plain <b>\n");
	assert_string_equal(mp_mail_html_to_text(a, ""), "\n");
	/* An unterminated tag does not read past the end. */
	assert_string_equal(mp_mail_html_to_text(a, "ok <b"), "ok\n");
	mp_arena_free(a);
}

static void
test_base64(void **state)
{
	struct mp_arena	*a = mp_arena_new(4096);

	assert_string_equal(mp_base64(a, "", 0), "");
	assert_string_equal(mp_base64(a, "f", 1), "Zg==");
	assert_string_equal(mp_base64(a, "fo", 2), "Zm8=");
	assert_string_equal(mp_base64(a, "foo", 3), "Zm9v");
	assert_string_equal(mp_base64(a, "foobar", 6), "Zm9vYmFy");
	assert_string_equal(mp_base64(a, "\xff\xfe\xfd", 3), "//79");
	mp_arena_free(a);
}

static void
test_e164(void **state)
{
	assert_true(mp_e164_valid("+15551234567"));
	assert_true(mp_e164_valid("+4930123"));		/* 7 digits */
	assert_true(mp_e164_valid("+123456789012345"));	/* 15 digits */
	assert_false(mp_e164_valid("+1234567890123456"));	/* 16 */
	assert_false(mp_e164_valid("+123456"));		/* 6 */
	assert_false(mp_e164_valid("15551234567"));
	assert_false(mp_e164_valid("+05551234567"));
	assert_false(mp_e164_valid("+1555 123 4567"));
	assert_false(mp_e164_valid("+1555123456a"));
	assert_false(mp_e164_valid(""));
	assert_false(mp_e164_valid(NULL));
}

static void
test_backoff_bounds(void **state)
{
	struct mp_config	*cfg = calloc(1, sizeof(*cfg));
	double			 d;
	int			 i, n;

	assert_non_null(cfg);
	mp_config_defaults(cfg);
	/* The queue's defaults, which the expected delays below follow. */
	assert_int_equal(mp_queue_conf(cfg)->email_retry_base, 30);
	assert_int_equal(mp_queue_conf(cfg)->email_retry_cap, 14400);
	for (n = 1; n <= 60; n++)
		for (i = 0; i < 50; i++) {
			d = mp_job_backoff(cfg, "email.send", n);
			double full = 30.0 * (n > 20 ? 1e9 : (double)(1 << (n - 1)));

			if (full > 14400)
				full = 14400;
			assert_true(d >= full * 0.5 - 1e-9);
			assert_true(d <= full + 1e-9);
		}
	/* Attempt 0 (never happens) is treated as the first. */
	d = mp_job_backoff(cfg, "email.send", 0);
	assert_true(d >= 15 && d <= 30);
	/* An unknown kind gets the default policy: 30 s first. */
	d = mp_job_backoff(cfg, "no.such.kind", 1);
	assert_true(d >= 15 && d <= 30);
	mp_config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_html_to_text),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_e164),
		cmocka_unit_test(test_backoff_bounds),
	};

	mp_features_config();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
