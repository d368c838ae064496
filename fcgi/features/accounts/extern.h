/* Accounts and sessions: the feature's own interface, shared by the files of fcgi/features/accounts only. */
#ifndef MP_FEATURES_ACCOUNTS_EXTERN_H
#define MP_FEATURES_ACCOUNTS_EXTERN_H

#include "features/accounts/accounts.h"
#include "features/notify/notify.h"
#include "features/queue/queue.h"

/* signin.c: sign in and out, passwords, API tokens, "this wasn't me". */
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
enum mp_err	 mp_accounts_job_reset_mail(struct mp_job *);

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
enum mp_err	 mp_sessions_job_cleanup(struct mp_job *);

extern const struct mp_stmt_table mp_accounts_st, mp_sessions_st;

/* Sign-in settings (accounts.c has the keys, defaults and ranges). */
struct mp_accounts_conf {
	int	 session_idle_staff;		/* seconds */
	int	 session_absolute_staff;
	int	 session_idle_customer;
	int	 session_absolute_customer;
	int	 login_max_failures;		/* per account and per IP ... */
	int	 login_window;			/* ... in this many seconds */
	int	 reset_mails_per_hour;		/* reset links one account gets */
};

extern const struct mp_confsec	 mp_accounts_confsec;
#define mp_accounts_conf(cfg) ((const struct mp_accounts_conf *) \
	mp_config_sec((cfg), &mp_accounts_confsec))

#endif
