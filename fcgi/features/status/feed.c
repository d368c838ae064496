/* The status page's feeds: Atom and RSS of incidents, iCalendar of maintenance, an SVG badge. */
#include <string.h>

#include <ClearSilver.h>

#include "features/status/extern.h"

#define FEED_ITEMS	50

/* The entries of a feed: incidents and maintenance, newest first. */
static enum mp_err
feed(struct mp_req *r, struct mp_resp *w, const char *tpl, const char *ctype)
{
	struct st_page	 pg;
	HDF		*hdf, *n;
	char		 name[32];
	enum mp_err	 rc;
	int		 i;

	if ((rc = mp_st_load_page(r, &pg)) != MP_OK ||
	    (rc = mp_st_load_components(r, &pg, 0)) != MP_OK ||
	    (rc = mp_st_load_incidents(r, &pg, "history", NULL, FEED_ITEMS, 0))
	    != MP_OK)
		return rc;
	hdf = mp_hdf(r);
	mp_hdf_set(hdf, "Feed.Title", mp_printf(r->ctx.a, "%s status",
	    pg.name));
	mp_hdf_set(hdf, "Feed.Origin", pg.url);
	mp_hdf_set(hdf, "Feed.PageId", pg.pid);
	mp_hdf_set(hdf, "Feed.Updated", pg.ninc > 0 ? pg.inc[0].updated :
	    pg.updated);
	mp_hdf_set(hdf, "Feed.Rfc822", pg.ninc > 0 ? pg.inc[0].day_human :
	    NULL);
	for (i = 0; i < pg.ninc; i++) {
		const struct st_incident *in = &pg.inc[i];

		snprintf(name, sizeof(name), "Items.%d", i);
		if (hdf_get_node(hdf, name, &n) != STATUS_OK)
			mp_oom();
		mp_hdf_set(n, "Id", in->pid);
		mp_hdf_set(n, "Name", in->name);
		mp_hdf_set(n, "Kind", in->kind);
		mp_hdf_set(n, "StatusLabel", mp_st_label(in->status));
		mp_hdf_set(n, "Updated", in->updated);
		mp_hdf_set(n, "Published", in->created);
		mp_hdf_set(n, "Day", in->day_human);
		if (in->nu > 0) {
			mp_hdf_set(n, "Body", in->u[0].body);
			mp_hdf_set(n, "Latest", mp_st_label(in->u[0].status));
		}
	}
	if ((rc = mp_render(r, w, 200, tpl, hdf)) != MP_OK)
		return rc;
	w->ctype = ctype;
	mp_resp_header(w, "Cache-Control", "public, max-age=60");
	return MP_OK;
}

/* GET /status/history.atom */
enum mp_err
mp_status_atom(struct mp_req *r, struct mp_resp *w)
{
	return feed(r, w, "status/feed.atom.cs",
	    "application/atom+xml; charset=utf-8");
}

/* GET /status/history.rss */
enum mp_err
mp_status_rss(struct mp_req *r, struct mp_resp *w)
{
	return feed(r, w, "status/feed.rss.cs",
	    "application/rss+xml; charset=utf-8");
}

/*
 * Append one iCalendar content line: the value escaped (RFC 5545 3.3.11:
 * backslash, semicolon, comma, newline) and folded at 75 octets without
 * splitting a UTF-8 sequence.
 */
static void
ics_line(struct mp_buf *b, const char *name, const char *v)
{
	struct mp_buf	 l;
	size_t		 i, col = 0;

	mp_buf_init(&l, 0);
	mp_buf_puts(&l, name);
	mp_buf_putc(&l, ':');
	for (; v != NULL && *v != '\0'; v++) {
		if (*v == '\\' || *v == ';' || *v == ',')
			mp_buf_putc(&l, '\\');
		if (*v == '\r')
			continue;
		if (*v == '\n')
			mp_buf_puts(&l, "\\n");
		else
			mp_buf_putc(&l, *v);
	}
	for (i = 0; i < l.len; i++) {
		if (col >= 74 && ((unsigned char)l.data[i] & 0xc0) != 0x80) {
			mp_buf_puts(b, "\r\n ");
			col = 1;
		}
		mp_buf_putc(b, l.data[i]);
		col++;
	}
	mp_buf_puts(b, "\r\n");
	mp_buf_free(&l);
}

/* "2026-03-01T14:05:09.120+01:00" as the UTC "20260301T130509Z". */
static const char *
ics_time(struct mp_req *r, const char *iso)
{
	struct tm	 tm;
	const char	*rest;
	char		 out[20];
	time_t		 t;
	int		 sign, oh = 0, om = 0;

	memset(&tm, 0, sizeof(tm));
	if (iso == NULL || (rest = strptime(iso, "%Y-%m-%dT%H:%M:%S", &tm))
	    == NULL)
		return NULL;
	while (*rest == '.' || (*rest >= '0' && *rest <= '9'))
		rest++;
	sign = *rest == '-' ? -1 : 1;
	if ((*rest == '+' || *rest == '-') &&
	    sscanf(rest + 1, "%2d:%2d", &oh, &om) != 2)
		return NULL;
	t = timegm(&tm) - sign * (oh * 3600 + om * 60);
	gmtime_r(&t, &tm);
	strftime(out, sizeof(out), "%Y%m%dT%H%M%SZ", &tm);
	return mp_strdup(r->ctx.a, out);
}

/* GET /status/maintenance.ics: every maintenance as a calendar event. */
enum mp_err
mp_status_ics(struct mp_req *r, struct mp_resp *w)
{
	struct st_page	 pg;
	struct mp_buf	*b = &w->body;
	enum mp_err	 rc;
	int		 i, j;

	if ((rc = mp_st_load_page(r, &pg)) != MP_OK ||
	    (rc = mp_st_load_components(r, &pg, 0)) != MP_OK ||
	    (rc = mp_st_load_incidents(r, &pg, "maintenance", NULL, 200, 0)) !=
	    MP_OK)
		return rc;
	mp_buf_reset(b);
	mp_buf_puts(b, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n");
	ics_line(b, "PRODID", "-//mPanel//Status page//EN");
	ics_line(b, "X-WR-CALNAME", mp_printf(r->ctx.a, "%s maintenance",
	    pg.name));
	mp_buf_puts(b, "CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n");
	for (i = 0; i < pg.ninc; i++) {
		const struct st_incident *in = &pg.inc[i];
		struct mp_buf	 d;

		mp_buf_puts(b, "BEGIN:VEVENT\r\n");
		ics_line(b, "UID", mp_printf(r->ctx.a, "%s@%s", in->pid,
		    r->ctx.tenant->slug));
		ics_line(b, "DTSTAMP", ics_time(r, in->updated));
		ics_line(b, "DTSTART", ics_time(r, in->sfor));
		ics_line(b, "DTEND", ics_time(r, in->suntil));
		ics_line(b, "SUMMARY", in->name);
		mp_buf_init(&d, 0);
		if (in->nu > 0)
			mp_buf_puts(&d, in->u[in->nu - 1].body);
		for (j = 0; j < in->ncomps; j++)
			mp_buf_printf(&d, "%s%s", j ? ", " : "\nAffects: ",
			    in->comps[j]->name);
		ics_line(b, "DESCRIPTION", mp_buf_cstr(&d));
		mp_buf_free(&d);
		ics_line(b, "URL", mp_printf(r->ctx.a, "%s/status/incidents/%s",
		    pg.url, in->pid));
		ics_line(b, "STATUS", strcmp(in->status, "completed") == 0 ?
		    "CONFIRMED" : "CONFIRMED");
		mp_buf_puts(b, "END:VEVENT\r\n");
	}
	mp_buf_puts(b, "END:VCALENDAR\r\n");
	w->status = 200;
	w->ctype = "text/calendar; charset=utf-8";
	mp_resp_header(w, "Cache-Control", "public, max-age=300");
	return MP_OK;
}

/* GET /status/badge.svg: the overall status as a small SVG badge. */
enum mp_err
mp_status_badge(struct mp_req *r, struct mp_resp *w)
{
	struct st_page	 pg;
	HDF		*hdf;
	enum mp_err	 rc;
	size_t		 len;

	if ((rc = mp_st_load_page(r, &pg)) != MP_OK ||
	    (rc = mp_st_load_components(r, &pg, 0)) != MP_OK ||
	    (rc = mp_st_load_incidents(r, &pg, "unresolved", NULL, 100, 0)) !=
	    MP_OK)
		return rc;
	mp_st_indicator(&pg);
	hdf = mp_hdf(r);
	len = strlen(pg.description);
	mp_hdf_set(hdf, "Badge.Text", pg.description);
	mp_hdf_set(hdf, "Badge.Indicator", pg.indicator);
	/* About 6.5 px per character of an 11 px sans-serif. */
	mp_hdf_setf(hdf, "Badge.TextWidth", "%zu", len * 13 / 2 + 12);
	mp_hdf_setf(hdf, "Badge.Width", "%zu", len * 13 / 2 + 12 + 50);
	mp_hdf_setf(hdf, "Badge.TextX", "%zu", 50 + (len * 13 / 2 + 12) / 2);
	if ((rc = mp_render(r, w, 200, "status/badge.svg.cs", hdf)) != MP_OK)
		return rc;
	w->ctype = "image/svg+xml";
	mp_resp_header(w, "Cache-Control", "public, max-age=60");
	return MP_OK;
}
