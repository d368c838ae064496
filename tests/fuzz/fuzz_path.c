/* Fuzz target: request path canonicalisation and its safety properties. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/extern.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * A canonical path starts with '/', has no "//", no "." or ".."
 * segment, no backslash or control byte, and is itself canonical.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct mp_arena	*a = mp_arena_new(0);
	char		*raw, *out = NULL, *again = NULL, *seg, *p;
	size_t		 i, n;

	raw = mp_strndup(a, (const char *)data, len);
	if (mp_path_canon(a, raw, 2048, &out) == MP_OK) {
		n = strlen(out);
		if (out[0] != '/' || strstr(out, "//") != NULL ||
		    strchr(out, '\\') != NULL || n > 2048 ||
		    !mp_utf8_valid(out, n))
			abort();
		for (i = 0; i < n; i++)
			if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
				abort();
		for (seg = out + 1; *seg != '\0'; seg = p + (*p != '\0')) {
			if ((p = strchr(seg, '/')) == NULL)
				p = seg + strlen(seg);
			if ((p - seg == 1 && seg[0] == '.') ||
			    (p - seg == 2 && seg[0] == '.' && seg[1] == '.'))
				abort();
		}
		/* Without '%' in the output, canonicalising is idempotent. */
		if (strchr(out, '%') == NULL &&
		    (mp_path_canon(a, out, 2048, &again) != MP_OK ||
		    strcmp(again, out) != 0))
			abort();
	}
	mp_arena_free(a);
	return 0;
}
