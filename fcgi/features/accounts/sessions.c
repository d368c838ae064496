/* "Your sessions": every signed-in device, ending one or all others; admin views of sessions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "features/accounts/extern.h"
#include "features/audit/audit.h"

enum {
	SE_LIST,
	SE_END_ONE,
	SE_END_OTHERS,
	SE_PASSWORD,
	SE_STATS,
	SE_BY_DEVICE,
	SE_BY_BROWSER,
	SE_PER_DAY,
	SE_USERS,
	SE_ADMIN_END,
	SE_CLEANUP,
	SE__MAX
};

/* The live sessions of a user: what the validity check accepts. */
#define LIVE	" revoked_at IS NULL AND expires_at > now()" \
		" AND last_seen_at + idle_timeout > now()"

static const struct mp_stmt stmts[] = {
	[SE_LIST] = { "se_list",
	    "SELECT public_id AS id, browser, browser_version, os,"
	    " device_type, host(ip) AS ip,"
	    " extract(epoch FROM now() - created_at)::bigint AS age,"
	    " extract(epoch FROM now() - last_seen_at)::bigint AS idle,"
	    " $2::bigint IS NOT NULL AND id = $2::bigint AS current,"
	    " to_char(created_at AT TIME ZONE 'UTC',"
	    " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS created_at,"
	    " to_char(last_seen_at AT TIME ZONE 'UTC',"
	    " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS last_active_at"
	    " FROM user_sessions WHERE user_id = $1 AND" LIVE
	    " ORDER BY id = $2::bigint DESC, last_seen_at DESC" },
	[SE_END_ONE] = { "se_end_one",
	    "UPDATE user_sessions SET revoked_at = now(),"
	    " revoked_reason = 'ended_by_user' WHERE public_id = $1"
	    " AND user_id = $2 AND revoked_at IS NULL RETURNING id" },
	[SE_END_OTHERS] = { "se_end_others",
	    "UPDATE user_sessions SET revoked_at = now(),"
	    " revoked_reason = 'ended_others' WHERE user_id = $1"
	    " AND revoked_at IS NULL"
	    " AND ($2::bigint IS NULL OR id <> $2::bigint)" },
	[SE_PASSWORD] = { "se_password",
	    "SELECT password_hash FROM users WHERE id = $1" },
	/*
	 * Sign-ins are counted from the same events as SE_PER_DAY: every
	 * session row is one sign-in, live or since ended (rows stay 30 days
	 * after they end, longer than either window).
	 */
	[SE_STATS] = { "se_stats",
	    "SELECT count(*), count(DISTINCT user_id),"
	    " (SELECT count(*) FROM user_sessions"
	    " WHERE created_at > now() - interval '1 day')"
	    " FROM user_sessions WHERE" LIVE },
	[SE_BY_DEVICE] = { "se_by_device",
	    "SELECT device_type, count(*) FROM user_sessions WHERE" LIVE
	    " GROUP BY 1 ORDER BY 2 DESC, 1" },
	[SE_BY_BROWSER] = { "se_by_browser",
	    "SELECT browser, count(*) FROM user_sessions WHERE" LIVE
	    " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20" },
	[SE_PER_DAY] = { "se_per_day",
	    "SELECT to_char(d, 'YYYY-MM-DD'), count(s.id)"
	    " FROM generate_series(current_date - 13, current_date,"
	    " interval '1 day') d LEFT JOIN user_sessions s"
	    " ON s.created_at >= d AND s.created_at < d + interval '1 day'"
	    " GROUP BY d ORDER BY d" },
	[SE_USERS] = { "se_users",
	    "SELECT u.public_id AS \"Id\", u.email AS \"Email\","
	    " u.name AS \"Name\", u.role AS \"Role\", u.status AS \"Status\","
	    " (SELECT count(*) FROM user_sessions s WHERE s.user_id = u.id"
	    " AND" LIVE ") AS \"Sessions\","
	    " EXISTS (SELECT 1 FROM user_twofa f WHERE f.user_id = u.id"
	    " AND f.enabled_at IS NOT NULL) AS \"TwoFactor\""
	    " FROM users u ORDER BY u.role DESC, u.email LIMIT 500" },
	[SE_ADMIN_END] = { "se_admin_end",
	    "UPDATE user_sessions SET revoked_at = now(),"
	    " revoked_reason = 'admin' WHERE revoked_at IS NULL"
	    " AND user_id = (SELECT id FROM users WHERE public_id = $1)"
	    " RETURNING user_id" },
	[SE_CLEANUP] = { "se_cleanup",
	    "DELETE FROM user_sessions WHERE id IN (SELECT id FROM"
	    " user_sessions WHERE (revoked_at IS NOT NULL"
	    " AND revoked_at < now() - interval '30 days')"
	    " OR expires_at < now() - interval '30 days' LIMIT 5000)" },
};

_Static_assert(sizeof(stmts) / sizeof(stmts[0]) == SE__MAX,
    "session statements and enum differ");

MP_STMT_TABLE(mp_sessions_st, stmts);

static const char *
session_id_or_null(const struct mp_req *r)
{
	return r->sess != NULL ? r->sess->id_text : NULL;
}

static enum mp_err
list(struct mp_req *r, struct mp_res **res)
{
	const char	*p[2];

	p[0] = r->user->id_text;
	p[1] = session_id_or_null(r);
	return mp_q(&r->ctx, &stmts[SE_LIST], 2, p, res);
}

/* "Chrome 120 on Windows" */
static const char *
describe(struct mp_req *r, struct mp_res *res, int i)
{
	const char	*v = mp_res_by(res, i, "browser_version");

	return mp_printf(r->ctx.a, "%s%s%s on %s", mp_res_by(res, i, "browser"),
	    v && *v ? " " : "", v ? v : "", mp_res_by(res, i, "os"));
}

/* What the page and the JSON show of each session (SE_LIST's names). */
static const struct mp_col page_cols[] = {
	{ "id", "Id", MP_COL_TEXT },
	{ "device_type", "Type", MP_COL_TEXT },
	{ "ip", "Ip", MP_COL_TEXT },
	{ "created_at", "SignedInAt", MP_COL_TEXT },
	{ "last_active_at", "LastActiveAt", MP_COL_TEXT },
	{ "current", "Current", MP_COL_BOOL },
	{ NULL, NULL, 0 }
};

static const struct mp_col json_cols[] = {
	{ "id", NULL, MP_COL_TEXT },
	{ "browser", NULL, MP_COL_TEXT },
	{ "browser_version", NULL, MP_COL_TEXT },
	{ "os", NULL, MP_COL_TEXT },
	{ "device_type", NULL, MP_COL_TEXT },
	{ "ip", NULL, MP_COL_TEXT },
	{ "created_at", NULL, MP_COL_TEXT },
	{ "last_active_at", NULL, MP_COL_TEXT },
	{ "current", NULL, MP_COL_BOOL },
	{ NULL, NULL, 0 }
};

static enum mp_err
sessions_page(struct mp_req *r, struct mp_resp *w, int status,
    const char *err, const char *notice)
{
	struct _hdf	*hdf = mp_hdf(r);
	struct mp_res	*res;
	char		 k[64];
	int		 i;
	enum mp_err	 rc;

	if ((rc = list(r, &res)) != MP_OK)
		return rc;
	mp_hdf_set(hdf, "Page.Title", "Your sessions");
	mp_hdf_set(hdf, "Sessions.Error", err);
	mp_hdf_set(hdf, "Sessions.Notice", notice);
	mp_hdf_setf(hdf, "Sessions.Count", "%d", mp_res_rows(res));
	mp_rows_hdf(hdf, "Sessions.List", res, page_cols);
	for (i = 0; i < mp_res_rows(res); i++) {
		snprintf(k, sizeof(k), "Sessions.List.%d.Device", i);
		mp_hdf_set(hdf, k, describe(r, res, i));
		snprintf(k, sizeof(k), "Sessions.List.%d.SignedIn", i);
		mp_hdf_set(hdf, k, mp_ago(r->ctx.a, mp_res_int_by(res, i,
		    "age")));
		snprintf(k, sizeof(k), "Sessions.List.%d.LastActive", i);
		mp_hdf_set(hdf, k, mp_ago(r->ctx.a, mp_res_int_by(res, i,
		    "idle")));
	}
	return mp_render(r, w, status, "account/sessions.cs", hdf);
}

/* GET /account/sessions */
enum mp_err
mp_sessions_page(struct mp_req *r, struct mp_resp *w)
{
	const char	*done = mp_req_query(r, "done");
	const char	*msg = NULL;

	if (done != NULL && strcmp(done, "one") == 0)
		msg = "The session was ended. That device is signed out.";
	else if (done != NULL && strcmp(done, "others") == 0)
		msg = "Every other session was ended.";
	return sessions_page(r, w, 200, NULL, msg);
}

static enum mp_err
end_one(struct mp_req *r, const char *public_id)
{
	const char	*p[2];
	struct mp_res	*res;
	enum mp_err	 rc;

	p[0] = public_id;
	p[1] = r->user->id_text;
	mp_audit_resource(&r->ctx, "session", public_id);
	if ((rc = mp_q(&r->ctx, &stmts[SE_END_ONE], 2, p, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) == 0)
		return mp_req_fail(r, MP_ENOTFOUND, NULL,
		    "There is no such session.");
	return MP_OK;
}

/* POST /account/sessions/{id}/end */
enum mp_err
mp_session_end(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*id = mp_req_cap(r, "id");
	enum mp_err		 rc;
	int			 self;

	self = r->sess != NULL && r->sess->public_id != NULL &&
	    strcmp(r->sess->public_id, id->s) == 0;
	if ((rc = end_one(r, id->s)) != MP_OK)
		return rc;
	if (self) {
		mp_resp_cookie(r, w, MP_SESSION_COOKIE, "", 0);
		return mp_resp_redirect(w, 303, "/login?bye=1");
	}
	return mp_resp_redirect(w, 303, "/account/sessions?done=one");
}

static int
password_ok(struct mp_req *r, const char *pw)
{
	const char	*p[1];
	struct mp_res	*res;

	p[0] = r->user->id_text;
	if (pw == NULL || mp_q(&r->ctx, &stmts[SE_PASSWORD], 1, p, &res) != MP_OK ||
	    mp_res_rows(res) == 0)
		return 0;
	return mp_password_verify(pw, mp_res_get(res, 0, 0), NULL);
}

static enum mp_err
end_others(struct mp_req *r)
{
	const char	*p[2];
	struct mp_res	*res;
	enum mp_err	 rc;

	p[0] = r->user->id_text;
	p[1] = session_id_or_null(r);
	if ((rc = mp_q(&r->ctx, &stmts[SE_END_OTHERS], 2, p, &res)) != MP_OK)
		return rc;
	mp_audit_detail(&r->ctx, "sessions_ended", mp_printf(r->ctx.a, "%ld",
	    mp_res_affected(res)));
	return MP_OK;
}

/* POST /account/sessions/end-others: asks for the password first. */
enum mp_err
mp_sessions_end_others(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*pw = mp_req_val(r, "password");
	enum mp_err		 rc;

	if (!password_ok(r, pw->s)) {
		r->ctx.err_field = "password";
		return sessions_page(r, w, 422, "The password is not right; "
		    "no session was ended.", NULL);
	}
	if ((rc = end_others(r)) != MP_OK)
		return rc;
	return mp_resp_redirect(w, 303, "/account/sessions?done=others");
}

/* GET /api/sessions: the same list as the page. */
enum mp_err
mp_api_sessions(struct mp_req *r, struct mp_resp *w)
{
	struct json_object	*o, *arr, *s;
	struct mp_res		*res;
	int			 i;
	enum mp_err		 rc;

	if ((rc = list(r, &res)) != MP_OK)
		return rc;
	o = json_object_new_object();
	arr = json_object_new_array();
	for (i = 0; i < mp_res_rows(res); i++) {
		s = mp_row_json(res, i, json_cols);
		json_object_object_add(s, "device",
		    json_object_new_string(describe(r, res, i)));
		json_object_array_add(arr, s);
	}
	json_object_object_add(o, "sessions", arr);
	json_object_object_add(o, "total",
	    json_object_new_int(mp_res_rows(res)));
	mp_resp_json(r, w, 200, o);
	json_object_put(o);
	return MP_OK;
}

/* DELETE /api/sessions/{id} */
enum mp_err
mp_api_session_end(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*id = mp_req_cap(r, "id");
	enum mp_err		 rc;

	if ((rc = end_one(r, id->s)) != MP_OK)
		return rc;
	w->status = 204;
	return MP_OK;
}

/* DELETE /api/sessions/all {"password": "..."}: all but the current. */
enum mp_err
mp_api_sessions_end_all(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*pw = mp_req_val(r, "password");
	struct json_object	*o;
	enum mp_err		 rc;

	if (!password_ok(r, pw->s))
		return mp_req_fail(r, MP_EAUTH, "password",
		    "The password is not right; no session was ended.");
	if ((rc = end_others(r)) != MP_OK)
		return rc;
	o = json_object_new_object();
	json_object_object_add(o, "ended", json_object_new_boolean(1));
	mp_resp_json(r, w, 200, o);
	json_object_put(o);
	return MP_OK;
}

static struct json_object *
counts(struct mp_res *res)
{
	struct json_object	*o = json_object_new_object();
	int			 i;

	for (i = 0; i < mp_res_rows(res); i++)
		json_object_object_add(o, mp_res_get(res, i, 0),
		    json_object_new_int64(mp_res_int(res, i, 1)));
	return o;
}

/* GET /api/admin/sessions/stats (tenant admins) */
enum mp_err
mp_api_session_stats(struct mp_req *r, struct mp_resp *w)
{
	struct mp_res		*t, *d, *b, *p;
	struct json_object	*o;
	enum mp_err		 rc;

	if ((rc = mp_q(&r->ctx, &stmts[SE_STATS], 0, NULL, &t)) != MP_OK ||
	    (rc = mp_q(&r->ctx, &stmts[SE_BY_DEVICE], 0, NULL, &d)) != MP_OK ||
	    (rc = mp_q(&r->ctx, &stmts[SE_BY_BROWSER], 0, NULL, &b)) != MP_OK ||
	    (rc = mp_q(&r->ctx, &stmts[SE_PER_DAY], 0, NULL, &p)) != MP_OK)
		return rc;
	o = json_object_new_object();
	json_object_object_add(o, "active_sessions",
	    json_object_new_int64(mp_res_int(t, 0, 0)));
	json_object_object_add(o, "active_users",
	    json_object_new_int64(mp_res_int(t, 0, 1)));
	json_object_object_add(o, "sign_ins_last_24h",
	    json_object_new_int64(mp_res_int(t, 0, 2)));
	json_object_object_add(o, "by_device_type", counts(d));
	json_object_object_add(o, "by_browser", counts(b));
	json_object_object_add(o, "sign_ins_per_day", counts(p));
	mp_resp_json(r, w, 200, o);
	json_object_put(o);
	return MP_OK;
}

/* GET /admin/users: the tenant's users, with their live session counts. */
enum mp_err
mp_admin_users(struct mp_req *r, struct mp_resp *w)
{
	struct _hdf	*hdf = mp_hdf(r);
	struct mp_res	*res;
	const char	*done = mp_req_query(r, "done");
	enum mp_err	 rc;

	if ((rc = mp_q(&r->ctx, &stmts[SE_USERS], 0, NULL, &res)) != MP_OK)
		return rc;
	mp_hdf_set(hdf, "Page.Title", "Users");
	if (done != NULL)
		mp_hdf_set(hdf, "Users.Notice", "Every session of that user "
		    "was ended.");
	/* Each column is named as the template reads it. */
	mp_rows_hdf(hdf, "Users.List", res, NULL);
	return mp_render(r, w, 200, "account/admin_users.cs", hdf);
}

/* POST /admin/users/{id}/sessions/end: an admin ends a user's sessions. */
enum mp_err
mp_admin_end_sessions(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*id = mp_req_cap(r, "id");
	const char		*p[1];
	struct mp_res		*res;
	enum mp_err		 rc;

	p[0] = id->s;
	if ((rc = mp_q(&r->ctx, &stmts[SE_ADMIN_END], 1, p, &res)) != MP_OK)
		return rc;
	/* The user whose sessions were ended sees who ended them. */
	mp_audit_resource(&r->ctx, "user", id->s);
	if (mp_res_rows(res) > 0)
		mp_audit_subject(&r->ctx, mp_res_get(res, 0, 0));
	mp_audit_detail(&r->ctx, "sessions_ended", mp_printf(r->ctx.a, "%d",
	    mp_res_rows(res)));
	mp_audit_severity(&r->ctx, "notice");
	return mp_resp_redirect(w, 303, "/admin/users?done=1");
}

/*
 * Delete sessions that ended or expired over 30 days ago, in batches;
 * run by the worker's scheduled job and by `mpanelctl sessions cleanup`
 * with app.tenant_id set.  Returns the rows removed, or -1.
 */
long
mp_sessions_cleanup(struct mp_db *db, struct mp_arena *a)
{
	struct mp_res	*res;

	if (mp_db_exec(db, a, &stmts[SE_CLEANUP], 0, NULL, &res) != MP_OK)
		return -1;
	return mp_res_affected(res);
}

/*
 * The sessions.cleanup job, scheduled hourly per tenant by the job
 * table: the same cleanup inside the job's tenant transaction.
 */
enum mp_err
mp_sessions_job_cleanup(struct mp_job *j)
{
	struct mp_res	*res;
	enum mp_err	 rc;

	if ((rc = mp_q(&j->ctx, &stmts[SE_CLEANUP], 0, NULL, &res)) != MP_OK)
		return rc;
	if (mp_res_affected(res) > 0)
		mp_info("sessions.cleanup: %ld old sessions removed",
		    mp_res_affected(res));
	return MP_OK;
}
