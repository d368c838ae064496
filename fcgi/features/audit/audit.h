/* The audit log's interface: the feature, what handlers add to their request's entry, chain checks and the security history. */
#ifndef MP_FEATURES_AUDIT_H
#define MP_FEATURES_AUDIT_H

#include "features/feature.h"

struct json_object;
struct _hdf;

extern const struct mp_feature	 mp_feature_audit;

/*
 * What a handler adds to the entry the dispatcher writes for its request
 * (every request with an unsafe method gets one; these only add detail).
 * Responder only: the note belongs to the request in progress and is
 * dropped once its entry is written.  Strings are copied; json objects
 * passed in become the note's (NULL is fine).  Secrets never reach the
 * log: every key of before, after and detail whose name says password,
 * token, secret, code, otp, key, card or cvv is written as "[redacted]".
 *
 * mp_audit_action: a more precise action than the route's
 * ("ARTICLE_PUBLISHED" for an update that publishes).
 * mp_audit_resource: the resource changed (type "article", its id).
 * mp_audit_subject: the user the event concerns (the account signed in
 * to, the owner of an ended session), by users.id: it appears in that
 * user's own security history.
 * mp_audit_change: the resource's state before and after (objects).
 * mp_audit_detail: one fact ("device", "Chrome 120 on Windows").
 * mp_audit_severity: "debug", "info", "notice", "warning", "error" or
 * "critical" (default: info for success, notice for a refused input,
 * warning for a denial, error for a failure of ours).
 * mp_audit_flags: the entry concerns personal data (GDPR) or payment
 * data (PCI).
 */
void		 mp_audit_action(struct mp_ctx *, const char *action);
void		 mp_audit_resource(struct mp_ctx *, const char *type,
		    const char *id);
void		 mp_audit_subject(struct mp_ctx *, const char *user_id);
void		 mp_audit_change(struct mp_ctx *, struct json_object *before,
		    struct json_object *after);
void		 mp_audit_detail(struct mp_ctx *, const char *key,
		    const char *value);
void		 mp_audit_severity(struct mp_ctx *, const char *severity);
void		 mp_audit_flags(struct mp_ctx *, int gdpr, int pci);

/* What a walk of a tenant's chain found (mp_audit_verify). */
struct mp_audit_check {
	int64_t		 entries;	/* rows present */
	int64_t		 head_seq;	/* 0: empty chain */
	const char	*head_hash;	/* hex, NULL when empty */
	int64_t		 first_break;	/* seq whose hash or link fails, 0: none */
	int64_t		 breaks;	/* how many such rows */
	int64_t		 ngaps;
	int64_t		 gap_from[16];	/* missing seq ranges, the first 16 */
	int64_t		 gap_to[16];
	int64_t		 checkpoint_seq;	/* newest signed checkpoint, 0: none */
	int		 checkpoint_ok;	/* its head hash is still that row's */
	int		 ok;		/* no break, no gap, checkpoint holds */
};

/*
 * Walk the chain of ctx's tenant from seq 1: recompute every row's hash
 * from its predecessor's and its canonical form, note the first row that
 * differs and every gap in seq.  Reads only; arena memory.
 */
enum mp_err	 mp_audit_verify(struct mp_ctx *, struct mp_audit_check *);
/* The check as JSON (the API's and mpanelctl's form); caller owns it. */
struct json_object *mp_audit_check_json(const struct mp_audit_check *);

/*
 * The security history of user_id (users.id) for a page: at most limit
 * of the newest entries that concern them (their sign-ins and failed
 * attempts with device and IP, new-device alerts, password, token and
 * session changes, who ended their sessions), under prefix.N.{At, What,
 * Outcome, Ip, Device, By, Alert} in hdf.  templates/audit/history.cs
 * renders it.  Returns MP_OK or a database error.
 */
enum mp_err	 mp_audit_history_hdf(struct mp_ctx *, struct _hdf *,
		    const char *prefix, const char *user_id, int limit);

#endif
