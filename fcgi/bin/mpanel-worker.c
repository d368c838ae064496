/* mpanel-worker: runs the background jobs; for now it only waits for work and stops cleanly. */
#include <sys/select.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "features/extern.h"

static volatile sig_atomic_t	 stop;
static volatile sig_atomic_t	 reopen;

static void
on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static void
on_usr1(int sig)
{
	(void)sig;
	reopen = 1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: mpanel-worker [-c mpanel.conf]\n");
	exit(64);
}

/*
 * Wait for a NOTIFY on mp_jobs or one second, whichever comes first.
 * The job queue fills this loop in; until then there is nothing to run.
 */
static void
wait_for_work(PGconn *c)
{
	struct timeval	 tv = { 1, 0 };
	fd_set		 fds;
	PGnotify	*n;
	int		 fd;

	if (c == NULL || PQstatus(c) != CONNECTION_OK) {
		sleep(1);
		return;
	}
	fd = PQsocket(c);
	FD_ZERO(&fds);
	FD_SET(fd, &fds);
	if (select(fd + 1, &fds, NULL, NULL, &tv) < 0 && errno != EINTR)
		return;
	PQconsumeInput(c);
	while ((n = PQnotifies(c)) != NULL)
		PQfreemem(n);
}

int
main(int argc, char *argv[])
{
	struct mp_config	*cfg;
	struct sigaction	 sa;
	const char		*path = getenv("MPANEL_CONFIG");
	const char		*keys[] = { "dbname", "connect_timeout", NULL };
	const char		*vals[3];
	char			 err[512];
	PGconn			*c = NULL;
	PGresult		*res;
	FILE			*f;
	int			 ch;

	while ((ch = getopt(argc, argv, "c:")) != -1) {
		if (ch != 'c')
			usage();
		path = optarg;
	}
	if (mp_config_load(&cfg, path, err, sizeof(err)) != MP_OK) {
		fprintf(stderr, "mpanel-worker: %s\n", err);
		return MP_EXIT_CONFIG;
	}
	mp_log_open("mpanel-worker", cfg->log_file, NULL, cfg->log_level);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (cfg->pid_file[0] != '\0' && (f = fopen(cfg->pid_file, "w"))) {
		fprintf(f, "%d\n", (int)getpid());
		fclose(f);
	}
	vals[0] = cfg->database_url;
	vals[1] = "3";
	vals[2] = NULL;
	mp_info("worker %d started", (int)getpid());
	while (!stop) {
		if (reopen) {
			reopen = 0;
			mp_log_reopen();
		}
		if (c == NULL || PQstatus(c) != CONNECTION_OK) {
			if (c != NULL)
				PQfinish(c);
			c = PQconnectdbParams(keys, vals, 1);
			if (PQstatus(c) == CONNECTION_OK) {
				if (mp_migrate_check(c, cfg->sql_dir, err,
				    sizeof(err)) == MP_EINPUT) {
					mp_error("refusing to start: %s", err);
					PQfinish(c);
					mp_config_free(cfg);
					return MP_EXIT_CONFIG;
				}
				res = PQexec(c, "LISTEN mp_jobs");
				PQclear(res);
			} else {
				mp_warn("database unreachable: %s",
				    PQerrorMessage(c));
				PQfinish(c);
				c = NULL;
			}
		}
		wait_for_work(c);
	}
	mp_info("worker %d stopped", (int)getpid());
	if (c != NULL)
		PQfinish(c);
	if (cfg->pid_file[0] != '\0')
		unlink(cfg->pid_file);
	mp_config_free(cfg);
	return 0;
}
