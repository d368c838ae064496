/* Unit tests for the buffer: growth, cap, sticky error, HTML escaping. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/extern.h"

static void
test_empty(void **state)
{
	struct mp_buf	 b;

	mp_buf_init(&b, 0);
	assert_string_equal(mp_buf_cstr(&b), "");
	assert_int_equal(b.len, 0);
	mp_buf_add(&b, "x", 0);
	assert_string_equal(mp_buf_cstr(&b), "");
	mp_buf_free(&b);
}

static void
test_append_and_grow(void **state)
{
	struct mp_buf	 b;
	int		 i;

	mp_buf_init(&b, 0);
	mp_buf_puts(&b, "ab");
	mp_buf_putc(&b, 'c');
	mp_buf_add(&b, "d\0e", 3);
	assert_int_equal(b.len, 6);
	assert_memory_equal(b.data, "abcd\0e", 6);
	mp_buf_reset(&b);
	for (i = 0; i < 10000; i++)
		mp_buf_printf(&b, "%04d", i % 10000);
	assert_int_equal(b.len, 40000);
	assert_memory_equal(b.data + 39996, "9999", 4);
	assert_int_equal(strlen(mp_buf_cstr(&b)), 40000);
	assert_int_equal(b.err, 0);
	mp_buf_free(&b);
}

static void
test_printf_long(void **state)
{
	struct mp_buf	 b;
	char		 s[1000];

	memset(s, 'z', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	mp_buf_init(&b, 0);
	mp_buf_puts(&b, "[");
	mp_buf_printf(&b, "%s|%d", s, -7);
	assert_int_equal(b.len, 1 + 999 + 3);
	assert_string_equal(mp_buf_cstr(&b) + 1000, "|-7");
	mp_buf_free(&b);
}

/* Exactly max bytes fit; one more sets err and is not appended. */
static void
test_max(void **state)
{
	struct mp_buf	 b;

	mp_buf_init(&b, 8);
	mp_buf_puts(&b, "1234");
	mp_buf_printf(&b, "%s", "5678");
	assert_int_equal(b.len, 8);
	assert_int_equal(b.err, 0);
	mp_buf_putc(&b, '9');
	assert_int_equal(b.err, 1);
	assert_int_equal(b.len, 8);
	assert_string_equal(mp_buf_cstr(&b), "12345678");
	mp_buf_reset(&b);	/* clears the error */
	assert_int_equal(b.err, 0);
	mp_buf_puts(&b, "123456789");	/* one over in one append */
	assert_int_equal(b.err, 1);
	assert_int_equal(b.len, 0);
	mp_buf_puts(&b, "1");	/* sticky */
	assert_int_equal(b.len, 0);
	mp_buf_reset(&b);
	mp_buf_printf(&b, "%d", 123456789);
	assert_int_equal(b.err, 1);
	mp_buf_free(&b);
}

/* Formatting into spare capacity keeps what came before and the NUL. */
static void
test_printf_spare(void **state)
{
	struct mp_buf	 b;
	int		 i;

	mp_buf_init(&b, 0);
	mp_buf_puts(&b, "x");		/* capacity 256 now */
	for (i = 0; i < 100; i++)	/* fills it, then grows twice */
		mp_buf_printf(&b, "%03d,", i);
	assert_int_equal(b.len, 401);
	assert_int_equal(strlen(mp_buf_cstr(&b)), 401);
	assert_memory_equal(mp_buf_cstr(&b), "x000,001,", 9);
	assert_string_equal(mp_buf_cstr(&b) + 397, "099,");
	mp_buf_printf(&b, "%s", "");
	assert_int_equal(b.len, 401);
	mp_buf_free(&b);
}

static void
test_html(void **state)
{
	struct mp_buf	 b;

	mp_buf_init(&b, 0);
	mp_buf_html(&b, "<script>alert('x&y')</script>\"");
	assert_string_equal(mp_buf_cstr(&b),
	    "&lt;script&gt;alert(&#39;x&amp;y&#39;)&lt;/script&gt;&quot;");
	mp_buf_reset(&b);
	mp_buf_html(&b, "plain é text");
	assert_string_equal(mp_buf_cstr(&b), "plain é text");
	mp_buf_reset(&b);
	mp_buf_html(&b, "");
	mp_buf_html(&b, NULL);
	assert_string_equal(mp_buf_cstr(&b), "");
	mp_buf_html(&b, "&&");
	assert_string_equal(mp_buf_cstr(&b), "&amp;&amp;");
	/* A byte range: only its n bytes, escaped. */
	mp_buf_reset(&b);
	mp_buf_html_n(&b, "a<b>c", 3);
	assert_string_equal(mp_buf_cstr(&b), "a&lt;b");
	mp_buf_html_n(&b, "x", 0);
	assert_string_equal(mp_buf_cstr(&b), "a&lt;b");
	mp_buf_free(&b);
}

/* An escape that does not fit is not half-written. */
static void
test_html_max(void **state)
{
	struct mp_buf	 b;

	mp_buf_init(&b, 6);
	mp_buf_html(&b, "a<b");
	assert_int_equal(b.err, 0);
	assert_string_equal(mp_buf_cstr(&b), "a&lt;b");
	mp_buf_reset(&b);
	mp_buf_html(&b, "abc<");
	assert_int_equal(b.err, 1);
	assert_string_equal(mp_buf_cstr(&b), "abc");
	mp_buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_append_and_grow),
		cmocka_unit_test(test_printf_long),
		cmocka_unit_test(test_printf_spare),
		cmocka_unit_test(test_max),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_html_max),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
