/* Request path canonicalisation: the gate every path passes before routing. */
#include <string.h>

#include "core/extern.h"

/*
 * Canonicalise the raw request path src (without its query string) into
 * the arena.  It must start with '/'.  Runs of '/' collapse to one, a
 * trailing '/' is kept, and percent escapes are decoded.  MP_EINPUT for a
 * bad escape, a backslash (literal or %5C), an encoded '/' (%2F), a NUL
 * (%00) or any other control byte, a "." or ".." segment however it is
 * spelled, or invalid UTF-8; MP_ELIMIT when src is longer than max bytes
 * (0: no limit).  On success *out is the canonical path; on error it is
 * left unchanged.
 */
enum mp_err
mp_path_canon(struct mp_arena *a, const char *src, size_t max, char **out)
{
	const char	*p;
	char		*buf, *o, *seg;
	size_t		 len;
	int		 h, l;
	unsigned char	 c;
	enum mp_err	 rc = MP_EINPUT;

	if (src == NULL || src[0] != '/')
		goto out;
	len = strlen(src);
	if (max != 0 && len > max) {
		rc = MP_ELIMIT;
		goto out;
	}
	o = buf = mp_alloc(a, len + 1);
	*o++ = '/';
	seg = o;
	for (p = src + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			/* End of a segment: seg..o holds it, decoded. */
			if ((o - seg == 1 && seg[0] == '.') ||
			    (o - seg == 2 && seg[0] == '.' && seg[1] == '.'))
				goto out;
			if (*p == '\0')
				break;
			if (o > seg)
				*o++ = '/';
			seg = o;
			continue;
		}
		c = (unsigned char)*p;
		if (c == '%') {
			if ((h = mp_hexval((unsigned char)p[1])) == -1 ||
			    (l = mp_hexval((unsigned char)p[2])) == -1)
				goto out;
			c = (unsigned char)(h << 4 | l);
			if (c == '/')
				goto out;
			p += 2;
		}
		if (c < 0x20 || c == 0x7f || c == '\\')
			goto out;
		*o++ = (char)c;
	}
	*o = '\0';
	if (!mp_utf8_valid(buf, (size_t)(o - buf)))
		goto out;
	*out = buf;
	rc = MP_OK;
out:
	return rc;
}
