/* /account/security: two-factor state, setting it up, turning it off, new backup codes, and the administrator's staff policy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features/twofa/extern.h"
#include "features/audit/audit.h"

/* The security page; err goes with the form named by field. */
static enum mp_err
security_page(struct mp_req *r, struct mp_resp *w, int status,
    const char *notice, const char *form, const char *err)
{
	struct _hdf		*hdf = mp_hdf(r);
	struct mp_twofa_state	 st;
	const char		*done = mp_req_query(r, "done");
	enum mp_err		 rc;

	if ((rc = mp_twofa_state(&r->ctx, r->user->id_text, r->user->role,
	    &st)) != MP_OK)
		return rc;
	if (notice == NULL && done != NULL) {
		if (strcmp(done, "disabled") == 0)
			notice = "Two-factor sign-in is off.";
		else if (strcmp(done, "policy") == 0)
			notice = "The rule for staff was saved.";
		else if (strcmp(done, "recovered") == 0)
			notice = "You signed in with a backup code. Every other "
			    "session was ended and we emailed you. If you lost "
			    "your phone, turn two-factor sign-in off and set "
			    "it up again.";
	}
	if (notice == NULL && mp_req_query(r, "required") != NULL &&
	    st.required && !st.enabled)
		notice = "This portal requires two-factor sign-in for staff. "
		    "Set it up now.";
	mp_hdf_set(hdf, "Page.Title", "Account security");
	mp_hdf_set(hdf, "TwoFA.Notice", notice);
	mp_hdf_set(hdf, "TwoFA.Enabled", st.enabled ? "1" : "0");
	mp_hdf_set(hdf, "TwoFA.EnabledAt", st.enabled_at);
	mp_hdf_setf(hdf, "TwoFA.CodesLeft", "%d", st.codes_left);
	mp_hdf_set(hdf, "TwoFA.Required", st.required ? "1" : "0");
	mp_hdf_set(hdf, "TwoFA.RequiredBy", st.required_by);
	if (form != NULL)
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "TwoFA.Error.%s", form),
		    err);
	if (r->user->role >= MP_ROLE_ADMIN) {
		mp_hdf_set(hdf, "Policy.Show", "1");
		mp_hdf_set(hdf, "Policy.GraceUntil", st.required_by);
	}
	/* The user's own security history (the audit log's). */
	if ((rc = mp_audit_history_hdf(&r->ctx, hdf, "Security.History",
	    r->user->id_text, 20)) != MP_OK)
		return rc;
	return mp_render(r, w, status, "twofa/security.cs", hdf);
}

static int
form_status(enum mp_err rc)
{
	return rc == MP_EINPUT ? 422 : rc == MP_ERATE ? 429 : 409;
}

/* GET /account/security */
enum mp_err
mp_twofa_page(struct mp_req *r, struct mp_resp *w)
{
	return security_page(r, w, 200, NULL, NULL, NULL);
}

/* The setup page: QR code, the secret as text, the first code's form. */
static enum mp_err
setup_page(struct mp_req *r, struct mp_resp *w, int status,
    const char *secret, const char *uri, const char *err)
{
	struct _hdf	*hdf = mp_hdf(r);
	const char	*qr = mp_twofa_qr_data_uri(r->ctx.a, uri);

	mp_hdf_set(hdf, "Page.Title", "Set up two-factor sign-in");
	mp_hdf_set(hdf, "Setup.Action", "/account/security/2fa/enable");
	mp_hdf_set(hdf, "Setup.Secret", secret);
	mp_hdf_set(hdf, "Setup.Grouped", mp_base32_grouped(r->ctx.a, secret));
	mp_hdf_set(hdf, "Setup.Uri", uri);
	mp_hdf_set(hdf, "Setup.Qr", qr);
	mp_hdf_set(hdf, "Setup.Error", err);
	return mp_render(r, w, status, "twofa/setup.cs", hdf);
}

static enum mp_err
codes_page(struct mp_req *r, struct mp_resp *w, char **codes,
    const char *notice)
{
	struct _hdf	*hdf = mp_hdf(r);
	char		 key[32];
	int		 i;

	mp_hdf_set(hdf, "Page.Title", "Your backup codes");
	mp_hdf_set(hdf, "Codes.Next", "/account/security");
	mp_hdf_set(hdf, "Codes.Notice", notice);
	for (i = 0; codes[i] != NULL; i++) {
		snprintf(key, sizeof(key), "Codes.List.%d", i);
		mp_hdf_set(hdf, key, codes[i]);
	}
	return mp_render(r, w, 200, "twofa/codes.cs", hdf);
}

/*
 * POST /account/security/2fa/setup: with the password, a new secret is
 * sealed as pending and shown (QR and text) until its first code.
 */
enum mp_err
mp_twofa_setup_form(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*pw = mp_req_val(r, "password");
	struct mp_twofa_state	 st;
	char			*secret, *uri;
	int			 ok;
	enum mp_err		 rc;

	if ((rc = mp_twofa_state(&r->ctx, r->user->id_text, r->user->role,
	    &st)) != MP_OK ||
	    (rc = mp_twofa_password_ok(&r->ctx, r->user->id_text, pw->s, &ok)) !=
	    MP_OK)
		return rc;
	if (st.enabled)
		return security_page(r, w, 409, NULL, "Setup",
		    "Two-factor sign-in is already on.");
	if (!ok) {
		r->ctx.err_field = "password";
		return security_page(r, w, 422, NULL, "Setup",
		    "The password is not right.");
	}
	if ((rc = mp_twofa_begin(&r->ctx, r->user->id_text, r->user->email,
	    &secret, &uri)) != MP_OK)
		return rc;
	return setup_page(r, w, 200, secret, uri, NULL);
}

/* POST /account/security/2fa/enable: the first code turns it on. */
enum mp_err
mp_twofa_enable_form(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*code = mp_req_val(r, "code");
	char			**codes, *secret, *uri;
	enum mp_err		 rc;

	rc = mp_twofa_confirm(&r->ctx, r->user->id_text, code->s, &codes);
	if (rc == MP_EINPUT) {
		const char *msg = r->ctx.err_msg;

		if ((rc = mp_twofa_pending(&r->ctx, r->user->id_text,
		    r->user->email, &secret, &uri)) != MP_OK)
			return rc;
		r->ctx.err_field = "code";
		return setup_page(r, w, 422, secret, uri, msg);
	}
	if (rc != MP_OK ||
	    (rc = mp_twofa_event(&r->ctx, r->user->id_text, r->sess->id_text,
	    "enabled", r->remote_addr, r->user_agent)) != MP_OK)
		return rc;
	return codes_page(r, w, codes, "Two-factor sign-in is on.");
}

/* POST /account/security/2fa/disable: password and a code (or backup code). */
enum mp_err
mp_twofa_disable_form(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*pw = mp_req_val(r, "password");
	const struct mp_value	*code = mp_req_val(r, "code");
	const char		*kind;
	int			 ok;
	enum mp_err		 rc;

	if ((rc = mp_twofa_password_ok(&r->ctx, r->user->id_text, pw->s,
	    &ok)) != MP_OK)
		return rc;
	if (!ok) {
		r->ctx.err_field = "password";
		return security_page(r, w, 422, NULL, "Disable",
		    "The password is not right.");
	}
	rc = mp_twofa_check_guarded(&r->ctx, r->user->id_text,
	    mp_twofa_device(r, r->user->id_text), code->s, 1, &kind);
	if (rc == MP_EINPUT || rc == MP_ECONFLICT || rc == MP_ERATE)
		return security_page(r, w, form_status(rc), NULL,
		    "Disable", r->ctx.err_msg);
	if (rc != MP_OK ||
	    (rc = mp_twofa_disable(&r->ctx, r->user->id_text)) != MP_OK ||
	    (rc = mp_twofa_event(&r->ctx, r->user->id_text, r->sess->id_text,
	    "disabled", r->remote_addr, r->user_agent)) != MP_OK)
		return rc;
	return mp_resp_redirect(w, 303, "/account/security?done=disabled");
}

/* POST /account/security/2fa/backup-codes: a current code, ten new codes. */
enum mp_err
mp_twofa_codes_form(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*code = mp_req_val(r, "code");
	const char		*kind;
	char			**codes;
	enum mp_err		 rc;

	rc = mp_twofa_check_guarded(&r->ctx, r->user->id_text,
	    mp_twofa_device(r, r->user->id_text), code->s, 0, &kind);
	if (rc == MP_EINPUT || rc == MP_ECONFLICT || rc == MP_ERATE)
		return security_page(r, w, form_status(rc), NULL,
		    "Codes", r->ctx.err_msg);
	if (rc != MP_OK ||
	    (rc = mp_twofa_new_codes(&r->ctx, r->user->id_text, &codes)) !=
	    MP_OK ||
	    (rc = mp_twofa_event(&r->ctx, r->user->id_text, r->sess->id_text,
	    "backup_codes", r->remote_addr, r->user_agent)) != MP_OK)
		return rc;
	return codes_page(r, w, codes, "Your old backup codes no longer work.");
}

/* POST /admin/security/2fa: require 2FA for staff after grace_days. */
enum mp_err
mp_twofa_policy_form(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*req = mp_req_val(r, "staff_required");
	const struct mp_value	*days = mp_req_val(r, "grace_days");
	enum mp_err		 rc;

	if ((rc = mp_twofa_policy_set(&r->ctx, req->present && req->i,
	    days->present ? (int)days->i : 7)) != MP_OK)
		return rc;
	return mp_resp_redirect(w, 303, "/account/security?done=policy");
}
