/* HTTP side: requests, routing, responses, rendering, tenants and the prefork pool. */
#ifndef MP_WEB_EXTERN_H
#define MP_WEB_EXTERN_H

#include "core/extern.h"

struct FCGX_Request;
struct _hdf;

enum mp_method {
	MP_GET = 1 << 0,
	MP_HEAD = 1 << 1,
	MP_POST = 1 << 2,
	MP_PUT = 1 << 3,
	MP_PATCH = 1 << 4,
	MP_DELETE = 1 << 5,
	MP_OPTIONS = 1 << 6
};

/* What a route's handler is told it may rely on. */
enum mp_rflag {
	MP_R_JSON = 1 << 0,	/* errors as JSON bodies, not HTML pages */
	MP_R_NODB = 1 << 1,	/* no database, no transaction */
	MP_R_NOTENANT = 1 << 2,	/* runs for any Host, tenant optional */
	MP_R_CSRF = 1 << 3,	/* unsafe method: check token and origin */
	MP_R_CORS = 1 << 4,	/* Access-Control-Allow-Origin: * */
	MP_R_AUTH = 1 << 5,	/* signed in (session cookie or API token) */
	MP_R_STAFF = 1 << 6,	/* role support or admin of this tenant */
	MP_R_ADMIN = 1 << 7,	/* role admin of this tenant */
	MP_R_NOSESSION = 1 << 8,	/* hot public pages: look up a session
					   only when a session cookie came */
	MP_R_FALLBACK = 1 << 9,	/* database down: app->fallback may answer */
	MP_R_NOUSER = 1 << 10,	/* never look up a session (cacheable files) */
	MP_R_REPLICA = 1 << 11,	/* read only: anonymous visitors may be
				   served from the read replica */
	MP_R_ANONFORM = 1 << 12	/* with MP_R_CSRF: an anonymous post is
				   checked by origin alone (its form is on a
				   page every visitor shares, no token) */
};

/* Roles of a tenant's users, weakest first. */
enum mp_role {
	MP_ROLE_NONE,
	MP_ROLE_CUSTOMER,
	MP_ROLE_SUPPORT,
	MP_ROLE_ADMIN,
	MP_ROLE__MAX
};

/* The signed-in user, when there is one. */
struct mp_user {
	int64_t		 id;
	char		*id_text;
	char		*email;
	char		*name;
	enum mp_role	 role;
	int		 is_operator;
};

/* How the request is authenticated. */
struct mp_session {
	char		*id_text;	/* user_sessions.id, NULL for API tokens */
	char		*public_id;	/* opaque id shown in URLs */
	char		*csrf;		/* synchronizer token for forms */
	int		 via_token;	/* Authorization: Bearer, no cookie */
};

/* A declared input field: where it comes from, its validator and limits. */
struct mp_field {
	const char		*name;
	enum mp_vtype		 type;
	int64_t			 min;
	int64_t			 max;
	int			 required;
	const char *const	*values;	/* MP_V_ENUM: the allowed words */
};

struct mp_req;
struct mp_resp;
typedef enum mp_err (*mp_handler)(struct mp_req *, struct mp_resp *);

/*
 * One entry of the route table.  The pattern is literal text with typed
 * captures: "{name}" (one segment), "{name:int}", "{name:slug}",
 * "{name:token}".  A capture ends at the next literal character of the
 * pattern or at '/'.
 */
struct mp_route {
	unsigned		 methods;
	const char		*pattern;
	mp_handler		 fn;
	unsigned		 flags;
	const struct mp_field	*fields;	/* NULL-name terminated, or NULL */
};

#define MP_MAXCAPS	8

struct mp_capture {
	const char	*name;
	const char	*s;
	size_t		 len;
	int64_t		 i;
};

enum mp_route_result { MP_ROUTE_OK, MP_ROUTE_NOTFOUND, MP_ROUTE_BADMETHOD };

/*
 * Match method and path against the table.  On MP_ROUTE_OK *which and the
 * captures are set (capture strings are copied into the arena).  On
 * MP_ROUTE_BADMETHOD *allow holds the methods the path does accept.
 */
enum mp_route_result mp_route_match(struct mp_arena *, const struct mp_route *,
		    size_t n, unsigned method, const char *path,
		    const struct mp_route **which, struct mp_capture *caps,
		    int *ncaps, unsigned *allow);
unsigned	 mp_method_parse(const char *);
const char	*mp_method_name(unsigned);
char		*mp_allow_header(struct mp_arena *, unsigned methods);
/*
 * The action name derived for a request with the unsafe method m to
 * route rt, for routes whose feature names none (see struct mp_feature's
 * actions): the pattern's literal segments without a leading /api, upper
 * case, joined by '_' ("POST /staff/help/categories/{slug}/delete" ->
 * "STAFF_HELP_CATEGORIES_DELETE"); a PUT or PATCH adds _UPDATE, a DELETE
 * _DELETE, a POST to a pattern that ends in a capture _UPDATE.  At most
 * 64 characters of [A-Z0-9_].  Arena memory.
 */
const char	*mp_route_action(struct mp_arena *, const struct mp_route *rt,
		    unsigned m);
/* 1 for POST, PUT, PATCH and DELETE: the methods that may change state. */
int		 mp_method_unsafe(unsigned);

/* Process-lifetime state of a responder. */
struct mp_app {
	struct mp_config	*cfg;
	struct mp_db		*db;
	const struct mp_route	*routes;
	size_t			 nroutes;
	struct mp_limits	 limits;
	struct mp_templates	*tpl;
	int			 generation;
	const char		*version;
	/*
	 * Answers MP_R_FALLBACK routes when the database is unreachable (say,
	 * from a last good copy); r->ctx.tenant may be NULL.  MP_OK if it filled
	 * the response, else the 503 stands.
	 */
	mp_handler		 fallback;
	/*
	 * Records every request with an unsafe method (the audit log; may be
	 * NULL).  in_tx 1: the handler succeeded and its transaction is still
	 * open; the record goes in it, just before COMMIT, and an error fails
	 * the request.  in_tx 0: after the response is decided (w->status is
	 * final) when that did not happen (a refused or failed request whose
	 * transaction was rolled back, or one without a transaction); the
	 * hook opens a transaction of its own.  rc is the request's outcome.
	 */
	enum mp_err		(*record)(struct mp_req *, struct mp_resp *,
				    enum mp_err rc, int in_tx);
	/*
	 * Fills what the layout needs on every page of a tenant (the
	 * features' layout hooks); mp_render calls it, and fails with
	 * its error.  May be NULL.
	 */
	enum mp_err		(*layout)(struct mp_req *, struct _hdf *);
	/*
	 * Called once the response is final, just before it goes out (the
	 * features' send hooks: the page cache's marks); may be NULL.
	 */
	void			(*send)(struct mp_req *, struct mp_resp *);
	/*
	 * The read replica (replica_database_url; NULL: none) and what its
	 * last lag check found (replica.c).
	 */
	struct mp_db		*replica;
	struct mp_replica_state {
		int		 state;		/* enum mp_replica_st */
		int64_t		 lag_ms;	/* -1: unknown */
		uint64_t	 next_ms;	/* monotonic: check again then */
	}			 rstate;
};

/* What the last check of the read replica found. */
enum mp_replica_st {
	MP_REPLICA_OFF,		/* none configured */
	MP_REPLICA_UNKNOWN,	/* not checked yet */
	MP_REPLICA_OK,		/* lag within replica_max_lag */
	MP_REPLICA_LAGGING,	/* beyond it: reads go to the primary */
	MP_REPLICA_DOWN,	/* unreachable, or not a standby */
	MP_REPLICA__MAX
};

/*
 * replica.c: the handle public reads of this request go to: the replica
 * when r->route is MP_R_REPLICA, the method GET or HEAD, the visitor
 * anonymous (no session cookie: signed-in people, staff after a change
 * among them, read the primary) and the replica's lag, checked at most
 * once a second, within replica_max_lag.  Else NULL.
 */
struct mp_db	*mp_replica_for(struct mp_req *);
/* Check the replica now (for /healthz); returns its state. */
enum mp_replica_st mp_replica_check(struct mp_app *, struct mp_arena *);
const char	*mp_replica_st_name(enum mp_replica_st);

/*
 * One request.  Its context (arena, database, config, tenant, templates,
 * request id) is what it shares with jobs: helpers below the handler
 * take &r->ctx, never the request.
 */
struct mp_req {
	struct mp_ctx		 ctx;
	struct mp_app		*app;
	struct FCGX_Request	*fcgx;
	uint64_t		 started_ms;
	unsigned		 method;
	char			*method_name;
	char			*path;		/* canonical */
	char			*query;
	char			*host;		/* lower case, port stripped */
	char			*remote_addr;
	char			*user_agent;
	char			*ctype;
	char			*accept;
	char			*body;
	size_t			 bodylen;
	struct mp_kv		*qs;
	int			 nqs;
	struct mp_kv		*form;
	int			 nform;
	struct mp_kv		*cookies;
	int			 ncookies;
	struct json_object	*json;
	const struct mp_route	*route;
	struct mp_capture	 caps[MP_MAXCAPS];
	int			 ncaps;
	struct mp_value		*vals;		/* parallel to route->fields */
	struct mp_user		*user;		/* NULL when anonymous */
	struct mp_session	*sess;		/* NULL when anonymous */
	char			*visitor_csrf;	/* anonymous form token (cookie) */
	int			 visitor_csrf_new; /* set the cookie on the response */
	int			 stale_cookie;	/* session cookie no longer valid */
	/* what this response counted, for a cached copy to repeat (kb) */
	const char		*count_tag;
	int			 db_down;	/* the database failed: the error
						   page renders without it */
	/* for the error page or body (the field and message: r->ctx.err_*) */
	int			 err_status;	/* overrides the error's status */
	int			 recorded;	/* app->record wrote its entry */
};

/* request.c: fill r from the FastCGI environment; body read on demand. */
enum mp_err	 mp_req_init(struct mp_req *, struct mp_app *, struct mp_arena *,
		    struct FCGX_Request *);
enum mp_err	 mp_req_read_body(struct mp_req *);
enum mp_err	 mp_req_validate(struct mp_req *);

/* Request helpers. */
const char	*mp_req_param(const struct mp_req *, const char *);	/* FastCGI */
const char	*mp_req_query(const struct mp_req *, const char *);
const char	*mp_req_form(const struct mp_req *, const char *);
const char	*mp_req_cookie(const struct mp_req *, const char *);
const struct mp_capture *mp_req_cap(const struct mp_req *, const char *);
const struct mp_value *mp_req_val(const struct mp_req *, const char *);
/* Set the field and message shown with the next error; returns err. */
enum mp_err	 mp_req_fail(struct mp_req *, enum mp_err, const char *field,
		    const char *msg);
int		 mp_req_wants_json(const struct mp_req *);

struct mp_header {
	const char	*name;
	const char	*value;
};

#define MP_MAXHEADERS	24

struct mp_resp {
	int		 status;
	const char	*ctype;
	struct mp_header h[MP_MAXHEADERS];
	int		 nh;
	struct mp_buf	 body;
	int		 head_only;
	int		 streamed;	/* headers sent; body written as it goes */
};

void	 mp_resp_header(struct mp_resp *, const char *, const char *);
const char *mp_resp_get_header(const struct mp_resp *, const char *);
/* Set-Cookie with Path=/; Secure; HttpOnly; SameSite=Lax and max-age (<0: session). */
void	 mp_resp_cookie(struct mp_req *, struct mp_resp *, const char *name,
	    const char *value, long maxage);
enum mp_err mp_resp_redirect(struct mp_resp *, int status, const char *loc);
enum mp_err mp_resp_json(struct mp_req *, struct mp_resp *, int status,
	    struct json_object *);
/*
 * A JSON answer written as it goes (core's mp_jw, no tree): begin empties
 * the body and sets status and type; end closes what is still open and
 * adds the final newline.
 */
void	 mp_resp_jw_begin(struct mp_resp *, struct mp_jw *, int status);
enum mp_err mp_resp_jw_end(struct mp_resp *, struct mp_jw *);
/* Write status line, headers and body to the FastCGI stream. */
void	 mp_resp_send(struct mp_req *, struct mp_resp *);
/*
 * A body too large to hold (an export): mp_resp_stream_begin sends the
 * status and headers now, without Content-Length (nginx chunks it);
 * mp_resp_stream_flush writes what w->body holds and empties it, and
 * tells the pool the request is making progress (request_timeout then
 * counts from there).  mp_resp_send afterwards sends nothing more.
 * A streamed response cannot turn into an error page any more.
 */
void	 mp_resp_stream_begin(struct mp_req *, struct mp_resp *);
void	 mp_resp_stream_flush(struct mp_req *, struct mp_resp *);
void	 mp_resp_error(struct mp_req *, struct mp_resp *, enum mp_err);

/* render.c: ClearSilver templates parsed once per process. */
struct mp_templates;

enum mp_err	 mp_tpl_load(struct mp_templates **, const char *dir,
		    char *errbuf, size_t errsz);
void		 mp_tpl_free(struct mp_templates *);
/* An HDF for a unit of work (freed with its arena) with Tenant.Name and .Slug. */
struct _hdf	*mp_ctx_hdf(struct mp_ctx *);
/* An HDF for this request (freed with the arena), prefilled with Tenant.*, Req.* */
struct _hdf	*mp_hdf(struct mp_req *);
/* Session.Csrf for a page with an anonymous form (mints the cookie). */
void		 mp_hdf_csrf(struct mp_req *, struct _hdf *);
enum mp_err	 mp_render(struct mp_req *, struct mp_resp *, int status,
		    const char *tpl, struct _hdf *);
/* Render into a buffer without a request (golden tests, mail). */
enum mp_err	 mp_tpl_render(struct mp_templates *, const char *tpl,
		    struct _hdf *, struct mp_buf *);
void		 mp_hdf_set(struct _hdf *, const char *name, const char *val);
/* The node at name under hdf, made if missing: set its children by short names. */
struct _hdf	*mp_hdf_node(struct _hdf *, const char *name);
/* Rows into the tree by column name (see mp_row_json for cols). */
void		 mp_row_hdf(struct _hdf *, const char *prefix,
		    const struct mp_res *, int row, const struct mp_col *cols);
void		 mp_rows_hdf(struct _hdf *, const char *prefix,
		    const struct mp_res *, const struct mp_col *cols);
void		 mp_hdf_setf(struct _hdf *, const char *name, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

/* session.c: credentials, roles and CSRF. */
#define MP_SESSION_COOKIE	"__Host-mp_session"
#define MP_CSRF_COOKIE		"__Host-mp_csrf"

enum mp_err	 mp_session_load(struct mp_req *);
enum mp_err	 mp_auth_check(struct mp_req *);
enum mp_err	 mp_csrf_check(struct mp_req *);
const char	*mp_csrf_token(struct mp_req *);
const char	*mp_csrf_existing(struct mp_req *);
enum mp_role	 mp_role_parse(const char *);
const char	*mp_role_name(enum mp_role);

/* The web layer's own statements (session.c, tenant.c), for the checks. */
extern const struct mp_stmt_table	 mp_session_st, mp_tenant_st;

/* tenant.c */
enum mp_err	 mp_tenant_resolve(struct mp_req *);
void		 mp_tenant_cache_clear(void);

/* dispatch.c: the whole path from accepted request to written response. */
void		 mp_dispatch(struct mp_app *, struct mp_arena *,
		    struct FCGX_Request *);

/* pool.c: master plus prefork responders. */
struct mp_pool_hooks {
	/*
	 * Called in each responder after fork(); returns an exit code (0 to
	 * run). MP_EXIT_CONFIG means a fatal configuration error: not respawned.
	 */
	int	(*child_init)(struct mp_config *, int generation, void **ctx);
	/* Serve one accepted request. */
	void	(*serve)(void *ctx, struct FCGX_Request *);
	void	(*child_fini)(void *ctx);
	/*
	 * Work put off until a response has gone out (may be NULL): called
	 * after each request and when the wait for the next one times out.
	 * Returns the milliseconds until it wants to run again (-1: only
	 * after the next request).
	 */
	int	(*after)(void *ctx);
	/* Check a freshly read config before a reload; 0 ok, else log why. */
	int	(*check)(struct mp_config *, char *errbuf, size_t errsz);
};

#define MP_EXIT_CONFIG	78	/* EX_CONFIG */

int	 mp_pool_run(const char *config_path, struct mp_config *,
	    const struct mp_pool_hooks *);
/*
 * In a responder: the current request is making progress (a streamed
 * body), so request_timeout counts from now.  No-op elsewhere.
 */
void	 mp_pool_progress(void);

#endif
