/* Core services shared by every program: memory, buffers, config, log, db, crypto, parsers. */
#ifndef MP_CORE_EXTERN_H
#define MP_CORE_EXTERN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/*
 * Error codes returned by core, web and feature functions.  One table
 * (mp_err_http(), mp_err_code()) maps each to an HTTP status and the JSON
 * error code; nothing else decides those.
 */
enum mp_err {
	MP_OK = 0,
	MP_EINPUT,	/* the request is malformed or a field is invalid */
	MP_ENOTFOUND,	/* no such thing, or not visible to this tenant */
	MP_EAUTH,	/* not signed in, or bad credentials */
	MP_EFORBID,	/* signed in but not allowed; CSRF failure */
	MP_ECONFLICT,	/* unique violation, already done */
	MP_ELIMIT,	/* a size limit was exceeded */
	MP_ERATE,	/* a rate limit was reached: try again later */
	MP_EDB,		/* the database failed or is unreachable */
	MP_EUPSTREAM,	/* an outbound call failed */
	MP_ESYS,	/* the operating system failed us */
	MP_ERR__MAX
};

int		 mp_err_http(enum mp_err);
const char	*mp_err_code(enum mp_err);
const char	*mp_err_message(enum mp_err);

/* arena.c: bump allocator reset after every request, with cleanups. */
struct mp_arena;

struct mp_arena	*mp_arena_new(size_t blocksz);
void		 mp_arena_free(struct mp_arena *);
void		 mp_arena_reset(struct mp_arena *);
void		*mp_alloc(struct mp_arena *, size_t);
void		*mp_calloc(struct mp_arena *, size_t, size_t);
char		*mp_strdup(struct mp_arena *, const char *);
char		*mp_strndup(struct mp_arena *, const char *, size_t);
void		*mp_memdup(struct mp_arena *, const void *, size_t);
char		*mp_printf(struct mp_arena *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
char		*mp_vprintf(struct mp_arena *, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));
void		 mp_arena_cleanup(struct mp_arena *, void (*)(void *), void *);
size_t		 mp_arena_used(const struct mp_arena *);

/* Out of memory is not recoverable inside a responder: log and exit. */
void		 mp_oom(void) __attribute__((noreturn));

/* buf.c: growable byte buffer with a sticky error flag. */
struct mp_buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
	size_t	 max;	/* 0: unlimited; else appends past it set err */
	int	 err;
};

void	 mp_buf_init(struct mp_buf *, size_t max);
void	 mp_buf_free(struct mp_buf *);
void	 mp_buf_reset(struct mp_buf *);
void	 mp_buf_add(struct mp_buf *, const void *, size_t);
void	 mp_buf_puts(struct mp_buf *, const char *);
void	 mp_buf_putc(struct mp_buf *, int);
void	 mp_buf_printf(struct mp_buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 mp_buf_html(struct mp_buf *, const char *);	/* escaped */
void	 mp_buf_html_n(struct mp_buf *, const char *, size_t);
const char *mp_buf_cstr(struct mp_buf *);		/* NUL-terminated */

/*
 * jw.c: JSON written member by member into a buffer (no tree).  A key is
 * used inside an object and ignored elsewhere; a NULL string is null.
 * Nesting past MP_JW_DEPTH, or an end with nothing open, sets b->err.
 */
#define MP_JW_DEPTH	32
struct mp_jw {
	struct mp_buf	*b;
	int		 depth;
	uint64_t	 more;	/* bit d: level d has a member already */
	uint64_t	 arr;	/* bit d: level d is an array */
	int		 script; /* also escape < > & (JSON in <script>) */
};

void	 mp_jw_init(struct mp_jw *, struct mp_buf *);
void	 mp_jw_obj(struct mp_jw *, const char *key);
void	 mp_jw_arr(struct mp_jw *, const char *key);
void	 mp_jw_end(struct mp_jw *);
void	 mp_jw_str(struct mp_jw *, const char *key, const char *);
void	 mp_jw_int(struct mp_jw *, const char *key, long long);
void	 mp_jw_double(struct mp_jw *, const char *key, double);
void	 mp_jw_bool(struct mp_jw *, const char *key, int);
void	 mp_jw_null(struct mp_jw *, const char *key);
void	 mp_jw_raw(struct mp_jw *, const char *key, const char *json,
	    size_t);

/* config.c: key = value configuration, environment overrides. */
enum mp_listen_kind { MP_LISTEN_UNIX, MP_LISTEN_TCP };

enum mp_conftype { MP_CONF_STR, MP_CONF_INT, MP_CONF_SIZE, MP_CONF_MODE };

/*
 * One configuration key: its name in the file (and as MPANEL_<NAME>),
 * where its value goes in the struct it belongs to, its range (ints and
 * sizes), its default (text, parsed like a file value), and for strings
 * an optional check returning a sentence ("must be ...") or NULL.
 */
struct mp_confkey {
	const char	*name;
	enum mp_conftype type;
	size_t		 off;
	int64_t		 min;
	int64_t		 max;
	const char	*def;
	const char	*(*check)(const char *);
};

/* Key table entries for a field f of struct st named as the key. */
#define MP_CONF_S(st, f, d, chk) \
	{ #f, MP_CONF_STR, offsetof(struct st, f), 0, 0, d, chk }
#define MP_CONF_I(st, f, lo, hi, d) \
	{ #f, MP_CONF_INT, offsetof(struct st, f), lo, hi, d, NULL }

/*
 * A feature's settings: its keys fill a struct of size bytes of its own,
 * which the feature reads with mp_config_sec().  Key names are global:
 * no two sections (nor the core) may share one.
 */
struct mp_confsec {
	const char		*name;
	const struct mp_confkey	*keys;
	size_t			 nkeys;
	size_t			 size;
};

struct mp_config {
	char	*path;			/* the file it was read from */
	char	*listen;		/* "unix:/path" or "host:port" */
	int	 listen_mode;		/* unix socket mode, octal */
	int	 listen_backlog;
	int	 workers;		/* responders in the pool */
	int	 max_requests;		/* recycle after this many (+ jitter) */
	int	 request_timeout;	/* seconds; 0 disables */
	int	 shutdown_timeout;	/* seconds before KILL on TERM/QUIT */
	char	*database_url;		/* libpq conninfo for the pool/worker */
	char	*admin_database_url;	/* owner role, for mpanelctl migrate */
	char	*db_pooler;		/* none, or transaction (PgBouncer) */
	char	*listen_database_url;	/* worker's LISTEN; "": database_url */
	char	*replica_database_url;	/* public reads; "": none */
	int	 replica_max_lag;	/* milliseconds; beyond: the primary */
	char	*templates_dir;
	char	*static_dir;
	char	*brand_dir;
	char	*sql_dir;		/* migrations and seeds */
	char	*base_domain;		/* tenants at <slug>.<base_domain> */
	char	*public_origin;		/* https://host:port for CSRF origin checks */
	char	*public_scheme;		/* https (or http behind another proxy) */
	int	 public_port;		/* port of tenant links; 0: public_origin's, else the scheme's */
	char	*log_file;		/* empty or "-": stderr */
	char	*access_log;		/* empty: off, "-": stderr */
	char	*log_level;		/* debug, info, warn, error */
	char	*pid_file;
	size_t	 max_body;		/* bytes */
	int	 max_fields;
	size_t	 max_field_len;	/* bytes of one decoded value */
	size_t	 max_path;		/* bytes of the request path */
	int	 max_json_depth;
	int	 tenant_cache_ttl;	/* seconds */
	int	 db_connect_timeout;	/* seconds */
	int	 statement_timeout;	/* milliseconds */
	int	 worker_concurrency;
	int	 job_lease;		/* seconds */
	int	 job_batch;		/* jobs per claim */
	int	 test_routes;		/* 0/1: enable /_test/ routes (tests only) */
	char	*passwords_file;	/* common-password list */
	/* the features' sections (mp_config_sec), in registration order */
	void	**sec;
	size_t	 nsec;
};

/*
 * Read a configuration file (NULL: defaults only), then apply MPANEL_<KEY>
 * environment overrides.  On error returns MP_EINPUT and writes a message
 * naming the file, line and key into errbuf.  The config is heap memory:
 * release it with mp_config_free().
 */
enum mp_err	 mp_config_load(struct mp_config **, const char *path,
		    char *errbuf, size_t errsz);
void		 mp_config_free(struct mp_config *);
/* Parse one "key = value" text (no file, no environment): for tests. */
enum mp_err	 mp_config_parse(struct mp_config *, const char *text,
		    const char *name, char *errbuf, size_t errsz);
void		 mp_config_defaults(struct mp_config *);
/* 1 when database_url goes through a transaction pooler (db_pooler). */
int		 mp_config_pooled(const struct mp_config *);
/*
 * The features' sections, NULL-terminated, registered once by a program
 * before it loads its configuration.  The list must outlive the configs.
 */
void		 mp_config_sections(const struct mp_confsec *const *);
/* A section's settings; a section never registered is a bug (abort). */
const void	*mp_config_sec(const struct mp_config *,
		    const struct mp_confsec *);

/* log.c: one line per event, tagged with the current request id. */
enum mp_loglevel { MP_LOG_DEBUG, MP_LOG_INFO, MP_LOG_WARN, MP_LOG_ERROR,
    MP_LOG__MAX };

void	 mp_log_open(const char *prog, const char *file, const char *access,
	    const char *level);
void	 mp_log_reopen(void);
void	 mp_log_set_reqid(const char *);	/* NULL clears */
void	 mp_log(enum mp_loglevel, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 mp_access(const char *, ...) __attribute__((format(printf, 1, 2)));
/*
 * Batched access lines (off by default): a process that turns them on
 * calls mp_log_flush when it has nothing to do and before it exits; they
 * also go out when 16 KB have gathered, or at the first line a second
 * after the oldest.  mp_log_reopen flushes first.
 */
void	 mp_access_batch(int);
int	 mp_log_pending(void);
void	 mp_log_flush(void);
#define mp_debug(...)	mp_log(MP_LOG_DEBUG, __VA_ARGS__)
#define mp_info(...)	mp_log(MP_LOG_INFO, __VA_ARGS__)
#define mp_warn(...)	mp_log(MP_LOG_WARN, __VA_ARGS__)
#define mp_error(...)	mp_log(MP_LOG_ERROR, __VA_ARGS__)

/* crypto.c */
void	 mp_random(void *, size_t);		/* RAND_bytes or exit */
char	*mp_token(struct mp_arena *, size_t nbytes);	/* base64url */
void	 mp_sha256(const void *, size_t, unsigned char out[32]);
char	*mp_sha256_hex(struct mp_arena *, const void *, size_t);
char	*mp_hex(struct mp_arena *, const void *, size_t);
char	*mp_b64url(struct mp_arena *, const void *, size_t);
int	 mp_ct_equal(const void *, const void *, size_t);
uint64_t mp_monotonic_ms(void);

/* parse.c: decoding of query strings, forms and cookies. */
int		 mp_hexval(int);
struct mp_kv {
	char	*key;
	char	*val;
	size_t	 vlen;
	/* multipart only */
	char	*filename;
	char	*ctype;
};

struct mp_limits {
	size_t	 max_body;
	int	 max_fields;
	size_t	 max_field_len;
	size_t	 max_path;
	int	 max_json_depth;
};

/*
 * Decode application/x-www-form-urlencoded (also query strings) from
 * src[0..len) into an arena array of pairs.  Returns MP_ELIMIT past
 * max_fields or max_field_len, MP_EINPUT for bad escapes or NUL bytes.
 */
enum mp_err	 mp_parse_urlencoded(struct mp_arena *, const char *, size_t,
		    const struct mp_limits *, struct mp_kv **, int *n);
enum mp_err	 mp_parse_cookies(struct mp_arena *, const char *,
		    const struct mp_limits *, struct mp_kv **, int *n);
enum mp_err	 mp_parse_multipart(struct mp_arena *, const char *ctype,
		    const char *, size_t, const struct mp_limits *,
		    struct mp_kv **, int *n);
/* Decode percent escapes in place; 0 on success, -1 on a bad escape. */
int		 mp_pct_decode(char *, size_t *, int plus_is_space);
/* Canonicalise a request path into the arena; MP_EINPUT for ..,NUL,%2F. */
enum mp_err	 mp_path_canon(struct mp_arena *, const char *, size_t max,
		    char **out);
/* url.c: percent-encode a value for a query string (keeps '/'). */
char		*mp_url_encode(struct mp_arena *, const char *);
/* 1 if s[0..n) is valid UTF-8 without NUL, else 0. */
int		 mp_utf8_valid(const char *, size_t);

/* json.c: json-c parsing with a depth cap; objects freed with the arena. */
struct json_object;
enum mp_err	 mp_json_parse(struct mp_arena *, const char *, size_t,
		    int max_depth, struct json_object **, char *errbuf,
		    size_t errsz);
void		 mp_json_own(struct mp_arena *, struct json_object *);

/* jrows.c: stored JSON tables ([[value, ...], ...]) without a tree. */
struct mp_jrow {
	const char	**v;	/* decoded strings; NULL for null */
	size_t		  n;
};
long		 mp_json_rows(struct mp_arena *, const char *,
		    struct mp_jrow **);

/* valid.c: validators fill typed values from strings (kcgi model). */
enum mp_vtype {
	MP_V_TEXT,	/* UTF-8, length-capped */
	MP_V_INT,	/* decimal int64 in [min,max] */
	MP_V_BOOL,	/* on/off, true/false, 1/0, yes/no */
	MP_V_EMAIL,
	MP_V_SLUG,	/* [a-z0-9-], no leading/trailing dash */
	MP_V_UUID,
	MP_V_TOKEN,	/* base64url */
	MP_V_URL,	/* http(s) absolute */
	MP_V_ENUM,	/* one of a declared list of words (mp_validate_enum) */
	MP_V_TIME,	/* ISO 8601 date and time; i = Unix seconds (UTC) */
	MP_V_DATE,	/* ISO 8601 calendar date; i = Unix seconds of 00:00 UTC */
	MP_V__MAX
};

struct mp_value {
	enum mp_vtype	 type;
	int		 present;
	const char	*s;
	size_t		 len;
	int64_t		 i;
};

/*
 * Validate s[0..len) as type t with bounds min,max (length for texts,
 * value for ints); fills v.  Returns MP_OK or MP_EINPUT; on MP_EINPUT
 * *why is a short static sentence for the user.
 */
enum mp_err	 mp_validate(enum mp_vtype, const char *, size_t, int64_t min,
		    int64_t max, struct mp_value *, const char **why);
/*
 * MP_V_ENUM: s[0..len) must equal one of the NULL-terminated set; v->i
 * is its index.  On MP_EINPUT *why (arena) reads "must be a, b or c".
 */
enum mp_err	 mp_validate_enum(struct mp_arena *, const char *, size_t,
		    const char *const *set, struct mp_value *,
		    const char **why);
/* Unix seconds as "YYYY-MM-DDTHH:MM:SSZ" (arena), for SQL and JSON. */
const char	*mp_time_utc(struct mp_arena *, int64_t);

/*
 * db.c: one libpq connection per process, statements prepared lazily on
 * first use.  Each feature keeps its own static table of statements; a
 * statement is known by its address, and its name must be unique.
 * Results are arena-owned (PQclear runs at reset).  Errors are converted
 * here: a unique violation is MP_ECONFLICT, a lost connection MP_EDB (and
 * the next mp_db_ensure() reconnects).
 */
struct mp_stmt {
	const char	*name;
	const char	*sql;
	unsigned	 flags;		/* MP_STMT_* */
};

/*
 * The statement only reads (no writes, no row locks, not even through a
 * function it calls).  Such statements at the start of a transaction need
 * no BEGIN: see mp_db_begin.
 */
#define MP_STMT_READ	0x1

/* A file's statements, listed for the checks that PREPARE every one. */
struct mp_stmt_table {
	const struct mp_stmt	*st;
	size_t			 n;
};

#define MP_NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define MP_STMT_TABLE(name, tab) \
	const struct mp_stmt_table name = { tab, MP_NELEM(tab) }

struct mp_db;
struct mp_res;

struct mp_db	*mp_db_new(const char *conninfo, int connect_timeout,
		    int statement_timeout);
void		 mp_db_free(struct mp_db *);
/* 1: behind a transaction pooler: unnamed statements, no startup options. */
void		 mp_db_set_pooled(struct mp_db *, int);
enum mp_err	 mp_db_ensure(struct mp_db *);	/* connect if not connected */
int		 mp_db_ok(const struct mp_db *);
void		 mp_db_disconnect(struct mp_db *);
/* Run statement st with n text parameters (NULL = SQL NULL). */
enum mp_err	 mp_db_exec(struct mp_db *, struct mp_arena *,
		    const struct mp_stmt *st, int n, const char *const *params,
		    struct mp_res **);
/* Run a plain SQL string without parameters (migrations, BEGIN, COMMIT). */
enum mp_err	 mp_db_simple(struct mp_db *, const char *sql);
/*
 * Transactions cost no round trip of their own.  mp_db_begin only notes
 * the BEGIN; it goes out with the first statement that may write,
 * together with what mp_db_queue() put in line, in one round trip
 * (libpq's pipeline mode).  MP_STMT_READ statements before it go with
 * the queued ones but without the BEGIN, in the implicit transaction the
 * server gives each round trip (read committed gives every statement its
 * own snapshot anyway).  So a page that only reads costs one round trip
 * per statement and no BEGIN or COMMIT.  mp_db_commit of a transaction
 * whose BEGIN never went out sends nothing.  A connection found dropped
 * by a round trip before the BEGIN went out is replaced and the round
 * trip sent again, once: nothing of the transaction had run.
 */
enum mp_err	 mp_db_begin(struct mp_db *);
enum mp_err	 mp_db_commit(struct mp_db *);
void		 mp_db_rollback(struct mp_db *);
/*
 * Run st before the next statement, in its round trip (before each until
 * the BEGIN goes out: the tenant of a request); its result is not kept,
 * and its failure is the next statement's.  The parameters are copied.
 * MP_ELIMIT when the line is full.
 */
enum mp_err	 mp_db_queue(struct mp_db *, const struct mp_stmt *st, int n,
		    const char *const *params);
int		 mp_db_in_tx(const struct mp_db *);
const char	*mp_db_errmsg(const struct mp_db *);
struct pg_conn	*mp_db_conn(struct mp_db *);

int		 mp_res_rows(const struct mp_res *);
/* NULL for SQL NULL; otherwise arena-independent libpq memory valid until reset. */
const char	*mp_res_get(const struct mp_res *, int row, int col);
int		 mp_res_isnull(const struct mp_res *, int row, int col);
int64_t		 mp_res_int(const struct mp_res *, int row, int col);
int		 mp_res_bool(const struct mp_res *, int row, int col);
long		 mp_res_affected(const struct mp_res *);
/* Columns: how many, each one's name (its AS name) and type OID. */
int		 mp_res_ncols(const struct mp_res *);
const char	*mp_res_colname(const struct mp_res *, int col);
unsigned	 mp_res_coltype(const struct mp_res *, int col);

/*
 * rows.c: result rows read by column name, and turned into JSON by a
 * table rather than by hand.  A column absent from the result is a
 * programming error: logged, and read as SQL NULL.
 */
int		 mp_res_col(const struct mp_res *, const char *name);
const char	*mp_res_by(const struct mp_res *, int row, const char *name);
int64_t		 mp_res_int_by(const struct mp_res *, int row,
		    const char *name);
int		 mp_res_bool_by(const struct mp_res *, int row,
		    const char *name);

/* How a column becomes a JSON value. */
enum mp_coltype {
	MP_COL_AUTO,	/* by the column's type: ints, bools, json(b), text */
	MP_COL_TEXT,
	MP_COL_INT,
	MP_COL_BOOL,
	MP_COL_NUM,	/* a number (numeric, double) */
	MP_COL_JSON,	/* the text is JSON, embedded as it is */
	MP_COL__MAX
};

/* What MP_COL_AUTO makes of column col, from its type. */
enum mp_coltype	 mp_res_colkind(const struct mp_res *, int col);

/* One output field: the result column, the JSON key (NULL: the column's name). */
struct mp_col {
	const char	*col;
	const char	*key;
	enum mp_coltype	 type;
};

/*
 * Row row of res as a JSON object with the fields of cols (terminated by
 * a NULL col), or of every column (cols NULL).  SQL NULL is JSON null.
 * The object is the caller's (json_object_put, or mp_json_own).
 */
struct json_object *mp_row_json(const struct mp_res *, int row,
		    const struct mp_col *cols);
/* Every row of res as an array of such objects. */
struct json_object *mp_rows_json(const struct mp_res *,
		    const struct mp_col *cols);

/*
 * ctx.c: one unit of work, a web request or a background job, and what
 * every helper that queries, enqueues, queues mail or renders is handed.
 * A request and a job each embed one; nothing below the handler needs
 * to know which it is.
 */
struct mp_templates;

/* A tenant as a unit of work sees it; strings live as long as the unit. */
struct mp_tenant {
	int64_t		 id;
	char		*id_text;
	char		*slug;		/* NULL until mp_tenant_fill() */
	char		*name;
	char		*plan;
	char		*status;
	char		*domain;	/* custom domain, may be NULL */
};

struct mp_ctx {
	struct mp_arena		*a;
	struct mp_db		*db;
	const struct mp_config	*cfg;
	struct mp_tenant	*tenant;	/* NULL: no tenant bound */
	struct mp_templates	*tpl;		/* parsed once per process */
	const char		*reqid;		/* request id or "job-N", for logs */
	int			 db_used;	/* a statement ran */
	/* what the next error says: the field at fault and a sentence */
	const char		*err_field;
	const char		*err_msg;
};

extern const struct mp_stmt_table	 mp_ctx_st;

/*
 * Run a statement that names one thing: MP_ENOTFOUND with msg (for the
 * 404 page or JSON body) unless it returned exactly one row.
 */
enum mp_err	 mp_q_one(struct mp_ctx *, const struct mp_stmt *, int n,
		    const char *const *p, struct mp_res **, const char *msg);

/* Set the field and message the next error shows; returns err. */
enum mp_err	 mp_fail(struct mp_ctx *, enum mp_err, const char *field,
		    const char *msg);

/*
 * Run statement st for this unit of work.  With a tenant and no open
 * transaction, one bound to the tenant is begun first (mp_tx_begin), so
 * row-level security always applies; without a tenant the statement runs
 * as it is (tenant lookup, health checks, the queue's own bookkeeping).
 */
enum mp_err	 mp_q(struct mp_ctx *, const struct mp_stmt *, int n,
		    const char *const *p, struct mp_res **);
/*
 * Begin a transaction bound to ctx->tenant: the one place that sets
 * app.tenant_id.  Costs no round trip of its own (see mp_db_begin).
 */
enum mp_err	 mp_tx_begin(struct mp_ctx *);
enum mp_err	 mp_tx_commit(struct mp_ctx *);
void		 mp_tx_rollback(struct mp_ctx *);
/* Fill slug, name and domain of ctx->tenant when only its id is known. */
enum mp_err	 mp_tenant_fill(struct mp_ctx *);
/*
 * The tenant's public origin, "https://host[:port]": its custom domain,
 * else <slug>.<base_domain>, with the configured public scheme and port
 * (never a request header).  Every link in mail, feeds, JSON and
 * redirects to another host starts with it.  Arena memory; NULL when the
 * tenant row cannot be read.
 */
char		*mp_origin(struct mp_ctx *);
char		*mp_origin_of(struct mp_arena *, const struct mp_config *,
		    const struct mp_tenant *);
/* base64 (RFC 4648, with padding) of data[0..len), arena memory. */
char		*mp_base64(struct mp_arena *, const void *, size_t);

/*
 * password.c: scrypt (EVP_PBE_scrypt) in the self-describing form
 * "scrypt$N$r$p$salt$hash" (salt and hash base64url), and the policy:
 * 8 to 128 characters, not in the common-password list.
 */
#define MP_PW_MIN	8
#define MP_PW_MAX	128

char		*mp_password_hash(struct mp_arena *, const char *);
/* 1 if pw matches stored; *rehash is set when the parameters are old. */
int		 mp_password_verify(const char *pw, const char *stored,
		    int *rehash);
/* MP_OK or MP_EINPUT with *why a sentence for the user. */
enum mp_err	 mp_password_policy(const char *, const char **why);
/* The common-password list (one per line); loaded on first use. */
void		 mp_password_list(const char *path);

/* useragent.c: browser, OS and device type from a User-Agent header. */
enum mp_device { MP_DEV_DESKTOP, MP_DEV_MOBILE, MP_DEV_TABLET, MP_DEV_BOT,
    MP_DEV__MAX };

struct mp_ua {
	char		 browser[32];
	char		 version[16];	/* major version, "" if unknown */
	char		 os[32];
	enum mp_device	 device;
};

void		 mp_ua_parse(const char *, struct mp_ua *);
const char	*mp_device_name(enum mp_device);

/* Human time spans: "just now", "3 minutes ago", "2 days ago". */
const char	*mp_ago(struct mp_arena *, int64_t seconds);

/*
 * outbound.c: HTTP(S) to a host a user named (status probes, custom
 * domain checks).  The rules every such call follows live here once.
 */
struct sockaddr;

struct mp_outbound {
	const char	*url;
	const char	*protocols;	/* "https" (NULL) or "http,https" */
	const char	*ca_file;	/* extra CA bundle, or NULL/"" */
	const char	*user_agent;
	long		 timeout_ms;	/* connect and total */
	size_t		 max_body;	/* read no more of an answer */
	int		 allow_private;	/* 1: loopback and private allowed */
	int		 connect_only;	/* 1: TCP connect, no request */
	struct mp_buf	*body;		/* NULL: the answer is not kept */
	/* results */
	long		 status;	/* HTTP status, 0 when none */
	long		 ms;
	int		 refused;	/* a private address was refused */
	const char	*detail;	/* why it failed, NULL when it did not */
};

/* 1 when the address is loopback, private, link-local or reserved. */
int		 mp_addr_private(const struct sockaddr *);
enum mp_err	 mp_outbound(struct mp_arena *, struct mp_outbound *);

/*
 * migrate.c: sql/migrations/NNNN_name.sql applied in order under an
 * advisory lock and recorded in schema_migrations.  The connection is a
 * plain libpq one (mpanelctl's owner connection, or a short-lived check).
 */
enum mp_err	 mp_migrate_check(struct pg_conn *, const char *sqldir,
		    char *errbuf, size_t errsz);
enum mp_err	 mp_migrate_apply(struct pg_conn *, const char *sqldir,
		    int *applied, char *errbuf, size_t errsz);

#endif
