/* Unit tests for the survey metrics, against hand-computed cases, and the low-score rule. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "features/surveys/surveys.h"

/* sent, answered, good (4-5), promoters, passives, detractors, sum */

/* 5, 4, 3, 1 answered and 2 unanswered: CSAT % = 2/4, not 2/6. */
static void
test_csat_excludes_unanswered(void **state)
{
	struct mp_survey_counts	 c = { 6, 4, 2, 0, 0, 0, 13 };
	double			 v = -1;

	(void)state;
	assert_true(mp_survey_csat_pct(&c, &v));
	assert_float_equal(v, 50.0, 1e-9);
	assert_true(mp_survey_average(&c, &v));
	assert_float_equal(v, 3.25, 1e-9);
	/* ... but the response rate counts them: 4/6 = 66.67 -> 66.7 */
	assert_true(mp_survey_rate(&c, &v));
	assert_float_equal(v, 66.7, 1e-9);
}

/* 2 of 3 satisfied: 66.666... rounds to 66.7; 1 of 3: 33.3. */
static void
test_csat_rounding(void **state)
{
	struct mp_survey_counts	 a = { 3, 3, 2, 0, 0, 0, 12 };
	struct mp_survey_counts	 b = { 3, 3, 1, 0, 0, 0, 9 };
	struct mp_survey_counts	 h = { 8, 8, 1, 0, 0, 0, 20 };
	double			 v;

	(void)state;
	assert_true(mp_survey_csat_pct(&a, &v));
	assert_float_equal(v, 66.7, 1e-9);
	assert_true(mp_survey_csat_pct(&b, &v));
	assert_float_equal(v, 33.3, 1e-9);
	/* 1/8 = 12.5 exactly stays 12.5; 20/8 = 2.5 */
	assert_true(mp_survey_csat_pct(&h, &v));
	assert_float_equal(v, 12.5, 1e-9);
	assert_true(mp_survey_average(&h, &v));
	assert_float_equal(v, 2.5, 1e-9);
}

/* 3 promoters, 1 passive, 1 detractor: (3 - 1) / 5 = +40, not 50. */
static void
test_nps_passives_in_denominator(void **state)
{
	struct mp_survey_counts	 c = { 6, 5, 0, 3, 1, 1, 39 };
	double			 v = 0;

	(void)state;
	assert_true(mp_survey_nps(&c, &v));
	assert_float_equal(v, 40.0, 1e-9);
}

/* Only passives: 0.  Only detractors: -100.  1 P, 0 Pa, 5 D: -66.7. */
static void
test_nps_bounds_and_negative_rounding(void **state)
{
	struct mp_survey_counts	 p = { 4, 4, 0, 0, 4, 0, 30 };
	struct mp_survey_counts	 d = { 2, 2, 0, 0, 0, 2, 3 };
	struct mp_survey_counts	 m = { 6, 6, 0, 1, 0, 5, 20 };
	struct mp_survey_counts	 s = { 6, 6, 0, 0, 5, 1, 38 };
	struct mp_survey_counts	 t = { 3, 3, 0, 3, 0, 0, 30 };
	double			 v;

	(void)state;
	assert_true(mp_survey_nps(&p, &v));
	assert_float_equal(v, 0.0, 1e-9);
	assert_true(mp_survey_nps(&d, &v));
	assert_float_equal(v, -100.0, 1e-9);
	assert_true(mp_survey_nps(&m, &v));
	assert_float_equal(v, -66.7, 1e-9);
	/* -1/6 = -16.666... -> -16.7 (away from zero, like +16.7) */
	assert_true(mp_survey_nps(&s, &v));
	assert_float_equal(v, -16.7, 1e-9);
	assert_true(mp_survey_nps(&t, &v));
	assert_float_equal(v, 100.0, 1e-9);
}

/* Nothing answered or nothing sent: no figure at all, not 0. */
static void
test_no_denominator(void **state)
{
	struct mp_survey_counts	 z = { 0, 0, 0, 0, 0, 0, 0 };
	struct mp_survey_counts	 u = { 5, 0, 0, 0, 0, 0, 0 };
	double			 v = 123;

	(void)state;
	assert_false(mp_survey_csat_pct(&z, &v));
	assert_false(mp_survey_nps(&z, &v));
	assert_false(mp_survey_average(&z, &v));
	assert_false(mp_survey_rate(&z, &v));
	assert_float_equal(v, 123, 1e-9);
	assert_false(mp_survey_csat_pct(&u, &v));
	assert_true(mp_survey_rate(&u, &v));
	assert_float_equal(v, 0.0, 1e-9);
}

/* CSAT <= 3 and NPS <= 6 are low; 4 and 7 are not. */
static void
test_low_scores(void **state)
{
	(void)state;
	assert_true(mp_survey_low("csat", 1, 1, 5));
	assert_true(mp_survey_low("csat", 3, 1, 5));
	assert_false(mp_survey_low("csat", 4, 1, 5));
	assert_true(mp_survey_low("support_ticket", 3, 1, 5));
	assert_false(mp_survey_low("support_ticket", 5, 1, 5));
	assert_true(mp_survey_low("nps", 0, 0, 10));
	assert_true(mp_survey_low("nps", 6, 0, 10));
	assert_false(mp_survey_low("nps", 7, 0, 10));
	/* A product survey configured 0-10: the lower half, 5 and under. */
	assert_true(mp_survey_low("product", 5, 0, 10));
	assert_false(mp_survey_low("product", 6, 0, 10));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csat_excludes_unanswered),
		cmocka_unit_test(test_csat_rounding),
		cmocka_unit_test(test_nps_passives_in_denominator),
		cmocka_unit_test(test_nps_bounds_and_negative_rounding),
		cmocka_unit_test(test_no_denominator),
		cmocka_unit_test(test_low_scores),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
