/* Fuzz target: Cookie header splitting. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/extern.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The header arrives as a C string: cut the input at its first NUL. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const struct mp_limits lim = { 65536, 32, 512, 2048, 32 };
	struct mp_arena	*a = mp_arena_new(0);
	struct mp_kv	*kv;
	char		*hdr;
	int		 n, i;

	hdr = mp_strndup(a, (const char *)data, len);
	if (mp_parse_cookies(a, hdr, &lim, &kv, &n) == MP_OK) {
		if (n > lim.max_fields)
			abort();
		for (i = 0; i < n; i++)
			if (kv[i].key[0] == '\0' ||
			    strlen(kv[i].val) != kv[i].vlen ||
			    strchr(kv[i].key, ';') != NULL ||
			    strchr(kv[i].val, ';') != NULL)
				abort();
	}
	mp_arena_free(a);
	return 0;
}
