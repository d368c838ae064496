/* mpanelctl: the operator's tool: migrate, check, create tenants, seed demo data. */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "features/extern.h"

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
	    "  seed-demo                     load the demo tenants (idempotent)\n");
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
seed_tenant(PGconn *c, const char *slug)
{
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
		PQclear(PQexec(c, "BEGIN"));
		res = PQexecParams(c, "SELECT set_config('app.tenant_id',"
		    " id::text, true), set_config('app.tenant_slug', slug,"
		    " true) FROM tenants WHERE slug = $1", 1, NULL, p, NULL,
		    NULL, 0);
		if (PQresultStatus(res) != PGRES_TUPLES_OK ||
		    PQntuples(res) != 1)
			rc = 1;
		PQclear(res);
		res = PQexec(c, sql);
		if (rc != 0 || (PQresultStatus(res) != PGRES_COMMAND_OK &&
		    PQresultStatus(res) != PGRES_TUPLES_OK)) {
			fprintf(stderr, "mpanelctl: seed %s for %s: %s", files[i],
			    slug, PQerrorMessage(c));
			rc = 1;
		}
		PQclear(res);
		PQclear(PQexec(c, rc == 0 ? "COMMIT" : "ROLLBACK"));
		free(sql);
	}
	for (i = 0; i < n; i++)
		free(files[i]);
	return rc;
}

/* The two demo tenants, so isolation shows from day one, and their data. */
static int
cmd_seed_demo(void)
{
	PGconn	*c = connect_db(1);
	int	 rc = 0;

	rc |= tenant_upsert(c, "acme", "Acme Hosting", NULL, "business");
	rc |= tenant_upsert(c, "globex", "Globex Cloud", NULL, "standard");
	if (rc == 0)
		rc |= seed_tenant(c, "acme");
	if (rc == 0)
		rc |= seed_tenant(c, "globex");
	PQfinish(c);
	if (rc == 0)
		printf("seed-demo: tenants acme and globex ready\n");
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
	if (mp_config_load(&cfg, path, err, sizeof(err)) != MP_OK) {
		fprintf(stderr, "mpanelctl: %s\n", err);
		return MP_EXIT_CONFIG;
	}
	mp_log_open("mpanelctl", NULL, NULL, "warn");
	if (strcmp(argv[0], "migrate") == 0)
		rc = cmd_migrate();
	else if (strcmp(argv[0], "check") == 0)
		rc = cmd_check();
	else if (strcmp(argv[0], "tenant") == 0)
		rc = cmd_tenant(argc - 1, argv + 1);
	else if (strcmp(argv[0], "seed-demo") == 0)
		rc = cmd_seed_demo();
	else
		usage();
	mp_config_free(cfg);
	return rc;
}
