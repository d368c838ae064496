/* The preference matrix: load and save a user's choices, /account/notifications, its JSON, the staff's statistics and evidence log. */
#include <stdio.h>
#include <string.h>

#include <ClearSilver.h>
#include <json-c/json.h>

#include "features/prefs/extern.h"

enum {
	PM_LOAD,
	PM_PHONE,
	PM_UPSERT,
	PM_SUBJECTS,
	PM_STATS,
	PM_OPTOUTS,
	PM_DECIDE,
	PM__MAX
};

static const struct mp_stmt stmts[] = {
	[PM_LOAD] = { "prefs_load",
	    "SELECT category, email, sms, push, in_app, frequency"
	    " FROM notification_preferences WHERE user_id = $1::bigint" },
	[PM_PHONE] = { "prefs_phone",
	    "SELECT phone, verified_at IS NOT NULL FROM notification_phone"
	    " WHERE user_id = $1::bigint" },
	[PM_UPSERT] = { "prefs_upsert",
	    "INSERT INTO notification_preferences (tenant_id, user_id,"
	    " category,"
	    " email, sms, push, in_app, frequency) VALUES (mp_tenant(),"
	    " $1::bigint, $2, $3::boolean, $4::boolean, $5::boolean,"
	    " $6::boolean, $7) ON CONFLICT (tenant_id, user_id, category) DO"
	    " UPDATE SET email = EXCLUDED.email, sms = EXCLUDED.sms,"
	    " push = EXCLUDED.push, in_app = EXCLUDED.in_app,"
	    " frequency = EXCLUDED.frequency, updated_at = now()" },
	/* Broadcasts: the tenant's recent subjects, else the user's. */
	[PM_SUBJECTS] = { "prefs_subjects",
	    "SELECT c, subject FROM (SELECT mp_pref_category(category) AS c,"
	    " subject, row_number() OVER (PARTITION BY"
	    " mp_pref_category(category) ORDER BY max(created_at) DESC) AS rn"
	    " FROM notification WHERE channel = 'email' AND subject IS NOT NULL"
	    " AND created_at > now() - interval '180 days'"
	    " AND (recipient = lower($1) OR mp_pref_category(category) IN"
	    " ('marketing', 'product'))"
	    " GROUP BY 1, 2) s WHERE rn <= 3 ORDER BY c, rn" },
	[PM_STATS] = { "prefs_stats",
	    "WITH sent AS (SELECT mp_pref_category(category) AS category,"
	    " channel, count(DISTINCT lower(recipient)) AS recipients"
	    " FROM notification WHERE created_at > now() -"
	    " make_interval(days => $1::integer)"
	    " AND mp_pref_category(category) IS NOT NULL GROUP BY 1, 2),"
	    " o AS (SELECT category, channel, count(*) AS opted_out"
	    " FROM notification_optout GROUP BY 1, 2),"
	    " u AS (SELECT p.category, c.channel, count(*) FILTER (WHERE"
	    " (c.channel = 'email' AND NOT p.email) OR (c.channel = 'sms'"
	    " AND NOT p.sms) OR p.frequency = 'never') AS off,"
	    " count(*) AS users"
	    " FROM notification_preferences p CROSS JOIN (VALUES ('email'),"
	    " ('sms')) AS c (channel) GROUP BY 1, 2)"
	    " SELECT coalesce(s.category, o.category, u.category) AS category,"
	    " coalesce(s.channel, o.channel, u.channel) AS channel,"
	    " coalesce(s.recipients, 0) AS recipients,"
	    " coalesce(o.opted_out, 0) AS opted_out,"
	    " coalesce(u.users, 0) AS users,"
	    " coalesce(u.off, 0) AS users_off,"
	    " round(coalesce(o.opted_out, 0)::numeric /"
	    " greatest(coalesce(s.recipients, 0) + coalesce(o.opted_out, 0),"
	    " 1), 4)::float8 AS optout_rate"
	    " FROM sent s FULL JOIN o USING (category, channel)"
	    " FULL JOIN u USING (category, channel)"
	    " ORDER BY 1, 2" },
	[PM_OPTOUTS] = { "prefs_optouts",
	    "SELECT action, channel, address, category, source,"
	    " coalesce(message_id, '') AS message_id,"
	    " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
	    " AS at, count(*) OVER () AS total"
	    " FROM optout_event ORDER BY id DESC LIMIT 200" },
	[PM_DECIDE] = { "prefs_decide",
	    "SELECT mp_notify_decision($1, $2, $3, nullif($4::bigint, 0))" },
};

_Static_assert(sizeof(stmts) / sizeof(stmts[0]) == PM__MAX,
    "prefs matrix statements and enum differ");

MP_STMT_TABLE(mp_prefs_matrix_st, stmts);

const struct prefs_cat mp_prefs_cats[PREFS_NCAT] = {
	{ "billing", "Billing", "Invoices due, failed payments and plan "
	    "changes. Receipts are always sent: they are transactional.", 0 },
	{ "support", "Support", "Replies and updates on your support "
	    "requests.", 0 },
	{ "marketing", "News and offers", "The newsletter, announcements "
	    "and offers.", 0 },
	{ "security", "Security", "Sign-ins from new devices and changes to "
	    "your password or sign-in methods. These cannot be switched off; "
	    "you may choose the channel.", 1 },
	{ "product", "Product", "Getting-started tips, surveys about the "
	    "service and feature news.", 0 },
};

const char *const mp_prefs_freqs[] = { "instant", "daily", "weekly", "never",
	NULL };

/* The defaults a user has before any row exists. */
static const struct prefs_row defaults[PREFS_NCAT] = {
	{ 1, 0, 0, 1, "instant" }, { 1, 0, 0, 1, "instant" },
	{ 0, 0, 0, 1, "instant" }, { 1, 0, 0, 1, "instant" },
	{ 1, 0, 0, 1, "instant" },
};

int
mp_prefs_cat_index(const char *key)
{
	int	 i;

	for (i = 0; key != NULL && i < PREFS_NCAT; i++)
		if (strcmp(mp_prefs_cats[i].key, key) == 0)
			return i;
	return -1;
}

static int
freq_valid(const char *f)
{
	int	 i;

	for (i = 0; f != NULL && mp_prefs_freqs[i] != NULL; i++)
		if (strcmp(f, mp_prefs_freqs[i]) == 0)
			return 1;
	return 0;
}

/* The decision for one message (prefs.h). */
enum mp_err
mp_prefs_should_notify(struct mp_ctx *c, int64_t user_id, const char *address,
    const char *category, const char *channel, int *yes)
{
	struct mp_res	*res;
	const char	*p[4];
	enum mp_err	 rc;

	*yes = 0;
	p[0] = channel;
	p[1] = address;
	p[2] = category;
	p[3] = mp_printf(c->a, "%lld", (long long)user_id);
	if ((rc = mp_q(c, &stmts[PM_DECIDE], 4, p, &res)) != MP_OK)
		return rc;
	*yes = strcmp(mp_res_get(res, 0, 0), "suppress") != 0;
	return MP_OK;
}

/* A user's matrix and phone, the defaults where no row exists yet. */
enum mp_err
mp_prefs_load(struct mp_ctx *c, int64_t user_id, const char *email,
    struct prefs_user *u)
{
	struct mp_res	*res;
	const char	*p[1];
	enum mp_err	 rc;
	int		 i, k;

	memset(u, 0, sizeof(*u));
	u->user_id = user_id;
	u->email = email;
	memcpy(u->row, defaults, sizeof(defaults));
	p[0] = mp_printf(c->a, "%lld", (long long)user_id);
	if ((rc = mp_q(c, &stmts[PM_LOAD], 1, p, &res)) != MP_OK)
		return rc;
	for (i = 0; i < mp_res_rows(res); i++) {
		if ((k = mp_prefs_cat_index(mp_res_get(res, i, 0))) < 0)
			continue;
		u->row[k].email = mp_res_bool(res, i, 1);
		u->row[k].sms = mp_res_bool(res, i, 2);
		u->row[k].push = mp_res_bool(res, i, 3);
		u->row[k].in_app = mp_res_bool(res, i, 4);
		u->row[k].frequency = mp_strdup(c->a, mp_res_get(res, i, 5));
	}
	if ((rc = mp_q(c, &stmts[PM_PHONE], 1, p, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) == 1 && !mp_res_isnull(res, 0, 0)) {
		u->phone = mp_strdup(c->a, mp_res_get(res, 0, 0));
		u->verified = mp_res_bool(res, 0, 1);
	}
	return MP_OK;
}

/*
 * Check want and write it: security stays on and instant on a channel
 * the user can receive, SMS needs a verified phone.  An email channel
 * switched off or on is also an opt-out or opt-in of the address (with
 * its evidence), so the lists that address is on follow at once.
 */
enum mp_err
mp_prefs_save(struct mp_ctx *c, const struct prefs_user *old,
    const struct prefs_user *want, const char *source)
{
	const struct prefs_row	*w, *o;
	const char		*p[7];
	enum mp_err		 rc;
	int			 i;

	for (i = 0; i < PREFS_NCAT; i++) {
		w = &want->row[i];
		if (!freq_valid(w->frequency))
			return mp_fail(c, MP_EINPUT, mp_printf(c->a,
			    "preferences.%s.frequency", mp_prefs_cats[i].key),
			    "The frequency must be instant, daily, weekly or "
			    "never.");
		if (w->sms && !old->row[i].sms && !want->verified)
			return mp_fail(c, MP_EINPUT, mp_printf(c->a,
			    "preferences.%s.sms", mp_prefs_cats[i].key),
			    "Verify your phone number before choosing text "
			    "messages.");
		if (mp_prefs_cats[i].locked && (strcmp(w->frequency,
		    "instant") != 0 || !(w->email || (w->sms &&
		    want->verified))))
			return mp_fail(c, MP_EINPUT, "preferences.security",
			    "Security notices cannot be switched off: keep "
			    "email, or text messages to a verified phone, "
			    "and send them at once.");
	}
	for (i = 0; i < PREFS_NCAT; i++) {
		w = &want->row[i];
		o = &old->row[i];
		p[0] = mp_printf(c->a, "%lld", (long long)want->user_id);
		p[1] = mp_prefs_cats[i].key;
		p[2] = w->email ? "true" : "false";
		p[3] = w->sms ? "true" : "false";
		p[4] = w->push ? "true" : "false";
		p[5] = w->in_app ? "true" : "false";
		p[6] = w->frequency;
		if ((rc = mp_q(c, &stmts[PM_UPSERT], 7, p, NULL)) != MP_OK)
			return rc;
		if (mp_prefs_cats[i].locked || want->email == NULL)
			continue;
		if (o->email && !w->email)
			rc = mp_prefs_optout(c, "email", want->email,
			    mp_prefs_cats[i].key, source, NULL);
		else if (!o->email && w->email)
			rc = mp_prefs_optin(c, "email", want->email,
			    mp_prefs_cats[i].key, source);
		if (rc != MP_OK)
			return rc;
	}
	return MP_OK;
}

/* The matrix from the form (<cat>_email ...); a box not sent is off. */
enum mp_err
mp_prefs_form(struct mp_req *r, const struct prefs_user *old,
    struct prefs_user *want)
{
	const char	*k, *f;
	int		 i;

	*want = *old;
	for (i = 0; i < PREFS_NCAT; i++) {
		k = mp_prefs_cats[i].key;
		want->row[i].email = mp_req_form(r, mp_printf(r->ctx.a,
		    "%s_email", k)) != NULL;
		want->row[i].sms = mp_req_form(r, mp_printf(r->ctx.a,
		    "%s_sms", k)) != NULL;
		want->row[i].push = mp_req_form(r, mp_printf(r->ctx.a,
		    "%s_push", k)) != NULL;
		want->row[i].in_app = mp_req_form(r, mp_printf(r->ctx.a,
		    "%s_in_app", k)) != NULL;
		f = mp_req_form(r, mp_printf(r->ctx.a, "%s_frequency", k));
		want->row[i].frequency = f != NULL ? f :
		    old->row[i].frequency;
	}
	return MP_OK;
}

/* Prefs.Cats.N.* and Prefs.Phone* for the matrix template. */
void
mp_prefs_hdf(struct mp_ctx *c, struct _hdf *hdf, const struct prefs_user *u)
{
	const struct prefs_row	*w;
	char			 n[64];
	int			 i;

	for (i = 0; i < PREFS_NCAT; i++) {
		w = &u->row[i];
#define SET(f, v) do { snprintf(n, sizeof(n), "Prefs.Cats.%d.%s", i, f); \
	mp_hdf_set(hdf, n, v); } while (0)
		SET("Key", mp_prefs_cats[i].key);
		SET("Label", mp_prefs_cats[i].label);
		SET("Desc", mp_prefs_cats[i].desc);
		SET("Locked", mp_prefs_cats[i].locked ? "1" : "0");
		SET("Email", w->email ? "1" : "0");
		SET("Sms", w->sms ? "1" : "0");
		SET("Push", w->push ? "1" : "0");
		SET("InApp", w->in_app ? "1" : "0");
		SET("Frequency", w->frequency);
#undef SET
	}
	(void)c;
	if (u->phone != NULL)
		mp_hdf_set(hdf, "Prefs.Phone", u->phone);
	mp_hdf_set(hdf, "Prefs.PhoneVerified", u->verified ? "1" : "0");
}

/* The last few subjects of each category, as Prefs.Subjects.<cat>.N. */
enum mp_err
mp_prefs_subjects(struct mp_ctx *c, struct _hdf *hdf, const char *email)
{
	struct mp_res	*res;
	const char	*p[1];
	char		 n[96];
	enum mp_err	 rc;
	int		 i;

	p[0] = email;
	if ((rc = mp_q(c, &stmts[PM_SUBJECTS], 1, p, &res)) != MP_OK)
		return rc;
	for (i = 0; i < mp_res_rows(res); i++) {
		if (mp_prefs_cat_index(mp_res_get(res, i, 0)) < 0)
			continue;
		snprintf(n, sizeof(n), "Prefs.Subjects.%s.%d",
		    mp_res_get(res, i, 0), i);
		mp_hdf_set(hdf, n, mp_res_get(res, i, 1));
	}
	return MP_OK;
}

/* The matrix as JSON (the caller owns the object). */
struct json_object *
mp_prefs_json(const struct prefs_user *u)
{
	struct json_object	*o, *m, *row, *cats, *cat, *ph;
	int			 i;

	o = json_object_new_object();
	m = json_object_new_object();
	cats = json_object_new_array();
	for (i = 0; i < PREFS_NCAT; i++) {
		row = json_object_new_object();
		json_object_object_add(row, "email",
		    json_object_new_boolean(u->row[i].email));
		json_object_object_add(row, "sms",
		    json_object_new_boolean(u->row[i].sms));
		json_object_object_add(row, "push",
		    json_object_new_boolean(u->row[i].push));
		json_object_object_add(row, "in_app",
		    json_object_new_boolean(u->row[i].in_app));
		json_object_object_add(row, "frequency",
		    json_object_new_string(u->row[i].frequency));
		json_object_object_add(m, mp_prefs_cats[i].key, row);
		cat = json_object_new_object();
		json_object_object_add(cat, "key",
		    json_object_new_string(mp_prefs_cats[i].key));
		json_object_object_add(cat, "label",
		    json_object_new_string(mp_prefs_cats[i].label));
		json_object_object_add(cat, "description",
		    json_object_new_string(mp_prefs_cats[i].desc));
		json_object_object_add(cat, "locked",
		    json_object_new_boolean(mp_prefs_cats[i].locked));
		json_object_array_add(cats, cat);
	}
	json_object_object_add(o, "preferences", m);
	ph = json_object_new_object();
	json_object_object_add(ph, "number", u->phone ?
	    json_object_new_string(u->phone) : NULL);
	json_object_object_add(ph, "verified",
	    json_object_new_boolean(u->verified));
	json_object_object_add(o, "phone", ph);
	json_object_object_add(o, "categories", cats);
	return o;
}

/* GET /account/notifications: the matrix form, the phone, recent subjects. */
enum mp_err
mp_prefs_account(struct mp_req *r, struct mp_resp *w)
{
	struct prefs_user	 u;
	struct _hdf		*hdf;
	const char		*s;
	enum mp_err		 rc;

	if ((rc = mp_prefs_load(&r->ctx, r->user->id, r->user->email, &u)) !=
	    MP_OK)
		return rc;
	hdf = mp_hdf(r);
	mp_hdf_set(hdf, "Page.Title", "Notifications");
	mp_prefs_hdf(&r->ctx, hdf, &u);
	if ((rc = mp_prefs_subjects(&r->ctx, hdf, r->user->email)) != MP_OK)
		return rc;
	mp_hdf_set(hdf, "Prefs.Action", "/account/notifications");
	mp_hdf_set(hdf, "Prefs.Account", "1");
	if ((s = mp_req_query(r, "done")) != NULL && (strcmp(s, "saved") == 0 ||
	    strcmp(s, "code") == 0 || strcmp(s, "verified") == 0))
		mp_hdf_set(hdf, "Prefs.Done", s);
	return mp_render(r, w, 200, "prefs/account.cs", hdf);
}

/* POST /account/notifications: save the matrix; 303 back. */
enum mp_err
mp_prefs_account_save(struct mp_req *r, struct mp_resp *w)
{
	struct prefs_user	 old, want;
	enum mp_err		 rc;

	if ((rc = mp_prefs_load(&r->ctx, r->user->id, r->user->email, &old)) !=
	    MP_OK || (rc = mp_prefs_form(r, &old, &want)) != MP_OK ||
	    (rc = mp_prefs_save(&r->ctx, &old, &want, "preferences")) != MP_OK)
		return rc;
	return mp_resp_redirect(w, 303, "/account/notifications?done=saved");
}

/* GET /api/notification-preferences */
enum mp_err
mp_prefs_api_get(struct mp_req *r, struct mp_resp *w)
{
	struct prefs_user	 u;
	struct json_object	*o;
	enum mp_err		 rc;

	if ((rc = mp_prefs_load(&r->ctx, r->user->id, r->user->email, &u)) !=
	    MP_OK)
		return rc;
	o = mp_prefs_json(&u);
	mp_json_own(r->ctx.a, o);
	return mp_resp_json(r, w, 200, o);
}

/* One boolean of a JSON row, if given; else the old value. */
static enum mp_err
json_flag(struct mp_req *r, struct json_object *row, const char *cat,
    const char *key, int *v)
{
	struct json_object	*j;

	if (!json_object_object_get_ex(row, key, &j))
		return MP_OK;
	if (!json_object_is_type(j, json_type_boolean))
		return mp_req_fail(r, MP_EINPUT, mp_printf(r->ctx.a,
		    "preferences.%s.%s", cat, key), "Must be true or false.");
	*v = json_object_get_boolean(j);
	return MP_OK;
}

/*
 * PUT /api/notification-preferences: {"preferences": {"<category>":
 * {"email": bool, "sms": bool, "push": bool, "in_app": bool,
 * "frequency": "instant|daily|weekly|never"}}}; categories and keys not
 * given keep their value.  Answers the whole matrix.
 */
enum mp_err
mp_prefs_api_put(struct mp_req *r, struct mp_resp *w)
{
	struct prefs_user	 old, want;
	struct json_object	*m, *row, *f, *o;
	enum mp_err		 rc;
	int			 k;

	if ((rc = mp_prefs_load(&r->ctx, r->user->id, r->user->email, &old)) !=
	    MP_OK)
		return rc;
	want = old;
	if (r->json == NULL || !json_object_object_get_ex(r->json,
	    "preferences", &m) || !json_object_is_type(m, json_type_object))
		return mp_req_fail(r, MP_EINPUT, "preferences",
		    "Send an object of categories under \"preferences\".");
	json_object_object_foreach(m, key, val) {
		if ((k = mp_prefs_cat_index(key)) < 0)
			return mp_req_fail(r, MP_EINPUT, mp_printf(r->ctx.a,
			    "preferences.%s", key), "There is no such "
			    "category: billing, support, marketing, security "
			    "or product.");
		row = val;
		if (!json_object_is_type(row, json_type_object))
			return mp_req_fail(r, MP_EINPUT, mp_printf(r->ctx.a,
			    "preferences.%s", key), "Must be an object.");
		if ((rc = json_flag(r, row, key, "email",
		    &want.row[k].email)) != MP_OK ||
		    (rc = json_flag(r, row, key, "sms",
		    &want.row[k].sms)) != MP_OK ||
		    (rc = json_flag(r, row, key, "push",
		    &want.row[k].push)) != MP_OK ||
		    (rc = json_flag(r, row, key, "in_app",
		    &want.row[k].in_app)) != MP_OK)
			return rc;
		if (json_object_object_get_ex(row, "frequency", &f)) {
			if (!json_object_is_type(f, json_type_string) ||
			    !freq_valid(json_object_get_string(f)))
				return mp_req_fail(r, MP_EINPUT,
				    mp_printf(r->ctx.a, "preferences.%s."
				    "frequency", key), "The frequency must be "
				    "instant, daily, weekly or never.");
			want.row[k].frequency = mp_strdup(r->ctx.a,
			    json_object_get_string(f));
		}
	}
	if ((rc = mp_prefs_save(&r->ctx, &old, &want, "api")) != MP_OK)
		return rc;
	o = mp_prefs_json(&want);
	mp_json_own(r->ctx.a, o);
	return mp_resp_json(r, w, 200, o);
}

/* GET /api/notification-preferences/stats (staff): opt-out rates. */
enum mp_err
mp_prefs_api_stats(struct mp_req *r, struct mp_resp *w)
{
	struct json_object	*o;
	struct mp_res		*res;
	const char		*p[1];
	enum mp_err		 rc;
	int			 days;

	days = mp_prefs_conf(r->ctx.cfg)->stats_days;
	p[0] = mp_printf(r->ctx.a, "%d", days);
	if ((rc = mp_q(&r->ctx, &stmts[PM_STATS], 1, p, &res)) != MP_OK)
		return rc;
	o = json_object_new_object();
	mp_json_own(r->ctx.a, o);
	json_object_object_add(o, "window_days", json_object_new_int(days));
	json_object_object_add(o, "rates", mp_rows_json(res, NULL));
	return mp_resp_json(r, w, 200, o);
}

/* GET /staff/notifications/optouts: the evidence log, newest first. */
enum mp_err
mp_prefs_staff_optouts(struct mp_req *r, struct mp_resp *w)
{
	struct mp_res	*res;
	struct _hdf	*hdf;
	enum mp_err	 rc;

	if ((rc = mp_q(&r->ctx, &stmts[PM_OPTOUTS], 0, NULL, &res)) != MP_OK)
		return rc;
	hdf = mp_hdf(r);
	mp_hdf_set(hdf, "Page.Title", "Opt-outs");
	mp_rows_hdf(hdf, "Optouts", res, NULL);
	mp_hdf_setf(hdf, "Total", "%d", mp_res_rows(res) ?
	    (int)mp_res_int(res, 0, 7) : 0);
	return mp_render(r, w, 200, "prefs/optouts.cs", hdf);
}
