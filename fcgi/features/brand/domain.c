/* Custom domains: a token to publish, the worker's check of it under the outbound rules, and the domain made the tenant's. */
#include <ctype.h>
#include <string.h>

#include <json-c/json.h>

#include "features/brand/extern.h"

#define CHECK_MAX_BODY	1024	/* the file holds the token and a newline */

enum { D_CLEAR, D_UPSERT, D_CHECKING, D_GET, D_RESULT, D_APPLY, D_CURRENT,
    D__MAX };

static const struct mp_stmt stmts[] = {
	[D_CLEAR] = { "brand_d_clear", "SELECT mp_brand_domain_clear()" },
	[D_UPSERT] = { "brand_d_upsert",
	    "INSERT INTO brand_domain (tenant_id, domain, token)"
	    " VALUES (mp_tenant(), $1, $2) ON CONFLICT (tenant_id) DO UPDATE"
	    " SET token = CASE WHEN brand_domain.domain = EXCLUDED.domain"
	    "  THEN brand_domain.token ELSE EXCLUDED.token END,"
	    " status = CASE WHEN brand_domain.domain = EXCLUDED.domain"
	    "  THEN brand_domain.status ELSE 'pending' END,"
	    " detail = CASE WHEN brand_domain.domain = EXCLUDED.domain"
	    "  THEN brand_domain.detail END,"
	    " domain = EXCLUDED.domain"
	    " RETURNING domain, token, status" },
	[D_CHECKING] = { "brand_d_checking",
	    "UPDATE brand_domain SET status = 'checking', detail = NULL"
	    " WHERE domain = $1 RETURNING token" },
	[D_GET] = { "brand_d_get",
	    "SELECT d.domain, d.token, d.status, d.detail, d.checked_at,"
	    " t.custom_domain FROM tenants t LEFT JOIN brand_domain d"
	    " ON d.tenant_id = t.id WHERE t.id = mp_tenant()", MP_STMT_READ },
	[D_RESULT] = { "brand_d_result",
	    "UPDATE brand_domain SET status = $2, detail = left($3, 500),"
	    " checked_at = now(), verified_at = CASE WHEN $2 = 'verified'"
	    "  THEN now() END WHERE domain = $1 AND token = $4" },
	[D_APPLY] = { "brand_d_apply", "SELECT mp_brand_domain_apply($1)" },
	[D_CURRENT] = { "brand_d_current",
	    "SELECT custom_domain FROM tenants WHERE id = mp_tenant()",
	    MP_STMT_READ },
};

_Static_assert(MP_NELEM(stmts) == D__MAX, "brand domain statements and enum differ");

MP_STMT_TABLE(mp_brand_domain_st, stmts);

const struct mp_field mp_brand_verify_fields[] = {
	{ "domain",	MP_V_TEXT, 0, 253, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

/*
 * 1 when d is a lower-case DNS host name of two labels or more, with an
 * alphabetic top-level label, neither this service's base domain nor
 * a direct subdomain of it (those are the tenants' own hosts).
 */
int
mp_brand_domain_ok(const struct mp_config *cfg, const char *d)
{
	size_t	 n = strlen(d), i, label = 0, bl;
	int	 dots = 0, alpha_tld = 1;

	if (n < 4 || n > 253 || d[0] == '.' || d[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		if (d[i] == '.') {
			if (label == 0 || d[i - 1] == '-')
				return 0;
			dots++;
			label = 0;
			alpha_tld = 1;
			continue;
		}
		if (!(islower((unsigned char)d[i]) ||
		    isdigit((unsigned char)d[i]) || d[i] == '-'))
			return 0;
		if (d[i] == '-' && label == 0)
			return 0;
		if (!islower((unsigned char)d[i]))
			alpha_tld = 0;
		if (++label > 63)
			return 0;
	}
	if (dots == 0 || !alpha_tld || label < 2 || d[n - 1] == '-')
		return 0;
	bl = cfg->base_domain != NULL ? strlen(cfg->base_domain) : 0;
	if (bl > 0 && strcmp(d, cfg->base_domain) == 0)
		return 0;
	/* <label>.<base_domain> is a tenant's own host (its slug). */
	if (bl > 0 && n > bl + 1 && d[n - bl - 1] == '.' &&
	    strcmp(d + n - bl, cfg->base_domain) == 0 &&
	    memchr(d, '.', n - bl - 1) == NULL)
		return 0;
	return 1;
}

/*
 * Record domain as the tenant's custom domain to be: a new token when
 * the domain is new to it, the old one when it is the same.  "" removes
 * the custom domain (and forgets its host link).  With enqueue, the
 * worker's check is queued too.
 */
enum mp_err
mp_brand_domain_start(struct mp_ctx *c, const char *domain, int enqueue)
{
	struct mp_job_spec	 spec;
	struct json_object	*pl;
	struct mp_res		*res;
	const char		*p[2];
	enum mp_err		 rc;

	if (*domain == '\0') {
		if ((rc = mp_q(c, &stmts[D_CLEAR], 0, NULL, &res)) != MP_OK)
			return rc;
		if (!mp_res_isnull(res, 0, 0))
			mp_brand_host_unlink(c->cfg, mp_res_get(res, 0, 0));
		return MP_OK;
	}
	if ((rc = mp_q(c, &stmts[D_CURRENT], 0, NULL, &res)) != MP_OK)
		return rc;
	if (!enqueue && mp_res_rows(res) == 1 && !mp_res_isnull(res, 0, 0) &&
	    strcmp(mp_res_get(res, 0, 0), domain) == 0)
		return MP_OK;	/* already the tenant's */
	p[0] = domain;
	p[1] = mp_token(c->a, 32);
	if ((rc = mp_q(c, &stmts[D_UPSERT], 2, p, &res)) != MP_OK)
		return rc;
	if (!enqueue)
		return MP_OK;
	if ((rc = mp_q(c, &stmts[D_CHECKING], 1, p, NULL)) != MP_OK)
		return rc;
	pl = json_object_new_object();
	mp_json_own(c->a, pl);
	json_object_object_add(pl, "domain", json_object_new_string(domain));
	memset(&spec, 0, sizeof(spec));
	spec.kind = "brand.verify-domain";
	spec.queue = "tx";
	spec.priority = 3;
	spec.payload = pl;
	return mp_job_enqueue(c, &spec, NULL);
}

/* The domain a verify request names: its field, else the pending one. */
static enum mp_err
verify(struct mp_req *r, const char **domain)
{
	const struct mp_value	*v = mp_req_val(r, "domain");
	struct mp_res		*res;
	enum mp_err		 rc;

	if ((rc = mp_q(&r->ctx, &stmts[D_GET], 0, NULL, &res)) != MP_OK)
		return rc;
	*domain = v != NULL && v->present && v->len > 0 ? v->s :
	    mp_res_get(res, 0, 0);
	if (*domain == NULL)
		return mp_req_fail(r, MP_EINPUT, "domain",
		    "domain is required: the host name to serve this portal "
		    "on, such as portal.example.com.");
	if (!mp_brand_domain_ok(r->ctx.cfg, *domain))
		return mp_req_fail(r, MP_EINPUT, "domain",
		    "domain must be a host name such as portal.example.com, "
		    "not under this service's own domain.");
	return mp_brand_domain_start(&r->ctx, *domain, 1);
}

/*
 * POST /api/white-label/verify-domain {"domain"}: issue (or keep) the
 * token and queue the check; 202 with what to publish where.
 */
enum mp_err
mp_brand_api_verify(struct mp_req *r, struct mp_resp *w)
{
	struct json_object	*o;
	struct mp_res		*res;
	const char		*domain;
	enum mp_err		 rc;

	if ((rc = verify(r, &domain)) != MP_OK)
		return rc;
	if ((rc = mp_q(&r->ctx, &stmts[D_GET], 0, NULL, &res)) != MP_OK)
		return rc;
	o = json_object_new_object();
	json_object_object_add(o, "domain",
	    json_object_new_string(mp_res_get(res, 0, 0)));
	json_object_object_add(o, "status",
	    json_object_new_string(mp_res_get(res, 0, 2)));
	json_object_object_add(o, "token",
	    json_object_new_string(mp_res_get(res, 0, 1)));
	json_object_object_add(o, "url", json_object_new_string(
	    mp_printf(r->ctx.a, "https://%s/.well-known/mpanel-verification/%s",
	    mp_res_get(res, 0, 0), mp_res_get(res, 0, 1))));
	json_object_object_add(o, "content", json_object_new_string(
	    mp_res_get(res, 0, 1)));
	rc = mp_resp_json(r, w, 202, o);
	json_object_put(o);
	return rc;
}

/* POST /admin/branding/domain: the staff page's "Check now". */
enum mp_err
mp_brand_admin_verify(struct mp_req *r, struct mp_resp *w)
{
	const char	*domain;
	enum mp_err	 rc;

	if ((rc = verify(r, &domain)) != MP_OK)
		return rc;
	return mp_resp_redirect(w, 303, "/admin/branding?saved=domain");
}

/*
 * The brand.verify-domain job: fetch
 * https://<domain>/.well-known/mpanel-verification/<token> under the
 * outbound rules (no private addresses, no redirects, timeouts, a size
 * cap); the body must be the token.  Verified: the domain becomes the
 * tenant's (unless another tenant holds it).  Either way the result is
 * recorded and the job is done; a staff member runs the check again.
 */
enum mp_err
mp_brand_job_verify(struct mp_job *j)
{
	const struct mp_brand_conf	*bc = mp_brand_conf(j->ctx.cfg);
	struct json_object		*dv;
	struct mp_outbound		 o;
	struct mp_res			*res;
	struct mp_buf			 body;
	const char			*domain, *token, *p[4];
	char				*got, port[12] = "";
	const char			*status = "failed", *detail = NULL;
	enum mp_err			 rc;
	size_t				 n;

	if (!json_object_object_get_ex(j->payload, "domain", &dv) ||
	    (domain = json_object_get_string(dv)) == NULL) {
		j->permanent = 1;
		j->error = "no domain in the payload";
		return MP_EINPUT;
	}
	if ((rc = mp_q(&j->ctx, &stmts[D_GET], 0, NULL, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) != 1 || mp_res_isnull(res, 0, 0) ||
	    strcmp(mp_res_get(res, 0, 0), domain) != 0)
		return MP_OK;	/* the tenant moved on to another domain */
	token = mp_strdup(j->ctx.a, mp_res_get(res, 0, 1));
	if ((rc = mp_tx_commit(&j->ctx)) != MP_OK)
		return rc;
	if (bc->domain_check_port > 0)
		snprintf(port, sizeof(port), ":%d", bc->domain_check_port);
	memset(&o, 0, sizeof(o));
	mp_buf_init(&body, CHECK_MAX_BODY);
	o.url = mp_printf(j->ctx.a, "%s://%s%s/.well-known/"
	    "mpanel-verification/%s", bc->domain_check_allow_http ? "http" :
	    "https", domain, port, token);
	o.protocols = bc->domain_check_allow_http ? "http,https" : "https";
	o.ca_file = bc->domain_check_ca_file;
	o.user_agent = "mPanel-domain-check/1";
	o.timeout_ms = bc->domain_check_timeout;
	o.max_body = CHECK_MAX_BODY;
	o.allow_private = bc->domain_check_allow_private;
	o.body = &body;
	if (mp_outbound(j->ctx.a, &o) != MP_OK)
		detail = o.detail;
	else if (o.status >= 300 && o.status < 400)
		detail = mp_printf(j->ctx.a, "HTTP %ld: redirects are not "
		    "followed; serve the file at this address itself",
		    o.status);
	else if (o.status != 200)
		detail = mp_printf(j->ctx.a, "HTTP %ld, expected 200",
		    o.status);
	else {
		got = mp_strndup(j->ctx.a, body.data ? body.data : "",
		    body.len);
		n = strlen(got);
		while (n > 0 && (got[n - 1] == '\n' || got[n - 1] == '\r' ||
		    got[n - 1] == ' '))
			got[--n] = '\0';
		if (strcmp(got, token) == 0)
			status = "verified";
		else
			detail = "the file does not hold the token";
	}
	mp_buf_free(&body);
	p[0] = domain;
	p[1] = status;
	p[2] = detail;
	p[3] = token;
	if ((rc = mp_q(&j->ctx, &stmts[D_RESULT], 4, p, NULL)) != MP_OK)
		return rc;
	if (strcmp(status, "verified") == 0) {
		rc = mp_q(&j->ctx, &stmts[D_APPLY], 1, p, NULL);
		if (rc == MP_ECONFLICT) {
			mp_tx_rollback(&j->ctx);
			p[1] = "failed";
			p[2] = "another portal already uses this domain";
			rc = mp_q(&j->ctx, &stmts[D_RESULT], 4, p, NULL);
		} else if (rc == MP_OK)
			mp_brand_host_unlink(j->ctx.cfg, domain);
		if (rc != MP_OK)
			return rc;
	}
	mp_info("brand: domain %s: %s%s%s", domain, p[1], p[2] ? ": " : "",
	    p[2] ? p[2] : "");
	return MP_OK;
}
