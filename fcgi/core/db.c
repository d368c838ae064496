/* PostgreSQL access: one connection, lazily prepared statements, pipelined transactions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "core/extern.h"

#define PREPARED_SLOTS	2048	/* open addressing; far above our statement count */
#define QUEUE_MAX	4	/* statements waiting for the next round trip */
#define QUEUE_PARAMS	4
#define QUEUE_TEXT	512	/* bytes for their parameters' copies */

/* A statement waiting for the next round trip (mp_db_queue). */
struct queued {
	const struct mp_stmt	*st;
	int			 n;
	const char		*p[QUEUE_PARAMS];
};

struct mp_db {
	char			*conninfo;
	PGconn			*conn;
	const struct mp_stmt	*prepared[PREPARED_SLOTS];	/* on this connection */
	size_t			 nprepared;
	int			 connect_timeout;
	int			 statement_timeout;
	int			 pooled;	/* behind a transaction pooler */
	int			 in_tx;
	int			 begin_pending;	/* BEGIN noted, not sent */
	struct queued		 queue[QUEUE_MAX];
	int			 nqueue;
	char			 qtext[QUEUE_TEXT];
	size_t			 qtextlen;
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

/*
 * Behind a pooler in transaction mode (PgBouncer 1.18) a connection is a
 * different server session from one transaction to the next: a statement
 * prepared on one is unknown on the next, and startup options are refused.
 * So statements go unnamed (parsed with every execution, in the same
 * round trip) and the server settings (statement_timeout,
 * client_min_messages, TimeZone) are the pooler's or the role's to set.
 */
void
mp_db_set_pooled(struct mp_db *db, int pooled)
{
	db->pooled = pooled;
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

/* Close the connection; the transaction state is the caller's business. */
static void
conn_drop(struct mp_db *db)
{
	if (db->conn != NULL)
		PQfinish(db->conn);
	db->conn = NULL;
	memset(db->prepared, 0, sizeof(db->prepared));
	db->nprepared = 0;
}

/* Forget the transaction and whatever waited to be sent with it. */
static void
tx_clear(struct mp_db *db)
{
	db->in_tx = 0;
	db->begin_pending = 0;
	db->nqueue = 0;
	db->qtextlen = 0;
}

void
mp_db_disconnect(struct mp_db *db)
{
	conn_drop(db);
	tx_clear(db);
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
 * Notices (a search of stop words only, say) are not worth a log line:
 * the session sends warnings and worse.  Days (current_date) are UTC
 * days, as everywhere in the portal.
 */
enum mp_err
mp_db_ensure(struct mp_db *db)
{
	const char	*keys[5], *vals[5];
	char		 ct[16], opts[128];

	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK)
		return MP_OK;
	conn_drop(db);
	snprintf(ct, sizeof(ct), "%d", db->connect_timeout);
	snprintf(opts, sizeof(opts),
	    "-c statement_timeout=%d -c client_min_messages=warning"
	    " -c TimeZone=UTC",
	    db->statement_timeout);
	keys[0] = "dbname";
	vals[0] = db->conninfo;
	keys[1] = "connect_timeout";
	vals[1] = ct;
	keys[2] = "application_name";
	vals[2] = "mpanel";
	keys[3] = db->pooled ? NULL : "options";
	vals[3] = db->pooled ? NULL : opts;
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
 * conflict, bad input detected by the server (check, not-null and
 * foreign-key violations, every data exception: invalid text, a date
 * out of range, a number too large) is input; everything else is the
 * database.
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
	/* Class 22 is "data exception": a value the server could not take. */
	if (strncmp(state, "22", 2) == 0 || strcmp(state, "23514") == 0 ||
	    strcmp(state, "23502") == 0 || strcmp(state, "23503") == 0)
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

	if (db->pooled || db->prepared[slot] == st)
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

/* Send st in pipeline mode: by name, or unnamed behind a pooler. */
static int
send_stmt(struct mp_db *db, const struct mp_stmt *st, int n,
    const char *const *p)
{
	if (db->pooled)
		return PQsendQueryParams(db->conn, st->sql, n, NULL, p, NULL,
		    NULL, 0);
	return PQsendQueryPrepared(db->conn, st->name, n, p, NULL, NULL, 0);
}

/*
 * Whether the waiting statements and st only read: then they need no
 * BEGIN (see pipeline).
 */
static int
reads_only(const struct mp_db *db, const struct mp_stmt *st)
{
	int	 i;

	if (st == NULL || !(st->flags & MP_STMT_READ))
		return 0;
	for (i = 0; i < db->nqueue; i++)
		if (!(db->queue[i].st->flags & MP_STMT_READ))
			return 0;
	return 1;
}

/*
 * One round trip in pipeline mode: the noted BEGIN, the queued
 * statements, then st (or the plain command sql, or nothing), and a
 * sync.  The server skips everything after a failure; the first failure
 * is the answer.  On MP_OK *out (when not NULL) is st's result, owned by
 * the caller.
 *
 * Until a transaction's first statement that may write, its statements
 * go without the BEGIN: the queued ones (the tenant) and st then form
 * the implicit transaction the server gives a pipeline up to its sync,
 * which ends there, settings and all.  Read committed isolation gives
 * each statement its own snapshot anyway, and a read has nothing to roll
 * back, so a page that only reads costs one round trip and no BEGIN or
 * COMMIT.  The BEGIN and the queue then wait for the next statement; once
 * the BEGIN is sent, nothing waits any more.
 */
static enum mp_err
pipeline(struct mp_db *db, const struct mp_stmt *st, int n,
    const char *const *p, const char *sql, PGresult **out)
{
	PGconn		*c = db->conn;
	PGresult	*res;
	const char	*names[QUEUE_MAX + 2], *failed = NULL;
	enum mp_err	 rc = MP_OK;
	ExecStatusType	 es;
	int		 i, k, sent = 0, ok = 1, implicit, went = 0;

	*out = NULL;
	implicit = db->begin_pending && reads_only(db, st);
	for (i = 0; i < db->nqueue && rc == MP_OK; i++)
		rc = db_prepare(db, db->queue[i].st);
	if (rc == MP_OK && st != NULL)
		rc = db_prepare(db, st);
	if (rc != MP_OK)
		goto out;
	if (PQenterPipelineMode(c) != 1) {
		db_seterr(db, "pipeline");
		rc = MP_EDB;
		goto out;
	}
	if (db->begin_pending && !implicit) {
		names[sent++] = "begin";
		ok &= PQsendQueryParams(c, "BEGIN", 0, NULL, NULL, NULL, NULL,
		    0);
	}
	for (i = 0; i < db->nqueue; i++) {
		names[sent++] = db->queue[i].st->name;
		ok &= send_stmt(db, db->queue[i].st, db->queue[i].n,
		    db->queue[i].p);
	}
	if (st != NULL || sql != NULL) {
		names[sent++] = st ? st->name : sql;
		if (st != NULL)
			ok &= send_stmt(db, st, n, p);
		else
			ok &= PQsendQueryParams(c, sql, 0, NULL, NULL, NULL,
			    NULL, 0);
	}
	ok &= PQpipelineSync(c);
	went = 1;
	if (!ok) {
		rc = db_classify(db, NULL);
		failed = "pipeline";
		goto out;
	}
	for (k = 0; k < sent; k++) {
		if ((res = PQgetResult(c)) == NULL) {
			rc = db_classify(db, NULL);
			failed = names[k];
			goto out;
		}
		es = PQresultStatus(res);
		if (es != PGRES_TUPLES_OK && es != PGRES_COMMAND_OK) {
			if (failed == NULL) {
				rc = db_classify(db, res);
				failed = names[k];
			}
			PQclear(res);
		} else if (k == sent - 1 && st != NULL && failed == NULL)
			*out = res;
		else
			PQclear(res);
		/* Each command's results end with a NULL. */
		while ((res = PQgetResult(c)) != NULL)
			PQclear(res);
	}
	res = PQgetResult(c);
	es = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	PQclear(res);
	if (es != PGRES_PIPELINE_SYNC && failed == NULL) {
		rc = db_classify(db, NULL);
		failed = "sync";
	}
	if (PQexitPipelineMode(c) != 1 && failed == NULL) {
		db_seterr(db, "pipeline");
		rc = MP_EDB;
		failed = "pipeline";
	}
out:
	if (failed != NULL && rc == MP_OK)
		rc = MP_EDB;
	/* Never left half-way through a pipeline: start afresh instead. */
	if (db->conn != NULL && PQpipelineStatus(db->conn) != PQ_PIPELINE_OFF)
		conn_drop(db);
	if (rc != MP_OK) {
		PQclear(*out);
		*out = NULL;
		if (failed != NULL && rc == MP_EDB)
			mp_error("%s: %s", failed, db->errmsg);
		else if (failed != NULL)
			mp_info("%s: %s", failed, db->errmsg);
	}
	/* Once sent, the BEGIN and the queue have run (or failed). */
	if (went && !implicit) {
		db->begin_pending = 0;
		db->nqueue = 0;
		db->qtextlen = 0;
	}
	return rc;
}

/*
 * Send what waits for the next round trip (a noted BEGIN, queued
 * statements) together with st or sql.  A connection found dropped
 * when this round trip opens the transaction is replaced and the round
 * trip sent again: nothing of the transaction had run.
 */
static enum mp_err
send_waiting(struct mp_db *db, const struct mp_stmt *st, int n,
    const char *const *p, const char *sql, PGresult **out)
{
	int		 begin = db->begin_pending, nq = db->nqueue;
	size_t		 qlen = db->qtextlen;
	enum mp_err	 rc;

	rc = pipeline(db, st, n, p, sql, out);
	if (rc != MP_EDB || !begin || mp_db_ok(db))
		return rc;
	mp_warn("%s: connection lost, reconnecting",
	    st ? st->name : sql ? sql : "begin");
	conn_drop(db);
	if ((rc = mp_db_ensure(db)) != MP_OK)
		return rc;
	/* pipeline() left the queue's entries and copies as they were. */
	db->begin_pending = begin;
	db->nqueue = nq;
	db->qtextlen = qlen;
	return pipeline(db, st, n, p, sql, out);
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
	if (db->begin_pending || db->nqueue > 0) {
		if ((rc = send_waiting(db, st, n, params, NULL, &res)) != MP_OK)
			return rc;
		goto done;
	}
	if ((rc = db_prepare(db, st)) != MP_OK)
		goto lost;
	if (db->pooled)
		res = PQexecParams(db->conn, st->sql, n, NULL, params, NULL,
		    NULL, 0);
	else
		res = PQexecPrepared(db->conn, st->name, n, params, NULL,
		    NULL, 0);
	es = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (es != PGRES_TUPLES_OK && es != PGRES_COMMAND_OK) {
		rc = db_classify(db, res);
		PQclear(res);
		if (rc == MP_EDB)
			goto lost;
		mp_info("%s: %s", st->name, db->errmsg);
		return rc;
	}
done:
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
		conn_drop(db);
		goto again;
	}
	mp_error("%s: %s", st->name, db->errmsg);
	return rc;
}

enum mp_err
mp_db_queue(struct mp_db *db, const struct mp_stmt *st, int n,
    const char *const *params)
{
	struct queued	*q;
	size_t		 len;
	int		 i;

	if (db->nqueue >= QUEUE_MAX || n > QUEUE_PARAMS)
		return MP_ELIMIT;
	q = &db->queue[db->nqueue];
	q->st = st;
	q->n = n;
	for (i = 0; i < n; i++) {
		if (params[i] == NULL) {
			q->p[i] = NULL;
			continue;
		}
		len = strlen(params[i]) + 1;
		if (len > sizeof(db->qtext) - db->qtextlen)
			return MP_ELIMIT;
		memcpy(db->qtext + db->qtextlen, params[i], len);
		q->p[i] = db->qtext + db->qtextlen;
		db->qtextlen += len;
	}
	db->nqueue++;
	return MP_OK;
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
	/* What waits goes first, in a round trip of its own. */
	if ((db->begin_pending || db->nqueue > 0) &&
	    (rc = send_waiting(db, NULL, 0, NULL, NULL, &res)) != MP_OK)
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
			conn_drop(db);
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
	/* One still open (a caller that never ended it) ends here. */
	if (db->in_tx && !db->begin_pending && db->conn != NULL)
		PQclear(PQexec(db->conn, "ROLLBACK"));
	tx_clear(db);
	db->in_tx = 1;
	db->begin_pending = 1;
	return MP_OK;
}

enum mp_err
mp_db_commit(struct mp_db *db)
{
	PGresult	*res;
	enum mp_err	 rc = MP_OK;

	if (db->begin_pending) {
		/* No BEGIN went out: only reads, each its own transaction. */
		tx_clear(db);
		return MP_OK;
	}
	if (db->nqueue > 0) {
		/* A queued statement that fails leaves the COMMIT skipped. */
		if ((rc = send_waiting(db, NULL, 0, NULL, "COMMIT", &res)) !=
		    MP_OK && db->conn != NULL)
			PQclear(PQexec(db->conn, "ROLLBACK"));
		tx_clear(db);
		return rc;
	}
	rc = mp_db_simple(db, "COMMIT");
	tx_clear(db);
	return rc;
}

/* Roll back if a transaction is open; errors only matter to the log. */
void
mp_db_rollback(struct mp_db *db)
{
	PGresult	*res;

	if (db->conn == NULL || !db->in_tx || db->begin_pending) {
		tx_clear(db);
		return;
	}
	res = PQexec(db->conn, "ROLLBACK");
	PQclear(res);
	tx_clear(db);
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

/*
 * The connection for direct use, with nothing waiting to be sent; NULL
 * when what waited failed (the transaction is then the caller's to roll
 * back).
 */
struct pg_conn *
mp_db_conn(struct mp_db *db)
{
	PGresult	*res;

	if (db->conn != NULL && (db->begin_pending || db->nqueue > 0) &&
	    send_waiting(db, NULL, 0, NULL, NULL, &res) != MP_OK)
		return NULL;
	return db->conn;
}

int
mp_res_rows(const struct mp_res *r)
{
	return r ? PQntuples(r->res) : 0;
}

int
mp_res_ncols(const struct mp_res *r)
{
	return r ? PQnfields(r->res) : 0;
}

const char *
mp_res_colname(const struct mp_res *r, int col)
{
	return r ? PQfname(r->res, col) : NULL;
}

unsigned
mp_res_coltype(const struct mp_res *r, int col)
{
	return r ? (unsigned)PQftype(r->res, col) : 0;
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
