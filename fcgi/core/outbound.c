/* Outbound HTTP(S) to hosts users name (probes, domain checks): no private addresses, no redirects, hard timeouts, a size cap. */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <string.h>

#include <curl/curl.h>

#include "core/extern.h"

/*
 * 1 when an address may not be reached: loopback, private, link-local,
 * unspecified, carrier-grade NAT, multicast and reserved (v4 and v6,
 * v4-mapped too), or not an IP address at all.
 */
int
mp_addr_private(const struct sockaddr *sa)
{
	const unsigned char	*b;
	uint32_t		 v4;

	if (sa->sa_family == AF_INET) {
		v4 = ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr);
		goto v4;
	}
	if (sa->sa_family != AF_INET6)
		return 1;
	b = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
	if (IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)b)) {
		v4 = (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 |
		    (uint32_t)b[14] << 8 | b[15];
		goto v4;
	}
	return IN6_IS_ADDR_LOOPBACK((const struct in6_addr *)b) ||
	    IN6_IS_ADDR_UNSPECIFIED((const struct in6_addr *)b) ||
	    IN6_IS_ADDR_LINKLOCAL((const struct in6_addr *)b) ||
	    IN6_IS_ADDR_MULTICAST((const struct in6_addr *)b) ||
	    (b[0] & 0xfe) == 0xfc;
v4:
	return (v4 >> 24) == 0 || (v4 >> 24) == 10 || (v4 >> 24) == 127 ||
	    (v4 >> 16) == 0xa9fe || (v4 >> 20) == 0xac1 ||
	    (v4 >> 16) == 0xc0a8 || (v4 >> 22) == (100u << 2 | 1) ||
	    (v4 >> 28) >= 0xe;
}

struct io {
	struct mp_outbound	*o;
	size_t			 got;
};

/* curl asks for a socket once the address is known: refuse private ones. */
static curl_socket_t
open_socket(void *ctx, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct io	*io = ctx;

	(void)purpose;
	if (!io->o->allow_private && mp_addr_private(&a->addr)) {
		io->o->refused = 1;
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype, a->protocol);
}

static size_t
write_body(char *p, size_t sz, size_t n, void *ctx)
{
	struct io	*io = ctx;
	size_t		 len = sz * n;

	io->got += len;
	if (io->got > io->o->max_body)
		return 0;
	if (io->o->body != NULL)
		mp_buf_add(io->o->body, p, len);
	return len;
}

/*
 * One outbound request as o describes it, with libcurl: redirects never
 * followed (a 3xx is reported as it is), connect and total timeouts of
 * o->timeout_ms, at most o->max_body bytes read (into o->body when
 * set), only o->protocols ("https", or "http,https"), and no private or
 * loopback address unless o->allow_private.  o->connect_only stops
 * after the TCP connection.  Fills o->status, o->ms and o->refused.
 * MP_OK when an answer came (any status); MP_EUPSTREAM with a sentence
 * in o->detail (arena memory) when it did not.
 */
enum mp_err
mp_outbound(struct mp_arena *a, struct mp_outbound *o)
{
	struct io	 io;
	CURL		*h;
	CURLcode	 cc;
	double		 t = 0;

	o->status = 0;
	o->ms = 0;
	o->refused = 0;
	o->detail = NULL;
	memset(&io, 0, sizeof(io));
	io.o = o;
	if ((h = curl_easy_init()) == NULL) {
		o->detail = "curl_easy_init failed";
		return MP_EUPSTREAM;
	}
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, o->timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, o->timeout_ms);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE, (long)o->max_body);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &io);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &io);
	curl_easy_setopt(h, CURLOPT_USERAGENT, o->user_agent != NULL ?
	    o->user_agent : "mPanel/1");
	curl_easy_setopt(h, CURLOPT_URL, o->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, o->protocols != NULL ?
	    o->protocols : "https");
	if (o->connect_only)
		curl_easy_setopt(h, CURLOPT_CONNECT_ONLY, 1L);
	if (o->ca_file != NULL && o->ca_file[0] != '\0')
		curl_easy_setopt(h, CURLOPT_CAINFO, o->ca_file);
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &t);
	o->ms = (long)(t * 1000.0);
	if (o->refused)
		o->detail = "refused: the address is private or loopback";
	else if (cc != CURLE_OK)
		o->detail = mp_strdup(a, curl_easy_strerror(cc));
	else if (!o->connect_only)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &o->status);
	curl_easy_cleanup(h);
	return o->detail == NULL ? MP_OK : MP_EUPSTREAM;
}
