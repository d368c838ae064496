/* The feature list, and the route, job and statement tables merged from it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features/feature.h"

/*
 * Every feature of the portal, one line each: X(name) stands for the
 * struct mp_feature mp_feature_<name> that fcgi/features/<name>/ exports.
 * Routes match in this order (and in each feature's own order), so a
 * feature whose patterns would shadow another's goes after it;
 * mp_features_check() says when one does.
 */
#define MP_FEATURE_LIST(X) \
	X(home) \
	X(accounts) \
	X(twofa) \
	X(queue) \
	X(notify) \
	X(status) \
	X(kb) \
	X(audit) \
	X(prefs) \
	X(brand) \
	X(surveys) \
	X(cache) \
	X(testing)

#define DECLARE(name)	extern const struct mp_feature mp_feature_##name;
#define ENTRY(name)	&mp_feature_##name,

MP_FEATURE_LIST(DECLARE)

const struct mp_feature *const mp_features[] = {
	MP_FEATURE_LIST(ENTRY)
	NULL
};

void
mp_features_config(void)
{
	static const struct mp_confsec	*list[MP_NELEM(mp_features)];
	const struct mp_feature		*const *f;
	size_t				 n = 0;

	for (f = mp_features; *f != NULL; f++)
		if ((*f)->conf != NULL)
			list[n++] = (*f)->conf;
	list[n] = NULL;
	mp_config_sections(list);
}

/* The merged route table and, parallel to it, each route's feature. */
static struct mp_route		 *all;
static const struct mp_feature	**route_owner;
static size_t			  nall;
static int			  built_tests = -1;

/*
 * The merged table, built on first use in each process (a responder
 * builds it at start) and again only if test_routes changes.  Test-only
 * features are left out unless the configuration enables them.
 */
const struct mp_route *
mp_routes_all(const struct mp_config *cfg, size_t *n)
{
	const struct mp_feature	*const *f;
	int			 tests = cfg != NULL && cfg->test_routes;
	size_t			 i, k = 0;

	if (all != NULL && built_tests == tests) {
		*n = nall;
		return all;
	}
	free(all);
	free(route_owner);
	for (f = mp_features, nall = 0; *f != NULL; f++)
		nall += (*f)->nroutes;
	if ((all = calloc(nall ? nall : 1, sizeof(*all))) == NULL ||
	    (route_owner = calloc(nall ? nall : 1, sizeof(*route_owner))) == NULL)
		mp_oom();
	for (f = mp_features; *f != NULL; f++) {
		if ((*f)->test_only && !tests)
			continue;
		for (i = 0; i < (*f)->nroutes; i++) {
			all[k] = (*f)->routes[i];
			route_owner[k++] = *f;
		}
	}
	nall = k;
	built_tests = tests;
	*n = nall;
	return all;
}

const struct mp_feature *
mp_route_feature(const struct mp_route *r)
{
	if (all == NULL || r < all || r >= all + nall)
		return NULL;
	return route_owner[r - all];
}

mp_handler
mp_feature_fallback(const struct mp_route *r)
{
	const struct mp_feature	*f = mp_route_feature(r);

	return f != NULL ? f->fallback : NULL;
}

const struct mp_job_kind *
mp_job_kind_find(const char *kind)
{
	const struct mp_feature	*const *f;
	size_t			 i;

	if (kind == NULL)
		return NULL;
	for (f = mp_features; *f != NULL; f++)
		for (i = 0; i < (*f)->njobs; i++)
			if (strcmp((*f)->jobs[i].kind, kind) == 0)
				return &(*f)->jobs[i];
	return NULL;
}

int
mp_features_start(struct mp_ctx *c)
{
	const struct mp_feature	*const *f;
	int			 rc;

	for (f = mp_features; *f != NULL; f++)
		if ((*f)->start != NULL && (rc = (*f)->start(c)) != 0)
			return rc;
	return 0;
}

int
mp_features_after(struct mp_ctx *c)
{
	const struct mp_feature	*const *f;
	int			 ms, soonest = -1;

	for (f = mp_features; *f != NULL; f++) {
		if ((*f)->after == NULL)
			continue;
		ms = (*f)->after(c);
		if (ms >= 0 && (soonest < 0 || ms < soonest))
			soonest = ms;
	}
	return soonest;
}

static const char *
action_in(const struct mp_feature *f, const struct mp_route *rt, unsigned m)
{
	size_t	 i;

	for (i = 0; f != NULL && i < f->nactions; i++)
		if ((f->actions[i].method & m) &&
		    strcmp(f->actions[i].pattern, rt->pattern) == 0)
			return f->actions[i].action;
	return NULL;
}

const char *
mp_features_action(struct mp_arena *a, const struct mp_route *rt, unsigned m)
{
	const char	*s = action_in(mp_route_feature(rt), rt, m);

	return s != NULL ? s : mp_route_action(a, rt, m);
}

enum mp_err
mp_features_record(struct mp_req *r, struct mp_resp *w, enum mp_err rc,
    int in_tx)
{
	const struct mp_feature	*const *f;
	enum mp_err		 e;

	for (f = mp_features; *f != NULL; f++)
		if ((*f)->record != NULL &&
		    (e = (*f)->record(r, w, rc, in_tx)) != MP_OK)
			return e;
	return MP_OK;
}

void
mp_features_exit(struct mp_ctx *c)
{
	const struct mp_feature	*const *f;

	for (f = mp_features; *f != NULL; f++)
		if ((*f)->exit != NULL)
			(*f)->exit(c);
}

void
mp_features_send(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_feature	*const *f;

	for (f = mp_features; *f != NULL; f++)
		if ((*f)->send != NULL)
			(*f)->send(r, w);
}

enum mp_err
mp_features_layout(struct mp_req *r, struct _hdf *hdf)
{
	const struct mp_feature	*const *f;
	enum mp_err		 rc;

	for (f = mp_features; *f != NULL; f++)
		if ((*f)->layout != NULL && (rc = (*f)->layout(r, hdf)) != MP_OK)
			return rc;
	return MP_OK;
}

static const char *
auth_name(unsigned flags)
{
	if (flags & MP_R_ADMIN)
		return "admin";
	if (flags & MP_R_STAFF)
		return "staff";
	if (flags & MP_R_AUTH)
		return "user";
	return "public";
}

static const char *const backoff_names[] = {
	[MP_BACKOFF_DEFAULT] = "default",
	[MP_BACKOFF_EMAIL] = "email",
	[MP_BACKOFF_SMS] = "sms",
	[MP_BACKOFF_CODE] = "code",
};

_Static_assert(MP_NELEM(backoff_names) == MP_BACKOFF__MAX,
    "backoff names and enum differ");

static void
methods_text(unsigned m, char *buf, size_t sz)
{
	unsigned	 bit;

	buf[0] = '\0';
	for (bit = 1; bit <= MP_OPTIONS; bit <<= 1)
		if (m & bit) {
			if (buf[0] != '\0')
				strncat(buf, ",", sz - strlen(buf) - 1);
			strncat(buf, mp_method_name(bit), sz - strlen(buf) - 1);
		}
}

int
mp_features_print(FILE *fp)
{
	const struct mp_feature	*const *f;
	const struct mp_route	*r;
	const struct mp_job_kind *k;
	struct mp_arena		*a = mp_arena_new(0);
	char			 m[64], every[16];
	size_t			 i;

	fprintf(fp, "# routes: method, pattern, auth, csrf, feature, flags "
	    "(action=NAME: what the audit log records for an unsafe method)\n");
	for (f = mp_features; *f != NULL; f++)
		for (i = 0; i < (*f)->nroutes; i++) {
			r = &(*f)->routes[i];
			methods_text(r->methods, m, sizeof(m));
			fprintf(fp, "%-7s %-58s %-6s %-4s %-8s%s%s%s%s%s%s%s%s\n",
			    m,
			    r->pattern, auth_name(r->flags),
			    (r->flags & MP_R_CSRF) ? "csrf" : "-",
			    (*f)->name,
			    (r->flags & MP_R_JSON) ? " json" : "",
			    (r->flags & MP_R_CORS) ? " cors" : "",
			    (r->flags & MP_R_NODB) ? " nodb" : "",
			    (r->flags & MP_R_FALLBACK) ? " fallback" : "",
			    (r->flags & MP_R_REPLICA) ? " replica" : "",
			    (*f)->test_only ? " test_routes" : "",
			    mp_method_unsafe(r->methods) ? " action=" : "",
			    !mp_method_unsafe(r->methods) ? "" :
			    action_in(*f, r, r->methods) ? action_in(*f, r,
			    r->methods) : mp_route_action(a, r, r->methods));
		}
	mp_arena_free(a);
	fprintf(fp, "\n# jobs: kind, queue, every, feature, retry, serial\n");
	for (f = mp_features; *f != NULL; f++)
		for (i = 0; i < (*f)->njobs; i++) {
			k = &(*f)->jobs[i];
			snprintf(every, sizeof(every), "%ds", k->every);
			fprintf(fp, "%-20s %-5s %7s %-8s %-7s %s\n", k->kind,
			    k->queue, k->every > 0 ? every : "-", (*f)->name,
			    backoff_names[k->backoff],
			    k->threadsafe ? "-" : "serial");
		}
	return mp_features_check(fp);
}

/*
 * A path the pattern matches: each capture replaced by a value of its
 * type that no literal route uses.  Arena memory.
 */
static char *
sample_path(struct mp_arena *a, const char *pat)
{
	struct mp_buf	 b;
	const char	*e, *colon;
	char		*out;

	mp_buf_init(&b, 0);
	while (*pat != '\0') {
		if (*pat != '{' || (e = strchr(pat, '}')) == NULL) {
			mp_buf_putc(&b, *pat++);
			continue;
		}
		colon = memchr(pat, ':', (size_t)(e - pat));
		if (colon != NULL && strncmp(colon, ":int}", 5) == 0)
			mp_buf_puts(&b, "7391");
		else
			mp_buf_puts(&b, "zq7-sample");
		pat = e + 1;
	}
	out = mp_strdup(a, mp_buf_cstr(&b));
	mp_buf_free(&b);
	return out;
}

int
mp_routes_shadowed(const struct mp_route *routes, size_t n, FILE *fp)
{
	const struct mp_route	*which;
	const struct mp_feature	*fw, *fr;
	struct mp_capture	 caps[MP_MAXCAPS];
	struct mp_arena		*a = mp_arena_new(0);
	unsigned		 bit, allow;
	size_t			 i;
	int			 ncaps, bad = 0;

	for (i = 0; i < n; i++)
		for (bit = 1; bit <= MP_OPTIONS; bit <<= 1) {
			if (!(routes[i].methods & bit))
				continue;
			which = NULL;
			if (mp_route_match(a, routes, n, bit,
			    sample_path(a, routes[i].pattern), &which, caps,
			    &ncaps, &allow) == MP_ROUTE_OK &&
			    which == &routes[i])
				continue;
			fr = mp_route_feature(&routes[i]);
			fw = which ? mp_route_feature(which) : NULL;
			fprintf(fp, "route %s %s (%s) is shadowed by %s (%s)\n",
			    mp_method_name(bit), routes[i].pattern,
			    fr ? fr->name : "-", which ? which->pattern :
			    "nothing", fw ? fw->name : "-");
			bad++;
		}
	mp_arena_free(a);
	return bad;
}

static void
walk_table(const struct mp_stmt_table *t, const char *owner,
    void (*fn)(const struct mp_stmt *, const char *, void *), void *arg)
{
	size_t	 i;

	for (i = 0; i < t->n; i++)
		fn(&t->st[i], owner, arg);
}

void
mp_stmts_walk(void (*fn)(const struct mp_stmt *, const char *, void *),
    void *arg)
{
	const struct mp_feature	*const *f;
	const struct mp_stmt_table *const *t;

	walk_table(&mp_ctx_st, "core", fn, arg);
	walk_table(&mp_session_st, "web", fn, arg);
	walk_table(&mp_tenant_st, "web", fn, arg);
	for (f = mp_features; *f != NULL; f++)
		for (t = (*f)->stmts; t != NULL && *t != NULL; t++)
			walk_table(*t, (*f)->name, fn, arg);
}

struct names {
	const char	**v;
	size_t		  n;
	size_t		  cap;
};

static void
collect(const struct mp_stmt *st, const char *owner, void *arg)
{
	struct names	*nm = arg;

	(void)owner;
	if (nm->n == nm->cap) {
		nm->cap = nm->cap ? nm->cap * 2 : 256;
		if ((nm->v = realloc(nm->v, nm->cap * sizeof(*nm->v))) == NULL)
			mp_oom();
	}
	nm->v[nm->n++] = st->name;
}

static int
stmt_cmp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* NULL (derived) or an action name the audit log accepts. */
static int
action_ok(const char *s)
{
	size_t	 n;

	if (s == NULL)
		return 0;
	if (*s < 'A' || *s > 'Z')
		return 0;
	for (n = 0; s[n] != '\0'; n++)
		if (!((s[n] >= 'A' && s[n] <= 'Z') ||
		    (s[n] >= '0' && s[n] <= '9') || s[n] == '_'))
			return 0;
	return n >= 2 && n <= 64;
}

/* Every named action is a valid name for a route of its feature. */
static int
actions_check(FILE *fp)
{
	const struct mp_feature	*const *f;
	const struct mp_action	*x;
	size_t			 i, k;
	int			 bad = 0, found;

	for (f = mp_features; *f != NULL; f++)
		for (i = 0; i < (*f)->nactions; i++) {
			x = &(*f)->actions[i];
			for (k = 0, found = 0; k < (*f)->nroutes; k++)
				if (((*f)->routes[k].methods & x->method) &&
				    mp_method_unsafe(x->method) &&
				    strcmp((*f)->routes[k].pattern,
				    x->pattern) == 0)
					found = 1;
			if (!found || !action_ok(x->action)) {
				fprintf(fp, "action %s of %s %s (%s) %s\n",
				    x->action, mp_method_name(x->method),
				    x->pattern, (*f)->name, found ? "is not "
				    "[A-Z][A-Z0-9_]{1,63}" : "names no unsafe "
				    "route of its feature");
				bad++;
			}
		}
	return bad;
}

/*
 * The checks that keep the surface sound: every route is reached by a
 * path of its own (no earlier route with a common method shadows it, so
 * no two routes overlap that way and none is listed twice), and every
 * statement name is unique, and every route that may read the replica
 * is a public GET.  Problems are printed; returns their count.
 */
int
mp_features_check(FILE *fp)
{
	struct names		 names = { NULL, 0, 0 };
	const struct mp_route	*routes;
	struct mp_config	 cfg;
	size_t			 n, i;
	int			 bad = 0;

	memset(&cfg, 0, sizeof(cfg));
	cfg.test_routes = 1;
	routes = mp_routes_all(&cfg, &n);
	bad += mp_routes_shadowed(routes, n, fp);
	bad += actions_check(fp);
	/* What may read the replica is public and only reads. */
	for (i = 0; i < n; i++)
		if ((routes[i].flags & MP_R_REPLICA) &&
		    ((routes[i].methods & ~(unsigned)(MP_GET | MP_HEAD)) ||
		    (routes[i].flags & (MP_R_AUTH | MP_R_STAFF | MP_R_ADMIN |
		    MP_R_CSRF)))) {
			fprintf(fp, "route %s reads the replica but is not a "
			    "public read\n", routes[i].pattern);
			bad++;
		}
	mp_stmts_walk(collect, &names);
	qsort(names.v, names.n, sizeof(*names.v), stmt_cmp);
	for (i = 1; i < names.n; i++)
		if (strcmp(names.v[i - 1], names.v[i]) == 0) {
			fprintf(fp, "statement name %s is used twice\n",
			    names.v[i]);
			bad++;
		}
	free(names.v);
	/* Leave the table to be built as the configuration wants it. */
	free(all);
	free(route_owner);
	all = NULL;
	route_owner = NULL;
	built_tests = -1;
	return bad;
}
