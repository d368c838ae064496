/* Unit tests for the feature list: the merged tables are sound, and the checks catch what they should. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "features/feature.h"

/* Every route of every feature is reachable and every statement name unique. */
static void
test_features_sound(void **state)
{
	(void)state;
	assert_int_equal(mp_features_check(stderr), 0);
}

/* Nothing in the list may be empty or nameless. */
static void
test_features_named(void **state)
{
	const struct mp_feature	*const *f;
	size_t			 i, n = 0;

	(void)state;
	for (f = mp_features; *f != NULL; f++, n++) {
		assert_non_null((*f)->name);
		for (i = 0; i < (*f)->nroutes; i++) {
			assert_non_null((*f)->routes[i].fn);
			assert_true((*f)->routes[i].pattern[0] == '/');
		}
		for (i = 0; i < (*f)->njobs; i++)
			assert_ptr_equal(mp_job_kind_find((*f)->jobs[i].kind),
			    &(*f)->jobs[i]);
	}
	assert_true(n >= 7);
	assert_null(mp_job_kind_find("no.such.kind"));
}

static enum mp_err
nop(struct mp_req *r, struct mp_resp *w)
{
	(void)r;
	(void)w;
	return MP_OK;
}

/* A capture before a literal sibling shadows it; a duplicate never runs. */
static void
test_shadowed(void **state)
{
	static const struct mp_route bad[] = {
		{ MP_GET | MP_POST, "/things/{id:token}", nop, 0, NULL },
		{ MP_GET,	"/things/new",		nop,	0, NULL },
		{ MP_POST,	"/things/{id:token}",	nop,	0, NULL },
		{ MP_DELETE,	"/things/new",		nop,	0, NULL },
	};
	static const struct mp_route good[] = {
		{ MP_GET,	"/things/new",		nop,	0, NULL },
		{ MP_GET | MP_POST, "/things/{id:token}", nop, 0, NULL },
		{ MP_GET,	"/things/{id:int}/parts", nop,	0, NULL },
	};
	FILE	*null = fopen("/dev/null", "w");

	(void)state;
	assert_non_null(null);
	/* GET /things/new (literal) and POST /things/{id} (duplicate). */
	assert_int_equal(mp_routes_shadowed(bad, MP_NELEM(bad), null), 2);
	assert_int_equal(mp_routes_shadowed(good, MP_NELEM(good), null), 0);
	fclose(null);
}

/* Statements of core, web and every feature are all walked. */
static void
count_one(const struct mp_stmt *st, const char *owner, void *arg)
{
	(void)owner;
	assert_non_null(st->sql);
	(*(int *)arg)++;
}

static void
test_stmts_walked(void **state)
{
	int	 n = 0;

	(void)state;
	mp_stmts_walk(count_one, &n);
	assert_true(n > 100);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_features_sound),
		cmocka_unit_test(test_features_named),
		cmocka_unit_test(test_shadowed),
		cmocka_unit_test(test_stmts_walked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
