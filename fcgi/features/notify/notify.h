/* Notifications' interface for other features: queue mail and SMS, add to a message's timeline. */
#ifndef MP_FEATURES_NOTIFY_H
#define MP_FEATURES_NOTIFY_H

#include "features/feature.h"

/*
 * Mail from the portal.  mp_mail_queue renders the template now (in the
 * unit of work), records the notification and enqueues email.send, all
 * in its transaction: a mail exists exactly when what asked for it does.
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
enum mp_err	 mp_mail_queue(struct mp_ctx *, const struct mp_mail *,
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
	const char			*public_id;	/* NULL: minted here */
	const char			*unsub_url;	/* NULL: minted here (non-transactional) */
};

enum mp_err	 mp_mail_queue_raw(struct mp_ctx *, const struct mp_mail_raw *,
		    char **notification_id);
/* Append an event to a notification's timeline (any transaction bound to its tenant). */
enum mp_err	 mp_notify_event(struct mp_ctx *, const char *nid,
		    const char *kind, const char *detail, const char *data_json);

/* Plain text from mail HTML: links kept as "text (url)", entities decoded. */
char		*mp_mail_html_to_text(struct mp_arena *, const char *html);

/* SMS: recorded and sent by the worker through the provider's HTTP API. */
struct mp_sms {
	const char	*to;		/* E.164, checked here */
	const char	*body;
	const char	*category;
	int		 priority;
	const char	*idem_key;
	int64_t		 user_id;
	const char	*deadline;
};

enum mp_err	 mp_sms_queue(struct mp_ctx *, const struct mp_sms *,
		    char **notification_id);
int		 mp_e164_valid(const char *);

/*
 * The one unsubscribe link (/u/TOKEN) of a message: a signed token naming
 * the notification, which names recipient, category and message id.
 * mp_notify_unsub_url mints one for a notification's public id (arena;
 * NULL without a signing key).  mp_notify_unsub_lookup checks a token for
 * the context's tenant and fills *u (arena); MP_ENOTFOUND when forged,
 * altered, of another tenant or of no message.
 */
struct mp_unsub {
	char		*id;		/* notification id (internal) */
	char		*public_id;
	char		*channel;
	char		*recipient;
	char		*category;	/* as the mail was queued */
	char		*message_id;
	int64_t		 user_id;	/* 0: none recorded */
};

char		*mp_notify_unsub_url(struct mp_ctx *, const char *public_id);
enum mp_err	 mp_notify_unsub_lookup(struct mp_ctx *, const char *token,
		    struct mp_unsub *);

/*
 * Is this request signed by the SMS provider (X-Twilio-Signature over the
 * URL and the sorted POST fields, with sms_auth_token)?  1 or 0.
 */
int		 mp_sms_signed(struct mp_req *);

extern const struct mp_feature	 mp_feature_notify;

#endif
