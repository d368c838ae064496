/* Unit tests for the feature list: the merged tables are sound, and the checks catch what they should. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "features/feature.h"
#include "features/audit/extern.h"
#include "features/cache/cache.h"

/* Every route of every feature is reachable and every statement name unique. */
static void
test_features_sound(void **state)
{
	(void)state;
	assert_int_equal(mp_features_check(stderr), 0);
}

/* Every route the page cache may keep exists (by its exact pattern). */
static void
test_cache_routes_exist(void **state)
{
	(void)state;
	assert_int_equal(mp_cache_unknown_routes(stderr), 0);
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

/* Every unsafe route of the merged table records a valid action name. */
static void
test_every_unsafe_route_has_an_action(void **state)
{
	struct mp_arena		*a = mp_arena_new(0);
	const struct mp_route	*routes;
	struct mp_config	 cfg;
	const char		*s;
	size_t			 n, i, k, named = 0;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.test_routes = 1;
	routes = mp_routes_all(&cfg, &n);
	for (i = 0; i < n; i++) {
		if (!mp_method_unsafe(routes[i].methods))
			continue;
		s = mp_features_action(a, &routes[i], routes[i].methods);
		assert_non_null(s);
		assert_true(s[0] >= 'A' && s[0] <= 'Z');
		for (k = 0; s[k] != '\0'; k++)
			assert_true((s[k] >= 'A' && s[k] <= 'Z') ||
			    (s[k] >= '0' && s[k] <= '9') || s[k] == '_');
		assert_in_range(k, 2, 64);
		if (strcmp(routes[i].pattern, "/login") == 0)
			assert_string_equal(s, "USER_LOGIN");
		named++;
	}
	assert_true(named >= 40);
	mp_arena_free(a);
}

/* Names that may hold a secret are never logged; ordinary ones are. */
static void
test_audit_secret_names(void **state)
{
	static const char *const secret[] = { "password", "current_password",
	    "New_Password", "token", "csrf_token", "code", "recovery_code",
	    "totp_secret", "api_key", "card_number", "cvv", "pan", "iban" };
	static const char *const plain[] = { "email", "name", "title", "next",
	    "status", "company", "end_others", "slug", "body", NULL };
	size_t	 i;

	(void)state;
	for (i = 0; i < MP_NELEM(secret); i++)
		assert_true(mp_audit_secret_name(secret[i]));
	for (i = 0; plain[i] != NULL; i++)
		assert_false(mp_audit_secret_name(plain[i]));
	assert_false(mp_audit_secret_name(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_features_sound),
		cmocka_unit_test(test_every_unsafe_route_has_an_action),
		cmocka_unit_test(test_audit_secret_names),
		cmocka_unit_test(test_features_named),
		cmocka_unit_test(test_cache_routes_exist),
		cmocka_unit_test(test_shadowed),
		cmocka_unit_test(test_stmts_walked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
