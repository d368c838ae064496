/* Two-factor secrets at rest (AES-256-GCM) and the signed remember-this-device cookie, under keys derived per tenant. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "features/twofa/extern.h"

#define NONCE	12
#define TAG	16
#define MACLEN	32
#define REMEMBER_RAW	(1 + 8 + 8 + 8 + MACLEN)

enum {
	TK_CURRENT,
	TK_BY_KID,
	TK__MAX
};

static const struct mp_stmt stmts[] = {
	/* The same key notify signs its links with (see 0003_queue.sql). */
	[TK_CURRENT] = { "tf_key_current",
	    "SELECT kid, encode(secret, 'hex') FROM mp_signing_key"
	    " ORDER BY active DESC, kid DESC LIMIT 1", MP_STMT_READ },
	[TK_BY_KID] = { "tf_key_by_kid",
	    "SELECT kid, encode(secret, 'hex') FROM mp_signing_key"
	    " WHERE kid = $1::smallint", MP_STMT_READ },
};

_Static_assert(sizeof(stmts) / sizeof(stmts[0]) == TK__MAX,
    "twofa key statements and enum differ");

MP_STMT_TABLE(mp_twofa_keys_st, stmts);

static void
put64(unsigned char *p, uint64_t v)
{
	int	 i;

	for (i = 7; i >= 0; i--) {
		p[i] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
}

static uint64_t
get64(const unsigned char *p)
{
	uint64_t	 v = 0;
	int		 i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

/* HMAC-SHA256(master, label | tenant id) as each derived key. */
void
mp_twofa_derive(const unsigned char *master, size_t mlen, int64_t tid,
    const char *kid, struct mp_twofa_keys *k)
{
	static const char *const labels[2] = { "mpanel twofa seal",
	    "mpanel twofa mac" };
	unsigned char	 msg[64], *dst;
	unsigned int	 n;
	size_t		 l;
	int		 i;

	memset(k, 0, sizeof(*k));
	snprintf(k->kid, sizeof(k->kid), "%s", kid);
	for (i = 0; i < 2; i++) {
		l = strlen(labels[i]) + 1;
		memcpy(msg, labels[i], l);
		put64(msg + l, (uint64_t)tid);
		dst = i == 0 ? k->seal : k->mac;
		n = 0;
		HMAC(EVP_sha256(), master, (int)mlen, msg, l + 8, dst, &n);
	}
	OPENSSL_cleanse(msg, sizeof(msg));
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static size_t
unhex(const char *s, unsigned char *out, size_t max)
{
	size_t	 n = 0;
	int	 hi, lo;

	while (s[0] != '\0' && s[1] != '\0' && n < max) {
		if ((hi = hexval(s[0])) < 0 || (lo = hexval(s[1])) < 0)
			return 0;
		out[n++] = (unsigned char)(hi << 4 | lo);
		s += 2;
	}
	return s[0] == '\0' ? n : 0;
}

/*
 * The configured key ("c") wins; without one, the database's signing key
 * ("d<kid>"), which keeps secrets out of plain sight in the table but not
 * from whoever has the whole database (docs/operations.md says so).
 */
enum mp_err
mp_twofa_keys(struct mp_ctx *ctx, const char *kid, struct mp_twofa_keys *k)
{
	const char	*conf = mp_twofa_conf(ctx->cfg)->twofa_key, *p[1];
	unsigned char	 master[64];
	struct mp_res	*res;
	size_t		 n;
	enum mp_err	 rc;

	if (kid == NULL ? conf[0] != '\0' : strcmp(kid, "c") == 0) {
		if ((n = unhex(conf, master, sizeof(master))) < 32)
			return mp_fail(ctx, MP_ESYS, NULL, "twofa_key is not set "
			    "but secrets were sealed with it.");
		mp_twofa_derive(master, n, ctx->tenant->id, "c", k);
		OPENSSL_cleanse(master, sizeof(master));
		return MP_OK;
	}
	if (kid == NULL)
		rc = mp_q(ctx, &stmts[TK_CURRENT], 0, NULL, &res);
	else {
		if (kid[0] != 'd')
			return MP_EINPUT;
		p[0] = kid + 1;
		rc = mp_q(ctx, &stmts[TK_BY_KID], 1, p, &res);
	}
	if (rc != MP_OK)
		return rc;
	if (mp_res_rows(res) != 1 ||
	    (n = unhex(mp_res_get(res, 0, 1), master, sizeof(master))) < 16)
		return mp_fail(ctx, MP_ESYS, NULL, "No signing key.");
	mp_twofa_derive(master, n, ctx->tenant->id,
	    mp_printf(ctx->a, "d%s", mp_res_get(res, 0, 0)), k);
	OPENSSL_cleanse(master, sizeof(master));
	return MP_OK;
}

static void
aad(unsigned char out[16], int64_t tid, int64_t uid)
{
	put64(out, (uint64_t)tid);
	put64(out + 8, (uint64_t)uid);
}

char *
mp_seal(struct mp_arena *a, const struct mp_twofa_keys *k, int64_t tid,
    int64_t uid, const void *plain, size_t len)
{
	unsigned char	 buf[NONCE + 64 + TAG], ad[16];
	EVP_CIPHER_CTX	*c;
	int		 n = 0, f = 0, ok;

	if (len > 64)
		return NULL;
	mp_random(buf, NONCE);
	aad(ad, tid, uid);
	if ((c = EVP_CIPHER_CTX_new()) == NULL)
		mp_oom();
	ok = EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, k->seal, buf) == 1 &&
	    EVP_EncryptUpdate(c, NULL, &n, ad, sizeof(ad)) == 1 &&
	    EVP_EncryptUpdate(c, buf + NONCE, &n, plain, (int)len) == 1 &&
	    EVP_EncryptFinal_ex(c, buf + NONCE + n, &f) == 1 &&
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG,
	    buf + NONCE + len) == 1;
	EVP_CIPHER_CTX_free(c);
	if (!ok)
		return NULL;
	return mp_printf(a, "%s.%s", k->kid,
	    mp_b64url(a, buf, NONCE + len + TAG));
}

static int
b64v(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

/* base64url without padding into out; length or -1. */
static int
unb64url(const char *s, unsigned char *out, size_t max)
{
	uint32_t	 acc = 0;
	int		 bits = 0, v;
	size_t		 n = 0;

	for (; *s != '\0'; s++) {
		if ((v = b64v((unsigned char)*s)) < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			if (n == max)
				return -1;
			out[n++] = (unsigned char)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	return (int)n;
}

int
mp_unseal(const struct mp_twofa_keys *k, int64_t tid, int64_t uid,
    const char *sealed, unsigned char *out, size_t max)
{
	unsigned char	 buf[NONCE + 64 + TAG], ad[16];
	const char	*dot = strchr(sealed, '.');
	EVP_CIPHER_CTX	*c;
	int		 len, n = 0, f = 0, ok;

	if (dot == NULL || (size_t)(dot - sealed) != strlen(k->kid) ||
	    strncmp(sealed, k->kid, strlen(k->kid)) != 0 ||
	    (len = unb64url(dot + 1, buf, sizeof(buf))) < NONCE + TAG ||
	    (size_t)(len - NONCE - TAG) > max)
		return -1;
	len -= NONCE + TAG;
	aad(ad, tid, uid);
	if ((c = EVP_CIPHER_CTX_new()) == NULL)
		mp_oom();
	ok = EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, k->seal, buf) == 1 &&
	    EVP_DecryptUpdate(c, NULL, &n, ad, sizeof(ad)) == 1 &&
	    EVP_DecryptUpdate(c, out, &n, buf + NONCE, len) == 1 &&
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG,
	    buf + NONCE + len) == 1 &&
	    EVP_DecryptFinal_ex(c, out + n, &f) == 1;
	EVP_CIPHER_CTX_free(c);
	if (!ok) {
		OPENSSL_cleanse(out, max);
		return -1;
	}
	return len;
}

static void
remember_mac(const struct mp_twofa_keys *k, int64_t tid,
    const unsigned char *body, unsigned char out[MACLEN])
{
	unsigned char	 msg[8 + 1 + 24];
	unsigned int	 n = 0;

	put64(msg, (uint64_t)tid);
	memcpy(msg + 8, body, 25);
	HMAC(EVP_sha256(), k->mac, MP_SEAL_KEYLEN, msg, sizeof(msg), out, &n);
}

/*
 * Layout before base64url: version 1, user id, expiry, epoch (8 bytes
 * each, big-endian), HMAC-SHA256 of the tenant id and all of that.
 */
char *
mp_remember_make(struct mp_arena *a, const struct mp_twofa_keys *k,
    int64_t tid, int64_t uid, int64_t expires, int64_t epoch)
{
	unsigned char	 raw[REMEMBER_RAW];

	raw[0] = 1;
	put64(raw + 1, (uint64_t)uid);
	put64(raw + 9, (uint64_t)expires);
	put64(raw + 17, (uint64_t)epoch);
	remember_mac(k, tid, raw, raw + 25);
	return mp_b64url(a, raw, sizeof(raw));
}

int
mp_remember_check(const struct mp_twofa_keys *k, int64_t tid, int64_t uid,
    int64_t epoch, int64_t now, const char *cookie)
{
	unsigned char	 raw[REMEMBER_RAW + 1], mac[MACLEN];

	if (cookie == NULL || strlen(cookie) > 100 ||
	    unb64url(cookie, raw, sizeof(raw)) != REMEMBER_RAW || raw[0] != 1)
		return 0;
	remember_mac(k, tid, raw, mac);
	if (CRYPTO_memcmp(mac, raw + 25, MACLEN) != 0)
		return 0;
	return get64(raw + 1) == (uint64_t)uid &&
	    (int64_t)get64(raw + 9) > now &&
	    get64(raw + 17) == (uint64_t)epoch;
}
