/* Fuzz target: help-article markdown rendering and the safety of what it stores. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "features/kb/extern.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * Whatever the source, the HTML holds no raw tag from it (safe mode
 * leaves "<!-- raw HTML omitted -->"), no script element, no javascript:
 * URL, and the text and sections hold no control byte but newline and
 * tab (the snippet sentinels must never come from an article).
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct mp_arena		*a = mp_arena_new(0);
	struct mp_kb_render	 r;
	const char		*p;
	size_t			 i;

	if (mp_kb_render(a, (const char *)data, len, "t", &r) == MP_OK) {
		if (strcasestr(r.html, "<script") != NULL ||
		    strcasestr(r.html, "href=\"javascript:") != NULL ||
		    strcasestr(r.html, "src=\"javascript:") != NULL ||
		    strcasestr(r.html, "<iframe") != NULL ||
		    strcasestr(r.html, " onerror=") != NULL)
			abort();
		for (p = r.text; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20 && *p != '\n' &&
			    *p != '\t')
				abort();
		for (i = 0; i < r.nsec; i++)
			for (p = r.sec[i].text; *p != '\0'; p++)
				if (*p == MP_KB_MARK_START ||
				    *p == MP_KB_MARK_STOP)
					abort();
	}
	mp_arena_free(a);
	return 0;
}
