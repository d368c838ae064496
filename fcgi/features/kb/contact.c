/* Help center: "contact support" from a search that found nothing, and the staff list of those requests. */
#include <string.h>

#include <ClearSilver.h>
#include <json-c/json.h>

#include "features/kb/extern.h"
#include "features/notify/notify.h"

#define REQUESTS_PAGE	50

enum kbr_stmt {
	KBR_INSERT,
	KBR_SUPPORT,
	KBR_NOTIFIED,
	KBR_LIST,
	KBR__MAX
};

static const struct mp_stmt stmts[] = {
	[KBR_INSERT] = { "kbc_insert",
	    "INSERT INTO kb_contact_requests (tenant_id, name, email, message,"
	    " query, query_norm) VALUES (mp_tenant(), $1, $2, $3, $4, $5)"
	    " RETURNING id, public_id" },
	/* The tenant's support address: where the requests go. */
	[KBR_SUPPORT] = { "kbc_support",
	    "SELECT nullif(support_email, '') FROM tenant_branding",
	    MP_STMT_READ },
	[KBR_NOTIFIED] = { "kbc_notified",
	    "UPDATE kb_contact_requests SET notification_id = $2"
	    " WHERE id = $1" },
	/* Newest first; $1: only those of one (normalised) search. */
	[KBR_LIST] = { "kbc_list",
	    "SELECT public_id AS id, name, email, message, query,"
	    " query_norm, to_char(created_at AT TIME ZONE 'UTC',"
	    " 'YYYY-MM-DD HH24:MI') AS created, notification_id IS NOT NULL"
	    " AS mailed, count(*) OVER () AS total"
	    " FROM kb_contact_requests"
	    " WHERE ($1::text IS NULL OR query_norm = $1)"
	    " ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3",
	    MP_STMT_READ },
};

_Static_assert(sizeof(stmts) / sizeof(stmts[0]) == KBR__MAX,
    "kb contact statement table and enum differ");

MP_STMT_TABLE(mp_kb_contact_st, stmts);

const struct mp_field mp_kb_contact_fields[] = {
	{ "name", MP_V_TEXT, 1, 120, 1, NULL },
	{ "email", MP_V_EMAIL, 3, 254, 1, NULL },
	{ "message", MP_V_TEXT, 1, 5000, 1, NULL },
	{ "q", MP_V_TEXT, 0, MP_KB_QUERY_MAX, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct mp_field mp_kb_contact_page_fields[] = {
	{ "q", MP_V_TEXT, 0, MP_KB_QUERY_MAX, 0, NULL },
	{ "sent", MP_V_BOOL, 0, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct mp_field mp_kb_requests_fields[] = {
	{ "q", MP_V_TEXT, 0, MP_KB_QUERY_MAX, 0, NULL },
	{ "limit", MP_V_INT, 1, 200, 0, NULL },
	{ "offset", MP_V_INT, 0, 100000, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

/* A text field's value, or NULL when absent or empty. */
static const char *
val(struct mp_req *r, const char *name)
{
	const struct mp_value	*v = mp_req_val(r, name);

	return v && v->present && v->len > 0 ? v->s : NULL;
}

/*
 * GET /help/contact?q=: the form (name, email, message) with the search
 * that failed attached; ?sent=1 thanks the reader instead.  Never indexed.
 */
enum mp_err
mp_kb_contact_page(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*sent = mp_req_val(r, "sent");
	HDF			*hdf = mp_hdf(r);
	const char		*q = val(r, "q");

	mp_kb_page(r, hdf);
	mp_hdf_set(hdf, "Page.NoIndex", "1");
	mp_hdf_set(hdf, "Page.Title", "Ask our support team");
	if (q != NULL)
		mp_hdf_set(hdf, "Kb.Query", q);
	if (sent != NULL && sent->present && sent->i)
		mp_hdf_set(hdf, "Kb.Sent", "1");
	mp_hdf_csrf(r, hdf);
	return mp_render(r, w, 200, "kb/contact.cs", hdf);
}

/*
 * Store one contact request from the request's fields and, when the
 * tenant has a support address, queue the mail to it (same
 * transaction).  *pubid is the request's public id.
 */
static enum mp_err
contact(struct mp_req *r, char **pubid)
{
	struct mp_mail	 m;
	struct mp_res	*res, *sup;
	const char	*p[5], *q = val(r, "q");
	char		*nid = NULL, *id;
	HDF		*data;
	enum mp_err	 rc;

	p[0] = val(r, "name");
	p[1] = val(r, "email");
	p[2] = val(r, "message");
	if (p[0] == NULL)
		return mp_req_fail(r, MP_EINPUT, "name", "Give your name.");
	if (p[1] == NULL)
		return mp_req_fail(r, MP_EINPUT, "email",
		    "Give the email address we should answer.");
	if (p[2] == NULL)
		return mp_req_fail(r, MP_EINPUT, "message",
		    "Say what you were looking for.");
	p[3] = q ? q : "";
	p[4] = q ? mp_kb_norm_query(r->ctx.a, q) : "";
	if ((rc = mp_q(&r->ctx, &stmts[KBR_INSERT], 5, p, &res)) != MP_OK)
		return rc;
	id = mp_strdup(r->ctx.a, mp_res_get(res, 0, 0));
	*pubid = mp_strdup(r->ctx.a, mp_res_get(res, 0, 1));
	if ((rc = mp_q(&r->ctx, &stmts[KBR_SUPPORT], 0, NULL, &sup)) != MP_OK)
		return rc;
	if (mp_res_rows(sup) == 0 || mp_res_isnull(sup, 0, 0)) {
		mp_log(MP_LOG_WARN, "kb: tenant %s has no support address;"
		    " contact request %s stored only", r->ctx.tenant->id_text,
		    *pubid);
		return MP_OK;
	}
	data = mp_hdf(r);
	mp_hdf_set(data, "Contact.Id", *pubid);
	mp_hdf_set(data, "Contact.Name", p[0]);
	mp_hdf_set(data, "Contact.Email", p[1]);
	mp_hdf_set(data, "Contact.Message", p[2]);
	mp_hdf_set(data, "Contact.Query", p[3]);
	mp_hdf_set(data, "Contact.ReportUrl", mp_printf(r->ctx.a,
	    "%s/staff/help/requests", mp_origin(&r->ctx)));
	memset(&m, 0, sizeof(m));
	m.to = mp_res_get(sup, 0, 0);
	m.subject = q ? mp_printf(r->ctx.a, "Help request: \"%s\" found nothing",
	    q) : "Help request from the help center";
	m.tpl = "kb/contact";
	m.data = data;
	m.category = "transactional";
	m.priority = 3;
	m.idem_key = mp_printf(r->ctx.a, "kb.contact:%s", *pubid);
	if ((rc = mp_mail_queue(&r->ctx, &m, &nid)) != MP_OK)
		return rc;
	p[0] = id;
	p[1] = nid;
	return mp_q(&r->ctx, &stmts[KBR_NOTIFIED], 2, p, NULL);
}

/* POST /help/contact (form): 303 to /help/contact?sent=1. */
enum mp_err
mp_kb_contact_form(struct mp_req *r, struct mp_resp *w)
{
	char		*pubid;
	enum mp_err	 rc;

	if ((rc = contact(r, &pubid)) != MP_OK)
		return rc;
	return mp_resp_redirect(w, 303, "/help/contact?sent=1");
}

/*
 * POST /api/kb/contact {"name", "email", "message", "q"}: 201
 * {"id": ..., "status": "received"}.
 */
enum mp_err
mp_kb_api_contact(struct mp_req *r, struct mp_resp *w)
{
	struct json_object	*o;
	char			*pubid;
	enum mp_err		 rc;

	if ((rc = contact(r, &pubid)) != MP_OK)
		return rc;
	o = json_object_new_object();
	mp_json_own(r->ctx.a, o);
	json_object_object_add(o, "id", json_object_new_string(pubid));
	json_object_object_add(o, "status", json_object_new_string("received"));
	json_object_object_add(o, "message", json_object_new_string(
	    "Thank you. Our support team will answer by email."));
	return mp_resp_json(r, w, 201, o);
}

static const struct mp_col request_cols[] = {
	{ "id", NULL, MP_COL_TEXT },
	{ "name", NULL, MP_COL_TEXT },
	{ "email", NULL, MP_COL_TEXT },
	{ "message", NULL, MP_COL_TEXT },
	{ "query", NULL, MP_COL_TEXT },
	{ "created", "created_at", MP_COL_TEXT },
	{ "mailed", NULL, MP_COL_BOOL },
	{ NULL, NULL, 0 }
};

/* KBR_LIST with the request's filter (normalised) into res. */
static enum mp_err
requests(struct mp_req *r, int limit, int offset, struct mp_res **res)
{
	const char	*p[3], *q = val(r, "q");

	p[0] = q ? mp_kb_norm_query(r->ctx.a, q) : NULL;
	p[1] = mp_printf(r->ctx.a, "%d", limit);
	p[2] = mp_printf(r->ctx.a, "%d", offset);
	return mp_q(&r->ctx, &stmts[KBR_LIST], 3, p, res);
}

/* GET /staff/help/requests?q=: contact requests, newest first. */
enum mp_err
mp_kb_admin_requests(struct mp_req *r, struct mp_resp *w)
{
	struct mp_res	*res;
	HDF		*hdf;
	const char	*q = val(r, "q");
	char		*pre;
	int		 i;
	enum mp_err	 rc;

	if ((rc = mp_kb_staff(r)) != MP_OK)
		return rc;
	if ((rc = requests(r, REQUESTS_PAGE, 0, &res)) != MP_OK)
		return rc;
	hdf = mp_hdf(r);
	mp_kb_admin_page(r, hdf, "Contact requests");
	if (q != NULL)
		mp_hdf_set(hdf, "Kb.Query", q);
	mp_hdf_setf(hdf, "Kb.Total", "%lld", mp_res_rows(res) ?
	    (long long)mp_res_int(res, 0, 8) : 0LL);
	for (i = 0; i < mp_res_rows(res); i++) {
		pre = mp_printf(r->ctx.a, "Kb.Requests.%d", i);
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.Name", pre),
		    mp_res_get(res, i, 1));
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.Email", pre),
		    mp_res_get(res, i, 2));
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.Message", pre),
		    mp_res_get(res, i, 3));
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.Query", pre),
		    mp_res_get(res, i, 4));
		mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.Created", pre),
		    mp_res_get(res, i, 6));
		if (mp_res_bool(res, i, 7))
			mp_hdf_set(hdf, mp_printf(r->ctx.a, "%s.Mailed", pre),
			    "1");
	}
	return mp_render(r, w, 200, "kb/admin_requests.cs", hdf);
}

/* GET /api/kb/admin/requests?q=&limit=&offset= */
enum mp_err
mp_kb_api_admin_requests(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*lv = mp_req_val(r, "limit");
	const struct mp_value	*ov = mp_req_val(r, "offset");
	int			 limit = lv && lv->present ? (int)lv->i : 50;
	int			 offset = ov && ov->present ? (int)ov->i : 0;
	struct json_object	*o;
	struct mp_res		*res;
	enum mp_err		 rc;

	if ((rc = mp_kb_staff(r)) != MP_OK)
		return rc;
	if ((rc = requests(r, limit, offset, &res)) != MP_OK)
		return rc;
	o = json_object_new_object();
	mp_json_own(r->ctx.a, o);
	json_object_object_add(o, "requests", mp_rows_json(res, request_cols));
	json_object_object_add(o, "total", json_object_new_int64(
	    mp_res_rows(res) ? mp_res_int(res, 0, 8) : 0));
	json_object_object_add(o, "limit", json_object_new_int(limit));
	json_object_object_add(o, "offset", json_object_new_int(offset));
	return mp_resp_json(r, w, 200, o);
}
