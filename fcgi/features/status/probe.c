/* The status page's background work: maintenance moving by itself, rollups, HTTP(S)/TCP probes. */
#include <stdlib.h>
#include <string.h>

#include "features/status/extern.h"

#define PROBE_MAX_BODY	(64 * 1024)	/* read no more of an answer */
#define PROBES_PER_TICK	20

enum {
	PR_MAINT_DUE,
	PR_MAINT_MOVE,
	PR_MAINT_COMPS,
	PR_UPDATE,
	PR_ROLLUP,
	PR_DUE,
	PR_RESULT,
	PR_COUNT,
	PR_FAIL_SET,
	PR_OPEN_INCIDENT,
	PR_INC_COMP,
	PR__MAX
};

static const struct mp_stmt stmts[] = {
	[PR_MAINT_DUE] = { "status_pr_maint_due",
	    "SELECT id, status_eff(kind, status, auto_transition,"
	    " scheduled_for, scheduled_until) FROM status_incident"
	    " WHERE kind = 'maintenance' AND auto_transition"
	    " AND status IN ('scheduled', 'in_progress')"
	    " AND status_eff(kind, status, auto_transition, scheduled_for,"
	    " scheduled_until) <> status ORDER BY scheduled_for FOR UPDATE" },
	[PR_MAINT_MOVE] = { "status_pr_maint_move",
	    "UPDATE status_incident SET status = $2, updated_at = now(),"
	    " resolved_at = CASE WHEN $2 = 'completed' THEN scheduled_until"
	    " END WHERE id = $1" },
	[PR_MAINT_COMPS] = { "status_pr_maint_comps",
	    "UPDATE status_component c SET status = $2, updated_at = now()"
	    " FROM status_incident_component ic WHERE ic.incident_id = $1"
	    " AND ic.tenant_id = c.tenant_id AND ic.component_id = c.id"
	    " AND c.status = $3" },
	[PR_UPDATE] = { "status_pr_update",
	    "INSERT INTO status_update (tenant_id, incident_id, status, body)"
	    " VALUES (mp_tenant(), $1, $2, $3) RETURNING id" },
	[PR_ROLLUP] = { "status_pr_rollup",
	    "SELECT status_rollup((now() AT TIME ZONE p.tz)::date - 3,"
	    " (now() AT TIME ZONE p.tz)::date - 1, p.tz) FROM (SELECT"
	    " coalesce((SELECT time_zone FROM status_page), 'Etc/UTC') AS tz) p" },
	[PR_DUE] = { "status_pr_due",
	    "SELECT id, name, probe_kind, probe_target, probe_expect,"
	    " probe_timeout_ms, probe_threshold, probe_action,"
	    " probe_open_incident, probe_failures, status"
	    " FROM status_component WHERE probe_kind <> 'none'"
	    " AND NOT is_group AND (probe_last_at IS NULL OR probe_last_at +"
	    " make_interval(secs => probe_interval_s) <= now())"
	    " ORDER BY probe_last_at NULLS FIRST LIMIT $1" },
	[PR_RESULT] = { "status_pr_result",
	    "INSERT INTO status_probe_result (tenant_id, component_id, ok,"
	    " latency_ms, detail) VALUES (mp_tenant(), $1, $2, $3, $4)" },
	[PR_COUNT] = { "status_pr_count",
	    "UPDATE status_component SET probe_last_at = now(),"
	    " probe_last_ok = $2, probe_failures = CASE WHEN $2 THEN 0"
	    " ELSE probe_failures + 1 END WHERE id = $1"
	    " RETURNING probe_failures" },
	[PR_FAIL_SET] = { "status_pr_fail_set",
	    "UPDATE status_component SET status = $2, updated_at = now()"
	    " WHERE id = $1 AND status = 'operational' RETURNING public_id" },
	[PR_OPEN_INCIDENT] = { "status_pr_open_incident",
	    "INSERT INTO status_incident (tenant_id, name, status, impact,"
	    " opened_by_probe) SELECT mp_tenant(), $2, 'investigating', $3,"
	    " true WHERE NOT EXISTS (SELECT 1 FROM status_incident i"
	    " JOIN status_incident_component ic ON ic.tenant_id = i.tenant_id"
	    " AND ic.incident_id = i.id WHERE ic.component_id = $1"
	    " AND i.kind = 'incident' AND i.status NOT IN ('resolved',"
	    " 'postmortem')) RETURNING id" },
	[PR_INC_COMP] = { "status_pr_inc_comp",
	    "INSERT INTO status_incident_component (tenant_id, incident_id,"
	    " component_id) VALUES (mp_tenant(), $1, $2)" },
};

_Static_assert(sizeof(stmts) / sizeof(stmts[0]) == PR__MAX,
    "status probe statements and enum differ");

MP_STMT_TABLE(mp_status_probe_st, stmts);

/*
 * Whether a probe target has the shape its kind needs: an https:// URL
 * (http:// too when probe_allow_http) for http, "host:port" for tcp.
 * 0 when it does.  Addresses are checked at connect time.
 */
int
mp_status_probe_target_ok(const char *kind, const char *t)
{
	const char	*colon;
	size_t		 i;

	if (t == NULL || *t == '\0' || strlen(t) > 500)
		return -1;
	for (i = 0; t[i] != '\0'; i++)
		if ((unsigned char)t[i] <= ' ' || (unsigned char)t[i] >= 0x7f)
			return -1;
	if (kind == NULL || strcmp(kind, "http") == 0)
		return strncmp(t, "https://", 8) == 0 ||
		    strncmp(t, "http://", 7) == 0 ? 0 : -1;
	if (strcmp(kind, "tcp") == 0) {
		if ((colon = strrchr(t, ':')) == NULL || colon == t ||
		    strchr(t, '/') != NULL)
			return -1;
		for (i = 1; colon[i] != '\0'; i++)
			if (colon[i] < '0' || colon[i] > '9' || i > 5)
				return -1;
		return i > 1 && atoi(colon + 1) > 0 &&
		    atoi(colon + 1) < 65536 ? 0 : -1;
	}
	return -1;
}

/* Kept for the status feature's callers: the core's rule. */
int
mp_status_addr_private(const struct sockaddr *sa)
{
	return mp_addr_private(sa);
}

/*
 * Run one probe through the core's outbound rules (mp_outbound): no
 * redirects, hard connect and total timeouts, a cap on what is read,
 * https only unless probe_allow_http, and no private or loopback
 * address unless probe_allow_private.  Returns 1 when it passed;
 * *detail says why not; *ms the time taken.
 */
static int
probe_run(const struct mp_config *cfg, struct mp_arena *a, const char *kind,
    const char *target, long expect, long timeout_ms, const char **detail,
    long *ms)
{
	const struct mp_status_conf	*sc = mp_status_conf(cfg);
	struct mp_outbound		 o;
	int				 ok = 0;

	memset(&o, 0, sizeof(o));
	o.allow_private = sc->probe_allow_private;
	o.timeout_ms = timeout_ms;
	o.max_body = PROBE_MAX_BODY;
	o.user_agent = "mPanel-status-probe/1";
	o.ca_file = sc->probe_ca_file;
	if (strcmp(kind, "tcp") == 0) {
		o.url = mp_printf(a, "http://%s/", target);
		o.protocols = "http";
		o.connect_only = 1;
	} else {
		o.url = target;
		o.protocols = sc->probe_allow_http ? "http,https" : "https";
	}
	*detail = NULL;
	if (mp_outbound(a, &o) != MP_OK)
		*detail = o.detail;
	else if (strcmp(kind, "tcp") == 0)
		ok = 1;
	else {
		ok = o.status == expect;
		if (!ok)
			*detail = mp_printf(a, "HTTP %ld, expected %ld",
			    o.status, expect);
	}
	*ms = o.ms;
	return ok;
}

/*
 * Move auto-transition maintenance whose window opened or closed: its
 * status, its components (under maintenance, then back to operational),
 * an update saying so, and the subscribers' notices.
 */
static enum mp_err
maintenance(struct mp_job *j)
{
	struct mp_res	*res, *u;
	const char	*p[3];
	enum mp_err	 rc;
	int		 i;

	if ((rc = mp_q(&j->ctx, &stmts[PR_MAINT_DUE], 0, NULL, &res)) != MP_OK)
		return rc;
	for (i = 0; i < mp_res_rows(res); i++) {
		const char *id = mp_res_get(res, i, 0);
		const char *st = mp_res_get(res, i, 1);
		int done = strcmp(st, "completed") == 0;

		p[0] = id;
		p[1] = st;
		if ((rc = mp_q(&j->ctx, &stmts[PR_MAINT_MOVE], 2, p, NULL)) !=
		    MP_OK)
			return rc;
		p[1] = done ? "operational" : "under_maintenance";
		p[2] = done ? "under_maintenance" : "operational";
		if ((rc = mp_q(&j->ctx, &stmts[PR_MAINT_COMPS], 3, p, NULL)) !=
		    MP_OK)
			return rc;
		p[1] = st;
		p[2] = done ? "The maintenance is complete." :
		    "The maintenance has started.";
		if ((rc = mp_q(&j->ctx, &stmts[PR_UPDATE], 3, p, &u)) != MP_OK)
			return rc;
		if ((rc = mp_st_notify(&j->ctx, strtoll(id, NULL, 10),
		    mp_res_int(u, 0, 0))) != MP_OK)
			return rc;
		mp_info("status: maintenance %s is %s", id, st);
		mp_st_touch(j->ctx.cfg, j->ctx.a, j->tenant.slug);
	}
	return MP_OK;
}

/*
 * Record one probe's result; after threshold failures in a row set the
 * component to its probe_action status and, when asked, open an
 * incident (one per component at a time) and tell the subscribers.
 */
static enum mp_err
probe_record(struct mp_job *j, struct mp_res *due, int i,
    int ok, long ms, const char *detail)
{
	struct mp_res	*res;
	const char	*p[4];
	enum mp_err	 rc;
	int64_t		 fails, uid;

	p[0] = mp_res_get(due, i, 0);
	p[1] = ok ? "true" : "false";
	p[2] = mp_printf(j->ctx.a, "%ld", ms);
	p[3] = detail;
	if ((rc = mp_q(&j->ctx, &stmts[PR_RESULT], 4, p, NULL)) != MP_OK ||
	    (rc = mp_q(&j->ctx, &stmts[PR_COUNT], 2, p, &res)) != MP_OK)
		return rc;
	fails = mp_res_int(res, 0, 0);
	if (ok || fails < mp_res_int(due, i, 6) ||
	    strcmp(mp_res_get(due, i, 7), "none") == 0)
		return MP_OK;
	p[1] = mp_res_get(due, i, 7);
	if ((rc = mp_q(&j->ctx, &stmts[PR_FAIL_SET], 2, p, &res)) != MP_OK ||
	    mp_res_rows(res) != 1)
		return rc;
	mp_st_touch(j->ctx.cfg, j->ctx.a, j->tenant.slug);
	if (!mp_res_bool(due, i, 8))
		return MP_OK;
	p[1] = mp_printf(j->ctx.a, "%s is not responding", mp_res_get(due, i, 1));
	p[2] = strcmp(mp_res_get(due, i, 7), "major_outage") == 0 ? "major" :
	    "minor";
	if ((rc = mp_q(&j->ctx, &stmts[PR_OPEN_INCIDENT], 3, p, &res)) !=
	    MP_OK || mp_res_rows(res) != 1)
		return rc;
	p[1] = mp_strdup(j->ctx.a, p[0]);
	p[0] = mp_strdup(j->ctx.a, mp_res_get(res, 0, 0));
	if ((rc = mp_q(&j->ctx, &stmts[PR_INC_COMP], 2, p, NULL)) != MP_OK)
		return rc;
	p[1] = "investigating";
	p[2] = mp_printf(j->ctx.a, "Our automatic checks of %s are failing (%s). "
	    "We are investigating.", mp_res_get(due, i, 1),
	    detail ? detail : "no answer");
	if ((rc = mp_q(&j->ctx, &stmts[PR_UPDATE], 3, p, &res)) != MP_OK)
		return rc;
	uid = mp_res_int(res, 0, 0);
	return mp_st_notify(&j->ctx, strtoll(p[0], NULL, 10), uid);
}

/*
 * The status.tick job, every 30 seconds per tenant: maintenance
 * transitions, the rollups of the last days, and the probes that are
 * due.  Probes run outside any transaction; each result is committed.
 */
enum mp_err
mp_status_job_tick(struct mp_job *j)
{
	struct mp_res	*due;
	const char	*p[1], *detail;
	enum mp_err	 rc;
	long		 ms = 0;
	int		 i, n, ok;

	if ((rc = mp_tenant_fill(&j->ctx)) != MP_OK ||
	    (rc = maintenance(j)) != MP_OK ||
	    (rc = mp_q(&j->ctx, &stmts[PR_ROLLUP], 0, NULL, NULL)) != MP_OK)
		return rc;
	p[0] = mp_printf(j->ctx.a, "%d", PROBES_PER_TICK);
	if ((rc = mp_q(&j->ctx, &stmts[PR_DUE], 1, p, &due)) != MP_OK ||
	    (rc = mp_tx_commit(&j->ctx)) != MP_OK)
		return rc;
	n = mp_res_rows(due);
	for (i = 0; i < n; i++) {
		ok = probe_run(j->ctx.cfg, j->ctx.a, mp_res_get(due, i, 2),
		    mp_res_get(due, i, 3), (long)mp_res_int(due, i, 4),
		    (long)mp_res_int(due, i, 5), &detail, &ms);
		if ((rc = probe_record(j, due, i, ok, ms, detail)) !=
		    MP_OK || (rc = mp_tx_commit(&j->ctx)) != MP_OK)
			return rc;
	}
	return MP_OK;
}
