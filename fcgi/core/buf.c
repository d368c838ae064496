/* Growable byte buffer for response bodies: size cap, sticky error. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/extern.h"

/* Start empty; max 0 means no cap.  No memory is allocated yet. */
void
mp_buf_init(struct mp_buf *b, size_t max)
{

	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
	b->err = 0;
}

void
mp_buf_free(struct mp_buf *b)
{

	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->err = 0;
}

/* Empty the buffer and clear the error, keeping its memory and cap. */
void
mp_buf_reset(struct mp_buf *b)
{

	b->len = 0;
	b->err = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

/*
 * Make room for n more bytes plus a NUL.  Returns 0, or -1 after setting
 * err when the cap would be passed; allocation failure is fatal.
 */
static int
reserve(struct mp_buf *b, size_t n)
{
	size_t	 need, ncap;
	char	*p;

	if (b->err)
		return -1;
	if (n > SIZE_MAX - 1 - b->len ||
	    (b->max != 0 && b->len + n > b->max)) {
		b->err = 1;
		return -1;
	}
	need = b->len + n + 1;
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 256;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	if ((p = realloc(b->data, ncap)) == NULL)
		mp_oom();
	b->data = p;
	b->cap = ncap;
	return 0;
}

/* Append n bytes; once err is set (cap reached) nothing more is added. */
void
mp_buf_add(struct mp_buf *b, const void *p, size_t n)
{

	if (n == 0 || reserve(b, n) == -1)
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
mp_buf_puts(struct mp_buf *b, const char *s)
{

	if (s != NULL)
		mp_buf_add(b, s, strlen(s));
}

void
mp_buf_putc(struct mp_buf *b, int c)
{
	unsigned char	 ch = (unsigned char)c;

	mp_buf_add(b, &ch, 1);
}

/* Append formatted text; a formatting error sets err like a full buffer. */
void
mp_buf_printf(struct mp_buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 len;

	size_t	 room;

	if (b->err)
		return;
	/* Formatted once into the free capacity; again only if it was short. */
	room = b->cap > b->len ? b->cap - b->len : 0;
	va_start(ap, fmt);
	len = vsnprintf(room > 0 ? b->data + b->len : NULL, room, fmt, ap);
	va_end(ap);
	if (len < 0) {
		b->err = 1;
		if (room > 0)
			b->data[b->len] = '\0';
		return;
	}
	if ((size_t)len >= room) {
		if (len == 0 || reserve(b, (size_t)len) == -1) {
			if (room > 0)
				b->data[b->len] = '\0';
			return;
		}
		va_start(ap, fmt);
		(void)vsnprintf(b->data + b->len, (size_t)len + 1, fmt, ap);
		va_end(ap);
	} else if (b->max != 0 && b->len + (size_t)len > b->max) {
		/* Over the cap: as reserve() would have refused it. */
		b->err = 1;
		b->data[b->len] = '\0';
		return;
	}
	b->len += (size_t)len;
}

/*
 * Append s with the five HTML-significant characters escaped, so the
 * result is safe in element content and in quoted attribute values.
 */
void
mp_buf_html(struct mp_buf *b, const char *s)
{
	if (s != NULL)
		mp_buf_html_n(b, s, strlen(s));
}

/* mp_buf_html of the n bytes at s. */
void
mp_buf_html_n(struct mp_buf *b, const char *s, size_t n)
{
	const char	*run, *rep, *e = s + n;

	for (run = s; s < e; s++) {
		switch (*s) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			continue;
		}
		mp_buf_add(b, run, (size_t)(s - run));
		mp_buf_puts(b, rep);
		run = s + 1;
	}
	mp_buf_add(b, run, (size_t)(s - run));
}

/* The contents as a C string, "" when nothing was ever added. */
const char *
mp_buf_cstr(struct mp_buf *b)
{

	if (b->data == NULL)
		return "";
	b->data[b->len] = '\0';
	return b->data;
}
