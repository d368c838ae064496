/* Schema migrations: numbered SQL files applied once each, in order, under a lock. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "core/extern.h"

#define MIGRATE_LOCK	"727274"	/* advisory lock key: "mp" */
#define MAX_MIGRATIONS	1000

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The migration names (file names without ".sql") under sqldir/migrations,
 * sorted.  Heap memory: free each and the array.  -1 if unreadable.
 */
static int
list_files(const char *sqldir, char ***out, size_t *n)
{
	char		 path[4096];
	DIR		*d;
	struct dirent	*de;
	char		**v;
	size_t		 len;

	*out = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "%s/migrations", sqldir);
	if ((d = opendir(path)) == NULL)
		return -1;
	if ((v = calloc(MAX_MIGRATIONS, sizeof(*v))) == NULL)
		mp_oom();
	while ((de = readdir(d)) != NULL && *n < MAX_MIGRATIONS) {
		len = strlen(de->d_name);
		if (len < 9 || strcmp(de->d_name + len - 4, ".sql") != 0 ||
		    de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		if ((v[*n] = strndup(de->d_name, len - 4)) == NULL)
			mp_oom();
		(*n)++;
	}
	closedir(d);
	qsort(v, *n, sizeof(*v), name_cmp);
	*out = v;
	return 0;
}

static void
free_list(char **v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int
applied_has(PGresult *res, const char *name)
{
	int	 i;

	for (i = 0; i < PQntuples(res); i++)
		if (strcmp(PQgetvalue(res, i, 0), name) == 0)
			return 1;
	return 0;
}

/*
 * Compare the files with schema_migrations.  MP_OK when every file is
 * applied; MP_EINPUT naming the first missing one; MP_EDB when the
 * database cannot be asked.
 */
enum mp_err
mp_migrate_check(PGconn *c, const char *sqldir, char *errbuf, size_t errsz)
{
	PGresult	*res = NULL;
	char		**files = NULL;
	size_t		 n = 0, i, missing = 0;
	enum mp_err	 rc = MP_OK;

	if (list_files(sqldir, &files, &n) != 0) {
		snprintf(errbuf, errsz, "cannot read %s/migrations: %s",
		    sqldir, strerror(errno));
		return MP_EINPUT;
	}
	res = PQexec(c, "SELECT version FROM schema_migrations");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		const char *st = PQresultErrorField(res, PG_DIAG_SQLSTATE);

		if (st != NULL && strcmp(st, "42P01") == 0) {
			snprintf(errbuf, errsz, "the database has no "
			    "migrations (missing %s); run mpanelctl migrate",
			    n ? files[0] : "all");
			rc = MP_EINPUT;
		} else {
			snprintf(errbuf, errsz, "cannot read "
			    "schema_migrations: %s", PQerrorMessage(c));
			rc = MP_EDB;
		}
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (applied_has(res, files[i]))
			continue;
		if (missing++ == 0)
			snprintf(errbuf, errsz, "the database lacks migration "
			    "%s; run mpanelctl migrate", files[i]);
	}
	if (missing > 0)
		rc = MP_EINPUT;
out:
	PQclear(res);
	free_list(files, n);
	return rc;
}

static char *
read_file(const char *path)
{
	FILE	*f;
	char	*buf = NULL;
	long	 len;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		if ((buf = malloc((size_t)len + 1)) == NULL)
			mp_oom();
		if (fread(buf, 1, (size_t)len, f) != (size_t)len) {
			free(buf);
			buf = NULL;
		} else
			buf[len] = '\0';
	}
	fclose(f);
	return buf;
}

static int
exec_ok(PGconn *c, const char *sql, char *errbuf, size_t errsz)
{
	PGresult	*res = PQexec(c, sql);
	int		 ok;

	ok = PQresultStatus(res) == PGRES_COMMAND_OK ||
	    PQresultStatus(res) == PGRES_TUPLES_OK;
	if (!ok)
		snprintf(errbuf, errsz, "%s", PQerrorMessage(c));
	PQclear(res);
	return ok;
}

/*
 * Apply every missing migration, each in its own transaction together
 * with its schema_migrations row, holding an advisory lock so two
 * migrators never interleave.  Stops at the first failure, which is
 * rolled back whole; *applied counts what went in.
 */
enum mp_err
mp_migrate_apply(PGconn *c, const char *sqldir, int *applied, char *errbuf,
    size_t errsz)
{
	PGresult	*res = NULL;
	char		**files = NULL, path[4096], msg[1024];
	const char	*p[1];
	size_t		 n = 0, i;
	char		*sql;
	enum mp_err	 rc = MP_OK;

	*applied = 0;
	if (list_files(sqldir, &files, &n) != 0) {
		snprintf(errbuf, errsz, "cannot read %s/migrations: %s",
		    sqldir, strerror(errno));
		return MP_EINPUT;
	}
	if (!exec_ok(c, "SELECT pg_advisory_lock(" MIGRATE_LOCK ")", msg,
	    sizeof(msg)) ||
	    !exec_ok(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    " version text PRIMARY KEY,"
	    " applied_at timestamptz NOT NULL DEFAULT now())", msg,
	    sizeof(msg))) {
		snprintf(errbuf, errsz, "%s", msg);
		rc = MP_EDB;
		goto out;
	}
	res = PQexec(c, "SELECT version FROM schema_migrations");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		snprintf(errbuf, errsz, "%s", PQerrorMessage(c));
		rc = MP_EDB;
		goto out;
	}
	for (i = 0; i < n; i++) {
		PGresult *ins;

		if (applied_has(res, files[i]))
			continue;
		snprintf(path, sizeof(path), "%s/migrations/%s.sql", sqldir,
		    files[i]);
		if ((sql = read_file(path)) == NULL) {
			snprintf(errbuf, errsz, "cannot read %s", path);
			rc = MP_EINPUT;
			goto out;
		}
		if (!exec_ok(c, "BEGIN", msg, sizeof(msg)) ||
		    !exec_ok(c, sql, msg, sizeof(msg))) {
			free(sql);
			exec_ok(c, "ROLLBACK", msg + 512, 512);
			snprintf(errbuf, errsz, "migration %s failed: %s",
			    files[i], msg);
			rc = MP_EDB;
			goto out;
		}
		free(sql);
		p[0] = files[i];
		ins = PQexecParams(c, "INSERT INTO schema_migrations (version)"
		    " VALUES ($1)", 1, NULL, p, NULL, NULL, 0);
		if (PQresultStatus(ins) != PGRES_COMMAND_OK ||
		    !exec_ok(c, "COMMIT", msg, sizeof(msg))) {
			snprintf(errbuf, errsz, "recording %s failed: %s",
			    files[i], PQerrorMessage(c));
			PQclear(ins);
			exec_ok(c, "ROLLBACK", msg, sizeof(msg));
			rc = MP_EDB;
			goto out;
		}
		PQclear(ins);
		(*applied)++;
		mp_info("migration %s applied", files[i]);
	}
out:
	PQclear(res);
	exec_ok(c, "SELECT pg_advisory_unlock(" MIGRATE_LOCK ")", msg,
	    sizeof(msg));
	free_list(files, n);
	return rc;
}
