/* Unit tests for the outbound HTTP rules: private addresses refused, redirects reported not followed, bodies capped. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <unistd.h>

#include <curl/curl.h>

#include "core/extern.h"

static int
v4(const char *s)
{
	struct sockaddr_in	 sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, s, &sin.sin_addr);
	return mp_addr_private((struct sockaddr *)&sin);
}

static int
v6(const char *s)
{
	struct sockaddr_in6	 sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin6_family = AF_INET6;
	inet_pton(AF_INET6, s, &sin.sin6_addr);
	return mp_addr_private((struct sockaddr *)&sin);
}

static void
test_addresses(void **state)
{
	(void)state;
	assert_true(v4("127.0.0.1"));
	assert_true(v4("10.0.0.1"));
	assert_true(v4("172.31.255.255"));
	assert_true(v4("192.168.1.1"));
	assert_true(v4("169.254.169.254"));	/* cloud metadata */
	assert_true(v4("100.64.0.1"));
	assert_true(v4("0.0.0.0"));
	assert_true(v4("224.0.0.1"));
	assert_false(v4("172.32.0.1"));
	assert_false(v4("93.184.216.34"));
	assert_true(v6("::1"));
	assert_true(v6("fe80::1"));
	assert_true(v6("fd00::1"));
	assert_true(v6("::ffff:127.0.0.1"));
	assert_false(v6("2606:2800:220:1::1"));
}

/*
 * A one-connection HTTP server on 127.0.0.1 answering with reply; its
 * port in *port, its pid returned.
 */
static pid_t
serve(const char *reply, int *port)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	char			 buf[2048];
	pid_t			 pid;
	int			 s, c, one = 1;

	s = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(s, 4), 0);
	getsockname(s, (struct sockaddr *)&sin, &len);
	*port = ntohs(sin.sin_port);
	if ((pid = fork()) == 0) {
		alarm(10);
		while ((c = accept(s, NULL, NULL)) >= 0) {
			if (read(c, buf, sizeof(buf)) > 0 &&
			    write(c, reply, strlen(reply)) < 0)
				_exit(1);
			close(c);
		}
		_exit(0);
	}
	close(s);
	return pid;
}

static void
stop(pid_t pid)
{
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

static void
test_redirect_not_followed(void **state)
{
	struct mp_arena		*a = mp_arena_new(4096);
	struct mp_outbound	 o;
	pid_t			 pid;
	int			 port;

	(void)state;
	pid = serve("HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/x\r\n"
	    "Content-Length: 0\r\nConnection: close\r\n\r\n", &port);
	memset(&o, 0, sizeof(o));
	o.url = mp_printf(a, "http://127.0.0.1:%d/.well-known/x", port);
	o.protocols = "http,https";
	o.timeout_ms = 3000;
	o.max_body = 1024;
	o.allow_private = 1;
	assert_int_equal(mp_outbound(a, &o), MP_OK);
	assert_int_equal(o.status, 302);	/* reported, not followed */
	/* The same address without allow_private is refused. */
	o.allow_private = 0;
	assert_int_equal(mp_outbound(a, &o), MP_EUPSTREAM);
	assert_true(o.refused);
	assert_non_null(strstr(o.detail, "private"));
	stop(pid);
	mp_arena_free(a);
}

static void
test_body_cap(void **state)
{
	struct mp_arena		*a = mp_arena_new(4096);
	struct mp_outbound	 o;
	struct mp_buf		 b;
	char			 reply[4096];
	pid_t			 pid;
	int			 port;

	(void)state;
	snprintf(reply, sizeof(reply), "HTTP/1.1 200 OK\r\nContent-Length: "
	    "2000\r\nConnection: close\r\n\r\n%2000s", "x");
	pid = serve(reply, &port);
	mp_buf_init(&b, 0);
	memset(&o, 0, sizeof(o));
	o.url = mp_printf(a, "http://127.0.0.1:%d/", port);
	o.protocols = "http";
	o.timeout_ms = 3000;
	o.max_body = 1024;
	o.allow_private = 1;
	o.body = &b;
	assert_int_equal(mp_outbound(a, &o), MP_EUPSTREAM);
	assert_true(b.len <= 1024);
	/* https only: a plain http URL is not even tried. */
	mp_buf_reset(&b);
	o.protocols = "https";
	assert_int_equal(mp_outbound(a, &o), MP_EUPSTREAM);
	assert_int_equal(o.status, 0);
	mp_buf_free(&b);
	stop(pid);
	mp_arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_redirect_not_followed),
		cmocka_unit_test(test_body_cap),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
