/* Unit tests for JSON parsing: strictness, trailing data, depth, ownership. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "core/extern.h"

static enum mp_err
parse(struct mp_arena *a, const char *s, int depth, struct json_object **o,
    char *err)
{

	err[0] = '\0';
	return mp_json_parse(a, s, strlen(s), depth, o, err, 256);
}

static void
test_ok(void **state)
{
	struct mp_arena		*a = mp_arena_new(0);
	struct json_object	*o, *v;
	char			 err[256];

	assert_int_equal(parse(a, "{\"email\":\"a@b.test\",\"n\":[1,2]}", 32,
	    &o, err), MP_OK);
	assert_true(json_object_object_get_ex(o, "email", &v));
	assert_string_equal(json_object_get_string(v), "a@b.test");
	assert_int_equal(parse(a, "  {}\r\n\t ", 32, &o, err), MP_OK);
	assert_int_equal(parse(a, "123", 32, &o, err), MP_OK);
	assert_int_equal(json_object_get_int(o), 123);
	assert_int_equal(parse(a, "true", 32, &o, err), MP_OK);
	assert_int_equal(parse(a, "\"h\\u00e9\"", 32, &o, err), MP_OK);
	assert_string_equal(json_object_get_string(o), "h\xc3\xa9");
	mp_arena_free(a);	/* ASan: every root was released */
}

static void
test_malformed(void **state)
{
	static const char *const bad[] = {
		"", "   ", "{", "{\"a\":1", "{}x", "{} {}", "[1,]", "{a:1}",
		"1 2", "[1] garbage", "nul", "{\"a\":01}", "[\"\xff\"]",
		"[\"\\u0000\"]", "{\"a\":\"x\\u0000y\"}", "\"unterminated",
	};
	struct mp_arena		*a = mp_arena_new(0);
	struct json_object	*o;
	char			 err[256];
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o = (struct json_object *)1;
		if (parse(a, bad[i], 32, &o, err) != MP_EINPUT)
			fail_msg("accepted %s", bad[i]);
		assert_null(o);
		assert_non_null(strstr(err, "malformed JSON"));
	}
	assert_int_equal(parse(a, "{}x", 32, &o, err), MP_EINPUT);
	assert_string_equal(err, "malformed JSON at byte 2: "
	    "unexpected character");
	assert_int_equal(parse(a, "[1,2,?]", 32, &o, err), MP_EINPUT);
	assert_string_equal(err, "malformed JSON at byte 5: "
	    "unexpected character");
	/* An embedded NUL byte is trailing data, not the end of input. */
	assert_int_equal(mp_json_parse(a, "{}\0{}", 5, 32, &o, err, 256),
	    MP_EINPUT);
	mp_arena_free(a);
}

static char *
nest(char *buf, int depth)
{
	int	 i;

	for (i = 0; i < depth; i++)
		buf[i] = '[';
	for (i = 0; i < depth; i++)
		buf[depth + i] = ']';
	buf[2 * depth] = '\0';
	return buf;
}

/*
 * json-c counts levels of values: "[]" is 1, "[1]" and "[[]]" are 2.
 * Exactly max_depth passes, one more fails with its message.
 */
static void
test_depth(void **state)
{
	struct mp_arena		*a = mp_arena_new(0);
	struct json_object	*o;
	char			 err[256], buf[200];

	assert_int_equal(parse(a, nest(buf, 32), 32, &o, err), MP_OK);
	assert_int_equal(parse(a, nest(buf, 33), 32, &o, err), MP_EINPUT);
	assert_string_equal(err, "JSON nested deeper than 32 levels");
	assert_int_equal(parse(a, nest(buf, 1), 1, &o, err), MP_OK);
	assert_int_equal(parse(a, "{\"a\":{}}", 1, &o, err), MP_EINPUT);
	assert_string_equal(err, "JSON nested deeper than 1 levels");
	assert_int_equal(parse(a, "7", 1, &o, err), MP_OK);
	assert_int_equal(parse(a, "[1]", 1, &o, err), MP_EINPUT);
	assert_int_equal(parse(a, "[1]", 2, &o, err), MP_OK);
	assert_int_equal(parse(a, "{\"a\":[{\"b\":1}]}", 4, &o, err), MP_OK);
	assert_int_equal(parse(a, "{\"a\":[{\"b\":1}]}", 3, &o, err),
	    MP_EINPUT);
	mp_arena_free(a);
}

static void
test_own(void **state)
{
	struct mp_arena		*a = mp_arena_new(0);
	struct json_object	*o;

	o = json_object_new_object();
	json_object_object_add(o, "k", json_object_new_string("v"));
	mp_json_own(a, o);
	mp_json_own(a, NULL);
	mp_arena_reset(a);	/* ASan would report o as leaked otherwise */
	mp_arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_own),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
