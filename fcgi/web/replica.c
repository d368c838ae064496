/* The read replica: which requests may read from it, and whether it is near enough. */
#include <string.h>

#include "web/extern.h"

#define CHECK_EVERY_MS	1000	/* a healthy replica's lag, re-read */
#define DOWN_RETRY_MS	5000	/* an unreachable one, tried again */

/*
 * How far behind the replica is, in milliseconds.  Nothing received and
 * not yet replayed means caught up (an idle primary sends nothing, so
 * the age of the last replayed commit would say nothing); otherwise the
 * age of the last replayed commit bounds how old what it serves is.  A
 * standby without a WAL receiver process (its primary unreachable,
 * replication broken) has no bound: its lag is NULL.  The receiver's pid
 * is the one column of pg_stat_wal_receiver the pool's role may read; a
 * receiver that runs but hears nothing (a silent network) is not seen
 * here (docs/scaling.md).
 */
static const struct mp_stmt lag_st = { "replica_lag",
    "SELECT pg_is_in_recovery(),"
    " CASE WHEN NOT EXISTS (SELECT 1 FROM pg_stat_wal_receiver"
    "   WHERE pid IS NOT NULL) THEN NULL"
    " WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM"
    "   pg_last_wal_replay_lsn() THEN 0"
    " ELSE floor(extract(epoch FROM clock_timestamp() -"
    "   pg_last_xact_replay_timestamp()) * 1000)::bigint END",
    MP_STMT_READ };

static const char *const st_names[MP_REPLICA__MAX] = {
	"off", "unknown", "ok", "lagging", "unreachable"
};

const char *
mp_replica_st_name(enum mp_replica_st s)
{
	return s < MP_REPLICA__MAX ? st_names[s] : "unknown";
}

enum mp_replica_st
mp_replica_check(struct mp_app *app, struct mp_arena *a)
{
	struct mp_replica_state	*rs = &app->rstate;
	struct mp_res		*res;
	uint64_t		 now = mp_monotonic_ms();

	if (app->replica == NULL) {
		rs->state = MP_REPLICA_OFF;
		return rs->state;
	}
	rs->lag_ms = -1;
	if (mp_db_exec(app->replica, a, &lag_st, 0, NULL, &res) != MP_OK ||
	    mp_res_rows(res) != 1 || !mp_res_bool(res, 0, 0)) {
		if (rs->state != MP_REPLICA_DOWN)
			mp_warn("read replica unreachable or not a standby:"
			    " public reads go to the primary");
		rs->state = MP_REPLICA_DOWN;
		rs->next_ms = now + DOWN_RETRY_MS;
		return rs->state;
	}
	if (!mp_res_isnull(res, 0, 1))
		rs->lag_ms = mp_res_int(res, 0, 1);
	if (rs->lag_ms >= 0 && rs->lag_ms <= app->cfg->replica_max_lag)
		rs->state = MP_REPLICA_OK;
	else {
		if (rs->state != MP_REPLICA_LAGGING)
			mp_warn("read replica %lld ms behind (max %d):"
			    " public reads go to the primary",
			    (long long)rs->lag_ms, app->cfg->replica_max_lag);
		rs->state = MP_REPLICA_LAGGING;
	}
	rs->next_ms = now + CHECK_EVERY_MS;
	return rs->state;
}

struct mp_db *
mp_replica_for(struct mp_req *r)
{
	struct mp_app	*app = r->app;

	if (app->replica == NULL || r->route == NULL ||
	    !(r->route->flags & MP_R_REPLICA) ||
	    !(r->method & (MP_GET | MP_HEAD)) ||
	    mp_req_cookie(r, MP_SESSION_COOKIE) != NULL)
		return NULL;
	if (app->rstate.state == MP_REPLICA_UNKNOWN ||
	    mp_monotonic_ms() >= app->rstate.next_ms)
		(void)mp_replica_check(app, r->ctx.a);
	return app->rstate.state == MP_REPLICA_OK ? app->replica : NULL;
}
