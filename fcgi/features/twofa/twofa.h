/* Two-factor sign-in's interface for the programs and for accounts: the feature, the gate after the password, the operator's reset. */
#ifndef MP_FEATURES_TWOFA_H
#define MP_FEATURES_TWOFA_H

#include "features/feature.h"

extern const struct mp_feature	 mp_feature_twofa;

/*
 * Called by the sign-in form once the password of user uid (role role)
 * is verified, before any session exists.  *held = 1: the second step
 * is needed, and w already holds the redirect to /login/2fa with its
 * short-lived pending cookie; the caller must start no session.
 * *held = 0: no second step (2FA off, or this device is remembered);
 * the caller starts the session and redirects to *next, which the gate
 * may have replaced (staff inside the grace period are sent to set 2FA
 * up).  next must already be a safe local path.
 */
enum mp_err	 mp_twofa_gate(struct mp_req *, struct mp_resp *,
		    const char *uid, enum mp_role, const char **next,
		    int *held);

/*
 * mpanelctl twofa-reset: turn two-factor sign-in off for the user with
 * this email in ctx's tenant (secret, backup codes and remembered
 * devices gone), recorded in security_events.  *found is 0 when there
 * is no such user.
 */
enum mp_err	 mp_twofa_reset(struct mp_ctx *, const char *email,
		    int *found);

#endif
