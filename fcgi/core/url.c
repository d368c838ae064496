/* URL component encoding for links the server writes (redirects, mail links). */
#include <string.h>

#include "core/extern.h"

/*
 * Percent-encode everything but RFC 3986's unreserved characters and
 * '/', so a path survives as one query value.  Arena memory.
 */
char *
mp_url_encode(struct mp_arena *a, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	size_t			 n = strlen(s), i, j = 0;
	char			*out = mp_alloc(a, n * 3 + 1);
	unsigned char		 c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~' || c == '/')
			out[j++] = (char)c;
		else {
			out[j++] = '%';
			out[j++] = hex[c >> 4];
			out[j++] = hex[c & 15];
		}
	}
	out[j] = '\0';
	return out;
}
