/* What customers see of the audit log: their own security history, as JSON and for the security page. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>
#include <json-c/json.h>

#include "features/audit/extern.h"

enum { HI_LIST, HI__MAX };

/* The actions a user's security history shows (account and 2FA pages too). */
#define SECURITY_ACTIONS \
	" (a.action IN ('USER_LOGIN', 'USER_LOGOUT', 'PASSWORD_CHANGED'," \
	" 'PASSWORD_RESET', 'PASSWORD_RESET_REQUESTED', 'API_TOKEN_CREATED'," \
	" 'API_TOKEN_REVOKED', 'SESSION_REVOKED', 'SESSIONS_ENDED'," \
	" 'USER_SESSIONS_REVOKED', 'NOT_ME_REPORTED')" \
	" OR a.action LIKE 'ACCOUNT\\_%' OR a.action LIKE 'TWOFA%')"

static const struct mp_stmt stmts[] = {
	/*
	 * Entries about user $1 or by them, newest first, before seq $2;
	 * "by" only when someone else acted (staff ending their sessions).
	 */
	[HI_LIST] = { "audit_history",
	    "SELECT a.seq AS id, to_char(a.created_at AT TIME ZONE 'UTC',"
	    " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS at, a.action, a.outcome,"
	    " host(a.ip) AS ip, a.user_agent,"
	    " CASE WHEN a.user_id <> $1::bigint THEN a.actor_email END"
	    " AS by_email,"
	    " CASE WHEN a.user_id <> $1::bigint THEN a.actor_role END"
	    " AS by_role,"
	    " coalesce(a.changes->'detail'->>'alert' = 'new_device', false)"
	    " AS new_device"
	    " FROM audit_logs a WHERE (a.subject_user_id = $1::bigint"
	    " OR a.user_id = $1::bigint) AND" SECURITY_ACTIONS
	    " AND ($2::bigint IS NULL OR a.seq < $2::bigint)"
	    " ORDER BY a.seq DESC LIMIT $3::int", MP_STMT_READ },
};

_Static_assert(MP_NELEM(stmts) == HI__MAX, "history statements and enum differ");

MP_STMT_TABLE(mp_audit_history_st, stmts);

static const struct {
	const char	*action;
	const char	*done;		/* outcome success */
	const char	*refused;	/* denied or failed */
} labels[] = {
	{ "USER_LOGIN", "Signed in", "Failed sign-in attempt" },
	{ "USER_LOGOUT", "Signed out", "Sign-out failed" },
	{ "PASSWORD_CHANGED", "Password changed",
	    "Password change refused" },
	{ "PASSWORD_RESET", "Password reset", "Password reset refused" },
	{ "PASSWORD_RESET_REQUESTED", "Password reset requested",
	    "Password reset request refused" },
	{ "API_TOKEN_CREATED", "API token created",
	    "API token not created" },
	{ "API_TOKEN_REVOKED", "API token revoked", "API token not revoked" },
	{ "SESSION_REVOKED", "Session ended", "Session not ended" },
	{ "SESSIONS_ENDED", "Other sessions ended",
	    "Ending other sessions refused" },
	{ "USER_SESSIONS_REVOKED", "All sessions ended",
	    "Ending all sessions refused" },
	{ "NOT_ME_REPORTED", "Sign-in reported as not you",
	    "Report of a sign-in refused" },
	{ "TWOFA_SIGN_IN", "Signed in with a two-factor code",
	    "Wrong two-factor code" },
	{ "TWOFA_ENABLED", "Two-factor sign-in turned on",
	    "Turning on two-factor sign-in refused" },
	{ "TWOFA_DISABLED", "Two-factor sign-in turned off",
	    "Turning off two-factor sign-in refused" },
	{ "TWOFA_CODES_RENEWED", "New backup codes made",
	    "New backup codes refused" },
};

static const char *
describe(struct mp_arena *a, const char *action, const char *outcome)
{
	size_t	 i;
	int	 ok = strcmp(outcome, "success") == 0;

	for (i = 0; i < MP_NELEM(labels); i++)
		if (strcmp(labels[i].action, action) == 0)
			return ok ? labels[i].done : labels[i].refused;
	return mp_printf(a, "%s%s", action, ok ? "" : " (refused)");
}

/* "Chrome 120 on Windows (desktop)", or NULL without a User-Agent. */
static const char *
device(struct mp_arena *a, const char *ua)
{
	struct mp_ua	 u;

	if (ua == NULL || *ua == '\0')
		return NULL;
	mp_ua_parse(ua, &u);
	return mp_printf(a, "%s%s%s on %s (%s)", u.browser, u.version[0] ?
	    " " : "", u.version, u.os, mp_device_name(u.device));
}

static enum mp_err
history(struct mp_ctx *c, const char *uid, const char *before, int limit,
    struct mp_res **res)
{
	const char	*p[3];

	p[0] = uid;
	p[1] = before;
	p[2] = mp_printf(c->a, "%d", limit);
	return mp_q(c, &stmts[HI_LIST], 3, p, res);
}

enum mp_err
mp_audit_history_hdf(struct mp_ctx *c, HDF *hdf, const char *prefix,
    const char *user_id, int limit)
{
	struct mp_res	*res;
	const char	*pre, *by;
	enum mp_err	 rc;
	int		 i;

	if ((rc = history(c, user_id, NULL, limit, &res)) != MP_OK)
		return rc;
	for (i = 0; i < mp_res_rows(res); i++) {
		pre = mp_printf(c->a, "%s.%d", prefix, i);
		mp_hdf_set(hdf, mp_printf(c->a, "%s.At", pre),
		    mp_res_by(res, i, "at"));
		mp_hdf_set(hdf, mp_printf(c->a, "%s.What", pre),
		    describe(c->a, mp_res_by(res, i, "action"),
		    mp_res_by(res, i, "outcome")));
		mp_hdf_set(hdf, mp_printf(c->a, "%s.Outcome", pre),
		    mp_res_by(res, i, "outcome"));
		mp_hdf_set(hdf, mp_printf(c->a, "%s.Ip", pre),
		    mp_res_by(res, i, "ip"));
		mp_hdf_set(hdf, mp_printf(c->a, "%s.Device", pre),
		    device(c->a, mp_res_by(res, i, "user_agent")));
		if ((by = mp_res_by(res, i, "by_email")) != NULL)
			mp_hdf_set(hdf, mp_printf(c->a, "%s.By", pre),
			    mp_printf(c->a, "%s (%s)", by,
			    mp_res_by(res, i, "by_role")));
		if (mp_res_bool_by(res, i, "new_device"))
			mp_hdf_set(hdf, mp_printf(c->a, "%s.Alert", pre), "1");
	}
	return MP_OK;
}

/*
 * GET /api/account/security-events?cursor=&limit=: the signed-in user's
 * own events, newest first; next_cursor pages back.
 */
enum mp_err
mp_audit_api_security_events(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*lim = mp_req_val(r, "limit");
	const struct mp_value	*cur = mp_req_val(r, "cursor");
	struct json_object	*o, *list, *e, *by;
	struct mp_res		*res;
	const char		*s;
	int			 n = lim->present ? (int)lim->i : 50, i, rows;
	enum mp_err		 rc;

	if ((rc = history(&r->ctx, r->user->id_text, cur->present ?
	    mp_strndup(r->ctx.a, cur->s, cur->len) : NULL, n, &res)) != MP_OK)
		return rc;
	list = json_object_new_array();
	rows = mp_res_rows(res);
	for (i = 0; i < rows; i++) {
		e = json_object_new_object();
		json_object_object_add(e, "id", json_object_new_int64(
		    mp_res_int_by(res, i, "id")));
		json_object_object_add(e, "at",
		    json_object_new_string(mp_res_by(res, i, "at")));
		json_object_object_add(e, "action",
		    json_object_new_string(mp_res_by(res, i, "action")));
		json_object_object_add(e, "description", json_object_new_string(
		    describe(r->ctx.a, mp_res_by(res, i, "action"),
		    mp_res_by(res, i, "outcome"))));
		json_object_object_add(e, "outcome",
		    json_object_new_string(mp_res_by(res, i, "outcome")));
		s = mp_res_by(res, i, "ip");
		json_object_object_add(e, "ip", s ? json_object_new_string(s) :
		    NULL);
		s = device(r->ctx.a, mp_res_by(res, i, "user_agent"));
		json_object_object_add(e, "device", s ?
		    json_object_new_string(s) : NULL);
		json_object_object_add(e, "new_device", json_object_new_boolean(
		    mp_res_bool_by(res, i, "new_device")));
		by = NULL;
		if ((s = mp_res_by(res, i, "by_email")) != NULL) {
			by = json_object_new_object();
			json_object_object_add(by, "email",
			    json_object_new_string(s));
			json_object_object_add(by, "role",
			    json_object_new_string(mp_res_by(res, i,
			    "by_role")));
		}
		json_object_object_add(e, "by", by);
		json_object_array_add(list, e);
	}
	o = json_object_new_object();
	json_object_object_add(o, "events", list);
	json_object_object_add(o, "next_cursor", rows == n && rows > 0 ?
	    json_object_new_string(mp_res_by(res, rows - 1, "id")) : NULL);
	mp_resp_json(r, w, 200, o);
	json_object_put(o);
	return MP_OK;
}
