/* Fuzz target: multipart/form-data; the first line is the Content-Type. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/extern.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * Input layout: "content type\n" then the body.  The body is copied into
 * its own exact-size buffer so that reads past it are caught.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const struct mp_limits lim = { 65536, 16, 4096, 2048, 32 };
	struct mp_arena	*a = mp_arena_new(0);
	const uint8_t	*nl;
	struct mp_kv	*kv;
	char		*ctype, *body;
	size_t		 blen;
	int		 n, i;

	if ((nl = memchr(data, '\n', len)) == NULL)
		nl = data + len;
	ctype = mp_strndup(a, (const char *)data, (size_t)(nl - data));
	blen = nl < data + len ? len - (size_t)(nl - data) - 1 : 0;
	body = malloc(blen ? blen : 1);
	if (body == NULL)
		abort();
	if (blen > 0)
		memcpy(body, nl + 1, blen);
	if (mp_parse_multipart(a, ctype, body, blen, &lim, &kv, &n) ==
	    MP_OK) {
		if (n > lim.max_fields)
			abort();
		for (i = 0; i < n; i++) {
			if (kv[i].key == NULL || kv[i].val == NULL ||
			    kv[i].vlen > lim.max_field_len ||
			    kv[i].val[kv[i].vlen] != '\0')
				abort();
			if (kv[i].filename == NULL &&
			    !mp_utf8_valid(kv[i].val, kv[i].vlen))
				abort();
		}
	}
	free(body);
	mp_arena_free(a);
	return 0;
}
