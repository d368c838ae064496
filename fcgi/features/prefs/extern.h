/* The preferences feature's own interface, shared by the files of fcgi/features/prefs only. */
#ifndef MP_FEATURES_PREFS_EXTERN_H
#define MP_FEATURES_PREFS_EXTERN_H

#include "features/notify/notify.h"
#include "features/prefs/prefs.h"
#include "features/queue/queue.h"

#define PREFS_NCAT	5

/* Settings (prefs.c has the keys, defaults and ranges). */
struct mp_prefs_conf {
	int	 phone_code_ttl;		/* seconds a code is valid */
	int	 phone_max_tries;	/* wrong codes before it is void */
	int	 phone_resend_s;		/* seconds between codes */
	int	 phone_daily_per_number;
	int	 phone_daily_per_ip;
	int	 phone_daily_per_country;
	int	 newsletter_per_ip_hour;
	int	 unsubscribe_per_ip_hour;
	int	 stats_days;
};

extern const struct mp_confsec	 mp_prefs_confsec;
#define mp_prefs_conf(cfg) ((const struct mp_prefs_conf *) \
	mp_config_sec((cfg), &mp_prefs_confsec))

/* One preference category as the pages and JSON describe it. */
struct prefs_cat {
	const char	*key;
	const char	*label;
	const char	*desc;
	int		 locked;	/* security: always on */
};

extern const struct prefs_cat	 mp_prefs_cats[PREFS_NCAT];
extern const char *const	 mp_prefs_freqs[];

/* One user's row of the matrix. */
struct prefs_row {
	int		 email, sms, push, in_app;
	const char	*frequency;
};

/* A user's whole matrix and phone. */
struct prefs_user {
	int64_t		 user_id;
	const char	*email;
	struct prefs_row row[PREFS_NCAT];
	const char	*phone;		/* NULL: none */
	int		 verified;
};

/* matrix.c */
int		 mp_prefs_cat_index(const char *);
enum mp_err	 mp_prefs_load(struct mp_ctx *, int64_t user_id,
		    const char *email, struct prefs_user *);
enum mp_err	 mp_prefs_save(struct mp_ctx *, const struct prefs_user *old,
		    const struct prefs_user *want, const char *source);
enum mp_err	 mp_prefs_form(struct mp_req *, const struct prefs_user *old,
		    struct prefs_user *want);
void		 mp_prefs_hdf(struct mp_ctx *, struct _hdf *,
		    const struct prefs_user *);
enum mp_err	 mp_prefs_subjects(struct mp_ctx *, struct _hdf *,
		    const char *email);
struct json_object *mp_prefs_json(const struct prefs_user *);
enum mp_err	 mp_prefs_account(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_prefs_account_save(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_prefs_api_get(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_prefs_api_put(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_prefs_api_stats(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_prefs_staff_optouts(struct mp_req *, struct mp_resp *);

/* unsub.c: opt-outs with their evidence, and the /u/ pages. */
enum mp_err	 mp_prefs_optout(struct mp_ctx *, const char *channel,
		    const char *address, const char *category,
		    const char *source, const char *message_id);
enum mp_err	 mp_prefs_optin(struct mp_ctx *, const char *channel,
		    const char *address, const char *category,
		    const char *source);
char		*mp_prefs_mask(struct mp_arena *, const char *addr);
enum mp_err	 mp_prefs_unsub_show(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_prefs_unsub_post(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_prefs_unsub_save(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_prefs_api_unsub(struct mp_req *, struct mp_resp *);
extern const struct mp_field	 mp_prefs_api_unsub_fields[];

/* phone.c: verification codes by SMS, and STOP. */
enum mp_err	 mp_prefs_phone_send(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_prefs_phone_confirm(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_prefs_sms_inbound(struct mp_req *, struct mp_resp *);
extern const struct mp_field	 mp_prefs_phone_fields[];
extern const struct mp_field	 mp_prefs_code_fields[];
const char	*mp_prefs_country_code(struct mp_arena *, const char *e164);

/* digest.c: the prefs.digest job. */
enum mp_err	 mp_prefs_job_digest(struct mp_job *);

/* news.c: the newsletter. */
enum mp_err	 mp_news_subscribe(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_news_confirm_form(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_news_confirm(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_news_unsubscribe(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_news_staff(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_news_csv(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_news_issue_create(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_news_issue_show(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_news_issue_test(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_news_issue_send(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_news_job_send(struct mp_job *);
extern const struct mp_field	 mp_news_sub_fields[];
extern const struct mp_field	 mp_news_unsub_fields[];
extern const struct mp_field	 mp_news_issue_fields[];
/* A per-IP limit of bucket: MP_OK (counted) or 429 with Retry-After set. */
enum mp_err	 mp_prefs_rate(struct mp_req *, struct mp_resp *,
		    const char *bucket, int per_hour);

extern const struct mp_stmt_table mp_prefs_matrix_st, mp_prefs_unsub_st,
		    mp_prefs_phone_st, mp_prefs_digest_st, mp_prefs_news_st;

#endif
