/* Per-request bump allocator: blocks, large chunks, LIFO cleanups. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/extern.h"

#define ARENA_ALIGN	16
#define ARENA_DEFBLOCK	(16 * 1024)

/* A bump block or a large chunk; data follows the header, 16-aligned. */
struct chunk {
	struct chunk	*next;
	size_t		 size;	/* usable bytes after the header */
	size_t		 used;
};

#define HDRSZ	((sizeof(struct chunk) + ARENA_ALIGN - 1) & \
		    ~(size_t)(ARENA_ALIGN - 1))

struct cleanup {
	struct cleanup	*next;
	void		(*fn)(void *);
	void		*arg;
};

struct mp_arena {
	size_t		 blocksz;
	struct chunk	*blocks;	/* current first, the kept one last */
	struct chunk	*large;
	struct cleanup	*cleanups;	/* most recent first */
	size_t		 used;
};

void
mp_oom(void)
{
	static const char msg[] = "out of memory\n";

	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
	_exit(70);
}

static struct chunk *
chunk_new(size_t size)
{
	struct chunk	*c;

	if (size > SIZE_MAX - HDRSZ)
		mp_oom();
	/* malloc's alignment covers max_align_t, which is 16 on our targets. */
	if ((c = malloc(HDRSZ + size)) == NULL)
		mp_oom();
	c->next = NULL;
	c->size = size;
	c->used = 0;
	return c;
}

static char *
chunk_data(struct chunk *c)
{

	return (char *)c + HDRSZ;
}

/*
 * Create an arena whose bump blocks hold blocksz bytes (0: 16 KiB).  The
 * first block is allocated now and kept across resets.  Never returns NULL.
 */
struct mp_arena *
mp_arena_new(size_t blocksz)
{
	struct mp_arena	*a;

	if (blocksz == 0)
		blocksz = ARENA_DEFBLOCK;
	if (blocksz < 4 * ARENA_ALIGN)
		blocksz = 4 * ARENA_ALIGN;
	blocksz = (blocksz + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if ((a = calloc(1, sizeof(*a))) == NULL)
		mp_oom();
	a->blocksz = blocksz;
	a->blocks = chunk_new(blocksz);
	return a;
}

/*
 * Run the cleanups, most recently registered first, then free every large
 * chunk and every block but the first, which is emptied for reuse.
 * Cleanup records live in the arena, so they are read before any free.
 */
void
mp_arena_reset(struct mp_arena *a)
{
	struct cleanup	*cl;
	struct chunk	*c, *next;

	if (a == NULL)
		return;
	while ((cl = a->cleanups) != NULL) {
		/* Unlink before the call so that each runs exactly once. */
		a->cleanups = cl->next;
		cl->fn(cl->arg);
	}
	for (c = a->large; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	a->large = NULL;
	for (c = a->blocks; c->next != NULL; c = next) {
		next = c->next;
		free(c);
	}
	c->used = 0;
	a->blocks = c;
	a->used = 0;
}

/* Reset (running the cleanups), then release the arena itself. */
void
mp_arena_free(struct mp_arena *a)
{

	if (a == NULL)
		return;
	mp_arena_reset(a);
	free(a->blocks);
	free(a);
}

/*
 * Return n bytes aligned to 16, valid until the next reset.  Requests of
 * more than a quarter block get their own chunk so that they do not waste
 * the rest of the current block.  Never returns NULL.
 */
void *
mp_alloc(struct mp_arena *a, size_t n)
{
	struct chunk	*c;
	size_t		 off;

	if (n == 0)
		n = 1;
	if (n > SIZE_MAX - ARENA_ALIGN)
		mp_oom();
	if (n > a->blocksz / 4) {
		c = chunk_new(n);
		c->used = n;
		c->next = a->large;
		a->large = c;
		a->used += n;
		return chunk_data(c);
	}
	c = a->blocks;
	off = (c->used + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (off > c->size || c->size - off < n) {
		c = chunk_new(a->blocksz);
		c->next = a->blocks;
		a->blocks = c;
		off = 0;
	}
	c->used = off + n;
	a->used += n;
	return chunk_data(c) + off;
}

/* Zeroed array of nmemb elements of size bytes; overflow is fatal. */
void *
mp_calloc(struct mp_arena *a, size_t nmemb, size_t size)
{
	void	*p;

	if (size != 0 && nmemb > SIZE_MAX / size)
		mp_oom();
	p = mp_alloc(a, nmemb * size);
	memset(p, 0, nmemb * size);
	return p;
}

/* Copy n bytes of s and a terminating NUL; s need not be NUL-terminated. */
char *
mp_strndup(struct mp_arena *a, const char *s, size_t n)
{
	char	*p;

	if (n == SIZE_MAX)
		mp_oom();
	p = mp_alloc(a, n + 1);
	if (n > 0)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* Copy a NUL-terminated string; NULL gives NULL. */
char *
mp_strdup(struct mp_arena *a, const char *s)
{

	if (s == NULL)
		return NULL;
	return mp_strndup(a, s, strlen(s));
}

void *
mp_memdup(struct mp_arena *a, const void *p, size_t n)
{
	void	*q;

	q = mp_alloc(a, n);
	if (n > 0)
		memcpy(q, p, n);
	return q;
}

/*
 * Format into the arena.  An encoding error from vsnprintf gives an
 * empty string rather than NULL so that callers need no check.  The
 * string is formatted once, straight into the free end of the current
 * block, and kept there when it fits (nearly always: keys, paths, small
 * numbers); only a longer one is formatted again into its own room.
 */
char *
mp_vprintf(struct mp_arena *a, const char *fmt, va_list ap)
{
	struct chunk	*c = a->blocks;
	va_list		 ap2;
	char		*p;
	size_t		 off, room;
	int		 len;

	off = (c->used + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	room = off < c->size ? c->size - off : 0;
	/* What mp_alloc would give a short string: the same bytes. */
	if (room > a->blocksz / 4)
		room = a->blocksz / 4;
	va_copy(ap2, ap);
	len = vsnprintf(room > 0 ? chunk_data(c) + off : NULL, room, fmt, ap2);
	va_end(ap2);
	if (len < 0)
		return mp_strndup(a, "", 0);
	if ((size_t)len < room)
		return mp_alloc(a, (size_t)len + 1);
	p = mp_alloc(a, (size_t)len + 1);
	(void)vsnprintf(p, (size_t)len + 1, fmt, ap);
	return p;
}

char *
mp_printf(struct mp_arena *a, const char *fmt, ...)
{
	va_list	 ap;
	char	*p;

	va_start(ap, fmt);
	p = mp_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

/*
 * Register fn(arg) to run at the next reset or free, before any memory is
 * released; cleanups run in reverse order of registration.
 */
void
mp_arena_cleanup(struct mp_arena *a, void (*fn)(void *), void *arg)
{
	struct cleanup	*cl;

	cl = mp_alloc(a, sizeof(*cl));
	cl->fn = fn;
	cl->arg = arg;
	cl->next = a->cleanups;
	a->cleanups = cl;
}

/* Bytes handed out since the last reset (without alignment padding). */
size_t
mp_arena_used(const struct mp_arena *a)
{

	return a->used;
}
