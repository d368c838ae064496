/* mpanel-fcgi: the prefork FastCGI pool that renders the portal's pages and JSON. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "features/feature.h"

/* One responder's process-lifetime state. */
struct responder {
	struct mp_app	 app;
	struct mp_arena	*arena;
	struct mp_ctx	 ctx;		/* for the features' hooks */
};

/* The database is down: the route's feature may answer from a copy. */
static enum mp_err
fallback(struct mp_req *r, struct mp_resp *w)
{
	mp_handler	 h = mp_feature_fallback(r->route);

	return h != NULL ? h(r, w) : MP_EDB;
}

static void
limits_from(struct mp_limits *l, const struct mp_config *cfg)
{
	l->max_body = cfg->max_body;
	l->max_fields = cfg->max_fields;
	l->max_field_len = cfg->max_field_len;
	l->max_path = cfg->max_path;
	l->max_json_depth = cfg->max_json_depth;
}

/*
 * After fork(): templates, the database handle (connected now if the
 * server is up; a down server only means 503s until it is back) and the
 * arena.  Broken templates are a fatal configuration error.
 */
static int
child_init(struct mp_config *cfg, int generation, void **ctx)
{
	struct responder	*rp;
	char			 err[512];

	if ((rp = calloc(1, sizeof(*rp))) == NULL)
		mp_oom();
	rp->app.cfg = cfg;
	rp->app.routes = mp_routes_all(cfg, &rp->app.nroutes);
	rp->app.generation = generation;
	rp->app.version = MP_VERSION;
	rp->app.fallback = fallback;
	rp->app.record = mp_features_record;
	rp->app.layout = mp_features_layout;
	rp->app.send = mp_features_send;
	limits_from(&rp->app.limits, cfg);
	mp_password_list(cfg->passwords_file);
	if (mp_tpl_load(&rp->app.tpl, cfg->templates_dir, err, sizeof(err))
	    != MP_OK) {
		mp_error("%s", err);
		return MP_EXIT_CONFIG;
	}
	rp->app.db = mp_db_new(cfg->database_url, cfg->db_connect_timeout,
	    cfg->statement_timeout);
	mp_db_set_pooled(rp->app.db, mp_config_pooled(cfg));
	(void)mp_db_ensure(rp->app.db);
	/* The replica is connected on first use: see web/replica.c. */
	if (cfg->replica_database_url[0] != '\0') {
		rp->app.replica = mp_db_new(cfg->replica_database_url,
		    cfg->db_connect_timeout, cfg->statement_timeout);
		rp->app.rstate.state = MP_REPLICA_UNKNOWN;
	}
	rp->arena = mp_arena_new(0);
	rp->ctx.a = rp->arena;
	rp->ctx.db = rp->app.db;
	rp->ctx.cfg = cfg;
	rp->ctx.tpl = rp->app.tpl;
	*ctx = rp;
	return mp_features_start(&rp->ctx);
}

static void
serve(void *ctx, struct FCGX_Request *req)
{
	struct responder	*rp = ctx;

	mp_dispatch(&rp->app, rp->arena, req);
}

/* Between requests: whatever the features put off (counts, say). */
static int
after(void *ctx)
{
	struct responder	*rp = ctx;
	int			 ms;

	ms = mp_features_after(&rp->ctx);
	mp_arena_reset(rp->arena);
	return ms;
}

static void
child_fini(void *ctx)
{
	struct responder	*rp = ctx;

	mp_features_exit(&rp->ctx);
	mp_db_free(rp->app.db);
	mp_db_free(rp->app.replica);
	mp_tpl_free(rp->app.tpl);
	mp_arena_free(rp->arena);
	free(rp);
}

/* Before a reload and at start: the templates must parse. */
static int
check(struct mp_config *cfg, char *err, size_t errsz)
{
	struct mp_templates	*tpl;

	if (mp_tpl_load(&tpl, cfg->templates_dir, err, errsz) != MP_OK)
		return -1;
	mp_tpl_free(tpl);
	return 0;
}

/*
 * Refuse to serve a database that lacks a migration this build ships.
 * An unreachable database is not fatal: the pool starts and answers 503
 * until it is back.  The connection is closed before any fork().
 */
static int
check_schema(const struct mp_config *cfg)
{
	const char	*keys[] = { "dbname", "connect_timeout", NULL };
	const char	*vals[] = { cfg->database_url, "3", NULL };
	PGconn		*c;
	char		 err[512];
	enum mp_err	 rc;

	c = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(c) != CONNECTION_OK) {
		mp_warn("database unreachable at start (%s); serving 503 "
		    "until it is back", PQerrorMessage(c));
		PQfinish(c);
		return 0;
	}
	rc = mp_migrate_check(c, cfg->sql_dir, err, sizeof(err));
	PQfinish(c);
	if (rc == MP_EINPUT) {
		mp_error("refusing to start: %s", err);
		return -1;
	}
	if (rc != MP_OK)
		mp_warn("%s", err);
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: mpanel-fcgi [-tT] [-c mpanel.conf]\n");
	exit(64);
}

int
main(int argc, char *argv[])
{
	static const struct mp_pool_hooks hooks = {
		.child_init = child_init,
		.serve = serve,
		.child_fini = child_fini,
		.check = check,
		.after = after,
	};
	struct mp_config	*cfg;
	const char		*path = NULL;
	char			 err[512];
	int			 ch, test = 0, dump = 0;

	while ((ch = getopt(argc, argv, "c:tT")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 't':
			test = 1;
			break;
		case 'T':
			dump = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (path == NULL && getenv("MPANEL_CONFIG") != NULL)
		path = getenv("MPANEL_CONFIG");
	mp_features_config();
	if (mp_config_load(&cfg, path, err, sizeof(err)) != MP_OK) {
		fprintf(stderr, "mpanel-fcgi: %s\n", err);
		return MP_EXIT_CONFIG;
	}
	if (check(cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "mpanel-fcgi: %s\n", err);
		mp_config_free(cfg);
		return MP_EXIT_CONFIG;
	}
	if (test || dump) {
		/* -T also prints the surface and fails on what the checks find. */
		ch = dump ? mp_features_print(stdout) : 0;
		printf("mpanel-fcgi: configuration %s is ok\n",
		    path ? path : "(defaults)");
		mp_config_free(cfg);
		return ch == 0 ? 0 : 1;
	}
	mp_log_open("mpanel-fcgi", cfg->log_file, cfg->access_log,
	    cfg->log_level);
	if (check_schema(cfg) != 0) {
		mp_config_free(cfg);
		return MP_EXIT_CONFIG;
	}
	return mp_pool_run(path, cfg, &hooks);
}
