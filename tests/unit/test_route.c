/* Unit tests for route matching, typed captures, 405 and Allow headers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "web/extern.h"

static const struct mp_route routes[] = {
	{ MP_GET, "/", NULL, 0, NULL },
	{ MP_GET | MP_POST, "/help", NULL, 0, NULL },
	{ MP_GET, "/help/{slug:slug}", NULL, 0, NULL },
	{ MP_GET, "/brand/{slug:slug}.css", NULL, 0, NULL },
	{ MP_POST, "/surveys/{token:token}", NULL, 0, NULL },
	{ MP_GET, "/surveys/{token:token}", NULL, 0, NULL },
	{ MP_GET, "/api/items/{id:int}", NULL, 0, NULL },
	{ MP_DELETE, "/api/items/{id:int}", NULL, 0, NULL },
	{ MP_GET, "/api/items/new", NULL, 0, NULL },
	{ MP_PUT, "/files/{name}", NULL, 0, NULL },
	{ MP_GET, "/a/{x}-{y}/{z:int}/", NULL, 0, NULL },
	{ MP_GET, "/many/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}", NULL, 0, NULL },
	{ MP_GET, "/toomany/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}", NULL, 0,
	    NULL },
	{ MP_GET, "/bad/{x:float}", NULL, 0, NULL },
	{ MP_GET, "/bad2/{}", NULL, 0, NULL },
	{ MP_GET, "/bad3/{x", NULL, 0, NULL },
};

#define NROUTES	(sizeof(routes) / sizeof(routes[0]))

static enum mp_route_result
m(struct mp_arena *a, unsigned meth, const char *path,
    const struct mp_route **w, struct mp_capture *caps, int *n,
    unsigned *allow)
{

	return mp_route_match(a, routes, NROUTES, meth, path, w, caps, n,
	    allow);
}

static void
test_literal(void **state)
{
	struct mp_arena		*a = mp_arena_new(0);
	const struct mp_route	*w;
	struct mp_capture	 caps[MP_MAXCAPS];
	unsigned		 allow;
	int			 n;

	assert_int_equal(m(a, MP_GET, "/", &w, caps, &n, &allow),
	    MP_ROUTE_OK);
	assert_ptr_equal(w, &routes[0]);
	assert_int_equal(n, 0);
	assert_int_equal(m(a, MP_POST, "/help", &w, caps, &n, &allow),
	    MP_ROUTE_OK);
	assert_ptr_equal(w, &routes[1]);
	assert_int_equal(m(a, MP_GET, "/help/", &w, caps, &n, &allow),
	    MP_ROUTE_NOTFOUND);
	assert_null(w);
	assert_int_equal(m(a, MP_GET, "/hel", &w, caps, &n, &allow),
	    MP_ROUTE_NOTFOUND);
	assert_int_equal(m(a, MP_GET, "/helpx", &w, caps, &n, &allow),
	    MP_ROUTE_NOTFOUND);
	assert_int_equal(m(a, MP_GET, "", &w, caps, &n, &allow),
	    MP_ROUTE_NOTFOUND);
	assert_int_equal(m(a, MP_GET, NULL, &w, caps, &n, &allow),
	    MP_ROUTE_NOTFOUND);
	mp_arena_free(a);
}

static void
test_captures(void **state)
{
	struct mp_arena		*a = mp_arena_new(0);
	const struct mp_route	*w;
	struct mp_capture	 caps[MP_MAXCAPS];
	unsigned		 allow;
	int			 n;

	assert_int_equal(m(a, MP_GET, "/help/getting-started", &w, caps, &n,
	    &allow), MP_ROUTE_OK);
	assert_int_equal(n, 1);
	assert_string_equal(caps[0].name, "slug");
	assert_string_equal(caps[0].s, "getting-started");
	assert_int_equal(caps[0].len, 15);
	assert_int_equal(m(a, MP_GET, "/help/Getting", &w, caps, &n, &allow),
	    MP_ROUTE_NOTFOUND);

	assert_int_equal(m(a, MP_GET, "/brand/acme-2.css", &w, caps, &n,
	    &allow), MP_ROUTE_OK);
	assert_ptr_equal(w, &routes[3]);
	assert_string_equal(caps[0].s, "acme-2");
	assert_int_equal(m(a, MP_GET, "/brand/.css", &w, caps, &n, &allow),
	    MP_ROUTE_NOTFOUND);
	assert_int_equal(m(a, MP_GET, "/brand/acme.cssx", &w, caps, &n,
	    &allow), MP_ROUTE_NOTFOUND);

	assert_int_equal(m(a, MP_GET, "/surveys/Ab_9-z", &w, caps, &n,
	    &allow), MP_ROUTE_OK);
	assert_ptr_equal(w, &routes[5]);
	assert_string_equal(caps[0].name, "token");
	assert_string_equal(caps[0].s, "Ab_9-z");
	assert_int_equal(m(a, MP_GET, "/surveys/ab.c", &w, caps, &n, &allow),
	    MP_ROUTE_NOTFOUND);

	assert_int_equal(m(a, MP_PUT, "/files/r\xc3\xa9sum\xc3\xa9 (1).pdf",
	    &w, caps, &n, &allow), MP_ROUTE_OK);
	assert_string_equal(caps[0].s, "r\xc3\xa9sum\xc3\xa9 (1).pdf");
	assert_int_equal(m(a, MP_PUT, "/files/a/b", &w, caps, &n, &allow),
	    MP_ROUTE_NOTFOUND);
	assert_int_equal(m(a, MP_PUT, "/files/", &w, caps, &n, &allow),
	    MP_ROUTE_NOTFOUND);

	assert_int_equal(m(a, MP_GET, "/a/left-right/42/", &w, caps, &n,
	    &allow), MP_ROUTE_OK);
	assert_int_equal(n, 3);
	assert_string_equal(caps[0].s, "left");
	assert_string_equal(caps[1].s, "right");
	assert_string_equal(caps[2].name, "z");
	assert_int_equal(caps[2].i, 42);
	assert_int_equal(m(a, MP_GET, "/a/left-right/42", &w, caps, &n,
	    &allow), MP_ROUTE_NOTFOUND);
	mp_arena_free(a);
}

/* int captures: digits only, up to INT64_MAX, one more is not a match. */
static void
test_int(void **state)
{
	struct mp_arena		*a = mp_arena_new(0);
	const struct mp_route	*w;
	struct mp_capture	 caps[MP_MAXCAPS];
	unsigned		 allow;
	int			 n;

	assert_int_equal(m(a, MP_GET, "/api/items/0", &w, caps, &n, &allow),
	    MP_ROUTE_OK);
	assert_int_equal(caps[0].i, 0);
	assert_int_equal(m(a, MP_GET, "/api/items/9223372036854775807", &w,
	    caps, &n, &allow), MP_ROUTE_OK);
	assert_true(caps[0].i == INT64_MAX);
	assert_string_equal(caps[0].s, "9223372036854775807");
	assert_int_equal(m(a, MP_GET, "/api/items/9223372036854775808", &w,
	    caps, &n, &allow), MP_ROUTE_NOTFOUND);
	assert_int_equal(m(a, MP_GET, "/api/items/-1", &w, caps, &n, &allow),
	    MP_ROUTE_NOTFOUND);
	assert_int_equal(m(a, MP_GET, "/api/items/1x", &w, caps, &n, &allow),
	    MP_ROUTE_NOTFOUND);
	/* Order matters: "new" fails the int route, then matches its own. */
	assert_int_equal(m(a, MP_GET, "/api/items/new", &w, caps, &n, &allow),
	    MP_ROUTE_OK);
	assert_ptr_equal(w, &routes[8]);
	assert_int_equal(n, 0);
	mp_arena_free(a);
}

static void
test_maxcaps(void **state)
{
	struct mp_arena		*a = mp_arena_new(0);
	const struct mp_route	*w;
	struct mp_capture	 caps[MP_MAXCAPS];
	unsigned		 allow;
	int			 n;

	assert_int_equal(m(a, MP_GET, "/many/1/2/3/4/5/6/7/8", &w, caps, &n,
	    &allow), MP_ROUTE_OK);
	assert_int_equal(n, MP_MAXCAPS);
	assert_string_equal(caps[7].name, "h");
	assert_string_equal(caps[7].s, "8");
	assert_int_equal(m(a, MP_GET, "/toomany/1/2/3/4/5/6/7/8/9", &w, caps,
	    &n, &allow), MP_ROUTE_NOTFOUND);
	assert_int_equal(m(a, MP_GET, "/bad/1.5", &w, caps, &n, &allow),
	    MP_ROUTE_NOTFOUND);
	assert_int_equal(m(a, MP_GET, "/bad2/x", &w, caps, &n, &allow),
	    MP_ROUTE_NOTFOUND);
	assert_int_equal(m(a, MP_GET, "/bad3/x", &w, caps, &n, &allow),
	    MP_ROUTE_NOTFOUND);
	mp_arena_free(a);
}

static void
test_methods(void **state)
{
	struct mp_arena		*a = mp_arena_new(0);
	const struct mp_route	*w;
	struct mp_capture	 caps[MP_MAXCAPS];
	unsigned		 allow;
	int			 n;

	/* HEAD is served by GET routes. */
	assert_int_equal(m(a, MP_HEAD, "/help", &w, caps, &n, &allow),
	    MP_ROUTE_OK);
	assert_ptr_equal(w, &routes[1]);
	assert_int_equal(m(a, MP_DELETE, "/help", &w, caps, &n, &allow),
	    MP_ROUTE_BADMETHOD);
	assert_null(w);
	assert_int_equal(allow, MP_GET | MP_HEAD | MP_POST);
	assert_string_equal(mp_allow_header(a, allow), "GET, HEAD, POST");
	/* The union over every route the path matches. */
	assert_int_equal(m(a, MP_PUT, "/api/items/5", &w, caps, &n, &allow),
	    MP_ROUTE_BADMETHOD);
	assert_int_equal(allow, MP_GET | MP_HEAD | MP_DELETE);
	assert_int_equal(m(a, MP_DELETE, "/api/items/5", &w, caps, &n,
	    &allow), MP_ROUTE_OK);
	assert_ptr_equal(w, &routes[7]);
	assert_int_equal(m(a, 0, "/help", &w, caps, &n, &allow),
	    MP_ROUTE_BADMETHOD);
	assert_int_equal(m(a, MP_POST, "/nowhere", &w, caps, &n, &allow),
	    MP_ROUTE_NOTFOUND);
	assert_int_equal(allow, 0);
	/* NULL outputs are allowed. */
	assert_int_equal(mp_route_match(a, routes, NROUTES, MP_GET,
	    "/help/x", NULL, NULL, NULL, NULL), MP_ROUTE_OK);
	mp_arena_free(a);
}

static void
test_method_names(void **state)
{
	struct mp_arena	*a = mp_arena_new(0);

	assert_int_equal(mp_method_parse("GET"), MP_GET);
	assert_int_equal(mp_method_parse("HEAD"), MP_HEAD);
	assert_int_equal(mp_method_parse("POST"), MP_POST);
	assert_int_equal(mp_method_parse("PUT"), MP_PUT);
	assert_int_equal(mp_method_parse("PATCH"), MP_PATCH);
	assert_int_equal(mp_method_parse("DELETE"), MP_DELETE);
	assert_int_equal(mp_method_parse("OPTIONS"), MP_OPTIONS);
	assert_int_equal(mp_method_parse("get"), 0);
	assert_int_equal(mp_method_parse("TRACE"), 0);
	assert_int_equal(mp_method_parse(""), 0);
	assert_int_equal(mp_method_parse(NULL), 0);
	assert_string_equal(mp_method_name(MP_PATCH), "PATCH");
	assert_string_equal(mp_method_name(MP_GET | MP_POST), "UNKNOWN");
	assert_string_equal(mp_method_name(0), "UNKNOWN");
	assert_string_equal(mp_allow_header(a, MP_GET), "GET, HEAD");
	assert_string_equal(mp_allow_header(a, MP_POST | MP_DELETE),
	    "POST, DELETE");
	assert_string_equal(mp_allow_header(a, 0x7f),
	    "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
	assert_string_equal(mp_allow_header(a, 0), "");
	mp_arena_free(a);
}

/* Derived audit action names: literal segments, method suffixes, limits. */
static void
test_route_action(void **state)
{
	struct mp_arena		*a = mp_arena_new(0);
	const struct mp_route	 r1 = { MP_POST, "/staff/help/categories/{slug:slug}/delete",
	    NULL, 0, NULL };
	const struct mp_route	 r2 = { MP_PUT, "/api/kb/admin/articles/{id:slug}",
	    NULL, 0, NULL };
	const struct mp_route	 r3 = { MP_POST, "/u/{token:token}", NULL, 0, NULL };
	const struct mp_route	 r4 = { MP_DELETE, "/api/sessions/all", NULL, 0,
	    NULL };
	const struct mp_route	 r5 = { MP_POST, "/", NULL, 0, NULL };
	const struct mp_route	 r6 = { MP_POST, "/2fa/x.json", NULL, 0, NULL };
	const struct mp_route	 r7 = { MP_PATCH, "/aaaaaaaaaa/bbbbbbbbbb/"
	    "cccccccccc/dddddddddd/eeeeeeeeee/ffffffffff/gggggggggg", NULL, 0,
	    NULL };
	const char		*s;

	(void)state;
	assert_string_equal(mp_route_action(a, &r1, MP_POST),
	    "STAFF_HELP_CATEGORIES_DELETE");
	assert_string_equal(mp_route_action(a, &r2, MP_PUT),
	    "KB_ADMIN_ARTICLES_UPDATE");
	assert_string_equal(mp_route_action(a, &r3, MP_POST), "U_UPDATE");
	assert_string_equal(mp_route_action(a, &r4, MP_DELETE),
	    "SESSIONS_ALL_DELETE");
	assert_string_equal(mp_route_action(a, &r5, MP_POST), "ROOT");
	assert_string_equal(mp_route_action(a, &r6, MP_POST), "N2FA_X_JSON");
	/* At most 64 characters, the suffix dropped rather than cut. */
	s = mp_route_action(a, &r7, MP_PATCH);
	assert_int_equal(strlen(s), 64);
	assert_true(strstr(s, "_UPDATE") == NULL);
	assert_true(mp_method_unsafe(MP_POST) && mp_method_unsafe(MP_DELETE));
	assert_false(mp_method_unsafe(MP_GET | MP_HEAD | MP_OPTIONS));
	mp_arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literal),
		cmocka_unit_test(test_captures),
		cmocka_unit_test(test_int),
		cmocka_unit_test(test_maxcaps),
		cmocka_unit_test(test_methods),
		cmocka_unit_test(test_method_names),
		cmocka_unit_test(test_route_action),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
