/* The audit log's writer: one entry per state-changing request, with what its handler noted, secrets filtered out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "features/audit/extern.h"

#define VALUE_MAX	200	/* characters of one logged value */

enum { RC_INSERT, RC__MAX };

static const struct mp_stmt stmts[] = {
	/*
	 * seq, prev_hash, row_hash and created_at are the chain trigger's
	 * (sql/migrations/0018_audit.sql): it takes the tenant's chain lock,
	 * which is held until this transaction ends.  The dispatcher runs
	 * this last, just before COMMIT, so the lock is held briefly.
	 */
	[RC_INSERT] = { "audit_insert",
	    "INSERT INTO audit_logs (tenant_id, user_id, actor_email,"
	    " actor_role, subject_user_id, action, resource_type, resource_id,"
	    " outcome, status, severity, method, route, changes, ip,"
	    " user_agent, request_id, gdpr, pci) VALUES (mp_tenant(),"
	    " $1::bigint, $2, $3, $4::bigint, $5, $6, $7, $8, $9::int, $10,"
	    " $11, $12, $13::jsonb, $14::inet, $15, $16, $17::boolean,"
	    " $18::boolean)" },
};

_Static_assert(MP_NELEM(stmts) == RC__MAX, "record statements and enum differ");

MP_STMT_TABLE(mp_audit_record_st, stmts);

/*
 * The note of the request in progress.  Responders serve one request at
 * a time; the note is tied to its context and request id and dropped by
 * the record hook, so nothing carries over to the next request.
 */
static struct note {
	const struct mp_ctx	*ctx;
	const char		*reqid;
	char			 action[65];
	char			 rtype[65];
	char			 rid[201];
	char			 subject[24];
	char			 severity[12];
	int			 gdpr;
	int			 pci;
	struct json_object	*before;
	struct json_object	*after;
	struct json_object	*detail;
} cur;

static void
note_clear(void)
{
	json_object_put(cur.before);
	json_object_put(cur.after);
	json_object_put(cur.detail);
	memset(&cur, 0, sizeof(cur));
}

static struct note *
note(struct mp_ctx *c)
{
	if (cur.ctx != c || cur.reqid != c->reqid) {
		note_clear();
		cur.ctx = c;
		cur.reqid = c->reqid;
	}
	return &cur;
}

static void
copy(char *dst, size_t sz, const char *s)
{
	snprintf(dst, sz, "%s", s != NULL ? s : "");
}

void
mp_audit_action(struct mp_ctx *c, const char *action)
{
	copy(note(c)->action, sizeof(cur.action), action);
}

void
mp_audit_resource(struct mp_ctx *c, const char *type, const char *id)
{
	struct note	*n = note(c);

	copy(n->rtype, sizeof(n->rtype), type);
	copy(n->rid, sizeof(n->rid), id);
}

void
mp_audit_subject(struct mp_ctx *c, const char *user_id)
{
	copy(note(c)->subject, sizeof(cur.subject), user_id);
}

void
mp_audit_change(struct mp_ctx *c, struct json_object *before,
    struct json_object *after)
{
	struct note	*n = note(c);

	json_object_put(n->before);
	json_object_put(n->after);
	n->before = before;
	n->after = after;
}

void
mp_audit_detail(struct mp_ctx *c, const char *key, const char *value)
{
	struct note	*n = note(c);

	if (key == NULL)
		return;
	if (n->detail == NULL)
		n->detail = json_object_new_object();
	json_object_object_add(n->detail, key, value != NULL ?
	    json_object_new_string(value) : NULL);
}

void
mp_audit_severity(struct mp_ctx *c, const char *severity)
{
	copy(note(c)->severity, sizeof(cur.severity), severity);
}

void
mp_audit_flags(struct mp_ctx *c, int gdpr, int pci)
{
	struct note	*n = note(c);

	n->gdpr = gdpr;
	n->pci = pci;
}

/*
 * Names that may carry a secret: a password, a token, a one-time or
 * recovery code, a key, card data.  Over-matching only hides a value.
 */
int
mp_audit_secret_name(const char *name)
{
	static const char *const words[] = {
		"password", "passwd", "secret", "token", "code", "otp",
		"csrf", "key", "card", "cvv", "cvc", "pan", "iban",
	};
	char	 low[128];
	size_t	 i;

	if (name == NULL)
		return 0;
	for (i = 0; name[i] != '\0' && i < sizeof(low) - 1; i++)
		low[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ?
		    name[i] - 'A' + 'a' : name[i]);
	low[i] = '\0';
	for (i = 0; i < MP_NELEM(words); i++)
		if (strcmp(words[i], "pan") == 0 ? strcmp(low, "pan") == 0 :
		    strstr(low, words[i]) != NULL)
			return 1;
	return 0;
}

/* A value of at most VALUE_MAX bytes, cut on a character boundary. */
static struct json_object *
capped(const char *s, size_t len)
{
	char	 buf[VALUE_MAX + 4];

	if (len <= VALUE_MAX)
		return json_object_new_string_len(s, (int)len);
	len = VALUE_MAX;
	while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
		len--;
	memcpy(buf, s, len);
	memcpy(buf + len, "\xe2\x80\xa6", 3);	/* U+2026 */
	return json_object_new_string_len(buf, (int)len + 3);
}

/*
 * A copy of v with the value of every secret-named key replaced and long
 * strings cut.  The caller owns the copy.
 */
static struct json_object *
filtered(struct json_object *v)
{
	struct json_object	*o;
	size_t			 i, n;

	if (v == NULL)
		return NULL;
	switch (json_object_get_type(v)) {
	case json_type_object:
		o = json_object_new_object();
		json_object_object_foreach(v, key, val)
			json_object_object_add(o, key,
			    mp_audit_secret_name(key) ?
			    json_object_new_string("[redacted]") :
			    filtered(val));
		return o;
	case json_type_array:
		o = json_object_new_array();
		n = json_object_array_length(v);
		for (i = 0; i < n && i < 100; i++)
			json_object_array_add(o,
			    filtered(json_object_array_get_idx(v, i)));
		return o;
	case json_type_string:
		return capped(json_object_get_string(v),
		    (size_t)json_object_get_string_len(v));
	default:
		return json_object_get(v);
	}
}

/*
 * The declared fields the request carried, as the handler saw them:
 * secrets (by name, and every MP_V_TOKEN value) are never written.
 */
static struct json_object *
fields(const struct mp_req *r)
{
	const struct mp_field	*f;
	struct json_object	*o = NULL;
	int			 i;

	if (r->route == NULL || r->route->fields == NULL || r->vals == NULL)
		return NULL;
	for (f = r->route->fields, i = 0; f->name != NULL; f++, i++) {
		if (!r->vals[i].present)
			continue;
		if (o == NULL)
			o = json_object_new_object();
		if (mp_audit_secret_name(f->name) || f->type == MP_V_TOKEN)
			json_object_object_add(o, f->name,
			    json_object_new_string("[redacted]"));
		else
			json_object_object_add(o, f->name,
			    capped(r->vals[i].s, r->vals[i].len));
	}
	return o;
}

static const char *
outcome_of(enum mp_err rc, int status)
{
	if (rc == MP_EAUTH || rc == MP_EFORBID || status == 401 ||
	    status == 403 || status == 429)
		return "denied";
	if (rc != MP_OK || status >= 400)
		return "failed";
	return "success";
}

static const char *
severity_of(enum mp_err rc, int status, const char *outcome)
{
	if (strcmp(outcome, "success") == 0)
		return "info";
	if (strcmp(outcome, "denied") == 0)
		return "warning";
	if (rc == MP_EDB || rc == MP_ESYS || rc == MP_EUPSTREAM ||
	    status >= 500)
		return "error";
	return "notice";
}

static const char *
role_text(const struct mp_user *u)
{
	return u->role == MP_ROLE_ADMIN ? "admin" :
	    u->role == MP_ROLE_SUPPORT ? "support" : "customer";
}

/*
 * Write the entry of request r (see struct mp_app's record hook).  With
 * in_tx the entry goes into the request's open transaction and an error
 * fails the request; without, into a transaction of its own, and an
 * error is only logged.  The note is dropped either way.
 */
enum mp_err
mp_audit_record(struct mp_req *r, struct mp_resp *w, enum mp_err rc,
    int in_tx)
{
	struct mp_ctx		*c = &r->ctx;
	struct note		*n = note(c);
	struct json_object	*ch, *v;
	const char		*p[18], *outcome, *ua;
	int			 status = w->status;
	enum mp_err		 e;

	if (!in_tx) {
		if (c->tenant == NULL && r->route != NULL &&
		    mp_tenant_resolve(r) != MP_OK)
			c->tenant = NULL;
		if (c->tenant == NULL) {
			note_clear();
			return MP_OK;
		}
		status = w->status;
	}
	outcome = outcome_of(rc, status);
	ch = json_object_new_object();
	if ((v = fields(r)) != NULL)
		json_object_object_add(ch, "fields", v);
	if (n->before != NULL)
		json_object_object_add(ch, "before", filtered(n->before));
	if (n->after != NULL)
		json_object_object_add(ch, "after", filtered(n->after));
	if (n->detail != NULL)
		json_object_object_add(ch, "detail", filtered(n->detail));
	if (r->sess != NULL && r->sess->via_token)
		json_object_object_add(ch, "via",
		    json_object_new_string("api_token"));
	if (strcmp(outcome, "success") != 0) {
		v = json_object_new_object();
		json_object_object_add(v, "code", json_object_new_string(
		    rc != MP_OK ? mp_err_code(rc) : "refused"));
		if (c->err_field != NULL)
			json_object_object_add(v, "field",
			    json_object_new_string(c->err_field));
		json_object_object_add(ch, "error", v);
	}
	p[0] = r->user ? r->user->id_text : NULL;
	p[1] = r->user ? r->user->email : NULL;
	p[2] = r->user ? role_text(r->user) : NULL;
	p[3] = n->subject[0] ? mp_strdup(c->a, n->subject) :
	    r->user ? r->user->id_text : NULL;
	p[4] = n->action[0] ? mp_strdup(c->a, n->action) :
	    mp_features_action(c->a, r->route, r->method);
	p[5] = n->rtype[0] ? mp_strdup(c->a, n->rtype) : NULL;
	p[6] = n->rid[0] ? mp_strdup(c->a, n->rid) : NULL;
	p[7] = outcome;
	p[8] = mp_printf(c->a, "%d", status);
	p[9] = n->severity[0] ? mp_strdup(c->a, n->severity) :
	    severity_of(rc, status, outcome);
	p[10] = mp_method_name(r->method);
	p[11] = r->route->pattern;
	p[12] = mp_strdup(c->a, json_object_to_json_string_ext(ch,
	    JSON_C_TO_STRING_PLAIN));
	p[13] = r->remote_addr;
	ua = r->user_agent;
	p[14] = ua ? mp_strndup(c->a, ua, 512) : NULL;
	p[15] = c->reqid;
	p[16] = n->gdpr ? "true" : "false";
	p[17] = n->pci ? "true" : "false";
	json_object_put(ch);
	note_clear();
	if (in_tx)
		return mp_q(c, &stmts[RC_INSERT], 18, p, NULL);
	if ((e = mp_tx_begin(c)) == MP_OK &&
	    (e = mp_q(c, &stmts[RC_INSERT], 18, p, NULL)) == MP_OK)
		e = mp_tx_commit(c);
	if (e != MP_OK) {
		mp_tx_rollback(c);
		mp_error("audit: the %s entry of a refused request was not "
		    "written", p[4]);
	}
	return e;
}
