/* JSON request bodies: strict json-c parsing, depth cap, arena-owned. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "core/extern.h"

static void
put_object(void *p)
{

	json_object_put(p);
}

/* Release obj (one reference) when the arena is next reset or freed. */
void
mp_json_own(struct mp_arena *a, struct json_object *obj)
{

	if (obj != NULL)
		mp_arena_cleanup(a, put_object, obj);
}

/*
 * 1 if some string in the tree holds a NUL (from \u0000): handlers read
 * strings as C strings, so such text would be silently cut short.
 */
static int
has_nul(struct json_object *o)
{
	size_t	 i, n;

	switch (json_object_get_type(o)) {
	case json_type_string:
		return memchr(json_object_get_string(o), '\0',
		    (size_t)json_object_get_string_len(o)) != NULL;
	case json_type_array:
		n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			if (has_nul(json_object_array_get_idx(o, i)))
				return 1;
		return 0;
	case json_type_object: {
		json_object_object_foreach(o, k, v) {
			(void)k;
			if (has_nul(v))
				return 1;
		}
		return 0;
	}
	default:
		return 0;
	}
}

/*
 * Parse s[0..len) as one strict JSON value nested at most max_depth
 * levels deep (as json-c counts them), allowing only whitespace after
 * it.  On MP_OK *out is the root, already registered with
 * mp_json_own().  On MP_EINPUT errbuf holds "malformed JSON at byte N:
 * reason" or "JSON nested deeper than N levels"; MP_ELIMIT if len does
 * not fit json-c's int length.
 */
enum mp_err
mp_json_parse(struct mp_arena *a, const char *s, size_t len, int max_depth,
    struct json_object **out, char *errbuf, size_t errsz)
{
	struct json_tokener	*tok;
	struct json_object	*obj = NULL;
	enum json_tokener_error	 jerr;
	size_t			 end;
	enum mp_err		 rc = MP_EINPUT;

	*out = NULL;
	if (max_depth < 1)
		max_depth = 1;
	if (len > INT_MAX - 1) {
		snprintf(errbuf, errsz, "JSON body too large");
		return MP_ELIMIT;
	}
	/*
	 * json-c's depth counts nested values, the innermost scalar too:
	 * "[[]]" is 2 levels deep and "[[1]]" is 3.
	 */
	if ((tok = json_tokener_new_ex(max_depth)) == NULL)
		mp_oom();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, s, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (obj == NULL && jerr == json_tokener_continue) {
		/* A bare number or literal ends only at end of input. */
		obj = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
		end = len;
	}
	if (obj == NULL) {
		if (jerr == json_tokener_error_depth)
			snprintf(errbuf, errsz, "JSON nested deeper than %d "
			    "levels", max_depth);
		else
			snprintf(errbuf, errsz, "malformed JSON at byte %zu: "
			    "%s", end, json_tokener_error_desc(jerr));
		goto out;
	}
	while (end < len && (s[end] == ' ' || s[end] == '\t' ||
	    s[end] == '\r' || s[end] == '\n'))
		end++;
	if (end < len) {
		snprintf(errbuf, errsz, "malformed JSON at byte %zu: "
		    "unexpected data after the value", end);
		goto out;
	}
	if (has_nul(obj)) {
		snprintf(errbuf, errsz, "malformed JSON: a string contains "
		    "a NUL character");
		goto out;
	}
	mp_json_own(a, obj);
	*out = obj;
	obj = NULL;
	rc = MP_OK;
out:
	json_object_put(obj);
	json_tokener_free(tok);
	return rc;
}
