/* Tenants: resolved from the Host header, cached per responder for a few seconds. */
#include <stdlib.h>
#include <string.h>

#include "web/extern.h"

#define CACHE_SLOTS	64

struct cached {
	char		*host;
	uint64_t	 expires_ms;
	int		 found;
	struct mp_tenant t;
};

static struct cached	 cache[CACHE_SLOTS];

static const struct mp_stmt stmts[] = {
	{ "tenant_by_host",
	    "SELECT id, slug, name, plan, status, custom_domain"
	    " FROM tenants"
	    " WHERE status = 'active'"
	    " AND (custom_domain = $1 OR ($2 <> '' AND slug = $2))"
	    " ORDER BY custom_domain = $1 DESC LIMIT 1", MP_STMT_READ },
};

MP_STMT_TABLE(mp_tenant_st, stmts);

static void
tenant_free(struct mp_tenant *t)
{
	free(t->id_text);
	free(t->slug);
	free(t->name);
	free(t->plan);
	free(t->status);
	free(t->domain);
	memset(t, 0, sizeof(*t));
}

void
mp_tenant_cache_clear(void)
{
	size_t	 i;

	for (i = 0; i < CACHE_SLOTS; i++) {
		free(cache[i].host);
		tenant_free(&cache[i].t);
		memset(&cache[i], 0, sizeof(cache[i]));
	}
}

static char *
xstrdup(const char *s)
{
	char	*d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		mp_oom();
	return d;
}

static size_t
slot_of(const char *host)
{
	uint32_t	 h = 2166136261u;

	for (; *host; host++)
		h = (h ^ (unsigned char)*host) * 16777619u;
	return h % CACHE_SLOTS;
}

/*
 * The slug a host names under the base domain ("acme" for
 * "acme.example.com" with base "example.com"), or "" when it is not a
 * direct subdomain of it.
 */
static const char *
slug_of(struct mp_arena *a, const char *host, const char *base)
{
	size_t	 hl = strlen(host), bl = strlen(base);

	if (bl == 0 || hl <= bl + 1 || host[hl - bl - 1] != '.' ||
	    strcmp(host + hl - bl, base) != 0)
		return "";
	if (memchr(host, '.', hl - bl - 1) != NULL)
		return "";
	return mp_strndup(a, host, hl - bl - 1);
}

/*
 * Set r->ctx.tenant from r->host: a custom domain first, else the slug under
 * base_domain.  Unknown hosts are MP_ENOTFOUND (and cached as such, so a
 * flood of bogus hosts costs one query each per TTL and slot).
 */
enum mp_err
mp_tenant_resolve(struct mp_req *r)
{
	struct cached	*c;
	struct mp_res	*res;
	const char	*p[2];
	uint64_t	 now = mp_monotonic_ms();
	enum mp_err	 rc;

	if (r->host == NULL || *r->host == '\0')
		return MP_ENOTFOUND;
	c = &cache[slot_of(r->host)];
	if (c->host != NULL && now < c->expires_ms &&
	    strcmp(c->host, r->host) == 0) {
		if (!c->found)
			return MP_ENOTFOUND;
		r->ctx.tenant = &c->t;
		return MP_OK;
	}
	p[0] = r->host;
	p[1] = slug_of(r->ctx.a, r->host, r->ctx.cfg->base_domain);
	if ((rc = mp_q(&r->ctx, &stmts[0], 2, p, &res)) != MP_OK)
		return rc;
	free(c->host);
	tenant_free(&c->t);
	c->host = xstrdup(r->host);
	c->expires_ms = now + (uint64_t)r->ctx.cfg->tenant_cache_ttl * 1000;
	c->found = mp_res_rows(res) > 0;
	if (!c->found)
		return MP_ENOTFOUND;
	c->t.id = mp_res_int(res, 0, 0);
	c->t.id_text = xstrdup(mp_res_get(res, 0, 0));
	c->t.slug = xstrdup(mp_res_get(res, 0, 1));
	c->t.name = xstrdup(mp_res_get(res, 0, 2));
	c->t.plan = xstrdup(mp_res_get(res, 0, 3));
	c->t.status = xstrdup(mp_res_get(res, 0, 4));
	c->t.domain = xstrdup(mp_res_get(res, 0, 5));
	r->ctx.tenant = &c->t;
	return MP_OK;
}
