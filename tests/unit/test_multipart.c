/* Unit tests for multipart/form-data: boundaries, parts, files, limits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/extern.h"

#define CT	"multipart/form-data; boundary=XyZ"

static const struct mp_limits lim = { 4096, 3, 16, 2048, 32 };

static enum mp_err
mp(struct mp_arena *a, const char *ct, const char *body, size_t len,
    struct mp_kv **kv, int *n)
{

	return mp_parse_multipart(a, ct, body, len, &lim, kv, n);
}

#define MPS(a, ct, s, kv, n)	mp(a, ct, s, sizeof(s) - 1, kv, n)

static void
test_basic(void **state)
{
	static const char body[] =
	    "preamble\r\n"
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"title\"\r\n"
	    "\r\n"
	    "h\xc3\xa9llo\r\nworld\r\n"
	    "--XyZ  \r\n"
	    "content-disposition: form-data; name=\"logo\"; "
	    "filename=\"a b.png\"\r\n"
	    "Content-Type: image/png\r\n"
	    "\r\n"
	    "\x89PNG\0\r\n\xff"
	    "\r\n--XyZ\r\n"
	    "Content-Disposition: form-data; name=empty\r\n"
	    "\r\n"
	    "\r\n--XyZ--\r\nepilogue";
	struct mp_arena	*a = mp_arena_new(0);
	struct mp_kv	*kv;
	int		 n;

	assert_int_equal(MPS(a, CT, body, &kv, &n), MP_OK);
	assert_int_equal(n, 3);
	assert_string_equal(kv[0].key, "title");
	assert_string_equal(kv[0].val, "h\xc3\xa9llo\r\nworld");
	assert_int_equal(kv[0].vlen, 13);
	assert_null(kv[0].filename);
	assert_null(kv[0].ctype);
	assert_string_equal(kv[1].key, "logo");
	assert_string_equal(kv[1].filename, "a b.png");
	assert_string_equal(kv[1].ctype, "image/png");
	assert_int_equal(kv[1].vlen, 8);
	assert_memory_equal(kv[1].val, "\x89PNG\0\r\n\xff", 8);
	assert_string_equal(kv[2].key, "empty");
	assert_int_equal(kv[2].vlen, 0);
	mp_arena_free(a);
}

static void
test_content_types(void **state)
{
	static const char body[] =
	    "--a'b (c)\r\n"
	    "Content-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n"
	    "--a'b (c)--";
	static const char *const good[] = {
		"multipart/form-data; boundary=\"a'b (c)\"",
		"Multipart/Form-Data;BOUNDARY=\"a'b (c)\"; charset=utf-8",
		"multipart/form-data; charset=utf-8; boundary=\"a'b (c)\"",
	};
	static const char *const bad[] = {
		"multipart/form-data", "multipart/mixed; boundary=XyZ",
		"multipart/form-datax; boundary=XyZ",
		"multipart/form-data; boundary=", "multipart/form-data; "
		"boundary=\"\"", "multipart/form-data; boundary=\"unterminated",
		"multipart/form-data; boundary=a\x01", "text/plain",
		"multipart/form-data; boundary=\"ends with space \"",
		"",
	};
	struct mp_arena	*a = mp_arena_new(0);
	struct mp_kv	*kv;
	size_t		 i;
	int		 n;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (MPS(a, good[i], body, &kv, &n) != MP_OK)
			fail_msg("rejected %s", good[i]);
		assert_int_equal(n, 1);
		assert_string_equal(kv[0].val, "1");
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (MPS(a, bad[i], body, &kv, &n) != MP_EINPUT)
			fail_msg("accepted %s", bad[i]);
	assert_int_equal(mp(a, NULL, "", 0, &kv, &n), MP_EINPUT);
	mp_arena_free(a);
}

/* A boundary of 70 characters is allowed, 71 is not. */
static void
test_boundary_length(void **state)
{
	struct mp_arena	*a = mp_arena_new(0);
	char		 b[80], ct[200], body[400];
	struct mp_kv	*kv;
	int		 n, len;

	memset(b, 'b', 71);
	b[70] = '\0';
	snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s", b);
	len = snprintf(body, sizeof(body), "--%s\r\nContent-Disposition: "
	    "form-data; name=\"f\"\r\n\r\nv\r\n--%s--\r\n", b, b);
	assert_int_equal(mp(a, ct, body, (size_t)len, &kv, &n), MP_OK);
	b[70] = 'b';
	b[71] = '\0';
	snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s", b);
	len = snprintf(body, sizeof(body), "--%s\r\nContent-Disposition: "
	    "form-data; name=\"f\"\r\n\r\nv\r\n--%s--\r\n", b, b);
	assert_int_equal(mp(a, ct, body, (size_t)len, &kv, &n), MP_EINPUT);
	mp_arena_free(a);
}

static void
test_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"no delimiter at all",
		"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv",
		"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv"
		    "\r\n--XyZ",
		"--XyZ\r\n\r\nno headers\r\n--XyZ--",
		"--XyZ\r\nContent-Type: text/plain\r\n\r\nv\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\n"
		    "v\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: form-data\r\n\r\nv\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: form-data; name=\"a\r\n\r\nv"
		    "\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n"
		    "Content-Disposition: form-data; name=\"b\"\r\n\r\nv\r\n"
		    "--XyZ--",
		"--XyZ\r\nno colon here\r\n\r\nv\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n"
		    "\xff\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: form-data; name=\"\xff\"\r\n"
		    "\r\nv\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n"
		    "v\r\n--XyZjunk\r\n",
		"--XyZ junk\r\nContent-Disposition: form-data; name=\"a\"\r\n"
		    "\r\nv\r\n--XyZ--",
	};
	struct mp_arena	*a = mp_arena_new(0);
	struct mp_kv	*kv;
	size_t		 i;
	int		 n;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (mp(a, CT, bad[i], strlen(bad[i]), &kv, &n) != MP_EINPUT)
			fail_msg("accepted #%zu: %s", i, bad[i]);
	/* A NUL in a text field is rejected, in a file part it is data. */
	assert_int_equal(MPS(a, CT, "--XyZ\r\nContent-Disposition: form-data; "
	    "name=\"a\"\r\n\r\nx\0y\r\n--XyZ--", &kv, &n), MP_EINPUT);
	assert_int_equal(MPS(a, CT, "--XyZ\r\nContent-Disposition: form-data; "
	    "name=\"a\"; filename=\"f\"\r\n\r\nx\0y\r\n--XyZ--", &kv, &n),
	    MP_OK);
	assert_int_equal(kv[0].vlen, 3);
	mp_arena_free(a);
}

static int
build(char *body, size_t sz, int nparts, size_t vlen)
{
	char	 v[64];
	int	 i, len = 0;

	memset(v, 'v', vlen);
	v[vlen] = '\0';
	for (i = 0; i < nparts; i++)
		len += snprintf(body + len, sz - (size_t)len, "--XyZ\r\n"
		    "Content-Disposition: form-data; name=\"f%d\"\r\n\r\n"
		    "%s\r\n", i, v);
	len += snprintf(body + len, sz - (size_t)len, "--XyZ--\r\n");
	return len;
}

/* 3 fields of 16 bytes pass; a fourth field or a 17th byte fail. */
static void
test_limits(void **state)
{
	struct mp_arena	*a = mp_arena_new(0);
	char		 body[8192];
	struct mp_kv	*kv;
	int		 n, len;

	len = build(body, sizeof(body), 3, 16);
	assert_int_equal(mp(a, CT, body, (size_t)len, &kv, &n), MP_OK);
	assert_int_equal(n, 3);
	len = build(body, sizeof(body), 4, 1);
	assert_int_equal(mp(a, CT, body, (size_t)len, &kv, &n), MP_ELIMIT);
	len = build(body, sizeof(body), 1, 17);
	assert_int_equal(mp(a, CT, body, (size_t)len, &kv, &n), MP_ELIMIT);
	memset(body, 'x', 4097);
	assert_int_equal(mp(a, CT, body, 4097, &kv, &n), MP_ELIMIT);
	assert_int_equal(mp(a, CT, body, 4096, &kv, &n), MP_EINPUT);
	mp_arena_free(a);
}

/* A file part is bounded by max_body, not by max_field_len. */
static void
test_file_longer_than_a_field(void **state)
{
	struct mp_arena	*a = mp_arena_new(0);
	char		 body[4096], data[1000];
	struct mp_kv	*kv;
	int		 n, len;

	(void)state;
	memset(data, 'x', sizeof(data));
	len = snprintf(body, sizeof(body), "--XyZ\r\nContent-Disposition: "
	    "form-data; name=\"file\"; filename=\"f.png\"\r\n\r\n%.*s"
	    "\r\n--XyZ--\r\n", (int)sizeof(data), data);
	assert_int_equal(mp(a, CT, body, (size_t)len, &kv, &n), MP_OK);
	assert_int_equal(n, 1);
	assert_int_equal(kv[0].vlen, sizeof(data));
	/* The same bytes as a text field are too long. */
	len = snprintf(body, sizeof(body), "--XyZ\r\nContent-Disposition: "
	    "form-data; name=\"file\"\r\n\r\n%.*s\r\n--XyZ--\r\n",
	    (int)sizeof(data), data);
	assert_int_equal(mp(a, CT, body, (size_t)len, &kv, &n), MP_ELIMIT);
	mp_arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_content_types),
		cmocka_unit_test(test_boundary_length),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_file_longer_than_a_field),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
