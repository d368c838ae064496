/* Unit tests for help search's memo of query expansions (kb/memo.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "features/kb/extern.h"

static struct mp_arena	*a;

static int
setup(void **state)
{
	(void)state;
	a = mp_arena_new(0);
	mp_kb_memo_clear();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	mp_kb_memo_clear();
	mp_arena_free(a);
	return 0;
}

static const struct mp_kb_memo	 ssl = {
	"1796603323431768",
	"{\"'ssl' | 'https'\",\"'certif' | 'tls'\"}",
	"f",
	"{7,28}",
	"'certif' | 'https' | 'ssl' | 'tls'",
};

static void
assert_memo_equal(const struct mp_kb_memo *got, const struct mp_kb_memo *want)
{
	assert_string_equal(got->gen, want->gen);
	assert_string_equal(got->concepts, want->concepts);
	assert_string_equal(got->typed, want->typed);
	if (want->fired == NULL)
		assert_null(got->fired);
	else
		assert_string_equal(got->fired, want->fired);
	assert_string_equal(got->hq, want->hq);
}

static void
test_kept_per_tenant_locale_and_query(void **state)
{
	struct mp_kb_memo	 m;

	(void)state;
	assert_false(mp_kb_memo_get(a, 1, "en", "ssl certificate", &m));
	mp_kb_memo_put(1, "en", "ssl certificate", &ssl);
	assert_true(mp_kb_memo_get(a, 1, "en", "ssl certificate", &m));
	assert_memo_equal(&m, &ssl);
	/* The copy is the caller's: a later put does not change it. */
	mp_kb_memo_put(1, "en", "ssl certificate", &(struct mp_kb_memo){
	    "2", "{'x'}", "t", NULL, "'x'" });
	assert_memo_equal(&m, &ssl);
	/* Another tenant, locale or query (even one differing in case or
	 * spacing) has none of its own. */
	assert_false(mp_kb_memo_get(a, 2, "en", "ssl certificate", &m));
	assert_false(mp_kb_memo_get(a, 1, "de", "ssl certificate", &m));
	assert_false(mp_kb_memo_get(a, 1, "en", "SSL certificate", &m));
	assert_false(mp_kb_memo_get(a, 1, "en", "ssl  certificate", &m));
	/* Where the locale ends and the query begins is part of the key. */
	mp_kb_memo_put(1, "en", "x", &ssl);
	assert_false(mp_kb_memo_get(a, 1, "e", "nx", &m));
	assert_false(mp_kb_memo_get(a, 1, NULL, "x", &m));
	assert_false(mp_kb_memo_get(a, 1, "en", NULL, &m));
}

static void
test_replaced_and_cleared(void **state)
{
	const struct mp_kb_memo	 none = { "5", "{'dns'}", "t", NULL, "'dns'" };
	struct mp_kb_memo	 m;

	(void)state;
	mp_kb_memo_put(7, "en", "dns", &ssl);
	mp_kb_memo_put(7, "en", "dns", &none);
	assert_true(mp_kb_memo_get(a, 7, "en", "dns", &m));
	assert_memo_equal(&m, &none);	/* no synonym fired: fired is NULL */
	mp_kb_memo_clear();
	assert_false(mp_kb_memo_get(a, 7, "en", "dns", &m));
}

static void
test_what_is_not_kept(void **state)
{
	struct mp_kb_memo	 m, part;
	char			*big;
	size_t			 fixed;

	(void)state;
	/* Nothing to check it against, or a field missing: not kept. */
	part = ssl;
	part.gen = NULL;
	mp_kb_memo_put(1, "en", "a", &part);
	part = ssl;
	part.concepts = NULL;
	mp_kb_memo_put(1, "en", "b", &part);
	part = ssl;
	part.hq = NULL;
	mp_kb_memo_put(1, "en", "c", &part);
	mp_kb_memo_put(1, NULL, "d", &ssl);
	assert_false(mp_kb_memo_get(a, 1, "en", "a", &m));
	assert_false(mp_kb_memo_get(a, 1, "en", "b", &m));
	assert_false(mp_kb_memo_get(a, 1, "en", "c", &m));

	/* An entry is at most 8,192 bytes, its key and every field with
	 * their terminating NULs: at the limit it is kept, one over not. */
	fixed = strlen("en") + 1 + strlen("q") + 1 + strlen(ssl.gen) + 1 +
	    strlen(ssl.typed) + 1 + strlen(ssl.fired) + 1 + strlen(ssl.hq) + 1;
	big = calloc(1, 8192);
	assert_non_null(big);
	memset(big, 'x', 8192 - fixed - 1);
	part = ssl;
	part.concepts = big;
	mp_kb_memo_put(1, "en", "q", &part);
	assert_true(mp_kb_memo_get(a, 1, "en", "q", &m));
	assert_string_equal(m.concepts, big);
	mp_kb_memo_clear();
	big[8192 - fixed - 1] = 'x';
	mp_kb_memo_put(1, "en", "q", &part);
	assert_false(mp_kb_memo_get(a, 1, "en", "q", &m));
	free(big);
}

static void
test_many_queries(void **state)
{
	struct mp_kb_memo	 m;
	char			 q[32];
	int			 i, kept = 0;

	(void)state;
	/* More queries than slots: each get finds its own memo or none,
	 * never another query's. */
	for (i = 0; i < 1000; i++) {
		snprintf(q, sizeof(q), "query %d", i);
		mp_kb_memo_put(1, "en", q, &(struct mp_kb_memo){ q, "{'q'}",
		    "f", NULL, "'q'" });
	}
	for (i = 0; i < 1000; i++) {
		snprintf(q, sizeof(q), "query %d", i);
		if (mp_kb_memo_get(a, 1, "en", q, &m)) {
			assert_string_equal(m.gen, q);
			kept++;
		}
	}
	assert_in_range(kept, 100, 256);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kept_per_tenant_locale_and_query,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_replaced_and_cleared, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_what_is_not_kept, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_many_queries, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
