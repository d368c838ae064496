/* The job queue: enqueue, claim, complete, fail, lease, rescue, retention and statistics. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <libpq-fe.h>

#include "features/extern.h"

enum qst {
	Q_INSERT,
	Q_INSERT_AS,
	Q_SET_TENANT,
	Q_CLAIM,
	Q_COMPLETE,
	Q_FAIL,
	Q_RESCHEDULE,
	Q_HEARTBEAT,
	Q_RELEASE,
	Q_LOCKERS,
	Q_RESCUE,
	Q_RETENTION,
	Q_ENSURE,
	Q_NEXT,
	Q_ST_STATE,
	Q_ST_AGE,
	Q_ST_RATE,
	Q_ST_NOTE,
	Q_ST_PAUSE,
	Q__MAX
};

static const struct mp_stmt stmts[] = {
	[Q_INSERT] = { "queue_insert",
	    "SELECT o_id, o_new FROM mp_job_insert($1, $2, $3::integer,"
	    " $4::timestamptz, $5::timestamptz, $6, $7::jsonb, $8::integer)" },
	[Q_INSERT_AS] = { "queue_insert_as",
	    "SELECT i.o_id, i.o_new FROM"
	    " (SELECT set_config('app.tenant_id', $9, true)) AS s,"
	    " LATERAL mp_job_insert($1, $2, $3::integer, $4::timestamptz,"
	    " $5::timestamptz, $6, $7::jsonb, $8::integer) AS i" },
	[Q_SET_TENANT] = { "queue_set_tenant",
	    "SELECT set_config('app.tenant_id', $1, true)" },
	[Q_CLAIM] = { "queue_claim",
	    "SELECT r_tenant_id, r_id, r_kind, r_priority, r_attempt,"
	    " r_max_attempts, r_payload, r_expired"
	    " FROM mp_job_claim($1, $2::integer, $3, $4::integer)" },
	[Q_COMPLETE] = { "queue_complete",
	    "SELECT mp_job_complete($1::bigint[], $2::bigint[],"
	    " $3::integer[], $4)" },
	[Q_FAIL] = { "queue_fail",
	    "SELECT mp_job_fail($1::bigint, $2::bigint, $3::integer, $4, $5,"
	    " $6::double precision, $7::boolean, $8::boolean)" },
	[Q_RESCHEDULE] = { "queue_reschedule",
	    "SELECT mp_job_reschedule($1::bigint, $2::bigint, $3::integer,"
	    " $4, $5::integer)" },
	[Q_HEARTBEAT] = { "queue_heartbeat",
	    "SELECT mp_job_heartbeat($1, $2::integer)" },
	[Q_RELEASE] = { "queue_release",
	    "SELECT mp_job_release($1, $2::boolean, $3)" },
	[Q_LOCKERS] = { "queue_lockers", "SELECT mp_job_lockers($1)" },
	[Q_RESCUE] = { "queue_rescue", "SELECT mp_job_rescue()" },
	[Q_RETENTION] = { "queue_retention",
	    "SELECT mp_job_retention($1::integer)" },
	[Q_ENSURE] = { "queue_ensure",
	    "SELECT mp_job_ensure_schedule($1, $2, $3::integer)" },
	[Q_NEXT] = { "queue_next",
	    "SELECT greatest(0, ceil(extract(epoch FROM"
	    " (mp_job_next_run() - now())) * 1000))::bigint" },
	[Q_ST_STATE] = { "queue_st_state",
	    "SELECT kind, state, count(*) FROM job GROUP BY 1, 2 ORDER BY 1, 2" },
	[Q_ST_AGE] = { "queue_st_age",
	    "SELECT coalesce(extract(epoch FROM now() - min(run_at)), 0)::bigint"
	    " FROM job WHERE state = 'queued' AND run_at <= now()" },
	[Q_ST_RATE] = { "queue_st_rate",
	    "SELECT count(*) FILTER (WHERE state = 'completed'"
	    "  AND finished_at > now() - interval '1 minute'),"
	    " count(*) FILTER (WHERE state = 'completed'"
	    "  AND finished_at > now() - interval '1 hour'),"
	    " count(*) FILTER (WHERE state = 'discarded'"
	    "  AND finished_at > now() - interval '24 hours')"
	    " FROM job WHERE finished_at > now() - interval '24 hours'" },
	[Q_ST_NOTE] = { "queue_st_note",
	    "SELECT state, count(*), count(*) FILTER (WHERE"
	    " updated_at > now() - interval '24 hours')"
	    " FROM notification GROUP BY 1 ORDER BY 1" },
	[Q_ST_PAUSE] = { "queue_st_pause",
	    "SELECT channel, paused_until, reason FROM job_pause"
	    " WHERE paused_until > now() ORDER BY 1" },
};

_Static_assert(sizeof(stmts) / sizeof(stmts[0]) == Q__MAX,
    "queue statement table and enum differ");

/* Attempts before a job of each policy is discarded, and its delays. */
static int
policy_max(const struct mp_config *cfg, enum mp_backoff b)
{
	switch (b) {
	case MP_BACKOFF_EMAIL:
		return cfg ? cfg->email_max_attempts : 12;
	case MP_BACKOFF_SMS:
		return cfg ? cfg->sms_max_attempts : 8;
	case MP_BACKOFF_CODE:
		return 10;
	default:
		return 25;
	}
}

/*
 * The delay before retrying a job of kind after its attempt n failed:
 * min(cap, base * 2^(n-1)) * (0.5 + 0.5 * random), in seconds.
 */
double
mp_job_backoff(const struct mp_config *cfg, const char *kind, int n)
{
	const struct mp_job_kind	*k = mp_job_kind_find(kind);
	double				 base = 30, cap = 3600, d;
	uint32_t			 r;

	switch (k ? k->backoff : MP_BACKOFF_DEFAULT) {
	case MP_BACKOFF_EMAIL:
		base = cfg->email_retry_base;
		cap = cfg->email_retry_cap;
		break;
	case MP_BACKOFF_SMS:
		base = cfg->sms_retry_base;
		cap = cfg->sms_retry_cap;
		break;
	case MP_BACKOFF_CODE:
		base = 5;
		cap = 60;
		break;
	default:
		break;
	}
	if (n < 1)
		n = 1;
	d = n > 40 ? cap : base * ldexp(1.0, n - 1);
	if (d > cap)
		d = cap;
	mp_random(&r, sizeof(r));
	return d * (0.5 + 0.5 * ((double)r / 4294967295.0));
}

/*
 * Check a job spec and turn it into the eight parameters of
 * mp_job_insert.  Returns MP_EINPUT with *why set for a bad spec.
 */
static enum mp_err
spec_params(struct mp_arena *a, const struct mp_config *cfg,
    const struct mp_job_spec *js, const char **p, const char **why)
{
	const struct mp_job_kind	*k;
	int				 prio;

	if (js == NULL || (k = mp_job_kind_find(js->kind)) == NULL) {
		*why = "Unknown job kind.";
		return MP_EINPUT;
	}
	p[0] = js->queue ? js->queue : k->queue;
	if (strcmp(p[0], "tx") != 0 && strcmp(p[0], "bulk") != 0) {
		*why = "The queue must be tx or bulk.";
		return MP_EINPUT;
	}
	prio = js->priority == 0 ? 5 : js->priority;
	if (prio < 1 || prio > 10) {
		*why = "The priority must be between 1 and 10.";
		return MP_EINPUT;
	}
	if (js->idem_key != NULL &&
	    (js->idem_key[0] == '\0' || strlen(js->idem_key) > 200)) {
		*why = "The idempotency key must have 1 to 200 characters.";
		return MP_EINPUT;
	}
	p[1] = js->kind;
	p[2] = mp_printf(a, "%d", prio);
	p[3] = js->run_at;
	p[4] = js->deadline;
	p[5] = js->idem_key;
	p[6] = js->payload ? json_object_to_json_string_ext(js->payload,
	    JSON_C_TO_STRING_PLAIN) : "{}";
	p[6] = mp_strdup(a, p[6]);
	p[7] = mp_printf(a, "%d", policy_max(cfg, k->backoff));
	return MP_OK;
}

static const struct mp_config	*queue_cfg;

/*
 * The configuration mp_job_enqueue_db takes its attempt limits from; set
 * once by a program before it starts threads (without it: the defaults).
 */
void
mp_queue_init(const struct mp_config *cfg)
{
	queue_cfg = cfg;
}

/*
 * Enqueue a job for the request's tenant in the request's transaction.
 * *job_id (arena) is the new job's id, or the existing one when the
 * idempotency key was already used.  MP_EINPUT for a bad spec.
 */
enum mp_err
mp_job_enqueue(struct mp_req *r, const struct mp_job_spec *js, char **job_id)
{
	const char	*p[8], *why = NULL;
	struct mp_res	*res;
	enum mp_err	 rc;

	if (job_id != NULL)
		*job_id = NULL;
	if ((rc = spec_params(r->a, r->app->cfg, js, p, &why)) != MP_OK) {
		mp_warn("enqueue: %s", why);
		return rc;
	}
	if ((rc = mp_q(r, &stmts[Q_INSERT], 8, p, &res)) != MP_OK)
		return rc;
	if (job_id != NULL)
		*job_id = mp_strdup(r->a, mp_res_get(res, 0, 0));
	return MP_OK;
}

/*
 * Enqueue a job for tenant_id on db, inside whatever transaction db has
 * open (binding it to that tenant), or in its own when none is.
 */
enum mp_err
mp_job_enqueue_db(struct mp_db *db, struct mp_arena *a, int64_t tenant_id,
    const struct mp_job_spec *js, char **job_id)
{
	const char	*p[9], *why = NULL;
	struct mp_res	*res;
	enum mp_err	 rc;

	if (job_id != NULL)
		*job_id = NULL;
	if ((rc = spec_params(a, queue_cfg, js, p, &why)) != MP_OK) {
		mp_warn("enqueue: %s", why);
		return rc;
	}
	p[8] = mp_printf(a, "%lld", (long long)tenant_id);
	if ((rc = mp_db_exec(db, a, &stmts[Q_INSERT_AS], 9, p, &res)) != MP_OK)
		return rc;
	if (job_id != NULL)
		*job_id = mp_strdup(a, mp_res_get(res, 0, 0));
	return MP_OK;
}

/* Open the job's tenant transaction unless it is open. */
enum mp_err
mp_job_tx(struct mp_job *j)
{
	const char	*p[1];
	enum mp_err	 rc;

	if (j->in_tx)
		return MP_OK;
	if ((rc = mp_db_begin(j->db)) != MP_OK)
		return rc;
	p[0] = j->tenant_text;
	if ((rc = mp_db_exec(j->db, j->a, &stmts[Q_SET_TENANT], 1, p, NULL)) !=
	    MP_OK) {
		mp_db_rollback(j->db);
		return rc;
	}
	j->in_tx = 1;
	return MP_OK;
}

/* Commit the job's transaction if one is open. */
enum mp_err
mp_job_commit(struct mp_job *j)
{
	if (!j->in_tx)
		return MP_OK;
	j->in_tx = 0;
	return mp_db_commit(j->db);
}

/* Run a statement in the job's tenant transaction (opened if needed). */
enum mp_err
mp_job_q(struct mp_job *j, const struct mp_stmt *st, int n,
    const char *const *p, struct mp_res **res)
{
	enum mp_err	 rc;

	if ((rc = mp_job_tx(j)) != MP_OK)
		return rc;
	return mp_db_exec(j->db, j->a, st, n, p, res);
}

/*
 * Claim up to limit ready jobs of queue for the worker named in ctx.
 * *jobs is an arena array of *n jobs, best first, with their payloads
 * parsed.  A payload that does not parse leaves payload NULL (the worker
 * fails the job permanently).
 */
enum mp_err
mp_queue_claim(struct mp_db *db, struct mp_arena *a,
    const struct mp_config *cfg, struct mp_job_ctx *ctx, const char *queue,
    int limit, struct mp_job **jobs, int *n)
{
	const char	*p[4], *s;
	struct mp_res	*res;
	struct mp_job	*j;
	char		 err[128];
	enum mp_err	 rc;
	int		 i, rows;

	*jobs = NULL;
	*n = 0;
	p[0] = queue;
	p[1] = mp_printf(a, "%d", limit);
	p[2] = ctx->worker;
	p[3] = mp_printf(a, "%d", cfg->job_lease);
	if ((rc = mp_db_exec(db, a, &stmts[Q_CLAIM], 4, p, &res)) != MP_OK)
		return rc;
	rows = mp_res_rows(res);
	if (rows == 0)
		return MP_OK;
	*jobs = j = mp_calloc(a, (size_t)rows, sizeof(*j));
	for (i = 0; i < rows; i++, j++) {
		j->db = db;
		j->a = a;
		j->cfg = cfg;
		j->ctx = ctx;
		j->tenant_id = mp_res_int(res, i, 0);
		snprintf(j->tenant_text, sizeof(j->tenant_text), "%lld",
		    (long long)j->tenant_id);
		j->id = mp_res_int(res, i, 1);
		snprintf(j->id_text, sizeof(j->id_text), "%lld",
		    (long long)j->id);
		j->kind = mp_strdup(a, mp_res_get(res, i, 2));
		j->priority = (int)mp_res_int(res, i, 3);
		j->attempt = (int)mp_res_int(res, i, 4);
		j->max_attempts = (int)mp_res_int(res, i, 5);
		s = mp_res_get(res, i, 6);
		if (s == NULL || mp_json_parse(a, s, strlen(s), 64, &j->payload,
		    err, sizeof(err)) != MP_OK)
			j->payload = NULL;
		j->expired = mp_res_bool(res, i, 7);
	}
	*n = rows;
	return MP_OK;
}

/* Fail one job with its handler's verdict; returns the new state or NULL. */
static const char *
fail_one(struct mp_db *db, struct mp_arena *a, struct mp_job *j)
{
	const char	*p[8];
	struct mp_res	*res;
	double		 delay;

	delay = j->retry_in > 0 ? j->retry_in :
	    mp_job_backoff(j->cfg, j->kind, j->attempt);
	p[0] = j->tenant_text;
	p[1] = j->id_text;
	p[2] = mp_printf(a, "%d", j->attempt);
	p[3] = j->ctx->worker;
	p[4] = j->error ? j->error : "failed";
	p[5] = mp_printf(a, "%.3f", delay);
	p[6] = j->permanent ? "true" : "false";
	p[7] = j->no_spend ? "false" : "true";
	if (mp_db_exec(db, a, &stmts[Q_FAIL], 8, p, &res) != MP_OK)
		return NULL;
	return mp_res_get(res, 0, 0);
}

/*
 * Record the outcome of a processed batch: completed jobs in one fenced
 * statement, scheduled ones re-queued for their next run, failed ones
 * retried or discarded one by one.  A fence that no longer holds (the job
 * was rescued meanwhile) is logged and otherwise ignored.
 */
enum mp_err
mp_queue_finish(struct mp_db *db, struct mp_arena *a, struct mp_job *jobs,
    int n)
{
	const struct mp_job_kind	*k;
	struct mp_buf			 t, id, at;
	struct mp_res			*res;
	const char			*p[5], *st;
	enum mp_err			 rc = MP_OK;
	int				 i, ndone = 0;

	mp_buf_init(&t, 0);
	mp_buf_init(&id, 0);
	mp_buf_init(&at, 0);
	mp_buf_putc(&t, '{');
	mp_buf_putc(&id, '{');
	mp_buf_putc(&at, '{');
	for (i = 0; i < n; i++) {
		struct mp_job *j = &jobs[i];

		k = mp_job_kind_find(j->kind);
		if (j->done == 1 && k != NULL && k->every > 0) {
			p[0] = j->tenant_text;
			p[1] = j->id_text;
			p[2] = mp_printf(a, "%d", j->attempt);
			p[3] = j->ctx->worker;
			p[4] = mp_printf(a, "%d", k->every);
			if (mp_db_exec(db, a, &stmts[Q_RESCHEDULE], 5, p,
			    NULL) != MP_OK)
				rc = MP_EDB;
		} else if (j->done == 1) {
			mp_buf_printf(&t, "%s%s", ndone ? "," : "",
			    j->tenant_text);
			mp_buf_printf(&id, "%s%s", ndone ? "," : "", j->id_text);
			mp_buf_printf(&at, "%s%d", ndone ? "," : "", j->attempt);
			ndone++;
		} else if (j->done == -1) {
			if ((st = fail_one(db, a, j)) == NULL)
				mp_warn("job %s: fence lost on failure",
				    j->id_text);
			else if (strcmp(st, "discarded") == 0)
				mp_warn("job %s %s discarded after attempt %d:"
				    " %s", j->id_text, j->kind, j->attempt,
				    j->error ? j->error : "failed");
		}
	}
	if (ndone > 0) {
		mp_buf_putc(&t, '}');
		mp_buf_putc(&id, '}');
		mp_buf_putc(&at, '}');
		p[0] = mp_buf_cstr(&t);
		p[1] = mp_buf_cstr(&id);
		p[2] = mp_buf_cstr(&at);
		p[3] = jobs[0].ctx->worker;
		if (mp_db_exec(db, a, &stmts[Q_COMPLETE], 4, p, &res) !=
		    MP_OK)
			rc = MP_EDB;
		else if (mp_res_int(res, 0, 0) != ndone)
			mp_warn("complete: %lld of %d jobs still held",
			    (long long)mp_res_int(res, 0, 0), ndone);
	}
	mp_buf_free(&t);
	mp_buf_free(&id);
	mp_buf_free(&at);
	return rc;
}

/* Extend the leases of everything worker holds. */
enum mp_err
mp_queue_heartbeat(struct mp_db *db, struct mp_arena *a, const char *worker,
    int lease)
{
	const char	*p[2];

	p[0] = worker;
	p[1] = mp_printf(a, "%d", lease);
	return mp_db_exec(db, a, &stmts[Q_HEARTBEAT], 2, p, NULL);
}

/*
 * Give back every job worker holds (spent: the attempt counts).  Returns
 * how many, or -1 on a database error.
 */
int
mp_queue_release(struct mp_db *db, struct mp_arena *a, const char *worker,
    int spent, const char *why)
{
	const char	*p[3];
	struct mp_res	*res;

	p[0] = worker;
	p[1] = spent ? "true" : "false";
	p[2] = why;
	if (mp_db_exec(db, a, &stmts[Q_RELEASE], 3, p, &res) != MP_OK)
		return -1;
	return (int)mp_res_int(res, 0, 0);
}

/* The rescuer's pass: re-queue jobs whose lease ran out.  -1: not ours. */
int
mp_queue_rescue(struct mp_db *db, struct mp_arena *a)
{
	struct mp_res	*res;

	if (mp_db_exec(db, a, &stmts[Q_RESCUE], 0, NULL, &res) != MP_OK)
		return -1;
	return (int)mp_res_int(res, 0, 0);
}

/*
 * At start-up: release the jobs still locked by workers of this host
 * whose process is gone (locked_by is host:pid:nonce).  Our own pid with
 * another nonce is a previous life of this pid.  Returns how many.
 */
int
mp_queue_rescue_dead(struct mp_db *db, struct mp_arena *a, const char *host)
{
	const char	*p[1], *lb, *c1;
	struct mp_res	*res;
	long		 pid;
	int		 i, n = 0, k;

	p[0] = host;
	if (mp_db_exec(db, a, &stmts[Q_LOCKERS], 1, p, &res) != MP_OK)
		return -1;
	for (i = 0; i < mp_res_rows(res); i++) {
		lb = mp_res_get(res, i, 0);
		if (lb == NULL || (c1 = strchr(lb, ':')) == NULL)
			continue;
		pid = strtol(c1 + 1, NULL, 10);
		if (pid <= 0)
			continue;
		if (pid != (long)getpid() && (kill((pid_t)pid, 0) == 0 ||
		    errno != ESRCH))
			continue;
		if ((k = mp_queue_release(db, a, lb, 1,
		    "worker process died")) > 0) {
			mp_warn("released %d job%s of dead worker %s", k,
			    k == 1 ? "" : "s", lb);
			n += k;
		}
	}
	return n;
}

/* Make sure every active tenant has its scheduled jobs.  Returns how many were added. */
int
mp_queue_ensure_schedules(struct mp_db *db, struct mp_arena *a)
{
	const char	*p[3];
	struct mp_res	*res;
	size_t		 i;
	int		 n = 0;

	for (i = 0; i < mp_njob_kinds; i++) {
		if (mp_job_kinds[i].every <= 0)
			continue;
		p[0] = mp_job_kinds[i].kind;
		p[1] = mp_job_kinds[i].queue;
		p[2] = "60";
		if (mp_db_exec(db, a, &stmts[Q_ENSURE], 3, p, &res) != MP_OK)
			return -1;
		n += (int)mp_res_int(res, 0, 0);
	}
	return n;
}

/* Milliseconds until the next queued job is due (capped at 1000). */
int
mp_queue_next_ms(struct mp_db *db, struct mp_arena *a)
{
	struct mp_res	*res;
	int64_t		 ms;

	if (mp_db_exec(db, a, &stmts[Q_NEXT], 0, NULL, &res) != MP_OK ||
	    mp_res_isnull(res, 0, 0))
		return 1000;
	ms = mp_res_int(res, 0, 0);
	return ms > 1000 ? 1000 : (int)ms;
}

/* queue.noop: does nothing (benchmarks and tests of the queue itself). */
enum mp_err
mp_queue_job_noop(struct mp_job *j)
{
	(void)j;
	return MP_OK;
}

/* queue.retention: delete old job rows in batches of 10,000. */
enum mp_err
mp_queue_job_retention(struct mp_job *j)
{
	const char	*p[1] = { "10000" };
	struct mp_res	*res;
	int64_t		 n, total = 0;

	do {
		if (mp_db_exec(j->db, j->a, &stmts[Q_RETENTION], 1, p, &res) !=
		    MP_OK) {
			j->error = "retention: database error";
			return MP_EDB;
		}
		total += (n = mp_res_int(res, 0, 0));
	} while (n == 10000);
	if (total > 0)
		mp_info("retention: %lld old job rows deleted",
		    (long long)total);
	return MP_OK;
}

static void
json_put_int(struct json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

/*
 * GET /api/admin/queue/stats (tenant staff): this tenant's jobs by state
 * and kind, the age of the oldest ready job, failures in the last 24
 * hours, throughput, notifications by state, and paused senders.
 */
enum mp_err
mp_queue_stats(struct mp_req *r, struct mp_resp *w)
{
	struct json_object	*o, *jobs, *bystate, *bykind, *k, *notes,
				*nstate, *paused, *po;
	struct mp_res		*res;
	const char		*kind, *state;
	int64_t			 cnt, nfail = 0;
	enum mp_err		 rc;
	int			 i;

	o = json_object_new_object();
	mp_json_own(r->a, o);
	jobs = json_object_new_object();
	bystate = json_object_new_object();
	bykind = json_object_new_object();
	json_object_object_add(o, "tenant", json_object_new_string(
	    r->tenant->slug));
	json_object_object_add(o, "jobs", jobs);
	json_object_object_add(jobs, "by_state", bystate);
	json_object_object_add(jobs, "by_kind", bykind);
	if ((rc = mp_q(r, &stmts[Q_ST_STATE], 0, NULL, &res)) != MP_OK)
		return rc;
	for (i = 0; i < mp_res_rows(res); i++) {
		struct json_object *cur;

		kind = mp_res_get(res, i, 0);
		state = mp_res_get(res, i, 1);
		cnt = mp_res_int(res, i, 2);
		if (!json_object_object_get_ex(bykind, kind, &k)) {
			k = json_object_new_object();
			json_object_object_add(bykind, kind, k);
		}
		json_put_int(k, state, cnt);
		if (json_object_object_get_ex(bystate, state, &cur))
			cnt += json_object_get_int64(cur);
		json_put_int(bystate, state, cnt);
	}
	if ((rc = mp_q(r, &stmts[Q_ST_AGE], 0, NULL, &res)) != MP_OK)
		return rc;
	json_put_int(jobs, "oldest_queued_seconds", mp_res_int(res, 0, 0));
	if ((rc = mp_q(r, &stmts[Q_ST_RATE], 0, NULL, &res)) != MP_OK)
		return rc;
	json_put_int(jobs, "completed_last_minute", mp_res_int(res, 0, 0));
	json_put_int(jobs, "completed_last_hour", mp_res_int(res, 0, 1));
	json_put_int(jobs, "discarded_24h", mp_res_int(res, 0, 2));
	notes = json_object_new_object();
	nstate = json_object_new_object();
	json_object_object_add(o, "notifications", notes);
	json_object_object_add(notes, "by_state", nstate);
	if ((rc = mp_q(r, &stmts[Q_ST_NOTE], 0, NULL, &res)) != MP_OK)
		return rc;
	for (i = 0; i < mp_res_rows(res); i++) {
		state = mp_res_get(res, i, 0);
		json_put_int(nstate, state, mp_res_int(res, i, 1));
		if (strcmp(state, "failed") == 0 ||
		    strcmp(state, "bounced") == 0 ||
		    strcmp(state, "expired") == 0)
			nfail += mp_res_int(res, i, 2);
	}
	json_put_int(notes, "failed_24h", nfail);
	json_put_int(o, "failures_24h", nfail +
	    json_object_get_int64(json_object_object_get(jobs,
	    "discarded_24h")));
	paused = json_object_new_array();
	json_object_object_add(o, "paused", paused);
	if ((rc = mp_q(r, &stmts[Q_ST_PAUSE], 0, NULL, &res)) != MP_OK)
		return rc;
	for (i = 0; i < mp_res_rows(res); i++) {
		po = json_object_new_object();
		json_object_object_add(po, "channel",
		    json_object_new_string(mp_res_get(res, i, 0)));
		json_object_object_add(po, "until",
		    json_object_new_string(mp_res_get(res, i, 1)));
		json_object_object_add(po, "reason",
		    json_object_new_string(mp_res_get(res, i, 2)));
		json_object_array_add(paused, po);
	}
	return mp_resp_json(r, w, 200, o);
}

/* Run one SQL text with parameters on a plain connection; print rows. */
static int
ctl_exec(PGconn *c, const char *sql, int n, const char *const *p, int print)
{
	PGresult	*res;
	int		 i, k, rc = 0;

	res = PQexecParams(c, sql, n, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK &&
	    PQresultStatus(res) != PGRES_COMMAND_OK) {
		fprintf(stderr, "mpanelctl: %s", PQerrorMessage(c));
		rc = -1;
		goto out;
	}
	if (print) {
		for (k = 0; k < PQnfields(res); k++)
			printf("%s%s", k ? "\t" : "", PQfname(res, k));
		printf("\n");
		for (i = 0; i < PQntuples(res); i++) {
			for (k = 0; k < PQnfields(res); k++)
				printf("%s%s", k ? "\t" : "",
				    PQgetvalue(res, i, k));
			printf("\n");
		}
	}
	rc = PQntuples(res) > 0 ? atoi(PQgetvalue(res, 0, 0)) : 0;
out:
	PQclear(res);
	return rc;
}

/*
 * mpanelctl queue stats | retry JOB_ID | purge, on the owner connection c
 * (the owner sees every tenant's jobs).  Returns the exit status.
 */
int
mp_queue_ctl(const struct mp_config *cfg, PGconn *c, int argc, char *argv[])
{
	const char	*p[1];
	int		 n, total = 0;

	(void)cfg;
	if (argc >= 1 && strcmp(argv[0], "stats") == 0) {
		if (ctl_exec(c, "SELECT t.slug AS tenant, j.queue, j.kind,"
		    " j.state, count(*) AS jobs,"
		    " coalesce(max(extract(epoch FROM now() - j.run_at))"
		    "  FILTER (WHERE j.state = 'queued' AND j.run_at <= now()),"
		    "  0)::bigint AS oldest_ready_s"
		    " FROM job j JOIN tenants t ON t.id = j.tenant_id"
		    " GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4", 0, NULL, 1) < 0)
			return 1;
		printf("\n");
		return ctl_exec(c, "SELECT count(*) FILTER (WHERE state ="
		    " 'completed' AND finished_at > now() - interval '1 minute')"
		    " AS completed_1m, count(*) FILTER (WHERE state ="
		    " 'discarded' AND finished_at > now() - interval '24 hours')"
		    " AS discarded_24h, count(*) FILTER (WHERE state ="
		    " 'running' AND lease_until < now()) AS lease_expired"
		    " FROM job", 0, NULL, 1) < 0 ? 1 : 0;
	}
	if (argc == 2 && strcmp(argv[0], "retry") == 0) {
		if (strspn(argv[1], "0123456789") != strlen(argv[1]) ||
		    argv[1][0] == '\0' || strlen(argv[1]) > 18) {
			fprintf(stderr, "mpanelctl: retry needs a job id\n");
			return 64;
		}
		p[0] = argv[1];
		PQclear(PQexec(c, "BEGIN"));
		n = ctl_exec(c, "SELECT set_config('app.tenant_id',"
		    " tenant_id::text, true), 1 FROM job WHERE id = $1::bigint"
		    " AND state IN ('discarded', 'cancelled')", 1, p, 0);
		if (n == 1)
			n = ctl_exec(c, "WITH j AS (UPDATE job SET state ="
			    " 'queued', run_at = now(), attempt = 0,"
			    " finished_at = NULL, deadline = NULL"
			    " WHERE id = $1::bigint"
			    " RETURNING tenant_id, id, kind, payload),"
			    " n AS (UPDATE notification n SET state = 'queued',"
			    " updated_at = now() FROM j WHERE n.tenant_id ="
			    " j.tenant_id AND n.job_id = j.id AND n.state IN"
			    " ('failed', 'expired') RETURNING n.id)"
			    " SELECT (SELECT count(*) FROM j),"
			    " pg_notify('mp_jobs', 'tx')", 1, p, 0);
		PQclear(PQexec(c, n == 1 ? "COMMIT" : "ROLLBACK"));
		if (n != 1) {
			fprintf(stderr, "mpanelctl: no discarded or cancelled"
			    " job %s\n", argv[1]);
			return 1;
		}
		printf("queue: job %s queued again\n", argv[1]);
		return 0;
	}
	if (argc == 1 && strcmp(argv[0], "purge") == 0) {
		do {
			n = ctl_exec(c, "SELECT mp_job_retention(10000)", 0,
			    NULL, 0);
			if (n < 0)
				return 1;
			total += n;
		} while (n == 10000);
		printf("queue: %d old job row%s deleted\n", total,
		    total == 1 ? "" : "s");
		return 0;
	}
	fprintf(stderr, "usage: mpanelctl queue stats | retry JOB_ID |"
	    " purge\n");
	return 64;
}
