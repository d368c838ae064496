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

#include "features/queue/queue.h"

enum qst {
	Q_INSERT,
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

static MP_STMT_TABLE(mp_queue_st, stmts);

/* Attempts before a job of each policy is discarded, and its delays. */
static int
policy_max(const struct mp_config *cfg, enum mp_backoff b)
{
	switch (b) {
	case MP_BACKOFF_EMAIL:
		return mp_queue_conf(cfg)->email_max_attempts;
	case MP_BACKOFF_SMS:
		return mp_queue_conf(cfg)->sms_max_attempts;
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
		base = mp_queue_conf(cfg)->email_retry_base;
		cap = mp_queue_conf(cfg)->email_retry_cap;
		break;
	case MP_BACKOFF_SMS:
		base = mp_queue_conf(cfg)->sms_retry_base;
		cap = mp_queue_conf(cfg)->sms_retry_cap;
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

/*
 * Enqueue a job for the context's tenant in its transaction.  *job_id
 * (arena) is the new job's id, or the existing one when the idempotency
 * key was already used.  MP_EINPUT for a bad spec.
 */
enum mp_err
mp_job_enqueue(struct mp_ctx *c, const struct mp_job_spec *js, char **job_id)
{
	const char	*p[8], *why = NULL;
	struct mp_res	*res;
	enum mp_err	 rc;

	if (job_id != NULL)
		*job_id = NULL;
	if ((rc = spec_params(c->a, c->cfg, js, p, &why)) != MP_OK) {
		mp_warn("enqueue: %s", why);
		return rc;
	}
	if ((rc = mp_q(c, &stmts[Q_INSERT], 8, p, &res)) != MP_OK)
		return rc;
	if (job_id != NULL)
		*job_id = mp_strdup(c->a, mp_res_get(res, 0, 0));
	return MP_OK;
}

/*
 * Claim up to limit ready jobs of queue for the worker named in ctx.
 * *jobs is an arena array of *n jobs, best first, with their payloads
 * parsed.  A payload that does not parse leaves payload NULL (the worker
 * fails the job permanently).
 */
enum mp_err
mp_queue_claim(struct mp_db *db, struct mp_arena *a,
    const struct mp_config *cfg, struct mp_job_thread *thr, const char *queue,
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
	p[2] = thr->worker;
	p[3] = mp_printf(a, "%d", cfg->job_lease);
	if ((rc = mp_db_exec(db, a, &stmts[Q_CLAIM], 4, p, &res)) != MP_OK)
		return rc;
	rows = mp_res_rows(res);
	if (rows == 0)
		return MP_OK;
	*jobs = j = mp_calloc(a, (size_t)rows, sizeof(*j));
	for (i = 0; i < rows; i++, j++) {
		j->ctx.db = db;
		j->ctx.a = a;
		j->ctx.cfg = cfg;
		j->ctx.tpl = thr->tpl;
		j->ctx.tenant = &j->tenant;
		j->thr = thr;
		j->tenant.id = mp_res_int(res, i, 0);
		j->tenant.id_text = mp_strdup(a, mp_res_get(res, i, 0));
		j->id = mp_res_int(res, i, 1);
		snprintf(j->id_text, sizeof(j->id_text), "%lld",
		    (long long)j->id);
		j->ctx.reqid = mp_printf(a, "job-%s", j->id_text);
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
	    mp_job_backoff(j->ctx.cfg, j->kind, j->attempt);
	p[0] = j->tenant.id_text;
	p[1] = j->id_text;
	p[2] = mp_printf(a, "%d", j->attempt);
	p[3] = j->thr->worker;
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
			p[0] = j->tenant.id_text;
			p[1] = j->id_text;
			p[2] = mp_printf(a, "%d", j->attempt);
			p[3] = j->thr->worker;
			p[4] = mp_printf(a, "%d", k->every);
			if (mp_db_exec(db, a, &stmts[Q_RESCHEDULE], 5, p,
			    NULL) != MP_OK)
				rc = MP_EDB;
		} else if (j->done == 1) {
			mp_buf_printf(&t, "%s%s", ndone ? "," : "",
			    j->tenant.id_text);
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
		p[3] = jobs[0].thr->worker;
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
	const struct mp_feature	*const *f;
	const struct mp_job_kind *k;
	const char		*p[3];
	struct mp_res		*res;
	size_t			 i;
	int			 n = 0;

	for (f = mp_features; *f != NULL; f++)
		for (i = 0; i < (*f)->njobs; i++) {
			k = &(*f)->jobs[i];
			if (k->every <= 0)
				continue;
			p[0] = k->kind;
			p[1] = k->queue;
			p[2] = "60";
			if (mp_db_exec(db, a, &stmts[Q_ENSURE], 3, p, &res) !=
			    MP_OK)
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
static enum mp_err
mp_queue_job_noop(struct mp_job *j)
{
	(void)j;
	return MP_OK;
}

/* queue.retention: delete old job rows in batches of 10,000. */
static enum mp_err
mp_queue_job_retention(struct mp_job *j)
{
	const char	*p[1] = { "10000" };
	struct mp_res	*res;
	int64_t		 n, total = 0;

	do {
		if (mp_db_exec(j->ctx.db, j->ctx.a, &stmts[Q_RETENTION], 1, p, &res) !=
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
static enum mp_err
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
	mp_json_own(r->ctx.a, o);
	jobs = json_object_new_object();
	bystate = json_object_new_object();
	bykind = json_object_new_object();
	json_object_object_add(o, "tenant", json_object_new_string(
	    r->ctx.tenant->slug));
	json_object_object_add(o, "jobs", jobs);
	json_object_object_add(jobs, "by_state", bystate);
	json_object_object_add(jobs, "by_kind", bykind);
	if ((rc = mp_q(&r->ctx, &stmts[Q_ST_STATE], 0, NULL, &res)) != MP_OK)
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
	if ((rc = mp_q(&r->ctx, &stmts[Q_ST_AGE], 0, NULL, &res)) != MP_OK)
		return rc;
	json_put_int(jobs, "oldest_queued_seconds", mp_res_int(res, 0, 0));
	if ((rc = mp_q(&r->ctx, &stmts[Q_ST_RATE], 0, NULL, &res)) != MP_OK)
		return rc;
	json_put_int(jobs, "completed_last_minute", mp_res_int(res, 0, 0));
	json_put_int(jobs, "completed_last_hour", mp_res_int(res, 0, 1));
	json_put_int(jobs, "discarded_24h", mp_res_int(res, 0, 2));
	notes = json_object_new_object();
	nstate = json_object_new_object();
	json_object_object_add(o, "notifications", notes);
	json_object_object_add(notes, "by_state", nstate);
	if ((rc = mp_q(&r->ctx, &stmts[Q_ST_NOTE], 0, NULL, &res)) != MP_OK)
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
	if ((rc = mp_q(&r->ctx, &stmts[Q_ST_PAUSE], 0, NULL, &res)) != MP_OK)
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

static const struct mp_route routes[] = {
	{ MP_GET,	"/api/admin/queue/stats", mp_queue_stats,
	    MP_R_JSON | MP_R_STAFF, NULL },
};

/* kind, queue, handler, deadline handler, schedule, retry policy, thread-safe */
static const struct mp_job_kind jobs[] = {
	{ "queue.noop", "bulk", mp_queue_job_noop, NULL, 0,
	    MP_BACKOFF_DEFAULT, 1 },
	{ "queue.retention", "bulk", mp_queue_job_retention, NULL, 3600,
	    MP_BACKOFF_DEFAULT, 1 },
};

static const struct mp_stmt_table *const tables[] = { &mp_queue_st, NULL };

static const struct mp_confkey conf_keys[] = {
	MP_CONF_I(mp_queue_conf, email_retry_base, 1, 86400, "30"),
	MP_CONF_I(mp_queue_conf, email_retry_cap, 1, 604800, "14400"),
	MP_CONF_I(mp_queue_conf, email_max_attempts, 1, 100, "12"),
	MP_CONF_I(mp_queue_conf, sms_retry_base, 1, 86400, "30"),
	MP_CONF_I(mp_queue_conf, sms_retry_cap, 1, 604800, "1800"),
	MP_CONF_I(mp_queue_conf, sms_max_attempts, 1, 100, "8"),
};

const struct mp_confsec mp_queue_confsec = {
	"queue", conf_keys, MP_NELEM(conf_keys), sizeof(struct mp_queue_conf)
};

const struct mp_feature mp_feature_queue = {
	.name = "queue",
	.routes = routes,
	.nroutes = MP_NELEM(routes),
	.jobs = jobs,
	.njobs = MP_NELEM(jobs),
	.stmts = tables,
	.conf = &mp_queue_confsec,
};
