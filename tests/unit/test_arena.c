/* Unit tests for the arena: alignment, large chunks, reset, cleanups, OOM. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/extern.h"

static void
test_alignment(void **state)
{
	struct mp_arena	*a = mp_arena_new(0);
	size_t		 n;
	void		*p;

	for (n = 1; n < 100; n++) {
		p = mp_alloc(a, n);
		assert_int_equal((uintptr_t)p % 16, 0);
		memset(p, 0xaa, n);
	}
	p = mp_alloc(a, 0);
	assert_non_null(p);
	mp_arena_free(a);
}

/* With 1024-byte blocks, 256 bytes (a quarter) stay in the block. */
static void
test_quarter_boundary(void **state)
{
	struct mp_arena	*a = mp_arena_new(1024);
	char		*p1, *mid, *p2, *big, *p3;

	p1 = mp_alloc(a, 16);
	mid = mp_alloc(a, 256);
	assert_ptr_equal(mid, p1 + 16);
	p2 = mp_alloc(a, 16);
	assert_ptr_equal(p2, mid + 256);
	big = mp_alloc(a, 257);	/* one over a quarter: own chunk */
	memset(big, 1, 257);
	p3 = mp_alloc(a, 16);
	assert_ptr_equal(p3, p2 + 16);
	assert_int_equal(mp_arena_used(a), 16 + 256 + 16 + 257 + 16);
	mp_arena_free(a);
}

static void
test_many_blocks_and_reset(void **state)
{
	struct mp_arena	*a = mp_arena_new(1024);
	char		*first, *again;
	int		 i;

	first = mp_alloc(a, 32);
	for (i = 0; i < 1000; i++)
		memset(mp_alloc(a, 200), i, 200);
	for (i = 0; i < 20; i++)
		memset(mp_alloc(a, 5000), i, 5000);
	assert_true(mp_arena_used(a) >= 32 + 200000 + 100000);
	mp_arena_reset(a);
	assert_int_equal(mp_arena_used(a), 0);
	again = mp_alloc(a, 32);
	assert_ptr_equal(first, again);	/* the first block is reused */
	mp_arena_free(a);
}

static char	 order[16];
static size_t	 norder;

static void
record(void *p)
{

	order[norder++] = *(char *)p;
}

static void
test_cleanups_lifo(void **state)
{
	struct mp_arena	*a = mp_arena_new(0);
	static char	 x = 'a', y = 'b', z = 'c';

	norder = 0;
	mp_arena_cleanup(a, record, &x);
	mp_arena_cleanup(a, record, &y);
	mp_arena_cleanup(a, record, &z);
	mp_arena_reset(a);
	assert_int_equal(norder, 3);
	assert_memory_equal(order, "cba", 3);
	mp_arena_reset(a);	/* cleanups ran once only */
	assert_int_equal(norder, 3);
	mp_arena_cleanup(a, record, &x);
	mp_arena_free(a);	/* free runs them too */
	assert_int_equal(norder, 4);
	assert_int_equal(order[3], 'a');
}

static void
test_strings(void **state)
{
	struct mp_arena	*a = mp_arena_new(64);
	char		*s, big[3000];

	assert_string_equal(mp_strdup(a, "hello"), "hello");
	assert_null(mp_strdup(a, NULL));
	assert_string_equal(mp_strndup(a, "hello", 3), "hel");
	assert_string_equal(mp_strndup(a, "", 0), "");
	assert_memory_equal(mp_memdup(a, "a\0b", 3), "a\0b", 3);
	assert_string_equal(mp_printf(a, "%s-%d", "x", 42), "x-42");
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	s = mp_printf(a, "<%s>", big);
	assert_int_equal(strlen(s), sizeof(big) + 1);
	assert_int_equal(s[0], '<');
	assert_int_equal(s[sizeof(big)], '>');
	s = mp_calloc(a, 100, 7);
	for (int i = 0; i < 700; i++)
		assert_int_equal(s[i], 0);
	mp_arena_free(a);
}

/*
 * mp_printf formats into the free end of the current block: every string
 * stays intact while later ones and other allocations follow, across
 * block ends and at the quarter-block limit (64-byte blocks: 16).
 */
static void
test_printf_in_place(void **state)
{
	struct mp_arena	*a = mp_arena_new(64);
	char		*s[200], want[64];
	int		 i;

	for (i = 0; i < 200; i++) {
		/* Lengths 1 to 24 (with the NUL: 2 to 25), around 16. */
		s[i] = mp_printf(a, "%.*s%d", i % 22, "abcdefghijklmnopqrstuv",
		    i % 10);
		if (i % 3 == 0)
			memset(mp_alloc(a, 5), 'z', 5);
	}
	for (i = 0; i < 200; i++) {
		snprintf(want, sizeof(want), "%.*s%d", i % 22,
		    "abcdefghijklmnopqrstuv", i % 10);
		assert_string_equal(s[i], want);
	}
	/* Exactly a quarter block with its NUL, and one byte more. */
	assert_string_equal(mp_printf(a, "%s", "123456789012345"),
	    "123456789012345");
	assert_string_equal(mp_printf(a, "%s", "1234567890123456"),
	    "1234567890123456");
	assert_string_equal(mp_printf(a, "%s", ""), "");
	mp_arena_free(a);
}

/* Run fn in a child; return its exit status and what it wrote to stderr. */
static int
in_child(void (*fn)(void), char *err, size_t errsz)
{
	int	 fds[2], status;
	pid_t	 pid;
	ssize_t	 n;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		fn();
		_exit(0);
	}
	close(fds[1]);
	n = read(fds[0], err, errsz - 1);
	err[n < 0 ? 0 : n] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void
call_oom(void)
{

	mp_oom();
}

static void
call_calloc_overflow(void)
{
	struct mp_arena	*a = mp_arena_new(0);

	(void)mp_calloc(a, SIZE_MAX / 2, 4);
}

static void
call_huge_alloc(void)
{
	struct mp_arena	*a = mp_arena_new(0);

	(void)mp_alloc(a, SIZE_MAX - 8);
}

static void
test_oom(void **state)
{
	char	 err[256];

	assert_int_equal(in_child(call_oom, err, sizeof(err)), 70);
	assert_non_null(strstr(err, "out of memory"));
	assert_int_equal(in_child(call_calloc_overflow, err, sizeof(err)), 70);
	assert_int_equal(in_child(call_huge_alloc, err, sizeof(err)), 70);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alignment),
		cmocka_unit_test(test_quarter_boundary),
		cmocka_unit_test(test_many_blocks_and_reset),
		cmocka_unit_test(test_cleanups_lifo),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_printf_in_place),
		cmocka_unit_test(test_oom),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
