/* The notification feature's own interface, shared by the files of fcgi/features/notify only. */
#ifndef MP_FEATURES_NOTIFY_EXTERN_H
#define MP_FEATURES_NOTIFY_EXTERN_H

#include "features/notify/notify.h"
#include "features/queue/queue.h"

#define MAIL_MAX_HTML	(1024 * 1024)	/* rendered HTML of one message */
#define MAIL_MAX_LINKS	200
#define TOKEN_MACLEN	16
#define TOKEN_PIDMAX	32


enum nst {
	N_INSERT,
	N_EXISTING,
	N_QUEUED,
	N_SENDER,
	N_BRANDING,
	N_KEYS,
	N_BY_PID,
	N_EVENT,
	N_OPEN,
	N_CLICK,
	N_LIST,
	N_SHOW,
	N_TIMELINE,
	N_RETRY,
	N__MAX
};


/* Delivery settings (notify.c has the keys, defaults and checks). */
struct mp_notify_conf {
	char	*smtp_url;		/* smtp:// or smtps://, "" to hold mail */
	char	*smtp_from;
	char	*smtp_user;
	char	*smtp_password;
	int	 smtp_starttls;		/* 1: STARTTLS required */
	char	*smtp_ca_file;		/* CA bundle for the relay; "": system */
	int	 smtp_timeout;		/* seconds per message */
	char	*sms_base_url;
	char	*sms_account_sid;
	char	*sms_auth_token;
	char	*sms_from;
	int	 sender_pause;		/* seconds after an auth/TLS failure */
};

extern const struct mp_confsec	 mp_notify_confsec;
#define mp_notify_conf(cfg) ((const struct mp_notify_conf *) \
	mp_config_sec((cfg), &mp_notify_confsec))

/* records.c: the statements every file of the feature runs. */
extern const struct mp_stmt	 mp_notify_stmts[];
extern const struct mp_stmt_table mp_notify_store_st;
extern const struct mp_stmt_table mp_notify_mail_st;
extern const struct mp_stmt_table mp_notify_sms_st;
/*
 * Check a signed link token of type for the context's tenant.  On
 * success copies the public id into pid (NUL-terminated, at least
 * TOKEN_PIDMAX + 1 bytes) and sets *link; returns 0, else -1.
 */
int		 mp_notify_token_check(struct mp_ctx *, const char *tok,
		    char type, char *pid, int *link);
/* Signed tokens for tracking and unsubscribe links (HMAC-SHA256, key id). */
char		*mp_notify_token(struct mp_arena *, struct mp_db *, char type,
		    int64_t tenant_id, const char *public_id, int link);

/* track.c: the open pixel and tracked links reached from mail */
enum mp_err	 mp_track_open(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_track_click(struct mp_req *, struct mp_resp *);
/* staff.c */
enum mp_err	 mp_notify_list(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_notify_show(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_notify_retry(struct mp_req *, struct mp_resp *);
/* mail.c: RFC 5322 assembly and SMTP over libcurl; the email.send job. */
enum mp_err	 mp_mail_job_send(struct mp_job *);
enum mp_err	 mp_mail_job_expire(struct mp_job *);
/* sms.c: the sms.send job and the provider's status callbacks. */
enum mp_err	 mp_sms_job_send(struct mp_job *);
enum mp_err	 mp_sms_job_expire(struct mp_job *);
enum mp_err	 mp_sms_status(struct mp_req *, struct mp_resp *);

#endif
