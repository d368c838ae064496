/* Accounts' interface for the programs: its feature, and the session cleanup mpanelctl runs. */
#ifndef MP_FEATURES_ACCOUNTS_H
#define MP_FEATURES_ACCOUNTS_H

#include "features/feature.h"

extern const struct mp_feature	 mp_feature_accounts;

/*
 * Start a session for a user whose sign-in is complete (two-factor
 * sign-in calls it after the second step): new token, device cookie,
 * new-sign-in alert; sets the cookie on w.
 */
enum mp_err	 mp_accounts_session_start(struct mp_req *, struct mp_resp *,
		    const char *uid, const char *email, const char *name,
		    enum mp_role);

/* Remove expired sessions in every tenant; the rows removed, or -1. */
long		 mp_sessions_cleanup(struct mp_db *, struct mp_arena *);

#endif
