/* Features: the route table, the statement table, the job table and their handlers. */
#ifndef MP_FEATURES_EXTERN_H
#define MP_FEATURES_EXTERN_H

#include "web/extern.h"

/*
 * Every SQL statement the programs run, by name.  The table in stmts.c
 * holds the text; a _Static_assert keeps both the same length.
 */
enum mp_stmt_id {
	ST_PING,
	ST_TENANT_BY_HOST,
	ST_SET_TENANT,
	ST_MIGRATIONS,
	ST_BRANDING,
	ST__MAX
};

extern const struct mp_stmt	 mp_stmts[];
extern const struct mp_route	 mp_routes[];
extern const size_t		 mp_nroutes;

/* home.c */
enum mp_err	 mp_home(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_healthz(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_healthz_live(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_test_sleep(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_brand_css(struct mp_req *, struct mp_resp *);

/*
 * queue.c: the job queue (reference: queue.md; docs/api-queue.md).
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

/* Enqueue in the caller's transaction (the request's); one pg_notify per transaction. */
enum mp_err	 mp_job_enqueue(struct mp_req *, const struct mp_job_spec *,
		    char **job_id);
enum mp_err	 mp_job_enqueue_db(struct mp_db *, struct mp_arena *,
		    int64_t tenant_id, const struct mp_job_spec *, char **job_id);

/* Per worker thread: what handlers may reuse from job to job. */
struct mp_job_ctx {
	void		*smtp;		/* CURL *, one per relay (mail.c) */
	void		*http;		/* CURL *, the SMS provider (sms.c) */
	char		 worker[128];	/* locked_by: host:pid:nonce */
};

/*
 * A claimed job as its handler sees it.  mp_job_tx() opens a transaction
 * bound to the job's tenant (row-level security applies); the worker
 * commits it after an MP_OK and rolls it back after an error.  A handler
 * that must record something before an outside effect (attempt started,
 * then SMTP) commits with mp_job_commit() and continues.
 */
struct mp_job {
	struct mp_db		*db;
	struct mp_arena		*a;
	const struct mp_config	*cfg;
	struct mp_job_ctx	*ctx;
	int64_t			 tenant_id;
	char			 tenant_text[24];
	int64_t			 id;
	char			 id_text[24];
	const char		*kind;
	int			 priority;
	int			 attempt;	/* this one, from 1 */
	int			 max_attempts;
	int			 expired;	/* deadline passed */
	struct json_object	*payload;
	int			 in_tx;
	/* set by the handler when it returns an error */
	int			 permanent;	/* discard, no retry */
	int			 no_spend;	/* re-queue, attempt given back */
	double			 retry_in;	/* seconds; 0: the kind's backoff */
	const char		*error;		/* for the job's errors list */
	/* set by the worker */
	int			 done;		/* 1 ok, -1 failed */
};

enum mp_err	 mp_job_tx(struct mp_job *);
enum mp_err	 mp_job_commit(struct mp_job *);
enum mp_err	 mp_job_q(struct mp_job *, const struct mp_stmt *, int n,
		    const char *const *p, struct mp_res **);
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

/* jobs.c: the job table, every kind the worker runs. */
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

extern const struct mp_job_kind	 mp_job_kinds[];
extern const size_t		 mp_njob_kinds;
const struct mp_job_kind	*mp_job_kind_find(const char *);

/* queue.c: what the worker and mpanelctl use. */
void		 mp_queue_init(const struct mp_config *);
enum mp_err	 mp_queue_claim(struct mp_db *, struct mp_arena *,
		    const struct mp_config *, struct mp_job_ctx *,
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
int		 mp_queue_ctl(const struct mp_config *, struct pg_conn *,
		    int argc, char *argv[]);
enum mp_err	 mp_queue_job_retention(struct mp_job *);
enum mp_err	 mp_queue_job_noop(struct mp_job *);
enum mp_err	 mp_queue_stats(struct mp_req *, struct mp_resp *);

/*
 * notify.c: mail from the portal.  mp_mail_queue renders the template
 * now (in the request), records the notification and enqueues
 * email.send, all in the request's transaction.
 */
struct mp_mail {
	const char	*to;		/* address, validated by the caller */
	const char	*to_name;	/* may be NULL */
	const char	*subject;
	const char	*tpl;		/* "account/reset": templates/mail/account/reset.html.cs and optional .txt.cs */
	struct _hdf	*data;		/* values for the template (Tenant.* is added for you) */
	const char	*category;	/* "transactional" (never suppressed by preferences) or a preference category, e.g. "status", "marketing", "surveys" */
	int		 priority;	/* 1..10 */
	const char	*idem_key;	/* NULL or unique per tenant */
	int64_t		 user_id;	/* 0 when not a user of the tenant */
	const char	*run_at;	/* NULL: now */
};

/* Render now (in the request), record the notification, enqueue email.send; all in the request's transaction. */
enum mp_err	 mp_mail_queue(struct mp_req *, const struct mp_mail *,
		    char **notification_id);

/* The fuller form (seeds' queueEmail): ready HTML, attachments, deadline. */
struct mp_mail_attachment {
	const char	*filename;
	const char	*ctype;
	const void	*data;
	size_t		 len;
};

struct mp_mail_raw {
	const char			*to;
	const char			*to_name;
	const char			*from;		/* NULL: the tenant's sender */
	const char			*from_name;
	const char			*subject;
	const char			*html;
	const char			*text;		/* NULL: made from html */
	const char			*department;
	const char			*tpl;		/* for the record only */
	const char			*category;
	int				 priority;
	const char			*idem_key;
	int64_t				 user_id;
	const char			*run_at;
	const char			*deadline;
	const struct mp_mail_attachment	*att;
	int				 natt;
};

enum mp_err	 mp_mail_queue_raw(struct mp_req *, const struct mp_mail_raw *,
		    char **notification_id);
/* Append an event to a notification's timeline (any transaction bound to its tenant). */
enum mp_err	 mp_notify_event(struct mp_db *, struct mp_arena *,
		    const char *tenant, const char *nid, const char *kind,
		    const char *detail, const char *data_json);
/* Signed tokens for tracking and unsubscribe links (HMAC-SHA256, key id). */
char		*mp_notify_token(struct mp_arena *, struct mp_db *, char type,
		    int64_t tenant_id, const char *public_id, int link);
enum mp_err	 mp_track_open(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_track_click(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_unsub_show(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_unsub_post(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_notify_list(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_notify_show(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_notify_retry(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_notify_test_mail(struct mp_req *, struct mp_resp *);

/* mail.c: RFC 5322 assembly and SMTP over libcurl; the email.send job. */
enum mp_err	 mp_mail_job_send(struct mp_job *);
enum mp_err	 mp_mail_job_expire(struct mp_job *);
char		*mp_mail_html_to_text(struct mp_arena *, const char *html);
char		*mp_base64(struct mp_arena *, const void *, size_t);

/* sms.c: Twilio-compatible client; the sms.send job and status callbacks. */
struct mp_sms {
	const char	*to;		/* E.164, checked here */
	const char	*body;
	const char	*category;
	int		 priority;
	const char	*idem_key;
	int64_t		 user_id;
	const char	*deadline;
};

enum mp_err	 mp_sms_queue(struct mp_req *, const struct mp_sms *,
		    char **notification_id);
int		 mp_e164_valid(const char *);
enum mp_err	 mp_sms_job_send(struct mp_job *);
enum mp_err	 mp_sms_job_expire(struct mp_job *);
enum mp_err	 mp_sms_status(struct mp_req *, struct mp_resp *);

/* accounts.c: sign in and out, passwords, API tokens, "this wasn't me". */
enum mp_err	 mp_login_form(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_login(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_logout(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_forgot_form(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_forgot(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_reset_form(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_reset(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_account(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_account_password(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_token_create(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_token_revoke(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_not_me_form(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_not_me(struct mp_req *, struct mp_resp *);

/* sessions.c: the session list, admin views, cleanup. */
enum mp_err	 mp_sessions_page(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_session_end(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_sessions_end_others(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_api_sessions(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_api_session_end(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_api_sessions_end_all(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_api_session_stats(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_admin_users(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_admin_end_sessions(struct mp_req *, struct mp_resp *);
long		 mp_sessions_cleanup(struct mp_db *, struct mp_arena *);
enum mp_err	 mp_sessions_job_cleanup(struct mp_job *);

/* status*.c: the public status page, its JSON, feeds, staff side, jobs. */
extern const struct mp_field	 mp_status_history_fields[];
extern const struct mp_field	 mp_status_sub_fields[];
extern const struct mp_field	 mp_status_incident_fields[];
extern const struct mp_field	 mp_status_update_fields[];
extern const struct mp_field	 mp_status_pm_fields[];
extern const struct mp_field	 mp_status_maint_fields[];
extern const struct mp_field	 mp_status_comp_fields[];
extern const struct mp_field	 mp_status_tpl_fields[];
enum mp_err	 mp_status_page(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_incident(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_history(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_fallback(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_json_status(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_json_summary(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_json_components(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_json_incidents(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_json_unresolved(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_json_maint(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_json_upcoming(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_json_active(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_marketing(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_atom(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_rss(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_ics(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_badge(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_sub_form(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_subscribe(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_confirm_form(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_confirm(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_unsub_form(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_unsub(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_admin(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_incident_create(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_update_create(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_postmortem(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_maint_create(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_comp_create(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_comp_update(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_tpl_list(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_tpl_create(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_job_tick(struct mp_job *);

/* kb.c, kb_seo.c, kb_admin.c: the help center (docs/api-kb.md). */
extern const struct mp_field	 mp_kb_search_fields[];
extern const struct mp_field	 mp_kb_article_fields[];
extern const struct mp_field	 mp_kb_vote_fields[];
extern const struct mp_field	 mp_kb_page_fields[];
extern const struct mp_field	 mp_kb_api_list_fields[];
extern const struct mp_field	 mp_kb_admin_list_fields[];
extern const struct mp_field	 mp_kb_admin_save_fields[];
enum mp_err	 mp_kb_index(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_search_page(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_article_page(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_vote_form(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_category_page(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_tag_page(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_api_articles(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_api_article(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_api_vote(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_api_popular(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_api_tag(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_api_suggest(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_sitemap(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_robots(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_atom(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_admin_list(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_admin_new(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_admin_edit(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_admin_create(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_admin_update(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_admin_revisions(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_admin_restore(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_admin_report(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_api_admin_list(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_api_admin_create(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_api_admin_update(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_api_admin_stats(struct mp_req *, struct mp_resp *);
/* kb_categories.c */
extern const struct mp_field	 mp_kb_category_fields[];
extern const struct mp_field	 mp_kb_category_list_fields[];
enum mp_err	 mp_kb_admin_categories(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_admin_category_create(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_admin_category(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_admin_category_update(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_admin_category_delete(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_api_categories(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_api_category_create(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_api_category_update(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_kb_api_category_delete(struct mp_req *, struct mp_resp *);
/* mpanelctl kb-render: render stored markdown (all, or only what changed). */
enum mp_err	 mp_kb_render_pending(struct mp_db *, struct mp_arena *,
		    int all, int *count);
/*
 * kb_counts.c: write the views, searches and clicks this responder holds
 * once they are due (kb_count_flush), or now when force is set; between
 * requests, never inside one (it runs its own transactions; a uses and
 * resets).  Returns the milliseconds until the next are due, -1 when
 * nothing is held.
 */
int		 mp_kb_counts_flush(struct mp_app *, struct mp_arena *a,
		    int force);
/* kb_store.c: the kb.related job (payload {"article": id}). */
enum mp_err	 mp_kb_job_related(struct mp_job *);
/* kb_counts.c: the daily kb.retention job. */
enum mp_err	 mp_kb_job_retention(struct mp_job *);

#endif
