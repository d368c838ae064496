/* The second step of signing in: the gate after the password, the code page, remembered devices, recovery by backup code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "features/twofa/extern.h"

#define PENDING_COOKIE	"__Host-mp_2fa"
#define REMEMBER_COOKIE	"__Host-mp_2fa_device"
/* Accounts' long-lived device cookie: the device the throttle counts. */
#define DEVICE_COOKIE	"__Host-mp_device"
#define MAX_TRIES	5	/* per pending sign-in, then the password again */

enum {
	TL_PENDING_NEW,
	TL_PENDING_GET,
	TL_PENDING_TRY,
	TL_PENDING_DONE,
	TL_USER,
	TL_END_SESSIONS,
	TL__MAX
};

static const struct mp_stmt stmts[] = {
	[TL_PENDING_NEW] = { "tf_pending_new",
	    "INSERT INTO twofa_pending (tenant_id, token_hash, user_id, next,"
	    " enroll, expires_at) VALUES (mp_tenant(), $1, $2, $3, $4,"
	    " now() + make_interval(secs => $5::int))" },
	[TL_PENDING_GET] = { "tf_pending_get",
	    "SELECT user_id, enroll FROM twofa_pending WHERE token_hash = $1"
	    " AND expires_at > now() AND attempts < $2::int", MP_STMT_READ },
	/* Each answer spends one try, right or wrong. */
	[TL_PENDING_TRY] = { "tf_pending_try",
	    "UPDATE twofa_pending SET attempts = attempts + 1"
	    " WHERE token_hash = $1 AND expires_at > now()"
	    " AND attempts < $2::int RETURNING user_id, next, enroll" },
	[TL_PENDING_DONE] = { "tf_pending_done",
	    "DELETE FROM twofa_pending WHERE token_hash = $1" },
	[TL_USER] = { "tf_user",
	    "SELECT email, name, role FROM users WHERE id = $1"
	    " AND status = 'active'", MP_STMT_READ },
	/* Recovery: every session of the account ends (no new one yet). */
	[TL_END_SESSIONS] = { "tf_end_sessions",
	    "UPDATE user_sessions SET revoked_at = now(),"
	    " revoked_reason = 'ended_others' WHERE user_id = $1"
	    " AND revoked_at IS NULL" },
};

_Static_assert(sizeof(stmts) / sizeof(stmts[0]) == TL__MAX,
    "twofa sign-in statements and enum differ");

MP_STMT_TABLE(mp_twofa_login_st, stmts);

/*
 * The device a wrong code is counted against: SHA-256 of its device
 * cookie; without one, of its address and the account (an address alone
 * would let one user's mistakes hold everyone behind the same NAT).
 */
const char *
mp_twofa_device(struct mp_req *r, const char *uid)
{
	const char	*d = mp_req_cookie(r, DEVICE_COOKIE), *s;

	if (d != NULL && strlen(d) >= 32 && strlen(d) <= 64)
		s = mp_printf(r->ctx.a, "device:%s", d);
	else
		s = mp_printf(r->ctx.a, "ip:%s:user:%s",
		    r->remote_addr ? r->remote_addr : "", uid);
	return mp_sha256_hex(r->ctx.a, s, strlen(s));
}

/* Start the second step: a pending row, its cookie, the redirect. */
static enum mp_err
hold(struct mp_req *r, struct mp_resp *w, const char *uid, const char *next,
    int enroll)
{
	const struct mp_twofa_conf	*c = mp_twofa_conf(r->ctx.cfg);
	const char			*p[5];
	char				*tok = mp_token(r->ctx.a, 32);
	enum mp_err			 rc;

	p[0] = mp_sha256_hex(r->ctx.a, tok, strlen(tok));
	p[1] = uid;
	p[2] = next;
	p[3] = enroll ? "true" : "false";
	p[4] = mp_printf(r->ctx.a, "%d", c->twofa_pending_ttl);
	if ((rc = mp_q(&r->ctx, &stmts[TL_PENDING_NEW], 5, p, NULL)) != MP_OK)
		return rc;
	mp_resp_cookie(r, w, PENDING_COOKIE, tok, c->twofa_pending_ttl);
	mp_resp_header(w, "Cache-Control", "no-store");
	return mp_resp_redirect(w, 303, "/login/2fa");
}

static int
remembered(struct mp_req *r, const char *uid, int64_t epoch)
{
	const char		*cookie = mp_req_cookie(r, REMEMBER_COOKIE);
	struct mp_twofa_keys	 k;
	int			 ok;

	if (cookie == NULL || mp_twofa_keys(&r->ctx, NULL, &k) != MP_OK)
		return 0;
	ok = mp_remember_check(&k, r->ctx.tenant->id, strtoll(uid, NULL, 10),
	    epoch, (int64_t)time(NULL), cookie);
	OPENSSL_cleanse(&k, sizeof(k));
	return ok;
}

enum mp_err
mp_twofa_gate(struct mp_req *r, struct mp_resp *w, const char *uid,
    enum mp_role role, const char **next, int *held)
{
	struct mp_twofa_state	 st;
	char			*secret, *uri;
	enum mp_err		 rc;

	*held = 0;
	if ((rc = mp_twofa_state(&r->ctx, uid, role, &st)) != MP_OK)
		return rc;
	if (st.enabled) {
		if (remembered(r, uid, st.epoch))
			return MP_OK;
		*held = 1;
		return hold(r, w, uid, *next, 0);
	}
	if (!st.required)
		return MP_OK;
	if (!st.grace_over) {
		*next = "/account/security?required=1";
		return MP_OK;
	}
	/* Past the grace period: no session until 2FA is set up. */
	*held = 1;
	if ((rc = mp_twofa_begin(&r->ctx, uid, "", &secret, &uri)) != MP_OK)
		return rc;
	return hold(r, w, uid, *next, 1);
}

/*
 * The code page.  For enrolment (enroll set) it also shows the QR code
 * and the secret of the setup the gate began.
 */
static enum mp_err
challenge_page(struct mp_req *r, struct mp_resp *w, int status,
    const char *uid, int enroll, const char *err)
{
	struct _hdf	*hdf = mp_hdf(r);
	struct mp_res	*u;
	const char	*p[1] = { uid };
	char		*secret, *uri;
	enum mp_err	 rc;

	mp_hdf_set(hdf, "Page.Title", enroll ? "Set up two-factor sign-in" :
	    "Two-factor sign-in");
	mp_hdf_set(hdf, "Page.NoIndex", "1");
	mp_hdf_set(hdf, "Challenge.Error", err);
	if (enroll) {
		if ((rc = mp_q(&r->ctx, &stmts[TL_USER], 1, p, &u)) != MP_OK)
			return rc;
		if ((rc = mp_twofa_pending(&r->ctx, uid, mp_res_rows(u) ?
		    mp_res_get(u, 0, 0) : "", &secret, &uri)) != MP_OK)
			return rc;
		mp_hdf_set(hdf, "Challenge.Enroll", "1");
		mp_hdf_set(hdf, "Setup.Action", "/login/2fa");
		mp_hdf_set(hdf, "Setup.Secret", secret);
		mp_hdf_set(hdf, "Setup.Grouped", mp_base32_grouped(r->ctx.a,
		    secret));
		mp_hdf_set(hdf, "Setup.Uri", uri);
		mp_hdf_set(hdf, "Setup.Qr", mp_twofa_qr_data_uri(r->ctx.a, uri));
	}
	mp_resp_header(w, "Cache-Control", "no-store");
	mp_resp_header(w, "Referrer-Policy", "no-referrer");
	mp_hdf_csrf(r, hdf);
	return mp_render(r, w, status, "twofa/challenge.cs", hdf);
}

static const char *
pending_hash(struct mp_req *r)
{
	const char	*tok = mp_req_cookie(r, PENDING_COOKIE);

	if (tok == NULL || strlen(tok) < 32 || strlen(tok) > 64)
		return NULL;
	return mp_sha256_hex(r->ctx.a, tok, strlen(tok));
}

/* GET /login/2fa */
enum mp_err
mp_twofa_challenge(struct mp_req *r, struct mp_resp *w)
{
	const char	*p[2];
	struct mp_res	*res;
	enum mp_err	 rc;

	if ((p[0] = pending_hash(r)) == NULL)
		return mp_resp_redirect(w, 303, "/login");
	p[1] = mp_printf(r->ctx.a, "%d", MAX_TRIES);
	if ((rc = mp_q(&r->ctx, &stmts[TL_PENDING_GET], 2, p, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) == 0) {
		mp_resp_cookie(r, w, PENDING_COOKIE, "", 0);
		return mp_resp_redirect(w, 303, "/login");
	}
	return challenge_page(r, w, 200, mp_res_get(res, 0, 0),
	    mp_res_bool(res, 0, 1), NULL);
}

/* Mail the owner that a backup code was used and every session ended. */
static enum mp_err
mail_recovery(struct mp_req *r, const char *uid, const char *email,
    const char *name, int left)
{
	struct _hdf	*hdf = mp_hdf(r);
	struct mp_mail	 m;

	mp_hdf_set(hdf, "Mail.Name", name);
	mp_hdf_set(hdf, "Mail.Ip", r->remote_addr);
	mp_hdf_setf(hdf, "Mail.CodesLeft", "%d", left);
	mp_hdf_set(hdf, "Mail.SecurityUrl", mp_printf(r->ctx.a,
	    "%s/account/security", mp_origin(&r->ctx)));
	memset(&m, 0, sizeof(m));
	m.to = email;
	m.to_name = name;
	m.subject = mp_printf(r->ctx.a, "A backup code was used to sign in "
	    "to your %s account", r->ctx.tenant->name);
	m.tpl = "twofa/recovery";
	m.data = hdf;
	m.category = "transactional";
	m.priority = 1;
	m.user_id = strtoll(uid, NULL, 10);
	return mp_mail_queue(&r->ctx, &m, NULL);
}

/* Enrolment at sign-in: the codes page, with the way on. */
static enum mp_err
codes_page(struct mp_req *r, struct mp_resp *w, char **codes,
    const char *next)
{
	struct _hdf	*hdf = mp_hdf(r);
	char		 key[32];
	int		 i;

	mp_hdf_set(hdf, "Page.Title", "Your backup codes");
	mp_hdf_set(hdf, "Page.NoIndex", "1");
	mp_hdf_set(hdf, "Codes.Next", next);
	mp_hdf_set(hdf, "Codes.Notice", "Two-factor sign-in is on.");
	for (i = 0; codes[i] != NULL; i++) {
		snprintf(key, sizeof(key), "Codes.List.%d", i);
		mp_hdf_set(hdf, key, codes[i]);
	}
	mp_resp_header(w, "Cache-Control", "no-store");
	mp_hdf_csrf(r, hdf);
	return mp_render(r, w, 200, "twofa/codes.cs", hdf);
}

/*
 * POST /login/2fa: one try of the pending sign-in spent; throttled per
 * account and per device before the code is looked at; a right code
 * starts the session (and the device is remembered when asked); a
 * backup code also ends every other session and mails the owner.
 */
enum mp_err
mp_twofa_answer(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_twofa_conf	*c = mp_twofa_conf(r->ctx.cfg);
	const struct mp_value		*code = mp_req_val(r, "code");
	const struct mp_value		*keep = mp_req_val(r, "remember");
	const char			*p[2], *hash, *dev, *kind = NULL;
	char				*uid, *next, **codes = NULL;
	struct mp_res			*res, *u;
	struct mp_twofa_state		 st;
	struct mp_twofa_keys		 k;
	enum mp_role			 role;
	int				 enroll, over;
	enum mp_err			 rc;

	if ((hash = pending_hash(r)) == NULL)
		return mp_resp_redirect(w, 303, "/login");
	p[0] = hash;
	p[1] = mp_printf(r->ctx.a, "%d", MAX_TRIES);
	if ((rc = mp_q(&r->ctx, &stmts[TL_PENDING_TRY], 2, p, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) == 0) {
		mp_resp_cookie(r, w, PENDING_COOKIE, "", 0);
		return mp_resp_redirect(w, 303, "/login");
	}
	uid = mp_strdup(r->ctx.a, mp_res_get(res, 0, 0));
	next = mp_strdup(r->ctx.a, mp_res_get(res, 0, 1));
	enroll = mp_res_bool(res, 0, 2);

	dev = mp_twofa_device(r, uid);
	if ((rc = mp_twofa_throttled(&r->ctx, uid, dev, &over)) != MP_OK)
		return rc;
	if (over) {
		mp_resp_header(w, "Retry-After", mp_printf(r->ctx.a, "%d",
		    c->twofa_window));
		return challenge_page(r, w, 429, uid, enroll, mp_printf(r->ctx.a,
		    "Too many wrong codes. Wait %d minutes and try again.",
		    (c->twofa_window + 59) / 60));
	}

	if (enroll)
		rc = mp_twofa_confirm(&r->ctx, uid, code->s, &codes);
	else
		rc = mp_twofa_check(&r->ctx, uid, code->s, 1, &kind);
	if (rc == MP_EINPUT) {
		/* Keep the failure on record: commit, then show the form. */
		if ((rc = mp_twofa_failed(&r->ctx, uid, dev)) != MP_OK)
			return rc;
		return challenge_page(r, w, 401, uid, enroll, r->ctx.err_msg);
	}
	if (rc != MP_OK)
		return rc;

	p[0] = hash;
	if ((rc = mp_q(&r->ctx, &stmts[TL_PENDING_DONE], 1, p, NULL)) != MP_OK)
		return rc;
	p[0] = uid;
	if ((rc = mp_q_one(&r->ctx, &stmts[TL_USER], 1, p, &u,
	    "This account is not active.")) != MP_OK)
		return rc;
	role = mp_role_parse(mp_res_get(u, 0, 2));
	if (enroll)
		rc = mp_twofa_event(&r->ctx, uid, NULL, "enabled",
		    r->remote_addr, r->user_agent);
	else if (strcmp(kind, "backup") == 0) {
		if ((rc = mp_q(&r->ctx, &stmts[TL_END_SESSIONS], 1, p, NULL)) !=
		    MP_OK ||
		    (rc = mp_twofa_event(&r->ctx, uid, NULL, "recovery",
		    r->remote_addr, r->user_agent)) != MP_OK ||
		    (rc = mp_twofa_state(&r->ctx, uid, role, &st)) != MP_OK)
			return rc;
		rc = mail_recovery(r, uid, mp_res_get(u, 0, 0),
		    mp_res_get(u, 0, 1), st.codes_left);
		next = "/account/security?done=recovered";
	}
	if (rc != MP_OK)
		return rc;
	if (keep->present && keep->i) {
		/* Read after any ending of sessions above: its epoch is current. */
		if ((rc = mp_twofa_state(&r->ctx, uid, role, &st)) != MP_OK ||
		    (rc = mp_twofa_keys(&r->ctx, NULL, &k)) != MP_OK)
			return rc;
		mp_resp_cookie(r, w, REMEMBER_COOKIE, mp_remember_make(r->ctx.a,
		    &k, r->ctx.tenant->id, strtoll(uid, NULL, 10),
		    (int64_t)time(NULL) + 86400L * c->twofa_remember_days,
		    st.epoch), 86400L * c->twofa_remember_days);
		OPENSSL_cleanse(&k, sizeof(k));
	}
	mp_resp_cookie(r, w, PENDING_COOKIE, "", 0);
	if ((rc = mp_accounts_session_start(r, w, uid, mp_res_get(u, 0, 0),
	    mp_res_get(u, 0, 1), role)) != MP_OK)
		return rc;
	if (enroll)
		return codes_page(r, w, codes, next);
	return mp_resp_redirect(w, 303, next);
}
