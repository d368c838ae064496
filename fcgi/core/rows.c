/* Result rows by column name, and rows to JSON by a table instead of by hand. */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/extern.h"

/* Type OIDs of PostgreSQL's catalogue (pg_type.dat); stable across versions. */
#define OID_BOOL	16
#define OID_INT8	20
#define OID_INT2	21
#define OID_INT4	23
#define OID_JSON	114
#define OID_FLOAT4	700
#define OID_FLOAT8	701
#define OID_NUMERIC	1700
#define OID_JSONB	3802

int
mp_res_col(const struct mp_res *res, const char *name)
{
	int	 i, n = mp_res_ncols(res);

	for (i = 0; i < n; i++)
		if (strcmp(mp_res_colname(res, i), name) == 0)
			return i;
	if (res != NULL)
		mp_error("result has no column %s", name);
	return -1;
}

const char *
mp_res_by(const struct mp_res *res, int row, const char *name)
{
	int	 c = mp_res_col(res, name);

	return c < 0 ? NULL : mp_res_get(res, row, c);
}

int64_t
mp_res_int_by(const struct mp_res *res, int row, const char *name)
{
	const char	*s = mp_res_by(res, row, name);

	return s == NULL ? 0 : strtoll(s, NULL, 10);
}

int
mp_res_bool_by(const struct mp_res *res, int row, const char *name)
{
	const char	*s = mp_res_by(res, row, name);

	return s != NULL && s[0] == 't';
}

enum mp_coltype
mp_res_colkind(const struct mp_res *res, int col)
{
	switch (mp_res_coltype(res, col)) {
	case OID_BOOL:
		return MP_COL_BOOL;
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
		return MP_COL_INT;
	case OID_FLOAT4:
	case OID_FLOAT8:
	case OID_NUMERIC:
		return MP_COL_NUM;
	case OID_JSON:
	case OID_JSONB:
		return MP_COL_JSON;
	default:
		return MP_COL_TEXT;
	}
}

/* One value as JSON; NULL (JSON null) for SQL NULL. */
static struct json_object *
value_json(const char *s, enum mp_coltype t)
{
	struct json_object	*o;

	if (s == NULL)
		return NULL;
	switch (t) {
	case MP_COL_INT:
		return json_object_new_int64(strtoll(s, NULL, 10));
	case MP_COL_BOOL:
		return json_object_new_boolean(s[0] == 't');
	case MP_COL_NUM:
		return json_object_new_double(strtod(s, NULL));
	case MP_COL_JSON:
		/* The database wrote it; a parse failure keeps the text. */
		if ((o = json_tokener_parse(s)) != NULL)
			return o;
		return json_object_new_string(s);
	default:
		return json_object_new_string(s);
	}
}

struct json_object *
mp_row_json(const struct mp_res *res, int row, const struct mp_col *cols)
{
	struct json_object	*o = json_object_new_object();
	enum mp_coltype		 t;
	int			 c, n;

	if (o == NULL)
		mp_oom();
	if (cols == NULL) {
		n = mp_res_ncols(res);
		for (c = 0; c < n; c++)
			json_object_object_add(o, mp_res_colname(res, c),
			    value_json(mp_res_get(res, row, c),
			    mp_res_colkind(res, c)));
		return o;
	}
	for (; cols->col != NULL; cols++) {
		if ((c = mp_res_col(res, cols->col)) < 0)
			continue;
		t = cols->type == MP_COL_AUTO ?
		    mp_res_colkind(res, c) : cols->type;
		json_object_object_add(o, cols->key ? cols->key : cols->col,
		    value_json(mp_res_get(res, row, c), t));
	}
	return o;
}

struct json_object *
mp_rows_json(const struct mp_res *res, const struct mp_col *cols)
{
	struct json_object	*a = json_object_new_array();
	int			 i, n = mp_res_rows(res);

	if (a == NULL)
		mp_oom();
	for (i = 0; i < n; i++)
		json_object_array_add(a, mp_row_json(res, i, cols));
	return a;
}
