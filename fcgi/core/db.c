/* PostgreSQL access: one connection, lazily prepared statements, converted errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "core/extern.h"

#define PREPARED_SLOTS	2048	/* open addressing; far above our statement count */

struct mp_db {
	char			*conninfo;
	PGconn			*conn;
	const struct mp_stmt	*prepared[PREPARED_SLOTS];	/* on this connection */
	size_t			 nprepared;
	int			 connect_timeout;
	int			 statement_timeout;
	int			 in_tx;
	char			 errmsg[256];
};

struct mp_res {
	PGresult	*res;
};

static void
db_seterr(struct mp_db *db, const char *what)
{
	const char	*m = db->conn ? PQerrorMessage(db->conn) : "";
	size_t		 n;

	snprintf(db->errmsg, sizeof(db->errmsg), "%s: %s", what, m);
	n = strlen(db->errmsg);
	while (n > 0 && (db->errmsg[n - 1] == '\n' || db->errmsg[n - 1] == ' '))
		db->errmsg[--n] = '\0';
}

/* Create the handle; nothing is connected until mp_db_ensure(). */
struct mp_db *
mp_db_new(const char *conninfo, int connect_timeout, int statement_timeout)
{
	struct mp_db	*db;

	if ((db = calloc(1, sizeof(*db))) == NULL)
		mp_oom();
	if ((db->conninfo = strdup(conninfo ? conninfo : "")) == NULL)
		mp_oom();
	db->connect_timeout = connect_timeout > 0 ? connect_timeout : 3;
	db->statement_timeout = statement_timeout;
	return db;
}

void
mp_db_free(struct mp_db *db)
{
	if (db == NULL)
		return;
	mp_db_disconnect(db);
	free(db->conninfo);
	free(db);
}

void
mp_db_disconnect(struct mp_db *db)
{
	if (db->conn != NULL)
		PQfinish(db->conn);
	db->conn = NULL;
	db->in_tx = 0;
	memset(db->prepared, 0, sizeof(db->prepared));
	db->nprepared = 0;
}

int
mp_db_ok(const struct mp_db *db)
{
	return db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK;
}

/*
 * Connect when there is no healthy connection.  A connection that broke
 * since the last request is dropped and replaced here, so a restarted
 * server is picked up by the next request without restarting anything.
 */
enum mp_err
mp_db_ensure(struct mp_db *db)
{
	const char	*keys[5], *vals[5];
	char		 ct[16], opts[64];

	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK)
		return MP_OK;
	mp_db_disconnect(db);
	snprintf(ct, sizeof(ct), "%d", db->connect_timeout);
	snprintf(opts, sizeof(opts), "-c statement_timeout=%d",
	    db->statement_timeout);
	keys[0] = "dbname";
	vals[0] = db->conninfo;
	keys[1] = "connect_timeout";
	vals[1] = ct;
	keys[2] = "options";
	vals[2] = opts;
	keys[3] = "application_name";
	vals[3] = "mpanel";
	keys[4] = NULL;
	vals[4] = NULL;
	db->conn = PQconnectdbParams(keys, vals, 1);
	if (db->conn == NULL)
		mp_oom();
	if (PQstatus(db->conn) != CONNECTION_OK) {
		db_seterr(db, "connect");
		mp_warn("database: %s", db->errmsg);
		PQfinish(db->conn);
		db->conn = NULL;
		return MP_EDB;
	}
	return MP_OK;
}

/*
 * Map a failed result to an error code.  A unique violation is a
 * conflict, bad input detected by the server (check and not-null
 * violations, invalid text) is input; everything else is the database.
 */
static enum mp_err
db_classify(struct mp_db *db, PGresult *res)
{
	const char	*state;

	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
		db_seterr(db, "connection lost");
		return MP_EDB;
	}
	state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	snprintf(db->errmsg, sizeof(db->errmsg), "%s",
	    res ? PQresultErrorMessage(res) : PQerrorMessage(db->conn));
	if (state == NULL)
		return MP_EDB;
	if (strcmp(state, "23505") == 0)
		return MP_ECONFLICT;
	if (strcmp(state, "23514") == 0 || strcmp(state, "23502") == 0 ||
	    strcmp(state, "22P02") == 0 || strcmp(state, "22001") == 0 ||
	    strcmp(state, "22003") == 0 || strcmp(state, "23503") == 0)
		return MP_EINPUT;
	return MP_EDB;
}

static void
res_clear(void *p)
{
	PQclear(p);
}

/* The slot of st in the prepared set: where it is, or where it goes. */
static size_t
prepared_slot(const struct mp_db *db, const struct mp_stmt *st)
{
	size_t	 i = ((uintptr_t)st >> 4) % PREPARED_SLOTS;

	while (db->prepared[i] != NULL && db->prepared[i] != st)
		i = (i + 1) % PREPARED_SLOTS;
	return i;
}

/* Prepare st on this connection unless it already is. */
static enum mp_err
db_prepare(struct mp_db *db, const struct mp_stmt *st)
{
	PGresult	*res;
	enum mp_err	 rc = MP_OK;
	size_t		 slot = prepared_slot(db, st);

	if (db->prepared[slot] == st)
		return MP_OK;
	if (db->nprepared >= PREPARED_SLOTS / 2) {
		mp_error("too many prepared statements");
		return MP_ESYS;
	}
	res = PQprepare(db->conn, st->name, st->sql, 0, NULL);
	if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
		db_classify(db, res);
		mp_error("prepare %s: %s", st->name, db->errmsg);
		rc = MP_EDB;
	} else {
		db->prepared[slot] = st;
		db->nprepared++;
	}
	PQclear(res);
	return rc;
}

/*
 * Run statement st.  On MP_OK *out (when not NULL) holds the result,
 * cleared at arena reset.  Errors are logged here with the statement name
 * and converted; the caller sees only the code.
 */
enum mp_err
mp_db_exec(struct mp_db *db, struct mp_arena *a, const struct mp_stmt *st,
    int n, const char *const *params, struct mp_res **out)
{
	PGresult	*res;
	enum mp_err	 rc;
	ExecStatusType	 es;
	int		 tries = 0;

	if (out != NULL)
		*out = NULL;
again:
	if ((rc = mp_db_ensure(db)) != MP_OK)
		return rc;
	if ((rc = db_prepare(db, st)) != MP_OK)
		goto lost;
	res = PQexecPrepared(db->conn, st->name, n, params, NULL, NULL, 0);
	es = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (es != PGRES_TUPLES_OK && es != PGRES_COMMAND_OK) {
		rc = db_classify(db, res);
		PQclear(res);
		if (rc == MP_EDB)
			goto lost;
		mp_info("%s: %s", st->name, db->errmsg);
		return rc;
	}
	if (out != NULL) {
		struct mp_res *r = mp_alloc(a, sizeof(*r));

		r->res = res;
		mp_arena_cleanup(a, res_clear, res);
		*out = r;
	} else
		PQclear(res);
	return MP_OK;
lost:
	/*
	 * A connection the server dropped (restart, failover) is only
	 * noticed when used.  Outside a transaction nothing is lost by
	 * reconnecting and trying once more; inside one the caller must
	 * start over, so the error stands.
	 */
	if (!mp_db_ok(db) && !db->in_tx && tries++ == 0) {
		mp_warn("%s: connection lost, reconnecting", st->name);
		mp_db_disconnect(db);
		goto again;
	}
	mp_error("%s: %s", st->name, db->errmsg);
	return rc;
}

enum mp_err
mp_db_simple(struct mp_db *db, const char *sql)
{
	PGresult	*res;
	enum mp_err	 rc = MP_OK;
	ExecStatusType	 st;
	int		 tries = 0;

again:
	if ((rc = mp_db_ensure(db)) != MP_OK)
		return rc;
	res = PQexec(db->conn, sql);
	st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		rc = db_classify(db, res);
		PQclear(res);
		/* As in mp_db_exec: outside a transaction, reconnect once. */
		if (rc == MP_EDB && !mp_db_ok(db) && !db->in_tx &&
		    tries++ == 0) {
			mp_warn("connection lost, reconnecting");
			mp_db_disconnect(db);
			goto again;
		}
		mp_error("sql: %s", db->errmsg);
		return rc;
	}
	PQclear(res);
	return rc;
}

enum mp_err
mp_db_begin(struct mp_db *db)
{
	enum mp_err	 rc;

	if ((rc = mp_db_simple(db, "BEGIN")) == MP_OK)
		db->in_tx = 1;
	return rc;
}

enum mp_err
mp_db_commit(struct mp_db *db)
{
	enum mp_err	 rc;

	rc = mp_db_simple(db, "COMMIT");
	db->in_tx = 0;
	return rc;
}

/* Roll back if a transaction is open; errors only matter to the log. */
void
mp_db_rollback(struct mp_db *db)
{
	PGresult	*res;

	if (db->conn == NULL || !db->in_tx) {
		db->in_tx = 0;
		return;
	}
	res = PQexec(db->conn, "ROLLBACK");
	PQclear(res);
	db->in_tx = 0;
}

int
mp_db_in_tx(const struct mp_db *db)
{
	return db->in_tx;
}

const char *
mp_db_errmsg(const struct mp_db *db)
{
	return db->errmsg;
}

struct pg_conn *
mp_db_conn(struct mp_db *db)
{
	return db->conn;
}

int
mp_res_rows(const struct mp_res *r)
{
	return r ? PQntuples(r->res) : 0;
}

const char *
mp_res_get(const struct mp_res *r, int row, int col)
{
	if (r == NULL || row >= PQntuples(r->res) || col >= PQnfields(r->res))
		return NULL;
	if (PQgetisnull(r->res, row, col))
		return NULL;
	return PQgetvalue(r->res, row, col);
}

int
mp_res_isnull(const struct mp_res *r, int row, int col)
{
	return mp_res_get(r, row, col) == NULL;
}

int64_t
mp_res_int(const struct mp_res *r, int row, int col)
{
	const char	*s = mp_res_get(r, row, col);

	return s ? strtoll(s, NULL, 10) : 0;
}

int
mp_res_bool(const struct mp_res *r, int row, int col)
{
	const char	*s = mp_res_get(r, row, col);

	return s != NULL && s[0] == 't';
}

long
mp_res_affected(const struct mp_res *r)
{
	const char	*s = r ? PQcmdTuples(r->res) : NULL;

	return s && *s ? strtol(s, NULL, 10) : 0;
}
