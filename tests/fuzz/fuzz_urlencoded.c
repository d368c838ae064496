/* Fuzz target: urlencoded form and query-string decoding. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/extern.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Decode, then check the invariants every caller relies on. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const struct mp_limits lim = { 65536, 64, 1024, 2048, 32 };
	struct mp_arena	*a = mp_arena_new(0);
	struct mp_kv	*kv;
	int		 n, i;

	if (mp_parse_urlencoded(a, (const char *)data, len, &lim, &kv,
	    &n) == MP_OK) {
		if (n > lim.max_fields)
			abort();
		for (i = 0; i < n; i++) {
			if (strlen(kv[i].val) != kv[i].vlen ||
			    kv[i].vlen > lim.max_field_len ||
			    !mp_utf8_valid(kv[i].key, strlen(kv[i].key)) ||
			    !mp_utf8_valid(kv[i].val, kv[i].vlen))
				abort();
		}
	}
	mp_arena_free(a);
	return 0;
}
