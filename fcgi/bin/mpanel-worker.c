/* mpanel-worker: runs the background jobs of every tenant (mail, SMS, scheduled work). */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libpq-fe.h>

#include "features/cache/cache.h"
#include "features/queue/queue.h"

#define RESCUE_EVERY_MS		30000
#define SCHEDULE_EVERY_MS	300000

static volatile sig_atomic_t	 stop;
static volatile sig_atomic_t	 reopen;

/* Wake-ups from the LISTEN thread to the runners. */
static pthread_mutex_t	 wake_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 wake_cv = PTHREAD_COND_INITIALIZER;
static unsigned long	 wake_gen;

/* Held while a handler that is not thread-safe runs. */
static pthread_mutex_t	 serial_mu = PTHREAD_MUTEX_INITIALIZER;

static struct mp_config	*cfg;
static char		 host[64];

/* One runner thread: its own connection, arena and curl handles. */
struct runner {
	pthread_t		 th;
	int			 idx;
	struct mp_db		*db;
	struct mp_arena		*a;
	struct mp_job_thread	 thr;
	uint64_t		 last_hb;
};

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

/* Wake every runner (a NOTIFY came, or a scheduled job is due). */
static void
wake_all(void)
{
	pthread_mutex_lock(&wake_mu);
	wake_gen++;
	pthread_cond_broadcast(&wake_cv);
	pthread_mutex_unlock(&wake_mu);
}

/* Sleep until woken or ms milliseconds pass. */
static void
wait_wake(unsigned long seen, int ms)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&wake_mu);
	while (!stop && wake_gen == seen)
		if (pthread_cond_timedwait(&wake_cv, &wake_mu, &ts) ==
		    ETIMEDOUT)
			break;
	pthread_mutex_unlock(&wake_mu);
}

/*
 * Run one claimed job to its verdict (j->done): the deadline handler when
 * it expired, else the kind's handler; the job's tenant transaction is
 * committed after success and rolled back after an error.  Logs the
 * job's status line.
 */
static void
run_job(struct runner *w, struct mp_job *j)
{
	const struct mp_job_kind	*k = mp_job_kind_find(j->kind);
	uint64_t			 t0 = mp_monotonic_ms();
	enum mp_err			 rc;

	if (k == NULL || j->payload == NULL) {
		j->error = k == NULL ? "unknown job kind" : "bad payload";
		j->permanent = 1;
		rc = MP_EINPUT;
	} else if (j->expired) {
		if (!k->threadsafe)
			pthread_mutex_lock(&serial_mu);
		rc = k->expire != NULL ? k->expire(j) : MP_OK;
		if (rc == MP_OK)
			rc = mp_tx_commit(&j->ctx);
		if (!k->threadsafe)
			pthread_mutex_unlock(&serial_mu);
		j->error = "deadline passed";
		j->permanent = 1;
		rc = MP_EINPUT;
	} else {
		if (!k->threadsafe)
			pthread_mutex_lock(&serial_mu);
		rc = k->run(j);
		if (!k->threadsafe)
			pthread_mutex_unlock(&serial_mu);
		if (rc == MP_OK && mp_tx_commit(&j->ctx) != MP_OK) {
			rc = MP_EDB;
			j->error = "commit failed";
		}
	}
	mp_tx_rollback(&j->ctx);
	j->done = rc == MP_OK ? 1 : -1;
	if (j->done == 1)
		mp_info("job %s %s tenant=%s attempt=%d/%d ok %llums",
		    j->id_text, j->kind, j->tenant.id_text, j->attempt,
		    j->max_attempts,
		    (unsigned long long)(mp_monotonic_ms() - t0));
	else
		mp_info("job %s %s tenant=%s attempt=%d/%d %s: %s %llums",
		    j->id_text, j->kind, j->tenant.id_text, j->attempt,
		    j->max_attempts, j->permanent ? "discarded" :
		    j->no_spend ? "deferred" : j->attempt >= j->max_attempts ?
		    "discarded" : "retry", j->error ? j->error : "failed",
		    (unsigned long long)(mp_monotonic_ms() - t0));
}

/*
 * Claim and run one batch of queue.  Stops between jobs when asked to
 * stop, records what ran and gives the rest back without spending their
 * attempts.  Returns how many were claimed, or -1 on a database error.
 */
static int
run_batch(struct runner *w, const char *queue, int limit)
{
	struct mp_job	*jobs;
	int		 n, i, ran = 0, k;

	if (mp_queue_claim(w->db, w->a, cfg, &w->thr, queue, limit, &jobs,
	    &n) != MP_OK)
		return -1;
	for (i = 0; i < n && !stop; i++) {
		run_job(w, &jobs[i]);
		ran++;
		if (mp_monotonic_ms() - w->last_hb >
		    (uint64_t)cfg->job_lease * 1000 / 3 && i + 1 < n) {
			mp_queue_heartbeat(w->db, w->a, w->thr.worker,
			    cfg->job_lease);
			w->last_hb = mp_monotonic_ms();
		}
	}
	if (ran > 0 && mp_queue_finish(w->db, w->a, jobs, ran) != MP_OK)
		mp_warn("%s: could not record every outcome", w->thr.worker);
	if (ran < n) {
		k = mp_queue_release(w->db, w->a, w->thr.worker, 0,
		    "worker stopping");
		mp_info("%s: stopping, %d claimed job%s released",
		    w->thr.worker, k, k == 1 ? "" : "s");
	}
	w->last_hb = mp_monotonic_ms();
	return n;
}

/*
 * A runner: claim batches from tx, then bulk while tx is empty, until a
 * claim comes back short; then sleep until woken (NOTIFY, a due job, or
 * one second).
 */
static void *
runner_main(void *arg)
{
	struct runner	*w = arg;
	unsigned long	 seen;
	int		 n, m, batch = cfg->job_batch;

	while (!stop) {
		pthread_mutex_lock(&wake_mu);
		seen = wake_gen;
		pthread_mutex_unlock(&wake_mu);
		mp_arena_reset(w->a);
		n = run_batch(w, "tx", batch);
		m = 0;
		if (n >= 0 && n < batch && !stop)
			m = run_batch(w, "bulk", batch);
		mp_arena_reset(w->a);
		if (n < 0 || m < 0) {
			if (mp_db_in_tx(w->db))
				mp_db_rollback(w->db);
			wait_wake(seen, 1000);
			continue;
		}
		if (n == batch || m == batch)
			continue;
		wait_wake(seen, 1000);
	}
	return NULL;
}

/* Connect the LISTEN connection; NULL when the database is unreachable. */
static PGconn *
listen_connect(int *fatal)
{
	const char	*keys[] = { "dbname", "connect_timeout",
	    "application_name", NULL };
	const char	*vals[4];
	char		 err[512];
	PGconn		*c;

	/*
	 * LISTEN needs a session of its own: behind a transaction pooler
	 * it would listen on whichever server connection it got, so
	 * listen_database_url names a direct one.
	 */
	vals[0] = cfg->listen_database_url[0] != '\0' ?
	    cfg->listen_database_url : cfg->database_url;
	vals[1] = "3";
	vals[2] = "mpanel-worker";
	vals[3] = NULL;
	c = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(c) != CONNECTION_OK) {
		mp_warn("database unreachable: %s", PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	if (mp_migrate_check(c, cfg->sql_dir, err, sizeof(err)) == MP_EINPUT) {
		mp_error("refusing to start: %s", err);
		PQfinish(c);
		*fatal = 1;
		return NULL;
	}
	PQclear(PQexec(c, "LISTEN mp_jobs"));
	/* A tenant's page-cache generation moved (migration 0024). */
	PQclear(PQexec(c, "LISTEN mp_cache"));
	return c;
}

/* A NOTIFY mp_cache arrived: the page cache's tick runs at once. */
static int	 cache_woken;

/*
 * Wait for a NOTIFY on mp_jobs or mp_cache, or ms milliseconds.  Returns
 * 1 when notified, 0 on timeout, -1 when the connection broke.
 */
static int
listen_wait(PGconn *c, int ms)
{
	struct pollfd	 pfd;
	PGnotify	*n;
	int		 got = 0;

	pfd.fd = PQsocket(c);
	pfd.events = POLLIN;
	if (poll(&pfd, 1, ms) < 0 && errno != EINTR)
		return -1;
	if (PQconsumeInput(c) == 0 || PQstatus(c) != CONNECTION_OK)
		return -1;
	while ((n = PQnotifies(c)) != NULL) {
		got = 1;
		if (strcmp(n->relname, "mp_cache") == 0)
			cache_woken = 1;
		PQfreemem(n);
	}
	return got;
}

int
main(int argc, char *argv[])
{
	struct runner		*rs = NULL;
	struct sigaction	 sa;
	struct mp_db		*db = NULL;
	struct mp_arena		*a = NULL;
	const char		*path = getenv("MPANEL_CONFIG");
	char			 err[512];
	unsigned char		 nonce[4];
	uint64_t		 last_rescue = 0, last_sched = 0, now;
	PGconn			*c = NULL;
	FILE			*f;
	int			 ch, i, n, fatal = 0, started = 0, ms;

	while ((ch = getopt(argc, argv, "c:")) != -1) {
		if (ch != 'c')
			usage();
		path = optarg;
	}
	mp_features_config();
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
	signal(SIGHUP, SIG_IGN);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		mp_error("curl_global_init failed");
		return 1;
	}
	if (gethostname(host, sizeof(host)) != 0 || host[0] == '\0')
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	for (i = 0; host[i] != '\0'; i++)
		if (host[i] == ':')
			host[i] = '-';
	if (cfg->pid_file[0] != '\0' && (f = fopen(cfg->pid_file, "w"))) {
		fprintf(f, "%d\n", (int)getpid());
		fclose(f);
	}
	mp_random(nonce, sizeof(nonce));
	db = mp_db_new(cfg->database_url, cfg->db_connect_timeout, 0);
	mp_db_set_pooled(db, mp_config_pooled(cfg));
	if (mp_config_pooled(cfg) && cfg->listen_database_url[0] == '\0')
		mp_warn("db_pooler = transaction without listen_database_url:"
		    " LISTEN goes through the pooler and misses wake-ups;"
		    " jobs then wait for the next poll (up to 1 s)");
	a = mp_arena_new(64 * 1024);
	mp_info("worker %d started: %d runners, batch %d, lease %d s",
	    (int)getpid(), cfg->worker_concurrency, cfg->job_batch,
	    cfg->job_lease);
	while (!stop) {
		if (reopen) {
			reopen = 0;
			mp_log_reopen();
		}
		if (c == NULL || PQstatus(c) != CONNECTION_OK) {
			if (c != NULL)
				PQfinish(c);
			if ((c = listen_connect(&fatal)) == NULL) {
				if (fatal)
					break;
				sleep(1);
				continue;
			}
		}
		if (!started) {
			/* Jobs of a previous life of this host come back first. */
			if ((n = mp_queue_rescue_dead(db, a, host)) < 0) {
				sleep(1);
				continue;
			}
			rs = calloc((size_t)cfg->worker_concurrency,
			    sizeof(*rs));
			if (rs == NULL)
				mp_oom();
			for (i = 0; i < cfg->worker_concurrency; i++) {
				rs[i].idx = i;
				rs[i].db = mp_db_new(cfg->database_url,
				    cfg->db_connect_timeout, 0);
				mp_db_set_pooled(rs[i].db,
				    mp_config_pooled(cfg));
				rs[i].a = mp_arena_new(256 * 1024);
				rs[i].last_hb = mp_monotonic_ms();
				/* Each runner its own: a parsed template is not shared between threads. */
				if (mp_tpl_load(&rs[i].thr.tpl,
				    cfg->templates_dir, err, sizeof(err)) !=
				    MP_OK) {
					mp_error("%s", err);
					exit(MP_EXIT_CONFIG);
				}
				snprintf(rs[i].thr.worker,
				    sizeof(rs[i].thr.worker),
				    "%s:%d:%02x%02x%02x%02x.%d", host,
				    (int)getpid(), nonce[0], nonce[1],
				    nonce[2], nonce[3], i);
				if (pthread_create(&rs[i].th, NULL,
				    runner_main, &rs[i]) != 0) {
					mp_error("pthread_create failed");
					exit(1);
				}
			}
			started = 1;
		}
		now = mp_monotonic_ms();
		if (now - last_rescue >= RESCUE_EVERY_MS) {
			if ((n = mp_queue_rescue(db, a)) > 0)
				mp_warn("rescued %d job%s with expired leases",
				    n, n == 1 ? "" : "s");
			last_rescue = now;
		}
		if (now - last_sched >= SCHEDULE_EVERY_MS) {
			if ((n = mp_queue_ensure_schedules(db, a)) > 0)
				mp_info("scheduled %d new periodic job%s", n,
				    n == 1 ? "" : "s");
			last_sched = now;
		}
		/* nginx's page cache: generation links, cached hits' counts. */
		mp_cache_tick(cfg, db, a, cache_woken);
		cache_woken = 0;
		mp_arena_reset(a);
		/* Poll for min(1 s, the next run_at), never spinning. */
		ms = mp_queue_next_ms(db, a);
		mp_arena_reset(a);
		n = listen_wait(c, ms < 50 ? 50 : ms);
		if (n != 0 || ms < 1000)
			wake_all();
		if (n < 0) {
			PQfinish(c);
			c = NULL;
		}
	}
	stop = 1;
	wake_all();
	mp_info("worker %d stopping: finishing running jobs", (int)getpid());
	for (i = 0; started && i < cfg->worker_concurrency; i++) {
		pthread_join(rs[i].th, NULL);
		if (rs[i].thr.smtp != NULL)
			curl_easy_cleanup(rs[i].thr.smtp);
		if (rs[i].thr.http != NULL)
			curl_easy_cleanup(rs[i].thr.http);
		mp_tpl_free(rs[i].thr.tpl);
		mp_arena_free(rs[i].a);
		mp_db_free(rs[i].db);
	}
	free(rs);
	mp_info("worker %d stopped", (int)getpid());
	if (c != NULL)
		PQfinish(c);
	mp_arena_free(a);
	mp_db_free(db);
	curl_global_cleanup();
	if (cfg->pid_file[0] != '\0')
		unlink(cfg->pid_file);
	mp_config_free(cfg);
	return fatal ? MP_EXIT_CONFIG : 0;
}
