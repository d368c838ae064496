/* Unit tests for the JSON table reader: the same values as json-c, malformed text refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "core/extern.h"

/*
 * Read text with mp_json_rows and with json-c, and require the same
 * table: as many rows, as many values in each, every string equal
 * (json-c's string of a number or boolean is how it was written too, for
 * the integers and literals used here), null as NULL.
 */
static void
assert_reads_as_jsonc(const char *text)
{
	struct mp_arena		*a = mp_arena_new(0);
	struct json_object	*t, *row, *v;
	struct mp_jrow		*rows;
	long			 n;
	size_t			 i, j;

	t = json_tokener_parse(text);
	assert_non_null(t);
	n = mp_json_rows(a, text, &rows);
	assert_int_equal(n, (long)json_object_array_length(t));
	for (i = 0; i < (size_t)n; i++) {
		row = json_object_array_get_idx(t, i);
		assert_int_equal(rows[i].n, json_object_array_length(row));
		for (j = 0; j < rows[i].n; j++) {
			v = json_object_array_get_idx(row, j);
			if (v == NULL)
				assert_null(rows[i].v[j]);
			else
				assert_string_equal(rows[i].v[j],
				    json_object_get_string(v));
		}
	}
	json_object_put(t);
	mp_arena_free(a);
}

static void
test_shapes(void **state)
{
	(void)state;
	assert_reads_as_jsonc("[]");
	assert_reads_as_jsonc("[[]]");
	assert_reads_as_jsonc("[[], []]");
	assert_reads_as_jsonc(" [ [ 2 , \"a\" , \"B c\" ] ,[3,\"d\",\"\"] ] ");
	assert_reads_as_jsonc("[[\"x\", null, true, false, -12, 0]]");
	assert_reads_as_jsonc("[[\"one\"], [\"two\", \"three\", \"four\", \"five\","
	    " \"six\", \"seven\", \"eight\", \"nine\"]]");
	/* As PostgreSQL prints json_build_array: spaces after commas. */
	assert_reads_as_jsonc("[[\"0123abcd\", \"a-slug\", \"A \\\"quoted\\\" "
	    "title\"], [\"99\", \"b\", \"Ünïcödé ✓ 😀\"]]");
}

/* Every escape JSON has, as json-c itself writes them and by hand. */
static void
test_escapes(void **state)
{
	struct json_object	*t, *row;
	char			 s[2], text[64];
	int			 c;

	(void)state;
	t = json_object_new_array();
	row = json_object_new_array();
	for (c = 1; c < 256; c++) {
		s[0] = (char)c;
		s[1] = '\0';
		json_object_array_add(row, json_object_new_string(s));
	}
	json_object_array_add(row, json_object_new_string("a/b</script>\\\"\t\r\n"));
	json_object_array_add(t, row);
	assert_reads_as_jsonc(json_object_to_json_string_ext(t,
	    JSON_C_TO_STRING_PLAIN));
	assert_reads_as_jsonc(json_object_to_json_string_ext(t,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(t);
	assert_reads_as_jsonc("[[\"\\b\\f\\n\\r\\t\\/\\\\\\\"\"]]");
	assert_reads_as_jsonc("[[\"\\u0041\\u00e9\\u20AC\\u00fC\"]]");
	/* A surrogate pair is one character of four bytes. */
	assert_reads_as_jsonc("[[\"\\ud83d\\ude00 and \\uD834\\uDD1E\"]]");
	snprintf(text, sizeof(text), "[[\"%s\"]]", "\\ud83d\\ude00");
	{
		struct mp_arena	*a = mp_arena_new(0);
		struct mp_jrow	*rows;

		assert_int_equal(mp_json_rows(a, text, &rows), 1);
		assert_string_equal(rows[0].v[0], "\xf0\x9f\x98\x80");
		mp_arena_free(a);
	}
}

/* Not such a table, or not JSON: -1 and no rows, never a partial table. */
static void
test_refused(void **state)
{
	static const char *bad[] = {
		"", " ", "{}", "[", "[[", "[[1]", "[[1]]x", "[[1],]", "[[1,]]",
		"[1]", "[\"a\"]", "[[[1]]]", "[[{}]]", "[[1] [2]]", "[[\"a]]",
		"[[\"a\\\"]]", "[[\"\\x\"]]", "[[\"\\u12\"]]", "[[\"\\u00zz\"]]",
		"[[\"\\u0000\"]]", "[[\"\\ude00\"]]", "[[\"\\ud83d\"]]",
		"[[\"\\ud83d\\u0041\"]]", "[[\"tab\there\"]]", "[[nul]]",
		"[[tru]]", "[[.5]]", "[[abc]]", "[[\"a\" \"b\"]]", "[]]",
	};
	struct mp_arena	*a = mp_arena_new(0);
	struct mp_jrow	*rows;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rows = (struct mp_jrow *)1;
		if (mp_json_rows(a, bad[i], &rows) != -1 || rows != NULL)
			fail_msg("accepted: %s", bad[i]);
	}
	assert_int_equal(mp_json_rows(a, NULL, &rows), -1);
	mp_arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
