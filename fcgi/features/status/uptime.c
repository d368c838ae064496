/* The status page's uptime arithmetic: downtime per day and the uptime percentage. */
#include "features/status/extern.h"

/*
 * Seconds of downtime in one day, as Statuspage counts them: every
 * second of major outage, 0.3 of every second of partial outage.
 * Degraded performance and maintenance do not count.
 */
double
mp_status_downtime(const struct mp_status_day *d)
{
	return (double)d->major_s + 0.3 * (double)d->partial_s;
}

/*
 * Seconds of a day that count towards uptime: the time the component
 * had a status at all, less its time under maintenance (which counts
 * neither as up nor as down).  0 for a day without data.
 */
double
mp_status_counted(const struct mp_status_day *d)
{
	double	 c = (double)d->observed_s - (double)d->maint_s;

	return c > 0 ? c : 0;
}

/*
 * Uptime in percent over n days: 100 * (1 - downtime / counted time),
 * summed over the days.  Days without data are left out; -1 when no day
 * has data.
 */
double
mp_status_uptime(const struct mp_status_day *d, size_t n)
{
	double	 down = 0, counted = 0, u;
	size_t	 i;

	for (i = 0; i < n; i++) {
		down += mp_status_downtime(&d[i]);
		counted += mp_status_counted(&d[i]);
	}
	if (counted <= 0)
		return -1;
	u = 100.0 * (1.0 - down / counted);
	return u < 0 ? 0 : u;
}

/*
 * The figure as shown: two decimals, truncated rather than rounded so
 * that a day with any downtime never shows 100.00.  Into buf (>= 8).
 */
void
mp_status_uptime_text(double u, char *buf, size_t sz)
{
	long	 h;

	if (u < 0) {
		snprintf(buf, sz, "no data");
		return;
	}
	h = (long)(u * 100.0 + 1e-9);
	snprintf(buf, sz, "%ld.%02ld", h / 100, h % 100);
}
