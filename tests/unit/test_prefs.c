/* Unit tests for the preferences feature's pure helpers: country calling codes, category names, the masked address. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "features/prefs/extern.h"

/* One-digit codes (NANP, Russia/Kazakhstan), ITU's two-digit ones, else three. */
static void
test_country_codes(void **state)
{
	struct mp_arena	*a = mp_arena_new(4096);

	(void)state;
	assert_string_equal(mp_prefs_country_code(a, "+15551234567"), "1");
	assert_string_equal(mp_prefs_country_code(a, "+79161234567"), "7");
	assert_string_equal(mp_prefs_country_code(a, "+447700900123"), "44");
	assert_string_equal(mp_prefs_country_code(a, "+4915112345678"), "49");
	assert_string_equal(mp_prefs_country_code(a, "+201001234567"), "20");
	assert_string_equal(mp_prefs_country_code(a, "+981234567"), "98");
	/* 21x and 35x are three-digit codes (Morocco, Portugal). */
	assert_string_equal(mp_prefs_country_code(a, "+212612345678"), "212");
	assert_string_equal(mp_prefs_country_code(a, "+351912345678"), "351");
	assert_string_equal(mp_prefs_country_code(a, "+9715012345"), "971");
	mp_arena_free(a);
}

static void
test_categories(void **state)
{
	(void)state;
	assert_int_equal(mp_prefs_cat_index("billing"), 0);
	assert_int_equal(mp_prefs_cat_index("product"), PREFS_NCAT - 1);
	assert_int_equal(mp_prefs_cat_index("security"), 3);
	assert_true(mp_prefs_cats[3].locked);
	assert_int_equal(mp_prefs_cat_index("status"), -1);
	assert_int_equal(mp_prefs_cat_index("Billing"), -1);
	assert_int_equal(mp_prefs_cat_index(NULL), -1);
}

static void
test_mask(void **state)
{
	struct mp_arena	*a = mp_arena_new(4096);

	(void)state;
	assert_string_equal(mp_prefs_mask(a, "jane@example.com"),
	    "j***@example.com");
	assert_string_equal(mp_prefs_mask(a, "jo@example.com"),
	    "j***@example.com");
	/* Too short to hide anything: shown as it is. */
	assert_string_equal(mp_prefs_mask(a, "j@example.com"), "j@example.com");
	assert_string_equal(mp_prefs_mask(a, "+15551234567"), "+15551234567");
	mp_arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_country_codes),
		cmocka_unit_test(test_categories),
		cmocka_unit_test(test_mask),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
