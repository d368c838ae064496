/* Randomness, SHA-256, hex and base64url, constant-time compare, clock. */
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core/extern.h"

/* Without randomness no token is safe to issue: stop the process. */
static void
crypto_fatal(const char *what)
{

	mp_error("%s failed; exiting", what);
	_exit(70);
}

/* Fill p with n cryptographically secure random bytes, or exit. */
void
mp_random(void *p, size_t n)
{
	unsigned char	*q = p;
	size_t		 chunk;

	while (n > 0) {
		chunk = n > 65536 ? 65536 : n;
		if (RAND_bytes(q, (int)chunk) != 1)
			crypto_fatal("RAND_bytes");
		q += chunk;
		n -= chunk;
	}
}

/* A fresh random token of nbytes bytes, base64url-encoded into the arena. */
char *
mp_token(struct mp_arena *a, size_t nbytes)
{
	unsigned char	 stackbuf[64];
	unsigned char	*raw;
	char		*s;

	raw = nbytes <= sizeof(stackbuf) ? stackbuf : mp_alloc(a, nbytes);
	mp_random(raw, nbytes);
	s = mp_b64url(a, raw, nbytes);
	OPENSSL_cleanse(raw, nbytes);
	return s;
}

void
mp_sha256(const void *p, size_t n, unsigned char out[32])
{
	unsigned int	 outlen = 32;

	if (EVP_Digest(p, n, out, &outlen, EVP_sha256(), NULL) != 1 ||
	    outlen != 32)
		crypto_fatal("EVP_Digest(SHA-256)");
}

/* Lower-case hex SHA-256 of p[0..n), 64 characters, in the arena. */
char *
mp_sha256_hex(struct mp_arena *a, const void *p, size_t n)
{
	unsigned char	 md[32];

	mp_sha256(p, n, md);
	return mp_hex(a, md, sizeof(md));
}

/* Lower-case hex of p[0..n) in the arena. */
char *
mp_hex(struct mp_arena *a, const void *p, size_t n)
{
	static const char	 digits[] = "0123456789abcdef";
	const unsigned char	*q = p;
	char			*s;
	size_t			 i;

	if (n > (SIZE_MAX - 1) / 2)
		mp_oom();
	s = mp_alloc(a, n * 2 + 1);
	for (i = 0; i < n; i++) {
		s[i * 2] = digits[q[i] >> 4];
		s[i * 2 + 1] = digits[q[i] & 0xf];
	}
	s[n * 2] = '\0';
	return s;
}

/* RFC 4648 section 5 base64url of p[0..n), without padding, in the arena. */
char *
mp_b64url(struct mp_arena *a, const void *p, size_t n)
{
	static const char	 alpha[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const unsigned char	*q = p;
	char			*s, *o;
	size_t			 i;
	uint32_t		 v;

	if (n > SIZE_MAX / 2)
		mp_oom();
	o = s = mp_alloc(a, (n + 2) / 3 * 4 + 1);
	for (i = 0; i + 3 <= n; i += 3) {
		v = (uint32_t)q[i] << 16 | (uint32_t)q[i + 1] << 8 | q[i + 2];
		*o++ = alpha[v >> 18 & 63];
		*o++ = alpha[v >> 12 & 63];
		*o++ = alpha[v >> 6 & 63];
		*o++ = alpha[v & 63];
	}
	if (n - i == 1) {
		v = (uint32_t)q[i] << 16;
		*o++ = alpha[v >> 18 & 63];
		*o++ = alpha[v >> 12 & 63];
	} else if (n - i == 2) {
		v = (uint32_t)q[i] << 16 | (uint32_t)q[i + 1] << 8;
		*o++ = alpha[v >> 18 & 63];
		*o++ = alpha[v >> 12 & 63];
		*o++ = alpha[v >> 6 & 63];
	}
	*o = '\0';
	return s;
}

/* 1 if a and b hold the same n bytes, in time independent of the contents. */
int
mp_ct_equal(const void *a, const void *b, size_t n)
{

	return CRYPTO_memcmp(a, b, n) == 0;
}

/* Milliseconds of CLOCK_MONOTONIC: for durations and deadlines only. */
uint64_t
mp_monotonic_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Standard base64 with padding, no line breaks.  Arena memory. */
char *
mp_base64(struct mp_arena *a, const void *data, size_t len)
{
	const unsigned char	*s = data;
	char			*out = mp_alloc(a, 4 * ((len + 2) / 3) + 1), *o;
	size_t			 i;
	uint32_t		 v;

	o = out;
	for (i = 0; i + 2 < len; i += 3) {
		v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
		*o++ = b64chars[v >> 18];
		*o++ = b64chars[(v >> 12) & 63];
		*o++ = b64chars[(v >> 6) & 63];
		*o++ = b64chars[v & 63];
	}
	if (i < len) {
		v = (uint32_t)s[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)s[i + 1] << 8;
		*o++ = b64chars[v >> 18];
		*o++ = b64chars[(v >> 12) & 63];
		*o++ = i + 1 < len ? b64chars[(v >> 6) & 63] : '=';
		*o++ = '=';
	}
	*o = '\0';
	return out;
}
