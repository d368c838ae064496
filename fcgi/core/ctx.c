/* The unit of work: querying bound to a tenant, its transaction, and the tenant's public origin. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/extern.h"

enum cxst { CX_SET_TENANT, CX_TENANT_BY_ID, CX__MAX };

static const struct mp_stmt stmts[] = {
	/*
	 * The only statement that sets app.tenant_id.  Transaction-local
	 * (the third argument), so a pooled server connection never carries
	 * one tenant's setting into another's transaction.
	 */
	[CX_SET_TENANT] = { "ctx_set_tenant",
	    "SELECT set_config('app.tenant_id', $1, true)", MP_STMT_READ },
	[CX_TENANT_BY_ID] = { "ctx_tenant_by_id",
	    "SELECT slug, name, plan, status, custom_domain FROM tenants"
	    " WHERE id = $1::bigint", MP_STMT_READ },
};

_Static_assert(MP_NELEM(stmts) == CX__MAX, "ctx statements and enum differ");

MP_STMT_TABLE(mp_ctx_st, stmts);

enum mp_err
mp_tx_begin(struct mp_ctx *c)
{
	const char	*p[1];
	enum mp_err	 rc;

	if ((rc = mp_db_begin(c->db)) != MP_OK || c->tenant == NULL)
		return rc;
	p[0] = c->tenant->id_text;
	if ((rc = mp_db_queue(c->db, &stmts[CX_SET_TENANT], 1, p)) != MP_OK)
		mp_db_rollback(c->db);
	return rc;
}

enum mp_err
mp_tx_commit(struct mp_ctx *c)
{
	if (!mp_db_in_tx(c->db))
		return MP_OK;
	return mp_db_commit(c->db);
}

void
mp_tx_rollback(struct mp_ctx *c)
{
	mp_db_rollback(c->db);
}

enum mp_err
mp_q(struct mp_ctx *c, const struct mp_stmt *st, int n, const char *const *p,
    struct mp_res **res)
{
	enum mp_err	 rc;

	c->db_used = 1;
	if (c->tenant != NULL && !mp_db_in_tx(c->db) &&
	    (rc = mp_tx_begin(c)) != MP_OK)
		return rc;
	return mp_db_exec(c->db, c->a, st, n, p, res);
}

static char *
dup_or_null(struct mp_arena *a, const char *s)
{
	return s == NULL ? NULL : mp_strdup(a, s);
}

/*
 * A job knows its tenant by id only; what links and templates need is
 * read on first use, in the job's transaction.
 */
enum mp_err
mp_tenant_fill(struct mp_ctx *c)
{
	struct mp_tenant	*t = c->tenant;
	struct mp_res		*res;
	const char		*p[1];
	enum mp_err		 rc;

	if (t == NULL)
		return MP_ENOTFOUND;
	if (t->slug != NULL)
		return MP_OK;
	p[0] = t->id_text;
	if ((rc = mp_q(c, &stmts[CX_TENANT_BY_ID], 1, p, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) != 1)
		return MP_ENOTFOUND;
	t->slug = mp_strdup(c->a, mp_res_get(res, 0, 0));
	t->name = mp_strdup(c->a, mp_res_get(res, 0, 1));
	t->plan = dup_or_null(c->a, mp_res_get(res, 0, 2));
	t->status = dup_or_null(c->a, mp_res_get(res, 0, 3));
	t->domain = dup_or_null(c->a, mp_res_get(res, 0, 4));
	return MP_OK;
}

char *
mp_origin_of(struct mp_arena *a, const struct mp_config *cfg,
    const struct mp_tenant *t)
{
	const char	*scheme = cfg->public_scheme;
	char		 port[8] = "";
	int		 def;

	if (scheme == NULL || *scheme == '\0')
		scheme = "https";
	def = strcmp(scheme, "http") == 0 ? 80 : 443;
	if (cfg->public_port != 0 && cfg->public_port != def)
		snprintf(port, sizeof(port), ":%d", cfg->public_port);
	if (t->domain != NULL && t->domain[0] != '\0')
		return mp_printf(a, "%s://%s%s", scheme, t->domain, port);
	return mp_printf(a, "%s://%s.%s%s", scheme, t->slug, cfg->base_domain,
	    port);
}

char *
mp_origin(struct mp_ctx *c)
{
	if (mp_tenant_fill(c) != MP_OK)
		return NULL;
	return mp_origin_of(c->a, c->cfg, c->tenant);
}

enum mp_err
mp_fail(struct mp_ctx *c, enum mp_err err, const char *field, const char *msg)
{
	c->err_field = field;
	c->err_msg = msg;
	return err;
}

enum mp_err
mp_q_one(struct mp_ctx *c, const struct mp_stmt *st, int n,
    const char *const *p, struct mp_res **res, const char *msg)
{
	enum mp_err	 rc;

	if ((rc = mp_q(c, st, n, p, res)) != MP_OK)
		return rc;
	if (mp_res_rows(*res) != 1)
		return mp_fail(c, MP_ENOTFOUND, NULL, msg);
	return MP_OK;
}
