/* mpanelctl's transactions acting for one tenant, bound by the core's one tenant binding. */
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "bin/extern.h"

static const struct mp_stmt stmts[] = {
	{ "ctl_tenant_by_slug",
	    "SELECT id FROM tenants WHERE slug = $1", MP_STMT_READ },
	{ "ctl_tenant_by_id",
	    "SELECT id FROM tenants WHERE id = $1::bigint", MP_STMT_READ },
};

MP_STMT_TABLE(mp_ctl_st, stmts);

/*
 * Open a transaction for the tenant whose slug (by_id 0) or id (by_id 1)
 * is key, on a connection of its own as the owner role, bound with
 * mp_tx_begin like every request and job.  Returns the plain connection,
 * with the BEGIN and the binding already sent, for statements that need
 * libpq directly (a seed file's many statements); NULL, with a message on
 * standard error, when the tenant does not exist or the database fails.
 * End it with mp_ctl_tenant_end() either way.
 */
struct pg_conn *
mp_ctl_tenant_begin(struct mp_ctl_tx *tx, const struct mp_config *cfg,
    const char *key, int by_id)
{
	struct mp_res	*res;
	const char	*p[1] = { key };

	memset(tx, 0, sizeof(*tx));
	tx->ctx.db = mp_db_new(cfg->admin_database_url[0] != '\0' ?
	    cfg->admin_database_url : cfg->database_url, 5, 0);
	mp_db_set_pooled(tx->ctx.db, cfg->admin_database_url[0] == '\0' &&
	    mp_config_pooled(cfg));
	tx->ctx.a = mp_arena_new(0);
	tx->ctx.cfg = cfg;
	if (mp_db_exec(tx->ctx.db, tx->ctx.a, &stmts[by_id ? 1 : 0], 1, p,
	    &res) != MP_OK) {
		fprintf(stderr, "mpanelctl: %s\n", mp_db_errmsg(tx->ctx.db));
		return NULL;
	}
	if (mp_res_rows(res) != 1) {
		fprintf(stderr, "mpanelctl: no tenant %s\n", key);
		return NULL;
	}
	tx->tenant.id = mp_res_int(res, 0, 0);
	tx->tenant.id_text = mp_strdup(tx->ctx.a, mp_res_get(res, 0, 0));
	tx->ctx.tenant = &tx->tenant;
	if (mp_tx_begin(&tx->ctx) != MP_OK)
		return NULL;
	return mp_db_conn(tx->ctx.db);
}

/* Commit (ok) or roll back, and close; returns 0, or 1 if the commit failed. */
int
mp_ctl_tenant_end(struct mp_ctl_tx *tx, int ok)
{
	int	 rc = 0;

	if (tx->ctx.db == NULL)
		return 1;
	if (ok && tx->ctx.tenant != NULL && mp_tx_commit(&tx->ctx) != MP_OK) {
		fprintf(stderr, "mpanelctl: commit: %s\n",
		    mp_db_errmsg(tx->ctx.db));
		rc = 1;
	} else if (!ok || tx->ctx.tenant == NULL)
		mp_tx_rollback(&tx->ctx);
	mp_db_free(tx->ctx.db);
	mp_arena_free(tx->ctx.a);
	memset(tx, 0, sizeof(*tx));
	return rc;
}
