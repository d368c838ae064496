/* The status page feature's own interface, shared by the files of fcgi/features/status only. */
#ifndef MP_FEATURES_STATUS_EXTERN_H
#define MP_FEATURES_STATUS_EXTERN_H

#include <stdio.h>

#include "features/notify/notify.h"
#include "features/queue/queue.h"
#include "features/status/status.h"

#define MP_STATUS_DAYS	90

/* The status page's settings (status.c has the keys, defaults and ranges). */
struct mp_status_conf {
	char	*cache_dir;		/* last good renderings, for outages */
	int	 probe_allow_private;	/* 0/1: probes may reach private addresses */
	int	 probe_allow_http;	/* 0/1: probes may use plain http */
	char	*probe_ca_file;		/* extra CA bundle for probes, or empty */
};

extern const struct mp_confsec	 mp_status_confsec;
#define mp_status_conf(cfg) \
	((const struct mp_status_conf *)mp_config_sec((cfg), &mp_status_confsec))

/* One component's day: seconds in each counted state and with any data. */
struct mp_status_day {
	int		 major_s;
	int		 partial_s;
	int		 degraded_s;
	int		 maint_s;
	int		 observed_s;
	const char	*incidents;	/* names, "; "-separated, or NULL */
};

double	 mp_status_downtime(const struct mp_status_day *);
double	 mp_status_counted(const struct mp_status_day *);
double	 mp_status_uptime(const struct mp_status_day *, size_t);
void	 mp_status_uptime_text(double, char *, size_t);

struct st_comp {
	int64_t		 id;
	int64_t		 group_id;	/* 0: none */
	const char	*pid;
	const char	*name;
	const char	*desc;
	const char	*status;	/* effective, maintenance applied */
	const char	*group_pid;
	const char	*start_date;
	const char	*created;
	const char	*updated;
	int		 position;
	int		 is_group;
	int		 showcase;
	int		 only_degraded;
	struct mp_status_day days[MP_STATUS_DAYS];
	double		 uptime;	/* percent, -1: no data */
	double		 probe;		/* percent of good probes, -1: none */
};

struct st_update {
	int64_t		 incident_id;
	const char	*pid;
	const char	*status;
	const char	*body;
	const char	*created;
	const char	*updated;
	const char	*display;
	const char	*display_human;
	const char	*affected;	/* JSON text or NULL */
};

struct st_incident {
	int64_t		 id;
	const char	*pid;
	const char	*name;
	const char	*status;	/* effective */
	const char	*created;
	const char	*updated;
	const char	*monitoring;
	const char	*resolved;
	const char	*impact;
	const char	*started;
	const char	*pm_body;
	const char	*pm_at;
	const char	*kind;		/* incident, maintenance */
	const char	*sfor;
	const char	*suntil;
	const char	*day_human;
	const char	*sfor_human;
	const char	*suntil_human;
	struct st_update *u;
	int		 nu;
	struct st_comp	**comps;
	int		 ncomps;
};

/* Everything one rendering needs, arena memory. */
struct st_page {
	const char	*pid;
	const char	*tz;
	const char	*updated;
	const char	*first_day;	/* YYYY-MM-DD of the first bar */
	const char	**day_names;	/* of the 90 bars, "Mar  3, 2026" */
	const char	*now_iso;
	const char	*now_human;
	const char	*name;		/* the tenant's */
	const char	*url;
	int64_t		 version;
	int		 next_change_s;	/* to the next maintenance edge, or -1 */
	struct st_comp	*c;
	int		 nc;
	struct st_incident *inc;
	int		 ninc;
	int64_t		 total;		/* incidents matching, before paging */
	const char	*indicator;
	const char	*description;
	const struct mp_res *ov;	/* the overview's rows (mp_st_load_overview) */
};

/* status.c */
enum mp_err	 mp_st_load_page(struct mp_req *, struct st_page *);
enum mp_err	 mp_st_load_components(struct mp_req *, struct st_page *,
		    int with_days);
enum mp_err	 mp_st_load_incidents(struct mp_req *, struct st_page *,
		    const char *mode, const char *arg, int limit, int offset);
enum mp_err	 mp_st_load_overview(struct mp_req *, struct st_page *,
		    const char *mode, int with_days);
void		 mp_st_indicator(struct st_page *);
struct st_comp	*mp_st_comp_by_id(struct st_page *, int64_t);
struct st_comp	*mp_st_comp_by_pid(struct st_page *, const char *);
const char	*mp_st_label(const char *status);
int		 mp_st_rank(const char *status);
void		 mp_st_cors(struct mp_resp *);

/* The last good copies kept for the outage. */
enum st_kind { ST_K_HTML, ST_K_STATUS, ST_K_SUMMARY, ST_K__MAX };
int		 mp_st_cache_hit(struct mp_req *, enum st_kind, struct mp_resp *);
enum mp_err	 mp_st_tx(struct mp_req *);
enum mp_err	 mp_st_tx_end(struct mp_req *, enum mp_err);
void		 mp_st_cache_put(struct mp_req *, enum st_kind, int64_t version,
		    int ttl_s, const struct mp_buf *);

/* json.c: one incident or component as a staff route's whole answer. */
enum mp_err	 mp_st_send_incident(struct mp_req *, struct mp_resp *, int,
		    const struct st_page *, const struct st_incident *);
enum mp_err	 mp_st_send_component(struct mp_resp *, int,
		    const struct st_page *, const struct st_comp *);

/* status_probe.c */
int		 mp_status_probe_target_ok(const char *kind, const char *);
struct sockaddr;
int		 mp_status_addr_private(const struct sockaddr *);

/* status_sub.c: queue notices of an update to the subscribers. */
enum mp_err	 mp_st_notify(struct mp_ctx *, int64_t incident_id,
		    int64_t update_id);

/* The handlers: the public page, its JSON, feeds, staff side, jobs. */
extern const struct mp_field	 mp_status_history_fields[];
extern const struct mp_field	 mp_status_sub_fields[];
extern const struct mp_field	 mp_status_incident_fields[];
extern const struct mp_field	 mp_status_update_fields[];
extern const struct mp_field	 mp_status_pm_fields[];
extern const struct mp_field	 mp_status_maint_fields[];
extern const struct mp_field	 mp_status_comp_fields[];
extern const struct mp_field	 mp_status_tpl_fields[];
enum mp_err	 mp_status_page(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_incident(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_history(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_fallback(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_json_status(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_json_summary(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_json_components(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_json_incidents(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_json_unresolved(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_json_maint(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_json_upcoming(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_json_active(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_marketing(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_atom(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_rss(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_ics(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_badge(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_sub_form(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_subscribe(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_confirm_form(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_confirm(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_unsub_form(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_unsub(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_admin(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_incident_create(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_update_create(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_postmortem(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_maint_create(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_comp_create(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_comp_update(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_tpl_list(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_tpl_create(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_status_job_tick(struct mp_job *);

extern const struct mp_stmt_table mp_status_admin_st, mp_status_page_st,
		    mp_status_probe_st, mp_status_sub_st;

#endif
