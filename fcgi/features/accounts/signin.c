/* Accounts: sign in and out, password reset and change, API tokens, "this wasn't me". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ClearSilver.h>
#include <json-c/json.h>

#include "features/accounts/extern.h"
#include "features/audit/audit.h"
#include "features/twofa/twofa.h"

#define DEVICE_COOKIE	"__Host-mp_device"
#define DEVICE_MAXAGE	(400L * 86400)	/* the most browsers keep */
#define TOKEN_PREFIX	"mpt_"

enum {
	AC_USER_BY_EMAIL,
	AC_FAILURES,
	AC_ATTEMPT,
	AC_SESSION_NEW,
	AC_REVOKE_BY_HASH,
	AC_REHASH,
	AC_DEVICE_SEEN,
	AC_NETWORK_SEEN,
	AC_DEVICE_UPSERT,
	AC_DEVICE_ALERTED,
	AC_EVENT,
	AC_NOTME_NEW,
	AC_NOTME_GET,
	AC_NOTME_USE,
	AC_END_USER_SESSIONS,
	AC_LOGOUT,
	AC_RESET_NEW,
	AC_RESET_GET,
	AC_RESET_USE,
	AC_SET_PASSWORD,
	AC_USER_BY_ID,
	AC_TOKENS,
	AC_TOKEN_NEW,
	AC_TOKEN_REVOKE,
	AC_DEVICE_OF_ACCOUNT,
	AC_TOKENS_REVOKE_ALL,
	AC_RESETS_VOID,
	AC_RESETS_RECENT,
	AC_USER_LOCK,
	AC__MAX
};

static const struct mp_stmt stmts[] = {
	[AC_USER_BY_EMAIL] = { "ac_user_by_email",
	    "SELECT id, password_hash, role, name FROM users"
	    " WHERE email = lower($1) AND status = 'active'" },
	/* Failures in the window for this account and for this address. */
	[AC_FAILURES] = { "ac_failures",
	    "SELECT count(*) FILTER (WHERE email_hash = $1),"
	    " count(*) FILTER (WHERE ip = $2::inet)"
	    " FROM login_attempts WHERE NOT succeeded"
	    " AND created_at > now() - make_interval(secs => $3::int)"
	    " AND (email_hash = $1 OR ip = $2::inet)" },
	[AC_ATTEMPT] = { "ac_attempt",
	    "INSERT INTO login_attempts (tenant_id, email_hash, ip, succeeded)"
	    " VALUES (mp_tenant(), $1, $2::inet, $3)" },
	[AC_SESSION_NEW] = { "ac_session_new",
	    "INSERT INTO user_sessions (tenant_id, public_id, user_id,"
	    " token_hash, csrf_token, expires_at, idle_timeout, ip,"
	    " user_agent, browser, browser_version, os, device_type,"
	    " device_id_hash) VALUES (mp_tenant(), $1, $2, $3, $4,"
	    " now() + make_interval(secs => $5::int),"
	    " make_interval(secs => $6::int), $7::inet, $8, $9, $10, $11,"
	    " $12, $13) RETURNING id" },
	[AC_REVOKE_BY_HASH] = { "ac_revoke_by_hash",
	    "UPDATE user_sessions SET revoked_at = now(), revoked_reason = $2"
	    " WHERE token_hash = $1 AND revoked_at IS NULL" },
	[AC_REHASH] = { "ac_rehash",
	    "UPDATE users SET password_hash = $2 WHERE id = $1" },
	[AC_DEVICE_SEEN] = { "ac_device_seen",
	    "SELECT EXISTS (SELECT 1 FROM known_devices WHERE user_id = $1"
	    " AND device_id_hash = $2)" },
	/* A /24 (IPv4) or /48 (IPv6) this user signed in from before. */
	[AC_NETWORK_SEEN] = { "ac_network_seen",
	    "SELECT count(*) FILTER (WHERE ip IS NOT NULL AND"
	    " network(set_masklen($2::inet, CASE family($2::inet) WHEN 4"
	    " THEN 24 ELSE 48 END)) >>= ip), count(*)"
	    " FROM user_sessions WHERE user_id = $1 AND id <> $3" },
	[AC_DEVICE_UPSERT] = { "ac_device_upsert",
	    "INSERT INTO known_devices (tenant_id, user_id, device_id_hash)"
	    " VALUES (mp_tenant(), $1, $2) ON CONFLICT (tenant_id, user_id,"
	    " device_id_hash) DO UPDATE SET last_seen_at = now()"
	    " RETURNING last_alert_at IS NULL"
	    " OR last_alert_at < now() - interval '1 day'" },
	[AC_DEVICE_ALERTED] = { "ac_device_alerted",
	    "UPDATE known_devices SET last_alert_at = now()"
	    " WHERE user_id = $1 AND device_id_hash = $2" },
	[AC_EVENT] = { "ac_event",
	    "INSERT INTO security_events (tenant_id, user_id, session_id,"
	    " kind, ip, user_agent) VALUES (mp_tenant(), $1, $2, $3,"
	    " $4::inet, $5)" },
	[AC_NOTME_NEW] = { "ac_notme_new",
	    "INSERT INTO not_me_tokens (tenant_id, token_hash, user_id,"
	    " session_id, expires_at) VALUES (mp_tenant(), $1, $2, $3,"
	    " now() + interval '7 days')" },
	[AC_NOTME_GET] = { "ac_notme_get",
	    "SELECT s.browser, s.browser_version, s.os, host(s.ip),"
	    " to_char(s.created_at AT TIME ZONE 'UTC',"
	    " 'YYYY-MM-DD HH24:MI \"UTC\"')"
	    " FROM not_me_tokens n JOIN user_sessions s"
	    " ON s.tenant_id = n.tenant_id AND s.id = n.session_id"
	    " WHERE n.token_hash = $1 AND n.used_at IS NULL"
	    " AND n.expires_at > now()" },
	[AC_NOTME_USE] = { "ac_notme_use",
	    "UPDATE not_me_tokens SET used_at = now() WHERE token_hash = $1"
	    " AND used_at IS NULL AND expires_at > now()"
	    " RETURNING user_id, session_id" },
	/* Every live session of a user, except $3 when it is not NULL. */
	[AC_END_USER_SESSIONS] = { "ac_end_user_sessions",
	    "UPDATE user_sessions SET revoked_at = now(), revoked_reason = $2"
	    " WHERE user_id = $1 AND revoked_at IS NULL"
	    " AND ($3::bigint IS NULL OR id <> $3::bigint)" },
	[AC_LOGOUT] = { "ac_logout",
	    "UPDATE user_sessions SET revoked_at = now(),"
	    " revoked_reason = 'signed_out' WHERE id = $1"
	    " AND revoked_at IS NULL" },
	[AC_RESET_NEW] = { "ac_reset_new",
	    "INSERT INTO password_resets (tenant_id, user_id, token_hash,"
	    " expires_at) VALUES (mp_tenant(), $1, $2,"
	    " now() + interval '1 hour')" },
	[AC_RESET_GET] = { "ac_reset_get",
	    "SELECT u.email FROM password_resets r JOIN users u"
	    " ON u.tenant_id = r.tenant_id AND u.id = r.user_id"
	    " WHERE r.token_hash = $1 AND r.used_at IS NULL"
	    " AND r.expires_at > now()" },
	[AC_RESET_USE] = { "ac_reset_use",
	    "UPDATE password_resets SET used_at = now() WHERE token_hash = $1"
	    " AND used_at IS NULL AND expires_at > now() RETURNING user_id" },
	[AC_SET_PASSWORD] = { "ac_set_password",
	    "UPDATE users SET password_hash = $2, password_changed_at = now()"
	    " WHERE id = $1" },
	[AC_USER_BY_ID] = { "ac_user_by_id",
	    "SELECT password_hash, email, name, role,"
	    " to_char(created_at, 'YYYY-MM-DD') FROM users WHERE id = $1" },
	[AC_TOKENS] = { "ac_tokens",
	    "SELECT public_id, name, prefix, to_char(created_at, 'YYYY-MM-DD'),"
	    " coalesce(to_char(last_used_at, 'YYYY-MM-DD'), 'never')"
	    " FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL"
	    " ORDER BY created_at DESC" },
	[AC_TOKEN_NEW] = { "ac_token_new",
	    "INSERT INTO api_tokens (tenant_id, public_id, user_id, name,"
	    " token_hash, prefix) VALUES (mp_tenant(), $1, $2, $3, $4, $5)" },
	[AC_TOKEN_REVOKE] = { "ac_token_revoke",
	    "UPDATE api_tokens SET revoked_at = now() WHERE public_id = $1"
	    " AND user_id = $2 AND revoked_at IS NULL RETURNING id" },
	/* Has this browser signed in to the account of email $1 before? */
	[AC_DEVICE_OF_ACCOUNT] = { "ac_device_of_account",
	    "SELECT EXISTS (SELECT 1 FROM known_devices k JOIN users u"
	    " ON u.tenant_id = k.tenant_id AND u.id = k.user_id"
	    " WHERE u.email = $1 AND k.device_id_hash = $2)" },
	[AC_TOKENS_REVOKE_ALL] = { "ac_tokens_revoke_all",
	    "WITH r AS (UPDATE api_tokens SET revoked_at = now()"
	    " WHERE user_id = $1 AND revoked_at IS NULL RETURNING 1)"
	    " SELECT count(*) FROM r" },
	[AC_RESETS_VOID] = { "ac_resets_void",
	    "UPDATE password_resets SET used_at = now() WHERE user_id = $1"
	    " AND used_at IS NULL" },
	[AC_RESETS_RECENT] = { "ac_resets_recent",
	    "SELECT count(*) FROM password_resets WHERE user_id = $1"
	    " AND created_at > now() - interval '1 hour'" },
	/* One reset job of a user at a time: the count then the link. */
	[AC_USER_LOCK] = { "ac_user_lock",
	    "SELECT 1 FROM users WHERE id = $1 FOR UPDATE" },
};

_Static_assert(sizeof(stmts) / sizeof(stmts[0]) == AC__MAX,
    "account statements and enum differ");

MP_STMT_TABLE(mp_accounts_st, stmts);

/*
 * Where to go after signing in: a path of this site made of the
 * characters a path and query need, never another site.  Browsers drop
 * tabs and newlines and read a backslash as a slash, so "/\t/evil" and
 * "/\\evil" would leave the site: any control byte, space, backslash or
 * non-ASCII byte refuses the whole value, and so does an encoded slash
 * or backslash (%2f, %5c), which some servers decode again.
 */
static const char *
safe_next(const char *next)
{
	static const char	 ok[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/?=&+,;:@!$*()'%#";
	const char		*s;

	if (next == NULL || next[0] != '/' || next[1] == '/' ||
	    strlen(next) > 1000)
		return "/account";
	for (s = next; *s != '\0'; s++) {
		if (strchr(ok, *s) == NULL)
			return "/account";
		if (*s == '%' && (strncasecmp(s, "%2f", 3) == 0 ||
		    strncasecmp(s, "%5c", 3) == 0))
			return "/account";
	}
	return next;
}

/*
 * The form of an address that accounts are stored and counted under:
 * the validator admits ASCII only, so lower-casing bytes is enough.
 */
static char *
email_key(struct mp_arena *a, const struct mp_value *email)
{
	char	*k = mp_strndup(a, email->s, email->len);
	char	*c;

	for (c = k; *c != '\0'; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	return k;
}

/*
 * Ends a user's sessions (except keep, when not NULL; none when reason
 * is NULL), revokes every API token and voids every unused reset link:
 * what "this wasn't me", a reset and a password change all do.
 * *tokens says how many tokens were revoked.
 */
static enum mp_err
lock_down(struct mp_ctx *ctx, const char *uid, const char *reason,
    const char *keep, int *tokens)
{
	const char	*p[3];
	struct mp_res	*res;
	enum mp_err	 rc;

	p[0] = uid;
	if (reason != NULL) {
		p[1] = reason;
		p[2] = keep;
		if ((rc = mp_q(ctx, &stmts[AC_END_USER_SESSIONS], 3, p,
		    NULL)) != MP_OK)
			return rc;
	}
	if ((rc = mp_q(ctx, &stmts[AC_TOKENS_REVOKE_ALL], 1, p, &res)) !=
	    MP_OK ||
	    (rc = mp_q(ctx, &stmts[AC_RESETS_VOID], 1, p, NULL)) != MP_OK)
		return rc;
	*tokens = mp_res_int(res, 0, 0);
	return MP_OK;
}

/*
 * The security notice after a password was changed (how says by which
 * way), naming what was ended and revoked.
 */
static enum mp_err
changed_mail(struct mp_ctx *ctx, const char *uid, const char *email,
    const char *name, const char *how, int sessions_ended, int tokens)
{
	struct _hdf	*hdf = mp_ctx_hdf(ctx);
	struct mp_mail	 m;

	mp_hdf_set(hdf, "Mail.Name", name);
	mp_hdf_set(hdf, "Mail.How", how);
	mp_hdf_setf(hdf, "Mail.SessionsEnded", "%d", sessions_ended);
	mp_hdf_setf(hdf, "Mail.TokensRevoked", "%d", tokens);
	mp_hdf_set(hdf, "Mail.ForgotUrl", mp_printf(ctx->a,
	    "%s/password/forgot", mp_origin(ctx)));
	memset(&m, 0, sizeof(m));
	m.to = email;
	m.to_name = name;
	m.subject = mp_printf(ctx->a, "Your %s password was changed",
	    ctx->tenant->name);
	m.tpl = "account/password_changed";
	m.data = hdf;
	m.category = "transactional";
	m.priority = 1;
	m.user_id = strtoll(uid, NULL, 10);
	return mp_mail_queue(ctx, &m, NULL);
}

/* What the page says of the tokens lock_down revoked. */
static const char *
tokens_sentence(struct mp_arena *a, int n)
{
	if (n == 0)
		return "";
	return mp_printf(a, " %s API token%s of your account %s revoked: "
	    "create new ones for your scripts.", n == 1 ? "The" : mp_printf(a,
	    "All %d", n), n == 1 ? "" : "s", n == 1 ? "was" : "were");
}

static void
set_notice(struct _hdf *hdf, const char *title, const char *msg)
{
	mp_hdf_set(hdf, "Notice.Title", title);
	mp_hdf_set(hdf, "Notice.Message", msg);
}

static enum mp_err
event(struct mp_req *r, const char *user_id, const char *session_id,
    const char *kind)
{
	const char	*p[5];

	/* The user the event concerns sees it in their security history. */
	mp_audit_subject(&r->ctx, user_id);
	mp_audit_detail(&r->ctx, "event", kind);
	p[0] = user_id;
	p[1] = session_id;
	p[2] = kind;
	p[3] = r->remote_addr;
	p[4] = r->user_agent;
	return mp_q(&r->ctx, &stmts[AC_EVENT], 5, p, NULL);
}

/*
 * Queue the "new sign-in" alert with its "this wasn't me" link, unless
 * this device was alerted on in the last day.  Same transaction as the
 * sign-in, so both happen or neither.
 */
static enum mp_err
alert_new_sign_in(struct mp_req *r, const char *uid, const char *email,
    const char *name, const char *sid, const char *devhash,
    const struct mp_ua *ua)
{
	const char	*p[3];
	struct mp_res	*res;
	struct mp_mail	 m;
	struct _hdf	*hdf;
	char		*tok;
	enum mp_err	 rc;

	p[0] = uid;
	p[1] = devhash;
	if ((rc = mp_q(&r->ctx, &stmts[AC_DEVICE_UPSERT], 2, p, &res)) != MP_OK)
		return rc;
	if (!mp_res_bool(res, 0, 0))
		return MP_OK;
	if ((rc = mp_q(&r->ctx, &stmts[AC_DEVICE_ALERTED], 2, p, NULL)) != MP_OK ||
	    (rc = event(r, uid, sid, "new_sign_in")) != MP_OK)
		return rc;
	mp_audit_detail(&r->ctx, "alert", "new_device");
	tok = mp_token(r->ctx.a, 32);
	p[0] = mp_sha256_hex(r->ctx.a, tok, strlen(tok));
	p[1] = uid;
	p[2] = sid;
	if ((rc = mp_q(&r->ctx, &stmts[AC_NOTME_NEW], 3, p, NULL)) != MP_OK)
		return rc;
	hdf = mp_hdf(r);
	mp_hdf_set(hdf, "Mail.Name", name);
	mp_hdf_set(hdf, "Mail.Browser", ua->browser);
	mp_hdf_set(hdf, "Mail.Version", ua->version);
	mp_hdf_set(hdf, "Mail.Os", ua->os);
	mp_hdf_set(hdf, "Mail.Ip", r->remote_addr);
	mp_hdf_set(hdf, "Mail.NotMeUrl", mp_printf(r->ctx.a,
	    "%s/account/not-me/%s", mp_origin(&r->ctx), tok));
	memset(&m, 0, sizeof(m));
	m.to = email;
	m.to_name = name;
	m.subject = mp_printf(r->ctx.a, "New sign-in to your %s account",
	    r->ctx.tenant->name);
	m.tpl = "account/new_sign_in";
	m.data = hdf;
	m.category = "transactional";
	m.priority = 2;
	m.user_id = strtoll(uid, NULL, 10);
	return mp_mail_queue(&r->ctx, &m, NULL);
}

/*
 * Start a session for user uid: a fresh 256-bit token (its hash stored),
 * the old session of this browser ended (rotation), the device cookie
 * set when missing, and the new-sign-in check.  Sets the cookie on w.
 */
static enum mp_err
start_session(struct mp_req *r, struct mp_resp *w, const char *uid,
    const char *email, const char *name, enum mp_role role)
{
	const struct mp_config	*cfg = r->ctx.cfg;
	const char		*p[13], *old, *dev, *devhash;
	struct mp_res		*res;
	struct mp_ua		 ua;
	char			*tok, *sid;
	int			 staff = role >= MP_ROLE_SUPPORT;
	int			 known_dev, known_net, earlier;
	enum mp_err		 rc;

	if ((old = mp_req_cookie(r, MP_SESSION_COOKIE)) != NULL) {
		p[0] = mp_sha256_hex(r->ctx.a, old, strlen(old));
		p[1] = "rotated";
		if ((rc = mp_q(&r->ctx, &stmts[AC_REVOKE_BY_HASH], 2, p, NULL)) !=
		    MP_OK)
			return rc;
	}
	dev = mp_req_cookie(r, DEVICE_COOKIE);
	if (dev == NULL || strlen(dev) < 32 || strlen(dev) > 64) {
		dev = mp_token(r->ctx.a, 32);
		mp_resp_cookie(r, w, DEVICE_COOKIE, dev, DEVICE_MAXAGE);
	}
	devhash = mp_sha256_hex(r->ctx.a, dev, strlen(dev));
	mp_ua_parse(r->user_agent, &ua);
	tok = mp_token(r->ctx.a, 32);
	p[0] = mp_token(r->ctx.a, 16);
	p[1] = uid;
	p[2] = mp_sha256_hex(r->ctx.a, tok, strlen(tok));
	p[3] = mp_token(r->ctx.a, 32);
	p[4] = mp_printf(r->ctx.a, "%d", staff ? mp_accounts_conf(cfg)->session_absolute_staff :
	    mp_accounts_conf(cfg)->session_absolute_customer);
	p[5] = mp_printf(r->ctx.a, "%d", staff ? mp_accounts_conf(cfg)->session_idle_staff :
	    mp_accounts_conf(cfg)->session_idle_customer);
	p[6] = r->remote_addr;
	p[7] = r->user_agent ? mp_strndup(r->ctx.a, r->user_agent, 512) : NULL;
	p[8] = ua.browser;
	p[9] = ua.version;
	p[10] = ua.os;
	p[11] = mp_device_name(ua.device);
	p[12] = devhash;
	if ((rc = mp_q(&r->ctx, &stmts[AC_SESSION_NEW], 13, p, &res)) != MP_OK)
		return rc;
	sid = mp_strdup(r->ctx.a, mp_res_get(res, 0, 0));
	mp_audit_subject(&r->ctx, uid);
	mp_audit_resource(&r->ctx, "session", p[0]);
	mp_audit_detail(&r->ctx, "device", mp_printf(r->ctx.a, "%s%s%s on %s "
	    "(%s)", ua.browser, ua.version[0] ? " " : "", ua.version, ua.os,
	    mp_device_name(ua.device)));

	p[0] = uid;
	p[1] = devhash;
	if ((rc = mp_q(&r->ctx, &stmts[AC_DEVICE_SEEN], 2, p, &res)) != MP_OK)
		return rc;
	known_dev = mp_res_bool(res, 0, 0);
	p[1] = r->remote_addr ? r->remote_addr : "0.0.0.0";
	p[2] = sid;
	if ((rc = mp_q(&r->ctx, &stmts[AC_NETWORK_SEEN], 3, p, &res)) != MP_OK)
		return rc;
	known_net = mp_res_int(res, 0, 0) > 0;
	earlier = mp_res_int(res, 0, 1) > 0;
	/* A first sign-in ever has nothing to compare with: no alert. */
	if (earlier && !known_dev && !known_net)
		rc = alert_new_sign_in(r, uid, email, name, sid, devhash, &ua);
	else {
		p[0] = uid;
		p[1] = devhash;
		rc = mp_q(&r->ctx, &stmts[AC_DEVICE_UPSERT], 2, p, NULL);
	}
	if (rc != MP_OK)
		return rc;
	mp_resp_cookie(r, w, MP_SESSION_COOKIE, tok, -1);
	return MP_OK;
}

static enum mp_err
login_page(struct mp_req *r, struct mp_resp *w, int status, const char *err,
    const char *email)
{
	struct _hdf	*hdf = mp_hdf(r);
	const char	*next = mp_req_query(r, "next");

	if (next == NULL)
		next = mp_req_form(r, "next");
	mp_hdf_set(hdf, "Page.Title", "Sign in");
	mp_hdf_set(hdf, "Page.NoIndex", "1");
	mp_hdf_set(hdf, "Login.Next", safe_next(next));
	mp_hdf_set(hdf, "Login.Email", email);
	mp_hdf_set(hdf, "Login.Error", err);
	if (mp_req_query(r, "reset") != NULL)
		mp_hdf_set(hdf, "Login.Notice", "Your password was changed, "
		    "every session of your account was ended and its API "
		    "tokens were revoked. Sign in with the new password.");
	if (mp_req_query(r, "bye") != NULL)
		mp_hdf_set(hdf, "Login.Notice", "You are signed out.");
	mp_resp_header(w, "Cache-Control", "no-store");
	mp_hdf_csrf(r, hdf);
	return mp_render(r, w, status, "account/login.cs", hdf);
}

/* GET /login */
enum mp_err
mp_login_form(struct mp_req *r, struct mp_resp *w)
{
	if (r->user != NULL)
		return mp_resp_redirect(w, 303, "/account");
	return login_page(r, w, 200, NULL, NULL);
}

/*
 * POST /login: throttled per account and per address before the
 * password is even looked at; unknown accounts cost a hash too and get
 * the same sentence, so neither the answer nor its time tells them apart.
 * The attempt is recorded in the same transaction as its outcome.
 */
enum mp_err
mp_login(struct mp_req *r, struct mp_resp *w)
{
	static const char	 dummy[] = "scrypt$32768$8$3$"
	    "AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	const struct mp_value	*email = mp_req_val(r, "email");
	const struct mp_value	*pw = mp_req_val(r, "password");
	const struct mp_accounts_conf *conf = mp_accounts_conf(r->ctx.cfg);
	const char		*p[3], *hash, *ehash, *key, *dev, *next;
	struct mp_res		*res, *u;
	int			 ok, rehash = 0, held, second;
	enum mp_err		 rc;

	/* Counted and looked up under one form, whatever the case typed. */
	key = email_key(r->ctx.a, email);
	ehash = mp_sha256_hex(r->ctx.a, key, strlen(key));
	p[0] = ehash;
	p[1] = r->remote_addr;
	p[2] = mp_printf(r->ctx.a, "%d", conf->login_window);
	if ((rc = mp_q(&r->ctx, &stmts[AC_FAILURES], 3, p, &res)) != MP_OK)
		return rc;
	held = mp_res_int(res, 0, 0) >= conf->login_max_failures;
	/*
	 * The address's limit holds unknown browsers only: one that signed
	 * in to this account before keeps its way in when a scanner behind
	 * the same address is refused.
	 */
	if (!held && mp_res_int(res, 0, 1) >= conf->login_max_failures * 5) {
		held = 1;
		dev = mp_req_cookie(r, DEVICE_COOKIE);
		if (dev != NULL && strlen(dev) >= 32 && strlen(dev) <= 64) {
			p[0] = key;
			p[1] = mp_sha256_hex(r->ctx.a, dev, strlen(dev));
			if ((rc = mp_q(&r->ctx, &stmts[AC_DEVICE_OF_ACCOUNT], 2,
			    p, &res)) != MP_OK)
				return rc;
			held = !mp_res_bool(res, 0, 0);
		}
	}
	if (held) {
		mp_audit_detail(&r->ctx, "refused", "throttled");
		mp_resp_header(w, "Retry-After", mp_printf(r->ctx.a, "%d",
		    conf->login_window));
		return login_page(r, w, 429, mp_printf(r->ctx.a, "Too many "
		    "failed sign-ins. Wait %d minutes and try again, or reset "
		    "your password.", (conf->login_window + 59) / 60),
		    email->s);
	}
	p[0] = key;
	if ((rc = mp_q(&r->ctx, &stmts[AC_USER_BY_EMAIL], 1, p, &u)) != MP_OK)
		return rc;
	hash = mp_res_rows(u) ? mp_res_get(u, 0, 1) : dummy;
	ok = mp_password_verify(pw->s, hash, &rehash) && mp_res_rows(u) > 0;
	p[0] = ehash;
	p[1] = r->remote_addr;
	p[2] = ok ? "true" : "false";
	if ((rc = mp_q(&r->ctx, &stmts[AC_ATTEMPT], 3, p, NULL)) != MP_OK)
		return rc;
	if (!ok) {
		/* The account's owner sees failed attempts on it. */
		if (mp_res_rows(u) > 0)
			mp_audit_subject(&r->ctx, mp_res_get(u, 0, 0));
		mp_audit_detail(&r->ctx, "refused", "bad_credentials");
		/* Keep the failure on record: commit, then show the form. */
		rc = login_page(r, w, 401, "The email address or password is "
		    "not right.", email->s);
		return rc;
	}
	if (rehash) {
		p[0] = mp_res_get(u, 0, 0);
		p[1] = mp_password_hash(r->ctx.a, pw->s);
		if ((rc = mp_q(&r->ctx, &stmts[AC_REHASH], 2, p, NULL)) != MP_OK)
			return rc;
	}
	/* Two-factor sign-in may hold the session back for its second step. */
	next = safe_next(mp_req_form(r, "next"));
	if ((rc = mp_twofa_gate(r, w, mp_res_get(u, 0, 0),
	    mp_role_parse(mp_res_get(u, 0, 2)), &next, &second)) != MP_OK ||
	    second)
		return rc;
	if ((rc = start_session(r, w, mp_res_get(u, 0, 0), key,
	    mp_res_get(u, 0, 3), mp_role_parse(mp_res_get(u, 0, 2)))) !=
	    MP_OK)
		return rc;
	return mp_resp_redirect(w, 303, next);
}

/* POST /logout */
enum mp_err
mp_logout(struct mp_req *r, struct mp_resp *w)
{
	const char	*p[1];
	enum mp_err	 rc;

	if (r->sess != NULL && r->sess->id_text != NULL) {
		mp_audit_resource(&r->ctx, "session", r->sess->public_id);
		p[0] = r->sess->id_text;
		if ((rc = mp_q(&r->ctx, &stmts[AC_LOGOUT], 1, p, NULL)) != MP_OK)
			return rc;
	}
	mp_resp_cookie(r, w, MP_SESSION_COOKIE, "", 0);
	return mp_resp_redirect(w, 303, "/login?bye=1");
}

/* GET /password/forgot */
enum mp_err
mp_forgot_form(struct mp_req *r, struct mp_resp *w)
{
	struct _hdf	*hdf = mp_hdf(r);

	mp_hdf_set(hdf, "Page.Title", "Forgotten password");
	mp_hdf_set(hdf, "Page.NoIndex", "1");
	mp_hdf_csrf(r, hdf);
	return mp_render(r, w, 200, "account/forgot.cs", hdf);
}

/*
 * POST /password/forgot.  Whether the account exists is decided by the
 * accounts.reset_mail job, never here: the request costs one queued job
 * and says the same sentence for any address, so neither its answer nor
 * its time tells a real account from an unknown one.
 */
enum mp_err
mp_forgot(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*email = mp_req_val(r, "email");
	struct _hdf		*hdf = mp_hdf(r);
	struct json_object	*payload;
	struct mp_job_spec	 js;
	enum mp_err		 rc;

	payload = json_object_new_object();
	mp_json_own(r->ctx.a, payload);
	json_object_object_add(payload, "email",
	    json_object_new_string(email_key(r->ctx.a, email)));
	memset(&js, 0, sizeof(js));
	js.kind = "accounts.reset_mail";
	js.queue = "tx";
	js.priority = 1;
	js.payload = payload;
	if ((rc = mp_job_enqueue(&r->ctx, &js, NULL)) != MP_OK)
		return rc;
	mp_hdf_set(hdf, "Page.Title", "Check your email");
	set_notice(hdf, "Check your email", "If an account exists for that "
	    "address, we have sent a link to reset its password. The link "
	    "works once, for one hour.");
	return mp_render(r, w, 200, "account/notice.cs", hdf);
}

/*
 * The accounts.reset_mail job: a single-use link valid for an hour to an
 * active account of that address, at most reset_mails_per_hour of them
 * an hour; nothing for an unknown address.
 */
enum mp_err
mp_accounts_job_reset_mail(struct mp_job *j)
{
	struct mp_ctx		*ctx = &j->ctx;
	struct json_object	*jv;
	const char		*p[2], *email, *uid;
	struct mp_res		*u, *res;
	struct _hdf		*hdf;
	struct mp_mail		 m;
	char			*tok;
	enum mp_err		 rc;

	if (!json_object_object_get_ex(j->payload, "email", &jv) ||
	    (email = json_object_get_string(jv)) == NULL) {
		j->permanent = 1;
		j->error = "payload has no email";
		return MP_EINPUT;
	}
	p[0] = email;
	if ((rc = mp_q(ctx, &stmts[AC_USER_BY_EMAIL], 1, p, &u)) != MP_OK)
		return rc;
	if (mp_res_rows(u) == 0)
		return MP_OK;
	uid = mp_strdup(ctx->a, mp_res_get(u, 0, 0));
	p[0] = uid;
	/* The count is read after the lock, so jobs beside it are counted. */
	if ((rc = mp_q(ctx, &stmts[AC_USER_LOCK], 1, p, NULL)) != MP_OK ||
	    (rc = mp_q(ctx, &stmts[AC_RESETS_RECENT], 1, p, &res)) != MP_OK)
		return rc;
	if (mp_res_int(res, 0, 0) >=
	    mp_accounts_conf(ctx->cfg)->reset_mails_per_hour) {
		mp_info("reset mail for user %s not sent: hourly limit", uid);
		return MP_OK;
	}
	if ((rc = mp_tenant_fill(ctx)) != MP_OK)
		return rc;
	tok = mp_token(ctx->a, 32);
	p[1] = mp_sha256_hex(ctx->a, tok, strlen(tok));
	if ((rc = mp_q(ctx, &stmts[AC_RESET_NEW], 2, p, NULL)) != MP_OK)
		return rc;
	hdf = mp_ctx_hdf(ctx);
	mp_hdf_set(hdf, "Mail.Name", mp_res_get(u, 0, 3));
	mp_hdf_set(hdf, "Mail.ResetUrl", mp_printf(ctx->a,
	    "%s/password/reset/%s", mp_origin(ctx), tok));
	memset(&m, 0, sizeof(m));
	m.to = email;
	m.to_name = mp_res_get(u, 0, 3);
	m.subject = mp_printf(ctx->a, "Reset your %s password",
	    ctx->tenant->name);
	m.tpl = "account/reset";
	m.data = hdf;
	m.category = "transactional";
	m.priority = 1;
	m.user_id = strtoll(uid, NULL, 10);
	return mp_mail_queue(ctx, &m, NULL);
}

static enum mp_err
reset_page(struct mp_req *r, struct mp_resp *w, int status, const char *err)
{
	const struct mp_capture	*tok = mp_req_cap(r, "token");
	struct _hdf		*hdf = mp_hdf(r);
	const char		*p[1];
	struct mp_res		*res;
	enum mp_err		 rc;

	p[0] = mp_sha256_hex(r->ctx.a, tok->s, tok->len);
	if ((rc = mp_q_one(&r->ctx, &stmts[AC_RESET_GET], 1, p, &res,
	    "This reset link has expired or was already used. "
	    "Ask for a new one.")) != MP_OK)
		return rc;
	mp_hdf_set(hdf, "Page.Title", "Choose a new password");
	mp_hdf_set(hdf, "Page.NoIndex", "1");
	mp_hdf_set(hdf, "Reset.Email", mp_res_get(res, 0, 0));
	mp_hdf_set(hdf, "Reset.Token", tok->s);
	mp_hdf_set(hdf, "Reset.Error", err);
	mp_resp_header(w, "Referrer-Policy", "no-referrer");
	mp_hdf_csrf(r, hdf);
	return mp_render(r, w, status, "account/reset.cs", hdf);
}

/* GET /password/reset/{token} */
enum mp_err
mp_reset_form(struct mp_req *r, struct mp_resp *w)
{
	return reset_page(r, w, 200, NULL);
}

/*
 * POST /password/reset/{token}: the token is spent in the same statement
 * that checks it, the password set, every session of the account ended,
 * its API tokens revoked and its other reset links voided, and the owner
 * told by mail.  A weak password shows the form again and spends
 * nothing.
 */
enum mp_err
mp_reset(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*tok = mp_req_cap(r, "token");
	const struct mp_value	*pw = mp_req_val(r, "password");
	const char		*p[2], *why, *uid;
	struct mp_res		*res, *u;
	int			 tokens;
	enum mp_err		 rc;

	if (mp_password_policy(pw->s, &why) != MP_OK)
		return reset_page(r, w, 422, mp_printf(r->ctx.a, "The password %s.",
		    why));
	p[0] = mp_sha256_hex(r->ctx.a, tok->s, tok->len);
	if ((rc = mp_q_one(&r->ctx, &stmts[AC_RESET_USE], 1, p, &res,
	    "This reset link has expired or was already used. "
	    "Ask for a new one.")) != MP_OK)
		return rc;
	uid = mp_strdup(r->ctx.a, mp_res_get(res, 0, 0));
	p[0] = uid;
	p[1] = mp_password_hash(r->ctx.a, pw->s);
	if ((rc = mp_q(&r->ctx, &stmts[AC_SET_PASSWORD], 2, p, NULL)) != MP_OK ||
	    (rc = lock_down(&r->ctx, uid, "password_reset", NULL, &tokens)) !=
	    MP_OK ||
	    (rc = event(r, uid, NULL, "password_reset")) != MP_OK ||
	    (rc = mp_q(&r->ctx, &stmts[AC_USER_BY_ID], 1, p, &u)) != MP_OK ||
	    (rc = changed_mail(&r->ctx, uid, mp_res_get(u, 0, 1),
	    mp_res_get(u, 0, 2), "reset", 1, tokens)) != MP_OK)
		return rc;
	mp_audit_severity(&r->ctx, "notice");
	mp_audit_detail(&r->ctx, "api_tokens_revoked", mp_printf(r->ctx.a,
	    "%d", tokens));
	mp_resp_cookie(r, w, MP_SESSION_COOKIE, "", 0);
	return mp_resp_redirect(w, 303, "/login?reset=1");
}

/*
 * The account page: profile, password change, API tokens.  created is
 * a token to show once (just made), err a message for the password form.
 */
static enum mp_err
account_page(struct mp_req *r, struct mp_resp *w, int status,
    const char *pwerr, const char *notice, const char *created)
{
	struct _hdf	*hdf = mp_hdf(r);
	const char	*p[1];
	struct mp_res	*u, *t;
	char		 key[64];
	int		 i;
	enum mp_err	 rc;

	p[0] = r->user->id_text;
	if ((rc = mp_q(&r->ctx, &stmts[AC_USER_BY_ID], 1, p, &u)) != MP_OK ||
	    (rc = mp_q(&r->ctx, &stmts[AC_TOKENS], 1, p, &t)) != MP_OK)
		return rc;
	mp_hdf_set(hdf, "Page.Title", "Your account");
	mp_hdf_set(hdf, "Account.Since", mp_res_get(u, 0, 4));
	mp_hdf_set(hdf, "Account.PasswordError", pwerr);
	mp_hdf_set(hdf, "Account.Notice", notice);
	mp_hdf_set(hdf, "Account.NewToken", created);
	for (i = 0; i < mp_res_rows(t); i++) {
		snprintf(key, sizeof(key), "Tokens.%d.Id", i);
		mp_hdf_set(hdf, key, mp_res_get(t, i, 0));
		snprintf(key, sizeof(key), "Tokens.%d.Name", i);
		mp_hdf_set(hdf, key, mp_res_get(t, i, 1));
		snprintf(key, sizeof(key), "Tokens.%d.Prefix", i);
		mp_hdf_set(hdf, key, mp_res_get(t, i, 2));
		snprintf(key, sizeof(key), "Tokens.%d.Created", i);
		mp_hdf_set(hdf, key, mp_res_get(t, i, 3));
		snprintf(key, sizeof(key), "Tokens.%d.LastUsed", i);
		mp_hdf_set(hdf, key, mp_res_get(t, i, 4));
	}
	return mp_render(r, w, status, "account/account.cs", hdf);
}

/* GET /account */
enum mp_err
mp_account(struct mp_req *r, struct mp_resp *w)
{
	const char	*msg = NULL, *done = mp_req_query(r, "done");
	const char	*nt = mp_req_query(r, "tokens");
	int		 tokens = nt != NULL ? atoi(nt) : 0;

	if (done != NULL && strcmp(done, "password") == 0)
		msg = mp_printf(r->ctx.a, "Your password was changed.%s",
		    tokens_sentence(r->ctx.a, tokens));
	else if (done != NULL && strcmp(done, "password-all") == 0)
		msg = mp_printf(r->ctx.a, "Your password was changed and every "
		    "other session was ended.%s",
		    tokens_sentence(r->ctx.a, tokens));
	else if (done != NULL && strcmp(done, "revoked") == 0)
		msg = "The API token was revoked.";
	return account_page(r, w, 200, NULL, msg, NULL);
}

/*
 * POST /account/password: needs the current password; offers to end
 * every other session (end_others=1), as the security reference asks.
 * The account's API tokens are revoked and its reset links voided
 * either way, and the owner is told by mail.
 */
enum mp_err
mp_account_password(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*cur = mp_req_val(r, "current_password");
	const struct mp_value	*pw = mp_req_val(r, "new_password");
	const struct mp_value	*others = mp_req_val(r, "end_others");
	const char		*p[2], *why, *uid = r->user->id_text;
	struct mp_res		*u;
	int			 tokens, all = others->present && others->i;
	enum mp_err		 rc;

	p[0] = uid;
	if ((rc = mp_q(&r->ctx, &stmts[AC_USER_BY_ID], 1, p, &u)) != MP_OK)
		return rc;
	if (!mp_password_verify(cur->s, mp_res_get(u, 0, 0), NULL)) {
		r->ctx.err_field = "current_password";
		return account_page(r, w, 422, "The current password is not "
		    "right.", NULL, NULL);
	}
	if (mp_password_policy(pw->s, &why) != MP_OK)
		return account_page(r, w, 422, mp_printf(r->ctx.a, "The new "
		    "password %s.", why), NULL, NULL);
	p[1] = mp_password_hash(r->ctx.a, pw->s);
	if ((rc = mp_q(&r->ctx, &stmts[AC_SET_PASSWORD], 2, p, NULL)) != MP_OK ||
	    (rc = event(r, uid, r->sess->id_text, "password_changed")) !=
	    MP_OK ||
	    (rc = lock_down(&r->ctx, uid, all ? "password_changed" : NULL,
	    r->sess->id_text, &tokens)) != MP_OK ||
	    (rc = changed_mail(&r->ctx, uid, mp_res_get(u, 0, 1),
	    mp_res_get(u, 0, 2), "account", all, tokens)) != MP_OK)
		return rc;
	mp_audit_severity(&r->ctx, "notice");
	mp_audit_detail(&r->ctx, "other_sessions_ended", all ? "yes" : "no");
	mp_audit_detail(&r->ctx, "api_tokens_revoked", mp_printf(r->ctx.a,
	    "%d", tokens));
	return mp_resp_redirect(w, 303, mp_printf(r->ctx.a,
	    "/account?done=%s&tokens=%d", all ? "password-all" : "password",
	    tokens));
}

/* POST /account/tokens: a new API token, shown once on the page. */
enum mp_err
mp_token_create(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*name = mp_req_val(r, "name");
	const char		*p[5];
	char			*tok;
	enum mp_err		 rc;

	tok = mp_printf(r->ctx.a, TOKEN_PREFIX "%s", mp_token(r->ctx.a, 32));
	p[0] = mp_token(r->ctx.a, 16);
	p[1] = r->user->id_text;
	p[2] = name->s;
	p[3] = mp_sha256_hex(r->ctx.a, tok, strlen(tok));
	p[4] = mp_strndup(r->ctx.a, tok, 10);
	mp_audit_resource(&r->ctx, "api_token", p[0]);
	mp_audit_detail(&r->ctx, "name", name->s);
	if ((rc = mp_q(&r->ctx, &stmts[AC_TOKEN_NEW], 5, p, NULL)) != MP_OK ||
	    (rc = event(r, r->user->id_text, r->sess->id_text,
	    "token_created")) != MP_OK)
		return rc;
	if (mp_req_wants_json(r) || r->json != NULL) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "id", json_object_new_string(p[0]));
		json_object_object_add(o, "name",
		    json_object_new_string(name->s));
		json_object_object_add(o, "token", json_object_new_string(tok));
		mp_resp_json(r, w, 201, o);
		json_object_put(o);
		return MP_OK;
	}
	return account_page(r, w, 201, NULL, "Copy the token now: it will "
	    "not be shown again.", tok);
}

/* POST /account/tokens/{id}/revoke */
enum mp_err
mp_token_revoke(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*id = mp_req_cap(r, "id");
	const char		*p[2];
	struct mp_res		*res;
	enum mp_err		 rc;

	p[0] = id->s;
	p[1] = r->user->id_text;
	mp_audit_resource(&r->ctx, "api_token", id->s);
	if ((rc = mp_q(&r->ctx, &stmts[AC_TOKEN_REVOKE], 2, p, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) == 0)
		return MP_ENOTFOUND;
	if ((rc = event(r, r->user->id_text, r->sess->id_text,
	    "token_revoked")) != MP_OK)
		return rc;
	return mp_resp_redirect(w, 303, "/account?done=revoked");
}

/* GET /account/not-me/{token}: what the link would do, and a button. */
enum mp_err
mp_not_me_form(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*tok = mp_req_cap(r, "token");
	struct _hdf		*hdf = mp_hdf(r);
	const char		*p[1];
	struct mp_res		*res;
	enum mp_err		 rc;

	p[0] = mp_sha256_hex(r->ctx.a, tok->s, tok->len);
	if ((rc = mp_q_one(&r->ctx, &stmts[AC_NOTME_GET], 1, p, &res,
	    "This link has expired or was already used.")) != MP_OK)
		return rc;
	mp_hdf_set(hdf, "Page.Title", "This wasn't me");
	mp_hdf_set(hdf, "Page.NoIndex", "1");
	mp_hdf_set(hdf, "NotMe.Token", tok->s);
	mp_hdf_set(hdf, "NotMe.Browser", mp_res_get(res, 0, 0));
	mp_hdf_set(hdf, "NotMe.Version", mp_res_get(res, 0, 1));
	mp_hdf_set(hdf, "NotMe.Os", mp_res_get(res, 0, 2));
	mp_hdf_set(hdf, "NotMe.Ip", mp_res_get(res, 0, 3));
	mp_hdf_set(hdf, "NotMe.When", mp_res_get(res, 0, 4));
	mp_resp_header(w, "Referrer-Policy", "no-referrer");
	mp_hdf_csrf(r, hdf);
	return mp_render(r, w, 200, "account/not_me.cs", hdf);
}

/*
 * POST /account/not-me/{token}: end every session of the account (the
 * suspicious one among them), revoke its API tokens, void older reset
 * links and send a new one, so whoever signed in is out and the owner
 * chooses a new password.
 */
enum mp_err
mp_not_me(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*tok = mp_req_cap(r, "token");
	const char		*p[2], *uid, *sid;
	struct mp_res		*res, *u;
	struct _hdf		*hdf = mp_hdf(r), *mh;
	struct mp_mail		 m;
	char			*reset;
	int			 tokens;
	enum mp_err		 rc;

	p[0] = mp_sha256_hex(r->ctx.a, tok->s, tok->len);
	if ((rc = mp_q_one(&r->ctx, &stmts[AC_NOTME_USE], 1, p, &res,
	    "This link has expired or was already used.")) != MP_OK)
		return rc;
	uid = mp_strdup(r->ctx.a, mp_res_get(res, 0, 0));
	sid = mp_strdup(r->ctx.a, mp_res_get(res, 0, 1));
	mp_audit_severity(&r->ctx, "critical");
	p[0] = uid;
	if ((rc = lock_down(&r->ctx, uid, "not_me", NULL, &tokens)) != MP_OK ||
	    (rc = event(r, uid, sid, "not_me")) != MP_OK ||
	    (rc = mp_q(&r->ctx, &stmts[AC_USER_BY_ID], 1, p, &u)) != MP_OK)
		return rc;
	reset = mp_token(r->ctx.a, 32);
	p[1] = mp_sha256_hex(r->ctx.a, reset, strlen(reset));
	if ((rc = mp_q(&r->ctx, &stmts[AC_RESET_NEW], 2, p, NULL)) != MP_OK)
		return rc;
	mh = mp_hdf(r);
	mp_hdf_set(mh, "Mail.Name", mp_res_get(u, 0, 2));
	mp_hdf_set(mh, "Mail.Secured", "1");
	mp_hdf_setf(mh, "Mail.TokensRevoked", "%d", tokens);
	mp_hdf_set(mh, "Mail.ResetUrl", mp_printf(r->ctx.a,
	    "%s/password/reset/%s", mp_origin(&r->ctx),
	    reset));
	memset(&m, 0, sizeof(m));
	m.to = mp_res_get(u, 0, 1);
	m.to_name = mp_res_get(u, 0, 2);
	m.subject = mp_printf(r->ctx.a, "Reset your %s password", r->ctx.tenant->name);
	m.tpl = "account/reset";
	m.data = mh;
	m.category = "transactional";
	m.priority = 1;
	m.user_id = strtoll(uid, NULL, 10);
	if ((rc = mp_mail_queue(&r->ctx, &m, NULL)) != MP_OK)
		return rc;
	mp_hdf_set(hdf, "Page.Title", "Your account is secured");
	set_notice(hdf, "Your account is secured", mp_printf(r->ctx.a,
	    "Every session of your account has been ended, including the one "
	    "you did not recognise.%s We have emailed you a link to choose a "
	    "new password.", tokens_sentence(r->ctx.a, tokens)));
	return mp_render(r, w, 200, "account/notice.cs", hdf);
}

/* The session start that two-factor sign-in calls after its second step. */
enum mp_err
mp_accounts_session_start(struct mp_req *r, struct mp_resp *w,
    const char *uid, const char *email, const char *name, enum mp_role role)
{
	return start_session(r, w, uid, email, name, role);
}
