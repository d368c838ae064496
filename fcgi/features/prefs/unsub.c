/* One unsubscribe system: opt-outs with their evidence, the /u/{token} page and its RFC 8058 one-click POST, and the token's JSON form. */
#include <stdio.h>
#include <string.h>

#include <ClearSilver.h>
#include <json-c/json.h>

#include "features/prefs/extern.h"

enum {
	UN_OUT,
	UN_IN,
	UN_STATE,
	UN__MAX
};

static const struct mp_stmt stmts[] = {
	/*
	 * The opt-out, its evidence, and the user's matrix when the address
	 * is a user's (security never); the lists follow by trigger.
	 */
	[UN_OUT] = { "prefs_optout",
	    "WITH o AS (INSERT INTO notification_optout (tenant_id, channel,"
	    " address, category, source, message_id) VALUES (mp_tenant(), $1,"
	    " lower($2), $3, $4, $5) ON CONFLICT (tenant_id, channel, address,"
	    " category) DO NOTHING),"
	    " p AS (UPDATE notification_preferences p SET email = false,"
	    " updated_at = now() FROM users u WHERE $1 = 'email'"
	    " AND u.tenant_id = p.tenant_id AND u.email = lower($2)"
	    " AND p.user_id = u.id AND p.category = $3"
	    " AND p.category <> 'security' AND p.email)"
	    " INSERT INTO optout_event (tenant_id, action, channel, address,"
	    " category, source, message_id) VALUES (mp_tenant(), 'out', $1,"
	    " lower($2), $3, $4, $5)" },
	/* Opting in again: a newsletter confirmed once comes back. */
	[UN_IN] = { "prefs_optin",
	    "WITH d AS (DELETE FROM notification_optout WHERE channel = $1"
	    " AND address = lower($2) AND category = $3 RETURNING 1),"
	    " n AS (UPDATE newsletter_subscriber SET state = 'confirmed',"
	    " unsubscribed_at = NULL WHERE $1 = 'email' AND $3 = 'marketing'"
	    " AND email = lower($2) AND state = 'unsubscribed'"
	    " AND confirmed_at IS NOT NULL),"
	    " p AS (UPDATE notification_preferences p SET email = true,"
	    " updated_at = now() FROM users u WHERE $1 = 'email'"
	    " AND u.tenant_id = p.tenant_id AND u.email = lower($2)"
	    " AND p.user_id = u.id AND p.category = $3 AND NOT p.email)"
	    " INSERT INTO optout_event (tenant_id, action, channel, address,"
	    " category, source) SELECT mp_tenant(), 'in', $1, lower($2), $3,"
	    " $4 WHERE EXISTS (SELECT 1 FROM d)" },
	/* What an address receives: its lists, opt-outs and user. */
	[UN_STATE] = { "prefs_unsub_state",
	    "SELECT mp_pref_category($2) AS category,"
	    " EXISTS (SELECT 1 FROM status_subscriber WHERE email = lower($1)"
	    "  AND confirmed_at IS NOT NULL) AS status,"
	    " coalesce((SELECT state FROM newsletter_subscriber"
	    "  WHERE email = lower($1)), '') AS newsletter,"
	    " coalesce((SELECT id FROM users WHERE email = lower($1)), 0)"
	    "  AS user_id,"
	    " coalesce((SELECT string_agg(category, ',') FROM"
	    "  notification_optout WHERE channel = 'email'"
	    "  AND address = lower($1)), '') AS optouts,"
	    " EXISTS (SELECT 1 FROM notification_suppression WHERE"
	    "  channel = 'email' AND address = lower($1)) AS suppressed" },
};

_Static_assert(sizeof(stmts) / sizeof(stmts[0]) == UN__MAX,
    "prefs unsubscribe statements and enum differ");

MP_STMT_TABLE(mp_prefs_unsub_st, stmts);

const struct mp_field mp_prefs_api_unsub_fields[] = {
	{ "token", MP_V_TOKEN, 16, 400, 1, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

/* Opt address out of category (a preference category), with the evidence. */
enum mp_err
mp_prefs_optout(struct mp_ctx *c, const char *channel, const char *address,
    const char *category, const char *source, const char *message_id)
{
	const char	*p[5];

	p[0] = channel;
	p[1] = address;
	p[2] = category;
	p[3] = source;
	p[4] = message_id;
	return mp_q(c, &stmts[UN_OUT], 5, p, NULL);
}

/* The same, for other features (prefs.h). */
enum mp_err
mp_prefs_unsubscribe(struct mp_ctx *c, const char *channel,
    const char *address, const char *category, const char *source,
    const char *message_id)
{
	return mp_prefs_optout(c, channel, address, category, source,
	    message_id);
}

/* Undo an opt-out (evidence recorded when there was one). */
enum mp_err
mp_prefs_optin(struct mp_ctx *c, const char *channel, const char *address,
    const char *category, const char *source)
{
	const char	*p[4];

	p[0] = channel;
	p[1] = address;
	p[2] = category;
	p[3] = source;
	return mp_q(c, &stmts[UN_IN], 4, p, NULL);
}

/* The address shown on public pages, partly hidden: "j***@example.com". */
char *
mp_prefs_mask(struct mp_arena *a, const char *addr)
{
	const char	*at = strchr(addr, '@');

	if (at == NULL || at - addr < 2)
		return mp_strdup(a, addr);
	return mp_printf(a, "%c***%s", addr[0], at);
}

/* A list's name for people. */
static const char *
list_label(const char *cat)
{
	int	 k = mp_prefs_cat_index(cat);

	if (k >= 0)
		return mp_prefs_cats[k].label;
	if (strcmp(cat, "status") == 0)
		return "Status updates";
	return cat;
}

/* Is cat in the comma-separated list s? */
static int
in_csv(const char *s, const char *cat)
{
	size_t	 n = strlen(cat);

	while (s != NULL && *s != '\0') {
		if (strncmp(s, cat, n) == 0 && (s[n] == ',' || s[n] == '\0'))
			return 1;
		if ((s = strchr(s, ',')) != NULL)
			s++;
	}
	return 0;
}

/* What the token names and what its address receives. */
struct target {
	struct mp_unsub	 u;
	const char	*token;
	const char	*cat;		/* preference category */
	int		 status;	/* confirmed status subscriber */
	const char	*newsletter;	/* "" or its state */
	int64_t		 user_id;
	const char	*optouts;
	int		 suppressed;
};

static enum mp_err
target_load(struct mp_ctx *c, const char *token, struct target *t)
{
	struct mp_res	*res;
	const char	*p[2];
	enum mp_err	 rc;

	memset(t, 0, sizeof(*t));
	t->token = token;
	if ((rc = mp_notify_unsub_lookup(c, token, &t->u)) != MP_OK)
		return rc;
	p[0] = t->u.recipient;
	p[1] = t->u.category;
	if ((rc = mp_q(c, &stmts[UN_STATE], 2, p, &res)) != MP_OK)
		return rc;
	if (mp_res_isnull(res, 0, 0))
		return mp_fail(c, MP_ENOTFOUND, NULL,
		    "This message cannot be unsubscribed from: it is a "
		    "transactional message.");
	t->cat = mp_strdup(c->a, mp_res_get(res, 0, 0));
	t->status = mp_res_bool(res, 0, 1);
	t->newsletter = mp_strdup(c->a, mp_res_get(res, 0, 2));
	t->user_id = mp_res_int(res, 0, 3);
	t->optouts = mp_strdup(c->a, mp_res_get(res, 0, 4));
	t->suppressed = mp_res_bool(res, 0, 5);
	return MP_OK;
}

/* One list row of the page: Lists.N.{Key,Label,On,Fixed,Link}. */
static void
list_row(struct _hdf *hdf, int *n, const char *key, int on, const char *link)
{
	char	 name[64];

	snprintf(name, sizeof(name), "Lists.%d.Key", *n);
	mp_hdf_set(hdf, name, key);
	snprintf(name, sizeof(name), "Lists.%d.Label", *n);
	mp_hdf_set(hdf, name, list_label(key));
	snprintf(name, sizeof(name), "Lists.%d.On", *n);
	mp_hdf_set(hdf, name, on ? "1" : "0");
	if (link != NULL) {
		snprintf(name, sizeof(name), "Lists.%d.Link", *n);
		mp_hdf_set(hdf, name, link);
	}
	(*n)++;
}

/*
 * The lists the page offers for t's address: status updates, the
 * newsletter (for an address that is not a user's: a user's marketing
 * row is its matrix), and the mail's own category when it is none of
 * those nor in the matrix.
 */
static void
lists_hdf(struct _hdf *hdf, const struct target *t)
{
	int	 n = 0;

	list_row(hdf, &n, "status", t->status, t->status ? NULL :
	    "/status/subscribe");
	/* The newsletter is offered to whoever confirmed it once. */
	if (t->user_id == 0 && (strcmp(t->newsletter, "confirmed") == 0 ||
	    strcmp(t->newsletter, "unsubscribed") == 0))
		list_row(hdf, &n, "marketing",
		    strcmp(t->newsletter, "confirmed") == 0 &&
		    !in_csv(t->optouts, "marketing"), NULL);
	if (strcmp(t->cat, "status") != 0 && strcmp(t->cat, "marketing") != 0 &&
	    (t->user_id == 0 || mp_prefs_cat_index(t->cat) < 0))
		list_row(hdf, &n, t->cat, !in_csv(t->optouts, t->cat), NULL);
}

/*
 * GET /u/{token}: what the address receives, a button that POSTs the
 * unsubscribe, and the rest of the preference centre for that address
 * (the lists, and the whole matrix when the address is a user's).
 * Changes nothing: mail scanners fetch links.
 */
enum mp_err
mp_prefs_unsub_show(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*cap = mp_req_cap(r, "token");
	struct prefs_user	 u;
	struct target		 t;
	struct _hdf		*hdf;
	const char		*s;
	enum mp_err		 rc;

	if ((rc = target_load(&r->ctx, cap->s, &t)) != MP_OK)
		return rc;
	hdf = mp_hdf(r);
	mp_hdf_set(hdf, "Page.Title", "Email preferences");
	mp_hdf_set(hdf, "Page.NoIndex", "1");
	mp_hdf_set(hdf, "Unsub.Address", mp_prefs_mask(r->ctx.a,
	    t.u.recipient));
	mp_hdf_set(hdf, "Unsub.Category", t.cat);
	mp_hdf_set(hdf, "Unsub.Label", list_label(t.cat));
	mp_hdf_set(hdf, "Unsub.Action", r->path);
	mp_hdf_set(hdf, "Unsub.OptedOut", (strcmp(t.cat, "status") == 0 ?
	    !t.status : in_csv(t.optouts, t.cat)) ? "1" : "0");
	mp_hdf_set(hdf, "Unsub.Suppressed", t.suppressed ? "1" : "0");
	lists_hdf(hdf, &t);
	if (t.user_id != 0) {
		if ((rc = mp_prefs_load(&r->ctx, t.user_id, t.u.recipient,
		    &u)) != MP_OK)
			return rc;
		mp_prefs_hdf(&r->ctx, hdf, &u);
		mp_hdf_set(hdf, "Prefs.Matrix", "1");
	}
	if ((s = mp_req_query(r, "done")) != NULL && strcmp(s, "saved") == 0)
		mp_hdf_set(hdf, "Prefs.Done", "saved");
	mp_hdf_set(hdf, "Prefs.Action", mp_printf(r->ctx.a,
	    "%s/preferences", r->path));
	mp_hdf_csrf(r, hdf);
	mp_resp_header(w, "Referrer-Policy", "no-referrer");
	mp_resp_header(w, "Cache-Control", "no-store");
	return mp_render(r, w, 200, "prefs/unsubscribe.cs", hdf);
}

/*
 * POST /u/{token}: RFC 8058 one-click unsubscribe (body
 * List-Unsubscribe=One-Click, urlencoded or multipart, or empty) and the
 * page's button.  Opts the address out of the mail's category at once,
 * with its evidence, and answers 200 with a short page and a way back.
 * No CSRF token, no cookie, no redirect, no sign-in: the token is the
 * authority.
 */
enum mp_err
mp_prefs_unsub_post(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*cap = mp_req_cap(r, "token");
	struct target		 t;
	struct _hdf		*hdf;
	const char		*oc, *source;
	enum mp_err		 rc;

	if ((rc = target_load(&r->ctx, cap->s, &t)) != MP_OK)
		return rc;
	oc = mp_req_form(r, "List-Unsubscribe");
	source = oc != NULL && strcmp(oc, "One-Click") == 0 ? "one-click" :
	    oc == NULL ? "one-click" : "page";
	if ((rc = mp_prefs_optout(&r->ctx, t.u.channel, t.u.recipient, t.cat,
	    source, t.u.message_id)) != MP_OK)
		return rc;
	if ((rc = mp_notify_event(&r->ctx, t.u.id, "unsubscribe",
	    mp_printf(r->ctx.a, "%s via %s", t.cat, source), NULL)) != MP_OK)
		return rc;
	hdf = mp_hdf(r);
	mp_hdf_set(hdf, "Page.Title", "You are unsubscribed");
	mp_hdf_set(hdf, "Page.NoIndex", "1");
	mp_hdf_set(hdf, "Unsub.Address", mp_prefs_mask(r->ctx.a,
	    t.u.recipient));
	mp_hdf_set(hdf, "Unsub.Label", list_label(t.cat));
	mp_hdf_set(hdf, "Unsub.Category", t.cat);
	mp_hdf_set(hdf, "Unsub.Back", r->path);
	mp_resp_header(w, "Referrer-Policy", "no-referrer");
	mp_resp_header(w, "Cache-Control", "no-store");
	return mp_render(r, w, 200, "prefs/unsubscribed.cs", hdf);
}

/*
 * POST /u/{token}/preferences (CSRF): the preference centre of the
 * token's address, saved without signing in: the lists shown ("lists"
 * names them; a box not sent is off) and, for a user's address, the
 * matrix.  303 back to the page.
 */
enum mp_err
mp_prefs_unsub_save(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*cap = mp_req_cap(r, "token");
	struct prefs_user	 old, want;
	struct target		 t;
	const char		*key;
	int			 i, on, was;
	enum mp_err		 rc;

	if ((rc = target_load(&r->ctx, cap->s, &t)) != MP_OK)
		return rc;
	for (i = 0; i < r->nform; i++) {
		if (strcmp(r->form[i].key, "lists") != 0)
			continue;
		key = r->form[i].val;
		if (strlen(key) > 32 || (strcmp(key, "status") != 0 &&
		    strcmp(key, "marketing") != 0 && strcmp(key, t.cat) != 0))
			return mp_req_fail(r, MP_EINPUT, "lists",
			    "This page does not offer that list.");
		if (t.user_id != 0 && mp_prefs_cat_index(key) >= 0)
			continue;	/* the matrix decides */
		on = mp_req_form(r, mp_printf(r->ctx.a, "list_%s", key)) !=
		    NULL;
		was = strcmp(key, "status") == 0 ? t.status :
		    !in_csv(t.optouts, key);
		if (was && !on)
			rc = mp_prefs_optout(&r->ctx, "email", t.u.recipient,
			    key, "page", t.u.message_id);
		else if (!was && on && strcmp(key, "status") != 0)
			rc = mp_prefs_optin(&r->ctx, "email", t.u.recipient,
			    key, "page");
		if (rc != MP_OK)
			return rc;
	}
	if (t.user_id != 0 && mp_req_form(r, "matrix") != NULL) {
		if ((rc = mp_prefs_load(&r->ctx, t.user_id, t.u.recipient,
		    &old)) != MP_OK || (rc = mp_prefs_form(r, &old, &want)) !=
		    MP_OK)
			return rc;
		/* No phone verification here: SMS stays as it was. */
		for (i = 0; i < PREFS_NCAT; i++)
			want.row[i].sms = old.row[i].sms;
		if ((rc = mp_prefs_save(&r->ctx, &old, &want, "page")) !=
		    MP_OK)
			return rc;
	}
	return mp_resp_redirect(w, 303, mp_printf(r->ctx.a,
	    "/u/%s?done=saved", t.token));
}

/*
 * POST /api/notification-preferences/unsubscribe/{category} (public):
 * {"token": the /u/ token}.  Opts the token's address out of category
 * (a preference category, or a mail category that maps to one).
 * Security notices cannot be unsubscribed from (422).
 */
enum mp_err
mp_prefs_api_unsub(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*cap = mp_req_cap(r, "category");
	const struct mp_value	*tok = mp_req_val(r, "token");
	struct json_object	*o;
	struct target		 t;
	const char		*cat;
	enum mp_err		 rc;

	if (cap->len < 1 || cap->len > 32 ||
	    strspn(cap->s, "abcdefghijklmnopqrstuvwxyz0123456789_-") !=
	    cap->len)
		return mp_req_fail(r, MP_EINPUT, "category",
		    "The category is not valid.");
	if ((rc = target_load(&r->ctx, tok->s, &t)) != MP_OK)
		return rc;
	cat = cap->s;
	if (strcmp(cat, "all") != 0 && strcmp(cat, t.u.category) == 0)
		cat = t.cat;
	else if (mp_prefs_cat_index(cat) < 0 && strcmp(cat, "status") != 0 &&
	    strcmp(cat, "all") != 0)
		return mp_req_fail(r, MP_EINPUT, "category",
		    "The category is not valid.");
	if (strcmp(cat, "security") == 0)
		return mp_req_fail(r, MP_EINPUT, "category",
		    "Security notices cannot be switched off.");
	if ((rc = mp_prefs_optout(&r->ctx, t.u.channel, t.u.recipient, cat,
	    "api", t.u.message_id)) != MP_OK)
		return rc;
	o = json_object_new_object();
	mp_json_own(r->ctx.a, o);
	json_object_object_add(o, "unsubscribed", json_object_new_boolean(1));
	json_object_object_add(o, "category", json_object_new_string(cat));
	json_object_object_add(o, "address", json_object_new_string(
	    mp_prefs_mask(r->ctx.a, t.u.recipient)));
	return mp_resp_json(r, w, 200, o);
}
