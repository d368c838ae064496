/* Staff side of the status page: components, incidents, updates, maintenance, templates (HTML and JSON). */
#include <string.h>

#include <ClearSilver.h>
#include <json-c/json.h>

#include "features/status/extern.h"
#include "features/audit/audit.h"

static void	 audit_incident(struct mp_req *, const char *pid,
		    const char *kind, const char *name, const char *st,
		    const char *impact);

#define MAX_PICK	64	/* components one incident names */

enum {
	AD_INC_INSERT,
	AD_INC_COMP,
	AD_COMP_SET,
	AD_UPDATE_INSERT,
	AD_INC_FIND,
	AD_INC_SET,
	AD_INC_COMPS_OF,
	AD_PM,
	AD_TIMES_OK,
	AD_MAINT_INSERT,
	AD_COMP_INSERT,
	AD_COMP_UPDATE,
	AD_TPL_LIST,
	AD_TPL_INSERT,
	AD_TPL_FIND,
	AD_SUB_COUNT,
	AD__MAX
};

static const struct mp_stmt stmts[] = {
	[AD_INC_INSERT] = { "status_ad_inc_insert",
	    "INSERT INTO status_incident (tenant_id, name, status, impact,"
	    " monitoring_at, resolved_at) VALUES (mp_tenant(), $1, $2, $3,"
	    " CASE WHEN $2 = 'monitoring' THEN now() END,"
	    " CASE WHEN $2 = 'resolved' THEN now() END)"
	    " RETURNING id, public_id" },
	[AD_INC_COMP] = { "status_ad_inc_comp",
	    "INSERT INTO status_incident_component (tenant_id, incident_id,"
	    " component_id) VALUES (mp_tenant(), $1, $2)"
	    " ON CONFLICT DO NOTHING" },
	[AD_COMP_SET] = { "status_ad_comp_set",
	    "UPDATE status_component c SET status = $2, updated_at = now()"
	    " FROM (SELECT status AS old FROM status_component"
	    "  WHERE id = $1 AND NOT is_group) o"
	    " WHERE c.id = $1 RETURNING o.old, c.public_id, c.name" },
	[AD_UPDATE_INSERT] = { "status_ad_update_insert",
	    "INSERT INTO status_update (tenant_id, incident_id, status, body,"
	    " affected) VALUES (mp_tenant(), $1, $2, $3, $4::jsonb)"
	    " RETURNING id, public_id" },
	[AD_INC_FIND] = { "status_ad_inc_find",
	    "SELECT id, kind, public_id FROM status_incident"
	    " WHERE public_id = $1 FOR UPDATE" },
	[AD_INC_SET] = { "status_ad_inc_set",
	    "UPDATE status_incident SET status = $2, updated_at = now(),"
	    " impact = coalesce($3, impact),"
	    " monitoring_at = CASE WHEN $2 = 'monitoring'"
	    "  THEN coalesce(monitoring_at, now()) ELSE monitoring_at END,"
	    " resolved_at = CASE WHEN $2 IN ('resolved', 'completed')"
	    "  THEN coalesce(resolved_at, now()) ELSE resolved_at END,"
	    " auto_transition = auto_transition"
	    "  AND $2 IN ('scheduled', 'in_progress')"
	    " WHERE id = $1" },
	[AD_INC_COMPS_OF] = { "status_ad_inc_comps_of",
	    "SELECT c.public_id FROM status_incident_component ic"
	    " JOIN status_component c ON c.tenant_id = ic.tenant_id"
	    " AND c.id = ic.component_id WHERE ic.incident_id = $1" },
	[AD_PM] = { "status_ad_postmortem",
	    "UPDATE status_incident SET postmortem_body = $2,"
	    " postmortem_at = now(), updated_at = now(),"
	    " status = CASE WHEN kind = 'incident' AND status = 'resolved'"
	    "  THEN 'postmortem' ELSE status END"
	    " WHERE public_id = $1 AND kind = 'incident'"
	    " AND status IN ('resolved', 'postmortem') RETURNING id" },
	[AD_TIMES_OK] = { "status_ad_times_ok",
	    "SELECT $2::timestamptz > $1::timestamptz,"
	    " $2::timestamptz > now(),"
	    " $1::timestamptz < now() + interval '2 years'" },
	[AD_MAINT_INSERT] = { "status_ad_maint_insert",
	    "INSERT INTO status_incident (tenant_id, kind, name, status, impact,"
	    " started_at, scheduled_for, scheduled_until, auto_transition)"
	    " VALUES (mp_tenant(), 'maintenance', $1, 'scheduled', 'none',"
	    " $2::timestamptz, $2::timestamptz, $3::timestamptz, $4)"
	    " RETURNING id, public_id" },
	[AD_COMP_INSERT] = { "status_ad_comp_insert",
	    "INSERT INTO status_component (tenant_id, name, description,"
	    " position, is_group, group_id, start_date)"
	    " VALUES (mp_tenant(), $1, $2, coalesce($3::int, 0), $4,"
	    " (SELECT id FROM status_component WHERE public_id = $5"
	    "  AND is_group), current_date)"
	    " RETURNING id, public_id, group_id IS NULL AND $5 IS NOT NULL" },
	[AD_COMP_UPDATE] = { "status_ad_comp_update",
	    "UPDATE status_component SET name = coalesce($2, name),"
	    " description = coalesce($3, description),"
	    " status = CASE WHEN is_group THEN status"
	    "  ELSE coalesce($4, status) END,"
	    " position = coalesce($5::int, position),"
	    " only_show_if_degraded = coalesce($6::boolean,"
	    "  only_show_if_degraded),"
	    " probe_kind = coalesce($7, probe_kind),"
	    " probe_target = coalesce($8, probe_target),"
	    " probe_expect = coalesce($9::int, probe_expect),"
	    " probe_timeout_ms = coalesce($10::int, probe_timeout_ms),"
	    " probe_interval_s = coalesce($11::int, probe_interval_s),"
	    " probe_threshold = coalesce($12::int, probe_threshold),"
	    " probe_action = coalesce($13, probe_action),"
	    " probe_open_incident = coalesce($14::boolean,"
	    "  probe_open_incident),"
	    " probe_failures = CASE WHEN $7 IS NULL AND $8 IS NULL"
	    "  THEN probe_failures ELSE 0 END,"
	    " updated_at = now()"
	    " WHERE public_id = $1 RETURNING id" },
	[AD_TPL_LIST] = { "status_ad_tpl_list",
	    "SELECT public_id, name, title, body, status, impact"
	    " FROM status_template ORDER BY name" },
	[AD_TPL_INSERT] = { "status_ad_tpl_insert",
	    "INSERT INTO status_template (tenant_id, name, title, body, status,"
	    " impact) VALUES (mp_tenant(), $1, $2, $3, coalesce($4,"
	    " 'investigating'), coalesce($5, 'minor')) RETURNING public_id" },
	[AD_TPL_FIND] = { "status_ad_tpl_find",
	    "SELECT title, body, status, impact FROM status_template"
	    " WHERE public_id = $1" },
	[AD_SUB_COUNT] = { "status_ad_sub_count",
	    "SELECT count(*) FILTER (WHERE confirmed_at IS NOT NULL),"
	    " count(*) FILTER (WHERE confirmed_at IS NULL)"
	    " FROM status_subscriber" },
};

_Static_assert(sizeof(stmts) / sizeof(stmts[0]) == AD__MAX,
    "status staff statements and enum differ");

MP_STMT_TABLE(mp_status_admin_st, stmts);

static const char *const comp_states[] = { "operational",
    "degraded_performance", "partial_outage", "major_outage",
    "under_maintenance", NULL };
static const char *const inc_states[] = { "investigating", "identified",
    "monitoring", "resolved", NULL };
static const char *const maint_states[] = { "scheduled", "in_progress",
    "verifying", "completed", NULL };
static const char *const impacts[] = { "none", "minor", "major", "critical",
    NULL };
static const char *const probe_kinds[] = { "none", "http", "tcp", NULL };
static const char *const probe_actions[] = { "none", "degraded_performance",
    "partial_outage", "major_outage", NULL };

const struct mp_field mp_status_incident_fields[] = {
	{ "name", MP_V_TEXT, 0, 200, 0, NULL },
	{ "status", MP_V_TEXT, 0, 20, 0, NULL },
	{ "impact", MP_V_ENUM, 0, 0, 0, impacts },
	{ "body", MP_V_TEXT, 0, 10000, 0, NULL },
	{ "component_status", MP_V_ENUM, 0, 0, 0, comp_states },
	{ "template", MP_V_TEXT, 0, 12, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct mp_field mp_status_update_fields[] = {
	{ "status", MP_V_TEXT, 1, 20, 1, NULL },
	{ "body", MP_V_TEXT, 1, 10000, 1, NULL },
	{ "component_status", MP_V_ENUM, 0, 0, 0, comp_states },
	{ "impact", MP_V_ENUM, 0, 0, 0, impacts },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct mp_field mp_status_pm_fields[] = {
	{ "body", MP_V_TEXT, 1, 20000, 1, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct mp_field mp_status_maint_fields[] = {
	{ "name", MP_V_TEXT, 1, 200, 1, NULL },
	{ "body", MP_V_TEXT, 1, 10000, 1, NULL },
	{ "scheduled_for", MP_V_TIME, 0, 0, 1, NULL },
	{ "scheduled_until", MP_V_TIME, 0, 0, 1, NULL },
	{ "auto_transition", MP_V_BOOL, 0, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct mp_field mp_status_comp_fields[] = {
	{ "name", MP_V_TEXT, 1, 100, 0, NULL },
	{ "description", MP_V_TEXT, 0, 500, 0, NULL },
	{ "status", MP_V_ENUM, 0, 0, 0, comp_states },
	{ "position", MP_V_INT, 0, 10000, 0, NULL },
	{ "group", MP_V_BOOL, 0, 0, 0, NULL },
	{ "group_id", MP_V_TEXT, 0, 12, 0, NULL },
	{ "only_show_if_degraded", MP_V_BOOL, 0, 0, 0, NULL },
	{ "probe_kind", MP_V_ENUM, 0, 0, 0, probe_kinds },
	{ "probe_target", MP_V_TEXT, 0, 500, 0, NULL },
	{ "probe_expect", MP_V_INT, 100, 599, 0, NULL },
	{ "probe_timeout_ms", MP_V_INT, 100, 30000, 0, NULL },
	{ "probe_interval_s", MP_V_INT, 10, 86400, 0, NULL },
	{ "probe_threshold", MP_V_INT, 1, 100, 0, NULL },
	{ "probe_action", MP_V_ENUM, 0, 0, 0, probe_actions },
	{ "probe_open_incident", MP_V_BOOL, 0, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct mp_field mp_status_tpl_fields[] = {
	{ "name", MP_V_TEXT, 1, 100, 1, NULL },
	{ "title", MP_V_TEXT, 1, 200, 1, NULL },
	{ "body", MP_V_TEXT, 1, 10000, 1, NULL },
	{ "status", MP_V_TEXT, 0, 20, 0, NULL },
	{ "impact", MP_V_ENUM, 0, 0, 0, impacts },
	{ NULL, 0, 0, 0, 0, NULL }
};

static int
one_of(const char *s, const char *const *set)
{
	for (; s != NULL && *set != NULL; set++)
		if (strcmp(s, *set) == 0)
			return 1;
	return 0;
}


/* A present text field's value, else NULL. */
static const char *
val(struct mp_req *r, const char *name)
{
	const struct mp_value	*v = mp_req_val(r, name);

	return v->present && v->len > 0 ? v->s : NULL;
}

static const char *
bool_text(struct mp_req *r, const char *name)
{
	const struct mp_value	*v = mp_req_val(r, name);

	return v->present ? (v->i ? "true" : "false") : NULL;
}

static const char *
int_text(struct mp_req *r, const char *name)
{
	const struct mp_value	*v = mp_req_val(r, name);

	return v->present ? mp_printf(r->ctx.a, "%lld", (long long)v->i) : NULL;
}

/* Staff of this tenant only (the route says so too). */
static enum mp_err
staff_only(struct mp_req *r)
{
	if (r->user == NULL)
		return MP_EAUTH;
	if (r->user->role < MP_ROLE_SUPPORT)
		return mp_req_fail(r, MP_EFORBID, NULL,
		    "Only staff can change the status page.");
	return MP_OK;
}

/*
 * The components a request names, as loaded components: a JSON array
 * "components", form fields "components" (repeated), or one
 * comma-separated value.  MP_EINPUT names an unknown id.
 */
static enum mp_err
picked(struct mp_req *r, struct st_page *pg, struct st_comp **out, int *n)
{
	struct json_object	*a = NULL, *e;
	const char		*ids[MAX_PICK];
	char			*list, *tok, *save;
	size_t			 i, k = 0;
	int			 j;

	*n = 0;
	if (r->json != NULL &&
	    json_object_object_get_ex(r->json, "components", &a) &&
	    json_object_is_type(a, json_type_array)) {
		for (i = 0; i < json_object_array_length(a) && k < MAX_PICK;
		    i++) {
			e = json_object_array_get_idx(a, i);
			if (!json_object_is_type(e, json_type_string))
				return mp_req_fail(r, MP_EINPUT, "components",
				    "components must be a list of ids.");
			ids[k++] = json_object_get_string(e);
		}
	} else if (r->json == NULL) {
		for (j = 0; j < r->nform && k < MAX_PICK; j++) {
			if (strcmp(r->form[j].key, "components") != 0)
				continue;
			list = mp_strdup(r->ctx.a, r->form[j].val);
			for (tok = strtok_r(list, ", ", &save); tok != NULL &&
			    k < MAX_PICK; tok = strtok_r(NULL, ", ", &save))
				ids[k++] = tok;
		}
	}
	for (i = 0; i < k; i++) {
		struct st_comp *c = mp_st_comp_by_pid(pg, ids[i]);

		if (c == NULL || c->is_group)
			return mp_req_fail(r, MP_EINPUT, "components",
			    mp_printf(r->ctx.a, "There is no component %.20s.",
			    ids[i]));
		for (j = 0; j < *n; j++)
			if (out[j] == c)
				break;
		if (j == *n)
			out[(*n)++] = c;
	}
	return MP_OK;
}

/*
 * Set each component's status, recording old and new in affected (a
 * JSON array the caller owns) for the update.  Unchanged ones are left
 * out.
 */
static enum mp_err
set_statuses(struct mp_req *r, struct st_comp **c, int n, const char *st,
    struct json_object *affected)
{
	struct json_object	*o;
	struct mp_res		*res;
	const char		*p[2];
	enum mp_err		 rc;
	int			 i;

	for (i = 0; i < n; i++) {
		p[0] = mp_printf(r->ctx.a, "%lld", (long long)c[i]->id);
		p[1] = st;
		if ((rc = mp_q(&r->ctx, &stmts[AD_COMP_SET], 2, p, &res)) != MP_OK)
			return rc;
		if (mp_res_rows(res) != 1 ||
		    strcmp(mp_res_get(res, 0, 0), st) == 0)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "code",
		    json_object_new_string(mp_res_get(res, 0, 1)));
		json_object_object_add(o, "name",
		    json_object_new_string(mp_res_get(res, 0, 2)));
		json_object_object_add(o, "old_status",
		    json_object_new_string(mp_res_get(res, 0, 0)));
		json_object_object_add(o, "new_status",
		    json_object_new_string(st));
		json_object_array_add(affected, o);
	}
	return MP_OK;
}

/* Insert an update with its affected components; ids into *id, *pid. */
static enum mp_err
add_update(struct mp_req *r, const char *inc_id, const char *status,
    const char *body, struct json_object *affected, int64_t *id)
{
	struct mp_res	*res;
	const char	*p[4];
	enum mp_err	 rc;

	p[0] = inc_id;
	p[1] = status;
	p[2] = body;
	p[3] = json_object_array_length(affected) > 0 ?
	    json_object_to_json_string_ext(affected, JSON_C_TO_STRING_PLAIN) :
	    NULL;
	if ((rc = mp_q(&r->ctx, &stmts[AD_UPDATE_INSERT], 4, p, &res)) != MP_OK)
		return rc;
	*id = mp_res_int(res, 0, 0);
	return MP_OK;
}

/*
 * The answer to a staff change: the incident as Statuspage JSON (201 for
 * a new one) on JSON routes, else 303 back to the staff page.
 */
static enum mp_err
answer(struct mp_req *r, struct mp_resp *w, const char *pid, int created)
{
	struct st_page		 pg;
	enum mp_err		 rc;

	mp_st_touch(r->ctx.cfg, r->ctx.a, r->ctx.tenant->slug);
	if (!(r->route->flags & MP_R_JSON))
		return mp_resp_redirect(w, 303, mp_printf(r->ctx.a,
		    "/staff/status#i-%s", pid));
	if ((rc = mp_st_load_page(r, &pg)) != MP_OK ||
	    (rc = mp_st_load_components(r, &pg, 0)) != MP_OK ||
	    (rc = mp_st_load_incidents(r, &pg, "one", pid, 1, 0)) != MP_OK)
		return rc;
	if (pg.ninc != 1)
		return MP_ENOTFOUND;
	return mp_st_send_incident(r, w, created ? 201 : 200, &pg,
	    &pg.inc[0]);
}

/*
 * POST /api/status/incidents, /staff/status/incidents: open an incident
 * with name, impact, status and a first update; the named components
 * take component_status.  A template fills name, body, status and impact
 * left empty.  Subscribers are notified.
 */
enum mp_err
mp_status_incident_create(struct mp_req *r, struct mp_resp *w)
{
	struct st_page		 pg;
	struct st_comp		*c[MAX_PICK];
	struct json_object	*aff;
	struct mp_res		*res;
	const char		*name = val(r, "name"), *body = val(r, "body");
	const char		*st = val(r, "status"), *imp = val(r, "impact");
	const char		*cst = val(r, "component_status");
	const char		*tpl = val(r, "template"), *p[3];
	char			*id, *pid;
	int64_t			 uid;
	enum mp_err		 rc;
	int			 n, i;

	if ((rc = staff_only(r)) != MP_OK)
		return rc;
	if (tpl != NULL) {
		if ((rc = mp_q(&r->ctx, &stmts[AD_TPL_FIND], 1, &tpl, &res)) !=
		    MP_OK)
			return rc;
		if (mp_res_rows(res) != 1)
			return mp_req_fail(r, MP_EINPUT, "template",
			    "There is no such incident template.");
		name = name ? name : mp_res_get(res, 0, 0);
		body = body ? body : mp_res_get(res, 0, 1);
		st = st ? st : mp_res_get(res, 0, 2);
		imp = imp ? imp : mp_res_get(res, 0, 3);
	}
	if (name == NULL)
		return mp_req_fail(r, MP_EINPUT, "name",
		    "name is required.");
	if (body == NULL)
		return mp_req_fail(r, MP_EINPUT, "body",
		    "body is required.");
	st = st ? st : "investigating";
	imp = imp ? imp : "minor";
	if (!one_of(st, inc_states))
		return mp_req_fail(r, MP_EINPUT, "status", "status must be "
		    "investigating, identified, monitoring or resolved.");
	if (!one_of(imp, impacts))
		return mp_req_fail(r, MP_EINPUT, "impact",
		    "impact must be none, minor, major or critical.");
	if (cst != NULL && !one_of(cst, comp_states))
		return mp_req_fail(r, MP_EINPUT, "component_status",
		    "component_status is not a component status.");
	if ((rc = mp_st_load_page(r, &pg)) != MP_OK ||
	    (rc = mp_st_load_components(r, &pg, 0)) != MP_OK ||
	    (rc = picked(r, &pg, c, &n)) != MP_OK)
		return rc;
	p[0] = name;
	p[1] = st;
	p[2] = imp;
	if ((rc = mp_q(&r->ctx, &stmts[AD_INC_INSERT], 3, p, &res)) != MP_OK)
		return rc;
	id = mp_strdup(r->ctx.a, mp_res_get(res, 0, 0));
	pid = mp_strdup(r->ctx.a, mp_res_get(res, 0, 1));
	for (i = 0; i < n; i++) {
		p[0] = id;
		p[1] = mp_printf(r->ctx.a, "%lld", (long long)c[i]->id);
		if ((rc = mp_q(&r->ctx, &stmts[AD_INC_COMP], 2, p, NULL)) != MP_OK)
			return rc;
	}
	aff = json_object_new_array();
	mp_json_own(r->ctx.a, aff);
	if (cst != NULL || strcmp(st, "resolved") == 0)
		if ((rc = set_statuses(r, c, n, cst ? cst : "operational",
		    aff)) != MP_OK)
			return rc;
	if ((rc = add_update(r, id, st, body, aff, &uid)) != MP_OK ||
	    (rc = mp_st_notify(&r->ctx, strtoll(id, NULL, 10), uid)) != MP_OK)
		return rc;
	audit_incident(r, pid, NULL, name, st, imp);
	return answer(r, w, pid, 1);
}

/*
 * Tell the audit log which incident (or maintenance) changed and its
 * state after; resolving one says INCIDENT_RESOLVED.
 */
static void
audit_incident(struct mp_req *r, const char *pid, const char *kind,
    const char *name, const char *st, const char *impact)
{
	struct json_object	*after = json_object_new_object();

	if (kind == NULL || strcmp(kind, "incident") == 0) {
		if (strcmp(st, "resolved") == 0)
			mp_audit_action(&r->ctx, "INCIDENT_RESOLVED");
	}
	mp_audit_resource(&r->ctx, kind ? kind : "incident", pid);
	if (name != NULL)
		json_object_object_add(after, "name",
		    json_object_new_string(name));
	json_object_object_add(after, "status", json_object_new_string(st));
	if (impact != NULL)
		json_object_object_add(after, "impact",
		    json_object_new_string(impact));
	mp_audit_change(&r->ctx, NULL, after);
}

/*
 * POST .../incidents/{id}/updates: a new update with status and body.
 * component_status, when given, applies to the incident's components
 * (or those named); resolving an incident or completing maintenance
 * without one puts its components back to operational.
 */
enum mp_err
mp_status_update_create(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*cap = mp_req_cap(r, "id");
	struct st_page		 pg;
	struct st_comp		*c[MAX_PICK];
	struct json_object	*aff;
	struct mp_res		*res;
	const char		*st = val(r, "status"), *body = val(r, "body");
	const char		*cst = val(r, "component_status");
	const char		*imp = val(r, "impact"), *p[3];
	char			*id, *kind, *pid;
	int64_t			 uid;
	enum mp_err		 rc;
	int			 n, i, done;

	if ((rc = staff_only(r)) != MP_OK)
		return rc;
	if ((rc = mp_q(&r->ctx, &stmts[AD_INC_FIND], 1, &cap->s, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) != 1)
		return mp_req_fail(r, MP_ENOTFOUND, NULL,
		    "There is no such incident.");
	id = mp_strdup(r->ctx.a, mp_res_get(res, 0, 0));
	kind = mp_strdup(r->ctx.a, mp_res_get(res, 0, 1));
	pid = mp_strdup(r->ctx.a, mp_res_get(res, 0, 2));
	if (strcmp(kind, "incident") != 0)
		mp_audit_action(&r->ctx, "MAINTENANCE_UPDATED");
	if (!one_of(st, strcmp(kind, "incident") == 0 ? inc_states :
	    maint_states))
		return mp_req_fail(r, MP_EINPUT, "status", mp_printf(r->ctx.a,
		    "status is not a %s status.", kind));
	if (imp != NULL && !one_of(imp, impacts))
		return mp_req_fail(r, MP_EINPUT, "impact",
		    "impact must be none, minor, major or critical.");
	if (cst != NULL && !one_of(cst, comp_states))
		return mp_req_fail(r, MP_EINPUT, "component_status",
		    "component_status is not a component status.");
	if ((rc = mp_st_load_page(r, &pg)) != MP_OK ||
	    (rc = mp_st_load_components(r, &pg, 0)) != MP_OK ||
	    (rc = picked(r, &pg, c, &n)) != MP_OK)
		return rc;
	for (i = 0; i < n; i++) {
		p[0] = id;
		p[1] = mp_printf(r->ctx.a, "%lld", (long long)c[i]->id);
		if ((rc = mp_q(&r->ctx, &stmts[AD_INC_COMP], 2, p, NULL)) != MP_OK)
			return rc;
	}
	if (n == 0) {
		if ((rc = mp_q(&r->ctx, &stmts[AD_INC_COMPS_OF], 1,
		    (const char **)&id, &res)) != MP_OK)
			return rc;
		for (i = 0; i < mp_res_rows(res) && n < MAX_PICK; i++)
			if ((c[n] = mp_st_comp_by_pid(&pg,
			    mp_res_get(res, i, 0))) != NULL)
				n++;
	}
	p[0] = id;
	p[1] = st;
	p[2] = imp;
	if ((rc = mp_q(&r->ctx, &stmts[AD_INC_SET], 3, p, NULL)) != MP_OK)
		return rc;
	aff = json_object_new_array();
	mp_json_own(r->ctx.a, aff);
	done = strcmp(st, "resolved") == 0 || strcmp(st, "completed") == 0;
	if (cst != NULL || done)
		if ((rc = set_statuses(r, c, n, cst && !done ? cst :
		    "operational", aff)) != MP_OK)
			return rc;
	if (cst == NULL && strcmp(st, "in_progress") == 0 &&
	    (rc = set_statuses(r, c, n, "under_maintenance", aff)) != MP_OK)
		return rc;
	if ((rc = add_update(r, id, st, body, aff, &uid)) != MP_OK ||
	    (rc = mp_st_notify(&r->ctx, strtoll(id, NULL, 10), uid)) != MP_OK)
		return rc;
	audit_incident(r, pid, kind, NULL, st, imp);
	return answer(r, w, pid, 0);
}

/* POST .../incidents/{id}/postmortem: the postmortem of a resolved incident. */
enum mp_err
mp_status_postmortem(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*cap = mp_req_cap(r, "id");
	struct mp_res		*res;
	const char		*p[2];
	enum mp_err		 rc;

	if ((rc = staff_only(r)) != MP_OK)
		return rc;
	p[0] = cap->s;
	p[1] = val(r, "body");
	if ((rc = mp_q(&r->ctx, &stmts[AD_PM], 2, p, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) != 1)
		return mp_req_fail(r, MP_ECONFLICT, NULL, "A postmortem "
		    "follows a resolved incident; this one is not.");
	return answer(r, w, cap->s, 0);
}

/*
 * POST /api/status/maintenance, /staff/status/maintenance: schedule
 * maintenance on the named components with a first notice.  It moves to
 * in progress and completed at its times by itself unless
 * auto_transition is false.
 */
enum mp_err
mp_status_maint_create(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*aut = mp_req_val(r, "auto_transition");
	struct st_page		 pg;
	struct st_comp		*c[MAX_PICK];
	struct json_object	*aff;
	struct mp_res		*res;
	const char		*from, *until, *p[4];
	char			*id, *pid;
	int64_t			 uid;
	enum mp_err		 rc;
	int			 n, i;

	if ((rc = staff_only(r)) != MP_OK)
		return rc;
	from = mp_time_utc(r->ctx.a, mp_req_val(r, "scheduled_for")->i);
	until = mp_time_utc(r->ctx.a, mp_req_val(r, "scheduled_until")->i);
	p[0] = from;
	p[1] = until;
	if ((rc = mp_q(&r->ctx, &stmts[AD_TIMES_OK], 2, p, &res)) != MP_OK)
		return rc;
	if (!mp_res_bool(res, 0, 0))
		return mp_req_fail(r, MP_EINPUT, "scheduled_until",
		    "The maintenance must end after it starts.");
	if (!mp_res_bool(res, 0, 1))
		return mp_req_fail(r, MP_EINPUT, "scheduled_until",
		    "The maintenance must end in the future.");
	if (!mp_res_bool(res, 0, 2))
		return mp_req_fail(r, MP_EINPUT, "scheduled_for",
		    "Maintenance is scheduled at most two years ahead.");
	if ((rc = mp_st_load_page(r, &pg)) != MP_OK ||
	    (rc = mp_st_load_components(r, &pg, 0)) != MP_OK ||
	    (rc = picked(r, &pg, c, &n)) != MP_OK)
		return rc;
	p[0] = val(r, "name");
	p[1] = from;
	p[2] = until;
	p[3] = aut->present && !aut->i ? "false" : "true";
	if ((rc = mp_q(&r->ctx, &stmts[AD_MAINT_INSERT], 4, p, &res)) != MP_OK)
		return rc;
	id = mp_strdup(r->ctx.a, mp_res_get(res, 0, 0));
	pid = mp_strdup(r->ctx.a, mp_res_get(res, 0, 1));
	for (i = 0; i < n; i++) {
		p[0] = id;
		p[1] = mp_printf(r->ctx.a, "%lld", (long long)c[i]->id);
		if ((rc = mp_q(&r->ctx, &stmts[AD_INC_COMP], 2, p, NULL)) != MP_OK)
			return rc;
	}
	aff = json_object_new_array();
	mp_json_own(r->ctx.a, aff);
	if ((rc = add_update(r, id, "scheduled", val(r, "body"), aff, &uid))
	    != MP_OK ||
	    (rc = mp_st_notify(&r->ctx, strtoll(id, NULL, 10), uid)) != MP_OK)
		return rc;
	return answer(r, w, pid, 1);
}

/* Check the enumerated fields a component change may carry. */
static enum mp_err
comp_check(struct mp_req *r)
{
	const char	*s;

	/* status, probe_kind and probe_action: MP_V_ENUM fields. */
	if ((s = val(r, "probe_target")) != NULL &&
	    mp_status_probe_target_ok(val(r, "probe_kind"), s) != 0)
		return mp_req_fail(r, MP_EINPUT, "probe_target",
		    "probe_target must be an https:// URL (http) or "
		    "host:port (tcp).");
	return MP_OK;
}

/* The component as JSON (201 when new), or back to the staff page. */
static enum mp_err
comp_answer(struct mp_req *r, struct mp_resp *w, const char *pid, int created)
{
	struct st_page		 pg;
	struct st_comp		*c;
	enum mp_err		 rc;

	mp_st_touch(r->ctx.cfg, r->ctx.a, r->ctx.tenant->slug);
	if (!(r->route->flags & MP_R_JSON))
		return mp_resp_redirect(w, 303, "/staff/status#components");
	if ((rc = mp_st_load_page(r, &pg)) != MP_OK ||
	    (rc = mp_st_load_components(r, &pg, 0)) != MP_OK)
		return rc;
	if ((c = mp_st_comp_by_pid(&pg, pid)) == NULL)
		return MP_ENOTFOUND;
	return mp_st_send_component(w, created ? 201 : 200, &pg, c);
}

/* POST /api/status/components, /staff/status/components: a new one. */
enum mp_err
mp_status_comp_create(struct mp_req *r, struct mp_resp *w)
{
	struct mp_res	*res;
	const char	*p[5];
	char		*pid;
	enum mp_err	 rc;

	if ((rc = staff_only(r)) != MP_OK || (rc = comp_check(r)) != MP_OK)
		return rc;
	if ((p[0] = val(r, "name")) == NULL)
		return mp_req_fail(r, MP_EINPUT, "name", "name is required.");
	p[1] = val(r, "description");
	p[2] = int_text(r, "position");
	p[3] = bool_text(r, "group");
	p[3] = p[3] ? p[3] : "false";
	p[4] = val(r, "group_id");
	if (p[4] != NULL && strcmp(p[3], "true") == 0)
		return mp_req_fail(r, MP_EINPUT, "group_id",
		    "A group cannot be in another group.");
	if ((rc = mp_q(&r->ctx, &stmts[AD_COMP_INSERT], 5, p, &res)) != MP_OK)
		return rc;
	if (mp_res_bool(res, 0, 2))
		return mp_req_fail(r, MP_EINPUT, "group_id",
		    "There is no such group.");
	pid = mp_strdup(r->ctx.a, mp_res_get(res, 0, 1));
	if (val(r, "status") != NULL || val(r, "probe_kind") != NULL) {
		/* The rest goes through the same path as a change. */
		const char *q[14] = { pid, NULL, NULL, val(r, "status"),
		    NULL, NULL, val(r, "probe_kind"), val(r, "probe_target"),
		    int_text(r, "probe_expect"), int_text(r, "probe_timeout_ms"),
		    int_text(r, "probe_interval_s"),
		    int_text(r, "probe_threshold"), val(r, "probe_action"),
		    bool_text(r, "probe_open_incident") };

		if ((rc = mp_q(&r->ctx, &stmts[AD_COMP_UPDATE], 14, q, NULL)) !=
		    MP_OK)
			return rc;
	}
	return comp_answer(r, w, pid, 1);
}

/*
 * PATCH /api/status/components/{id}, POST /staff/status/components/{id}:
 * change what is given (name, description, status, position, probes).
 */
enum mp_err
mp_status_comp_update(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*cap = mp_req_cap(r, "id");
	struct mp_res		*res;
	const char		*q[14];
	enum mp_err		 rc;

	if ((rc = staff_only(r)) != MP_OK || (rc = comp_check(r)) != MP_OK)
		return rc;
	q[0] = cap->s;
	q[1] = val(r, "name");
	q[2] = val(r, "description");
	q[3] = val(r, "status");
	q[4] = int_text(r, "position");
	q[5] = bool_text(r, "only_show_if_degraded");
	q[6] = val(r, "probe_kind");
	q[7] = val(r, "probe_target");
	q[8] = int_text(r, "probe_expect");
	q[9] = int_text(r, "probe_timeout_ms");
	q[10] = int_text(r, "probe_interval_s");
	q[11] = int_text(r, "probe_threshold");
	q[12] = val(r, "probe_action");
	q[13] = bool_text(r, "probe_open_incident");
	if ((rc = mp_q(&r->ctx, &stmts[AD_COMP_UPDATE], 14, q, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) != 1)
		return mp_req_fail(r, MP_ENOTFOUND, NULL,
		    "There is no such component.");
	return comp_answer(r, w, cap->s, 0);
}

/* GET /api/status/templates */
enum mp_err
mp_status_tpl_list(struct mp_req *r, struct mp_resp *w)
{
	struct json_object	*root, *a, *o;
	struct mp_res		*res;
	enum mp_err		 rc;
	int			 i;

	if ((rc = staff_only(r)) != MP_OK ||
	    (rc = mp_q(&r->ctx, &stmts[AD_TPL_LIST], 0, NULL, &res)) != MP_OK)
		return rc;
	root = json_object_new_object();
	a = json_object_new_array();
	for (i = 0; i < mp_res_rows(res); i++) {
		o = json_object_new_object();
		json_object_object_add(o, "id",
		    json_object_new_string(mp_res_get(res, i, 0)));
		json_object_object_add(o, "name",
		    json_object_new_string(mp_res_get(res, i, 1)));
		json_object_object_add(o, "title",
		    json_object_new_string(mp_res_get(res, i, 2)));
		json_object_object_add(o, "body",
		    json_object_new_string(mp_res_get(res, i, 3)));
		json_object_object_add(o, "status",
		    json_object_new_string(mp_res_get(res, i, 4)));
		json_object_object_add(o, "impact",
		    json_object_new_string(mp_res_get(res, i, 5)));
		json_object_array_add(a, o);
	}
	json_object_object_add(root, "templates", a);
	mp_resp_json(r, w, 200, root);
	json_object_put(root);
	return MP_OK;
}

/* POST /api/status/templates, /staff/status/templates */
enum mp_err
mp_status_tpl_create(struct mp_req *r, struct mp_resp *w)
{
	struct json_object	*o;
	struct mp_res		*res;
	const char		*p[5];
	enum mp_err		 rc;

	if ((rc = staff_only(r)) != MP_OK)
		return rc;
	p[0] = val(r, "name");
	p[1] = val(r, "title");
	p[2] = val(r, "body");
	p[3] = val(r, "status");
	p[4] = val(r, "impact");
	if (p[3] != NULL && (!one_of(p[3], inc_states)))
		return mp_req_fail(r, MP_EINPUT, "status",
		    "status is not an incident status.");
	if (p[4] != NULL && !one_of(p[4], impacts))
		return mp_req_fail(r, MP_EINPUT, "impact",
		    "impact must be none, minor, major or critical.");
	rc = mp_q(&r->ctx, &stmts[AD_TPL_INSERT], 5, p, &res);
	if (rc == MP_ECONFLICT)
		return mp_req_fail(r, rc, "name",
		    "A template with this name exists.");
	if (rc != MP_OK)
		return rc;
	if (!(r->route->flags & MP_R_JSON))
		return mp_resp_redirect(w, 303, "/staff/status#templates");
	o = json_object_new_object();
	json_object_object_add(o, "id",
	    json_object_new_string(mp_res_get(res, 0, 0)));
	mp_resp_json(r, w, 201, o);
	json_object_put(o);
	return MP_OK;
}

/*
 * GET /staff/status: the staff dashboard: components with their status
 * and probes, open incidents and maintenance with update forms, and the
 * forms to open an incident, schedule maintenance and add components.
 */
enum mp_err
mp_status_admin(struct mp_req *r, struct mp_resp *w)
{
	struct st_page	 pg;
	struct mp_res	*res;
	HDF		*hdf, *n, *u;
	char		 name[48];
	enum mp_err	 rc;
	int		 i, j;

	if ((rc = staff_only(r)) != MP_OK)
		return rc;
	if ((rc = mp_st_load_page(r, &pg)) != MP_OK ||
	    (rc = mp_st_load_components(r, &pg, 1)) != MP_OK ||
	    (rc = mp_st_load_incidents(r, &pg, "summary", NULL, 100, 0)) !=
	    MP_OK)
		return rc;
	hdf = mp_hdf(r);
	mp_hdf_set(hdf, "Page.Title", "Status page");
	mp_hdf_set(hdf, "Page.NoIndex", "1");
	for (i = 0; i < pg.nc; i++) {
		char pct[16];

		snprintf(name, sizeof(name), "Comps.%d", i);
		if (hdf_get_node(hdf, name, &n) != STATUS_OK)
			mp_oom();
		mp_hdf_set(n, "Id", pg.c[i].pid);
		mp_hdf_set(n, "Name", pg.c[i].name);
		mp_hdf_set(n, "Status", pg.c[i].status);
		mp_hdf_set(n, "StatusLabel", mp_st_label(pg.c[i].status));
		mp_hdf_set(n, "Group", pg.c[i].is_group ? "1" : "0");
		mp_status_uptime_text(pg.c[i].uptime, pct, sizeof(pct));
		mp_hdf_set(n, "Uptime", pct);
	}
	for (i = 0; i < pg.ninc; i++) {
		snprintf(name, sizeof(name), "Open.%d", i);
		if (hdf_get_node(hdf, name, &n) != STATUS_OK)
			mp_oom();
		mp_hdf_set(n, "Id", pg.inc[i].pid);
		mp_hdf_set(n, "Name", pg.inc[i].name);
		mp_hdf_set(n, "Kind", pg.inc[i].kind);
		mp_hdf_set(n, "Status", pg.inc[i].status);
		mp_hdf_set(n, "StatusLabel", mp_st_label(pg.inc[i].status));
		mp_hdf_set(n, "Impact", pg.inc[i].impact);
		for (j = 0; j < pg.inc[i].nu && j < 3; j++) {
			snprintf(name, sizeof(name), "Updates.%d", j);
			if (hdf_get_node(n, name, &u) != STATUS_OK)
				mp_oom();
			mp_hdf_set(u, "StatusLabel",
			    mp_st_label(pg.inc[i].u[j].status));
			mp_hdf_set(u, "Body", pg.inc[i].u[j].body);
			mp_hdf_set(u, "At", pg.inc[i].u[j].display_human);
		}
	}
	if ((rc = mp_q(&r->ctx, &stmts[AD_TPL_LIST], 0, NULL, &res)) != MP_OK)
		return rc;
	for (i = 0; i < mp_res_rows(res); i++) {
		snprintf(name, sizeof(name), "Templates.%d", i);
		if (hdf_get_node(hdf, name, &n) != STATUS_OK)
			mp_oom();
		mp_hdf_set(n, "Id", mp_res_get(res, i, 0));
		mp_hdf_set(n, "Name", mp_res_get(res, i, 1));
	}
	if ((rc = mp_q(&r->ctx, &stmts[AD_SUB_COUNT], 0, NULL, &res)) != MP_OK)
		return rc;
	mp_hdf_set(hdf, "Subs.Confirmed", mp_res_get(res, 0, 0));
	mp_hdf_set(hdf, "Subs.Pending", mp_res_get(res, 0, 1));
	return mp_render(r, w, 200, "status/admin.cs", hdf);
}
