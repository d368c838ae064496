/* Unit tests for the status page's uptime formula, hand-computed, and the probe address rules. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "features/status/extern.h"

#define DAY	86400

static void
test_full_day_up(void **state)
{
	struct mp_status_day d = { 0, 0, 0, 0, DAY, NULL };

	(void)state;
	assert_true(mp_status_uptime(&d, 1) == 100.0);
}

/* One hour of major outage in a day: 1 - 3600/86400 = 95.8333...% */
static void
test_major_hour(void **state)
{
	struct mp_status_day d = { 3600, 0, 0, 0, DAY, NULL };
	char	 buf[16];

	(void)state;
	assert_float_equal(mp_status_uptime(&d, 1), 95.833333, 1e-5);
	mp_status_uptime_text(mp_status_uptime(&d, 1), buf, sizeof(buf));
	assert_string_equal(buf, "95.83");
}

/* An hour of partial outage counts 0.3: 1 - 1080/86400 = 98.75% */
static void
test_partial_counts_03(void **state)
{
	struct mp_status_day d = { 0, 3600, 0, 0, DAY, NULL };

	(void)state;
	assert_float_equal(mp_status_downtime(&d), 1080.0, 1e-9);
	assert_float_equal(mp_status_uptime(&d, 1), 98.75, 1e-9);
}

/* Degraded performance is not downtime. */
static void
test_degraded_free(void **state)
{
	struct mp_status_day d = { 0, 0, 7200, 0, DAY, NULL };

	(void)state;
	assert_true(mp_status_uptime(&d, 1) == 100.0);
}

/*
 * Maintenance counts not at all: an hour of maintenance and an hour of
 * major outage leave 82800 counted seconds, 3600 of them down:
 * 1 - 3600/82800 = 95.652173...%
 */
static void
test_maintenance_excluded(void **state)
{
	struct mp_status_day d = { 3600, 0, 0, 3600, DAY, NULL };
	struct mp_status_day m = { 0, 0, 0, DAY, DAY, NULL };

	(void)state;
	assert_float_equal(mp_status_uptime(&d, 1), 95.652174, 1e-5);
	/* A day of nothing but maintenance has no counted time. */
	assert_true(mp_status_uptime(&m, 1) == -1);
}

/*
 * A day with no data is left out: days {up, no data, 2 h partial} give
 * 2160 s down of 172800 counted: 98.75%.
 */
static void
test_no_data_day(void **state)
{
	struct mp_status_day d[3] = {
		{ 0, 0, 0, 0, DAY, NULL },
		{ 0, 0, 0, 0, 0, NULL },
		{ 0, 7200, 0, 0, DAY, NULL },
	};
	char	 buf[16];

	(void)state;
	assert_float_equal(mp_status_uptime(d, 3), 98.75, 1e-9);
	assert_true(mp_status_uptime(&d[1], 1) == -1);
	mp_status_uptime_text(-1, buf, sizeof(buf));
	assert_string_equal(buf, "no data");
}

/* A part day (today, or the day a component started) counts what it had. */
static void
test_partial_day(void **state)
{
	struct mp_status_day d = { 600, 0, 0, 0, 43200, NULL };

	(void)state;
	assert_float_equal(mp_status_uptime(&d, 1), 100.0 * (1 - 600.0 /
	    43200.0), 1e-9);
}

/* Truncated, so any downtime never shows as 100.00. */
static void
test_text_truncates(void **state)
{
	struct mp_status_day d[90];
	char	 buf[16];
	int	 i;

	(void)state;
	for (i = 0; i < 90; i++) {
		memset(&d[i], 0, sizeof(d[i]));
		d[i].observed_s = DAY;
	}
	d[10].major_s = 60;	/* one minute in 90 days: 99.99922...% */
	mp_status_uptime_text(mp_status_uptime(d, 90), buf, sizeof(buf));
	assert_string_equal(buf, "99.99");
	d[10].major_s = 0;
	mp_status_uptime_text(mp_status_uptime(d, 90), buf, sizeof(buf));
	assert_string_equal(buf, "100.00");
	d[10].major_s = DAY * 2;	/* more down than counted: floor 0 */
	d[10].observed_s = DAY;
	assert_true(mp_status_uptime(&d[10], 1) == 0);
}

static int
v4_private(const char *s)
{
	struct sockaddr_in	 sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, s, &sin.sin_addr);
	return mp_status_addr_private((struct sockaddr *)&sin);
}

static int
v6_private(const char *s)
{
	struct sockaddr_in6	 sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin6_family = AF_INET6;
	inet_pton(AF_INET6, s, &sin.sin6_addr);
	return mp_status_addr_private((struct sockaddr *)&sin);
}

static void
test_probe_addresses(void **state)
{
	(void)state;
	assert_true(v4_private("127.0.0.1"));
	assert_true(v4_private("10.1.2.3"));
	assert_true(v4_private("172.16.0.1"));
	assert_true(v4_private("172.31.255.255"));
	assert_false(v4_private("172.32.0.1"));
	assert_true(v4_private("192.168.1.1"));
	assert_true(v4_private("169.254.169.254"));
	assert_true(v4_private("100.64.0.1"));
	assert_false(v4_private("100.128.0.1"));
	assert_true(v4_private("0.0.0.0"));
	assert_true(v4_private("224.0.0.1"));
	assert_false(v4_private("93.184.216.34"));
	assert_true(v6_private("::1"));
	assert_true(v6_private("fe80::1"));
	assert_true(v6_private("fd00::1"));
	assert_true(v6_private("::ffff:127.0.0.1"));
	assert_false(v6_private("2001:db8::1"));
}

static void
test_probe_targets(void **state)
{
	(void)state;
	assert_int_equal(mp_status_probe_target_ok("http",
	    "https://example.com/health"), 0);
	assert_int_equal(mp_status_probe_target_ok("http", "ftp://x/"), -1);
	assert_int_equal(mp_status_probe_target_ok("http",
	    "https://exa mple.com/"), -1);
	assert_int_equal(mp_status_probe_target_ok("tcp", "mail.example:25"),
	    0);
	assert_int_equal(mp_status_probe_target_ok("tcp", "mail.example:0"),
	    -1);
	assert_int_equal(mp_status_probe_target_ok("tcp",
	    "mail.example:65535"), 0);
	assert_int_equal(mp_status_probe_target_ok("tcp",
	    "mail.example:65536"), -1);
	assert_int_equal(mp_status_probe_target_ok("tcp", "mail.example"), -1);
	assert_int_equal(mp_status_probe_target_ok("tcp", "a/b:80"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_day_up),
		cmocka_unit_test(test_major_hour),
		cmocka_unit_test(test_partial_counts_03),
		cmocka_unit_test(test_degraded_free),
		cmocka_unit_test(test_maintenance_excluded),
		cmocka_unit_test(test_no_data_day),
		cmocka_unit_test(test_partial_day),
		cmocka_unit_test(test_text_truncates),
		cmocka_unit_test(test_probe_addresses),
		cmocka_unit_test(test_probe_targets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
