/*
 * Unit tests for batched access lines: none reaches the file until the
 * next would overflow the 16 KB batch (then the whole lines before it go
 * out at once) or until the process flushes; unbatched, each line goes
 * out as it is logged.
 */
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/extern.h"

#define BATCH	16384

static char	 path[64];

static off_t
size_of(void)
{
	struct stat	 st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

static int
setup(void **state)
{
	int	 fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/mp-test-log-XXXXXX");
	if ((fd = mkstemp(path)) < 0)
		return -1;
	close(fd);
	mp_log_open("test", NULL, path, "info");
	return 0;
}

static int
teardown(void **state)
{

	(void)state;
	mp_access_batch(0);
	mp_log_open("test", NULL, NULL, "info");
	unlink(path);
	return 0;
}

/* The length of one line as mp_access writes it (all lines alike). */
static off_t
line_len(void)
{
	off_t	 before = size_of();

	mp_access("%s", "GET /x 200");
	return size_of() - before;
}

static void
test_unbatched_lines_go_out_at_once(void **state)
{
	off_t	 n;

	(void)state;
	n = line_len();
	assert_true(n > 0);
	mp_access("%s", "GET /x 200");
	assert_int_equal(size_of(), 2 * n);
	assert_false(mp_log_pending());
}

static void
test_batch_fills_to_16k_then_writes_whole_lines(void **state)
{
	off_t	 n, fit, i;

	(void)state;
	n = line_len();
	fit = BATCH / n;		/* lines that fit in one batch */
	mp_access_batch(1);
	for (i = 0; i < fit; i++)
		mp_access("%s", "GET /x 200");
	/* Up to the last byte that fits: nothing written yet. */
	assert_int_equal(size_of(), n);
	assert_true(mp_log_pending());
	/* One more does not fit: the batch goes out, the new line waits. */
	mp_access("%s", "GET /x 200");
	assert_int_equal(size_of(), n + fit * n);
	assert_true(mp_log_pending());
	mp_log_flush();
	assert_int_equal(size_of(), n + (fit + 1) * n);
	assert_false(mp_log_pending());
	/* Flushing nothing writes nothing. */
	mp_log_flush();
	assert_int_equal(size_of(), n + (fit + 1) * n);
}

static void
test_batch_off_writes_what_waits(void **state)
{
	off_t	 n;

	(void)state;
	n = line_len();
	mp_access_batch(1);
	mp_access("%s", "GET /x 200");
	mp_access("%s", "GET /x 200");
	assert_int_equal(size_of(), n);
	mp_access_batch(0);
	assert_int_equal(size_of(), 3 * n);
	/* And from then on each line at once again. */
	mp_access("%s", "GET /x 200");
	assert_int_equal(size_of(), 4 * n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_unbatched_lines_go_out_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_batch_fills_to_16k_then_writes_whole_lines, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_batch_off_writes_what_waits, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
