/* Unit tests for the JSON writer: layout, escaping as json-c, depth, cap. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <limits.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "core/extern.h"

#define PLAIN	(JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* json-c's printing of o (which it frees), as mp_resp_json prints. */
static void
assert_same_as_jsonc(struct mp_buf *b, struct json_object *o)
{
	const char	*s = json_object_to_json_string_ext(o, PLAIN);

	assert_int_equal(b->err, 0);
	assert_string_equal(mp_buf_cstr(b), s);
	json_object_put(o);
}

static void
test_layout(void **state)
{
	struct mp_buf		 b;
	struct mp_jw		 jw;
	struct json_object	*o, *a, *in;

	mp_buf_init(&b, 0);
	mp_jw_init(&jw, &b);
	mp_jw_obj(&jw, NULL);
	mp_jw_str(&jw, "id", "abc");
	mp_jw_str(&jw, "none", NULL);
	mp_jw_int(&jw, "min", LLONG_MIN);
	mp_jw_int(&jw, "max", LLONG_MAX);
	mp_jw_bool(&jw, "yes", 1);
	mp_jw_bool(&jw, "no", 0);
	mp_jw_arr(&jw, "empty");
	mp_jw_end(&jw);
	mp_jw_obj(&jw, "nothing");
	mp_jw_end(&jw);
	mp_jw_arr(&jw, "list");
	mp_jw_str(&jw, "ignored key", "x");
	mp_jw_int(&jw, NULL, 2);
	mp_jw_obj(&jw, NULL);
	mp_jw_null(&jw, "n");
	mp_jw_end(&jw);
	mp_jw_end(&jw);
	mp_jw_str(&jw, "last", "");
	mp_jw_end(&jw);
	assert_int_equal(jw.depth, 0);

	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string("abc"));
	json_object_object_add(o, "none", NULL);
	json_object_object_add(o, "min", json_object_new_int64(LLONG_MIN));
	json_object_object_add(o, "max", json_object_new_int64(LLONG_MAX));
	json_object_object_add(o, "yes", json_object_new_boolean(1));
	json_object_object_add(o, "no", json_object_new_boolean(0));
	json_object_object_add(o, "empty", json_object_new_array());
	json_object_object_add(o, "nothing", json_object_new_object());
	a = json_object_new_array();
	json_object_array_add(a, json_object_new_string("x"));
	json_object_array_add(a, json_object_new_int(2));
	in = json_object_new_object();
	json_object_object_add(in, "n", NULL);
	json_object_array_add(a, in);
	json_object_object_add(o, "list", a);
	json_object_object_add(o, "last", json_object_new_string(""));
	assert_same_as_jsonc(&b, o);
	mp_buf_free(&b);
}

/* Every byte but NUL, alone and inside text, escaped as json-c does. */
static void
test_escape_every_byte(void **state)
{
	struct mp_buf	 b;
	struct mp_jw	 jw;
	char		 s[8];
	int		 c;

	mp_buf_init(&b, 0);
	for (c = 1; c < 256; c++) {
		s[0] = 'a';
		s[1] = (char)c;
		s[2] = 'b';
		s[3] = (char)c;
		s[4] = '\0';
		mp_buf_reset(&b);
		mp_jw_init(&jw, &b);
		mp_jw_str(&jw, NULL, s);
		assert_same_as_jsonc(&b, json_object_new_string(s));
		mp_buf_reset(&b);
		mp_jw_init(&jw, &b);
		mp_jw_str(&jw, NULL, s + 1);
		assert_same_as_jsonc(&b, json_object_new_string(s + 1));
	}
	mp_buf_free(&b);
}

/* Keys are escaped too; UTF-8 and '/' stay as they are. */
static void
test_escape_text(void **state)
{
	static const char *const texts[] = {
		"", "plain", "\"quoted\" \\path\\", "a/b </script>",
		"line\none\r\ttab\b\f", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
		"\x01\x1f\x7f", "ends with \\",
	};
	struct mp_buf		 b;
	struct mp_jw		 jw;
	struct json_object	*o;
	size_t			 i;

	mp_buf_init(&b, 0);
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		mp_buf_reset(&b);
		mp_jw_init(&jw, &b);
		mp_jw_obj(&jw, NULL);
		mp_jw_str(&jw, texts[i], texts[i]);
		mp_jw_end(&jw);
		o = json_object_new_object();
		json_object_object_add(o, texts[i],
		    json_object_new_string(texts[i]));
		assert_same_as_jsonc(&b, o);
	}
	mp_buf_free(&b);
}

/*
 * Script mode: json-c's text with '<', '>' and '&' then replaced, as the
 * JSON-LD of a page needs; "</script" can never appear.
 */
static void
test_script(void **state)
{
	static const char *const texts[] = {
		"</script><script>alert(1)</script>", "a & b > c < d",
		"<!-- x -->", "\"<\\/script>\"", "plain",
	};
	struct mp_buf		 b, want;
	struct mp_jw		 jw;
	struct json_object	*o;
	const char		*s;
	size_t			 i;

	mp_buf_init(&b, 0);
	mp_buf_init(&want, 0);
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		mp_buf_reset(&b);
		mp_jw_init(&jw, &b);
		jw.script = 1;
		mp_jw_arr(&jw, NULL);
		mp_jw_str(&jw, NULL, texts[i]);
		mp_jw_obj(&jw, NULL);
		mp_jw_str(&jw, "k<&>", texts[i]);
		mp_jw_end(&jw);
		mp_jw_end(&jw);
		o = json_object_new_array();
		json_object_array_add(o, json_object_new_string(texts[i]));
		json_object_array_add(o, json_object_new_object());
		json_object_object_add(json_object_array_get_idx(o, 1),
		    "k<&>", json_object_new_string(texts[i]));
		mp_buf_reset(&want);
		for (s = json_object_to_json_string_ext(o, PLAIN); *s != '\0';
		    s++) {
			if (*s == '<')
				mp_buf_puts(&want, "\\u003c");
			else if (*s == '>')
				mp_buf_puts(&want, "\\u003e");
			else if (*s == '&')
				mp_buf_puts(&want, "\\u0026");
			else
				mp_buf_putc(&want, *s);
		}
		json_object_put(o);
		assert_int_equal(b.err, 0);
		assert_string_equal(mp_buf_cstr(&b), mp_buf_cstr(&want));
		assert_null(strstr(mp_buf_cstr(&b), "</"));
	}
	mp_buf_free(&b);
	mp_buf_free(&want);
}

/* Doubles as json-c prints them; what JSON cannot hold is null. */
static void
test_double(void **state)
{
	static const double	 v[] = {
		0, -0.0, 1, -1, 0.5, 0.1, 1.0 / 3, 2.5e-7, 123456789012345678.0,
		1e21, 1e300, -1e-300, 4.9e-324, 0.8234567f, 0.1f, 3.14159f,
		1.7976931348623157e308,
	};
	struct mp_buf		 b;
	struct mp_jw		 jw;
	size_t			 i;

	mp_buf_init(&b, 0);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		mp_buf_reset(&b);
		mp_jw_init(&jw, &b);
		mp_jw_double(&jw, NULL, v[i]);
		assert_same_as_jsonc(&b, json_object_new_double(v[i]));
	}
	mp_buf_reset(&b);
	mp_jw_init(&jw, &b);
	mp_jw_arr(&jw, NULL);
	mp_jw_double(&jw, NULL, NAN);
	mp_jw_double(&jw, NULL, INFINITY);
	mp_jw_double(&jw, NULL, -INFINITY);
	mp_jw_end(&jw);
	assert_string_equal(mp_buf_cstr(&b), "[null,null,null]");
	mp_buf_free(&b);
}

static void
test_raw(void **state)
{
	static const char	 aff[] = "[{\"id\": \"c1\", \"status\": \"major\"}]";
	struct mp_buf		 b;
	struct mp_jw		 jw;

	mp_buf_init(&b, 0);
	mp_jw_init(&jw, &b);
	mp_jw_obj(&jw, NULL);
	mp_jw_raw(&jw, "affected", aff, strlen(aff));
	mp_jw_int(&jw, "n", 1);
	mp_jw_end(&jw);
	assert_string_equal(mp_buf_cstr(&b),
	    "{\"affected\":[{\"id\": \"c1\", \"status\": \"major\"}],\"n\":1}");
	mp_buf_free(&b);
}

/* 31 levels open and close; the 32nd sets the error; so does an extra end. */
static void
test_depth(void **state)
{
	struct mp_buf	 b;
	struct mp_jw	 jw;
	int		 i;

	mp_buf_init(&b, 0);
	mp_jw_init(&jw, &b);
	for (i = 0; i < MP_JW_DEPTH - 1; i++)
		mp_jw_arr(&jw, NULL);
	assert_int_equal(b.err, 0);
	for (i = 0; i < MP_JW_DEPTH - 1; i++)
		mp_jw_end(&jw);
	assert_int_equal(b.err, 0);
	assert_int_equal(b.len, 2 * (MP_JW_DEPTH - 1));
	assert_int_equal(b.data[MP_JW_DEPTH - 2], '[');
	assert_int_equal(b.data[MP_JW_DEPTH - 1], ']');

	mp_buf_reset(&b);
	mp_jw_init(&jw, &b);
	for (i = 0; i < MP_JW_DEPTH - 1; i++)
		mp_jw_obj(&jw, "k");
	assert_int_equal(b.err, 0);
	mp_jw_obj(&jw, "k");
	assert_int_equal(b.err, 1);

	mp_buf_reset(&b);
	mp_jw_init(&jw, &b);
	mp_jw_end(&jw);
	assert_int_equal(b.err, 1);
	mp_buf_free(&b);
}

/* The buffer's cap holds: the error sticks and nothing more is added. */
static void
test_cap(void **state)
{
	struct mp_buf	 b;
	struct mp_jw	 jw;

	mp_buf_init(&b, 12);
	mp_jw_init(&jw, &b);
	mp_jw_obj(&jw, NULL);
	mp_jw_str(&jw, "k", "value");
	assert_int_equal(b.err, 0);
	assert_string_equal(mp_buf_cstr(&b), "{\"k\":\"value\"");
	mp_jw_end(&jw);
	assert_int_equal(b.err, 1);
	assert_int_equal(b.len, 12);
	mp_buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_escape_every_byte),
		cmocka_unit_test(test_escape_text),
		cmocka_unit_test(test_script),
		cmocka_unit_test(test_double),
		cmocka_unit_test(test_raw),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
