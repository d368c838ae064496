/* One-time passwords: base32 secrets, TOTP codes (RFC 6238, HMAC-SHA1), backup codes. */
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "features/twofa/extern.h"

static const char	 b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
static const char	 lower32[] = "abcdefghijklmnopqrstuvwxyz234567";

char *
mp_base32(struct mp_arena *a, const void *p, size_t n)
{
	const unsigned char	*q = p;
	char			*s = mp_alloc(a, (n * 8 + 4) / 5 + 1), *o = s;
	uint32_t		 acc = 0;
	int			 bits = 0;
	size_t			 i;

	for (i = 0; i < n; i++) {
		acc = (acc << 8) | q[i];
		bits += 8;
		while (bits >= 5) {
			*o++ = b32[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		*o++ = b32[(acc << (5 - bits)) & 31];
	*o = '\0';
	return s;
}

int
mp_base32_decode(const char *s, unsigned char *out, size_t max)
{
	uint32_t	 acc = 0;
	int		 bits = 0, v;
	size_t		 n = 0;

	for (; *s != '\0'; s++) {
		if (*s == ' ' || *s == '=' || *s == '-')
			continue;
		if (*s >= 'A' && *s <= 'Z')
			v = *s - 'A';
		else if (*s >= 'a' && *s <= 'z')
			v = *s - 'a';
		else if (*s >= '2' && *s <= '7')
			v = *s - '2' + 26;
		else
			return -1;
		acc = (acc << 5) | (uint32_t)v;
		bits += 5;
		if (bits >= 8) {
			if (n == max)
				return -1;
			out[n++] = (unsigned char)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	return (int)n;
}

char *
mp_base32_grouped(struct mp_arena *a, const char *s)
{
	size_t	 n = strlen(s), i, j = 0;
	char	*o = mp_alloc(a, n + n / 4 + 1);

	for (i = 0; i < n; i++) {
		if (i > 0 && i % 4 == 0)
			o[j++] = ' ';
		o[j++] = s[i];
	}
	o[j] = '\0';
	return o;
}

/*
 * RFC 4226 section 5.3: HMAC-SHA1 of the big-endian counter, dynamic
 * truncation at the offset named by the low nibble of the last byte,
 * the 31-bit value modulo 10^digits.
 */
uint32_t
mp_totp(const unsigned char *key, size_t klen, uint64_t step, int digits)
{
	unsigned char	 msg[8], md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0;
	uint32_t	 bin, mod = 1;
	int		 i, off;

	for (i = 7; i >= 0; i--) {
		msg[i] = (unsigned char)(step & 0xff);
		step >>= 8;
	}
	if (HMAC(EVP_sha1(), key, (int)klen, msg, sizeof(msg), md, &mdlen) ==
	    NULL || mdlen != 20)
		return UINT32_MAX;
	off = md[19] & 0x0f;
	bin = ((uint32_t)(md[off] & 0x7f) << 24) |
	    ((uint32_t)md[off + 1] << 16) | ((uint32_t)md[off + 2] << 8) |
	    (uint32_t)md[off + 3];
	for (i = 0; i < digits && i < 9; i++)
		mod *= 10;
	return bin % mod;
}

uint64_t
mp_totp_step(int64_t t)
{
	return t < 0 ? 0 : (uint64_t)t / MP_TOTP_PERIOD;
}

uint64_t
mp_totp_match(const unsigned char *key, size_t klen, uint64_t step,
    const char *code)
{
	uint32_t	 want = 0;
	uint64_t	 s, found = 0;
	int		 nd = 0;
	const char	*c;

	for (c = code; *c != '\0'; c++) {
		if (*c == ' ' || *c == '-')
			continue;
		if (*c < '0' || *c > '9' || ++nd > MP_TOTP_DIGITS)
			return 0;
		want = want * 10 + (uint32_t)(*c - '0');
	}
	if (nd != MP_TOTP_DIGITS || step == 0)
		return 0;
	/* Every candidate is computed, so the time does not say which matched. */
	for (s = step + 1; s >= step - 1; s--)
		if (mp_totp(key, klen, s, MP_TOTP_DIGITS) == want && found == 0)
			found = s;
	return found;
}

char *
mp_backup_code(struct mp_arena *a)
{
	unsigned char	 raw[MP_BACKUP_LEN];
	char		*s = mp_alloc(a, MP_BACKUP_LEN + 1);
	int		 i;

	mp_random(raw, sizeof(raw));
	for (i = 0; i < MP_BACKUP_LEN; i++)
		s[i] = lower32[raw[i] & 31];
	s[MP_BACKUP_LEN] = '\0';
	return s;
}

char *
mp_backup_norm(struct mp_arena *a, const char *in)
{
	char	 s[MP_BACKUP_LEN + 1];
	int	 n = 0;
	char	 c;

	for (; *in != '\0'; in++) {
		c = *in;
		if (c == ' ' || c == '-')
			continue;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7')) ||
		    n == MP_BACKUP_LEN)
			return NULL;
		s[n++] = c;
	}
	if (n != MP_BACKUP_LEN)
		return NULL;
	s[n] = '\0';
	return mp_strdup(a, s);
}

char *
mp_backup_show(struct mp_arena *a, const char *code)
{
	return mp_printf(a, "%.4s-%.4s-%.4s", code, code + 4, code + 8);
}
