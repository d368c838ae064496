/* mpanelctl: the operator's tool: migrate, check, create tenants, seed demo data, verify the audit chains. */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "bin/extern.h"
#include "features/feature.h"
#include <json-c/json.h>

#include "features/accounts/accounts.h"
#include "features/audit/audit.h"
#include "features/kb/kb.h"
#include "features/twofa/twofa.h"
#include "features/queue/queue.h"

static struct mp_config	*cfg;

static void
usage(void)
{
	fprintf(stderr,
	    "usage: mpanelctl [-c mpanel.conf] command\n"
	    "commands:\n"
	    "  migrate                       apply missing migrations (owner role)\n"
	    "  check                         say whether the schema is current\n"
	    "  tenant create SLUG NAME [--domain HOST] [--plan PLAN]\n"
	    "  tenant list\n"
	    "  user create SLUG EMAIL ROLE [--name NAME] [--operator]\n"
	    "                                (password on stdin or in MPANEL_NEW_PASSWORD)\n"
	    "  sessions cleanup              delete sessions ended over 30 days ago\n"
	    "  twofa-reset SLUG EMAIL        turn two-factor sign-in off for a user\n"
	    "                                who lost phone and backup codes\n"
	    "  seed-demo                     load the demo tenants (idempotent)\n"
	    "  kb-render [--all]             render help articles changed since\n"
	    "                                their last render (--all: every one)\n"
	    "  check-sql                     PREPARE every statement of every\n"
	    "                                feature as the pool's role\n"
	    "  sql-list                      print every statement, one a line:\n"
	    "                                owner, name, SQL (tab-separated)\n"
	    "  queue stats | retry JOB_ID | purge\n"
	    "                                the job queue (owner role)\n"
	    "  audit verify [--tenant SLUG] [--json]\n"
	    "                                walk each tenant's audit chain:\n"
	    "                                first break, gaps, head hash\n"
	    "                                (exit 2 when one does not verify)\n");
	exit(64);
}

/* Connect as the owner (admin_database_url) or the app role; exit on failure. */
static PGconn *
connect_db(int owner)
{
	const char	*keys[] = { "dbname", "connect_timeout",
	    "application_name", NULL };
	const char	*vals[4];
	PGconn		*c;

	vals[0] = owner && cfg->admin_database_url[0] != '\0' ?
	    cfg->admin_database_url : cfg->database_url;
	vals[1] = "5";
	vals[2] = "mpanelctl";
	vals[3] = NULL;
	c = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "mpanelctl: cannot connect: %s",
		    PQerrorMessage(c));
		exit(1);
	}
	return c;
}

struct prep {
	PGconn	*c;
	int	 n;
	int	 bad;
};

/* PREPARE one statement (unnamed, so nothing is left behind); report a failure. */
static void
prepare_one(const struct mp_stmt *st, const char *owner, void *arg)
{
	struct prep	*pp = arg;
	PGresult	*res;

	pp->n++;
	res = PQprepare(pp->c, "", st->sql, 0, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		fprintf(stderr, "%s: statement %s: %s", owner, st->name,
		    PQresultErrorMessage(res));
		pp->bad++;
	}
	PQclear(res);
}

/*
 * check-sql: every statement the programs can run, PREPAREd against the
 * migrated schema as the pool's role, so a typo or a missing grant fails
 * here and not in a user's request.
 */
static int
cmd_check_sql(void)
{
	struct prep	 pp;

	memset(&pp, 0, sizeof(pp));
	pp.c = connect_db(0);
	mp_stmts_walk(prepare_one, &pp);
	for (size_t i = 0; i < mp_ctl_st.n; i++)
		prepare_one(&mp_ctl_st.st[i], "mpanelctl", &pp);
	PQfinish(pp.c);
	printf("check-sql: %d statements, %d failed\n", pp.n, pp.bad);
	return pp.bad == 0 ? 0 : 1;
}

/* One statement as a line: tabs and newlines in its SQL become spaces. */
static void
list_one(const struct mp_stmt *st, const char *owner, void *arg)
{
	const char	*p;

	(void)arg;
	printf("%s\t%s\t", owner, st->name);
	for (p = st->sql; *p != '\0'; p++)
		putchar(*p == '\t' || *p == '\n' || *p == '\r' ? ' ' : *p);
	putchar('\n');
}

/*
 * sql-list: the text of every statement the programs can run, for checks
 * made outside the program (tests/integration/test_scaling.py reads the
 * joins).  Needs no database.
 */
static int
cmd_sql_list(void)
{
	mp_stmts_walk(list_one, NULL);
	for (size_t i = 0; i < mp_ctl_st.n; i++)
		list_one(&mp_ctl_st.st[i], "mpanelctl", NULL);
	return fflush(stdout) == 0 ? 0 : 1;
}

static int
cmd_migrate(void)
{
	PGconn		*c = connect_db(1);
	char		 err[1024];
	int		 n;
	enum mp_err	 rc;

	rc = mp_migrate_apply(c, cfg->sql_dir, &n, err, sizeof(err));
	PQfinish(c);
	if (rc != MP_OK) {
		fprintf(stderr, "mpanelctl: %s\n", err);
		return 1;
	}
	printf("migrate: %d migration%s applied\n", n, n == 1 ? "" : "s");
	return 0;
}

static int
cmd_check(void)
{
	PGconn		*c = connect_db(0);
	char		 err[1024];
	enum mp_err	 rc;

	rc = mp_migrate_check(c, cfg->sql_dir, err, sizeof(err));
	PQfinish(c);
	if (rc != MP_OK) {
		fprintf(stderr, "mpanelctl: %s\n", err);
		return 1;
	}
	printf("check: schema is current\n");
	return 0;
}

/*
 * Insert or update a tenant by slug, after validating slug, name and the
 * optional custom domain with the same validators the web side uses.
 */
static int
tenant_upsert(PGconn *c, const char *slug, const char *name,
    const char *domain, const char *plan)
{
	struct mp_value	 v;
	const char	*why, *p[4];
	PGresult	*res;
	int		 rc = 0;

	if (mp_validate(MP_V_SLUG, slug, strlen(slug), 1, 63, &v, &why) !=
	    MP_OK) {
		fprintf(stderr, "mpanelctl: slug %s\n", why);
		return 1;
	}
	if (mp_validate(MP_V_TEXT, name, strlen(name), 1, 200, &v, &why) !=
	    MP_OK) {
		fprintf(stderr, "mpanelctl: name %s\n", why);
		return 1;
	}
	p[0] = slug;
	p[1] = name;
	p[2] = domain;
	p[3] = plan ? plan : "standard";
	res = PQexecParams(c,
	    "INSERT INTO tenants (slug, name, custom_domain, plan)"
	    " VALUES ($1, $2, lower($3), $4)"
	    " ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name,"
	    " custom_domain = EXCLUDED.custom_domain, plan = EXCLUDED.plan"
	    " RETURNING id", 4, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		fprintf(stderr, "mpanelctl: tenant %s: %s", slug,
		    PQerrorMessage(c));
		rc = 1;
	} else
		printf("tenant %s: id %s\n", slug, PQgetvalue(res, 0, 0));
	PQclear(res);
	return rc;
}

static int
cmd_tenant(int argc, char *argv[])
{
	const char	*domain = NULL, *plan = NULL;
	PGconn		*c;
	PGresult	*res;
	int		 i, rc;

	if (argc >= 1 && strcmp(argv[0], "list") == 0) {
		c = connect_db(1);
		res = PQexec(c, "SELECT id, slug, name, coalesce(custom_domain,"
		    " '-'), plan, status FROM tenants ORDER BY id");
		for (i = 0; i < PQntuples(res); i++)
			printf("%s\t%s\t%s\t%s\t%s\t%s\n",
			    PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
			    PQgetvalue(res, i, 2), PQgetvalue(res, i, 3),
			    PQgetvalue(res, i, 4), PQgetvalue(res, i, 5));
		PQclear(res);
		PQfinish(c);
		return 0;
	}
	if (argc < 3 || strcmp(argv[0], "create") != 0)
		usage();
	for (i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--domain") == 0 && i + 1 < argc)
			domain = argv[++i];
		else if (strcmp(argv[i], "--plan") == 0 && i + 1 < argc)
			plan = argv[++i];
		else
			usage();
	}
	c = connect_db(1);
	rc = tenant_upsert(c, argv[1], argv[2], domain, plan);
	PQfinish(c);
	return rc;
}

static int
seed_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Run every .sql file under sql/seed/ for one tenant, each in a transaction
 * with app.tenant_id and app.tenant_slug set, so seeds pass row-level
 * security like the application does and can vary by tenant.  Seed files
 * are idempotent (ON CONFLICT, WHERE NOT EXISTS).
 */
static int
seed_tenant(const char *slug)
{
	struct mp_ctl_tx tx;
	PGconn		*tc;
	char		 dir[4096], path[4200], *files[256], *sql;
	const char	*p[1];
	struct dirent	*de;
	DIR		*d;
	PGresult	*res;
	FILE		*f;
	size_t		 n = 0, i, len;
	long		 sz;
	int		 rc = 0;

	snprintf(dir, sizeof(dir), "%s/seed", cfg->sql_dir);
	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL && n < 256) {
		len = strlen(de->d_name);
		if (len > 4 && strcmp(de->d_name + len - 4, ".sql") == 0 &&
		    (files[n] = strdup(de->d_name)) != NULL)
			n++;
	}
	closedir(d);
	qsort(files, n, sizeof(files[0]), seed_cmp);
	for (i = 0; i < n && rc == 0; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		if ((f = fopen(path, "rb")) == NULL) {
			fprintf(stderr, "mpanelctl: cannot read %s\n", path);
			rc = 1;
			break;
		}
		fseek(f, 0, SEEK_END);
		sz = ftell(f);
		fseek(f, 0, SEEK_SET);
		if ((sql = calloc(1, (size_t)sz + 1)) == NULL)
			mp_oom();
		if (fread(sql, 1, (size_t)sz, f) != (size_t)sz)
			rc = 1;
		fclose(f);
		p[0] = slug;
		if ((tc = mp_ctl_tenant_begin(&tx, cfg, slug, 0)) == NULL)
			rc = 1;
		if (rc == 0) {
			res = PQexecParams(tc, "SELECT set_config("
			    "'app.tenant_slug', $1, true)", 1, NULL, p, NULL,
			    NULL, 0);
			if (PQresultStatus(res) != PGRES_TUPLES_OK)
				rc = 1;
			PQclear(res);
		}
		if (rc == 0) {
			res = PQexec(tc, sql);
			if (PQresultStatus(res) != PGRES_COMMAND_OK &&
			    PQresultStatus(res) != PGRES_TUPLES_OK) {
				fprintf(stderr, "mpanelctl: seed %s for %s: %s",
				    files[i], slug, PQerrorMessage(tc));
				rc = 1;
			}
			PQclear(res);
		}
		rc |= mp_ctl_tenant_end(&tx, rc == 0);
		free(sql);
	}
	for (i = 0; i < n; i++)
		free(files[i]);
	return rc;
}

/*
 * Create a user of tenant slug, or with only_new leave an existing one
 * alone (the demo seed).  The password passes the same policy as on the
 * web; the hash is scrypt.
 */
static int
user_create(const char *slug, const char *email, const char *role,
    const char *name, const char *pw, int operator, int only_new)
{
	struct mp_ctl_tx tx;
	struct mp_arena	*a = mp_arena_new(0);
	PGconn		*c;
	struct mp_value	 v;
	const char	*why, *p[6];
	PGresult	*res;
	int		 rc = 1;

	if (mp_validate(MP_V_EMAIL, email, strlen(email), 0, 254, &v, &why) !=
	    MP_OK) {
		fprintf(stderr, "mpanelctl: email %s\n", why);
		goto out;
	}
	if (mp_role_parse(role) == MP_ROLE_NONE) {
		fprintf(stderr, "mpanelctl: role must be customer, support or "
		    "admin\n");
		goto out;
	}
	if (mp_password_policy(pw, &why) != MP_OK) {
		fprintf(stderr, "mpanelctl: password %s\n", why);
		goto out;
	}
	if ((c = mp_ctl_tenant_begin(&tx, cfg, slug, 0)) == NULL) {
		(void)mp_ctl_tenant_end(&tx, 0);
		goto out;
	}
	p[0] = mp_token(a, 16);
	p[1] = email;
	p[2] = name ? name : "";
	p[3] = mp_password_hash(a, pw);
	p[4] = role;
	p[5] = operator ? "true" : "false";
	res = PQexecParams(c, only_new ?
	    "INSERT INTO users (tenant_id, public_id, email, name,"
	    " password_hash, role, is_operator) VALUES (mp_tenant(), $1,"
	    " lower($2), $3, $4, $5, $6) ON CONFLICT (tenant_id, email)"
	    " DO NOTHING RETURNING id" :
	    "INSERT INTO users (tenant_id, public_id, email, name,"
	    " password_hash, role, is_operator) VALUES (mp_tenant(), $1,"
	    " lower($2), $3, $4, $5, $6) ON CONFLICT (tenant_id, email)"
	    " DO UPDATE SET name = EXCLUDED.name, password_hash ="
	    " EXCLUDED.password_hash, role = EXCLUDED.role, is_operator ="
	    " EXCLUDED.is_operator RETURNING id", 6, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		fprintf(stderr, "mpanelctl: user %s: %s", email,
		    PQerrorMessage(c));
		PQclear(res);
		(void)mp_ctl_tenant_end(&tx, 0);
		goto out;
	}
	if (PQntuples(res) > 0)
		printf("user %s (%s) in %s: id %s\n", email, role, slug,
		    PQgetvalue(res, 0, 0));
	PQclear(res);
	rc = mp_ctl_tenant_end(&tx, 1);
out:
	mp_arena_free(a);
	return rc;
}

/*
 * user create SLUG EMAIL ROLE [--name NAME] [--operator]; the password
 * comes from MPANEL_NEW_PASSWORD or the first line of standard input, so
 * it never shows in a process listing.
 */
static int
cmd_user(int argc, char *argv[])
{
	const char	*name = NULL, *pw = getenv("MPANEL_NEW_PASSWORD");
	char		 line[1100];
	int		 i, op = 0;

	if (argc < 4 || strcmp(argv[0], "create") != 0)
		usage();
	for (i = 4; i < argc; i++) {
		if (strcmp(argv[i], "--name") == 0 && i + 1 < argc)
			name = argv[++i];
		else if (strcmp(argv[i], "--operator") == 0)
			op = 1;
		else
			usage();
	}
	if (pw == NULL) {
		if (fgets(line, sizeof(line), stdin) == NULL) {
			fprintf(stderr, "mpanelctl: give the password on "
			    "standard input or in MPANEL_NEW_PASSWORD\n");
			return 1;
		}
		line[strcspn(line, "\r\n")] = '\0';
		pw = line;
	}
	return user_create(argv[1], argv[2], argv[3], name, pw, op, 0);
}

/* Delete ended sessions of every tenant (until the worker schedules it). */
static int
cmd_sessions(int argc, char *argv[])
{
	struct mp_ctl_tx tx;
	PGconn		*c;
	PGresult	*res;
	long		 n, total = 0;
	int		 i, rc = 0;

	if (argc < 1 || strcmp(argv[0], "cleanup") != 0)
		usage();
	c = connect_db(1);
	res = PQexec(c, "SELECT slug FROM tenants ORDER BY id");
	PQfinish(c);
	for (i = 0; i < PQntuples(res) && rc == 0; i++) {
		n = -1;
		if (mp_ctl_tenant_begin(&tx, cfg, PQgetvalue(res, i, 0), 0) !=
		    NULL)
			n = mp_sessions_cleanup(tx.ctx.db, tx.ctx.a);
		rc = mp_ctl_tenant_end(&tx, n >= 0) || n < 0;
		if (n > 0)
			total += n;
	}
	PQclear(res);
	printf("sessions cleanup: %ld removed\n", total);
	return rc;
}

/*
 * twofa-reset SLUG EMAIL: two-factor sign-in off for one user (secret,
 * backup codes and remembered devices gone), recorded in the tenant's
 * security_events as a 'twofa' event with action "reset".
 */
static int
cmd_twofa_reset(int argc, char *argv[])
{
	struct mp_ctl_tx tx;
	int		 found = 0, ok;

	if (argc != 2)
		usage();
	if (mp_ctl_tenant_begin(&tx, cfg, argv[0], 0) == NULL) {
		(void)mp_ctl_tenant_end(&tx, 0);
		return 1;
	}
	ok = mp_twofa_reset(&tx.ctx, argv[1], &found) == MP_OK;
	if (!ok)
		fprintf(stderr, "mpanelctl: twofa-reset: %s\n",
		    mp_db_errmsg(tx.ctx.db));
	else if (!found)
		fprintf(stderr, "mpanelctl: no user %s in %s\n", argv[1],
		    argv[0]);
	if (mp_ctl_tenant_end(&tx, ok && found) != 0 || !ok || !found)
		return 1;
	printf("twofa-reset: two-factor sign-in is off for %s in %s\n",
	    argv[1], argv[0]);
	return 0;
}

/* The demo users: documented in README.md, created only when missing. */
static const struct {
	const char	*slug;
	const char	*email;
	const char	*role;
	const char	*name;
	const char	*password;
} demo_users[] = {
	{ "acme", "admin@acme.example", "admin", "Ada Admin",
	    "Acme-admin-2026!" },
	{ "acme", "support@acme.example", "support", "Sam Support",
	    "Acme-support-2026!" },
	{ "acme", "customer@acme.example", "customer", "Casey Customer",
	    "Acme-customer-2026!" },
	{ "globex", "admin@globex.example", "admin", "Gina Admin",
	    "Globex-admin-2026!" },
	{ "globex", "support@globex.example", "support", "Glen Support",
	    "Globex-support-2026!" },
	{ "globex", "customer@globex.example", "customer", "Gus Customer",
	    "Globex-customer-2026!" },
};

/*
 * Render the help articles whose stored HTML is missing or older than
 * their source (all with --all), on the owner's connection, tenant by
 * tenant.  Seeds insert markdown only; this fills body_html, body_text,
 * the section rows and the word list.
 */
static int
cmd_kb_render(int all)
{
	struct mp_ctx	 c;
	enum mp_err	 rc;
	int		 n = 0;

	memset(&c, 0, sizeof(c));
	c.db = mp_db_new(cfg->admin_database_url[0] != '\0' ?
	    cfg->admin_database_url : cfg->database_url, 5, 0);
	mp_db_set_pooled(c.db, cfg->admin_database_url[0] == '\0' &&
	    mp_config_pooled(cfg));
	c.a = mp_arena_new(0);
	c.cfg = cfg;
	rc = mp_kb_render_pending(&c, all, &n);
	if (rc != MP_OK)
		fprintf(stderr, "mpanelctl: kb-render: %s\n",
		    mp_db_errmsg(c.db));
	else
		printf("kb-render: %d article%s rendered\n", n, n == 1 ? "" : "s");
	mp_arena_free(c.a);
	mp_db_free(c.db);
	return rc == MP_OK ? 0 : 1;
}

/* The two demo tenants, so isolation shows from day one, and their data. */
static int
cmd_seed_demo(void)
{
	PGconn	*c = connect_db(1);
	int	 rc = 0;

	rc |= tenant_upsert(c, "acme", "Acme Hosting", NULL, "business");
	rc |= tenant_upsert(c, "globex", "Globex Cloud", NULL, "standard");
	for (size_t i = 0; rc == 0 &&
	    i < sizeof(demo_users) / sizeof(demo_users[0]); i++)
		rc |= user_create(demo_users[i].slug, demo_users[i].email,
		    demo_users[i].role, demo_users[i].name,
		    demo_users[i].password, 0, 1);
	if (rc == 0)
		rc |= seed_tenant("acme");
	if (rc == 0)
		rc |= seed_tenant("globex");
	PQfinish(c);
	if (rc == 0)
		rc |= cmd_kb_render(0);
	if (rc == 0)
		printf("seed-demo: tenants acme and globex ready\n");
	return rc;
}

/* Verify one tenant's chain and print the result; 0 ok, 2 broken, 1 error. */
static int
audit_verify_one(const char *slug, int json)
{
	struct mp_ctl_tx	 tx;
	struct mp_audit_check	 k;
	struct json_object	*o;
	int64_t			 i;
	int			 rc;

	if (mp_ctl_tenant_begin(&tx, cfg, slug, 0) == NULL) {
		mp_ctl_tenant_end(&tx, 0);
		return 1;
	}
	if (mp_audit_verify(&tx.ctx, &k) != MP_OK) {
		fprintf(stderr, "mpanelctl: %s: %s\n", slug,
		    mp_db_errmsg(tx.ctx.db));
		mp_ctl_tenant_end(&tx, 0);
		return 1;
	}
	if (json) {
		o = mp_audit_check_json(&k);
		json_object_object_add(o, "tenant", json_object_new_string(slug));
		printf("%s\n", json_object_to_json_string_ext(o,
		    JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	} else {
		printf("%s: %s, %lld entries, head %lld %s", slug, k.ok ? "ok" :
		    "DOES NOT VERIFY", (long long)k.entries,
		    (long long)k.head_seq, k.head_hash ? k.head_hash : "-");
		if (k.first_break)
			printf(", first break at %lld (%lld rows)",
			    (long long)k.first_break, (long long)k.breaks);
		for (i = 0; i < k.ngaps && i < 16; i++)
			printf(", gap %lld-%lld", (long long)k.gap_from[i],
			    (long long)k.gap_to[i]);
		if (!k.checkpoint_ok)
			printf(", checkpoint at %lld no longer matches",
			    (long long)k.checkpoint_seq);
		printf("\n");
	}
	rc = k.ok ? 0 : 2;
	mp_ctl_tenant_end(&tx, 0);
	return rc;
}

/* mpanelctl audit verify [--tenant SLUG] [--json] */
static int
cmd_audit(int argc, char *argv[])
{
	const char	*slug = NULL;
	PGconn		*c;
	PGresult	*res;
	int		 i, json = 0, rc = 0, r;

	if (argc < 1 || strcmp(argv[0], "verify") != 0)
		usage();
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--tenant") == 0 && i + 1 < argc)
			slug = argv[++i];
		else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else
			usage();
	}
	if (slug != NULL)
		return audit_verify_one(slug, json);
	c = connect_db(1);
	res = PQexec(c, "SELECT slug FROM tenants ORDER BY id");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		fprintf(stderr, "mpanelctl: %s", PQerrorMessage(c));
		rc = 1;
	}
	for (i = 0; rc != 1 && i < PQntuples(res); i++)
		if ((r = audit_verify_one(PQgetvalue(res, i, 0), json)) > rc)
			rc = r;
	PQclear(res);
	PQfinish(c);
	return rc;
}

int
main(int argc, char *argv[])
{
	const char	*path = getenv("MPANEL_CONFIG");
	char		 err[512];
	int		 ch, rc;

	while ((ch = getopt(argc, argv, "+c:")) != -1) {
		if (ch != 'c')
			usage();
		path = optarg;
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	mp_features_config();
	if (mp_config_load(&cfg, path, err, sizeof(err)) != MP_OK) {
		fprintf(stderr, "mpanelctl: %s\n", err);
		return MP_EXIT_CONFIG;
	}
	mp_log_open("mpanelctl", NULL, NULL, "warn");
	mp_password_list(cfg->passwords_file);
	if (strcmp(argv[0], "migrate") == 0)
		rc = cmd_migrate();
	else if (strcmp(argv[0], "check") == 0)
		rc = cmd_check();
	else if (strcmp(argv[0], "check-sql") == 0)
		rc = cmd_check_sql();
	else if (strcmp(argv[0], "sql-list") == 0)
		rc = cmd_sql_list();
	else if (strcmp(argv[0], "tenant") == 0)
		rc = cmd_tenant(argc - 1, argv + 1);
	else if (strcmp(argv[0], "user") == 0)
		rc = cmd_user(argc - 1, argv + 1);
	else if (strcmp(argv[0], "sessions") == 0)
		rc = cmd_sessions(argc - 1, argv + 1);
	else if (strcmp(argv[0], "twofa-reset") == 0)
		rc = cmd_twofa_reset(argc - 1, argv + 1);
	else if (strcmp(argv[0], "seed-demo") == 0)
		rc = cmd_seed_demo();
	else if (strcmp(argv[0], "kb-render") == 0)
		rc = cmd_kb_render(argc > 1 && strcmp(argv[1], "--all") == 0);
	else if (strcmp(argv[0], "audit") == 0)
		rc = cmd_audit(argc - 1, argv + 1);
	else if (strcmp(argv[0], "queue") == 0) {
		PGconn	*c = connect_db(1);

		rc = mp_queuectl(cfg, c, argc - 1, argv + 1);
		PQfinish(c);
	}
	else
		usage();
	mp_config_free(cfg);
	return rc;
}
