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

/* {"id","name","url","time_zone","updated_at"}; the caller owns it. */
struct json_object *
mp_st_json_page(struct mp_req *r, const struct st_page *p)
{
	struct json_object	*o = json_object_new_object();

	(void)r;
	json_object_object_add(o, "id", jstr(p->pid));
	json_object_object_add(o, "name", jstr(p->name));
	json_object_object_add(o, "url", jstr(p->url));
	json_object_object_add(o, "time_zone", jstr(p->tz));
	json_object_object_add(o, "updated_at", jstr(p->updated));
	return o;
}

/* {"indicator","description"}; mp_st_indicator must have run. */
struct json_object *
mp_st_json_status(const struct st_page *p)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "indicator", jstr(p->indicator));
	json_object_object_add(o, "description", jstr(p->description));
	return o;
}

/* One component in Statuspage's shape; groups list their members' ids. */
struct json_object *
mp_st_json_component(const struct st_page *p, const struct st_comp *c)
{
	struct json_object	*o = json_object_new_object(), *a;
	int			 i;

	json_object_object_add(o, "id", jstr(c->pid));
	json_object_object_add(o, "name", jstr(c->name));
	json_object_object_add(o, "status", jstr(c->status));
	json_object_object_add(o, "created_at", jstr(c->created));
	json_object_object_add(o, "updated_at", jstr(c->updated));
	json_object_object_add(o, "position",
	    json_object_new_int(c->position));
	json_object_object_add(o, "description", jstr(c->desc));
	json_object_object_add(o, "showcase",
	    json_object_new_boolean(c->showcase));
	json_object_object_add(o, "start_date", jstr(c->start_date));
	json_object_object_add(o, "group_id", jstr(c->group_pid));
	json_object_object_add(o, "page_id", jstr(p->pid));
	json_object_object_add(o, "group",
	    json_object_new_boolean(c->is_group));
	json_object_object_add(o, "only_show_if_degraded",
	    json_object_new_boolean(c->only_degraded));
	if (c->is_group) {
		a = json_object_new_array();
		for (i = 0; i < p->nc; i++)
			if (p->c[i].group_id == c->id)
				json_object_array_add(a, jstr(p->c[i].pid));
		json_object_object_add(o, "components", a);
	}
	return o;
}

/* One update; affected_components is the stored JSON or null. */
static struct json_object *
json_update(const struct st_incident *in, const struct st_update *u)
{
	struct json_object	*o = json_object_new_object(), *aff = NULL;

	json_object_object_add(o, "id", jstr(u->pid));
	json_object_object_add(o, "status", jstr(u->status));
	json_object_object_add(o, "body", jstr(u->body));
	json_object_object_add(o, "incident_id", jstr(in->pid));
	json_object_object_add(o, "created_at", jstr(u->created));
	json_object_object_add(o, "updated_at", jstr(u->updated));
	json_object_object_add(o, "display_at", jstr(u->display));
	if (u->affected != NULL)
		aff = json_tokener_parse(u->affected);
	if (aff != NULL && !json_object_is_type(aff, json_type_array)) {
		json_object_put(aff);
		aff = NULL;
	}
	json_object_object_add(o, "affected_components", aff);
	return o;
}

/* An incident, or a maintenance with scheduled_for/until. */
struct json_object *
mp_st_json_incident(const struct st_page *p, const struct st_incident *in,
    struct mp_req *r)
{
	struct json_object	*o = json_object_new_object(), *a;
	int			 i;

	json_object_object_add(o, "id", jstr(in->pid));
	json_object_object_add(o, "name", jstr(in->name));
	json_object_object_add(o, "status", jstr(in->status));
	json_object_object_add(o, "created_at", jstr(in->created));
	json_object_object_add(o, "updated_at", jstr(in->updated));
	json_object_object_add(o, "monitoring_at", jstr(in->monitoring));
	json_object_object_add(o, "resolved_at", jstr(in->resolved));
	json_object_object_add(o, "impact", jstr(in->impact));
	json_object_object_add(o, "shortlink", jstr(mp_printf(r->ctx.a,
	    "%s/status/incidents/%s", p->url, in->pid)));
	json_object_object_add(o, "started_at", jstr(in->started));
	json_object_object_add(o, "page_id", jstr(p->pid));
	a = json_object_new_array();
	for (i = 0; i < in->nu; i++)
		json_object_array_add(a, json_update(in, &in->u[i]));
	json_object_object_add(o, "incident_updates", a);
	a = json_object_new_array();
	for (i = 0; i < in->ncomps; i++)
		json_object_array_add(a, mp_st_json_component(p,
		    in->comps[i]));
	json_object_object_add(o, "components", a);
	json_object_object_add(o, "postmortem_body", jstr(in->pm_body));
	json_object_object_add(o, "postmortem_body_last_updated_at",
	    jstr(in->pm_at));
	if (strcmp(in->kind, "maintenance") == 0) {
		json_object_object_add(o, "scheduled_for", jstr(in->sfor));
		json_object_object_add(o, "scheduled_until",
		    jstr(in->suntil));
	}
	return o;
}

/* Send root as the body (CORS and cache headers too) and free it. */
static enum mp_err
send_json(struct mp_req *r, struct mp_resp *w, struct json_object *root)
{
	mp_resp_json(r, w, 200, root);
	json_object_put(root);
	mp_st_cors(w);
	return MP_OK;
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
	struct json_object	*root;
	enum mp_err		 rc;

	if ((rc = mp_st_load_overview(r, &p, "unresolved", 0)) != MP_OK)
		return rc;
	mp_st_indicator(&p);
	root = json_object_new_object();
	json_object_object_add(root, "page", mp_st_json_page(r, &p));
	json_object_object_add(root, "status", mp_st_json_status(&p));
	send_json(r, w, root);
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
	struct json_object	*root, *comps, *incs, *maint;
	enum mp_err		 rc;
	int			 i;

	if ((rc = mp_st_load_overview(r, &p, "summary", 0)) != MP_OK)
		return rc;
	mp_st_indicator(&p);
	root = json_object_new_object();
	json_object_object_add(root, "page", mp_st_json_page(r, &p));
	json_object_object_add(root, "status", mp_st_json_status(&p));
	comps = json_object_new_array();
	for (i = 0; i < p.nc; i++)
		json_object_array_add(comps, mp_st_json_component(&p,
		    &p.c[i]));
	json_object_object_add(root, "components", comps);
	incs = json_object_new_array();
	maint = json_object_new_array();
	for (i = 0; i < p.ninc; i++)
		json_object_array_add(strcmp(p.inc[i].kind, "incident") == 0 ?
		    incs : maint, mp_st_json_incident(&p, &p.inc[i], r));
	json_object_object_add(root, "incidents", incs);
	json_object_object_add(root, "scheduled_maintenances", maint);
	send_json(r, w, root);
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
	struct json_object	*root, *comps;
	enum mp_err		 rc;
	int			 i;

	if ((rc = mp_st_load_page(r, &p)) != MP_OK ||
	    (rc = mp_st_load_components(r, &p, 0)) != MP_OK)
		return rc;
	root = json_object_new_object();
	json_object_object_add(root, "page", mp_st_json_page(r, &p));
	comps = json_object_new_array();
	for (i = 0; i < p.nc; i++)
		json_object_array_add(comps, mp_st_json_component(&p,
		    &p.c[i]));
	json_object_object_add(root, "components", comps);
	return send_json(r, w, root);
}

/* The incident lists: which selection, under which key, how many. */
static enum mp_err
incident_list(struct mp_req *r, struct mp_resp *w, const char *mode,
    const char *key, int limit)
{
	struct st_page		 p;
	struct json_object	*root, *a;
	enum mp_err		 rc;
	int			 i;

	if ((rc = mp_st_load_page(r, &p)) != MP_OK ||
	    (rc = mp_st_load_components(r, &p, 0)) != MP_OK ||
	    (rc = mp_st_load_incidents(r, &p, mode, NULL, limit, 0)) != MP_OK)
		return rc;
	root = json_object_new_object();
	json_object_object_add(root, "page", mp_st_json_page(r, &p));
	a = json_object_new_array();
	for (i = 0; i < p.ninc; i++)
		json_object_array_add(a, mp_st_json_incident(&p, &p.inc[i], r));
	json_object_object_add(root, key, a);
	return send_json(r, w, root);
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
	return send_json(r, w, root);
}
