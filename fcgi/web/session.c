/* Sessions and CSRF: who is asking (cookie or API token), and whether a form came from us. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "web/extern.h"

enum {
	SS_BY_TOKEN,
	SS_TOUCH,
	SS_API_TOKEN,
	SS_API_TOUCH,
	SS__MAX
};

/*
 * Validity is decided in SQL on every request: not revoked, before the
 * absolute expiry, and active within the idle timeout.  "stale" says the
 * activity time is over a minute old, so it is written at most once a
 * minute per session, not on every request.
 */
static const struct mp_stmt stmts[] = {
	[SS_BY_TOKEN] = { "session_by_token",
	    "SELECT s.id, s.public_id, s.csrf_token, u.id, u.email, u.name,"
	    " u.role, u.is_operator,"
	    " s.last_seen_at < now() - interval '60 seconds'"
	    " FROM user_sessions s JOIN users u"
	    " ON u.tenant_id = s.tenant_id AND u.id = s.user_id"
	    " WHERE s.token_hash = $1 AND s.revoked_at IS NULL"
	    " AND s.expires_at > now()"
	    " AND s.last_seen_at + s.idle_timeout > now()"
	    " AND u.status = 'active'", MP_STMT_READ },
	[SS_TOUCH] = { "session_touch",
	    "UPDATE user_sessions SET last_seen_at = now() WHERE id = $1"
	    " AND tenant_id = (SELECT mp_tenant())" },
	[SS_API_TOKEN] = { "api_token_by_hash",
	    "SELECT t.id, t.public_id, u.id, u.email, u.name, u.role,"
	    " u.is_operator, t.last_used_at IS NULL OR"
	    " t.last_used_at < now() - interval '60 seconds'"
	    " FROM api_tokens t JOIN users u"
	    " ON u.tenant_id = t.tenant_id AND u.id = t.user_id"
	    " WHERE t.token_hash = $1 AND t.revoked_at IS NULL"
	    " AND u.status = 'active'", MP_STMT_READ },
	[SS_API_TOUCH] = { "api_token_touch",
	    "UPDATE api_tokens SET last_used_at = now() WHERE id = $1"
	    " AND tenant_id = (SELECT mp_tenant())" },
};

_Static_assert(sizeof(stmts) / sizeof(stmts[0]) == SS__MAX,
    "session statements and enum differ");

MP_STMT_TABLE(mp_session_st, stmts);

enum mp_role
mp_role_parse(const char *s)
{
	if (s == NULL)
		return MP_ROLE_NONE;
	if (strcmp(s, "admin") == 0)
		return MP_ROLE_ADMIN;
	if (strcmp(s, "support") == 0)
		return MP_ROLE_SUPPORT;
	if (strcmp(s, "customer") == 0)
		return MP_ROLE_CUSTOMER;
	return MP_ROLE_NONE;
}

const char *
mp_role_name(enum mp_role role)
{
	static const char *const names[] = {
		[MP_ROLE_NONE] = "none",
		[MP_ROLE_CUSTOMER] = "customer",
		[MP_ROLE_SUPPORT] = "support",
		[MP_ROLE_ADMIN] = "admin",
	};

	_Static_assert(sizeof(names) / sizeof(names[0]) == MP_ROLE__MAX,
	    "role names and enum differ");
	return role < MP_ROLE__MAX ? names[role] : "none";
}

static struct mp_user *
user_from(struct mp_req *r, struct mp_res *res, int c)
{
	struct mp_user	*u = mp_calloc(r->ctx.a, 1, sizeof(*u));

	u->id = mp_res_int(res, 0, c);
	u->id_text = mp_strdup(r->ctx.a, mp_res_get(res, 0, c));
	u->email = mp_strdup(r->ctx.a, mp_res_get(res, 0, c + 1));
	u->name = mp_strdup(r->ctx.a, mp_res_get(res, 0, c + 2));
	u->role = mp_role_parse(mp_res_get(res, 0, c + 3));
	u->is_operator = mp_res_bool(res, 0, c + 4);
	return u;
}

/*
 * Set r->user and r->sess from "Authorization: Bearer <token>" or the
 * session cookie, inside the tenant's transaction.  A missing, unknown,
 * expired or revoked credential leaves the request anonymous (a bad
 * Bearer token is MP_EAUTH: an API client must learn its token failed).
 */
enum mp_err
mp_session_load(struct mp_req *r)
{
	const char	*authz = mp_req_param(r, "HTTP_AUTHORIZATION");
	const char	*tok, *p[1];
	struct mp_res	*res;
	enum mp_err	 rc;

	if (authz != NULL && strncasecmp(authz, "Bearer ", 7) == 0) {
		tok = authz + 7;
		while (*tok == ' ')
			tok++;
		p[0] = mp_sha256_hex(r->ctx.a, tok, strlen(tok));
		if ((rc = mp_q(&r->ctx, &stmts[SS_API_TOKEN], 1, p, &res)) != MP_OK)
			return rc;
		if (mp_res_rows(res) == 0)
			return mp_req_fail(r, MP_EAUTH, NULL,
			    "The API token is not valid.");
		r->sess = mp_calloc(r->ctx.a, 1, sizeof(*r->sess));
		r->sess->public_id = mp_strdup(r->ctx.a, mp_res_get(res, 0, 1));
		r->sess->via_token = 1;
		r->user = user_from(r, res, 2);
		if (mp_res_bool(res, 0, 7)) {
			p[0] = mp_res_get(res, 0, 0);
			if ((rc = mp_q(&r->ctx, &stmts[SS_API_TOUCH], 1, p, NULL)) !=
			    MP_OK)
				return rc;
		}
		return MP_OK;
	}
	if ((tok = mp_req_cookie(r, MP_SESSION_COOKIE)) == NULL || *tok == '\0')
		return MP_OK;
	p[0] = mp_sha256_hex(r->ctx.a, tok, strlen(tok));
	if ((rc = mp_q(&r->ctx, &stmts[SS_BY_TOKEN], 1, p, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) == 0) {
		r->stale_cookie = 1;
		return MP_OK;
	}
	r->sess = mp_calloc(r->ctx.a, 1, sizeof(*r->sess));
	r->sess->id_text = mp_strdup(r->ctx.a, mp_res_get(res, 0, 0));
	r->sess->public_id = mp_strdup(r->ctx.a, mp_res_get(res, 0, 1));
	r->sess->csrf = mp_strdup(r->ctx.a, mp_res_get(res, 0, 2));
	r->user = user_from(r, res, 3);
	if (mp_res_bool(res, 0, 8)) {
		p[0] = r->sess->id_text;
		if ((rc = mp_q(&r->ctx, &stmts[SS_TOUCH], 1, p, NULL)) != MP_OK)
			return rc;
	}
	return MP_OK;
}

/*
 * The token a form would carry now, without minting one: the session's,
 * or the anonymous visitor's from a well-formed cookie; else NULL.
 */
const char *
mp_csrf_existing(struct mp_req *r)
{
	const char	*c;

	if (r->sess != NULL && r->sess->csrf != NULL)
		return r->sess->csrf;
	if (r->visitor_csrf != NULL)
		return r->visitor_csrf;
	c = mp_req_cookie(r, MP_CSRF_COOKIE);
	if (c != NULL && strlen(c) >= 32 && strlen(c) <= 64)
		return c;
	return NULL;
}

/*
 * The token forms must carry: the session's for a signed-in visitor,
 * else the anonymous visitor's from its cookie, minted (and flagged for
 * the response to set) when there is none yet.
 */
const char *
mp_csrf_token(struct mp_req *r)
{
	const char	*c;

	if ((c = mp_csrf_existing(r)) != NULL)
		return c;
	r->visitor_csrf = mp_token(r->ctx.a, 32);
	r->visitor_csrf_new = 1;
	return r->visitor_csrf;
}

/*
 * Whether origin (an Origin or Referer value) is this site: the configured
 * public origin, or https:// plus the Host the browser sent, port and
 * all (nginx passes it as MP_ORIGIN_HOST; HTTP_HOST has the port cut).
 */
static int
origin_matches(struct mp_req *r, const char *origin)
{
	const char	*host = mp_req_param(r, "MP_ORIGIN_HOST");
	const char	*pub = r->ctx.cfg->public_origin;
	size_t		 hl;

	if (host == NULL)
		host = mp_req_param(r, "HTTP_HOST");
	if (origin == NULL || host == NULL)
		return 0;
	if (pub != NULL && *pub != '\0' && strcmp(origin, pub) == 0)
		return 1;
	if (strncmp(origin, "https://", 8) != 0)
		return 0;
	origin += 8;
	hl = strlen(host);
	return strncasecmp(origin, host, hl) == 0 &&
	    (origin[hl] == '\0' || origin[hl] == '/');
}

/*
 * CSRF defence for an unsafe method: Fetch Metadata first (cross-site is
 * refused outright), else the Origin or Referer must be ours; then the
 * synchronizer token from the form field or X-CSRF-Token header must
 * equal the session's (or the anonymous visitor's cookie).  API-token
 * requests carry no ambient credential and are exempt.
 */
enum mp_err
mp_csrf_check(struct mp_req *r)
{
	const char	*site = mp_req_param(r, "HTTP_SEC_FETCH_SITE");
	const char	*origin, *want, *got;

	if (r->sess != NULL && r->sess->via_token)
		return MP_OK;
	if (site != NULL) {
		if (strcmp(site, "cross-site") == 0)
			return mp_req_fail(r, MP_EFORBID, NULL,
			    "Cross-site form submissions are refused.");
	} else {
		origin = mp_req_param(r, "HTTP_ORIGIN");
		if (origin == NULL || strcmp(origin, "null") == 0)
			origin = mp_req_param(r, "HTTP_REFERER");
		if (!origin_matches(r, origin))
			return mp_req_fail(r, MP_EFORBID, NULL,
			    "The form did not come from this site.");
	}
	/*
	 * A form on a page nginx shares between anonymous visitors carries
	 * no token; with no session there is no credential to ride, and
	 * the post must come from this very origin.
	 */
	if (r->sess == NULL && (r->route->flags & MP_R_ANONFORM) &&
	    (site == NULL || strcmp(site, "same-origin") == 0))
		return MP_OK;
	if (r->sess != NULL && r->sess->csrf != NULL)
		want = r->sess->csrf;
	else
		want = mp_req_cookie(r, MP_CSRF_COOKIE);
	if ((got = mp_req_form(r, "csrf_token")) == NULL)
		got = mp_req_param(r, "HTTP_X_CSRF_TOKEN");
	if (want == NULL || got == NULL || strlen(want) < 16 ||
	    strlen(want) != strlen(got) ||
	    !mp_ct_equal(want, got, strlen(want)))
		return mp_req_fail(r, MP_EFORBID, NULL,
		    "The form has expired or did not come from this site. "
		    "Reload the page and try again.");
	return MP_OK;
}

/*
 * The route's access level against r->user.  Anonymous visitors get
 * MP_EAUTH (the dispatcher sends HTML visitors to the sign-in page);
 * signed-in users without the role get MP_EFORBID.
 */
enum mp_err
mp_auth_check(struct mp_req *r)
{
	unsigned	 f = r->route->flags;

	if (!(f & (MP_R_AUTH | MP_R_STAFF | MP_R_ADMIN)))
		return MP_OK;
	if (r->user == NULL)
		return mp_req_fail(r, MP_EAUTH, NULL,
		    "Please sign in to continue.");
	if ((f & MP_R_ADMIN) && r->user->role < MP_ROLE_ADMIN)
		return mp_req_fail(r, MP_EFORBID, NULL,
		    "This needs an administrator of this portal.");
	if ((f & MP_R_STAFF) && r->user->role < MP_ROLE_SUPPORT)
		return mp_req_fail(r, MP_EFORBID, NULL,
		    "This is for the support team of this portal.");
	return MP_OK;
}
