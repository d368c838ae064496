/* Configuration: defaults, a key = value file, then MPANEL_<KEY> overrides. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/extern.h"

#define CONFIG_MAXFILE	(1024 * 1024)
#define GIB		((int64_t)1 << 30)
#define YEAR		(366 * 86400)

/*
 * Where make install puts templates, static files, SQL and the password
 * list: $(datadir)/mpanel, passed by Makefile.am so the defaults below
 * follow the install prefix.
 */
#ifndef MP_DATADIR
#error "MP_DATADIR must name the installed data directory"
#endif

/* Checks beyond the type for the string keys with a fixed vocabulary. */
static const char *
check_log_level(const char *v)
{
	if (strcmp(v, "debug") != 0 && strcmp(v, "info") != 0 &&
	    strcmp(v, "warn") != 0 && strcmp(v, "error") != 0)
		return "must be one of debug, info, warn, error";
	return NULL;
}

static const char *
check_listen(const char *v)
{
	if (strncmp(v, "unix:", 5) == 0)
		return v[5] == '\0' ? "needs a socket path after unix:" : NULL;
	if (strrchr(v, ':') == NULL || strrchr(v, ':')[1] == '\0')
		return "must be unix:/path or host:port";
	return NULL;
}

static const char *
check_scheme(const char *v)
{
	if (strcmp(v, "https") != 0 && strcmp(v, "http") != 0)
		return "must be https or http";
	return NULL;
}

static const char *
check_pooler(const char *v)
{
	if (strcmp(v, "none") != 0 && strcmp(v, "transaction") != 0)
		return "must be none or transaction";
	return NULL;
}

/* The core's keys: each name is the struct mp_config field's name. */
#define S(f, d)		MP_CONF_S(mp_config, f, d, NULL)
#define SC(f, d, chk)	MP_CONF_S(mp_config, f, d, chk)
#define I(f, lo, hi, d)	MP_CONF_I(mp_config, f, lo, hi, d)
#define Z(f, lo, hi, d)	{ #f, MP_CONF_SIZE, offsetof(struct mp_config, f), lo, hi, d, NULL }
#define M(f, lo, hi, d)	{ #f, MP_CONF_MODE, offsetof(struct mp_config, f), lo, hi, d, NULL }

static const struct mp_confkey keys[] = {
	SC(listen, "unix:var/run/mpanel.sock", check_listen),
	M(listen_mode, 0, 0777, "0660"),
	I(listen_backlog, 1, 65535, "128"),
	I(workers, 1, 256, "4"),
	I(max_requests, 1, 100000000, "10000"),
	I(request_timeout, 0, 86400, "30"),
	I(shutdown_timeout, 0, 3600, "10"),
	S(database_url, "dbname=mpanel"),
	S(admin_database_url, ""),
	SC(db_pooler, "none", check_pooler),
	S(listen_database_url, ""),
	S(replica_database_url, ""),
	I(replica_max_lag, 0, 3600000, "5000"),
	S(templates_dir, MP_DATADIR "/templates"),
	S(static_dir, MP_DATADIR "/static"),
	S(brand_dir, "var/brand"),
	S(sql_dir, MP_DATADIR "/sql"),
	S(base_domain, "localhost"),
	S(public_origin, ""),
	SC(public_scheme, "https", check_scheme),
	I(public_port, 0, 65535, "0"),
	S(log_file, ""),
	S(access_log, ""),
	SC(log_level, "info", check_log_level),
	S(pid_file, ""),
	Z(max_body, 1, GIB, "1048576"),
	I(max_fields, 1, 100000, "256"),
	Z(max_field_len, 1, GIB, "65536"),
	Z(max_path, 1, 65536, "2048"),
	I(max_json_depth, 1, 1000, "32"),
	I(tenant_cache_ttl, 0, 86400, "10"),
	I(db_connect_timeout, 1, 300, "3"),
	I(statement_timeout, 0, 3600000, "5000"),
	I(worker_concurrency, 1, 256, "4"),
	I(job_lease, 10, 3600, "120"),
	I(job_batch, 1, 100, "10"),
	I(test_routes, 0, 1, "0"),
	S(passwords_file, MP_DATADIR "/data/common-passwords.txt"),
};

#undef S
#undef SC
#undef I
#undef Z
#undef M

/* The features' sections, from mp_config_sections(); NULL-terminated. */
static const struct mp_confsec *const *secs;
static size_t nsecs;

void
mp_config_sections(const struct mp_confsec *const *list)
{
	secs = list;
	for (nsecs = 0; list != NULL && list[nsecs] != NULL; nsecs++)
		continue;
}

/*
 * Key table i: 0 is the core's, then one per feature section.  Sets *n
 * and *base (the struct its values go into: cfg itself or the section's
 * block); NULL past the last.
 */
static const struct mp_confkey *
table_at(struct mp_config *cfg, size_t i, size_t *n, void **base)
{
	if (i == 0) {
		*n = MP_NELEM(keys);
		*base = cfg;
		return keys;
	}
	if (i > nsecs || i > cfg->nsec)
		return NULL;
	*n = secs[i - 1]->nkeys;
	*base = cfg->sec[i - 1];
	return secs[i - 1]->keys;
}

/* The key named name[0..len), core or feature, and the struct it fills. */
static const struct mp_confkey *
key_find(struct mp_config *cfg, const char *name, size_t len, void **base)
{
	const struct mp_confkey	*t;
	size_t			 i, j, n;

	for (i = 0; (t = table_at(cfg, i, &n, base)) != NULL; i++)
		for (j = 0; j < n; j++)
			if (strlen(t[j].name) == len &&
			    memcmp(t[j].name, name, len) == 0)
				return &t[j];
	return NULL;
}

/*
 * Call fn for every key, core and features, with the struct it fills;
 * stops at and returns the first non-NULL answer.
 */
static const char *
each_key(struct mp_config *cfg, const char *(*fn)(const struct mp_confkey *,
    void *, void *), void *arg)
{
	const struct mp_confkey	*t;
	const char		*why;
	void			*base;
	size_t			 i, j, n;

	for (i = 0; (t = table_at(cfg, i, &n, &base)) != NULL; i++)
		for (j = 0; j < n; j++)
			if ((why = fn(&t[j], base, arg)) != NULL)
				return why;
	return NULL;
}

int
mp_config_pooled(const struct mp_config *cfg)
{
	return cfg->db_pooler != NULL &&
	    strcmp(cfg->db_pooler, "transaction") == 0;
}

const void *
mp_config_sec(const struct mp_config *cfg, const struct mp_confsec *sec)
{
	size_t	 i;

	for (i = 0; i < nsecs && i < cfg->nsec; i++)
		if (secs[i] == sec)
			return cfg->sec[i];
	mp_error("configuration section %s was never registered", sec->name);
	abort();
}

/*
 * Parse an integer in the given base; sizes accept a k or m suffix
 * (KiB, MiB).  Returns 0 or -1 for anything but a complete number.
 */
static int
parse_num(const char *s, int base, int suffix, int64_t *out)
{
	char		*end;
	long long	 v;
	int64_t		 mul = 1;

	if (*s == '\0' || isspace((unsigned char)*s) || *s == '+')
		return -1;
	errno = 0;
	v = strtoll(s, &end, base);
	if (errno != 0 || end == s)
		return -1;
	if (suffix && *end != '\0' && end[1] == '\0') {
		if (*end == 'k' || *end == 'K')
			mul = 1024;
		else if (*end == 'm' || *end == 'M')
			mul = 1024 * 1024;
		else
			return -1;
		end++;
	}
	if (*end != '\0')
		return -1;
	if (v > INT64_MAX / mul || v < INT64_MIN / mul)
		return -1;
	*out = (int64_t)v * mul;
	return 0;
}

/*
 * Set key k of cfg from the text v.  Returns NULL, or a static sentence
 * saying what is wrong (for the caller to prefix with where and which key),
 * with cfg untouched.
 */
static const char *
set_value(void *base, const struct mp_confkey *k, const char *v)
{
	char		*p = (char *)base + k->off;
	const char	*why;
	char		*dup;
	int64_t		 n = 0;

	switch (k->type) {
	case MP_CONF_STR:
		if (k->check != NULL && (why = k->check(v)) != NULL)
			return why;
		if ((dup = strdup(v)) == NULL)
			mp_oom();
		free(*(char **)p);
		*(char **)p = dup;
		return NULL;
	case MP_CONF_INT:
		if (parse_num(v, 10, 0, &n) == -1)
			return "is not a number";
		break;
	case MP_CONF_SIZE:
		if (parse_num(v, 10, 1, &n) == -1)
			return "is not a size (bytes, or a number with k or m)";
		break;
	case MP_CONF_MODE:
		if (parse_num(v, 8, 0, &n) == -1)
			return "is not an octal mode";
		break;
	}
	if (n < k->min || n > k->max)
		return "is out of range";
	if (k->type == MP_CONF_SIZE)
		*(size_t *)p = (size_t)n;
	else
		*(int *)p = (int)n;
	return NULL;
}

/* Write "where: key value-problem (range)" into errbuf. */
static void
report(char *errbuf, size_t errsz, const char *where, const struct mp_confkey *k,
    const char *why)
{

	if (errbuf == NULL || errsz == 0)
		return;
	if (strcmp(why, "is out of range") == 0) {
		if (k->type == MP_CONF_MODE)
			snprintf(errbuf, errsz, "%s: %s must be between "
			    "%04llo and %04llo", where, k->name,
			    (unsigned long long)k->min,
			    (unsigned long long)k->max);
		else
			snprintf(errbuf, errsz, "%s: %s must be between "
			    "%lld and %lld", where, k->name,
			    (long long)k->min, (long long)k->max);
	} else
		snprintf(errbuf, errsz, "%s: %s %s", where, k->name, why);
}

static const char *
set_default(const struct mp_confkey *k, void *base, void *arg)
{
	(void)arg;
	if (set_value(base, k, k->def) != NULL)
		abort();	/* a default fails its own table */
	return NULL;
}

/*
 * Fill cfg with the built-in defaults.  Every string is heap memory; the
 * previous contents are overwritten without being freed, so call this on
 * a zeroed or fresh struct only.
 */
void
mp_config_defaults(struct mp_config *cfg)
{
	size_t	 i;

	memset(cfg, 0, sizeof(*cfg));
	if ((cfg->sec = calloc(nsecs ? nsecs : 1, sizeof(*cfg->sec))) == NULL)
		mp_oom();
	cfg->nsec = nsecs;
	for (i = 0; i < nsecs; i++)
		if ((cfg->sec[i] = calloc(1, secs[i]->size)) == NULL)
			mp_oom();
	(void)each_key(cfg, set_default, NULL);
}

static int
is_ws(int c)
{

	return c == ' ' || c == '\t' || c == '\r';
}

/*
 * Apply "key = value" lines from text to cfg.  '#' starts a comment only
 * at the beginning of a line (values such as URLs may contain '#'); a
 * value may be wrapped in double quotes.  Stops at the first error with
 * MP_EINPUT and "name:line: key problem" in errbuf; earlier lines stay
 * applied.
 */
enum mp_err
mp_config_parse(struct mp_config *cfg, const char *text, const char *name,
    char *errbuf, size_t errsz)
{
	const char	*line, *eol, *eq, *ks, *ke, *vs, *ve, *why;
	const struct mp_confkey *k;
	void		*base;
	char		 where[512];
	char		*val = NULL;
	size_t		 lineno = 0;
	enum mp_err	 rc = MP_OK;

	if (name == NULL)
		name = "config";
	for (line = text; line != NULL && *line != '\0'; line = eol) {
		lineno++;
		if ((eol = strchr(line, '\n')) == NULL)
			eol = line + strlen(line);
		vs = line;
		ve = eol;
		if (*eol == '\n')
			eol++;
		while (vs < ve && is_ws((unsigned char)*vs))
			vs++;
		while (ve > vs && is_ws((unsigned char)ve[-1]))
			ve--;
		if (vs == ve || *vs == '#')
			continue;
		snprintf(where, sizeof(where), "%s:%zu", name, lineno);
		if ((eq = memchr(vs, '=', (size_t)(ve - vs))) == NULL) {
			snprintf(errbuf, errsz, "%s: expected \"key = value\"",
			    where);
			rc = MP_EINPUT;
			goto out;
		}
		ks = vs;
		ke = eq;
		while (ke > ks && is_ws((unsigned char)ke[-1]))
			ke--;
		vs = eq + 1;
		while (vs < ve && is_ws((unsigned char)*vs))
			vs++;
		if ((k = key_find(cfg, ks, (size_t)(ke - ks), &base)) == NULL) {
			snprintf(errbuf, errsz, "%s: unknown key \"%.*s\"",
			    where, (int)(ke - ks > 64 ? 64 : ke - ks), ks);
			rc = MP_EINPUT;
			goto out;
		}
		if (ve - vs >= 2 && *vs == '"' && ve[-1] == '"') {
			vs++;
			ve--;
		}
		if ((val = strndup(vs, (size_t)(ve - vs))) == NULL)
			mp_oom();
		if ((why = set_value(base, k, val)) != NULL) {
			report(errbuf, errsz, where, k, why);
			rc = MP_EINPUT;
			goto out;
		}
		free(val);
		val = NULL;
	}
out:
	free(val);
	return rc;
}

struct envctx {
	char	*errbuf;
	size_t	 errsz;
};

/* One key's MPANEL_<KEY> variable, if set; returns non-NULL on error. */
static const char *
env_one(const struct mp_confkey *k, void *base, void *arg)
{
	struct envctx	*e = arg;
	char		 var[64];
	const char	*v, *why;
	size_t		 j;

	snprintf(var, sizeof(var), "MPANEL_%s", k->name);
	for (j = 7; var[j] != '\0'; j++)
		var[j] = (char)toupper((unsigned char)var[j]);
	if ((v = getenv(var)) == NULL)
		return NULL;
	if ((why = set_value(base, k, v)) != NULL) {
		report(e->errbuf, e->errsz, var, k, why);
		return why;
	}
	return NULL;
}

/* Apply MPANEL_<KEY> variables; errors name the variable. */
static enum mp_err
apply_env(struct mp_config *cfg, char *errbuf, size_t errsz)
{
	struct envctx	 e = { errbuf, errsz };

	return each_key(cfg, env_one, &e) == NULL ? MP_OK : MP_EINPUT;
}

/* Read a whole file of at most CONFIG_MAXFILE bytes into a C string. */
static enum mp_err
read_file(const char *path, char **out, char *errbuf, size_t errsz)
{
	FILE		*f;
	char		*text = NULL;
	size_t		 len;
	enum mp_err	 rc = MP_EINPUT;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(errbuf, errsz, "%s: %s", path, strerror(errno));
		goto out;
	}
	if ((text = malloc(CONFIG_MAXFILE + 1)) == NULL)
		mp_oom();
	len = fread(text, 1, CONFIG_MAXFILE + 1, f);
	if (ferror(f)) {
		snprintf(errbuf, errsz, "%s: read error", path);
		goto out;
	}
	if (len > CONFIG_MAXFILE) {
		snprintf(errbuf, errsz, "%s: larger than %d bytes", path,
		    CONFIG_MAXFILE);
		goto out;
	}
	if (memchr(text, '\0', len) != NULL) {
		snprintf(errbuf, errsz, "%s: contains a NUL byte", path);
		goto out;
	}
	text[len] = '\0';
	*out = text;
	text = NULL;
	rc = MP_OK;
out:
	free(text);
	if (f != NULL)
		fclose(f);
	return rc;
}

/*
 * public_port 0 means "as public_origin says": its explicit port, else
 * the scheme's default (which origins leave out).
 */
static void
derive_port(struct mp_config *cfg)
{
	const char	*h, *e, *c;
	long		 port;

	if (cfg->public_port != 0 || cfg->public_origin == NULL ||
	    (h = strstr(cfg->public_origin, "://")) == NULL)
		return;
	h += 3;
	e = h + strcspn(h, "/");
	if (*h == '[')
		h = memchr(h, ']', (size_t)(e - h));
	if (h == NULL || (c = memchr(h, ':', (size_t)(e - h))) == NULL)
		return;
	port = strtol(c + 1, NULL, 10);
	if (port > 0 && port <= 65535)
		cfg->public_port = (int)port;
}

/*
 * Build a configuration from defaults, the file at path (NULL or "": none)
 * and the environment.  On success *out is a heap config for
 * mp_config_free(); on error *out is NULL and errbuf says why.
 */
enum mp_err
mp_config_load(struct mp_config **out, const char *path, char *errbuf,
    size_t errsz)
{
	struct mp_config	*cfg;
	char			*text = NULL;
	enum mp_err		 rc;

	*out = NULL;
	if ((cfg = calloc(1, sizeof(*cfg))) == NULL)
		mp_oom();
	mp_config_defaults(cfg);
	if ((cfg->path = strdup(path != NULL ? path : "")) == NULL)
		mp_oom();
	if (path != NULL && *path != '\0') {
		if ((rc = read_file(path, &text, errbuf, errsz)) != MP_OK)
			goto out;
		if ((rc = mp_config_parse(cfg, text, path, errbuf, errsz)) !=
		    MP_OK)
			goto out;
	}
	if ((rc = apply_env(cfg, errbuf, errsz)) != MP_OK)
		goto out;
	derive_port(cfg);
	*out = cfg;
	cfg = NULL;
out:
	free(text);
	mp_config_free(cfg);
	return rc;
}

static const char *
free_one(const struct mp_confkey *k, void *base, void *arg)
{
	(void)arg;
	if (k->type == MP_CONF_STR && base != NULL)
		free(*(char **)((char *)base + k->off));
	return NULL;
}

/* Free every string and the struct; NULL is fine. */
void
mp_config_free(struct mp_config *cfg)
{
	size_t	 i;

	if (cfg == NULL)
		return;
	if (cfg->sec != NULL) {
		(void)each_key(cfg, free_one, NULL);
		for (i = 0; i < cfg->nsec; i++)
			free(cfg->sec[i]);
		free(cfg->sec);
	}
	free(cfg->path);
	free(cfg);
}
