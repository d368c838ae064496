/* The prepared-statement table: every SQL text the programs run, in one place. */
#include "features/extern.h"

const struct mp_stmt mp_stmts[] = {
	[ST_PING] = { "ping", "SELECT 1", MP_STMT_READ },
	[ST_TENANT_BY_HOST] = { "tenant_by_host",
	    "SELECT id, slug, name, plan, status, custom_domain"
	    " FROM tenants"
	    " WHERE status = 'active'"
	    " AND (custom_domain = $1 OR ($2 <> '' AND slug = $2))"
	    " ORDER BY custom_domain = $1 DESC LIMIT 1", MP_STMT_READ },
	[ST_SET_TENANT] = { "set_tenant",
	    "SELECT set_config('app.tenant_id', $1, true)", MP_STMT_READ },
	[ST_MIGRATIONS] = { "migrations",
	    "SELECT version FROM schema_migrations ORDER BY version" },
	[ST_BRANDING] = { "branding",
	    "SELECT site_title, tagline, support_email, version,"
	    " primary_color, accent_color FROM tenant_branding",
	    MP_STMT_READ },
};

_Static_assert(sizeof(mp_stmts) / sizeof(mp_stmts[0]) == ST__MAX,
    "statement table and enum differ");
