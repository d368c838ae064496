/*
 * Unit tests for the bytes a whole response puts on the FastCGI
 * connection: stdout records that carry the head and the body in order,
 * none over the protocol's 65,535 bytes, then the end of stdout and the
 * end of the request, and nothing after (libfcgi's own close adds none).
 */
#include <sys/socket.h>

#include <pthread.h>
#include <stdio.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <fastcgi.h>
#include <fcgiapp.h>

#include "web/extern.h"

/* What the reader thread collected from the web server's end. */
struct sink {
	int		 fd;
	unsigned char	*data;
	size_t		 len;
};

static void *
drain(void *arg)
{
	struct sink	*s = arg;
	unsigned char	 chunk[65536];
	ssize_t		 n;

	while ((n = read(s->fd, chunk, sizeof(chunk))) > 0) {
		s->data = realloc(s->data, s->len + (size_t)n);
		assert_non_null(s->data);
		memcpy(s->data + s->len, chunk, (size_t)n);
		s->len += (size_t)n;
	}
	return NULL;
}

static size_t
put_header(unsigned char *p, int type, size_t len)
{
	FCGI_Header	 h;

	memset(&h, 0, sizeof(h));
	h.version = FCGI_VERSION_1;
	h.type = (unsigned char)type;
	h.requestIdB0 = 1;
	h.contentLengthB1 = (unsigned char)(len >> 8);
	h.contentLengthB0 = (unsigned char)(len & 0xff);
	memcpy(p, &h, sizeof(h));
	return sizeof(h);
}

/*
 * Send a GET (or HEAD) through libfcgi on one end of a socket pair,
 * answer it with a body of len bytes through mp_resp_send, and return
 * what came out at the other end.
 */
static struct sink
exchange(size_t len, int head)
{
	FCGX_Request	 fcgx;
	struct mp_req	 r;
	struct mp_resp	 w;
	struct sink	 s;
	pthread_t	 t;
	unsigned char	 in[256], *p = in;
	const char	*method = head ? "HEAD" : "GET";
	size_t		 i, plen;
	int		 fds[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
	/* The web server's side: begin (keep the connection), params, stdin. */
	p += put_header(p, FCGI_BEGIN_REQUEST, 8);
	memset(p, 0, 8);
	p[1] = FCGI_RESPONDER;
	p[2] = FCGI_KEEP_CONN;
	p += 8;
	plen = 2 + strlen("REQUEST_METHOD") + strlen(method);
	p += put_header(p, FCGI_PARAMS, plen);
	*p++ = (unsigned char)strlen("REQUEST_METHOD");
	*p++ = (unsigned char)strlen(method);
	memcpy(p, "REQUEST_METHOD", strlen("REQUEST_METHOD"));
	p += strlen("REQUEST_METHOD");
	memcpy(p, method, strlen(method));
	p += strlen(method);
	p += put_header(p, FCGI_PARAMS, 0);
	p += put_header(p, FCGI_STDIN, 0);
	assert_int_equal(write(fds[1], in, (size_t)(p - in)), p - in);

	/* The responder's side, as the pool hands it a connection. */
	assert_int_equal(FCGX_InitRequest(&fcgx, -1, 0), 0);
	fcgx.ipcFd = fds[0];
	fcgx.keepConnection = 1;
	assert_true(FCGX_Accept_r(&fcgx) >= 0);
	assert_string_equal(FCGX_GetParam("REQUEST_METHOD", fcgx.envp),
	    method);

	memset(&s, 0, sizeof(s));
	s.fd = fds[1];
	assert_int_equal(pthread_create(&t, NULL, drain, &s), 0);

	memset(&r, 0, sizeof(r));
	memset(&w, 0, sizeof(w));
	r.fcgx = &fcgx;
	r.ctx.reqid = "req-1";
	w.status = 200;
	w.ctype = "text/plain";
	w.head_only = head;
	mp_buf_init(&w.body, 0);
	for (i = 0; i < len; i++)
		mp_buf_putc(&w.body, (char)('a' + i % 26));
	mp_resp_send(&r, &w);
	FCGX_Finish_r(&fcgx);
	/* Kept by the web server's flag: still open, so close it here. */
	assert_int_equal(fcgx.ipcFd, fds[0]);
	close(fds[0]);
	pthread_join(t, NULL);
	close(fds[1]);
	mp_buf_free(&w.body);
	return s;
}

/*
 * Parse the records in s: the stdout content joined into *out, the
 * number of stdout records with content into *nrec; fails the test on
 * anything but stdout records, one empty stdout record, then one
 * complete end of request as the very last bytes.
 */
static void
parse(const struct sink *s, unsigned char **out, size_t *olen, int *nrec)
{
	size_t		 off = 0, clen;
	const FCGI_Header *h;
	const FCGI_EndRequestBody *e;
	int		 ended = 0;

	*out = NULL;
	*olen = 0;
	*nrec = 0;
	while (off < s->len) {
		assert_false(ended);
		assert_true(s->len - off >= sizeof(FCGI_Header));
		h = (const FCGI_Header *)(s->data + off);
		assert_int_equal(h->version, FCGI_VERSION_1);
		assert_int_equal(h->requestIdB1 << 8 | h->requestIdB0, 1);
		clen = (size_t)(h->contentLengthB1 << 8 | h->contentLengthB0);
		off += sizeof(*h);
		assert_true(s->len - off >= clen + h->paddingLength);
		if (h->type == FCGI_STDOUT && clen > 0) {
			*out = realloc(*out, *olen + clen);
			assert_non_null(*out);
			memcpy(*out + *olen, s->data + off, clen);
			*olen += clen;
			(*nrec)++;
		} else if (h->type == FCGI_STDOUT) {
			/* The end of stdout comes once, just before the end. */
			assert_int_equal(ended, 0);
			ended = 1;
		} else {
			fail_msg("unexpected record type %d", h->type);
		}
		off += clen + h->paddingLength;
		if (ended) {
			assert_true(s->len - off >= sizeof(FCGI_EndRequestRecord));
			h = (const FCGI_Header *)(s->data + off);
			assert_int_equal(h->type, FCGI_END_REQUEST);
			e = (const FCGI_EndRequestBody *)(h + 1);
			assert_int_equal(e->protocolStatus, FCGI_REQUEST_COMPLETE);
			assert_int_equal(e->appStatusB0, 0);
			off += sizeof(FCGI_EndRequestRecord);
			assert_int_equal(off, s->len);
			return;
		}
	}
	fail_msg("no end of stdout and of the request");
}

/* The head mp_resp_send writes for a body of len bytes; its length. */
static size_t
want_head(char *buf, size_t sz, size_t len)
{

	return (size_t)snprintf(buf, sz, "Status: 200 OK\r\nContent-Type: "
	    "text/plain\r\nContent-Length: %zu\r\nX-Request-Id: req-1\r\n\r\n",
	    len);
}

static size_t
head_len(size_t len)
{
	char	 h[128];

	return want_head(h, sizeof(h), len);
}

static void
check(size_t len, int head)
{
	struct sink	 s = exchange(len, head);
	unsigned char	*out;
	char		 want[128];
	size_t		 olen, hlen, i;
	int		 nrec;

	parse(&s, &out, &olen, &nrec);
	hlen = want_head(want, sizeof(want), len);
	assert_true(olen >= hlen);
	assert_memory_equal(out, want, hlen);
	assert_int_equal(olen - hlen, head ? 0 : len);
	for (i = hlen; i < olen; i++)
		if (out[i] != (unsigned char)('a' + (i - hlen) % 26))
			fail_msg("body byte %zu differs", i - hlen);
	/* As few records as the protocol's length field allows. */
	assert_int_equal(nrec, (int)((olen + 65534) / 65535));
	free(out);
	free(s.data);
}

static void
test_small_and_empty(void **state)
{

	(void)state;
	check(0, 0);
	check(1, 0);
	check(14252, 0);
}

static void
test_record_boundaries(void **state)
{
	size_t	 fill = 65535 - head_len(65535);

	(void)state;
	/* Head and body filling one record exactly, then one byte over. */
	check(fill - 1, 0);
	check(fill, 0);
	check(fill + 1, 0);
	/* A body as long as a record, and as two. */
	check(65535, 0);
	check(2 * 65535, 0);
	/* More records than the responder keeps on its stack (8). */
	check(9 * 65535 + 17, 0);
}

static void
test_head_has_no_body(void **state)
{

	(void)state;
	check(14252, 1);
	check(200000, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_and_empty),
		cmocka_unit_test(test_record_boundaries),
		cmocka_unit_test(test_head_has_no_body),
	};

	assert_int_equal(FCGX_Init(), 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
