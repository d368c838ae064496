/* Route matching: method and path pattern with typed captures; Allow. */
#include <stdint.h>
#include <string.h>

#include "web/extern.h"

enum captype { CAP_SEG, CAP_INT, CAP_SLUG, CAP_TOKEN };

/* A capture found while matching, pointing into the pattern and path. */
struct rawcap {
	const char	*name;
	size_t		 namelen;
	const char	*s;
	size_t		 len;
	int64_t		 i;
};

static const struct {
	unsigned	 bit;
	const char	*name;
} methods[] = {
	{ MP_GET, "GET" },
	{ MP_HEAD, "HEAD" },
	{ MP_POST, "POST" },
	{ MP_PUT, "PUT" },
	{ MP_PATCH, "PATCH" },
	{ MP_DELETE, "DELETE" },
	{ MP_OPTIONS, "OPTIONS" },
};

#define NMETHODS	(sizeof(methods) / sizeof(methods[0]))

/* The method bit for an HTTP method name (case-sensitive), or 0. */
unsigned
mp_method_parse(const char *s)
{
	size_t	 i;

	for (i = 0; s != NULL && i < NMETHODS; i++)
		if (strcmp(s, methods[i].name) == 0)
			return methods[i].bit;
	return 0;
}

/* The name of one method bit, or "UNKNOWN" for anything else. */
const char *
mp_method_name(unsigned m)
{
	size_t	 i;

	for (i = 0; i < NMETHODS; i++)
		if (m == methods[i].bit)
			return methods[i].name;
	return "UNKNOWN";
}

/*
 * An Allow header value for a method set, in a fixed order, e.g.
 * "GET, HEAD, POST"; GET implies HEAD.  Arena memory; "" for no methods.
 */
char *
mp_allow_header(struct mp_arena *a, unsigned m)
{
	char	 buf[64];
	size_t	 i, len = 0, nl;

	if (m & MP_GET)
		m |= MP_HEAD;
	buf[0] = '\0';
	for (i = 0; i < NMETHODS; i++) {
		if (!(m & methods[i].bit))
			continue;
		nl = strlen(methods[i].name);
		if (len > 0) {
			memcpy(buf + len, ", ", 2);
			len += 2;
		}
		memcpy(buf + len, methods[i].name, nl);
		len += nl;
	}
	return mp_strndup(a, buf, len);
}

int
mp_method_unsafe(unsigned m)
{
	return (m & (MP_POST | MP_PUT | MP_PATCH | MP_DELETE)) != 0;
}

const char *
mp_route_action(struct mp_arena *a, const struct mp_route *rt, unsigned m)
{
	char		 buf[65];
	const char	*p, *suffix = NULL, *lead;
	size_t		 len = 0;
	int		 last_cap = 0, sep = 0;

	p = rt->pattern;
	if (strncmp(p, "/api/", 5) == 0)
		p += 4;
	for (; *p != '\0' && len < sizeof(buf) - 1; p++) {
		if (*p == '{') {
			while (*p != '\0' && *p != '}')
				p++;
			if (*p == '\0')
				break;
			last_cap = 1;
			continue;
		}
		if (*p == '/' || *p == '-' || *p == '_' || *p == '.') {
			sep = len > 0;
			continue;
		}
		last_cap = 0;
		if (sep) {
			buf[len++] = '_';
			sep = 0;
			if (len >= sizeof(buf) - 1)
				break;
		}
		if (*p >= 'a' && *p <= 'z')
			buf[len++] = (char)(*p - 'a' + 'A');
		else if ((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))
			buf[len++] = *p;
	}
	if (m & (MP_PUT | MP_PATCH) || ((m & MP_POST) && last_cap))
		suffix = "_UPDATE";
	else if (m & MP_DELETE)
		suffix = "_DELETE";
	if (len == 0)
		return "ROOT";
	/* A name starts with a letter: "2FA_SETUP" becomes "N2FA_SETUP". */
	lead = buf[0] >= '0' && buf[0] <= '9' ? "N" : "";
	if (len + strlen(lead) > 64)
		len = 64 - strlen(lead);
	if (suffix != NULL && strlen(lead) + len + strlen(suffix) <= 64)
		return mp_printf(a, "%s%.*s%s", lead, (int)len, buf, suffix);
	return mp_printf(a, "%s%.*s", lead, (int)len, buf);
}

static int
cap_char(enum captype t, int c)
{

	switch (t) {
	case CAP_INT:
		return c >= '0' && c <= '9';
	case CAP_SLUG:
		return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-';
	case CAP_TOKEN:
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_';
	default:
		return 1;
	}
}

/*
 * Match path against one pattern.  Returns the number of captures
 * (stored in caps) or -1 for no match; a malformed pattern never matches.
 */
static int
match(const char *pat, const char *path, struct rawcap *caps)
{
	const char	*name, *colon, *close, *run, *q;
	enum captype	 t;
	size_t		 namelen;
	uint64_t	 v, d;
	int		 n = 0;
	char		 stop;

	while (*pat != '\0') {
		if (*pat != '{') {
			if (*pat++ != *path++)
				return -1;
			continue;
		}
		name = pat + 1;
		if ((close = strchr(name, '}')) == NULL || n == MP_MAXCAPS)
			return -1;
		colon = memchr(name, ':', (size_t)(close - name));
		namelen = (size_t)((colon ? colon : close) - name);
		if (namelen == 0)
			return -1;
		if (colon == NULL)
			t = CAP_SEG;
		else if (close - colon - 1 == 3 &&
		    !strncmp(colon + 1, "int", 3))
			t = CAP_INT;
		else if (close - colon - 1 == 4 &&
		    !strncmp(colon + 1, "slug", 4))
			t = CAP_SLUG;
		else if (close - colon - 1 == 5 &&
		    !strncmp(colon + 1, "token", 5))
			t = CAP_TOKEN;
		else
			return -1;
		pat = close + 1;
		/* The capture runs to the next literal, a '/' or the end. */
		stop = *pat == '{' ? '\0' : *pat;
		for (run = path; *path != '\0' && *path != '/' &&
		    (stop == '\0' || *path != stop); path++)
			if (!cap_char(t, (unsigned char)*path))
				return -1;
		if (path == run)
			return -1;
		v = 0;
		for (q = run; t == CAP_INT && q < path; q++) {
			d = (uint64_t)(*q - '0');
			if (v > ((uint64_t)INT64_MAX - d) / 10)
				return -1;	/* does not fit int64 */
			v = v * 10 + d;
		}
		caps[n].name = name;
		caps[n].namelen = namelen;
		caps[n].len = (size_t)(path - run);
		caps[n].s = run;
		caps[n].i = (int64_t)v;
		n++;
	}
	return *path == '\0' ? n : -1;
}

/*
 * Scan the table in order for the first route whose pattern matches path
 * and whose methods include method (HEAD is accepted wherever GET is).
 * On MP_ROUTE_OK *which, caps[0..*ncaps) are set, capture names and
 * values copied into the arena and NUL-terminated.  If the path matched
 * only routes for other methods, MP_ROUTE_BADMETHOD with *allow the union
 * of their methods; else MP_ROUTE_NOTFOUND.  Any output pointer may be
 * NULL; caps, if given, must hold MP_MAXCAPS entries.
 */
enum mp_route_result
mp_route_match(struct mp_arena *a, const struct mp_route *rt, size_t n,
    unsigned method, const char *path, const struct mp_route **which,
    struct mp_capture *caps, int *ncaps, unsigned *allow)
{
	struct rawcap	 raw[MP_MAXCAPS];
	unsigned	 ok, any = 0;
	size_t		 i;
	int		 nc, k, matched = 0;

	if (which != NULL)
		*which = NULL;
	if (ncaps != NULL)
		*ncaps = 0;
	if (allow != NULL)
		*allow = 0;
	if (path == NULL)
		return MP_ROUTE_NOTFOUND;
	for (i = 0; i < n; i++) {
		if (rt[i].pattern == NULL ||
		    (nc = match(rt[i].pattern, path, raw)) == -1)
			continue;
		matched = 1;
		ok = rt[i].methods;
		if (ok & MP_GET)
			ok |= MP_HEAD;
		any |= ok;
		if (!(ok & method) || method == 0)
			continue;
		for (k = 0; caps != NULL && k < nc; k++) {
			caps[k].name = mp_strndup(a, raw[k].name,
			    raw[k].namelen);
			caps[k].s = mp_strndup(a, raw[k].s, raw[k].len);
			caps[k].len = raw[k].len;
			caps[k].i = raw[k].i;
		}
		if (ncaps != NULL)
			*ncaps = caps != NULL ? nc : 0;
		if (which != NULL)
			*which = &rt[i];
		return MP_ROUTE_OK;
	}
	if (!matched)
		return MP_ROUTE_NOTFOUND;
	if (allow != NULL)
		*allow = any;
	return MP_ROUTE_BADMETHOD;
}
