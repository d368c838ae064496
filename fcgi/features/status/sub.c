/* Status subscriptions by email: double opt-in, per-component choice, notices, unsubscribe. */
#include <string.h>

#include <ClearSilver.h>
#include <json-c/json.h>

#include "features/prefs/prefs.h"
#include "features/status/extern.h"

#define RESEND_S	60	/* at most one confirmation mail a minute */
#define MAX_NOTICES	5000	/* subscribers one update reaches in a request */

enum {
	SB_FIND,
	SB_INSERT,
	SB_RESET,
	SB_CONFIRM_FIND,
	SB_CONFIRM,
	SB_COMPS_CLEAR,
	SB_COMPS_SET,
	SB_NOTICE,
	SB_NOTICE_NID,
	SB_UNSUB_FIND,
	SB_AUDIENCE,
	SB_UPDATE,
	SB__MAX
};

static const struct mp_stmt stmts[] = {
	[SB_FIND] = { "status_sub_find",
	    "SELECT id, confirm_sent_at > now() - make_interval(secs => $2)"
	    " FROM status_subscriber WHERE email = lower($1)" },
	[SB_INSERT] = { "status_sub_insert",
	    "INSERT INTO status_subscriber (tenant_id, email, confirm_hash,"
	    " pending_all, pending_components)"
	    " VALUES (mp_tenant(), lower($1), $2, $3, $4::bigint[])"
	    " RETURNING id" },
	[SB_RESET] = { "status_sub_reset",
	    "UPDATE status_subscriber SET confirm_hash = $2,"
	    " confirm_sent_at = now(), pending_all = $3,"
	    " pending_components = $4::bigint[] WHERE id = $1" },
	[SB_CONFIRM_FIND] = { "status_sub_confirm_find",
	    "SELECT email FROM status_subscriber WHERE confirm_hash = $1"
	    " AND confirm_sent_at > now() - interval '7 days'" },
	[SB_CONFIRM] = { "status_sub_confirm",
	    "UPDATE status_subscriber SET confirmed_at = coalesce(confirmed_at,"
	    " now()), confirm_hash = NULL, all_components = pending_all"
	    " WHERE confirm_hash = $1"
	    " AND confirm_sent_at > now() - interval '7 days'"
	    " RETURNING id, email, pending_components::text" },
	[SB_COMPS_CLEAR] = { "status_sub_comps_clear",
	    "DELETE FROM status_subscriber_component WHERE subscriber_id = $1" },
	[SB_COMPS_SET] = { "status_sub_comps_set",
	    "INSERT INTO status_subscriber_component (tenant_id, subscriber_id,"
	    " component_id) SELECT mp_tenant(), $1, c.id"
	    " FROM status_component c WHERE c.id = ANY ($2::bigint[])"
	    " ON CONFLICT DO NOTHING" },
	[SB_NOTICE] = { "status_sub_notice",
	    "INSERT INTO status_notice (tenant_id, subscriber_email,"
	    " subscriber_id, incident_id, update_id, kind, unsub_hash)"
	    " VALUES (mp_tenant(), $1, $2, $3, $4, $5, $6) RETURNING id" },
	[SB_NOTICE_NID] = { "status_sub_notice_nid",
	    "UPDATE status_notice SET notification_id = $2 WHERE id = $1" },
	[SB_UNSUB_FIND] = { "status_sub_unsub_find",
	    "SELECT s.id, s.email, coalesce(m.message_id, ''),"
	    " CASE WHEN n.kind = 'update' THEN n.notification_id END"
	    " FROM status_notice n JOIN status_subscriber s"
	    " ON s.tenant_id = n.tenant_id AND s.id = n.subscriber_id"
	    " LEFT JOIN notification m ON m.tenant_id = n.tenant_id"
	    " AND m.public_id = n.notification_id"
	    " WHERE n.unsub_hash = $1" },
	[SB_AUDIENCE] = { "status_sub_audience",
	    "SELECT s.id, s.email FROM status_subscriber s"
	    " WHERE s.confirmed_at IS NOT NULL AND (s.all_components"
	    " OR EXISTS (SELECT 1 FROM status_subscriber_component sc"
	    "  JOIN status_incident_component ic"
	    "  ON ic.tenant_id = sc.tenant_id"
	    "  AND ic.component_id = sc.component_id"
	    "  WHERE sc.subscriber_id = s.id AND ic.incident_id = $1))"
	    " ORDER BY s.id LIMIT $2" },
	[SB_UPDATE] = { "status_sub_update",
	    "SELECT i.name, i.kind, i.public_id, u.status, u.body, u.public_id,"
	    " to_char(i.scheduled_for AT TIME ZONE 'UTC', 'Mon FMDD HH24:MI'),"
	    " to_char(i.scheduled_until AT TIME ZONE 'UTC', 'Mon FMDD HH24:MI'),"
	    " (SELECT string_agg(c.name, ', ' ORDER BY c.position, c.id)"
	    "  FROM status_incident_component ic JOIN status_component c"
	    "  ON c.tenant_id = ic.tenant_id AND c.id = ic.component_id"
	    "  WHERE ic.incident_id = i.id)"
	    " FROM status_incident i JOIN status_update u"
	    " ON u.tenant_id = i.tenant_id AND u.incident_id = i.id"
	    " WHERE i.id = $1 AND u.id = $2" },
};

_Static_assert(sizeof(stmts) / sizeof(stmts[0]) == SB__MAX,
    "status subscription statements and enum differ");

MP_STMT_TABLE(mp_status_sub_st, stmts);

static const char *const scopes[] = { "all", "some", NULL };

const struct mp_field mp_status_sub_fields[] = {
	{ "email", MP_V_EMAIL, 3, 254, 1, NULL },
	{ "scope", MP_V_ENUM, 0, 0, 0, scopes },
	{ NULL, 0, 0, 0, 0, NULL }
};

/*
 * Record a notice to email.  With url, mint the token of the link that
 * cancels a pending subscription (the confirmation mail, which is
 * transactional and so carries no /u/ link): the token for the link, its
 * hash with the notice.  Updates are unsubscribed from by their /u/ link
 * like every other non-transactional mail.  Returns the notice id in
 * *nid (arena) and the link in *url.
 */
static enum mp_err
notice(struct mp_ctx *c, const char *email, const char *sub_id,
    const char *incident, const char *update, const char *kind,
    char **nid, char **url)
{
	struct mp_res	*res;
	const char	*p[6];
	char		*tok = url != NULL ? mp_token(c->a, 32) : NULL;
	enum mp_err	 rc;

	p[0] = email;
	p[1] = sub_id;
	p[2] = incident;
	p[3] = update;
	p[4] = kind;
	p[5] = tok != NULL ? mp_sha256_hex(c->a, tok, strlen(tok)) : NULL;
	if ((rc = mp_q(c, &stmts[SB_NOTICE], 6, p, &res)) != MP_OK)
		return rc;
	*nid = mp_strdup(c->a, mp_res_get(res, 0, 0));
	if (url != NULL)
		*url = mp_printf(c->a, "%s/status/unsubscribe/%s",
		    mp_origin(c), tok);
	return MP_OK;
}

/* Remember which mail a notice became. */
static enum mp_err
notice_sent(struct mp_ctx *c, const char *nid, const char *notification)
{
	const char	*p[2];

	if (notification == NULL)
		return MP_OK;
	p[0] = nid;
	p[1] = notification;
	return mp_q(c, &stmts[SB_NOTICE_NID], 2, p, NULL);
}

/* The ids of the chosen components (form fields "components"), "{1,2}". */
static char *
chosen(struct mp_req *r, struct st_page *pg, int *n)
{
	struct mp_buf	 b;
	struct st_comp	*c;
	char		*s;
	int		 i;

	*n = 0;
	mp_buf_init(&b, 0);
	mp_buf_putc(&b, '{');
	for (i = 0; i < r->nform; i++) {
		if (strcmp(r->form[i].key, "components") != 0 ||
		    (c = mp_st_comp_by_pid(pg, r->form[i].val)) == NULL ||
		    c->is_group)
			continue;
		mp_buf_printf(&b, "%s%lld", *n ? "," : "", (long long)c->id);
		(*n)++;
	}
	mp_buf_putc(&b, '}');
	s = mp_strdup(r->ctx.a, mp_buf_cstr(&b));
	mp_buf_free(&b);
	return s;
}

/* The components as Comps.N.{Id,Name,Group} for the subscribe form. */
static void
hdf_choices(struct _hdf *hdf, struct st_page *pg)
{
	struct st_comp	*g;
	char		 name[48];
	int		 i, n = 0;

	for (i = 0; i < pg->nc; i++) {
		if (pg->c[i].is_group)
			continue;
		snprintf(name, sizeof(name), "Comps.%d.Id", n);
		mp_hdf_set(hdf, name, pg->c[i].pid);
		snprintf(name, sizeof(name), "Comps.%d.Name", n);
		mp_hdf_set(hdf, name, pg->c[i].name);
		if ((g = mp_st_comp_by_id(pg, pg->c[i].group_id)) != NULL) {
			snprintf(name, sizeof(name), "Comps.%d.Group", n);
			mp_hdf_set(hdf, name, g->name);
		}
		n++;
	}
}

/* GET /status/subscribe: the form. */
enum mp_err
mp_status_sub_form(struct mp_req *r, struct mp_resp *w)
{
	struct st_page	 pg;
	struct _hdf	*hdf;
	enum mp_err	 rc;

	if ((rc = mp_st_load_page(r, &pg)) != MP_OK ||
	    (rc = mp_st_load_components(r, &pg, 0)) != MP_OK)
		return rc;
	hdf = mp_hdf(r);
	mp_hdf_set(hdf, "Page.Title", "Get status updates by email");
	hdf_choices(hdf, &pg);
	mp_hdf_csrf(r, hdf);
	return mp_render(r, w, 200, "status/subscribe.cs", hdf);
}

/*
 * POST /status/subscribe: record the address (or renew its pending
 * choice) and mail a confirmation link; nothing is sent to the address
 * until it is confirmed.  The answer is the same whether the address is
 * new, pending or subscribed, so it tells nobody who subscribes.
 */
enum mp_err
mp_status_subscribe(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*email = mp_req_val(r, "email");
	const struct mp_value	*scope = mp_req_val(r, "scope");
	struct st_page		 pg;
	struct mp_res		*res;
	struct mp_mail		 m;
	struct _hdf		*hdf, *data;
	const char		*p[4];
	char			*tok, *ids, *nid, *unsub, *sent = NULL, *sid;
	int			 some, n;
	enum mp_err		 rc;

	some = scope->present && scope->i == 1;
	if ((rc = mp_st_load_page(r, &pg)) != MP_OK ||
	    (rc = mp_st_load_components(r, &pg, 0)) != MP_OK)
		return rc;
	ids = chosen(r, &pg, &n);
	if (some && n == 0)
		return mp_req_fail(r, MP_EINPUT, "components",
		    "Choose at least one component, or all of them.");
	tok = mp_token(r->ctx.a, 32);
	p[0] = email->s;
	p[1] = mp_printf(r->ctx.a, "%d", RESEND_S);
	if ((rc = mp_q(&r->ctx, &stmts[SB_FIND], 2, p, &res)) != MP_OK)
		return rc;
	p[1] = mp_sha256_hex(r->ctx.a, tok, strlen(tok));
	p[2] = some ? "false" : "true";
	p[3] = some ? ids : "{}";
	if (mp_res_rows(res) == 1) {
		sid = mp_strdup(r->ctx.a, mp_res_get(res, 0, 0));
		if (mp_res_bool(res, 0, 1))
			goto done;	/* mailed a minute ago: no flood */
		p[0] = sid;
		if ((rc = mp_q(&r->ctx, &stmts[SB_RESET], 4, p, NULL)) != MP_OK)
			return rc;
	} else {
		if ((rc = mp_q(&r->ctx, &stmts[SB_INSERT], 4, p, &res)) != MP_OK)
			return rc;
		sid = mp_strdup(r->ctx.a, mp_res_get(res, 0, 0));
	}
	if ((rc = notice(&r->ctx, email->s, sid, NULL, NULL, "confirm", &nid,
	    &unsub)) != MP_OK)
		return rc;
	data = mp_hdf(r);
	mp_hdf_set(data, "Status.ConfirmUrl", mp_printf(r->ctx.a,
	    "%s/status/subscribe/confirm/%s", mp_origin(&r->ctx), tok));
	mp_hdf_set(data, "Status.UnsubscribeUrl", unsub);
	mp_hdf_set(data, "Status.PageUrl", mp_printf(r->ctx.a, "%s/status",
	    mp_origin(&r->ctx)));
	memset(&m, 0, sizeof(m));
	m.to = email->s;
	m.subject = mp_printf(r->ctx.a, "Confirm your status updates from %s",
	    r->ctx.tenant->name);
	m.tpl = "status/confirm";
	m.data = data;
	m.category = "transactional";
	m.priority = 2;
	if ((rc = mp_mail_queue(&r->ctx, &m, &sent)) != MP_OK ||
	    (rc = notice_sent(&r->ctx, nid, sent)) != MP_OK)
		return rc;
done:
	if (r->route->flags & MP_R_JSON) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "status",
		    json_object_new_string("confirmation_sent"));
		mp_resp_json(r, w, 202, o);
		json_object_put(o);
		return MP_OK;
	}
	hdf = mp_hdf(r);
	mp_hdf_set(hdf, "Page.Title", "Check your inbox");
	mp_hdf_set(hdf, "Sub.Done", "sent");
	mp_hdf_set(hdf, "Sub.Email", email->s);
	return mp_render(r, w, 200, "status/subscribed.cs", hdf);
}

/* The token of a link, checked for shape; NULL when malformed. */
static const char *
link_hash(struct mp_req *r)
{
	const struct mp_capture	*t = mp_req_cap(r, "token");

	if (t == NULL || t->len < 32 || t->len > 64)
		return NULL;
	return mp_sha256_hex(r->ctx.a, t->s, t->len);
}

/* GET /status/subscribe/confirm/{token}: a button; GET changes nothing. */
enum mp_err
mp_status_confirm_form(struct mp_req *r, struct mp_resp *w)
{
	const char	*h = link_hash(r);
	struct mp_res	*res;
	struct _hdf	*hdf;
	enum mp_err	 rc;

	if (h == NULL)
		return mp_req_fail(r, MP_ENOTFOUND, NULL, "This confirmation "
		    "link is not valid, or it has expired or been used.");
	if ((rc = mp_q(&r->ctx, &stmts[SB_CONFIRM_FIND], 1, &h, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) != 1)
		return mp_req_fail(r, MP_ENOTFOUND, NULL, "This confirmation "
		    "link is not valid, or it has expired or been used.");
	hdf = mp_hdf(r);
	mp_hdf_set(hdf, "Page.Title", "Confirm your subscription");
	mp_hdf_set(hdf, "Sub.Email", mp_res_get(res, 0, 0));
	mp_hdf_set(hdf, "Sub.Action", r->path);
	mp_hdf_csrf(r, hdf);
	return mp_render(r, w, 200, "status/confirm.cs", hdf);
}

/* POST /status/subscribe/confirm/{token}: the subscription starts. */
enum mp_err
mp_status_confirm(struct mp_req *r, struct mp_resp *w)
{
	const char	*h = link_hash(r), *p[2];
	struct mp_res	*res;
	struct _hdf	*hdf;
	enum mp_err	 rc;

	if (h == NULL)
		return mp_req_fail(r, MP_ENOTFOUND, NULL, "This confirmation "
		    "link is not valid, or it has expired or been used.");
	if ((rc = mp_q(&r->ctx, &stmts[SB_CONFIRM], 1, &h, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) != 1)
		return mp_req_fail(r, MP_ENOTFOUND, NULL, "This confirmation "
		    "link is not valid, or it has expired or been used.");
	p[0] = mp_strdup(r->ctx.a, mp_res_get(res, 0, 0));
	p[1] = mp_strdup(r->ctx.a, mp_res_get(res, 0, 2));
	hdf = mp_hdf(r);
	mp_hdf_set(hdf, "Sub.Email", mp_res_get(res, 0, 1));
	if ((rc = mp_q(&r->ctx, &stmts[SB_COMPS_CLEAR], 1, p, NULL)) != MP_OK ||
	    (rc = mp_q(&r->ctx, &stmts[SB_COMPS_SET], 2, p, NULL)) != MP_OK)
		return rc;
	mp_hdf_set(hdf, "Page.Title", "You are subscribed");
	mp_hdf_set(hdf, "Sub.Done", "confirmed");
	return mp_render(r, w, 200, "status/subscribed.cs", hdf);
}

/*
 * GET /status/unsubscribe/{token}, the link of mails sent before there
 * was one unsubscribe system: an update's link goes on (303) to that
 * mail's /u/ page; a confirmation's shows a button as it did.
 */
enum mp_err
mp_status_unsub_form(struct mp_req *r, struct mp_resp *w)
{
	const char	*h = link_hash(r);
	struct mp_res	*res;
	struct _hdf	*hdf;
	char		*url;
	enum mp_err	 rc;

	if (h == NULL)
		return mp_req_fail(r, MP_ENOTFOUND, NULL,
		    "This unsubscribe link is not valid.");
	if ((rc = mp_q(&r->ctx, &stmts[SB_UNSUB_FIND], 1, &h, &res)) != MP_OK)
		return rc;
	hdf = mp_hdf(r);
	mp_hdf_set(hdf, "Page.Title", "Stop status updates");
	if (mp_res_rows(res) != 1) {
		mp_hdf_set(hdf, "Sub.Done", "gone");
		return mp_render(r, w, 200, "status/subscribed.cs", hdf);
	}
	if (!mp_res_isnull(res, 0, 3) && (url = mp_notify_unsub_url(&r->ctx,
	    mp_res_get(res, 0, 3))) != NULL)
		return mp_resp_redirect(w, 303, url);
	mp_hdf_set(hdf, "Sub.Email", mp_res_get(res, 0, 1));
	mp_hdf_set(hdf, "Sub.Action", r->path);
	mp_hdf_csrf(r, hdf);
	return mp_render(r, w, 200, "status/unsubscribe.cs", hdf);
}

/*
 * POST /status/unsubscribe/{token}: the address gets nothing more.  An
 * opt-out of status mail like any other (with its evidence), which ends
 * the subscription.
 */
enum mp_err
mp_status_unsub(struct mp_req *r, struct mp_resp *w)
{
	const char	*h = link_hash(r);
	struct mp_res	*res;
	struct _hdf	*hdf;
	enum mp_err	 rc;

	if (h == NULL)
		return mp_req_fail(r, MP_ENOTFOUND, NULL,
		    "This unsubscribe link is not valid.");
	if ((rc = mp_q(&r->ctx, &stmts[SB_UNSUB_FIND], 1, &h, &res)) != MP_OK)
		return rc;
	hdf = mp_hdf(r);
	mp_hdf_set(hdf, "Page.Title", "Unsubscribed");
	mp_hdf_set(hdf, "Sub.Done", "gone");
	if (mp_res_rows(res) == 1) {
		mp_hdf_set(hdf, "Sub.Email", mp_res_get(res, 0, 1));
		if ((rc = mp_prefs_unsubscribe(&r->ctx, "email",
		    mp_res_get(res, 0, 1), "status", "page",
		    *mp_res_get(res, 0, 2) ? mp_res_get(res, 0, 2) : NULL)) !=
		    MP_OK)
			return rc;
	}
	return mp_render(r, w, 200, "status/subscribed.cs", hdf);
}

/*
 * Queue one mail about update update_id of incident incident_id to every
 * confirmed subscriber it concerns (all components, or one of the
 * incident's), each with its own unsubscribe link, in the caller's
 * transaction.  Returns MP_OK or the first error.
 */
enum mp_err
mp_st_notify(struct mp_ctx *c, int64_t incident_id, int64_t update_id)
{
	struct mp_res	*res, *aud;
	struct mp_mail	 m;
	struct _hdf	*data;
	const char	*p[2], *kind, *name, *ipid, *upid;
	char		*nid, *sent, *sid;
	enum mp_err	 rc;
	int		 i, n;

	if ((rc = mp_tenant_fill(c)) != MP_OK)
		return rc;
	p[0] = mp_printf(c->a, "%lld", (long long)incident_id);
	p[1] = mp_printf(c->a, "%lld", (long long)update_id);
	if ((rc = mp_q(c, &stmts[SB_UPDATE], 2, p, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) != 1)
		return MP_ENOTFOUND;
	name = mp_res_get(res, 0, 0);
	kind = mp_res_get(res, 0, 1);
	ipid = mp_res_get(res, 0, 2);
	upid = mp_res_get(res, 0, 5);
	p[1] = mp_printf(c->a, "%d", MAX_NOTICES);
	if ((rc = mp_q(c, &stmts[SB_AUDIENCE], 2, p, &aud)) != MP_OK)
		return rc;
	n = mp_res_rows(aud);
	if (n == MAX_NOTICES)
		mp_warn("status notice for %s capped at %d subscribers", ipid,
		    MAX_NOTICES);
	for (i = 0; i < n; i++) {
		sid = mp_strdup(c->a, mp_res_get(aud, i, 0));
		if ((rc = notice(c, mp_res_get(aud, i, 1), sid, p[0],
		    mp_printf(c->a, "%lld", (long long)update_id), "update",
		    &nid, NULL)) != MP_OK)
			return rc;
		data = mp_ctx_hdf(c);
		mp_hdf_set(data, "Status.Name", name);
		mp_hdf_set(data, "Status.Kind", kind);
		mp_hdf_set(data, "Status.State", mp_res_get(res, 0, 3));
		mp_hdf_set(data, "Status.StateLabel",
		    mp_st_label(mp_res_get(res, 0, 3)));
		mp_hdf_set(data, "Status.Body", mp_res_get(res, 0, 4));
		mp_hdf_set(data, "Status.From", mp_res_get(res, 0, 6));
		mp_hdf_set(data, "Status.Until", mp_res_get(res, 0, 7));
		mp_hdf_set(data, "Status.Components", mp_res_get(res, 0, 8));
		mp_hdf_set(data, "Status.IncidentUrl", mp_printf(c->a,
		    "%s/status/incidents/%s", mp_origin(c), ipid));
		memset(&m, 0, sizeof(m));
		m.to = mp_res_get(aud, i, 1);
		m.subject = mp_printf(c->a, "[%s] %s: %s", c->tenant->name,
		    mp_st_label(mp_res_get(res, 0, 3)), name);
		m.tpl = "status/update";
		m.data = data;
		m.category = "status";
		m.priority = strcmp(kind, "incident") == 0 ? 2 : 5;
		m.idem_key = mp_printf(c->a, "status:%s:%s", upid, sid);
		sent = NULL;
		if ((rc = mp_mail_queue(c, &m, &sent)) != MP_OK ||
		    (rc = notice_sent(c, nid, sent)) != MP_OK)
			return rc;
	}
	return MP_OK;
}
