/* Unit tests for the tenant's public origin: scheme, host and the port rules. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/extern.h"

static const char *
origin(struct mp_arena *a, const char *scheme, int port, const char *slug,
    const char *domain)
{
	struct mp_config	 cfg;
	struct mp_tenant	 t;

	memset(&cfg, 0, sizeof(cfg));
	memset(&t, 0, sizeof(t));
	cfg.public_scheme = (char *)scheme;
	cfg.public_port = port;
	cfg.base_domain = (char *)"portal.example";
	t.slug = (char *)slug;
	t.domain = (char *)domain;
	return mp_origin_of(a, &cfg, &t);
}

static void
test_origin(void **state)
{
	struct mp_arena	*a = mp_arena_new(0);

	(void)state;
	/* The scheme's own port is left out; any other is kept. */
	assert_string_equal(origin(a, "https", 0, "acme", NULL),
	    "https://acme.portal.example");
	assert_string_equal(origin(a, "https", 443, "acme", NULL),
	    "https://acme.portal.example");
	assert_string_equal(origin(a, "https", 8443, "acme", NULL),
	    "https://acme.portal.example:8443");
	assert_string_equal(origin(a, "https", 80, "acme", NULL),
	    "https://acme.portal.example:80");
	assert_string_equal(origin(a, "http", 80, "acme", NULL),
	    "http://acme.portal.example");
	assert_string_equal(origin(a, "http", 443, "acme", NULL),
	    "http://acme.portal.example:443");
	assert_string_equal(origin(a, "https", 65535, "acme", NULL),
	    "https://acme.portal.example:65535");
	/* A custom domain wins; an empty one does not count. */
	assert_string_equal(origin(a, "https", 8443, "acme", "help.acme.test"),
	    "https://help.acme.test:8443");
	assert_string_equal(origin(a, "https", 0, "acme", ""),
	    "https://acme.portal.example");
	/* No scheme configured: https. */
	assert_string_equal(origin(a, "", 0, "acme", NULL),
	    "https://acme.portal.example");
	mp_arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_origin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
