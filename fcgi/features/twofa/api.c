/* JSON for two-factor sign-in: status, setup, verify (turn on), disable, new backup codes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "features/twofa/extern.h"

static enum mp_err
reply(struct mp_req *r, struct mp_resp *w, int status, struct json_object *o)
{
	enum mp_err	 rc = mp_resp_json(r, w, status, o);

	json_object_put(o);
	return rc;
}

static struct json_object *
str_or_null(const char *s)
{
	return s != NULL ? json_object_new_string(s) : NULL;
}

static struct json_object *
codes_array(char **codes)
{
	struct json_object	*a = json_object_new_array();
	int			 i;

	for (i = 0; codes[i] != NULL; i++)
		json_object_array_add(a, json_object_new_string(codes[i]));
	return a;
}

/*
 * A refused code is 422 naming the field; too many of them, 429 with
 * Retry-After (an answer, not an error: nothing to roll back).
 */
static enum mp_err
code_error(struct mp_req *r, struct mp_resp *w, enum mp_err rc)
{
	struct json_object	*o, *e;

	if (rc == MP_EINPUT)
		r->err_status = 422;
	if (rc != MP_ERATE)
		return rc;
	e = json_object_new_object();
	json_object_object_add(e, "code", json_object_new_string("rate_limited"));
	json_object_object_add(e, "message",
	    json_object_new_string(r->ctx.err_msg));
	json_object_object_add(e, "field", json_object_new_string("code"));
	o = json_object_new_object();
	json_object_object_add(o, "error", e);
	mp_resp_header(w, "Retry-After", mp_printf(r->ctx.a, "%d",
	    mp_twofa_conf(r->ctx.cfg)->twofa_window));
	return reply(r, w, 429, o);
}

static const char *
session_id(const struct mp_req *r)
{
	return r->sess != NULL ? r->sess->id_text : NULL;
}

/* GET /api/2fa/status */
enum mp_err
mp_api_twofa_status(struct mp_req *r, struct mp_resp *w)
{
	struct mp_twofa_state	 st;
	struct json_object	*o;
	enum mp_err		 rc;

	if ((rc = mp_twofa_state(&r->ctx, r->user->id_text, r->user->role,
	    &st)) != MP_OK)
		return rc;
	o = json_object_new_object();
	json_object_object_add(o, "enabled", json_object_new_boolean(st.enabled));
	json_object_object_add(o, "enabled_at", str_or_null(st.enabled_at));
	json_object_object_add(o, "setup_pending",
	    json_object_new_boolean(st.pending && !st.enabled));
	json_object_object_add(o, "backup_codes_left",
	    json_object_new_int(st.enabled ? st.codes_left : 0));
	json_object_object_add(o, "required", json_object_new_boolean(st.required));
	json_object_object_add(o, "required_from", str_or_null(st.required_by));
	return reply(r, w, 200, o);
}

/* Check the password field; MP_EAUTH-like 422 naming it when wrong. */
static enum mp_err
need_password(struct mp_req *r)
{
	const struct mp_value	*pw = mp_req_val(r, "password");
	int			 ok;
	enum mp_err		 rc;

	if ((rc = mp_twofa_password_ok(&r->ctx, r->user->id_text, pw->s,
	    &ok)) != MP_OK)
		return rc;
	if (!ok) {
		r->err_status = 422;
		return mp_fail(&r->ctx, MP_EINPUT, "password",
		    "The password is not right.");
	}
	return MP_OK;
}

/* POST /api/2fa/setup {password}: a new pending secret. */
enum mp_err
mp_api_twofa_setup(struct mp_req *r, struct mp_resp *w)
{
	struct mp_twofa_state	 st;
	struct json_object	*o;
	char			*secret, *uri, *qr;
	enum mp_err		 rc;

	if ((rc = mp_twofa_state(&r->ctx, r->user->id_text, r->user->role,
	    &st)) != MP_OK)
		return rc;
	if (st.enabled)
		return mp_fail(&r->ctx, MP_ECONFLICT, NULL, "Two-factor sign-in "
		    "is already on. Disable it first to use a new secret.");
	if ((rc = need_password(r)) != MP_OK ||
	    (rc = mp_twofa_begin(&r->ctx, r->user->id_text, r->user->email,
	    &secret, &uri)) != MP_OK)
		return rc;
	qr = mp_twofa_qr_data_uri(r->ctx.a, uri);
	o = json_object_new_object();
	json_object_object_add(o, "secret", json_object_new_string(secret));
	json_object_object_add(o, "otpauth_uri", json_object_new_string(uri));
	json_object_object_add(o, "qr_svg_data_uri", str_or_null(qr));
	return reply(r, w, 201, o);
}

/* POST /api/2fa/verify {code}: the first code of the pending secret. */
enum mp_err
mp_api_twofa_verify(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*code = mp_req_val(r, "code");
	struct json_object	*o;
	char			**codes;
	enum mp_err		 rc;

	if ((rc = mp_twofa_confirm(&r->ctx, r->user->id_text, code->s,
	    &codes)) != MP_OK)
		return code_error(r, w, rc);
	if ((rc = mp_twofa_event(&r->ctx, r->user->id_text, session_id(r),
	    "enabled", r->remote_addr, r->user_agent)) != MP_OK)
		return rc;
	o = json_object_new_object();
	json_object_object_add(o, "enabled", json_object_new_boolean(1));
	json_object_object_add(o, "backup_codes", codes_array(codes));
	return reply(r, w, 200, o);
}

/* POST /api/2fa/disable {password, code} */
enum mp_err
mp_api_twofa_disable(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*code = mp_req_val(r, "code");
	struct json_object	*o;
	const char		*kind;
	enum mp_err		 rc;

	if ((rc = need_password(r)) != MP_OK)
		return rc;
	if ((rc = mp_twofa_check_guarded(&r->ctx, r->user->id_text,
	    mp_twofa_device(r, r->user->id_text), code->s, 1, &kind)) != MP_OK)
		return code_error(r, w, rc);
	if ((rc = mp_twofa_disable(&r->ctx, r->user->id_text)) != MP_OK ||
	    (rc = mp_twofa_event(&r->ctx, r->user->id_text, session_id(r),
	    "disabled", r->remote_addr, r->user_agent)) != MP_OK)
		return rc;
	o = json_object_new_object();
	json_object_object_add(o, "enabled", json_object_new_boolean(0));
	return reply(r, w, 200, o);
}

/* POST /api/2fa/backup-codes {code}: ten new codes, the old ones void. */
enum mp_err
mp_api_twofa_codes(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*code = mp_req_val(r, "code");
	struct json_object	*o;
	const char		*kind;
	char			**codes;
	enum mp_err		 rc;

	if ((rc = mp_twofa_check_guarded(&r->ctx, r->user->id_text,
	    mp_twofa_device(r, r->user->id_text), code->s, 0, &kind)) != MP_OK)
		return code_error(r, w, rc);
	if ((rc = mp_twofa_new_codes(&r->ctx, r->user->id_text, &codes)) !=
	    MP_OK ||
	    (rc = mp_twofa_event(&r->ctx, r->user->id_text, session_id(r),
	    "backup_codes", r->remote_addr, r->user_agent)) != MP_OK)
		return rc;
	o = json_object_new_object();
	json_object_object_add(o, "backup_codes", codes_array(codes));
	return reply(r, w, 200, o);
}
