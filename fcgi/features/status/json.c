/* The status page as Statuspage v2 JSON (the /api/v2 endpoints) and the marketing summary. */
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "features/status/extern.h"

#define CACHE_TTL_S	5

static struct json_object *
jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

/* "key": {"id","name","url","time_zone","updated_at"} */
static void
jw_page(struct mp_jw *jw, const char *key, const struct st_page *p)
{

	mp_jw_obj(jw, key);
	mp_jw_str(jw, "id", p->pid);
	mp_jw_str(jw, "name", p->name);
	mp_jw_str(jw, "url", p->url);
	mp_jw_str(jw, "time_zone", p->tz);
	mp_jw_str(jw, "updated_at", p->updated);
	mp_jw_end(jw);
}

/* "key": {"indicator","description"}; mp_st_indicator must have run. */
static void
jw_status(struct mp_jw *jw, const char *key, const struct st_page *p)
{

	mp_jw_obj(jw, key);
	mp_jw_str(jw, "indicator", p->indicator);
	mp_jw_str(jw, "description", p->description);
	mp_jw_end(jw);
}

/* One component in Statuspage's shape; groups list their members' ids. */
static void
jw_component(struct mp_jw *jw, const struct st_page *p,
    const struct st_comp *c)
{
	int	 i;

	mp_jw_obj(jw, NULL);
	mp_jw_str(jw, "id", c->pid);
	mp_jw_str(jw, "name", c->name);
	mp_jw_str(jw, "status", c->status);
	mp_jw_str(jw, "created_at", c->created);
	mp_jw_str(jw, "updated_at", c->updated);
	mp_jw_int(jw, "position", c->position);
	mp_jw_str(jw, "description", c->desc);
	mp_jw_bool(jw, "showcase", c->showcase);
	mp_jw_str(jw, "start_date", c->start_date);
	mp_jw_str(jw, "group_id", c->group_pid);
	mp_jw_str(jw, "page_id", p->pid);
	mp_jw_bool(jw, "group", c->is_group);
	mp_jw_bool(jw, "only_show_if_degraded", c->only_degraded);
	if (c->is_group) {
		mp_jw_arr(jw, "components");
		for (i = 0; i < p->nc; i++)
			if (p->c[i].group_id == c->id)
				mp_jw_str(jw, NULL, p->c[i].pid);
		mp_jw_end(jw);
	}
	mp_jw_end(jw);
}

/*
 * One update.  affected_components is the stored jsonb as PostgreSQL
 * prints it when it is an array, else null.
 */
static void
jw_update(struct mp_jw *jw, const struct st_incident *in,
    const struct st_update *u)
{

	mp_jw_obj(jw, NULL);
	mp_jw_str(jw, "id", u->pid);
	mp_jw_str(jw, "status", u->status);
	mp_jw_str(jw, "body", u->body);
	mp_jw_str(jw, "incident_id", in->pid);
	mp_jw_str(jw, "created_at", u->created);
	mp_jw_str(jw, "updated_at", u->updated);
	mp_jw_str(jw, "display_at", u->display);
	if (u->affected != NULL && u->affected[0] == '[')
		mp_jw_raw(jw, "affected_components", u->affected,
		    strlen(u->affected));
	else
		mp_jw_null(jw, "affected_components");
	mp_jw_end(jw);
}

/* An incident, or a maintenance with scheduled_for/until. */
static void
jw_incident(struct mp_jw *jw, const struct st_page *p,
    const struct st_incident *in, struct mp_req *r)
{
	int	 i;

	mp_jw_obj(jw, NULL);
	mp_jw_str(jw, "id", in->pid);
	mp_jw_str(jw, "name", in->name);
	mp_jw_str(jw, "status", in->status);
	mp_jw_str(jw, "created_at", in->created);
	mp_jw_str(jw, "updated_at", in->updated);
	mp_jw_str(jw, "monitoring_at", in->monitoring);
	mp_jw_str(jw, "resolved_at", in->resolved);
	mp_jw_str(jw, "impact", in->impact);
	mp_jw_str(jw, "shortlink", mp_printf(r->ctx.a,
	    "%s/status/incidents/%s", p->url, in->pid));
	mp_jw_str(jw, "started_at", in->started);
	mp_jw_str(jw, "page_id", p->pid);
	mp_jw_arr(jw, "incident_updates");
	for (i = 0; i < in->nu; i++)
		jw_update(jw, in, &in->u[i]);
	mp_jw_end(jw);
	mp_jw_arr(jw, "components");
	for (i = 0; i < in->ncomps; i++)
		jw_component(jw, p, in->comps[i]);
	mp_jw_end(jw);
	mp_jw_str(jw, "postmortem_body", in->pm_body);
	mp_jw_str(jw, "postmortem_body_last_updated_at", in->pm_at);
	if (strcmp(in->kind, "maintenance") == 0) {
		mp_jw_str(jw, "scheduled_for", in->sfor);
		mp_jw_str(jw, "scheduled_until", in->suntil);
	}
	mp_jw_end(jw);
}

/*
 * Start a 200 answer with its object open and the page object first
 * (every endpoint has it); json_end closes it and adds the cache header.
 */
static void
json_begin(struct mp_resp *w, struct mp_jw *jw, const struct st_page *p)
{

	mp_resp_jw_begin(w, jw, 200);
	mp_jw_obj(jw, NULL);
	jw_page(jw, "page", p);
}

static enum mp_err
json_end(struct mp_resp *w, struct mp_jw *jw)
{

	mp_st_cors(w);
	return mp_resp_jw_end(w, jw);
}

/*
 * A staff answer: status with one incident, or one component, as the
 * whole body (the JSON API's create and update routes).
 */
enum mp_err
mp_st_send_incident(struct mp_req *r, struct mp_resp *w, int status,
    const struct st_page *p, const struct st_incident *in)
{
	struct mp_jw	 jw;

	mp_resp_jw_begin(w, &jw, status);
	jw_incident(&jw, p, in, r);
	return mp_resp_jw_end(w, &jw);
}

enum mp_err
mp_st_send_component(struct mp_resp *w, int status, const struct st_page *p,
    const struct st_comp *c)
{
	struct mp_jw	 jw;

	mp_resp_jw_begin(w, &jw, status);
	jw_component(&jw, p, c);
	return mp_resp_jw_end(w, &jw);
}

/*
 * GET /api/v2/status.json: page and indicator.  The indicator needs the
 * components and the unresolved incidents.  Kept per page version like
 * the HTML page, and on disk for the outage fallback.
 */
static enum mp_err
make_status(struct mp_req *r, struct mp_resp *w)
{
	struct st_page		 p;
	struct mp_jw		 jw;
	enum mp_err		 rc;

	if ((rc = mp_st_load_overview(r, &p, "unresolved", 0)) != MP_OK)
		return rc;
	mp_st_indicator(&p);
	json_begin(w, &jw, &p);
	jw_status(&jw, "status", &p);
	json_end(w, &jw);
	mp_st_cache_put(r, ST_K_STATUS, p.version, p.next_change_s >= 0 &&
	    p.next_change_s < CACHE_TTL_S ? p.next_change_s : CACHE_TTL_S,
	    &w->body);
	return MP_OK;
}

/*
 * GET /api/v2/summary.json: page, status, every component, unresolved
 * incidents, and upcoming and active maintenance.
 */
static enum mp_err
make_summary(struct mp_req *r, struct mp_resp *w)
{
	struct st_page		 p;
	struct mp_jw		 jw;
	enum mp_err		 rc;
	int			 i, maint;

	if ((rc = mp_st_load_overview(r, &p, "summary", 0)) != MP_OK)
		return rc;
	mp_st_indicator(&p);
	json_begin(w, &jw, &p);
	jw_status(&jw, "status", &p);
	mp_jw_arr(&jw, "components");
	for (i = 0; i < p.nc; i++)
		jw_component(&jw, &p, &p.c[i]);
	mp_jw_end(&jw);
	for (maint = 0; maint <= 1; maint++) {
		mp_jw_arr(&jw, maint ? "scheduled_maintenances" : "incidents");
		for (i = 0; i < p.ninc; i++)
			if ((strcmp(p.inc[i].kind, "incident") != 0) == maint)
				jw_incident(&jw, &p, &p.inc[i], r);
		mp_jw_end(&jw);
	}
	json_end(w, &jw);
	mp_st_cache_put(r, ST_K_SUMMARY, p.version, p.next_change_s >= 0 &&
	    p.next_change_s < CACHE_TTL_S ? p.next_change_s : CACHE_TTL_S,
	    &w->body);
	return MP_OK;
}

/*
 * The two kept JSON answers: from this responder's copy when it is
 * fresh (no database round trip at all), else made in a transaction of
 * their own (the routes are MP_R_NODB).
 */
enum mp_err
mp_status_json_status(struct mp_req *r, struct mp_resp *w)
{
	enum mp_err	 rc;

	if (mp_st_cache_hit(r, ST_K_STATUS, w))
		return MP_OK;
	if ((rc = mp_st_tx(r)) != MP_OK)
		return rc;
	return mp_st_tx_end(r, make_status(r, w));
}

enum mp_err
mp_status_json_summary(struct mp_req *r, struct mp_resp *w)
{
	enum mp_err	 rc;

	if (mp_st_cache_hit(r, ST_K_SUMMARY, w))
		return MP_OK;
	if ((rc = mp_st_tx(r)) != MP_OK)
		return rc;
	return mp_st_tx_end(r, make_summary(r, w));
}

/* GET /api/v2/components.json */
enum mp_err
mp_status_json_components(struct mp_req *r, struct mp_resp *w)
{
	struct st_page		 p;
	struct mp_jw		 jw;
	enum mp_err		 rc;
	int			 i;

	if ((rc = mp_st_load_page(r, &p)) != MP_OK ||
	    (rc = mp_st_load_components(r, &p, 0)) != MP_OK)
		return rc;
	json_begin(w, &jw, &p);
	mp_jw_arr(&jw, "components");
	for (i = 0; i < p.nc; i++)
		jw_component(&jw, &p, &p.c[i]);
	mp_jw_end(&jw);
	return json_end(w, &jw);
}

/* The incident lists: which selection, under which key, how many. */
static enum mp_err
incident_list(struct mp_req *r, struct mp_resp *w, const char *mode,
    const char *key, int limit)
{
	struct st_page		 p;
	struct mp_jw		 jw;
	enum mp_err		 rc;
	int			 i;

	if ((rc = mp_st_load_page(r, &p)) != MP_OK ||
	    (rc = mp_st_load_components(r, &p, 0)) != MP_OK ||
	    (rc = mp_st_load_incidents(r, &p, mode, NULL, limit, 0)) != MP_OK)
		return rc;
	json_begin(w, &jw, &p);
	mp_jw_arr(&jw, key);
	for (i = 0; i < p.ninc; i++)
		jw_incident(&jw, &p, &p.inc[i], r);
	mp_jw_end(&jw);
	return json_end(w, &jw);
}

/* GET /api/v2/incidents.json: the 50 most recent incidents. */
enum mp_err
mp_status_json_incidents(struct mp_req *r, struct mp_resp *w)
{
	return incident_list(r, w, "incidents", "incidents", 50);
}

/* GET /api/v2/incidents/unresolved.json */
enum mp_err
mp_status_json_unresolved(struct mp_req *r, struct mp_resp *w)
{
	return incident_list(r, w, "unresolved", "incidents", 100);
}

/* GET /api/v2/scheduled-maintenances.json: the 50 most recent. */
enum mp_err
mp_status_json_maint(struct mp_req *r, struct mp_resp *w)
{
	return incident_list(r, w, "maintenance", "scheduled_maintenances",
	    50);
}

/* GET /api/v2/scheduled-maintenances/upcoming.json */
enum mp_err
mp_status_json_upcoming(struct mp_req *r, struct mp_resp *w)
{
	return incident_list(r, w, "upcoming", "scheduled_maintenances", 100);
}

/* GET /api/v2/scheduled-maintenances/active.json */
enum mp_err
mp_status_json_active(struct mp_req *r, struct mp_resp *w)
{
	return incident_list(r, w, "active", "scheduled_maintenances", 100);
}

/* "Outbound mail (SMTP)" -> "outbound_mail_smtp"; arena memory. */
static char *
service_key(struct mp_arena *a, const char *name)
{
	char	*k = mp_alloc(a, strlen(name) + 1), *o = k;
	int	 us = 0;

	for (; *name != '\0'; name++) {
		char c = *name;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (us && o != k)
				*o++ = '_';
			*o++ = c;
			us = 0;
		} else
			us = 1;
	}
	*o = '\0';
	return k;
}

/*
 * GET /api/marketing/status: the seeds' small summary for a marketing
 * site: overall status word, 90-day uptime (mean over components with
 * data), every component by key, the latest incident, and the time.
 * "database" is this very request's database round trip.
 */
enum mp_err
mp_status_marketing(struct mp_req *r, struct mp_resp *w)
{
	struct st_page		 p;
	struct json_object	*root, *svc, *last = NULL;
	struct timespec		 ts;
	struct tm		 tm;
	enum mp_err		 rc;
	char			 stamp[40];
	double			 sum = 0;
	int			 i, n = 0;
	const char		*word;

	if ((rc = mp_st_load_page(r, &p)) != MP_OK ||
	    (rc = mp_st_load_components(r, &p, 1)) != MP_OK ||
	    (rc = mp_st_load_incidents(r, &p, "unresolved", NULL, 100, 0)) !=
	    MP_OK)
		return rc;
	mp_st_indicator(&p);
	if (strcmp(p.indicator, "minor") == 0)
		word = "degraded";
	else if (strcmp(p.indicator, "none") != 0)
		word = "outage";
	else if (strcmp(p.description, "Service Under Maintenance") == 0)
		word = "maintenance";
	else
		word = "operational";
	/* The latest incident: the newest unresolved one, else the newest. */
	if (p.ninc == 0 && (rc = mp_st_load_incidents(r, &p, "incidents",
	    NULL, 1, 0)) != MP_OK)
		return rc;
	svc = json_object_new_object();
	for (i = 0; i < p.nc; i++) {
		if (p.c[i].is_group)
			continue;
		json_object_object_add(svc, service_key(r->ctx.a, p.c[i].name),
		    jstr(p.c[i].status));
		if (p.c[i].uptime >= 0) {
			sum += p.c[i].uptime;
			n++;
		}
	}
	json_object_object_add(svc, "database", jstr("operational"));
	if (p.ninc >= 1) {
		last = json_object_new_object();
		json_object_object_add(last, "id", jstr(p.inc[0].pid));
		json_object_object_add(last, "name", jstr(p.inc[0].name));
		json_object_object_add(last, "status", jstr(p.inc[0].status));
		json_object_object_add(last, "impact", jstr(p.inc[0].impact));
		json_object_object_add(last, "started_at",
		    jstr(p.inc[0].started));
		json_object_object_add(last, "resolved_at",
		    jstr(p.inc[0].resolved));
		json_object_object_add(last, "url", jstr(mp_printf(r->ctx.a,
		    "%s/status/incidents/%s", p.url, p.inc[0].pid)));
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, 24, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(stamp + strlen(stamp), sizeof(stamp) - strlen(stamp),
	    ".%03ldZ", ts.tv_nsec / 1000000);
	root = json_object_new_object();
	json_object_object_add(root, "status", jstr(word));
	if (n > 0) {
		char	 pct[16];

		mp_status_uptime_text(sum / n, pct, sizeof(pct));
		json_object_object_add(root, "uptime",
		    json_object_new_double_s(sum / n, pct));
	} else
		json_object_object_add(root, "uptime", NULL);
	json_object_object_add(root, "services", svc);
	json_object_object_add(root, "lastIncident", last);
	json_object_object_add(root, "timestamp", jstr(stamp));
	mp_resp_json(r, w, 200, root);
	json_object_put(root);
	mp_st_cors(w);
	return MP_OK;
}
