/* Unit tests for config parsing, ranges, environment, and the log format. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "features/feature.h"
#include "features/accounts/extern.h"
#include "features/kb/extern.h"
#include "features/notify/extern.h"
#include "features/status/extern.h"

static void
test_defaults(void **state)
{
	struct mp_config	*c;
	char			 err[256] = "";

	assert_int_equal(mp_config_load(&c, NULL, err, sizeof(err)), MP_OK);
	assert_string_equal(c->listen, "unix:var/run/mpanel.sock");
	assert_int_equal(c->listen_mode, 0660);
	assert_int_equal(c->listen_backlog, 128);
	assert_int_equal(c->workers, 4);
	assert_int_equal(c->max_requests, 10000);
	assert_int_equal(c->request_timeout, 30);
	assert_int_equal(c->shutdown_timeout, 10);
	assert_string_equal(c->database_url, "dbname=mpanel");
	assert_string_equal(c->admin_database_url, "");
	/* Installed data, wherever the process runs: never cwd-relative. */
	assert_true(MP_DATADIR[0] == '/');
	assert_string_equal(c->templates_dir, MP_DATADIR "/templates");
	assert_string_equal(c->static_dir, MP_DATADIR "/static");
	assert_string_equal(c->brand_dir, "var/brand");
	assert_string_equal(c->sql_dir, MP_DATADIR "/sql");
	assert_string_equal(c->base_domain, "localhost");
	assert_string_equal(c->public_origin, "");
	assert_string_equal(c->log_file, "");
	assert_string_equal(c->access_log, "");
	assert_string_equal(c->log_level, "info");
	assert_string_equal(c->pid_file, "");
	assert_int_equal(c->max_body, 1048576);
	assert_int_equal(c->max_fields, 256);
	assert_int_equal(c->max_field_len, 65536);
	assert_int_equal(c->max_path, 2048);
	assert_int_equal(c->max_json_depth, 32);
	assert_int_equal(c->tenant_cache_ttl, 10);
	assert_int_equal(mp_kb_conf(c)->kb_count_flush, 1);
	assert_int_equal(mp_kb_conf(c)->kb_stats_days, 400);
	assert_int_equal(c->db_connect_timeout, 3);
	assert_int_equal(c->statement_timeout, 5000);
	assert_string_equal(mp_notify_conf(c)->smtp_url, "");
	assert_string_equal(mp_notify_conf(c)->smtp_from, "");
	assert_string_equal(mp_notify_conf(c)->sms_base_url, "");
	assert_string_equal(mp_status_conf(c)->cache_dir, "var/cache");
	assert_int_equal(mp_status_conf(c)->probe_allow_private, 0);
	assert_int_equal(mp_status_conf(c)->probe_allow_http, 0);
	assert_string_equal(mp_status_conf(c)->probe_ca_file, "");
	assert_int_equal(c->worker_concurrency, 4);
	assert_string_equal(mp_notify_conf(c)->smtp_user, "");
	assert_string_equal(mp_notify_conf(c)->smtp_password, "");
	assert_int_equal(mp_notify_conf(c)->smtp_starttls, 1);
	assert_string_equal(mp_notify_conf(c)->smtp_ca_file, "");
	assert_int_equal(mp_notify_conf(c)->smtp_timeout, 30);
	assert_string_equal(mp_notify_conf(c)->sms_account_sid, "");
	assert_string_equal(mp_notify_conf(c)->sms_auth_token, "");
	assert_string_equal(mp_notify_conf(c)->sms_from, "");
	assert_int_equal(mp_queue_conf(c)->email_retry_base, 30);
	assert_int_equal(mp_queue_conf(c)->email_retry_cap, 14400);
	assert_int_equal(mp_queue_conf(c)->email_max_attempts, 12);
	assert_int_equal(mp_queue_conf(c)->sms_retry_base, 30);
	assert_int_equal(mp_queue_conf(c)->sms_retry_cap, 1800);
	assert_int_equal(mp_queue_conf(c)->sms_max_attempts, 8);
	assert_int_equal(c->job_lease, 120);
	assert_int_equal(c->job_batch, 10);
	assert_int_equal(mp_notify_conf(c)->sender_pause, 300);
	assert_int_equal(c->test_routes, 0);
	assert_string_equal(c->passwords_file,
	    MP_DATADIR "/data/common-passwords.txt");
	assert_int_equal(mp_accounts_conf(c)->session_idle_staff, 1800);
	assert_int_equal(mp_accounts_conf(c)->session_absolute_staff, 43200);
	assert_int_equal(mp_accounts_conf(c)->session_idle_customer, 604800);
	assert_int_equal(mp_accounts_conf(c)->session_absolute_customer, 604800);
	assert_int_equal(mp_accounts_conf(c)->login_max_failures, 10);
	assert_int_equal(mp_accounts_conf(c)->login_window, 900);
	mp_config_free(c);
}

/* Parse text over fresh defaults; returns the code, message in err. */
static enum mp_err
parse(const char *text, struct mp_config *c, char *err, size_t errsz)
{

	mp_config_defaults(c);
	err[0] = '\0';
	return mp_config_parse(c, text, "t.conf", err, errsz);
}

static void
release(struct mp_config *c)
{
	struct mp_config	*h;

	/* mp_config_free wants a heap struct; move the strings into one. */
	if ((h = malloc(sizeof(*h))) == NULL)
		abort();
	*h = *c;
	mp_config_free(h);
}

static void
test_syntax(void **state)
{
	struct mp_config	 c;
	char			 err[256];

	assert_int_equal(parse(
	    "# comment\n"
	    "\n"
	    "   workers   =   8   \n"
	    "\t# indented comment\n"
	    "database_url = \"host=db dbname=x password=a#b\"\n"
	    "public_origin=https://example.test:8443\r\n"
	    "smtp_from = \"\"\n"
	    "max_body = 2m\n"
	    "max_field_len = 64k\n"
	    "max_path = 100\n"
	    "listen_mode = 0600\n"
	    "listen = 127.0.0.1:9000", &c, err, sizeof(err)), MP_OK);
	assert_int_equal(c.workers, 8);
	assert_string_equal(c.database_url, "host=db dbname=x password=a#b");
	assert_string_equal(c.public_origin, "https://example.test:8443");
	assert_string_equal(mp_notify_conf(&c)->smtp_from, "");
	assert_int_equal(c.max_body, 2 * 1024 * 1024);
	assert_int_equal(c.max_field_len, 64 * 1024);
	assert_int_equal(c.max_path, 100);
	assert_int_equal(c.listen_mode, 0600);
	assert_string_equal(c.listen, "127.0.0.1:9000");
	release(&c);
}

struct bad {
	const char	*text;
	const char	*msg;
};

static void
test_errors(void **state)
{
	static const struct bad bad[] = {
		{ "nosuchkey = 1\n", "t.conf:1: unknown key \"nosuchkey\"" },
		{ "\n\nworkers 4\n", "t.conf:3: expected" },
		{ "workers = four\n", "t.conf:1: workers is not a number" },
		{ "workers = 4x\n", "t.conf:1: workers" },
		{ "workers =\n", "t.conf:1: workers" },
		{ "workers = 0\n",
		    "t.conf:1: workers must be between 1 and 256" },
		{ "workers = 257\n",
		    "t.conf:1: workers must be between 1 and 256" },
		{ "workers = 99999999999999999999\n", "t.conf:1: workers" },
		{ "max_body = 1g\n", "t.conf:1: max_body" },
		{ "max_body = 0\n", "t.conf:1: max_body" },
		{ "max_body = 1025m\n", "t.conf:1: max_body" },
		{ "max_body = -1\n", "t.conf:1: max_body" },
		{ "listen_mode = 0778\n",
		    "t.conf:1: listen_mode is not an octal" },
		{ "listen_mode = 01000\n",
		    "t.conf:1: listen_mode must be between" },
		{ "log_level = verbose\n",
		    "t.conf:1: log_level must be one of" },
		{ "listen = unix:\n", "t.conf:1: listen" },
		{ "max_json_depth = 1001\n", "t.conf:1: max_json_depth" },
		{ "path = /etc/x\n", "t.conf:1: unknown key \"path\"" },
	};
	struct mp_config	 c;
	char			 err[256];
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i].text, &c, err, sizeof(err)) != MP_EINPUT)
			fail_msg("accepted: %s", bad[i].text);
		if (strncmp(err, bad[i].msg, strlen(bad[i].msg)) != 0)
			fail_msg("%s: got \"%s\"", bad[i].text, err);
		release(&c);
	}
}

/* Every bound: exactly at the limit passes. */
/* Scaling out: the pooler mode, the replica's lag bound, the URLs. */
static void
test_scaling_keys(void)
{
	struct mp_config	 c;
	char			 err[256];

	assert_int_equal(parse("", &c, err, sizeof(err)), MP_OK);
	assert_string_equal(c.db_pooler, "none");
	assert_int_equal(mp_config_pooled(&c), 0);
	assert_int_equal(c.replica_max_lag, 5000);
	assert_string_equal(c.replica_database_url, "");
	assert_string_equal(c.listen_database_url, "");
	release(&c);
	assert_int_equal(parse("db_pooler = transaction\n"
	    "replica_max_lag = 0\nreplica_database_url = host=r dbname=m\n"
	    "listen_database_url = host=/run dbname=m", &c, err,
	    sizeof(err)), MP_OK);
	assert_int_equal(mp_config_pooled(&c), 1);
	assert_int_equal(c.replica_max_lag, 0);
	assert_string_equal(c.replica_database_url, "host=r dbname=m");
	assert_string_equal(c.listen_database_url, "host=/run dbname=m");
	release(&c);
	assert_int_equal(parse("replica_max_lag = 3600000", &c, err,
	    sizeof(err)), MP_OK);
	release(&c);
	assert_int_equal(parse("replica_max_lag = 3600001", &c, err,
	    sizeof(err)), MP_EINPUT);
	release(&c);
	assert_int_equal(parse("replica_max_lag = -1", &c, err, sizeof(err)),
	    MP_EINPUT);
	release(&c);
	assert_int_equal(parse("db_pooler = session", &c, err, sizeof(err)),
	    MP_EINPUT);
	assert_non_null(strstr(err, "db_pooler must be none or transaction"));
	release(&c);
}

/* The queue's keys: URL schemes, E.164 sender, attempts and batch sizes. */
static void
test_queue_bounds(void)
{
	static const char *const good[] = {
		"smtp_url = smtp://relay:587", "smtp_url = smtps://relay:465",
		"smtp_url =", "sms_base_url = https://api.twilio.com",
		"sms_base_url = http://127.0.0.1:9", "sms_from = +1234567",
		"sms_from = +123456789012345", "sms_from =",
		"email_max_attempts = 1", "email_max_attempts = 100",
		"job_batch = 1", "job_batch = 100", "job_lease = 10",
		"smtp_starttls = 0", "smtp_timeout = 600",
	};
	static const char *const bad[] = {
		"smtp_url = http://relay", "smtp_url = relay:25",
		"sms_base_url = ftp://x", "sms_from = +123456",
		"sms_from = +1234567890123456", "sms_from = 15551234567",
		"sms_from = +1555123456x", "email_max_attempts = 0",
		"email_max_attempts = 101", "job_batch = 0", "job_batch = 101",
		"job_lease = 9", "smtp_starttls = 2", "smtp_timeout = 0",
	};
	struct mp_config	 c;
	char			 err[256];
	size_t			 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (parse(good[i], &c, err, sizeof(err)) != MP_OK)
			fail_msg("rejected %s: %s", good[i], err);
		release(&c);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], &c, err, sizeof(err)) != MP_EINPUT)
			fail_msg("accepted %s", bad[i]);
		release(&c);
	}
}

static void
test_bounds(void **state)
{
	static const char *const good[] = {
		"workers = 1", "workers = 256", "listen_mode = 0",
		"listen_mode = 777",
		"max_body = 1", "max_body = 1024m", "request_timeout = 0",
		"worker_concurrency = 256", "max_json_depth = 1",
		"max_json_depth = 1000", "statement_timeout = 0",
		"max_path = 65536", "max_fields = 1", "test_routes = 1",
		"test_routes = 0", "session_idle_staff = 60",
	};
	struct mp_config	 c;
	char			 err[256];
	size_t			 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (parse(good[i], &c, err, sizeof(err)) != MP_OK)
			fail_msg("rejected %s: %s", good[i], err);
		release(&c);
	}
	assert_int_equal(parse("max_path = 65537", &c, err, sizeof(err)),
	    MP_EINPUT);
	release(&c);
	assert_int_equal(parse("worker_concurrency = 257", &c, err,
	    sizeof(err)), MP_EINPUT);
	release(&c);
	assert_int_equal(parse("test_routes = 2", &c, err, sizeof(err)),
	    MP_EINPUT);
	release(&c);
	assert_int_equal(parse("session_idle_staff = 59", &c, err,
	    sizeof(err)), MP_EINPUT);
	release(&c);
	assert_int_equal(parse("passwords_file = /usr/share/x.txt", &c, err,
	    sizeof(err)), MP_OK);
	assert_string_equal(c.passwords_file, "/usr/share/x.txt");
	release(&c);
	test_queue_bounds();
	test_scaling_keys();
}

static void
test_file_and_env(void **state)
{
	struct mp_config	*c;
	char			 path[] = "/tmp/mpcfgXXXXXX", err[256];
	FILE			*f;
	int			 fd;

	assert_true((fd = mkstemp(path)) != -1);
	assert_non_null(f = fdopen(fd, "w"));
	fputs("workers = 2\nbase_domain = example.test\n", f);
	fclose(f);

	assert_int_equal(mp_config_load(&c, path, err, sizeof(err)), MP_OK);
	assert_int_equal(c->workers, 2);
	assert_string_equal(c->base_domain, "example.test");
	assert_string_equal(c->path, path);
	mp_config_free(c);

	setenv("MPANEL_WORKERS", "16", 1);
	setenv("MPANEL_MAX_BODY", "3k", 1);
	setenv("MPANEL_BASE_DOMAIN", "env.test", 1);
	assert_int_equal(mp_config_load(&c, path, err, sizeof(err)), MP_OK);
	assert_int_equal(c->workers, 16);
	assert_int_equal(c->max_body, 3072);
	assert_string_equal(c->base_domain, "env.test");
	mp_config_free(c);

	setenv("MPANEL_WORKERS", "0", 1);
	c = (struct mp_config *)1;
	assert_int_equal(mp_config_load(&c, path, err, sizeof(err)),
	    MP_EINPUT);
	assert_null(c);
	assert_non_null(strstr(err, "MPANEL_WORKERS"));
	unsetenv("MPANEL_WORKERS");
	unsetenv("MPANEL_MAX_BODY");
	unsetenv("MPANEL_BASE_DOMAIN");

	f = fopen(path, "w");
	fputs("workers = 2\n\nbogus = 1\n", f);
	fclose(f);
	assert_int_equal(mp_config_load(&c, path, err, sizeof(err)),
	    MP_EINPUT);
	assert_null(c);
	assert_non_null(strstr(err, ":3: unknown key \"bogus\""));
	assert_int_equal(strncmp(err, path, strlen(path)), 0);
	unlink(path);

	assert_int_equal(mp_config_load(&c, "/nonexistent/mpanel.conf", err,
	    sizeof(err)), MP_EINPUT);
	assert_non_null(strstr(err, "/nonexistent/mpanel.conf"));
}

static char *
slurp(const char *path)
{
	static char	 buf[8192];
	FILE		*f;
	size_t		 n;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The log line format, level filter, escaping and reopen after rotation. */
static void
test_log(void **state)
{
	char	 dir[] = "/tmp/mplogXXXXXX", file[128], acc[128], moved[128];
	char	*s, *line;

	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/event.log", dir);
	snprintf(acc, sizeof(acc), "%s/access.log", dir);
	snprintf(moved, sizeof(moved), "%s/event.log.1", dir);
	mp_log_open("mpanel-test", file, acc, "warn");
	mp_info("not shown");
	mp_log_set_reqid("abc123");
	mp_warn("shown %d", 1);
	mp_error("evil\nlevel=error forged");
	mp_log_set_reqid(NULL);
	mp_access("GET / 200");
	assert_non_null(s = slurp(file));
	assert_null(strstr(s, "not shown"));
	assert_non_null(line = strstr(s, " level=warn prog=mpanel-test pid="));
	assert_non_null(strstr(s, " req=abc123 shown 1\n"));
	/* 2026-11-21T10:00:00.123Z */
	assert_int_equal(s[4], '-');
	assert_int_equal(s[10], 'T');
	assert_int_equal(s[19], '.');
	assert_int_equal(s[23], 'Z');
	assert_non_null(strstr(s, "evil\\x0alevel=error forged\n"));
	assert_non_null(s = slurp(acc));
	assert_non_null(strstr(s, " req=- GET / 200\n"));
	assert_null(strstr(s, "level="));

	assert_int_equal(rename(file, moved), 0);
	mp_log_reopen();
	mp_error("after rotation");
	assert_non_null(s = slurp(file));
	assert_non_null(strstr(s, "after rotation"));
	mp_log_open("mpanel-test", NULL, NULL, "info");
	unlink(file);
	unlink(moved);
	unlink(acc);
	rmdir(dir);
}

/*
 * Tripwire: a field added to struct mp_config needs its key, type, range
 * and default in keys[] of config.c (and a line in test_defaults); then
 * update the size here.
 */
static void
test_every_field_has_a_key(void **state)
{

	assert_int_equal(sizeof(struct mp_config), 272);
}

/*
 * A feature's keys live in its own section: parsed, range-checked and
 * overridden from the environment like the core's, named in errors, and
 * invisible to the core struct.
 */
static void
test_feature_sections(void **state)
{
	struct mp_config	 c;
	struct mp_config	*h;
	char			 err[256];

	(void)state;
	assert_int_equal(parse("kb_stats_days = 31\nsmtp_timeout = 600\n"
	    "session_idle_staff = 60\nprobe_allow_http = 1\n"
	    "email_max_attempts = 100\n", &c, err, sizeof(err)), MP_OK);
	assert_int_equal(mp_kb_conf(&c)->kb_stats_days, 31);
	assert_int_equal(mp_notify_conf(&c)->smtp_timeout, 600);
	assert_int_equal(mp_accounts_conf(&c)->session_idle_staff, 60);
	assert_int_equal(mp_status_conf(&c)->probe_allow_http, 1);
	assert_int_equal(mp_queue_conf(&c)->email_max_attempts, 100);
	release(&c);
	assert_int_equal(parse("kb_stats_days = 30", &c, err, sizeof(err)),
	    MP_EINPUT);
	assert_string_equal(err,
	    "t.conf:1: kb_stats_days must be between 31 and 36500");
	release(&c);
	assert_int_equal(parse("smtp_url = ftp://relay", &c, err,
	    sizeof(err)), MP_EINPUT);
	assert_non_null(strstr(err, "smtp_url must be empty or start with"));
	release(&c);
	setenv("MPANEL_KB_COUNT_FLUSH", "7", 1);
	assert_int_equal(mp_config_load(&h, NULL, err, sizeof(err)), MP_OK);
	assert_int_equal(mp_kb_conf(h)->kb_count_flush, 7);
	mp_config_free(h);
	setenv("MPANEL_KB_COUNT_FLUSH", "3601", 1);
	assert_int_equal(mp_config_load(&h, NULL, err, sizeof(err)),
	    MP_EINPUT);
	assert_non_null(strstr(err, "MPANEL_KB_COUNT_FLUSH"));
	unsetenv("MPANEL_KB_COUNT_FLUSH");
}

/* Load text as a config file; returns mp_config_load's result. */
static enum mp_err
load_text(const char *text, struct mp_config **c, char *err, size_t errsz)
{
	char	 path[] = "/tmp/mp-test-config-XXXXXX";
	int	 fd = mkstemp(path);
	enum mp_err rc;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	rc = mp_config_load(c, path, err, errsz);
	unlink(path);
	return rc;
}

/*
 * Tenant links carry the public port: public_port when set, else the
 * port public_origin names, else none (the scheme's default).
 */
static void
test_public_port(void **state)
{
	struct mp_config	*c;
	char			 err[256] = "";

	(void)state;
	assert_int_equal(load_text("public_origin = https://portal.example:8443\n",
	    &c, err, sizeof(err)), MP_OK);
	assert_int_equal(c->public_port, 8443);
	assert_string_equal(c->public_scheme, "https");
	mp_config_free(c);
	assert_int_equal(load_text("public_origin = https://portal.example\n",
	    &c, err, sizeof(err)), MP_OK);
	assert_int_equal(c->public_port, 0);
	mp_config_free(c);
	assert_int_equal(load_text("public_origin = https://[::1]:9443/\n"
	    "public_port = 65535\n", &c, err, sizeof(err)), MP_OK);
	assert_int_equal(c->public_port, 65535);
	mp_config_free(c);
	assert_int_equal(load_text("public_port = 65536\n", &c, err,
	    sizeof(err)), MP_EINPUT);
	assert_non_null(strstr(err, "public_port"));
	assert_int_equal(load_text("public_scheme = ftp\n", &c, err,
	    sizeof(err)), MP_EINPUT);
	assert_non_null(strstr(err, "public_scheme"));
}

extern char **environ;

/* Start from a clean environment: the defaults test must see no overrides. */
static void
clear_mpanel_env(void)
{
	char	 name[128];
	char	**e;
	size_t	 n;

	for (e = environ; *e != NULL; ) {
		n = strcspn(*e, "=");
		if (strncmp(*e, "MPANEL_", 7) != 0 || (*e)[n] != '=' ||
		    n >= sizeof(name)) {
			e++;
			continue;
		}
		memcpy(name, *e, n);
		name[n] = '\0';
		unsetenv(name);	/* shifts environ: look at *e again */
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_field_has_a_key),
		cmocka_unit_test(test_public_port),
		cmocka_unit_test(test_feature_sections),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_file_and_env),
		cmocka_unit_test(test_log),
	};

	clear_mpanel_env();
	mp_features_config();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
