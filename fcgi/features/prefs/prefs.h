/* Notification preferences' interface for other features: the one should-notify decision. */
#ifndef MP_FEATURES_PREFS_H
#define MP_FEATURES_PREFS_H

#include "features/feature.h"

/*
 * Should a message of category (a mail category such as "surveys", or a
 * preference category) go to user_id (0: the address alone decides) at
 * address on channel ("email", "sms") now?  Sets *yes to 1 or 0.  The
 * decision is the SQL function mp_notify_decision, which the worker runs
 * again when it claims the message, so nothing needs to call this before
 * mp_mail_queue; it is for senders that want to skip work early.  Runs
 * in the context's transaction.
 */
enum mp_err	 mp_prefs_should_notify(struct mp_ctx *, int64_t user_id,
		    const char *address, const char *category,
		    const char *channel, int *yes);

/*
 * Opt address out of category (a preference category: status, marketing,
 * product, ...) on channel, with its evidence (source: one-click, page,
 * mailto, bounce, complaint, admin, preferences, stop, api; the message
 * id it came from, or NULL).  Every list the address is on follows in
 * the same transaction (a status opt-out ends the status subscription).
 */
enum mp_err	 mp_prefs_unsubscribe(struct mp_ctx *, const char *channel,
		    const char *address, const char *category,
		    const char *source, const char *message_id);

extern const struct mp_feature	 mp_feature_prefs;

#endif
