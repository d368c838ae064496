/* The public status page: loading the model, the HTML pages, and the copies kept for outages. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ClearSilver.h>
#include <zlib.h>

#include "features/brand/brand.h"
#include "features/status/extern.h"

#define CACHE_TTL_S	5	/* a kept rendering is served this long at most */
#define DISK_EVERY_S	30	/* rewrite an unchanged version's file this often */
#define CACHE_SLOTS	64	/* tenants per responder */
#define STAMP_SLACK_NS	2000000000LL	/* see mp_st_cache_hit */
#define PAGE_HISTORY	20	/* incidents per history page */

enum {
	SQ_PAGE,
	SQ_COMPONENTS,
	SQ_DAYS,
	SQ_DAY_INCIDENTS,
	SQ_PROBES,
	SQ_INCIDENTS,
	SQ_UPDATES,
	SQ_INC_COMPS,
	SQ_OV_PAGE,
	SQ_OV_SUMMARY,
	SQ_OV_UNRESOLVED,
	SQ__MAX
};

/*
 * A component's status as the page shows it: under maintenance while a
 * maintenance naming it is in progress, operational again once an
 * auto-transitioning one has ended.  COMP_MAINT is joined as m beside
 * the component c: per component, whether a maintenance is in effect
 * (active) and whether one has ended by itself (ended), from the few
 * maintenance rows not completed, read once rather than three times per
 * component.  Shared by the component list and the overview.
 */
#define COMP_MAINT \
	    " LEFT JOIN (SELECT ic.component_id, bool_or(status_eff(i.kind," \
	    "  i.status, i.auto_transition, i.scheduled_for, i.scheduled_until)" \
	    "  IN ('in_progress', 'verifying')) AS active," \
	    "  bool_or(i.auto_transition AND i.status = 'in_progress'" \
	    "  AND now() >= i.scheduled_until) AS ended" \
	    "  FROM status_incident i JOIN status_incident_component ic" \
	    "  ON ic.tenant_id = i.tenant_id AND ic.incident_id = i.id" \
	    "  WHERE i.kind = 'maintenance'" \
	    "  AND i.status IN ('scheduled', 'in_progress', 'verifying')" \
	    "  GROUP BY ic.component_id) m ON m.component_id = c.id"
#define COMP_STATUS \
	    " CASE WHEN c.status = 'operational' AND NOT c.is_group" \
	    "  AND m.active THEN 'under_maintenance'" \
	    " WHEN c.status = 'under_maintenance' AND m.ended AND NOT m.active" \
	    " THEN 'operational' ELSE c.status END"

#define OV_PAGE \
	    "WITH p AS (SELECT p.public_id, p.time_zone AS tz, p.updated_at, p.version," \
	    " (now() AT TIME ZONE p.time_zone)::date - 89 AS first," \
	    " (now() AT TIME ZONE p.time_zone)::date AS last" \
	    " FROM (SELECT public_id, time_zone, updated_at, version FROM status_page" \
	    " UNION ALL SELECT substr(md5('status:' || mp_tenant()), 1, 12), 'Etc/UTC'," \
	    " now(), 0 WHERE NOT EXISTS (SELECT 1 FROM status_page)) p),"
#define OV_DAYS \
	    " bars AS (SELECT b.component_id, b.days, b.since - p.first AS shift," \
	    " b.last FROM status_bars b, p)," \
	    " ld AS (SELECT g::date AS day, g::timestamp AT TIME ZONE p.tz AS d0," \
	    " least((g + interval '1 day')::timestamp AT TIME ZONE p.tz, now()) AS d1" \
	    " FROM p, generate_series(greatest(p.first, (SELECT max(last) + 1" \
	    " FROM bars))::timestamp, p.last::timestamp, interval '1 day') g)," \
	    " lo AS (SELECT i.component_id, ld.day, i.status," \
	    " extract(epoch FROM least(coalesce(i.ended_at, now()), ld.d1)" \
	    " - greatest(i.started_at, ld.d0)) AS s" \
	    " FROM ld JOIN status_interval i ON i.started_at < ld.d1" \
	    " AND coalesce(i.ended_at, now()) > ld.d0 WHERE ld.d1 > ld.d0)," \
	    " live AS (SELECT component_id, day," \
	    " coalesce(sum(s) FILTER (WHERE status = 'major_outage'), 0)::integer" \
	    " AS major_s," \
	    " coalesce(sum(s) FILTER (WHERE status = 'partial_outage'), 0)::integer" \
	    " AS partial_s," \
	    " coalesce(sum(s) FILTER (WHERE status = 'degraded_performance'), 0)::integer" \
	    " AS degraded_s," \
	    " coalesce(sum(s) FILTER (WHERE status = 'under_maintenance'), 0)::integer" \
	    " AS maint_s," \
	    " sum(s)::integer AS observed_s FROM lo WHERE s > 0 GROUP BY component_id, day),"
/*
 * The incidents of the overview, at most 100: those of one mode (see
 * OV_PAGE_INC and the two after it) as inc.  The mode is part of each
 * statement's text, not a parameter: a statement without parameters is
 * planned once per connection, where one with them was planned again at
 * nearly every execution (a custom plan, the generic one looking no
 * cheaper), and planning cost more than running it.
 */
#define OV_INCIDENTS(where) \
	    " inc AS (SELECT i.*, e.st, count(*) OVER () AS total," \
	    " CASE WHEN e.st IN ('resolved', 'postmortem', 'completed')" \
	    " THEN coalesce(i.resolved_at, i.scheduled_until) END AS res" \
	    " FROM status_incident i CROSS JOIN LATERAL (SELECT status_eff(i.kind," \
	    " i.status, i.auto_transition, i.scheduled_for, i.scheduled_until) AS st) e" \
	    " WHERE " where \
	    " ORDER BY coalesce(i.scheduled_for, i.started_at) DESC, i.id DESC" \
	    " LIMIT 100)"
/* The page: open incidents, those of the last 7 days, open maintenance. */
#define OV_PAGE_INC \
	    "(i.kind = 'incident' AND (e.st NOT IN" \
	    " ('resolved', 'postmortem') OR i.started_at > now() -" \
	    " interval '7 days')) OR (i.kind = 'maintenance' AND e.st IN" \
	    " ('scheduled', 'in_progress', 'verifying'))"
/* summary.json: open incidents and open maintenance. */
#define OV_SUMMARY_INC \
	    "(i.kind = 'incident' AND e.st NOT IN" \
	    " ('resolved', 'postmortem')) OR (i.kind = 'maintenance' AND" \
	    " e.st IN ('scheduled', 'in_progress', 'verifying'))"
/* status.json and incidents/unresolved.json: open incidents. */
#define OV_UNRESOLVED_INC \
	    "i.kind = 'incident' AND e.st NOT IN ('resolved', 'postmortem')"
/*
 * The page row (kind 0) and the components (kind 1).  brand is the
 * page row's columns 14 to 25: OV_BRAND for the HTML page, whose layout
 * then reads nothing more (mp_brand_fill), OV_NO_BRAND for the JSON.
 */
#define OV_BRAND_COL	14
#define OV_BRAND \
	    MP_BRAND_COLS("b") " FROM p LEFT JOIN tenant_branding b" \
	    " ON b.tenant_id = mp_tenant()"
#define OV_NO_BRAND \
	    "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL," \
	    " NULL, NULL FROM p"
#define OV_PAGE_COMPONENTS(brand) \
	    " SELECT 0 AS k, 0::bigint AS o, p.public_id, p.tz," \
	    " p.updated_at::text, timezone(p.tz, p.updated_at)::text," \
	    " p.version::text, p.first::text, now()::text," \
	    " timezone(p.tz, now())::text," \
	    " (SELECT ceil(extract(epoch FROM min(t) - now()))::int" \
	    " FROM status_incident i," \
	    " unnest(ARRAY[i.scheduled_for, i.scheduled_until]) t" \
	    " WHERE i.kind = 'maintenance' AND i.auto_transition" \
	    " AND i.status IN ('scheduled', 'in_progress') AND t > now())::text, " \
	    " NULL, NULL, NULL, " brand \
	    " UNION ALL" \
	    " SELECT 1," \
	    " row_number() OVER (ORDER BY coalesce(g.position, c.position)," \
	    " coalesce(g.id, c.id), c.is_group DESC, c.position, c.id)," \
	    " c.id::text, c.public_id, c.name, c.description," \
	    COMP_STATUS "," \
	    " c.position::text, c.is_group::text, c.group_id::text," \
	    " g.public_id, c.showcase::text, c.only_show_if_degraded::text," \
	    " c.start_date::text, c.created_at::text," \
	    " timezone(p.tz, c.created_at)::text, c.updated_at::text," \
	    " timezone(p.tz, c.updated_at)::text, NULL, NULL, NULL, NULL," \
	    " NULL, NULL, NULL, NULL" \
	    " FROM p, status_component c LEFT JOIN status_component g" \
	    " ON g.tenant_id = c.tenant_id AND g.id = c.group_id" \
	    COMP_MAINT
#define OV_DAY_ROWS \
	    " UNION ALL" \
	    " SELECT 2, component_id, days, shift::text, NULL, NULL, NULL," \
	    " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL," \
	    " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL" \
	    " FROM bars" \
	    " UNION ALL" \
	    " SELECT 2, d.component_id," \
	    " string_agg(concat_ws(',', d.day - p.first, d.major_s," \
	    " d.partial_s, d.degraded_s, d.maint_s, d.observed_s), ';')," \
	    " '0', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL," \
	    " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL," \
	    " NULL, NULL" \
	    " FROM live d, p GROUP BY d.component_id" \
	    " UNION ALL" \
	    " SELECT 3, row_number() OVER (ORDER BY i.started_at)," \
	    " ic.component_id::text," \
	    " ((i.started_at AT TIME ZONE p.tz)::date - p.first)::text," \
	    " i.name, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL," \
	    " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL," \
	    " NULL, NULL" \
	    " FROM p, status_incident i JOIN status_incident_component ic" \
	    " ON ic.tenant_id = i.tenant_id AND ic.incident_id = i.id" \
	    " WHERE i.kind = 'incident'" \
	    " AND i.started_at >= (p.first::timestamp AT TIME ZONE p.tz)" \
	    " UNION ALL" \
	    " SELECT 4, component_id, (count(*) FILTER (WHERE ok))::text," \
	    " count(*)::text, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL," \
	    " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL," \
	    " NULL, NULL, NULL, NULL" \
	    " FROM status_probe_result WHERE at > now() - interval '90 days'" \
	    " GROUP BY component_id"
#define OV_INCIDENT_ROWS \
	    " UNION ALL" \
	    " SELECT 5," \
	    " row_number() OVER (ORDER BY coalesce(i.scheduled_for," \
	    " i.started_at) DESC, i.id DESC)," \
	    " i.id::text, i.public_id, i.name, i.st, i.impact," \
	    " i.postmortem_body, i.kind, i.total::text, i.created_at::text," \
	    " timezone(p.tz, i.created_at)::text, i.updated_at::text," \
	    " timezone(p.tz, i.updated_at)::text, i.monitoring_at::text," \
	    " timezone(p.tz, i.monitoring_at)::text, i.res::text," \
	    " timezone(p.tz, i.res)::text, i.started_at::text," \
	    " timezone(p.tz, i.started_at)::text, i.postmortem_at::text," \
	    " timezone(p.tz, i.postmortem_at)::text, i.scheduled_for::text," \
	    " timezone(p.tz, i.scheduled_for)::text, i.scheduled_until::text," \
	    " timezone(p.tz, i.scheduled_until)::text" \
	    " FROM inc i, p" \
	    " UNION ALL" \
	    " SELECT 6," \
	    " row_number() OVER (ORDER BY u.display_at DESC, u.id DESC)," \
	    " u.incident_id::text, u.public_id, u.status, u.body," \
	    " u.affected::text, u.created_at::text," \
	    " timezone(p.tz, u.created_at)::text, u.updated_at::text," \
	    " timezone(p.tz, u.updated_at)::text, u.display_at::text," \
	    " timezone(p.tz, u.display_at)::text, NULL, NULL, NULL, NULL," \
	    " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL" \
	    " FROM p, status_update u WHERE u.incident_id IN (SELECT id FROM inc)" \
	    " UNION ALL" \
	    " SELECT 7," \
	    " row_number() OVER (ORDER BY incident_id, component_id)," \
	    " incident_id::text, component_id::text, NULL, NULL, NULL, NULL," \
	    " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL," \
	    " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL" \
	    " FROM status_incident_component WHERE incident_id IN (SELECT id FROM inc)"

static const struct mp_stmt stmts[] = {
	[SQ_PAGE] = { "status_page",
	    "SELECT p.public_id, p.time_zone, status_iso(p.updated_at,"
	    " p.time_zone), p.version,"
	    " ((now() AT TIME ZONE p.time_zone)::date - 89)::text,"
	    " status_iso(now(), p.time_zone),"
	    " to_char(now() AT TIME ZONE p.time_zone,"
	    "  'Mon FMDD, YYYY HH24:MI'),"
	    " (SELECT ceil(extract(epoch FROM min(t) - now()))::int"
	    "  FROM status_incident i,"
	    "  unnest(ARRAY[i.scheduled_for, i.scheduled_until]) t"
	    "  WHERE i.kind = 'maintenance' AND i.auto_transition"
	    "  AND i.status IN ('scheduled', 'in_progress') AND t > now())"
	    " FROM (SELECT public_id, time_zone, updated_at, version"
	    "  FROM status_page UNION ALL"
	    "  SELECT substr(md5('status:' || mp_tenant()), 1, 12), 'Etc/UTC',"
	    "  now(), 0 WHERE NOT EXISTS (SELECT 1 FROM status_page)) p" },
	[SQ_COMPONENTS] = { "status_components",
	    "SELECT c.id, c.public_id, c.name, c.description,"
	    COMP_STATUS ","
	    " c.position, c.is_group, c.group_id, g.public_id, c.showcase,"
	    " c.only_show_if_degraded, c.start_date::text,"
	    " status_iso(c.created_at, $1), status_iso(c.updated_at, $1)"
	    " FROM status_component c LEFT JOIN status_component g"
	    " ON g.tenant_id = c.tenant_id AND g.id = c.group_id"
	    COMP_MAINT
	    " ORDER BY coalesce(g.position, c.position), coalesce(g.id, c.id),"
	    " c.is_group DESC, c.position, c.id" },
	[SQ_DAYS] = { "status_days",
	    "SELECT component_id, day - $2::date, major_s, partial_s,"
	    " degraded_s, maint_s, observed_s"
	    " FROM status_days($2::date, $2::date + 89, $1)" },
	[SQ_DAY_INCIDENTS] = { "status_day_incidents",
	    "SELECT ic.component_id,"
	    " (i.started_at AT TIME ZONE $1)::date - $2::date, i.name"
	    " FROM status_incident i JOIN status_incident_component ic"
	    " ON ic.tenant_id = i.tenant_id AND ic.incident_id = i.id"
	    " WHERE i.kind = 'incident'"
	    " AND i.started_at >= ($2::date::timestamp AT TIME ZONE $1)"
	    " ORDER BY i.started_at" },
	[SQ_PROBES] = { "status_probe_figures",
	    "SELECT component_id, count(*) FILTER (WHERE ok), count(*)"
	    " FROM status_probe_result WHERE at > now() - interval '90 days'"
	    " GROUP BY component_id" },
	[SQ_INCIDENTS] = { "status_incidents",
	    "SELECT i.id, i.public_id, i.name, e.st,"
	    " status_iso(i.created_at, $1), status_iso(i.updated_at, $1),"
	    " status_iso(i.monitoring_at, $1),"
	    " status_iso(CASE WHEN e.st IN ('resolved', 'postmortem',"
	    "  'completed') THEN coalesce(i.resolved_at, i.scheduled_until)"
	    "  END, $1),"
	    " i.impact, status_iso(i.started_at, $1), i.postmortem_body,"
	    " status_iso(i.postmortem_at, $1), i.kind,"
	    " status_iso(i.scheduled_for, $1), status_iso(i.scheduled_until, $1),"
	    " to_char(coalesce(i.scheduled_for, i.started_at) AT TIME ZONE $1,"
	    "  'FMMonth FMDD, YYYY'),"
	    " to_char(i.scheduled_for AT TIME ZONE $1, 'Mon FMDD, HH24:MI'),"
	    " to_char(i.scheduled_until AT TIME ZONE $1, 'Mon FMDD, HH24:MI'),"
	    " count(*) OVER ()"
	    " FROM status_incident i CROSS JOIN LATERAL (SELECT status_eff(i.kind,"
	    "  i.status, i.auto_transition, i.scheduled_for, i.scheduled_until)"
	    "  AS st) e"
	    " WHERE CASE $2"
	    "  WHEN 'page' THEN (i.kind = 'incident' AND (e.st NOT IN"
	    "   ('resolved', 'postmortem') OR i.started_at > now() -"
	    "   interval '7 days')) OR (i.kind = 'maintenance' AND e.st IN"
	    "   ('scheduled', 'in_progress', 'verifying'))"
	    "  WHEN 'summary' THEN (i.kind = 'incident' AND e.st NOT IN"
	    "   ('resolved', 'postmortem')) OR (i.kind = 'maintenance' AND"
	    "   e.st IN ('scheduled', 'in_progress', 'verifying'))"
	    "  WHEN 'incidents' THEN i.kind = 'incident'"
	    "  WHEN 'unresolved' THEN i.kind = 'incident'"
	    "   AND e.st NOT IN ('resolved', 'postmortem')"
	    "  WHEN 'maintenance' THEN i.kind = 'maintenance'"
	    "  WHEN 'upcoming' THEN i.kind = 'maintenance' AND e.st = 'scheduled'"
	    "  WHEN 'active' THEN i.kind = 'maintenance'"
	    "   AND e.st IN ('in_progress', 'verifying')"
	    "  WHEN 'history' THEN i.kind = 'incident' OR e.st = 'completed'"
	    "  WHEN 'one' THEN i.public_id = $3"
	    "  ELSE false END"
	    " ORDER BY coalesce(i.scheduled_for, i.started_at) DESC, i.id DESC"
	    " LIMIT $4 OFFSET $5" },
	[SQ_UPDATES] = { "status_updates",
	    "SELECT u.incident_id, u.public_id, u.status, u.body,"
	    " status_iso(u.created_at, $1), status_iso(u.updated_at, $1),"
	    " status_iso(u.display_at, $1), u.affected::text,"
	    " to_char(u.display_at AT TIME ZONE $1, 'Mon FMDD, HH24:MI')"
	    " FROM status_update u WHERE u.incident_id = ANY ($2::bigint[])"
	    " ORDER BY u.display_at DESC, u.id DESC" },
	[SQ_INC_COMPS] = { "status_incident_components",
	    "SELECT incident_id, component_id FROM status_incident_component"
	    " WHERE incident_id = ANY ($1::bigint[])"
	    " ORDER BY incident_id, component_id" },
	/*
	 * The overview (/status, status.json, summary.json) in one round
	 * trip, one statement per incident mode (page, summary or
	 * unresolved, as in SQ_INCIDENTS; see OV_INCIDENTS).  Rows of eight
	 * kinds in column 1, in order within a kind by column 2; the kinds
	 * and their columns are read by mp_st_load_overview.  SQ_OV_PAGE
	 * adds the 90 days (kinds 2 to 4) and the brand for /status; the
	 * JSON does without
	 * them and without their part of the plan (setting up the executor
	 * for every node of it was as much as running it).  The days come
	 * from status_bars (migration
	 * 0022): per component its rolled-up days as one ready
	 * "day,major,partial,degraded,maint,observed;..." string, a whole
	 * day without downtime, degradation or maintenance (most days) as
	 * its number alone, the days counted from the row's since (column 3
	 * says how far that is from the first bar).  Only days not rolled up
	 * yet (today) are worked out from the intervals that overlap them.
	 */
	[SQ_OV_PAGE] = { "status_overview_page",
	    OV_PAGE OV_DAYS OV_INCIDENTS(OV_PAGE_INC)
	    OV_PAGE_COMPONENTS(OV_BRAND) OV_DAY_ROWS
	    OV_INCIDENT_ROWS " ORDER BY 1, 2", MP_STMT_READ },
	[SQ_OV_SUMMARY] = { "status_overview_summary",
	    OV_PAGE OV_INCIDENTS(OV_SUMMARY_INC)
	    OV_PAGE_COMPONENTS(OV_NO_BRAND) OV_INCIDENT_ROWS
	    " ORDER BY 1, 2", MP_STMT_READ },
	[SQ_OV_UNRESOLVED] = { "status_overview_unresolved",
	    OV_PAGE OV_INCIDENTS(OV_UNRESOLVED_INC)
	    OV_PAGE_COMPONENTS(OV_NO_BRAND) OV_INCIDENT_ROWS
	    " ORDER BY 1, 2", MP_STMT_READ },
};

_Static_assert(sizeof(stmts) / sizeof(stmts[0]) == SQ__MAX,
    "status statements and enum differ");

MP_STMT_TABLE(mp_status_page_st, stmts);

static const struct {
	const char	*status;
	const char	*label;
	int		 rank;
} labels[] = {
	{ "operational", "Operational", 0 },
	{ "under_maintenance", "Under maintenance", 1 },
	{ "degraded_performance", "Degraded performance", 2 },
	{ "partial_outage", "Partial outage", 3 },
	{ "major_outage", "Major outage", 4 },
	{ "investigating", "Investigating", 0 },
	{ "identified", "Identified", 0 },
	{ "monitoring", "Monitoring", 0 },
	{ "resolved", "Resolved", 0 },
	{ "postmortem", "Postmortem", 0 },
	{ "scheduled", "Scheduled", 0 },
	{ "in_progress", "In progress", 0 },
	{ "verifying", "Verifying", 0 },
	{ "completed", "Completed", 0 },
};

/* A person's word for a status value (the value itself if unknown). */
const char *
mp_st_label(const char *s)
{
	size_t	 i;

	for (i = 0; s != NULL && i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(labels[i].status, s) == 0)
			return labels[i].label;
	return s ? s : "";
}

/* How bad a component status is, 0 (operational) to 4 (major outage). */
int
mp_st_rank(const char *s)
{
	size_t	 i;

	for (i = 0; s != NULL && i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(labels[i].status, s) == 0)
			return labels[i].rank;
	return 0;
}

static const char *
nz(const char *s)
{
	return s ? s : "";
}

/* The headers every public JSON answer of the page carries. */
void
mp_st_cors(struct mp_resp *w)
{
	mp_resp_header(w, "Cache-Control", "public, max-age=10");
}

/*
 * The page row (or the defaults of a tenant without one): id, time zone,
 * version, the first day of the bars and when the next maintenance edge
 * is due.  Fills p; arena memory.
 */
enum mp_err
mp_st_load_page(struct mp_req *r, struct st_page *p)
{
	struct mp_res	*res;
	enum mp_err	 rc;

	memset(p, 0, sizeof(*p));
	if ((rc = mp_q(&r->ctx, &stmts[SQ_PAGE], 0, NULL, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) != 1)
		return MP_EDB;
	p->pid = mp_res_get(res, 0, 0);
	p->tz = mp_res_get(res, 0, 1);
	p->updated = mp_res_get(res, 0, 2);
	p->version = mp_res_int(res, 0, 3);
	p->first_day = mp_res_get(res, 0, 4);
	p->now_iso = mp_res_get(res, 0, 5);
	p->now_human = mp_res_get(res, 0, 6);
	p->next_change_s = mp_res_isnull(res, 0, 7) ? -1 :
	    (int)mp_res_int(res, 0, 7);
	p->name = r->ctx.tenant->name;
	p->url = mp_origin(&r->ctx);
	return MP_OK;
}

struct st_comp *
mp_st_comp_by_id(struct st_page *p, int64_t id)
{
	int	 i;

	for (i = 0; i < p->nc; i++)
		if (p->c[i].id == id)
			return &p->c[i];
	return NULL;
}

struct st_comp *
mp_st_comp_by_pid(struct st_page *p, const char *pid)
{
	int	 i;

	for (i = 0; pid != NULL && i < p->nc; i++)
		if (strcmp(p->c[i].pid, pid) == 0)
			return &p->c[i];
	return NULL;
}

/* Day rows, the incident names of each day, and the probe figures. */
static enum mp_err
load_days(struct mp_req *r, struct st_page *p)
{
	struct mp_res	*res;
	struct st_comp	*c;
	const char	*prm[2];
	enum mp_err	 rc;
	int		 i, n, d;

	prm[0] = p->tz;
	prm[1] = p->first_day;
	if ((rc = mp_q(&r->ctx, &stmts[SQ_DAYS], 2, prm, &res)) != MP_OK)
		return rc;
	n = mp_res_rows(res);
	for (i = 0; i < n; i++) {
		d = (int)mp_res_int(res, i, 1);
		c = mp_st_comp_by_id(p, mp_res_int(res, i, 0));
		if (c == NULL || d < 0 || d >= MP_STATUS_DAYS)
			continue;
		c->days[d].major_s = (int)mp_res_int(res, i, 2);
		c->days[d].partial_s = (int)mp_res_int(res, i, 3);
		c->days[d].degraded_s = (int)mp_res_int(res, i, 4);
		c->days[d].maint_s = (int)mp_res_int(res, i, 5);
		c->days[d].observed_s = (int)mp_res_int(res, i, 6);
	}
	if ((rc = mp_q(&r->ctx, &stmts[SQ_DAY_INCIDENTS], 2, prm, &res)) != MP_OK)
		return rc;
	n = mp_res_rows(res);
	for (i = 0; i < n; i++) {
		d = (int)mp_res_int(res, i, 1);
		c = mp_st_comp_by_id(p, mp_res_int(res, i, 0));
		if (c == NULL || d < 0 || d >= MP_STATUS_DAYS)
			continue;
		c->days[d].incidents = c->days[d].incidents == NULL ?
		    mp_res_get(res, i, 2) : mp_printf(r->ctx.a, "%s; %s",
		    c->days[d].incidents, mp_res_get(res, i, 2));
	}
	if ((rc = mp_q(&r->ctx, &stmts[SQ_PROBES], 0, NULL, &res)) != MP_OK)
		return rc;
	n = mp_res_rows(res);
	for (i = 0; i < n; i++) {
		c = mp_st_comp_by_id(p, mp_res_int(res, i, 0));
		if (c != NULL && mp_res_int(res, i, 2) > 0)
			c->probe = 100.0 * (double)mp_res_int(res, i, 1) /
			    (double)mp_res_int(res, i, 2);
	}
	for (i = 0; i < p->nc; i++)
		p->c[i].uptime = mp_status_uptime(p->c[i].days,
		    MP_STATUS_DAYS);
	return MP_OK;
}

/*
 * Every component and group, groups carrying the worst status of their
 * members.  With with_days, also the 90 days of each and the uptime.
 */
enum mp_err
mp_st_load_components(struct mp_req *r, struct st_page *p, int with_days)
{
	struct mp_res	*res;
	struct st_comp	*c, *g;
	const char	*prm[1];
	enum mp_err	 rc;
	int		 i;

	prm[0] = p->tz;
	if ((rc = mp_q(&r->ctx, &stmts[SQ_COMPONENTS], 1, prm, &res)) != MP_OK)
		return rc;
	p->nc = mp_res_rows(res);
	p->c = mp_calloc(r->ctx.a, p->nc ? (size_t)p->nc : 1, sizeof(*p->c));
	for (i = 0; i < p->nc; i++) {
		c = &p->c[i];
		c->id = mp_res_int(res, i, 0);
		c->pid = mp_res_get(res, i, 1);
		c->name = mp_res_get(res, i, 2);
		c->desc = mp_res_get(res, i, 3);
		c->status = mp_res_get(res, i, 4);
		c->position = (int)mp_res_int(res, i, 5);
		c->is_group = mp_res_bool(res, i, 6);
		c->group_id = mp_res_int(res, i, 7);
		c->group_pid = mp_res_get(res, i, 8);
		c->showcase = mp_res_bool(res, i, 9);
		c->only_degraded = mp_res_bool(res, i, 10);
		c->start_date = mp_res_get(res, i, 11);
		c->created = mp_res_get(res, i, 12);
		c->updated = mp_res_get(res, i, 13);
		c->uptime = -1;
		c->probe = -1;
	}
	for (i = 0; i < p->nc; i++) {
		c = &p->c[i];
		if (c->group_id == 0 || (g = mp_st_comp_by_id(p, c->group_id))
		    == NULL)
			continue;
		if (g->is_group && mp_st_rank(c->status) > mp_st_rank(g->status))
			g->status = c->status;
	}
	if (with_days)
		return load_days(r, p);
	return MP_OK;
}

/* A PostgreSQL array literal of the incidents' ids, "{1,2}". */
static char *
id_array(struct mp_req *r, const struct st_page *p)
{
	struct mp_buf	 b;
	char		*s;
	int		 i;

	mp_buf_init(&b, 0);
	mp_buf_putc(&b, '{');
	for (i = 0; i < p->ninc; i++)
		mp_buf_printf(&b, "%s%lld", i ? "," : "",
		    (long long)p->inc[i].id);
	mp_buf_putc(&b, '}');
	s = mp_strdup(r->ctx.a, mp_buf_cstr(&b));
	mp_buf_free(&b);
	return s;
}

/*
 * The incidents of one mode (see SQ_INCIDENTS), newest first, each with
 * its updates (newest first) and its components (components must be
 * loaded first).  p->total is the count before limit and offset.
 */
enum mp_err
mp_st_load_incidents(struct mp_req *r, struct st_page *p, const char *mode,
    const char *arg, int limit, int offset)
{
	struct mp_res		*res;
	struct st_incident	*in;
	struct st_update	*u;
	struct st_comp		*c;
	const char		*prm[5];
	char			*ids;
	enum mp_err		 rc;
	int			 i, j, n;

	prm[0] = p->tz;
	prm[1] = mode;
	prm[2] = arg ? arg : "";
	prm[3] = mp_printf(r->ctx.a, "%d", limit);
	prm[4] = mp_printf(r->ctx.a, "%d", offset);
	if ((rc = mp_q(&r->ctx, &stmts[SQ_INCIDENTS], 5, prm, &res)) != MP_OK)
		return rc;
	p->ninc = mp_res_rows(res);
	p->total = p->ninc ? mp_res_int(res, 0, 18) : 0;
	p->inc = mp_calloc(r->ctx.a, p->ninc ? (size_t)p->ninc : 1,
	    sizeof(*p->inc));
	for (i = 0; i < p->ninc; i++) {
		in = &p->inc[i];
		in->id = mp_res_int(res, i, 0);
		in->pid = mp_res_get(res, i, 1);
		in->name = mp_res_get(res, i, 2);
		in->status = mp_res_get(res, i, 3);
		in->created = mp_res_get(res, i, 4);
		in->updated = mp_res_get(res, i, 5);
		in->monitoring = mp_res_get(res, i, 6);
		in->resolved = mp_res_get(res, i, 7);
		in->impact = mp_res_get(res, i, 8);
		in->started = mp_res_get(res, i, 9);
		in->pm_body = mp_res_get(res, i, 10);
		in->pm_at = mp_res_get(res, i, 11);
		in->kind = mp_res_get(res, i, 12);
		in->sfor = mp_res_get(res, i, 13);
		in->suntil = mp_res_get(res, i, 14);
		in->day_human = mp_res_get(res, i, 15);
		in->sfor_human = mp_res_get(res, i, 16);
		in->suntil_human = mp_res_get(res, i, 17);
	}
	if (p->ninc == 0)
		return MP_OK;
	ids = id_array(r, p);
	prm[1] = ids;
	if ((rc = mp_q(&r->ctx, &stmts[SQ_UPDATES], 2, prm, &res)) != MP_OK)
		return rc;
	n = mp_res_rows(res);
	for (i = 0; i < p->ninc; i++) {
		in = &p->inc[i];
		in->u = mp_calloc(r->ctx.a, n ? (size_t)n : 1, sizeof(*in->u));
		in->comps = mp_calloc(r->ctx.a, p->nc ? (size_t)p->nc : 1,
		    sizeof(*in->comps));
	}
	for (j = 0; j < n; j++) {
		for (i = 0; i < p->ninc; i++)
			if (p->inc[i].id == mp_res_int(res, j, 0))
				break;
		if (i == p->ninc)
			continue;
		in = &p->inc[i];
		u = &in->u[in->nu++];
		u->incident_id = in->id;
		u->pid = mp_res_get(res, j, 1);
		u->status = mp_res_get(res, j, 2);
		u->body = mp_res_get(res, j, 3);
		u->created = mp_res_get(res, j, 4);
		u->updated = mp_res_get(res, j, 5);
		u->display = mp_res_get(res, j, 6);
		u->affected = mp_res_get(res, j, 7);
		u->display_human = mp_res_get(res, j, 8);
	}
	prm[0] = ids;
	if ((rc = mp_q(&r->ctx, &stmts[SQ_INC_COMPS], 1, prm, &res)) != MP_OK)
		return rc;
	n = mp_res_rows(res);
	for (j = 0; j < n; j++) {
		for (i = 0; i < p->ninc; i++)
			if (p->inc[i].id == mp_res_int(res, j, 0))
				break;
		c = mp_st_comp_by_id(p, mp_res_int(res, j, 1));
		if (i == p->ninc || c == NULL ||
		    p->inc[i].ncomps >= p->nc)
			continue;
		p->inc[i].comps[p->inc[i].ncomps++] = c;
	}
	return MP_OK;
}

/*
 * One component's days from SQ_OVERVIEW's "day,major,...;..." string
 * ("day" alone: 86,400 seconds observed, all of them up), each day
 * shift days after the first bar's; days outside the 90 are skipped.
 */
static void
parse_days(struct st_comp *c, const char *s, long shift)
{
	long	 v[6];
	char	*end;
	int	 i;

	while (s != NULL && *s != '\0') {
		v[1] = v[2] = v[3] = v[4] = 0;
		v[5] = 86400;
		for (i = 0; i < 6; i++) {
			v[i] = strtol(s, &end, 10);
			if (end == s)
				return;
			s = end;
			if (*s != ',')
				break;
			if (i < 5)
				s++;
		}
		v[0] += shift;
		if (v[0] >= 0 && v[0] < MP_STATUS_DAYS) {
			c->days[v[0]].major_s = (int)v[1];
			c->days[v[0]].partial_s = (int)v[2];
			c->days[v[0]].degraded_s = (int)v[3];
			c->days[v[0]].maint_s = (int)v[4];
			c->days[v[0]].observed_s = (int)v[5];
		}
		if (*s != ';')
			return;
		s++;
	}
}

/*
 * A time as the overview reads it: the timestamptz as the connection
 * prints it (its TimeZone is UTC, see mp_db_ensure, and its DateStyle
 * ISO, the server's default that dates read elsewhere rely on too:
 * "2026-03-01 13:05:09.12+00") and the same instant on the page's clock,
 * a timestamp ("2026-03-01 14:05:09.12").
 * Formatting here what status_iso() and to_char() wrote in SQL spares
 * the statement some 25 function calls per time, whose setting up at
 * every execution was a third of the statement's cost.  The helpers
 * below read those two texts.
 */

/* n digits at s as a number, or -1. */
static int
digits(const char *s, int n)
{
	int	 v = 0;

	for (; n > 0; n--, s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/* v as n decimal digits, zero-padded, at s (v < 10^n). */
static void
put_digits(char *s, int v, int n)
{
	while (n-- > 0) {
		s[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* Seconds since the epoch of a civil date and time (proleptic Gregorian). */
static int64_t
civil_s(const struct tm *tm)
{
	int64_t	 y = tm->tm_year + 1900, m = tm->tm_mon + 1, era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + tm->tm_mday - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468) * 86400 + tm->tm_hour * 3600 +
	    tm->tm_min * 60 + tm->tm_sec;
}

/* "YYYY-MM-DD HH:MM:SS[.f...]" into tm and ms (truncated, as to_char's MS). */
static int
ts_parse(const char *s, struct tm *tm, int *ms)
{
	int	 i, d;

	memset(tm, 0, sizeof(*tm));
	*ms = 0;
	if (s == NULL || strlen(s) < 19 || s[4] != '-' || s[7] != '-' ||
	    s[10] != ' ' || s[13] != ':' || s[16] != ':' ||
	    (tm->tm_year = digits(s, 4)) < 0 ||
	    (tm->tm_mon = digits(s + 5, 2)) < 1 || tm->tm_mon > 12 ||
	    (tm->tm_mday = digits(s + 8, 2)) < 1 ||
	    (tm->tm_hour = digits(s + 11, 2)) < 0 ||
	    (tm->tm_min = digits(s + 14, 2)) < 0 ||
	    (tm->tm_sec = digits(s + 17, 2)) < 0)
		return -1;
	tm->tm_year -= 1900;
	tm->tm_mon -= 1;
	if (s[19] == '.')
		for (i = 0, d = 100; i < 3 && s[20 + i] >= '0' &&
		    s[20 + i] <= '9'; i++, d /= 10)
			*ms += (s[20 + i] - '0') * d;
	return 0;
}

/*
 * Columns col (the instant) and col + 1 (the page's clock) of row as
 * status_iso() wrote them: 2026-03-01T14:05:09.120+01:00.  NULL for
 * NULL; arena memory.
 */
static const char *
ts_iso(struct mp_req *r, const struct mp_res *res, int row, int col)
{
	struct tm	 utc, loc;
	char		*s;
	long		 off;
	int		 ms, ums;

	if (mp_res_isnull(res, row, col) ||
	    ts_parse(mp_res_get(res, row, col), &utc, &ums) != 0 ||
	    ts_parse(mp_res_get(res, row, col + 1), &loc, &ms) != 0)
		return NULL;
	off = (long)(civil_s(&loc) - civil_s(&utc));
	if (loc.tm_year + 1900 > 9999 || labs(off) >= 100 * 3600)
		return mp_printf(r->ctx.a, "%04d-%02d-%02dT%02d:%02d:%02d.%03d"
		    "%c%02ld:%02ld", loc.tm_year + 1900, loc.tm_mon + 1,
		    loc.tm_mday, loc.tm_hour, loc.tm_min, loc.tm_sec, ms,
		    off < 0 ? '-' : '+', labs(off) / 3600,
		    labs(off) % 3600 / 60);
	/* The common case by hand: printf was most of this function. */
	s = mp_alloc(r->ctx.a, 30);
	put_digits(s, loc.tm_year + 1900, 4);
	s[4] = '-';
	put_digits(s + 5, loc.tm_mon + 1, 2);
	s[7] = '-';
	put_digits(s + 8, loc.tm_mday, 2);
	s[10] = 'T';
	put_digits(s + 11, loc.tm_hour, 2);
	s[13] = ':';
	put_digits(s + 14, loc.tm_min, 2);
	s[16] = ':';
	put_digits(s + 17, loc.tm_sec, 2);
	s[19] = '.';
	put_digits(s + 20, ms, 3);
	s[23] = off < 0 ? '-' : '+';
	put_digits(s + 24, (int)(labs(off) / 3600), 2);
	s[26] = ':';
	put_digits(s + 27, (int)(labs(off) % 3600 / 60), 2);
	s[29] = '\0';
	return s;
}

enum ts_fmt {
	TS_DAY_TIME,	/* to_char 'Mon FMDD, YYYY HH24:MI': Mar 1, 2026 14:05 */
	TS_LONG_DAY,	/* 'FMMonth FMDD, YYYY': March 1, 2026 */
	TS_SHORT	/* 'Mon FMDD, HH24:MI': Mar 1, 14:05 */
};

/* Column col of row, a time on the page's clock, in words; NULL for NULL. */
static const char *
ts_human(struct mp_req *r, const struct mp_res *res, int row, int col,
    enum ts_fmt f)
{
	static const char *const mon[12] = { "January", "February", "March",
	    "April", "May", "June", "July", "August", "September", "October",
	    "November", "December" };
	struct tm	 t;
	int		 ms;

	if (mp_res_isnull(res, row, col) ||
	    ts_parse(mp_res_get(res, row, col), &t, &ms) != 0 ||
	    t.tm_mon < 0 || t.tm_mon > 11)
		return NULL;
	switch (f) {
	case TS_DAY_TIME:
		return mp_printf(r->ctx.a, "%.3s %d, %04d %02d:%02d",
		    mon[t.tm_mon], t.tm_mday, t.tm_year + 1900, t.tm_hour,
		    t.tm_min);
	case TS_LONG_DAY:
		return mp_printf(r->ctx.a, "%s %d, %04d", mon[t.tm_mon],
		    t.tm_mday, t.tm_year + 1900);
	default:
		return mp_printf(r->ctx.a, "%.3s %d, %02d:%02d",
		    mon[t.tm_mon], t.tm_mday, t.tm_hour, t.tm_min);
	}
}

/*
 * The page row, every component (groups carrying the worst status of
 * their members), with with_days their 90 days, the incident names of
 * each day, the probe figures and the uptime, and the incidents of mode
 * (page, summary or unresolved) with their updates and components: what
 * mp_st_load_page, mp_st_load_components and mp_st_load_incidents load,
 * in one round trip (SQ_OV_PAGE and the two after it); p->ov keeps
 * its rows (the page row carries the brand for the HTML page).
 */
enum mp_err
mp_st_load_overview(struct mp_req *r, struct st_page *p, const char *mode,
    int with_days)
{
	struct mp_res		*res;
	struct st_comp		*c, *g;
	struct st_incident	*in;
	struct st_update	*u;
	enum mp_err		 rc;
	int			 i, j, n, k, d, st, nk[8] = { 0 }, nc = 0, ninc = 0;

	memset(p, 0, sizeof(*p));
	if (with_days && strcmp(mode, "page") == 0)
		st = SQ_OV_PAGE;
	else if (!with_days && strcmp(mode, "summary") == 0)
		st = SQ_OV_SUMMARY;
	else if (!with_days && strcmp(mode, "unresolved") == 0)
		st = SQ_OV_UNRESOLVED;
	else {
		mp_error("status overview: no statement for mode %s%s", mode,
		    with_days ? " with days" : "");
		return MP_ESYS;
	}
	if ((rc = mp_q(&r->ctx, &stmts[st], 0, NULL, &res)) != MP_OK)
		return rc;
	p->ov = res;
	n = mp_res_rows(res);
	for (i = 0; i < n; i++) {
		k = (int)mp_res_int(res, i, 0);
		if (k < 0 || k > 7)
			return MP_EDB;
		nk[k]++;
	}
	if (nk[0] != 1)
		return MP_EDB;
	/* Kind 0, the page (the first row: the rows are ordered by kind). */
	p->pid = mp_res_get(res, 0, 2);
	p->tz = mp_res_get(res, 0, 3);
	p->updated = ts_iso(r, res, 0, 4);
	p->version = mp_res_int(res, 0, 6);
	p->first_day = mp_res_get(res, 0, 7);
	p->now_iso = ts_iso(r, res, 0, 8);
	p->now_human = ts_human(r, res, 0, 9, TS_DAY_TIME);
	p->next_change_s = mp_res_isnull(res, 0, 10) ? -1 :
	    (int)mp_res_int(res, 0, 10);
	p->name = r->ctx.tenant->name;
	p->url = mp_origin(&r->ctx);
	p->c = mp_calloc(r->ctx.a, nk[1] ? (size_t)nk[1] : 1, sizeof(*p->c));
	p->inc = mp_calloc(r->ctx.a, nk[5] ? (size_t)nk[5] : 1,
	    sizeof(*p->inc));
	for (i = 1; i < n; i++) {
		k = (int)mp_res_int(res, i, 0);
		switch (k) {
		case 1:		/* a component */
			c = &p->c[nc++];
			c->id = mp_res_int(res, i, 2);
			c->pid = mp_res_get(res, i, 3);
			c->name = mp_res_get(res, i, 4);
			c->desc = mp_res_get(res, i, 5);
			c->status = mp_res_get(res, i, 6);
			c->position = (int)mp_res_int(res, i, 7);
			c->is_group = mp_res_bool(res, i, 8);
			c->group_id = mp_res_int(res, i, 9);
			c->group_pid = mp_res_get(res, i, 10);
			c->showcase = mp_res_bool(res, i, 11);
			c->only_degraded = mp_res_bool(res, i, 12);
			c->start_date = mp_res_get(res, i, 13);
			c->created = ts_iso(r, res, i, 14);
			c->updated = ts_iso(r, res, i, 16);
			c->uptime = -1;
			c->probe = -1;
			p->nc = nc;
			break;
		case 2:		/* one component's days */
			if ((c = mp_st_comp_by_id(p, mp_res_int(res, i, 1)))
			    != NULL)
				parse_days(c, mp_res_get(res, i, 2),
				    (long)mp_res_int(res, i, 3));
			break;
		case 3:		/* an incident of one of the days */
			d = (int)mp_res_int(res, i, 3);
			c = mp_st_comp_by_id(p, mp_res_int(res, i, 2));
			if (c == NULL || d < 0 || d >= MP_STATUS_DAYS)
				break;
			c->days[d].incidents = c->days[d].incidents == NULL ?
			    mp_res_get(res, i, 4) : mp_printf(r->ctx.a,
			    "%s; %s", c->days[d].incidents,
			    mp_res_get(res, i, 4));
			break;
		case 4:		/* probe figures */
			c = mp_st_comp_by_id(p, mp_res_int(res, i, 1));
			if (c != NULL && mp_res_int(res, i, 3) > 0)
				c->probe = 100.0 *
				    (double)mp_res_int(res, i, 2) /
				    (double)mp_res_int(res, i, 3);
			break;
		case 5:		/* an incident or maintenance */
			in = &p->inc[ninc++];
			in->id = mp_res_int(res, i, 2);
			in->pid = mp_res_get(res, i, 3);
			in->name = mp_res_get(res, i, 4);
			in->status = mp_res_get(res, i, 5);
			in->impact = mp_res_get(res, i, 6);
			in->pm_body = mp_res_get(res, i, 7);
			in->kind = mp_res_get(res, i, 8);
			p->total = mp_res_int(res, i, 9);
			in->created = ts_iso(r, res, i, 10);
			in->updated = ts_iso(r, res, i, 12);
			in->monitoring = ts_iso(r, res, i, 14);
			in->resolved = ts_iso(r, res, i, 16);
			in->started = ts_iso(r, res, i, 18);
			in->pm_at = ts_iso(r, res, i, 20);
			in->sfor = ts_iso(r, res, i, 22);
			in->suntil = ts_iso(r, res, i, 24);
			in->day_human = ts_human(r, res, i,
			    mp_res_isnull(res, i, 23) ? 19 : 23, TS_LONG_DAY);
			in->sfor_human = ts_human(r, res, i, 23, TS_SHORT);
			in->suntil_human = ts_human(r, res, i, 25, TS_SHORT);
			in->u = mp_calloc(r->ctx.a, nk[6] ? (size_t)nk[6] : 1,
			    sizeof(*in->u));
			in->comps = mp_calloc(r->ctx.a, nk[1] ? (size_t)nk[1] :
			    1, sizeof(*in->comps));
			p->ninc = ninc;
			break;
		case 6:		/* an update, newest first */
			for (j = 0; j < p->ninc; j++)
				if (p->inc[j].id == mp_res_int(res, i, 2))
					break;
			if (j == p->ninc)
				break;
			in = &p->inc[j];
			u = &in->u[in->nu++];
			u->incident_id = in->id;
			u->pid = mp_res_get(res, i, 3);
			u->status = mp_res_get(res, i, 4);
			u->body = mp_res_get(res, i, 5);
			u->affected = mp_res_get(res, i, 6);
			u->created = ts_iso(r, res, i, 7);
			u->updated = ts_iso(r, res, i, 9);
			u->display = ts_iso(r, res, i, 11);
			u->display_human = ts_human(r, res, i, 12, TS_SHORT);
			break;
		case 7:		/* a component an incident affects */
			for (j = 0; j < p->ninc; j++)
				if (p->inc[j].id == mp_res_int(res, i, 2))
					break;
			c = mp_st_comp_by_id(p, mp_res_int(res, i, 3));
			if (j == p->ninc || c == NULL ||
			    p->inc[j].ncomps >= p->nc)
				break;
			p->inc[j].comps[p->inc[j].ncomps++] = c;
			break;
		default:
			return MP_EDB;
		}
	}
	for (i = 0; i < p->nc; i++) {
		c = &p->c[i];
		if (with_days)
			c->uptime = mp_status_uptime(c->days, MP_STATUS_DAYS);
		if (c->group_id == 0 || (g = mp_st_comp_by_id(p, c->group_id))
		    == NULL)
			continue;
		if (g->is_group && mp_st_rank(c->status) > mp_st_rank(g->status))
			g->status = c->status;
	}
	return MP_OK;
}

/*
 * The page's overall indicator and sentence from the worst component
 * and the impact of unresolved incidents (loaded ones only).
 */
void
mp_st_indicator(struct st_page *p)
{
	static const char *const ind[] = { "none", "minor", "major",
	    "critical" };
	int	 worst = 0, level = 0, maint = 0, i;

	for (i = 0; i < p->nc; i++) {
		if (p->c[i].is_group)
			continue;
		if (mp_st_rank(p->c[i].status) > worst)
			worst = mp_st_rank(p->c[i].status);
	}
	if (worst == 1)
		maint = 1;
	else if (worst == 2 || worst == 3)
		level = 1;
	else if (worst == 4)
		level = 2;
	for (i = 0; i < p->ninc; i++) {
		const struct st_incident *in = &p->inc[i];

		if (strcmp(in->kind, "incident") != 0 ||
		    strcmp(in->status, "resolved") == 0 ||
		    strcmp(in->status, "postmortem") == 0)
			continue;
		if (strcmp(in->impact, "critical") == 0 && level < 3)
			level = 3;
		else if (strcmp(in->impact, "major") == 0 && level < 2)
			level = 2;
		else if (strcmp(in->impact, "minor") == 0 && level < 1)
			level = 1;
	}
	p->indicator = ind[level];
	if (level == 3)
		p->description = "Major System Outage";
	else if (level == 2)
		p->description = "Major Service Outage";
	else if (level == 1)
		p->description = worst == 3 ? "Partial System Outage" :
		    "Minor Service Outage";
	else if (maint)
		p->description = "Service Under Maintenance";
	else
		p->description = "All Systems Operational";
}

/* ---------------------------------------------------------------- HTML */

/* The class of a day's bar and the part of it to fill, 0..1. */
static const char *
day_class(const struct mp_status_day *d, double *frac)
{
	double	 counted = mp_status_counted(d);

	*frac = counted > 0 ? mp_status_downtime(d) / counted : 0;
	if (d->observed_s <= 0)
		return "nodata";
	if (d->major_s > 0)
		return "major";
	if (d->partial_s > 0)
		return "partial";
	if (d->degraded_s > 0)
		return "degraded";
	if (d->maint_s > 0)
		return "maint";
	return "ok";
}

/*
 * The names of the 90 days from first (YYYY-MM-DD), as strftime's
 * "%b %e, %Y" writes them ("Mar  3, 2026"), into the arena: worked out
 * once per page rather than once per bar.  "day N" when first is not a
 * date.
 */
static const char **
day_names(struct mp_req *r, const char *first)
{
	static const char *const mon[12] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	const char	**n = mp_calloc(r->ctx.a, MP_STATUS_DAYS, sizeof(*n));
	struct tm	 tm;
	char		*s;
	time_t		 t0, t;
	int		 i, ok;

	memset(&tm, 0, sizeof(tm));
	ok = first != NULL && strptime(first, "%Y-%m-%d", &tm) != NULL;
	tm.tm_hour = 12;
	t0 = ok ? timegm(&tm) : 0;
	for (i = 0; i < MP_STATUS_DAYS; i++) {
		if (!ok) {
			n[i] = mp_printf(r->ctx.a, "day %d", i + 1);
			continue;
		}
		t = t0 + (time_t)i * 86400;
		gmtime_r(&t, &tm);
		if (tm.tm_year + 1900 < 1000 || tm.tm_year + 1900 > 9999) {
			n[i] = mp_printf(r->ctx.a, "%s %2d, %d",
			    mon[tm.tm_mon % 12], tm.tm_mday, tm.tm_year + 1900);
			continue;
		}
		/* "Mar  3, 2026" by hand: 90 printf calls were noticeable. */
		s = mp_alloc(r->ctx.a, 13);
		memcpy(s, mon[tm.tm_mon % 12], 3);
		s[3] = ' ';
		put_digits(s + 4, tm.tm_mday, 2);
		if (s[4] == '0')
			s[4] = ' ';
		s[6] = ',';
		s[7] = ' ';
		put_digits(s + 8, tm.tm_year + 1900, 4);
		s[12] = '\0';
		n[i] = s;
	}
	return n;
}

/* Copy a string literal (its length known when compiling) to o. */
#define PUT(o, lit)	((o) = (char *)memcpy((o), (lit), sizeof(lit) - 1) + \
			    sizeof(lit) - 1)

/* Copy s to o; returns the end. */
static char *
put_str(char *o, const char *s)
{
	size_t	 n = strlen(s);

	memcpy(o, s, n);
	return o + n;
}

/* v >= 0 in decimal at o; returns the end. */
static char *
put_int(char *o, int v)
{
	char	 t[12], *e = t + sizeof(t), *q = e;

	do {
		*--q = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	memcpy(o, q, (size_t)(e - q));
	return o + (e - q);
}

/* s HTML-escaped (as mp_buf_html) at o; returns the end. */
static char *
put_html(char *o, const char *s)
{
	for (; *s != '\0'; s++)
		switch (*s) {
		case '&':
			PUT(o, "&amp;");
			break;
		case '<':
			PUT(o, "&lt;");
			break;
		case '>':
			PUT(o, "&gt;");
			break;
		case '"':
			PUT(o, "&quot;");
			break;
		case '\'':
			PUT(o, "&#39;");
			break;
		default:
			*o++ = *s;
		}
	return o;
}

#define BAR_MAX		320	/* bytes of one day's <g>, its incidents aside */

/*
 * The 90 bars of one component as the inside of its SVG, set as
 * node.BarsHtml: per day a <g> with a <title>, the day's base bar and,
 * when it had downtime, the filled part.  Drawn here rather than by a
 * template loop of 90 iterations per component, straight into one
 * buffer sized beforehand (900 bars a page: appending piece by piece was
 * most of the page's own work).  The incident names are HTML-escaped;
 * the rest is text of ours (day names, figures, classes).
 */
static void
svg_bars(struct mp_req *r, HDF *node, const struct st_page *p,
    const struct st_comp *c)
{
	char		 mins[64], *buf, *o;
	const char	*cls, *txt;
	size_t		 sz = 1;
	double		 frac, down;
	int		 i, h;

	for (i = 0; i < MP_STATUS_DAYS; i++)
		sz += BAR_MAX + (c->days[i].incidents == NULL ? 0 :
		    6 * strlen(c->days[i].incidents));
	o = buf = mp_alloc(r->ctx.a, sz);
	for (i = 0; i < MP_STATUS_DAYS; i++) {
		const struct mp_status_day *d = &c->days[i];

		cls = day_class(d, &frac);
		h = frac > 0 ? (int)(frac * 32.0 + 0.5) : 0;
		if (frac > 0 && h < 4)
			h = 4;
		if (h > 32)
			h = 32;
		down = mp_status_downtime(d) / 60.0;
		txt = mins;
		if (d->observed_s <= 0)
			txt = "no data";
		else if (down > 0)
			snprintf(mins, sizeof(mins), "%.0f minute%s down",
			    down, down >= 0.5 && down < 1.5 ? "" : "s");
		else if (d->maint_s > 0)
			snprintf(mins, sizeof(mins), "%d minutes of maintenance",
			    d->maint_s / 60);
		else if (d->degraded_s > 0)
			snprintf(mins, sizeof(mins), "no downtime, %d minutes "
			    "degraded", d->degraded_s / 60);
		else
			txt = "no downtime";
		PUT(o, "<g><title>");
		o = put_str(o, p->day_names[i]);
		PUT(o, ": ");
		o = put_str(o, txt);
		if (d->incidents != NULL) {
			PUT(o, ". ");
			o = put_html(o, d->incidents);
		}
		PUT(o, "</title><rect class=\"d-");
		o = put_str(o, strcmp(cls, "major") == 0 ||
		    strcmp(cls, "partial") == 0 ? "ok" : cls);
		PUT(o, "\" x=\"");
		o = put_int(o, i * 5);
		PUT(o, "\" width=\"3\" height=\"32\"/>");
		if (h > 0) {
			PUT(o, "<rect class=\"f-");
			o = put_str(o, cls);
			PUT(o, "\" x=\"");
			o = put_int(o, i * 5);
			PUT(o, "\" y=\"");
			o = put_int(o, 32 - h);
			PUT(o, "\" width=\"3\" height=\"");
			o = put_int(o, h);
			PUT(o, "\"/>");
		}
		PUT(o, "</g>");
	}
	*o = '\0';
	mp_hdf_set(node, "BarsHtml", buf);
}

/* One component's line under node. */
static void
hdf_comp(struct mp_req *r, HDF *node, const struct st_page *p,
    const struct st_comp *c, int with_days)
{
	char	 pct[32];

	mp_hdf_set(node, "Id", c->pid);
	mp_hdf_set(node, "Name", c->name);
	mp_hdf_set(node, "Desc", c->desc);
	mp_hdf_set(node, "Status", c->status);
	mp_hdf_set(node, "StatusLabel", mp_st_label(c->status));
	if (!with_days)
		return;
	mp_status_uptime_text(c->uptime, pct, sizeof(pct));
	mp_hdf_set(node, "Uptime", pct);
	if (c->probe >= 0) {
		mp_status_uptime_text(c->probe, pct, sizeof(pct));
		mp_hdf_set(node, "Probe", pct);
	}
	svg_bars(r, node, p, c);
}

/* The components as groups (ungrouped ones each in a nameless group). */
static void
hdf_groups(struct mp_req *r, HDF *hdf, const struct st_page *p,
    int with_days)
{
	HDF	*g, *cn;
	char	 name[64];
	int	 i, j, ng = 0, nm;

	for (i = 0; i < p->nc; i++) {
		const struct st_comp *c = &p->c[i];

		if (c->group_id != 0 && mp_st_comp_by_id((struct st_page *)p,
		    c->group_id) != NULL)
			continue;	/* listed under its group */
		if (c->only_degraded && strcmp(c->status, "operational") == 0)
			continue;
		snprintf(name, sizeof(name), "Groups.%d", ng++);
		if (hdf_get_node(hdf, name, &g) != STATUS_OK)
			mp_oom();
		if (!c->is_group) {
			if (hdf_get_node(g, "Components.0", &cn) != STATUS_OK)
				mp_oom();
			hdf_comp(r, cn, p, c, with_days);
			continue;
		}
		mp_hdf_set(g, "Name", c->name);
		mp_hdf_set(g, "Id", c->pid);
		mp_hdf_set(g, "Desc", c->desc);
		mp_hdf_set(g, "Status", c->status);
		mp_hdf_set(g, "StatusLabel", mp_st_label(c->status));
		for (j = 0, nm = 0; j < p->nc; j++) {
			const struct st_comp *m = &p->c[j];

			if (m->group_id != c->id)
				continue;
			if (m->only_degraded &&
			    strcmp(m->status, "operational") == 0)
				continue;
			snprintf(name, sizeof(name), "Components.%d", nm++);
			if (hdf_get_node(g, name, &cn) != STATUS_OK)
				mp_oom();
			hdf_comp(r, cn, p, m, with_days);
		}
	}
}

/* One incident (with its timeline when full) under node. */
static void
hdf_incident(HDF *node, const struct st_incident *in, int full)
{
	HDF	*u;
	char	 name[32];
	int	 i, n;

	mp_hdf_set(node, "Id", in->pid);
	mp_hdf_set(node, "Name", in->name);
	mp_hdf_set(node, "Kind", in->kind);
	mp_hdf_set(node, "Status", in->status);
	mp_hdf_set(node, "StatusLabel", mp_st_label(in->status));
	mp_hdf_set(node, "Impact", in->impact);
	mp_hdf_set(node, "Day", in->day_human);
	mp_hdf_set(node, "From", in->sfor_human);
	mp_hdf_set(node, "Until", in->suntil_human);
	mp_hdf_set(node, "FromIso", in->sfor);
	mp_hdf_set(node, "UntilIso", in->suntil);
	mp_hdf_set(node, "Postmortem", in->pm_body);
	for (i = 0; i < in->ncomps; i++) {
		snprintf(name, sizeof(name), "Components.%d", i);
		mp_hdf_set(node, name, in->comps[i]->name);
	}
	n = full ? in->nu : (in->nu > 0 ? 1 : 0);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "Updates.%d", i);
		if (hdf_get_node(node, name, &u) != STATUS_OK)
			mp_oom();
		mp_hdf_set(u, "Status", in->u[i].status);
		mp_hdf_set(u, "StatusLabel", mp_st_label(in->u[i].status));
		mp_hdf_set(u, "Body", in->u[i].body);
		mp_hdf_set(u, "At", in->u[i].display_human);
		mp_hdf_set(u, "AtIso", in->u[i].display);
	}
}

/* Incidents under prefix, grouped by day as prefix.N.Day / .Items.M. */
static void
hdf_by_day(HDF *hdf, const char *prefix, const struct st_page *p,
    int active_too)
{
	HDF		*day = NULL, *it;
	const char	*last = NULL;
	char		 name[64];
	int		 i, nd = 0, ni = 0;

	for (i = 0; i < p->ninc; i++) {
		const struct st_incident *in = &p->inc[i];

		if (!active_too && (strcmp(in->kind, "maintenance") == 0 ?
		    strcmp(in->status, "completed") != 0 :
		    (strcmp(in->status, "resolved") != 0 &&
		    strcmp(in->status, "postmortem") != 0)))
			continue;
		if (last == NULL || strcmp(last, nz(in->day_human)) != 0) {
			snprintf(name, sizeof(name), "%s.%d", prefix, nd++);
			if (hdf_get_node(hdf, name, &day) != STATUS_OK)
				mp_oom();
			mp_hdf_set(day, "Day", in->day_human);
			last = nz(in->day_human);
			ni = 0;
		}
		snprintf(name, sizeof(name), "Items.%d", ni++);
		if (hdf_get_node(day, name, &it) != STATUS_OK)
			mp_oom();
		hdf_incident(it, in, 0);
	}
}

/* The banner, the groups, active incidents and maintenance. */
static void
hdf_overview(struct mp_req *r, HDF *hdf, struct st_page *p)
{
	HDF	*n;
	char	 name[64];
	int	 i, na = 0, nm = 0;

	mp_st_indicator(p);
	mp_hdf_set(hdf, "Status.Indicator", p->indicator);
	mp_hdf_set(hdf, "Status.Description", p->description);
	mp_hdf_set(hdf, "Status.Updated", p->now_human);
	mp_hdf_set(hdf, "Status.UpdatedIso", p->now_iso);
	mp_hdf_set(hdf, "Status.TimeZone", p->tz);
	mp_hdf_set(hdf, "Status.FirstDay", p->first_day);
	p->day_names = day_names(r, p->first_day);
	hdf_groups(r, hdf, p, 1);
	for (i = 0; i < p->ninc; i++) {
		const struct st_incident *in = &p->inc[i];

		if (strcmp(in->kind, "maintenance") == 0) {
			if (strcmp(in->status, "completed") == 0)
				continue;
			snprintf(name, sizeof(name), "Maint.%d", nm++);
		} else {
			if (strcmp(in->status, "resolved") == 0 ||
			    strcmp(in->status, "postmortem") == 0)
				continue;
			snprintf(name, sizeof(name), "Active.%d", na++);
		}
		if (hdf_get_node(hdf, name, &n) != STATUS_OK)
			mp_oom();
		hdf_incident(n, in, 1);
	}
	hdf_by_day(hdf, "Past", p, 0);
}

/* Serve a finished copy: body, type, and the page's cache headers. */
static void
serve_copy(struct mp_resp *w, enum st_kind k, const char *s, size_t len)
{
	w->status = 200;
	w->ctype = k == ST_K_HTML ? "text/html; charset=utf-8" :
	    "application/json";
	mp_buf_reset(&w->body);
	mp_buf_add(&w->body, s, len);
	mp_resp_header(w, "Cache-Control", "public, max-age=10");
}

/*
 * GET /status: the overview.  The rendering is kept per tenant and page
 * version for up to CACHE_TTL_S (less when a maintenance window opens or
 * closes sooner), and written to disk for the outage fallback.
 */
static enum mp_err
render_page(struct mp_req *r, struct mp_resp *w)
{
	struct st_page	 p;
	HDF		*hdf;
	enum mp_err	 rc;
	int		 ttl;

	if ((rc = mp_st_load_overview(r, &p, "page", 1)) != MP_OK)
		return rc;
	hdf = mp_hdf(r);
	mp_hdf_set(hdf, "Page.Title", "System status");
	mp_hdf_set(hdf, "Page.Description", mp_printf(r->ctx.a,
	    "Current status, incidents and maintenance of %s.", p.name));
	hdf_overview(r, hdf, &p);
	mp_brand_fill(r, hdf, p.ov, 0, OV_BRAND_COL);
	if ((rc = mp_render(r, w, 200, "status/index.cs", hdf)) != MP_OK)
		return rc;
	ttl = CACHE_TTL_S;
	if (p.next_change_s >= 0 && p.next_change_s < ttl)
		ttl = p.next_change_s;
	/* A signed-in visitor's copy carries their navigation: not shared. */
	if (r->user == NULL)
		mp_st_cache_put(r, ST_K_HTML, p.version, ttl, &w->body);
	mp_resp_header(w, "Cache-Control", "public, max-age=10");
	return MP_OK;
}

enum mp_err
mp_status_page(struct mp_req *r, struct mp_resp *w)
{
	enum mp_err	 rc;

	if (r->user == NULL && mp_st_cache_hit(r, ST_K_HTML, w))
		return MP_OK;
	if ((rc = mp_st_tx(r)) != MP_OK)
		return rc;
	return mp_st_tx_end(r, render_page(r, w));
}

/* GET /status/incidents/{id}: one incident or maintenance, whole timeline. */
enum mp_err
mp_status_incident(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*id = mp_req_cap(r, "id");
	struct st_page		 p;
	HDF			*hdf, *n;
	enum mp_err		 rc;

	if (id == NULL || id->len != 12)
		return MP_ENOTFOUND;
	if ((rc = mp_st_load_page(r, &p)) != MP_OK ||
	    (rc = mp_st_load_components(r, &p, 0)) != MP_OK ||
	    (rc = mp_st_load_incidents(r, &p, "one", id->s, 1, 0)) != MP_OK)
		return rc;
	if (p.ninc != 1)
		return mp_req_fail(r, MP_ENOTFOUND, NULL,
		    "There is no incident at this address.");
	hdf = mp_hdf(r);
	mp_hdf_set(hdf, "Page.Title", p.inc[0].name);
	if (hdf_get_node(hdf, "Incident", &n) != STATUS_OK)
		mp_oom();
	hdf_incident(n, &p.inc[0], 1);
	mp_hdf_set(hdf, "Incident.Started", p.inc[0].started);
	return mp_render(r, w, 200, "status/incident.cs", hdf);
}

const struct mp_field mp_status_history_fields[] = {
	{ "page", MP_V_INT, 1, 10000, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

/* GET /status/history?page=N: past incidents and maintenance by day. */
enum mp_err
mp_status_history(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*pg = mp_req_val(r, "page");
	struct st_page		 p;
	HDF			*hdf;
	enum mp_err		 rc;
	int			 page = pg->present ? (int)pg->i : 1;

	if ((rc = mp_st_load_page(r, &p)) != MP_OK ||
	    (rc = mp_st_load_components(r, &p, 0)) != MP_OK ||
	    (rc = mp_st_load_incidents(r, &p, "history", NULL, PAGE_HISTORY,
	    (page - 1) * PAGE_HISTORY)) != MP_OK)
		return rc;
	if (p.ninc == 0 && page > 1)
		return mp_req_fail(r, MP_ENOTFOUND, "page",
		    "There is no such page of history.");
	hdf = mp_hdf(r);
	mp_hdf_set(hdf, "Page.Title", "Incident history");
	hdf_by_day(hdf, "Past", &p, 1);
	mp_hdf_setf(hdf, "History.Page", "%d", page);
	if (page > 1)
		mp_hdf_setf(hdf, "History.Prev", "%d", page - 1);
	if ((int64_t)page * PAGE_HISTORY < p.total)
		mp_hdf_setf(hdf, "History.Next", "%d", page + 1);
	return mp_render(r, w, 200, "status/history.cs", hdf);
}

/* ------------------------------------------------- copies for outages */

struct st_copy {
	int64_t		 tenant;
	char		*slug;
	int64_t		 version;
	uint64_t	 until_ms;
	time_t		 made;		/* last known to be current */
	int64_t		 made_ns;	/* when its data was read */
	char		*data;
	size_t		 len;
	unsigned char	*gz;		/* the same, gzip-compressed, or NULL */
	size_t		 gzlen;
	int		 gz_tried;	/* copy_compress ran for this data */
	int64_t		 disk_version;	/* of the file this responder wrote */
	uint64_t	 disk_ms;	/* when it wrote it (monotonic), or 0 */
	uint64_t	 touch_ms;	/* when it last dated the file, or 0 */
};

static struct st_copy	 copies[ST_K__MAX][CACHE_SLOTS];
static struct timespec	 r_started;	/* of the current rendering */
static const char *const kind_ext[ST_K__MAX] = { "html", "status.json",
    "summary.json" };

static struct st_copy *
copy_find(enum st_kind k, int64_t tenant, const char *slug)
{
	int	 i;

	for (i = 0; i < CACHE_SLOTS; i++) {
		struct st_copy *c = &copies[k][i];

		if (c->data != NULL && ((tenant != 0 && c->tenant == tenant) ||
		    (slug != NULL && c->slug != NULL &&
		    strcmp(c->slug, slug) == 0)))
			return c;
	}
	return NULL;
}

/* The stamp file staff changes touch: cache_dir/status/<slug>.stamp. */
static char *
stamp_path(struct mp_arena *a, const struct mp_config *cfg, const char *slug)
{
	if (mp_status_conf(cfg)->cache_dir == NULL || mp_status_conf(cfg)->cache_dir[0] == '\0')
		return NULL;
	return mp_printf(a, "%s/status/%s.stamp", mp_status_conf(cfg)->cache_dir, slug);
}

static int64_t
ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

/* Whether the client takes gzip (every browser does). */
static int
accepts_gzip(struct mp_req *r)
{
	const char	*ae = mp_req_param(r, "HTTP_ACCEPT_ENCODING");

	return ae != NULL && strstr(ae, "gzip") != NULL;
}

/*
 * Compress a kept copy once, at its first hit from a client that takes
 * gzip, so the hits that follow (most of the traffic of a busy status
 * page) send a tenth of the bytes; a rendering that no one is served
 * from (the page changed again first) is never compressed.  On any zlib
 * failure the copy is simply served uncompressed.
 */
static void
copy_compress(struct st_copy *c)
{
	z_stream	 z;
	uLong		 bound;

	free(c->gz);
	c->gz = NULL;
	c->gzlen = 0;
	c->gz_tried = 1;
	memset(&z, 0, sizeof(z));
	/* windowBits 15 + 16: a gzip header, as Content-Encoding wants. */
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		return;
	bound = deflateBound(&z, (uLong)c->len);
	if ((c->gz = malloc(bound)) == NULL)
		mp_oom();
	z.next_in = (Bytef *)c->data;
	z.avail_in = (uInt)c->len;
	z.next_out = c->gz;
	z.avail_out = (uInt)bound;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		free(c->gz);
		c->gz = NULL;
	} else
		c->gzlen = z.total_out;
	deflateEnd(&z);
}

/*
 * Serve this tenant's kept copy of kind k, without touching the
 * database, while it is younger than its time to live and no change
 * through the portal (the stamp file) happened after it was made.
 * Returns 1 when w was filled.
 */
int
mp_st_cache_hit(struct mp_req *r, enum st_kind k, struct mp_resp *w)
{
	struct st_copy	*c = copy_find(k, r->ctx.tenant->id, NULL);
	struct stat	 st;
	char		*path;

	if (c == NULL || mp_monotonic_ms() >= c->until_ms)
		return 0;
	path = stamp_path(r->ctx.a, r->ctx.cfg, r->ctx.tenant->slug);
	/*
	 * The stamp is touched before the change commits: a copy made
	 * within STAMP_SLACK of it may hold the old data.
	 */
	if (path != NULL && stat(path, &st) == 0 &&
	    ts_ns(&st.st_mtim) + STAMP_SLACK_NS >= c->made_ns)
		return 0;
	if (!c->gz_tried && accepts_gzip(r))
		copy_compress(c);
	if (c->gz != NULL && accepts_gzip(r)) {
		serve_copy(w, k, (const char *)c->gz, c->gzlen);
		mp_resp_header(w, "Content-Encoding", "gzip");
	} else
		serve_copy(w, k, c->data, c->len);
	mp_resp_header(w, "Vary", "Accept-Encoding");
	return 1;
}

/*
 * Say that this tenant's page changed: every responder's kept copies
 * made before now are stale.  Called after staff changes and by the
 * worker; a failure only delays the change by CACHE_TTL_S.
 */
void
mp_st_touch(const struct mp_config *cfg, struct mp_arena *a, const char *slug)
{
	char	*path = stamp_path(a, cfg, slug);
	int	 fd;

	if (path == NULL)
		return;
	(void)mkdir(mp_status_conf(cfg)->cache_dir, 0755);
	(void)mkdir(mp_printf(a, "%s/status", mp_status_conf(cfg)->cache_dir), 0755);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) == -1)
		return;
	(void)futimens(fd, NULL);
	close(fd);
}

/*
 * The tenant transaction of a cached route (MP_R_NODB, so a copy costs
 * no round trip): begun here only when the page must be made, bound to
 * the tenant like the dispatcher's.  mp_st_tx_end commits after MP_OK,
 * else rolls back, and returns rc or the commit's error.
 */
enum mp_err
mp_st_tx(struct mp_req *r)
{
	clock_gettime(CLOCK_REALTIME, &r_started);
	return mp_tx_begin(&r->ctx);
}

enum mp_err
mp_st_tx_end(struct mp_req *r, enum mp_err rc)
{
	if (rc == MP_OK)
		return mp_db_commit(r->ctx.db);
	mp_db_rollback(r->ctx.db);
	return rc;
}

/* A file name under cache_dir/status for this slug and kind, or NULL. */
static char *
copy_path(struct mp_arena *a, const struct mp_config *cfg, const char *slug,
    const char *ext)
{
	if (mp_status_conf(cfg)->cache_dir == NULL || mp_status_conf(cfg)->cache_dir[0] == '\0')
		return NULL;
	return mp_printf(a, "%s/status/%s.%s", mp_status_conf(cfg)->cache_dir, slug, ext);
}

/* Write path atomically: a temporary file beside it, then rename. */
static void
write_atomic(struct mp_arena *a, const char *path, const char *data,
    size_t len)
{
	static int	 warned;
	char		*tmp = mp_printf(a, "%s.%d.tmp", path, (int)getpid());
	ssize_t		 n;
	size_t		 off = 0;
	int		 fd;

	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644))
	    == -1)
		goto fail;
	while (off < len) {
		if ((n = write(fd, data + off, len - off)) < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			unlink(tmp);
			goto fail;
		}
		off += (size_t)n;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		goto fail;
	}
	return;
fail:
	if (!warned++)
		mp_warn("status cache %s: %s", path, strerror(errno));
}

/*
 * Keep a fresh rendering of kind k for this tenant: in memory for up to
 * ttl_s seconds at this version, and on disk (only when it changed) so
 * that every responder has a copy to serve when the database is down.
 */
void
mp_st_cache_put(struct mp_req *r, enum st_kind k, int64_t version, int ttl_s,
    const struct mp_buf *b)
{
	const struct mp_config	*cfg = r->ctx.cfg;
	struct st_copy		*c = copy_find(k, r->ctx.tenant->id, NULL);
	char			*dir, *path;
	uint64_t		 now;
	int			 i, same;

	if (c == NULL) {
		for (i = 0; i < CACHE_SLOTS && c == NULL; i++)
			if (copies[k][i].data == NULL)
				c = &copies[k][i];
		if (c == NULL)
			c = &copies[k][r->ctx.tenant->id % CACHE_SLOTS];
	}
	same = c->data != NULL && c->tenant == r->ctx.tenant->id &&
	    c->len == b->len && memcmp(c->data, b->data, b->len) == 0;
	if (!same) {
		free(c->data);
		free(c->slug);
		if ((c->data = malloc(b->len ? b->len : 1)) == NULL ||
		    (c->slug = strdup(r->ctx.tenant->slug)) == NULL)
			mp_oom();
		memcpy(c->data, b->data, b->len);
		c->len = b->len;
		if (c->tenant != r->ctx.tenant->id) {
			c->disk_ms = 0;		/* the slot changed hands */
			c->touch_ms = 0;
		}
		c->tenant = r->ctx.tenant->id;
		free(c->gz);
		c->gz = NULL;
		c->gzlen = 0;
		c->gz_tried = 0;
	}
	c->version = version;
	c->until_ms = mp_monotonic_ms() + (uint64_t)(ttl_s > 0 ? ttl_s : 0) *
	    1000;
	c->made = time(NULL);
	c->made_ns = ts_ns(&r_started);
	/*
	 * Still the truth as of now: the file's time says so, to the
	 * second, as the outage note tells it; so at most once a second
	 * (a page rendered again and again would touch it every time).
	 */
	now = mp_monotonic_ms();
	if (same && c->touch_ms != 0 && now - c->touch_ms < 1000)
		return;
	if ((path = copy_path(r->ctx.a, cfg, r->ctx.tenant->slug, kind_ext[k])) ==
	    NULL)
		return;
	if (same) {
		(void)utimensat(AT_FDCWD, path, NULL, 0);
		c->touch_ms = now;
		return;
	}
	/*
	 * A new rendering of the version this responder wrote less than
	 * DISK_EVERY_S ago differs from that file in its clock only (the
	 * page says when it was made): the file stays, dated when it was
	 * written, which is what the outage note tells.  Rewriting ~100 KB
	 * and renaming it over the old file at every rendering was a
	 * quarter of the page's cost.  Any change through the portal bumps
	 * the version, so the file always holds the latest data.
	 */
	if (c->disk_ms != 0 && c->disk_version == version &&
	    now - c->disk_ms < (uint64_t)DISK_EVERY_S * 1000)
		return;
	c->disk_version = version;
	c->disk_ms = c->touch_ms = now;
	dir = mp_printf(r->ctx.a, "%s/status", mp_status_conf(cfg)->cache_dir);
	(void)mkdir(mp_status_conf(cfg)->cache_dir, 0755);
	(void)mkdir(dir, 0755);
	write_atomic(r->ctx.a, path, b->data, b->len);
	/* A custom domain finds its slug here when the database is down. */
	if (r->host != NULL && r->ctx.tenant->domain != NULL &&
	    strcmp(r->host, r->ctx.tenant->domain) == 0) {
		path = mp_printf(r->ctx.a, "%s/host-%s", dir, r->host);
		write_atomic(r->ctx.a, path, r->ctx.tenant->slug,
		    strlen(r->ctx.tenant->slug));
	}
}

static int
safe_name(const char *s)
{
	size_t	 i;

	if (s == NULL || *s == '\0' || *s == '.' || strlen(s) > 253)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		    s[i] == '.'))
			return 0;
	return 1;
}

/*
 * The slug of the tenant a request is for when the database cannot say:
 * the resolved tenant, a subdomain of base_domain, or a custom domain
 * recorded beside the copies.  NULL when unknown.
 */
static const char *
fallback_slug(struct mp_req *r)
{
	const struct mp_config	*cfg = r->ctx.cfg;
	const char		*h = r->host;
	size_t			 hl, bl;
	char			 buf[80];
	ssize_t			 n;
	int			 fd;

	if (r->ctx.tenant != NULL)
		return r->ctx.tenant->slug;
	if (!safe_name(h))
		return NULL;
	hl = strlen(h);
	bl = strlen(cfg->base_domain);
	if (bl > 0 && hl > bl + 1 && h[hl - bl - 1] == '.' &&
	    strcmp(h + hl - bl, cfg->base_domain) == 0 &&
	    memchr(h, '.', hl - bl - 1) == NULL)
		return mp_strndup(r->ctx.a, h, hl - bl - 1);
	if (mp_status_conf(cfg)->cache_dir == NULL || mp_status_conf(cfg)->cache_dir[0] == '\0')
		return NULL;
	fd = open(mp_printf(r->ctx.a, "%s/status/host-%s", mp_status_conf(cfg)->cache_dir, h),
	    O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return safe_name(buf) ? mp_strdup(r->ctx.a, buf) : NULL;
}

/* Read a whole copy from disk into the arena; NULL if there is none. */
static char *
read_copy(struct mp_req *r, const char *path, size_t *len, time_t *mtime)
{
	struct stat	 st;
	char		*s;
	ssize_t		 n;
	size_t		 off = 0;
	int		 fd;

	if (path == NULL || (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &st) != 0 || st.st_size <= 0 ||
	    st.st_size > (16 << 20)) {
		close(fd);
		return NULL;
	}
	s = mp_alloc(r->ctx.a, (size_t)st.st_size + 1);
	while (off < (size_t)st.st_size) {
		if ((n = read(fd, s + off, (size_t)st.st_size - off)) <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			break;
		}
		off += (size_t)n;
	}
	close(fd);
	s[off] = '\0';
	*len = off;
	*mtime = st.st_mtime;
	return s;
}

#define STALE_MARK	"<!--mp:stale-->"

/*
 * The dispatcher's fallback for MP_R_FALLBACK routes when the database
 * is unreachable: the last good copy of the page (from this responder's
 * memory, else the shared copy on disk) with a note saying when it was
 * made, and X-Status-Stale carrying the same time.  MP_ENOTFOUND when no
 * copy exists, so the 503 stands.
 */
enum mp_err
mp_status_fallback(struct mp_req *r, struct mp_resp *w)
{
	const char	*slug = fallback_slug(r);
	struct st_copy	*c;
	enum st_kind	 k;
	const char	*data = NULL, *mark;
	char		 when[64], iso[32];
	size_t		 len = 0;
	time_t		 made = 0;
	struct tm	 tm;

	if (r->route == NULL || slug == NULL)
		return MP_ENOTFOUND;
	if (strcmp(r->route->pattern, "/status") == 0)
		k = ST_K_HTML;
	else if (strcmp(r->route->pattern, "/api/v2/status.json") == 0)
		k = ST_K_STATUS;
	else if (strcmp(r->route->pattern, "/api/v2/summary.json") == 0)
		k = ST_K_SUMMARY;
	else
		return MP_ENOTFOUND;
	/*
	 * The newest copy wins: another responder may have rendered (and
	 * written to disk) a later state than the one this responder keeps
	 * in memory, for instance after staff opened an incident.
	 */
	data = read_copy(r, copy_path(r->ctx.a, r->ctx.cfg, slug, kind_ext[k]),
	    &len, &made);
	if ((c = copy_find(k, 0, slug)) != NULL &&
	    (data == NULL || c->made > made)) {
		data = c->data;
		len = c->len;
		made = c->made;
	}
	if (data == NULL)
		return MP_ENOTFOUND;
	gmtime_r(&made, &tm);
	strftime(when, sizeof(when), "%b %e, %Y %H:%M UTC", &tm);
	strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
	mp_buf_reset(&w->body);
	if (k == ST_K_HTML &&
	    (mark = memmem(data, len, STALE_MARK, strlen(STALE_MARK))) != NULL) {
		serve_copy(w, k, data, (size_t)(mark - data));
		mp_buf_printf(&w->body, "<p class=\"stale\" role=\"alert\">"
		    "We cannot refresh this page right now. It shows the status"
		    " as last updated <time datetime=\"%s\">%s</time>.</p>",
		    iso, when);
		mp_buf_add(&w->body, mark + strlen(STALE_MARK),
		    len - (size_t)(mark - data) - strlen(STALE_MARK));
	} else
		serve_copy(w, k, data, len);
	w->nh = 0;
	if (k != ST_K_HTML)
		mp_resp_header(w, "Access-Control-Allow-Origin", "*");
	mp_resp_header(w, "Cache-Control", "no-store");
	mp_resp_header(w, "X-Status-Stale", mp_strdup(r->ctx.a, iso));
	mp_warn("database down: served the copy of %s for %s from %s",
	    r->route->pattern, slug, iso);
	return MP_OK;
}
