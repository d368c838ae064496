/* Fuzz target: path canonicalisation followed by route matching. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web/extern.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct mp_route routes[] = {
	{ MP_GET, "/", NULL, 0, NULL },
	{ MP_GET | MP_POST, "/help", NULL, 0, NULL },
	{ MP_GET, "/help/{slug:slug}", NULL, 0, NULL },
	{ MP_GET, "/brand/{slug:slug}.css", NULL, 0, NULL },
	{ MP_GET | MP_POST, "/surveys/{token:token}", NULL, 0, NULL },
	{ MP_GET, "/api/items/{id:int}", NULL, 0, NULL },
	{ MP_DELETE, "/api/items/{id:int}", NULL, 0, NULL },
	{ MP_PUT, "/files/{name}", NULL, 0, NULL },
	{ MP_GET, "/a/{x}-{y}/{z:int}/", NULL, 0, NULL },
	{ MP_GET, "/m/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}", NULL, 0, NULL },
	{ MP_GET, "/n/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}", NULL, 0, NULL },
	{ MP_GET, "/x/{a:int}{b:slug}", NULL, 0, NULL },
};

/*
 * First byte picks the method bit (0..7: 0 is "unknown"), the rest is the
 * raw path.  Raw paths are matched too: the matcher must be safe on
 * anything even though it is only given canonical ones.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct mp_arena		*a = mp_arena_new(0);
	const struct mp_route	*w;
	struct mp_capture	 caps[MP_MAXCAPS];
	enum mp_route_result	 r;
	unsigned		 method, allow;
	char			*raw, *canon;
	int			 n, i, pass;

	if (len == 0)
		goto out;
	method = data[0] % 8 ? 1u << (data[0] % 8 - 1) : 0;
	raw = mp_strndup(a, (const char *)data + 1, len - 1);
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1 && mp_path_canon(a, raw, 2048, &canon) != MP_OK)
			break;
		r = mp_route_match(a, routes, sizeof(routes) /
		    sizeof(routes[0]), method, pass ? canon : raw, &w, caps,
		    &n, &allow);
		if (r == MP_ROUTE_OK) {
			if (w == NULL || n < 0 || n > MP_MAXCAPS)
				abort();
			for (i = 0; i < n; i++)
				if (strlen(caps[i].s) != caps[i].len ||
				    caps[i].len == 0 ||
				    strchr(caps[i].s, '/') != NULL)
					abort();
		} else if (r == MP_ROUTE_BADMETHOD) {
			if (allow == 0 || (allow & method))
				abort();
			(void)mp_allow_header(a, allow);
		}
		(void)mp_method_name(method);
	}
out:
	mp_arena_free(a);
	return 0;
}
