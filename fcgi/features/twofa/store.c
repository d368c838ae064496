/* Two-factor data: a user's state, setting up, checking codes (no replay), backup codes, disabling, the tenant's staff policy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "features/twofa/extern.h"

enum {
	TS_STATE,
	TS_BEGIN,
	TS_ROW,
	TS_ENABLE,
	TS_STEP,
	TS_CODES_DEL,
	TS_CODES_NEW,
	TS_CODE_USE,
	TS_DISABLE,
	TS_EVENT,
	TS_PASSWORD,
	TS_POLICY,
	TS_USER_BY_EMAIL,
	TS_FAILURES,
	TS_FAILURE,
	TS_CLEAN_FAILURES,
	TS_CLEAN_PENDING,
	TS__MAX
};

static const struct mp_stmt stmts[] = {
	[TS_STATE] = { "tf_state",
	    "SELECT f.enabled_at IS NOT NULL AS enabled,"
	    " f.pending_sealed IS NOT NULL AS pending,"
	    " (SELECT count(*) FROM twofa_backup_codes c WHERE c.user_id = $1"
	    " AND c.used_at IS NULL) AS codes_left,"
	    " to_char(f.enabled_at AT TIME ZONE 'UTC',"
	    " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS enabled_at,"
	    " coalesce(p.staff_required, false) AS staff_required,"
	    " to_char(p.grace_until AT TIME ZONE 'UTC',"
	    " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS grace_until,"
	    " coalesce(p.grace_until <= now(), true) AS grace_over,"
	    " coalesce(f.remember_epoch, 0) AS epoch"
	    " FROM (SELECT 1) one"
	    " LEFT JOIN user_twofa f ON f.user_id = $1"
	    " LEFT JOIN tenant_twofa_policy p ON true", MP_STMT_READ },
	[TS_BEGIN] = { "tf_begin",
	    "INSERT INTO user_twofa (tenant_id, user_id, pending_sealed,"
	    " pending_at) VALUES (mp_tenant(), $1, $2, now())"
	    " ON CONFLICT (tenant_id, user_id) DO UPDATE SET"
	    " pending_sealed = EXCLUDED.pending_sealed, pending_at = now(),"
	    " updated_at = now()" },
	[TS_ROW] = { "tf_row",
	    "SELECT secret_sealed, pending_sealed, last_step FROM user_twofa"
	    " WHERE user_id = $1 FOR UPDATE" },
	/* The first code's step counts as used: it cannot sign in later. */
	[TS_ENABLE] = { "tf_enable",
	    "UPDATE user_twofa SET secret_sealed = pending_sealed,"
	    " enabled_at = now(), pending_sealed = NULL, pending_at = NULL,"
	    " last_step = $2, remember_epoch = remember_epoch + 1,"
	    " updated_at = now() WHERE user_id = $1 AND pending_sealed = $3"
	    " RETURNING 1" },
	[TS_STEP] = { "tf_step",
	    "UPDATE user_twofa SET last_step = $2, updated_at = now()"
	    " WHERE user_id = $1 AND enabled_at IS NOT NULL"
	    " AND last_step < $2 RETURNING 1" },
	[TS_CODES_DEL] = { "tf_codes_del",
	    "DELETE FROM twofa_backup_codes WHERE user_id = $1" },
	[TS_CODES_NEW] = { "tf_codes_new",
	    "INSERT INTO twofa_backup_codes (tenant_id, user_id, code_hash)"
	    " SELECT mp_tenant(), $1, h FROM unnest($2::text[]) h" },
	[TS_CODE_USE] = { "tf_code_use",
	    "UPDATE twofa_backup_codes SET used_at = now() WHERE user_id = $1"
	    " AND code_hash = $2 AND used_at IS NULL RETURNING id" },
	[TS_DISABLE] = { "tf_disable",
	    "UPDATE user_twofa SET secret_sealed = NULL, enabled_at = NULL,"
	    " pending_sealed = NULL, pending_at = NULL, last_step = 0,"
	    " remember_epoch = remember_epoch + 1, updated_at = now()"
	    " WHERE user_id = $1 RETURNING 1" },
	[TS_EVENT] = { "tf_event",
	    "INSERT INTO security_events (tenant_id, user_id, session_id,"
	    " kind, ip, user_agent, detail) VALUES (mp_tenant(), $1, $2,"
	    " 'twofa', $3::inet, $4, jsonb_build_object('action', $5::text))" },
	[TS_PASSWORD] = { "tf_password",
	    "SELECT password_hash FROM users WHERE id = $1", MP_STMT_READ },
	[TS_POLICY] = { "tf_policy",
	    "INSERT INTO tenant_twofa_policy (tenant_id, staff_required,"
	    " grace_until) VALUES (mp_tenant(), $1::boolean, CASE WHEN"
	    " $1::boolean THEN now() + make_interval(days => $2::int) END)"
	    " ON CONFLICT (tenant_id) DO UPDATE SET"
	    " staff_required = EXCLUDED.staff_required,"
	    " grace_until = EXCLUDED.grace_until, updated_at = now()" },
	[TS_USER_BY_EMAIL] = { "tf_user_by_email",
	    "SELECT id FROM users WHERE email = lower($1)", MP_STMT_READ },
	[TS_FAILURES] = { "tf_failures",
	    "SELECT count(*) FILTER (WHERE user_id = $1),"
	    " count(*) FILTER (WHERE device_hash = $2) FROM twofa_failures"
	    " WHERE created_at > now() - make_interval(secs => $3::int)"
	    " AND (user_id = $1 OR device_hash = $2)", MP_STMT_READ },
	[TS_FAILURE] = { "tf_failure",
	    "INSERT INTO twofa_failures (tenant_id, user_id, device_hash)"
	    " VALUES (mp_tenant(), $1, $2)" },
	/* Older than the largest window a setting allows: counted by nothing. */
	[TS_CLEAN_FAILURES] = { "tf_clean_failures",
	    "DELETE FROM twofa_failures"
	    " WHERE created_at < now() - interval '1 day'" },
	[TS_CLEAN_PENDING] = { "tf_clean_pending",
	    "DELETE FROM twofa_pending WHERE expires_at < now()" },
};

_Static_assert(sizeof(stmts) / sizeof(stmts[0]) == TS__MAX,
    "twofa statements and enum differ");

MP_STMT_TABLE(mp_twofa_store_st, stmts);

enum mp_err
mp_twofa_state(struct mp_ctx *ctx, const char *uid, enum mp_role role,
    struct mp_twofa_state *st)
{
	const char	*p[1] = { uid };
	struct mp_res	*res;
	enum mp_err	 rc;

	memset(st, 0, sizeof(*st));
	if ((rc = mp_q(ctx, &stmts[TS_STATE], 1, p, &res)) != MP_OK)
		return rc;
	st->enabled = mp_res_bool_by(res, 0, "enabled");
	st->pending = mp_res_bool_by(res, 0, "pending");
	st->codes_left = (int)mp_res_int_by(res, 0, "codes_left");
	if (mp_res_by(res, 0, "enabled_at") != NULL)
		st->enabled_at = mp_strdup(ctx->a,
		    mp_res_by(res, 0, "enabled_at"));
	st->required = role >= MP_ROLE_SUPPORT &&
	    mp_res_bool_by(res, 0, "staff_required");
	if (st->required && mp_res_by(res, 0, "grace_until") != NULL)
		st->required_by = mp_strdup(ctx->a,
		    mp_res_by(res, 0, "grace_until"));
	st->grace_over = mp_res_bool_by(res, 0, "grace_over");
	st->epoch = mp_res_int_by(res, 0, "epoch");
	return MP_OK;
}

char *
mp_twofa_uri(struct mp_arena *a, const char *issuer, const char *email,
    const char *secret)
{
	return mp_printf(a, "otpauth://totp/%s:%s?secret=%s&issuer=%s"
	    "&algorithm=SHA1&digits=%d&period=%d", mp_url_encode(a, issuer),
	    mp_url_encode(a, email), secret, mp_url_encode(a, issuer),
	    MP_TOTP_DIGITS, MP_TOTP_PERIOD);
}

char *
mp_twofa_qr_data_uri(struct mp_arena *a, const char *uri)
{
	struct mp_qr	*qr = mp_alloc(a, sizeof(*qr));
	char		*svg;

	if (mp_qr_encode(uri, strlen(uri), -1, qr) != MP_OK)
		return NULL;
	svg = mp_qr_svg(a, qr, 240);
	return mp_printf(a, "data:image/svg+xml;base64,%s",
	    mp_base64(a, svg, strlen(svg)));
}

/* Open a sealed secret of uid with the key its prefix names. */
static int
open_secret(struct mp_ctx *ctx, const char *uid, const char *sealed,
    unsigned char key[MP_TOTP_SECRET])
{
	struct mp_twofa_keys	 k;
	char			 kid[8];
	size_t			 n = strcspn(sealed, ".");
	int			 len;

	if (n == 0 || n >= sizeof(kid))
		return -1;
	memcpy(kid, sealed, n);
	kid[n] = '\0';
	if (mp_twofa_keys(ctx, kid, &k) != MP_OK)
		return -1;
	len = mp_unseal(&k, ctx->tenant->id, strtoll(uid, NULL, 10), sealed,
	    key, MP_TOTP_SECRET);
	OPENSSL_cleanse(&k, sizeof(k));
	return len == MP_TOTP_SECRET ? 0 : -1;
}

enum mp_err
mp_twofa_begin(struct mp_ctx *ctx, const char *uid, const char *email,
    char **secret, char **uri)
{
	struct mp_twofa_keys	 k;
	unsigned char		 raw[MP_TOTP_SECRET];
	const char		*p[2];
	enum mp_err		 rc;

	if ((rc = mp_twofa_keys(ctx, NULL, &k)) != MP_OK)
		return rc;
	mp_random(raw, sizeof(raw));
	p[0] = uid;
	p[1] = mp_seal(ctx->a, &k, ctx->tenant->id, strtoll(uid, NULL, 10),
	    raw, sizeof(raw));
	OPENSSL_cleanse(&k, sizeof(k));
	if (p[1] == NULL)
		return MP_ESYS;
	*secret = mp_base32(ctx->a, raw, sizeof(raw));
	OPENSSL_cleanse(raw, sizeof(raw));
	*uri = mp_twofa_uri(ctx->a, ctx->tenant->name, email, *secret);
	return mp_q(ctx, &stmts[TS_BEGIN], 2, p, NULL);
}

enum mp_err
mp_twofa_pending(struct mp_ctx *ctx, const char *uid, const char *email,
    char **secret, char **uri)
{
	unsigned char	 raw[MP_TOTP_SECRET];
	const char	*p[1] = { uid };
	struct mp_res	*res;
	enum mp_err	 rc;

	if ((rc = mp_q(ctx, &stmts[TS_ROW], 1, p, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) == 0 || mp_res_isnull(res, 0, 1))
		return mp_fail(ctx, MP_ECONFLICT, NULL, "No two-factor setup "
		    "is in progress. Start again.");
	if (open_secret(ctx, uid, mp_res_get(res, 0, 1), raw) != 0)
		return MP_ESYS;
	*secret = mp_base32(ctx->a, raw, sizeof(raw));
	OPENSSL_cleanse(raw, sizeof(raw));
	*uri = mp_twofa_uri(ctx->a, ctx->tenant->name, email, *secret);
	return MP_OK;
}

static char *
code_hash(struct mp_ctx *ctx, const char *uid, const char *code)
{
	char	*s = mp_printf(ctx->a, "%s:%s:%s", ctx->tenant->id_text, uid,
	    code);

	return mp_sha256_hex(ctx->a, s, strlen(s));
}

/* Replace uid's backup codes with ten new ones; *codes for showing once. */
enum mp_err
mp_twofa_new_codes(struct mp_ctx *ctx, const char *uid, char ***codes)
{
	struct mp_buf	 arr;
	const char	*p[2];
	char		**c = mp_calloc(ctx->a, MP_BACKUP_CODES + 1, sizeof(*c));
	enum mp_err	 rc;
	int		 i;

	mp_buf_init(&arr, 0);
	mp_buf_putc(&arr, '{');
	for (i = 0; i < MP_BACKUP_CODES; i++) {
		c[i] = mp_backup_code(ctx->a);
		mp_buf_printf(&arr, "%s%s", i ? "," : "",
		    code_hash(ctx, uid, c[i]));
		c[i] = mp_backup_show(ctx->a, c[i]);
	}
	mp_buf_putc(&arr, '}');
	p[0] = uid;
	p[1] = mp_strdup(ctx->a, mp_buf_cstr(&arr));
	mp_buf_free(&arr);
	if ((rc = mp_q(ctx, &stmts[TS_CODES_DEL], 1, p, NULL)) != MP_OK ||
	    (rc = mp_q(ctx, &stmts[TS_CODES_NEW], 2, p, NULL)) != MP_OK)
		return rc;
	*codes = c;
	return MP_OK;
}

static enum mp_err
wrong_code(struct mp_ctx *ctx, const char *msg)
{
	return mp_fail(ctx, MP_EINPUT, "code", msg ? msg :
	    "The code is not right. Check the time on your phone and use "
	    "the newest code.");
}

enum mp_err
mp_twofa_confirm(struct mp_ctx *ctx, const char *uid, const char *code,
    char ***codes)
{
	unsigned char	 key[MP_TOTP_SECRET];
	const char	*p[3];
	struct mp_res	*res, *up;
	uint64_t	 step;
	enum mp_err	 rc;

	p[0] = uid;
	if ((rc = mp_q(ctx, &stmts[TS_ROW], 1, p, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) == 0 || mp_res_isnull(res, 0, 1))
		return mp_fail(ctx, MP_ECONFLICT, NULL, "No two-factor setup "
		    "is in progress. Start again.");
	if (open_secret(ctx, uid, mp_res_get(res, 0, 1), key) != 0)
		return MP_ESYS;
	step = mp_totp_match(key, sizeof(key), mp_totp_step(time(NULL)),
	    code);
	OPENSSL_cleanse(key, sizeof(key));
	if (step == 0)
		return wrong_code(ctx, NULL);
	p[1] = mp_printf(ctx->a, "%llu", (unsigned long long)step);
	p[2] = mp_strdup(ctx->a, mp_res_get(res, 0, 1));
	if ((rc = mp_q(ctx, &stmts[TS_ENABLE], 3, p, &up)) != MP_OK)
		return rc;
	if (mp_res_rows(up) != 1)
		return mp_fail(ctx, MP_ECONFLICT, NULL, "The setup changed "
		    "meanwhile. Start again.");
	return mp_twofa_new_codes(ctx, uid, codes);
}

enum mp_err
mp_twofa_check(struct mp_ctx *ctx, const char *uid, const char *code,
    int backup, const char **kind)
{
	unsigned char	 key[MP_TOTP_SECRET];
	const char	*p[2], *norm;
	struct mp_res	*res, *up;
	uint64_t	 step, last;
	enum mp_err	 rc;

	*kind = NULL;
	p[0] = uid;
	if ((rc = mp_q(ctx, &stmts[TS_ROW], 1, p, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) == 0 || mp_res_isnull(res, 0, 0))
		return mp_fail(ctx, MP_ECONFLICT, NULL,
		    "Two-factor sign-in is not on.");
	if (open_secret(ctx, uid, mp_res_get(res, 0, 0), key) != 0)
		return MP_ESYS;
	last = (uint64_t)mp_res_int(res, 0, 2);
	step = mp_totp_match(key, sizeof(key), mp_totp_step(time(NULL)),
	    code);
	OPENSSL_cleanse(key, sizeof(key));
	if (step != 0) {
		if (step <= last)
			return wrong_code(ctx, "That code was used already. "
			    "Wait for the next one.");
		p[1] = mp_printf(ctx->a, "%llu", (unsigned long long)step);
		if ((rc = mp_q(ctx, &stmts[TS_STEP], 2, p, &up)) != MP_OK)
			return rc;
		if (mp_res_rows(up) != 1)
			return wrong_code(ctx, "That code was used already. "
			    "Wait for the next one.");
		*kind = "totp";
		return MP_OK;
	}
	if (backup && (norm = mp_backup_norm(ctx->a, code)) != NULL) {
		p[1] = code_hash(ctx, uid, norm);
		if ((rc = mp_q(ctx, &stmts[TS_CODE_USE], 2, p, &up)) != MP_OK)
			return rc;
		if (mp_res_rows(up) == 1) {
			*kind = "backup";
			return MP_OK;
		}
	}
	return wrong_code(ctx, NULL);
}

enum mp_err
mp_twofa_disable(struct mp_ctx *ctx, const char *uid)
{
	const char	*p[1] = { uid };
	enum mp_err	 rc;

	if ((rc = mp_q(ctx, &stmts[TS_DISABLE], 1, p, NULL)) != MP_OK)
		return rc;
	return mp_q(ctx, &stmts[TS_CODES_DEL], 1, p, NULL);
}

enum mp_err
mp_twofa_event(struct mp_ctx *ctx, const char *uid, const char *sid,
    const char *action, const char *ip, const char *ua)
{
	const char	*p[5];

	p[0] = uid;
	p[1] = sid;
	p[2] = ip;
	p[3] = ua != NULL ? mp_strndup(ctx->a, ua, 512) : NULL;
	p[4] = action;
	return mp_q(ctx, &stmts[TS_EVENT], 5, p, NULL);
}

enum mp_err
mp_twofa_password_ok(struct mp_ctx *ctx, const char *uid, const char *pw,
    int *ok)
{
	const char	*p[1] = { uid };
	struct mp_res	*res;
	enum mp_err	 rc;

	*ok = 0;
	if ((rc = mp_q(ctx, &stmts[TS_PASSWORD], 1, p, &res)) != MP_OK)
		return rc;
	*ok = mp_res_rows(res) == 1 && pw != NULL &&
	    mp_password_verify(pw, mp_res_get(res, 0, 0), NULL);
	return MP_OK;
}

enum mp_err
mp_twofa_policy_set(struct mp_ctx *ctx, int required, int grace_days)
{
	const char	*p[2];

	p[0] = required ? "true" : "false";
	p[1] = mp_printf(ctx->a, "%d", grace_days);
	return mp_q(ctx, &stmts[TS_POLICY], 2, p, NULL);
}

enum mp_err
mp_twofa_reset(struct mp_ctx *ctx, const char *email, int *found)
{
	const char	*p[1] = { email };
	struct mp_res	*res;
	char		*uid;
	enum mp_err	 rc;

	*found = 0;
	if ((rc = mp_q(ctx, &stmts[TS_USER_BY_EMAIL], 1, p, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) != 1)
		return MP_OK;
	*found = 1;
	uid = mp_strdup(ctx->a, mp_res_get(res, 0, 0));
	if ((rc = mp_twofa_disable(ctx, uid)) != MP_OK)
		return rc;
	return mp_twofa_event(ctx, uid, NULL, "reset", NULL, "mpanelctl");
}

enum mp_err
mp_twofa_throttled(struct mp_ctx *ctx, const char *uid, const char *dev,
    int *over)
{
	const struct mp_twofa_conf	*c = mp_twofa_conf(ctx->cfg);
	const char			*p[3];
	struct mp_res			*res;
	enum mp_err			 rc;

	p[0] = uid;
	p[1] = dev;
	p[2] = mp_printf(ctx->a, "%d", c->twofa_window);
	if ((rc = mp_q(ctx, &stmts[TS_FAILURES], 3, p, &res)) != MP_OK)
		return rc;
	*over = mp_res_int(res, 0, 0) >= c->twofa_max_failures ||
	    mp_res_int(res, 0, 1) >= c->twofa_max_failures_device;
	return MP_OK;
}

enum mp_err
mp_twofa_failed(struct mp_ctx *ctx, const char *uid, const char *dev)
{
	const char	*p[2] = { uid, dev };

	return mp_q(ctx, &stmts[TS_FAILURE], 2, p, NULL);
}

enum mp_err
mp_twofa_check_guarded(struct mp_ctx *ctx, const char *uid, const char *dev,
    const char *code, int backup, const char **kind)
{
	const char	*msg;
	int		 over;
	enum mp_err	 rc;

	if ((rc = mp_twofa_throttled(ctx, uid, dev, &over)) != MP_OK)
		return rc;
	if (over)
		return mp_fail(ctx, MP_ERATE, "code", mp_printf(ctx->a,
		    "Too many wrong codes. Wait %d minutes and try again.",
		    (mp_twofa_conf(ctx->cfg)->twofa_window + 59) / 60));
	if ((rc = mp_twofa_check(ctx, uid, code, backup, kind)) != MP_EINPUT)
		return rc;
	msg = ctx->err_msg;
	/* The failure must outlive the error's rollback: commit it now. */
	if ((rc = mp_twofa_failed(ctx, uid, dev)) != MP_OK ||
	    (rc = mp_tx_commit(ctx)) != MP_OK)
		return rc;
	return mp_fail(ctx, MP_EINPUT, "code", msg);
}

/*
 * The twofa.cleanup job, hourly per tenant: wrong codes past any window
 * and expired pending sign-ins go.
 */
enum mp_err
mp_twofa_job_cleanup(struct mp_job *j)
{
	struct mp_res	*f, *p;
	enum mp_err	 rc;

	if ((rc = mp_q(&j->ctx, &stmts[TS_CLEAN_FAILURES], 0, NULL, &f)) !=
	    MP_OK ||
	    (rc = mp_q(&j->ctx, &stmts[TS_CLEAN_PENDING], 0, NULL, &p)) != MP_OK)
		return rc;
	if (mp_res_affected(f) + mp_res_affected(p) > 0)
		mp_info("twofa.cleanup: %ld failures, %ld pending sign-ins removed",
		    mp_res_affected(f), mp_res_affected(p));
	return MP_OK;
}
