/* Passwords: scrypt hashing in a self-describing format, and the password policy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/extern.h"

/* OWASP's N=2^15, r=8, p=3 (32 MiB per hash). */
#define SCRYPT_N	32768ULL
#define SCRYPT_R	8ULL
#define SCRYPT_P	3ULL
#define SALT_LEN	16
#define HASH_LEN	32
#define MAXMEM		(256ULL << 20)

static int
scrypt(const char *pw, const unsigned char *salt, size_t saltlen,
    uint64_t n, uint64_t r, uint64_t p, unsigned char *out, size_t outlen)
{
	return EVP_PBE_scrypt(pw, strlen(pw), salt, saltlen, n, r, p, MAXMEM,
	    out, outlen) == 1 ? 0 : -1;
}

/* Decode base64url without padding; returns the length or -1. */
static int
b64url_decode(const char *s, unsigned char *out, size_t max)
{
	static const char	 al[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	uint32_t		 acc = 0;
	int			 bits = 0;
	size_t			 n = 0;
	const char		*c;

	for (; *s; s++) {
		if ((c = strchr(al, *s)) == NULL)
			return -1;
		acc = (acc << 6) | (uint32_t)(c - al);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == max)
				return -1;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	return (int)n;
}

/*
 * Hash pw with a fresh salt.  Returns "scrypt$N$r$p$salt$hash" in the
 * arena.  Failure of the KDF (out of memory) is fatal like any OOM.
 */
char *
mp_password_hash(struct mp_arena *a, const char *pw)
{
	unsigned char	 salt[SALT_LEN], h[HASH_LEN];

	mp_random(salt, sizeof(salt));
	if (scrypt(pw, salt, sizeof(salt), SCRYPT_N, SCRYPT_R, SCRYPT_P, h,
	    sizeof(h)) != 0)
		mp_oom();
	return mp_printf(a, "scrypt$%llu$%llu$%llu$%s$%s", SCRYPT_N, SCRYPT_R,
	    SCRYPT_P, mp_b64url(a, salt, sizeof(salt)),
	    mp_b64url(a, h, sizeof(h)));
}

/*
 * Check pw against a stored hash in constant time.  Returns 1 on a
 * match; *rehash (when not NULL) is 1 if the stored parameters are below
 * today's, so the caller stores a new hash.  A malformed or unknown
 * format never matches.
 */
int
mp_password_verify(const char *pw, const char *stored, int *rehash)
{
	unsigned long long	 n, r, p;
	char			 saltb[64], hashb[128];
	unsigned char		 salt[48], want[96], got[96];
	int			 sl, hl, ok = 0;

	if (rehash != NULL)
		*rehash = 0;
	if (stored == NULL || sscanf(stored, "scrypt$%llu$%llu$%llu$%63[^$]$%127s",
	    &n, &r, &p, saltb, hashb) != 5)
		return 0;
	if (n < 2 || n > (1ULL << 20) || (n & (n - 1)) != 0 || r == 0 ||
	    r > 32 || p == 0 || p > 16)
		return 0;
	if ((sl = b64url_decode(saltb, salt, sizeof(salt))) < 8 ||
	    (hl = b64url_decode(hashb, want, sizeof(want))) < 16)
		return 0;
	if (scrypt(pw, salt, (size_t)sl, n, r, p, got, (size_t)hl) != 0)
		return 0;
	ok = mp_ct_equal(got, want, (size_t)hl);
	if (ok && rehash != NULL)
		*rehash = n < SCRYPT_N || r < SCRYPT_R || p < SCRYPT_P;
	return ok;
}

/* The common-password list as a sorted array, loaded once. */
static char		*list_path;
static char		**common;
static size_t		 ncommon;
static int		 loaded;

void
mp_password_list(const char *path)
{
	free(list_path);
	list_path = path ? strdup(path) : NULL;
	loaded = 0;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
load_list(void)
{
	FILE	*f;
	char	 line[256];
	size_t	 cap = 0, len;

	loaded = 1;
	if (list_path == NULL || (f = fopen(list_path, "r")) == NULL) {
		mp_warn("common-password list %s not readable",
		    list_path ? list_path : "(unset)");
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		len = strcspn(line, "\r\n");
		line[len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if (ncommon == cap) {
			cap = cap ? cap * 2 : 4096;
			if ((common = realloc(common, cap * sizeof(*common)))
			    == NULL)
				mp_oom();
		}
		if ((common[ncommon++] = strdup(line)) == NULL)
			mp_oom();
	}
	fclose(f);
	qsort(common, ncommon, sizeof(*common), str_cmp);
}

/* 1 if pw, lower-cased, is on the list. */
static int
is_common(const char *pw)
{
	char	 low[MP_PW_MAX * 4 + 1], *key = low;
	size_t	 i;

	if (!loaded)
		load_list();
	for (i = 0; pw[i] && i < sizeof(low) - 1; i++)
		low[i] = (pw[i] >= 'A' && pw[i] <= 'Z') ? pw[i] + 32 : pw[i];
	low[i] = '\0';
	return ncommon > 0 &&
	    bsearch(&key, common, ncommon, sizeof(*common), str_cmp) != NULL;
}

/*
 * The policy from the security reference: length in characters between
 * MP_PW_MIN and MP_PW_MAX, valid UTF-8, no composition rules, and not a
 * commonly used password.
 */
enum mp_err
mp_password_policy(const char *pw, const char **why)
{
	size_t	 i, chars = 0, len = strlen(pw);

	if (!mp_utf8_valid(pw, len)) {
		*why = "must be valid text";
		return MP_EINPUT;
	}
	for (i = 0; i < len; i++)
		if (((unsigned char)pw[i] & 0xc0) != 0x80)
			chars++;
	if (chars < MP_PW_MIN) {
		*why = "must be at least 8 characters long";
		return MP_EINPUT;
	}
	if (chars > MP_PW_MAX) {
		*why = "must be at most 128 characters long";
		return MP_EINPUT;
	}
	if (is_common(pw)) {
		*why = "is too common; choose one that is harder to guess";
		return MP_EINPUT;
	}
	return MP_OK;
}
