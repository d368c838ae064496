/* Features as modules: what each feature exports, and the one list of them. */
#ifndef MP_FEATURES_FEATURE_H
#define MP_FEATURES_FEATURE_H

#include <stdio.h>

#include "web/extern.h"

struct json_object;

/* Per worker thread: what handlers may reuse from job to job. */
struct mp_job_thread {
	void			*smtp;		/* CURL *, one per relay (mail.c) */
	void			*http;		/* CURL *, the SMS provider (sms.c) */
	struct mp_templates	*tpl;		/* the worker's, for mail */
	char			 worker[128];	/* locked_by: host:pid:nonce */
};

/*
 * A claimed job as its handler sees it.  Its context is bound to the
 * job's tenant: the first mp_q opens a transaction for it (row-level
 * security applies); the worker commits it after an MP_OK and rolls it
 * back after an error.  A handler that must record something before an
 * outside effect (attempt started, then SMTP) commits with mp_tx_commit
 * and goes on; its next mp_q opens a new transaction.
 */
struct mp_job {
	struct mp_ctx		 ctx;
	struct mp_tenant	 tenant;	/* id only until mp_tenant_fill */
	struct mp_job_thread	*thr;
	int64_t			 id;
	char			 id_text[24];
	const char		*kind;
	int			 priority;
	int			 attempt;	/* this one, from 1 */
	int			 max_attempts;
	int			 expired;	/* deadline passed */
	struct json_object	*payload;
	/* set by the handler when it returns an error */
	int			 permanent;	/* discard, no retry */
	int			 no_spend;	/* re-queue, attempt given back */
	double			 retry_in;	/* seconds; 0: the kind's backoff */
	const char		*error;		/* for the job's errors list */
	/* set by the worker */
	int			 done;		/* 1 ok, -1 failed */
};

/* Delay before retry after failed attempt n, with jitter (seconds). */
double		 mp_job_backoff(const struct mp_config *, const char *kind,
		    int attempt);

/* Retry policies a kind can have (config keys in docs/operations.md). */
enum mp_backoff {
	MP_BACKOFF_DEFAULT,	/* 30 s .. 1 h */
	MP_BACKOFF_EMAIL,	/* email_retry_base .. email_retry_cap */
	MP_BACKOFF_SMS,		/* sms_retry_base .. sms_retry_cap */
	MP_BACKOFF_CODE,	/* one-time codes: 5 s .. 60 s */
	MP_BACKOFF__MAX
};

/* One kind of background job, as a feature declares it. */
struct mp_job_kind {
	const char	*kind;
	const char	*queue;		/* "tx" or "bulk": for scheduled jobs */
	enum mp_err	(*run)(struct mp_job *);
	/* Called instead of run when the deadline passed; NULL: discard. */
	enum mp_err	(*expire)(struct mp_job *);
	int		 every;		/* > 0: one job per tenant, every N s */
	enum mp_backoff	 backoff;
	/*
	 * 1: the handler may run beside other jobs in the worker's threads.
	 * 0 (the default): the worker runs jobs of this kind one at a time.
	 */
	int		 threadsafe;
};

/*
 * The audit log's name for what a request with an unsafe method to one
 * of the feature's routes does ("USER_LOGIN"); routes without one get a
 * name derived from their pattern (mp_route_action).
 */
struct mp_action {
	unsigned	 method;
	const char	*pattern;	/* exactly as in the route table */
	const char	*action;	/* [A-Z][A-Z0-9_]{1,63} */
};

/*
 * One feature (nginx's module table is the model): its routes, job
 * kinds, statements and hooks.  A feature lives in
 * fcgi/features/<name>/ and exports nothing else to the programs; the
 * list in features.c names every feature, and the three programs walk it.
 */
struct mp_feature {
	const char			*name;
	const struct mp_route		*routes;	/* in match order */
	size_t				 nroutes;
	const struct mp_job_kind	*jobs;
	size_t				 njobs;
	/* every statement table of the feature, NULL-terminated */
	const struct mp_stmt_table	*const *stmts;
	int				 test_only;	/* routed only with test_routes = 1 */
	const struct mp_confsec		*conf;		/* its settings, or NULL */
	const struct mp_action		*actions;	/* names of its actions */
	size_t				 nactions;
	/*
	 * Hooks, each may be NULL.  start: in each responder after fork(),
	 * 0 to run (else the responder exits with that code).  after: once
	 * a response has gone out and when the wait for the next request
	 * times out; returns the milliseconds until it wants to run again,
	 * -1 for "after the next request".  fallback: answers MP_R_FALLBACK
	 * routes of this feature while the database is unreachable; MP_OK
	 * if it filled the response.  exit: the responder is stopping.
	 */
	int				(*start)(struct mp_ctx *);
	int				(*after)(struct mp_ctx *);
	mp_handler			 fallback;
	void				(*exit)(struct mp_ctx *);
	/*
	 * record: every request with an unsafe method, as struct mp_app's
	 * record hook describes (the audit feature's); may be NULL.
	 */
	enum mp_err			(*record)(struct mp_req *,
					    struct mp_resp *, enum mp_err rc,
					    int in_tx);
	/*
	 * layout: fills what the layout shows on every page of a tenant
	 * (the brand), just before a page renders; may run a statement,
	 * and its error (the database failed) fails the page.
	 */
	enum mp_err			(*layout)(struct mp_req *,
					    struct _hdf *);
	/*
	 * send: the response is final (status, headers, body) and is about
	 * to go out; the request's transaction, if any, has ended.  May
	 * add headers (the page cache marks what nginx may keep).
	 */
	void				(*send)(struct mp_req *,
					    struct mp_resp *);
};

/* features.c: the list, and the merged tables the programs use. */
extern const struct mp_feature *const	 mp_features[];

/*
 * Register every feature's settings with the configuration loader; each
 * program calls it once before mp_config_load().
 */
void				 mp_features_config(void);

/*
 * The routes of every feature in one table, in list order (built once,
 * process memory), and the feature each came from.
 */
const struct mp_route		*mp_routes_all(const struct mp_config *,
				    size_t *n);
const struct mp_feature		*mp_route_feature(const struct mp_route *);
const struct mp_job_kind	*mp_job_kind_find(const char *);
/* The fallback of the feature that owns r's route, or NULL. */
mp_handler			 mp_feature_fallback(const struct mp_route *);
/*
 * The action a request with unsafe method m to route rt (of the merged
 * table) records: its feature's name for it, else the derived one.
 */
const char			*mp_features_action(struct mp_arena *,
				    const struct mp_route *rt, unsigned m);
/* Every feature's record hook in turn (the first error stops the walk). */
enum mp_err			 mp_features_record(struct mp_req *,
				    struct mp_resp *, enum mp_err rc, int in_tx);
/* Walk every feature's start/after/exit hook (after: the soonest wish). */
int				 mp_features_start(struct mp_ctx *);
int				 mp_features_after(struct mp_ctx *);
void				 mp_features_exit(struct mp_ctx *);
/* Every feature's send hook, in list order (mp_app.send). */
void				 mp_features_send(struct mp_req *,
				    struct mp_resp *);
/* Every feature's layout hook, in list order (mp_app.layout). */
enum mp_err			 mp_features_layout(struct mp_req *,
				    struct _hdf *);
/*
 * Print the merged route table (method, pattern, auth, CSRF, feature)
 * and job table, as mpanel-fcgi -T does.  Returns the number of
 * problems found (duplicate statement names, routes shadowed by an
 * earlier route); they are printed too.
 */
int				 mp_features_print(FILE *);
int				 mp_features_check(FILE *);
/*
 * The routes of table[0..n) that a path of their own does not reach
 * (an earlier route with a common method matches it first), printed to
 * fp; returns how many.
 */
int				 mp_routes_shadowed(const struct mp_route *,
				    size_t n, FILE *);
/* Call fn for every statement the programs run (core, web, features). */
void				 mp_stmts_walk(void (*fn)(const struct mp_stmt *,
				    const char *owner, void *), void *arg);

#endif
