/* The job queue's interface: enqueue for every feature; claim, finish and the rest for the worker and mpanelctl. */
#ifndef MP_FEATURES_QUEUE_H
#define MP_FEATURES_QUEUE_H

#include "features/feature.h"

/*
 * the job queue (reference: queue.md; docs/api-queue.md).
 * Enqueue inside the caller's transaction, so a job exists exactly when
 * the rows that asked for it do.
 */
struct mp_job_spec {
	const char		*kind;		/* "email.send", ... */
	const char		*queue;		/* "tx" or "bulk" */
	int			 priority;	/* 1 (first) .. 10 */
	const char		*run_at;	/* timestamptz text or NULL for now */
	const char		*idem_key;	/* NULL or a key unique per (tenant, kind) */
	const char		*deadline;	/* timestamptz text or NULL */
	struct json_object	*payload;	/* borrowed */
};

/*
 * Enqueue for the context's tenant in its transaction (a request's, a
 * job's, or one opened for it); one pg_notify per transaction.
 */
enum mp_err	 mp_job_enqueue(struct mp_ctx *, const struct mp_job_spec *,
		    char **job_id);

/* What the worker and mpanelctl use. */
enum mp_err	 mp_queue_claim(struct mp_db *, struct mp_arena *,
		    const struct mp_config *, struct mp_job_thread *,
		    const char *queue, int limit, struct mp_job **, int *n);
enum mp_err	 mp_queue_finish(struct mp_db *, struct mp_arena *,
		    struct mp_job *, int n);
enum mp_err	 mp_queue_heartbeat(struct mp_db *, struct mp_arena *,
		    const char *worker, int lease);
int		 mp_queue_release(struct mp_db *, struct mp_arena *,
		    const char *worker, int spent, const char *why);
int		 mp_queue_rescue(struct mp_db *, struct mp_arena *);
int		 mp_queue_rescue_dead(struct mp_db *, struct mp_arena *,
		    const char *host);
int		 mp_queue_ensure_schedules(struct mp_db *, struct mp_arena *);
int		 mp_queue_next_ms(struct mp_db *, struct mp_arena *);

/* Retry policies (queue.c has the keys, defaults and ranges). */
struct mp_queue_conf {
	int	 email_retry_base;	/* seconds */
	int	 email_retry_cap;
	int	 email_max_attempts;
	int	 sms_retry_base;
	int	 sms_retry_cap;
	int	 sms_max_attempts;
};

extern const struct mp_confsec	 mp_queue_confsec;
#define mp_queue_conf(cfg) ((const struct mp_queue_conf *) \
	mp_config_sec((cfg), &mp_queue_confsec))

extern const struct mp_feature	 mp_feature_queue;

#endif
