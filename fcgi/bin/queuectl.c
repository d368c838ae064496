/* mpanelctl queue: list, inspect, retry, pause and resume jobs from the command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "bin/extern.h"

/* Run one SQL text with parameters on a plain connection; print rows. */
static int
ctl_exec(PGconn *c, const char *sql, int n, const char *const *p, int print)
{
	PGresult	*res;
	int		 i, k, rc = 0;

	res = PQexecParams(c, sql, n, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK &&
	    PQresultStatus(res) != PGRES_COMMAND_OK) {
		fprintf(stderr, "mpanelctl: %s", PQerrorMessage(c));
		rc = -1;
		goto out;
	}
	if (print) {
		for (k = 0; k < PQnfields(res); k++)
			printf("%s%s", k ? "\t" : "", PQfname(res, k));
		printf("\n");
		for (i = 0; i < PQntuples(res); i++) {
			for (k = 0; k < PQnfields(res); k++)
				printf("%s%s", k ? "\t" : "",
				    PQgetvalue(res, i, k));
			printf("\n");
		}
	}
	rc = PQntuples(res) > 0 ? atoi(PQgetvalue(res, 0, 0)) : 0;
out:
	PQclear(res);
	return rc;
}

/*
 * mpanelctl queue stats | retry JOB_ID | purge, on the owner connection c
 * (the owner sees every tenant's jobs).  Returns the exit status.
 */
int
mp_queuectl(const struct mp_config *cfg, PGconn *c, int argc, char *argv[])
{
	struct mp_ctl_tx tx;
	const char	*p[1];
	PGresult	*res;
	PGconn		*tc = NULL;
	int		 n, total = 0;

	if (argc >= 1 && strcmp(argv[0], "stats") == 0) {
		if (ctl_exec(c, "SELECT t.slug AS tenant, j.queue, j.kind,"
		    " j.state, count(*) AS jobs,"
		    " coalesce(max(extract(epoch FROM now() - j.run_at))"
		    "  FILTER (WHERE j.state = 'queued' AND j.run_at <= now()),"
		    "  0)::bigint AS oldest_ready_s"
		    " FROM job j JOIN tenants t ON t.id = j.tenant_id"
		    " GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4", 0, NULL, 1) < 0)
			return 1;
		printf("\n");
		return ctl_exec(c, "SELECT count(*) FILTER (WHERE state ="
		    " 'completed' AND finished_at > now() - interval '1 minute')"
		    " AS completed_1m, count(*) FILTER (WHERE state ="
		    " 'discarded' AND finished_at > now() - interval '24 hours')"
		    " AS discarded_24h, count(*) FILTER (WHERE state ="
		    " 'running' AND lease_until < now()) AS lease_expired"
		    " FROM job", 0, NULL, 1) < 0 ? 1 : 0;
	}
	if (argc == 2 && strcmp(argv[0], "retry") == 0) {
		if (strspn(argv[1], "0123456789") != strlen(argv[1]) ||
		    argv[1][0] == '\0' || strlen(argv[1]) > 18) {
			fprintf(stderr, "mpanelctl: retry needs a job id\n");
			return 64;
		}
		p[0] = argv[1];
		/* The job's tenant, then its rows under that tenant's binding. */
		res = PQexecParams(c, "SELECT tenant_id FROM job WHERE id ="
		    " $1::bigint AND state IN ('discarded', 'cancelled')", 1,
		    NULL, p, NULL, NULL, 0);
		n = PQresultStatus(res) == PGRES_TUPLES_OK &&
		    PQntuples(res) == 1 ? 1 : 0;
		if (n == 1 && (tc = mp_ctl_tenant_begin(&tx, cfg,
		    PQgetvalue(res, 0, 0), 1)) == NULL)
			n = -1;
		PQclear(res);
		if (n == 1)
			n = ctl_exec(tc, "WITH j AS (UPDATE job SET state ="
			    " 'queued', run_at = now(), attempt = 0,"
			    " finished_at = NULL, deadline = NULL"
			    " WHERE id = $1::bigint"
			    " RETURNING tenant_id, id, kind, payload),"
			    " n AS (UPDATE notification n SET state = 'queued',"
			    " updated_at = now() FROM j WHERE n.tenant_id ="
			    " j.tenant_id AND n.job_id = j.id AND n.state IN"
			    " ('failed', 'expired') RETURNING n.id)"
			    " SELECT (SELECT count(*) FROM j),"
			    " pg_notify('mp_jobs', 'tx')", 1, p, 0);
		if (n != 0 && mp_ctl_tenant_end(&tx, n == 1) != 0)
			n = -1;
		if (n != 1) {
			fprintf(stderr, "mpanelctl: no discarded or cancelled"
			    " job %s\n", argv[1]);
			return 1;
		}
		printf("queue: job %s queued again\n", argv[1]);
		return 0;
	}
	if (argc == 1 && strcmp(argv[0], "purge") == 0) {
		do {
			n = ctl_exec(c, "SELECT mp_job_retention(10000)", 0,
			    NULL, 0);
			if (n < 0)
				return 1;
			total += n;
		} while (n == 10000);
		printf("queue: %d old job row%s deleted\n", total,
		    total == 1 ? "" : "s");
		return 0;
	}
	fprintf(stderr, "usage: mpanelctl queue stats | retry JOB_ID |"
	    " purge\n");
	return 64;
}
