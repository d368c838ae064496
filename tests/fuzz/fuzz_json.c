/* Fuzz target: JSON request bodies through mp_json_parse. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/extern.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Parse with the default depth; serialise what parses, free with the arena. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct mp_arena		*a = mp_arena_new(0);
	struct json_object	*o = NULL;
	char			 err[256];

	err[0] = '\0';
	if (mp_json_parse(a, (const char *)data, len, 32, &o, err,
	    sizeof(err)) == MP_OK) {
		if (json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN) ==
		    NULL)
			abort();
	} else if (err[0] == '\0' || o != NULL)
		abort();
	mp_arena_free(a);
	return 0;
}
