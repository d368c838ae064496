/* Notifications: recording and queueing mail, signed tracking and unsubscribe links, staff pages. */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ClearSilver.h>
#include <json-c/json.h>
#include <openssl/hmac.h>
#include <openssl/evp.h>

#include "features/extern.h"

#define MAIL_MAX_HTML	(1024 * 1024)	/* rendered HTML of one message */
#define MAIL_MAX_LINKS	200
#define TOKEN_MACLEN	16
#define TOKEN_PIDMAX	32

enum nst {
	N_INSERT,
	N_EXISTING,
	N_QUEUED,
	N_SENDER,
	N_BRANDING,
	N_KEYS,
	N_BY_PID,
	N_EVENT,
	N_OPEN,
	N_CLICK,
	N_OPTOUT,
	N_LIST,
	N_SHOW,
	N_TIMELINE,
	N_RETRY,
	N__MAX
};

static const struct mp_stmt stmts[] = {
	[N_INSERT] = { "notify_insert",
	    "INSERT INTO notification (tenant_id, public_id, channel, category,"
	    " user_id, recipient, recipient_name, from_name, from_addr,"
	    " reply_to, subject, template, department, body_html, body_text,"
	    " attachments, links, unsubscribe_url, priority, idem_key,"
	    " message_id, run_at, deadline)"
	    " VALUES (mp_tenant(), $1, $2, $3, $4::bigint, $5, $6, $7, $8, $9,"
	    " $10, $11, $12, $13, $14, $15::jsonb, $16::jsonb, $17,"
	    " $18::smallint, $19, $20, coalesce($21::timestamptz, now()),"
	    " $22::timestamptz)"
	    " ON CONFLICT (tenant_id, idem_key) WHERE idem_key IS NOT NULL"
	    " DO NOTHING RETURNING id" },
	[N_EXISTING] = { "notify_existing",
	    "SELECT public_id FROM notification WHERE idem_key = $1" },
	[N_QUEUED] = { "notify_queued",
	    "WITH e AS (INSERT INTO notification_event (tenant_id,"
	    " notification_id, kind, detail) VALUES (mp_tenant(), $1::bigint,"
	    " 'queued', $3))"
	    " UPDATE notification SET job_id = $2::bigint WHERE id = $1::bigint" },
	[N_SENDER] = { "notify_sender",
	    "SELECT from_name, from_address, reply_to FROM tenant_mail_settings" },
	[N_BRANDING] = { "notify_branding",
	    "SELECT site_title, support_email, primary_color FROM"
	    " tenant_branding" },
	[N_KEYS] = { "notify_keys",
	    "SELECT kid, secret, active FROM mp_signing_key ORDER BY kid" },
	[N_BY_PID] = { "notify_by_pid",
	    "SELECT id, recipient, category, channel, links, message_id, state"
	    " FROM notification WHERE public_id = $1" },
	[N_EVENT] = { "notify_event",
	    "INSERT INTO notification_event (tenant_id, notification_id, kind,"
	    " detail, data) VALUES ($1::bigint, $2::bigint, $3, left($4, 2000),"
	    " $5::jsonb)" },
	[N_OPEN] = { "notify_open",
	    "INSERT INTO email_analytics AS a (tenant_id, notification_id, opens,"
	    " first_opened_at, last_opened_at) VALUES (mp_tenant(), $1::bigint,"
	    " 1, now(), now()) ON CONFLICT (tenant_id, notification_id) DO"
	    " UPDATE SET opens = a.opens + 1, last_opened_at = now(),"
	    " first_opened_at = coalesce(a.first_opened_at, now())"
	    " RETURNING opens" },
	[N_CLICK] = { "notify_click",
	    "INSERT INTO email_analytics AS a (tenant_id, notification_id,"
	    " clicks, first_clicked_at, last_clicked_at) VALUES (mp_tenant(),"
	    " $1::bigint, 1, now(), now()) ON CONFLICT (tenant_id,"
	    " notification_id) DO UPDATE SET clicks = a.clicks + 1,"
	    " last_clicked_at = now(),"
	    " first_clicked_at = coalesce(a.first_clicked_at, now())"
	    " RETURNING clicks" },
	[N_OPTOUT] = { "notify_optout",
	    "INSERT INTO notification_optout (tenant_id, channel, address,"
	    " category, source, message_id) VALUES (mp_tenant(), $1, lower($2),"
	    " $3, $4, $5) ON CONFLICT (tenant_id, channel, address, category)"
	    " DO NOTHING" },
	[N_LIST] = { "notify_list",
	    "SELECT public_id, channel, category, recipient, coalesce(subject,"
	    " left(body_text, 80)), state, attempts,"
	    " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'),"
	    " coalesce(last_reply, ''), count(*) OVER ()"
	    " FROM notification"
	    " WHERE ($1 = '' OR state = $1)"
	    " ORDER BY created_at DESC, id DESC LIMIT $2::integer"
	    " OFFSET $3::integer" },
	[N_SHOW] = { "notify_show",
	    "SELECT id, public_id, channel, category, recipient, subject, state,"
	    " attempts, message_id, coalesce(provider_id, ''),"
	    " coalesce(last_reply, ''), to_char(created_at AT TIME ZONE 'UTC',"
	    " 'YYYY-MM-DD HH24:MI:SS'), coalesce(template, ''),"
	    " coalesce(to_char(sent_at AT TIME ZONE 'UTC',"
	    " 'YYYY-MM-DD HH24:MI:SS'), ''), coalesce(from_addr, ''),"
	    " coalesce((SELECT opens FROM email_analytics a WHERE"
	    " a.notification_id = n.id), 0), coalesce((SELECT clicks FROM"
	    " email_analytics a WHERE a.notification_id = n.id), 0)"
	    " FROM notification n WHERE public_id = $1" },
	[N_TIMELINE] = { "notify_timeline",
	    "SELECT kind, coalesce(detail, ''), to_char(created_at AT TIME ZONE"
	    " 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') FROM notification_event"
	    " WHERE notification_id = $1::bigint ORDER BY id" },
	[N_RETRY] = { "notify_retry",
	    "UPDATE notification SET state = 'queued', updated_at = now(),"
	    " deadline = NULL"
	    " WHERE public_id = $1 AND state IN ('failed', 'expired')"
	    " RETURNING id, channel" },
};

_Static_assert(sizeof(stmts) / sizeof(stmts[0]) == N__MAX,
    "notify statement table and enum differ");

/* ------------------------------------------------------------ tokens */

#define MAXKEYS	8

static struct {
	pthread_mutex_t	 mu;
	int		 loaded;
	int		 n;
	int		 active;	/* index of the signing key */
	int		 kid[MAXKEYS];
	unsigned char	 secret[MAXKEYS][64];
	size_t		 len[MAXKEYS];
} keys = { PTHREAD_MUTEX_INITIALIZER, 0, 0, 0, { 0 }, { { 0 } }, { 0 } };

/* Decode PostgreSQL's bytea hex output ("\x0a1b...") into out. */
static size_t
bytea_decode(const char *s, unsigned char *out, size_t max)
{
	size_t	 n = 0;
	unsigned int v;

	if (s == NULL || s[0] != '\\' || s[1] != 'x')
		return 0;
	for (s += 2; s[0] != '\0' && s[1] != '\0' && n < max; s += 2) {
		if (sscanf(s, "%2x", &v) != 1)
			return 0;
		out[n++] = (unsigned char)v;
	}
	return n;
}

/* Load the signing keys once per process.  Returns 0 or -1. */
static int
keys_load(struct mp_db *db, struct mp_arena *a)
{
	struct mp_res	*res;
	int		 i, rc = 0;

	pthread_mutex_lock(&keys.mu);
	if (keys.loaded)
		goto out;
	if (mp_db_exec(db, a, &stmts[N_KEYS], 0, NULL, &res) != MP_OK) {
		rc = -1;
		goto out;
	}
	for (i = 0; i < mp_res_rows(res) && keys.n < MAXKEYS; i++) {
		keys.kid[keys.n] = (int)mp_res_int(res, i, 0);
		keys.len[keys.n] = bytea_decode(mp_res_get(res, i, 1),
		    keys.secret[keys.n], sizeof(keys.secret[0]));
		if (keys.len[keys.n] < 16)
			continue;
		if (mp_res_bool(res, i, 2))
			keys.active = keys.n;
		keys.n++;
	}
	if (keys.n == 0) {
		mp_error("no signing key in mp_signing_key");
		rc = -1;
		goto out;
	}
	keys.loaded = 1;
out:
	pthread_mutex_unlock(&keys.mu);
	return rc;
}

/* HMAC-SHA256 over the token's fields and the tenant, cut to 16 bytes. */
static void
token_mac(int ki, const unsigned char *hdr, size_t hlen, int64_t tenant,
    unsigned char out[TOKEN_MACLEN])
{
	unsigned char	 msg[64 + TOKEN_PIDMAX], md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0;
	size_t		 i;

	memcpy(msg, hdr, hlen);
	for (i = 0; i < 8; i++)
		msg[hlen + i] = (unsigned char)((uint64_t)tenant >> (56 - 8 * i));
	HMAC(EVP_sha256(), keys.secret[ki], (int)keys.len[ki], msg, hlen + 8,
	    md, &mdlen);
	memcpy(out, md, TOKEN_MACLEN);
}

/*
 * A signed token for a notification: type 'o' (open pixel), 'c' (click on
 * link number link), 'u' (unsubscribe).  Layout before base64url: type,
 * key id, link (2 bytes), issue time (4), public id length and bytes,
 * then 16 bytes of HMAC-SHA256 over all of that and the tenant id.
 * Returns arena memory, or NULL when no key could be loaded.
 */
char *
mp_notify_token(struct mp_arena *a, struct mp_db *db, char type,
    int64_t tenant_id, const char *public_id, int link)
{
	unsigned char	 buf[9 + TOKEN_PIDMAX + TOKEN_MACLEN];
	size_t		 plen = strlen(public_id), n = 0;
	uint32_t	 now = (uint32_t)time(NULL);

	if (plen > TOKEN_PIDMAX || keys_load(db, a) != 0)
		return NULL;
	buf[n++] = (unsigned char)type;
	buf[n++] = (unsigned char)keys.kid[keys.active];
	buf[n++] = (unsigned char)(link >> 8);
	buf[n++] = (unsigned char)link;
	buf[n++] = (unsigned char)(now >> 24);
	buf[n++] = (unsigned char)(now >> 16);
	buf[n++] = (unsigned char)(now >> 8);
	buf[n++] = (unsigned char)now;
	buf[n++] = (unsigned char)plen;
	memcpy(buf + n, public_id, plen);
	n += plen;
	token_mac(keys.active, buf, n, tenant_id, buf + n);
	n += TOKEN_MACLEN;
	return mp_b64url(a, buf, n);
}

static int
b64v(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

/* Decode unpadded base64url; returns the length or -1. */
static int
b64url_decode(const char *s, unsigned char *out, size_t max)
{
	size_t		 n = 0;
	uint32_t	 acc = 0;
	int		 bits = 0, v;

	for (; *s != '\0'; s++) {
		if ((v = b64v((unsigned char)*s)) < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n >= max)
				return -1;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	return (int)n;
}

/*
 * Check a token of type for tenant_id.  On success copies the public id
 * into pid (NUL-terminated) and sets *link; returns 0, else -1.
 */
static int
token_check(struct mp_req *r, const char *tok, char type, char *pid,
    int *link)
{
	unsigned char	 buf[9 + TOKEN_PIDMAX + TOKEN_MACLEN], mac[TOKEN_MACLEN];
	int		 n, ki;
	size_t		 plen;

	if (tok == NULL || strlen(tok) > 2 * sizeof(buf) ||
	    keys_load(r->app->db, r->a) != 0)
		return -1;
	if ((n = b64url_decode(tok, buf, sizeof(buf))) < 9 + TOKEN_MACLEN)
		return -1;
	if (buf[0] != (unsigned char)type)
		return -1;
	plen = buf[8];
	if (plen == 0 || plen > TOKEN_PIDMAX ||
	    (size_t)n != 9 + plen + TOKEN_MACLEN)
		return -1;
	for (ki = 0; ki < keys.n; ki++)
		if (keys.kid[ki] == buf[1])
			break;
	if (ki == keys.n)
		return -1;
	token_mac(ki, buf, 9 + plen, r->tenant->id, mac);
	if (!mp_ct_equal(mac, buf + 9 + plen, TOKEN_MACLEN))
		return -1;
	memcpy(pid, buf + 9, plen);
	pid[plen] = '\0';
	*link = (buf[2] << 8) | buf[3];
	return 0;
}

/* ----------------------------------------------------------- helpers */

/*
 * https://host[:port] of the request's tenant: its custom domain or
 * slug.base_domain, with the port of public_origin.  Arena memory.
 */
static char *
tenant_origin(struct mp_req *r)
{
	const char	*po = r->app->cfg->public_origin, *h, *e, *port = "";

	if ((h = strstr(po, "://")) != NULL) {
		h += 3;
		e = h + strcspn(h, "/");
		while (e > h && isdigit((unsigned char)e[-1]))
			e--;
		if (e > h && e[-1] == ':' && h[0] != '[')
			port = mp_strndup(r->a, e - 1, strcspn(e - 1, "/"));
	}
	if (r->tenant->domain != NULL && r->tenant->domain[0] != '\0')
		return mp_printf(r->a, "https://%s%s", r->tenant->domain, port);
	return mp_printf(r->a, "https://%s.%s%s", r->tenant->slug,
	    r->app->cfg->base_domain, port);
}

/* The bare address of "Name <addr>" or "addr". */
static char *
bare_address(struct mp_arena *a, const char *s)
{
	const char	*lt, *gt;

	if (s == NULL || *s == '\0')
		return NULL;
	if ((lt = strchr(s, '<')) != NULL && (gt = strchr(lt, '>')) != NULL)
		return mp_strndup(a, lt + 1, (size_t)(gt - lt - 1));
	return mp_strdup(a, s);
}

static int
category_valid(const char *c)
{
	size_t	 i;

	if (c == NULL || !islower((unsigned char)c[0]) || strlen(c) > 32)
		return 0;
	for (i = 1; c[i] != '\0'; i++)
		if (!islower((unsigned char)c[i]) &&
		    !isdigit((unsigned char)c[i]) && c[i] != '_' && c[i] != '-')
			return 0;
	return 1;
}

/* Mail that preferences never stop and that carries no tracking. */
static int
category_transactional(const char *c)
{
	return strcmp(c, "transactional") == 0 || strcmp(c, "security") == 0;
}

/* HTML-escape a text for an element's content.  Arena memory. */
static char *
html_text(struct mp_arena *a, const char *s)
{
	struct mp_buf	 b;
	char		*out;

	mp_buf_init(&b, 0);
	mp_buf_html(&b, s);
	out = mp_strdup(a, mp_buf_cstr(&b));
	mp_buf_free(&b);
	return out;
}

/* Undo the HTML escaping of an attribute value (what templates produce). */
static char *
attr_unescape(struct mp_arena *a, const char *s, size_t len)
{
	static const struct { const char *e; char c; } ents[] = {
		{ "&amp;", '&' }, { "&quot;", '"' }, { "&#39;", '\'' },
		{ "&#x27;", '\'' }, { "&lt;", '<' }, { "&gt;", '>' },
	};
	char	*out = mp_alloc(a, len + 1), *o = out;
	size_t	 i, k;

	for (i = 0; i < len; ) {
		for (k = 0; k < sizeof(ents) / sizeof(ents[0]); k++)
			if (strncmp(s + i, ents[k].e, strlen(ents[k].e)) == 0)
				break;
		if (s[i] == '&' && k < sizeof(ents) / sizeof(ents[0])) {
			*o++ = ents[k].c;
			i += strlen(ents[k].e);
		} else
			*o++ = s[i++];
	}
	*o = '\0';
	return out;
}

/*
 * Rewrite every href="http..." of html (but the unsubscribe link) to the
 * click tracker and add the open pixel before </body>.  The original URLs
 * go, in order, into links (a json array).  Returns arena memory.
 */
static char *
track_html(struct mp_req *r, const char *html, const char *origin,
    const char *pid, const char *unsub, struct json_object *links)
{
	struct mp_buf	 b;
	const char	*p = html, *q, *v, *ve, *body;
	char		*url, *tok, *out;
	int		 n = 0;

	mp_buf_init(&b, 0);
	while ((q = strstr(p, "href=\"")) != NULL) {
		v = q + 6;
		ve = strchr(v, '"');
		if (ve == NULL)
			break;
		mp_buf_add(&b, p, (size_t)(v - p));
		url = attr_unescape(r->a, v, (size_t)(ve - v));
		if (n < MAIL_MAX_LINKS && (strncmp(url, "https://", 8) == 0 ||
		    strncmp(url, "http://", 7) == 0) &&
		    (unsub == NULL || strcmp(url, unsub) != 0) &&
		    (tok = mp_notify_token(r->a, r->app->db, 'c',
		    r->tenant->id, pid, n)) != NULL) {
			json_object_array_add(links,
			    json_object_new_string(url));
			mp_buf_printf(&b, "%s/t/c/%s", origin, tok);
			n++;
		} else
			mp_buf_add(&b, v, (size_t)(ve - v));
		p = ve;
	}
	if ((body = strstr(p, "</body>")) == NULL)
		body = p + strlen(p);
	mp_buf_add(&b, p, (size_t)(body - p));
	if ((tok = mp_notify_token(r->a, r->app->db, 'o', r->tenant->id, pid,
	    0)) != NULL)
		mp_buf_printf(&b, "<img src=\"%s/t/o/%s\" width=\"1\" "
		    "height=\"1\" alt=\"\" style=\"display:block\">", origin,
		    tok);
	mp_buf_puts(&b, body);
	out = mp_strdup(r->a, mp_buf_cstr(&b));
	mp_buf_free(&b);
	return out;
}

/*
 * The visible unsubscribe link every non-transactional mail carries,
 * added before </body> (or at the end).  Arena memory.
 */
static char *
unsub_footer(struct mp_req *r, const char *html, const char *unsub)
{
	const char	*body = strstr(html, "</body>");
	size_t		 at = body ? (size_t)(body - html) : strlen(html);

	return mp_printf(r->a, "%.*s<p style=\"font-size:12px;color:#5b6472;"
	    "text-align:center\">You receive this mail from %s. "
	    "<a href=\"%s\">Unsubscribe</a></p>%s", (int)at, html,
	    html_text(r->a, r->tenant->name), unsub, html + at);
}

/* Strip CR and LF (header injection) from a value; arena copy. */
static char *
one_line(struct mp_arena *a, const char *s)
{
	char	*o, *p;

	if (s == NULL)
		return NULL;
	o = mp_strdup(a, s);
	for (p = o; *p != '\0'; p++)
		if (*p == '\r' || *p == '\n')
			*p = ' ';
	return o;
}

/* ------------------------------------------------------- queueing */

/*
 * Record one email notification and enqueue its email.send job in the
 * request's transaction.  The notification holds the final HTML (links
 * rewritten for tracking on non-transactional mail), the text part and
 * attachments, so the worker only assembles and sends.  With an
 * idempotency key already used, returns the existing notification's id
 * and enqueues nothing.  *notification_id is the public id (arena).
 */
enum mp_err
mp_mail_queue_raw(struct mp_req *r, const struct mp_mail_raw *m,
    char **notification_id)
{
	struct json_object	*links, *atts, *ao, *payload;
	struct mp_job_spec	 js;
	struct mp_res		*res;
	const char		*p[22], *from_name, *from_addr, *reply_to = NULL;
	char			*pid, *origin, *html, *text, *unsub = NULL,
				*tok, *nid, *jid, *domain;
	int			 i, transactional;
	enum mp_err		 rc;

	if (notification_id != NULL)
		*notification_id = NULL;
	if (m->to == NULL || strlen(m->to) < 3 || strlen(m->to) > 254 ||
	    strchr(m->to, '@') == NULL || strpbrk(m->to, "\r\n<> ,") != NULL)
		return mp_req_fail(r, MP_EINPUT, "to",
		    "The recipient address is not valid.");
	if (m->subject == NULL || *m->subject == '\0' ||
	    strlen(m->subject) > 900)
		return mp_req_fail(r, MP_EINPUT, "subject",
		    "The subject must have 1 to 900 characters.");
	if (!category_valid(m->category))
		return mp_req_fail(r, MP_EINPUT, "category",
		    "The category is not valid.");
	if (m->priority < 0 || m->priority > 10)
		return mp_req_fail(r, MP_EINPUT, "priority",
		    "The priority must be between 1 and 10.");
	if (m->html == NULL || strlen(m->html) > MAIL_MAX_HTML)
		return mp_req_fail(r, MP_EINPUT, "html",
		    "The message body is missing or too large.");
	transactional = category_transactional(m->category);
	pid = mp_token(r->a, 16);
	origin = tenant_origin(r);

	/* The sender: the tenant's settings, else its name and smtp_from. */
	from_name = r->tenant->name;
	from_addr = bare_address(r->a, r->app->cfg->smtp_from);
	if (from_addr == NULL)
		from_addr = mp_printf(r->a, "noreply@%s",
		    r->app->cfg->base_domain);
	if ((rc = mp_q(r, &stmts[N_SENDER], 0, NULL, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) == 1) {
		from_name = mp_res_get(res, 0, 0);
		from_addr = mp_res_get(res, 0, 1);
		reply_to = mp_res_get(res, 0, 2);
	}
	if (m->from != NULL)
		from_addr = m->from;
	if (m->from_name != NULL)
		from_name = m->from_name;
	if ((domain = strchr(from_addr, '@')) == NULL || domain[1] == '\0' ||
	    strpbrk(from_addr, "\r\n<> ,\"") != NULL) {
		mp_error("mail: sender address \"%s\" is not valid (smtp_from, "
		    "tenant_mail_settings)", from_addr);
		return MP_ESYS;
	}
	domain++;

	links = json_object_new_array();
	mp_json_own(r->a, links);
	html = mp_strdup(r->a, m->html);
	if (!transactional) {
		tok = mp_notify_token(r->a, r->app->db, 'u', r->tenant->id, pid,
		    0);
		if (tok == NULL)
			return MP_ESYS;
		unsub = mp_printf(r->a, "%s/u/%s", origin, tok);
	}
	if (!transactional)
		html = unsub_footer(r, html, unsub);
	text = m->text != NULL ? mp_strdup(r->a, m->text) :
	    mp_mail_html_to_text(r->a, html);
	if (!transactional && m->text != NULL)
		text = mp_printf(r->a, "%s\n\n--\nUnsubscribe from these "
		    "messages: %s\n", text, unsub);
	if (!transactional)
		html = track_html(r, html, origin, pid, unsub, links);

	atts = json_object_new_array();
	mp_json_own(r->a, atts);
	for (i = 0; i < m->natt; i++) {
		ao = json_object_new_object();
		json_object_object_add(ao, "filename", json_object_new_string(
		    one_line(r->a, m->att[i].filename)));
		json_object_object_add(ao, "ctype", json_object_new_string(
		    m->att[i].ctype ? one_line(r->a, m->att[i].ctype) :
		    "application/octet-stream"));
		json_object_object_add(ao, "data", json_object_new_string(
		    mp_base64(r->a, m->att[i].data, m->att[i].len)));
		json_object_array_add(atts, ao);
	}

	p[0] = pid;
	p[1] = "email";
	p[2] = m->category;
	p[3] = m->user_id > 0 ? mp_printf(r->a, "%lld",
	    (long long)m->user_id) : NULL;
	p[4] = m->to;
	p[5] = one_line(r->a, m->to_name);
	p[6] = one_line(r->a, from_name);
	p[7] = from_addr;
	p[8] = reply_to;
	p[9] = one_line(r->a, m->subject);
	p[10] = m->tpl;
	p[11] = m->department;
	p[12] = html;
	p[13] = text;
	p[14] = json_object_to_json_string_ext(atts, JSON_C_TO_STRING_PLAIN);
	p[15] = json_object_to_json_string_ext(links, JSON_C_TO_STRING_PLAIN);
	p[16] = unsub;
	p[17] = mp_printf(r->a, "%d", m->priority ? m->priority : 5);
	p[18] = m->idem_key;
	p[19] = mp_printf(r->a, "<%s@%s>", pid, domain);
	p[20] = m->run_at;
	p[21] = m->deadline;
	if ((rc = mp_q(r, &stmts[N_INSERT], 22, p, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) == 0) {
		/* The idempotency key was used: that notification stands. */
		p[0] = m->idem_key;
		if ((rc = mp_q(r, &stmts[N_EXISTING], 1, p, &res)) != MP_OK)
			return rc;
		if (notification_id != NULL)
			*notification_id = mp_strdup(r->a,
			    mp_res_get(res, 0, 0));
		return MP_OK;
	}
	nid = mp_strdup(r->a, mp_res_get(res, 0, 0));
	payload = json_object_new_object();
	mp_json_own(r->a, payload);
	json_object_object_add(payload, "n", json_object_new_string(nid));
	memset(&js, 0, sizeof(js));
	js.kind = "email.send";
	js.queue = transactional ? "tx" : "bulk";
	js.priority = m->priority ? m->priority : 5;
	js.run_at = m->run_at;
	js.deadline = m->deadline;
	js.payload = payload;
	if ((rc = mp_job_enqueue(r, &js, &jid)) != MP_OK)
		return rc;
	p[0] = nid;
	p[1] = jid;
	p[2] = m->run_at ? mp_printf(r->a, "scheduled for %s", m->run_at) :
	    NULL;
	if ((rc = mp_q(r, &stmts[N_QUEUED], 3, p, NULL)) != MP_OK)
		return rc;
	if (notification_id != NULL)
		*notification_id = pid;
	return MP_OK;
}

/* Past the blank lines template comments and includes leave at the top. */
static const char *
skip_space(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

/* Does templates/<name> exist? (the text part is optional) */
static int
template_exists(struct mp_req *r, const char *name)
{
	char	*path = mp_printf(r->a, "%s/%s", r->app->cfg->templates_dir,
	    name);

	return access(path, R_OK) == 0;
}

/*
 * Render templates/mail/<tpl>.html.cs (and .txt.cs when there is one)
 * with m->data plus Tenant.* and Mail.*, then queue the result with
 * mp_mail_queue_raw.  m->data is written to (Tenant.*, Mail.*).
 */
enum mp_err
mp_mail_queue(struct mp_req *r, const struct mp_mail *m, char **notification_id)
{
	struct mp_mail_raw	 raw;
	struct mp_buf		 hb, tb;
	struct mp_res		*res;
	HDF			*hdf;
	char			*name;
	enum mp_err		 rc;

	if (m->tpl == NULL || strspn(m->tpl, "abcdefghijklmnopqrstuvwxyz"
	    "0123456789_-/") != strlen(m->tpl) || strstr(m->tpl, "..") ||
	    m->tpl[0] == '/')
		return mp_req_fail(r, MP_EINPUT, "tpl",
		    "The mail template name is not valid.");
	hdf = m->data != NULL ? m->data : mp_hdf(r);
	mp_hdf_set(hdf, "Tenant.Name", r->tenant->name);
	mp_hdf_set(hdf, "Tenant.Slug", r->tenant->slug);
	mp_hdf_set(hdf, "Tenant.Origin", tenant_origin(r));
	if ((rc = mp_q(r, &stmts[N_BRANDING], 0, NULL, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) == 1) {
		mp_hdf_set(hdf, "Tenant.SiteTitle", mp_res_get(res, 0, 0));
		mp_hdf_set(hdf, "Tenant.SupportEmail", mp_res_get(res, 0, 1));
		mp_hdf_set(hdf, "Tenant.PrimaryColor", mp_res_get(res, 0, 2));
	}
	mp_hdf_set(hdf, "Mail.Subject", m->subject);
	mp_hdf_set(hdf, "Mail.ToName", m->to_name);
	mp_hdf_set(hdf, "Mail.Category", m->category);
	if (m->category != NULL && !category_transactional(m->category))
		mp_hdf_set(hdf, "Mail.Unsubscribable", "1");
	mp_buf_init(&hb, MAIL_MAX_HTML);
	mp_buf_init(&tb, MAIL_MAX_HTML);
	name = mp_printf(r->a, "mail/%s.html.cs", m->tpl);
	if ((rc = mp_tpl_render(r->app->tpl, name, hdf, &hb)) != MP_OK)
		goto out;
	name = mp_printf(r->a, "mail/%s.txt.cs", m->tpl);
	if (template_exists(r, name) &&
	    (rc = mp_tpl_render(r->app->tpl, name, hdf, &tb)) != MP_OK)
		goto out;
	memset(&raw, 0, sizeof(raw));
	raw.to = m->to;
	raw.to_name = m->to_name;
	raw.subject = m->subject;
	raw.html = mp_strdup(r->a, skip_space(mp_buf_cstr(&hb)));
	raw.text = tb.len > 0 ? mp_strdup(r->a, skip_space(mp_buf_cstr(&tb))) :
	    NULL;
	raw.tpl = m->tpl;
	raw.category = m->category;
	raw.priority = m->priority;
	raw.idem_key = m->idem_key;
	raw.user_id = m->user_id;
	raw.run_at = m->run_at;
	rc = mp_mail_queue_raw(r, &raw, notification_id);
out:
	mp_buf_free(&hb);
	mp_buf_free(&tb);
	return rc;
}

/* Append an event to notification nid of tenant (caller's transaction). */
enum mp_err
mp_notify_event(struct mp_db *db, struct mp_arena *a, const char *tenant,
    const char *nid, const char *kind, const char *detail,
    const char *data_json)
{
	const char	*p[5];

	p[0] = tenant;
	p[1] = nid;
	p[2] = kind;
	p[3] = detail;
	p[4] = data_json;
	return mp_db_exec(db, a, &stmts[N_EVENT], 5, p, NULL);
}

/* --------------------------------------------------- public endpoints */

/* The smallest transparent GIF. */
static const unsigned char pixel[] = {
	0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80,
	0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0x21, 0xf9, 0x04,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b
};

/*
 * Look up the notification a verified token names; fills the row in
 * *res.  MP_ENOTFOUND for a bad token or unknown notification.
 */
static enum mp_err
token_row(struct mp_req *r, char type, struct mp_res **res, int *link)
{
	const struct mp_capture	*cap = mp_req_cap(r, "token");
	char			 pid[TOKEN_PIDMAX + 1];
	const char		*p[1];
	enum mp_err		 rc;

	if (cap == NULL || token_check(r, cap->s, type, pid, link) != 0)
		return mp_req_fail(r, MP_ENOTFOUND, NULL,
		    "This link is not valid.");
	p[0] = pid;
	if ((rc = mp_q(r, &stmts[N_BY_PID], 1, p, res)) != MP_OK)
		return rc;
	if (mp_res_rows(*res) != 1)
		return mp_req_fail(r, MP_ENOTFOUND, NULL,
		    "This link is not valid.");
	return MP_OK;
}

/*
 * GET /t/o/{token}: the open pixel.  Counts the open in email_analytics
 * (the first one also goes on the timeline) and answers a 1x1 GIF.
 */
enum mp_err
mp_track_open(struct mp_req *r, struct mp_resp *w)
{
	struct mp_res	*res, *cnt;
	const char	*p[1];
	enum mp_err	 rc;
	int		 link;

	if ((rc = token_row(r, 'o', &res, &link)) != MP_OK)
		return rc;
	p[0] = mp_res_get(res, 0, 0);
	if ((rc = mp_q(r, &stmts[N_OPEN], 1, p, &cnt)) != MP_OK)
		return rc;
	if (mp_res_int(cnt, 0, 0) == 1 && (rc = mp_notify_event(r->app->db,
	    r->a, r->tenant->id_text, p[0], "open", NULL, NULL)) != MP_OK)
		return rc;
	w->status = 200;
	w->ctype = "image/gif";
	mp_resp_header(w, "Cache-Control", "no-store, private");
	mp_buf_add(&w->body, pixel, sizeof(pixel));
	return MP_OK;
}

/*
 * GET /t/c/{token}: a tracked link.  Redirects (302) to the URL recorded
 * for that link of that message, never to anything from the request.
 */
enum mp_err
mp_track_click(struct mp_req *r, struct mp_resp *w)
{
	struct json_object	*links, *u;
	struct mp_res		*res;
	const char		*p[5], *s;
	char			 err[64];
	enum mp_err		 rc;
	int			 link;

	if ((rc = token_row(r, 'c', &res, &link)) != MP_OK)
		return rc;
	s = mp_res_get(res, 0, 4);
	if (s == NULL || mp_json_parse(r->a, s, strlen(s), 4, &links, err,
	    sizeof(err)) != MP_OK || !json_object_is_type(links,
	    json_type_array) || link >= (int)json_object_array_length(links) ||
	    (u = json_object_array_get_idx(links, (size_t)link)) == NULL)
		return mp_req_fail(r, MP_ENOTFOUND, NULL,
		    "This link is not valid.");
	p[0] = mp_res_get(res, 0, 0);
	if ((rc = mp_q(r, &stmts[N_CLICK], 1, p, NULL)) != MP_OK)
		return rc;
	if ((rc = mp_notify_event(r->app->db, r->a, r->tenant->id_text, p[0],
	    "click", json_object_get_string(u), NULL)) != MP_OK)
		return rc;
	mp_resp_header(w, "Cache-Control", "no-store, private");
	mp_resp_header(w, "Referrer-Policy", "no-referrer");
	return mp_resp_redirect(w, 302, json_object_get_string(u));
}

/* The address shown on the unsubscribe page, partly hidden. */
static char *
mask_address(struct mp_arena *a, const char *addr)
{
	const char	*at = strchr(addr, '@');

	if (at == NULL || at - addr < 2)
		return mp_strdup(a, addr);
	return mp_printf(a, "%c***%s", addr[0], at - 1);
}

/*
 * GET /u/{token}: what this link unsubscribes from and a button that
 * POSTs it.  Changes nothing (mail scanners fetch links).
 */
enum mp_err
mp_unsub_show(struct mp_req *r, struct mp_resp *w)
{
	struct mp_res	*res;
	HDF		*hdf;
	enum mp_err	 rc;
	int		 link;

	if ((rc = token_row(r, 'u', &res, &link)) != MP_OK)
		return rc;
	hdf = mp_hdf(r);
	mp_hdf_set(hdf, "Page.Title", "Unsubscribe");
	mp_hdf_set(hdf, "Page.NoIndex", "1");
	mp_hdf_set(hdf, "Unsub.Address", mask_address(r->a,
	    mp_res_get(res, 0, 1)));
	mp_hdf_set(hdf, "Unsub.Category", mp_res_get(res, 0, 2));
	mp_hdf_set(hdf, "Unsub.Action", r->path);
	mp_resp_header(w, "Referrer-Policy", "no-referrer");
	return mp_render(r, w, 200, "notify/unsubscribe.cs", hdf);
}

/*
 * POST /u/{token}: RFC 8058 one-click unsubscribe (body
 * List-Unsubscribe=One-Click, or empty, or the page's button).  Records
 * the opt-out with its source and message id and answers 200 text.  No
 * CSRF token, no cookie, no redirect, as the RFC requires.
 */
enum mp_err
mp_unsub_post(struct mp_req *r, struct mp_resp *w)
{
	struct mp_res	*res;
	const char	*p[5], *oc;
	enum mp_err	 rc;
	int		 link;

	if ((rc = token_row(r, 'u', &res, &link)) != MP_OK)
		return rc;
	oc = mp_req_form(r, "List-Unsubscribe");
	p[0] = mp_res_get(res, 0, 3);
	p[1] = mp_res_get(res, 0, 1);
	p[2] = mp_res_get(res, 0, 2);
	p[3] = oc != NULL && strcmp(oc, "One-Click") == 0 ? "one-click" :
	    "page";
	p[4] = mp_res_get(res, 0, 5);
	if ((rc = mp_q(r, &stmts[N_OPTOUT], 5, p, NULL)) != MP_OK)
		return rc;
	if ((rc = mp_notify_event(r->app->db, r->a, r->tenant->id_text,
	    mp_res_get(res, 0, 0), "unsubscribe", mp_printf(r->a, "%s via %s",
	    p[2], p[3]), NULL)) != MP_OK)
		return rc;
	w->status = 200;
	w->ctype = "text/plain; charset=utf-8";
	mp_buf_printf(&w->body, "You are unsubscribed: %s will send no more "
	    "\"%s\" mail to this address.\n", r->tenant->name, p[2]);
	return MP_OK;
}

/* ------------------------------------------------------ staff pages */

static const struct {
	const char	*state;
	const char	*label;
} states[] = {
	{ "", "All" }, { "queued", "Queued" }, { "sending", "Sending" },
	{ "sent", "Sent" }, { "delivered", "Delivered" },
	{ "bounced", "Bounced" }, { "failed", "Failed" },
	{ "suppressed", "Suppressed" }, { "expired", "Expired" },
};

/*
 * GET /admin/notifications (staff): the most recent notifications of the
 * tenant, 50 a page, filtered by ?state=, each linking to its timeline.
 */
enum mp_err
mp_notify_list(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*vs = mp_req_val(r, "state"),
				*vp = mp_req_val(r, "page");
	struct mp_res		*res;
	const char		*p[3], *st = vs->present ? vs->s : "";
	HDF			*hdf;
	char			 k[64];
	size_t			 i;
	int64_t			 page = vp->present ? vp->i : 1, total;
	int			 n;
	enum mp_err		 rc;

	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (strcmp(states[i].state, st) == 0)
			break;
	if (i == sizeof(states) / sizeof(states[0]))
		return mp_req_fail(r, MP_EINPUT, "state",
		    "Unknown notification state.");
	p[0] = st;
	p[1] = "50";
	p[2] = mp_printf(r->a, "%lld", (long long)(page - 1) * 50);
	if ((rc = mp_q(r, &stmts[N_LIST], 3, p, &res)) != MP_OK)
		return rc;
	hdf = mp_hdf(r);
	mp_hdf_set(hdf, "Page.Title", "Notifications");
	mp_hdf_set(hdf, "Page.NoIndex", "1");
	mp_hdf_set(hdf, "Filter.State", st);
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		snprintf(k, sizeof(k), "States.%zu.Value", i);
		mp_hdf_set(hdf, k, states[i].state);
		snprintf(k, sizeof(k), "States.%zu.Label", i);
		mp_hdf_set(hdf, k, states[i].label);
	}
	total = mp_res_rows(res) > 0 ? mp_res_int(res, 0, 9) : 0;
	for (n = 0; n < mp_res_rows(res); n++) {
		static const char *const f[] = { "Id", "Channel", "Category",
		    "Recipient", "Subject", "State", "Attempts", "Created",
		    "Reply" };

		for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
			snprintf(k, sizeof(k), "Notes.%d.%s", n, f[i]);
			mp_hdf_set(hdf, k, mp_res_get(res, n, (int)i));
		}
	}
	mp_hdf_setf(hdf, "List.Total", "%lld", (long long)total);
	mp_hdf_setf(hdf, "List.Page", "%lld", (long long)page);
	if (page > 1)
		mp_hdf_setf(hdf, "List.Prev", "%lld", (long long)page - 1);
	if (page * 50 < total)
		mp_hdf_setf(hdf, "List.Next", "%lld", (long long)page + 1);
	return mp_render(r, w, 200, "notify/list.cs", hdf);
}

/* GET /admin/notifications/{id} (staff): one notification and its timeline. */
enum mp_err
mp_notify_show(struct mp_req *r, struct mp_resp *w)
{
	static const char *const f[] = { NULL, "Id", "Channel", "Category",
	    "Recipient", "Subject", "State", "Attempts", "MessageId",
	    "ProviderId", "Reply", "Created", "Template", "Sent", "From",
	    "Opens", "Clicks" };
	const struct mp_capture	*cap = mp_req_cap(r, "id");
	struct mp_res		*res, *ev;
	const char		*p[1], *st;
	HDF			*hdf;
	char			 k[64];
	size_t			 i;
	int			 n;
	enum mp_err		 rc;

	p[0] = cap->s;
	if ((rc = mp_q(r, &stmts[N_SHOW], 1, p, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) != 1)
		return mp_req_fail(r, MP_ENOTFOUND, NULL,
		    "There is no such notification.");
	p[0] = mp_res_get(res, 0, 0);
	if ((rc = mp_q(r, &stmts[N_TIMELINE], 1, p, &ev)) != MP_OK)
		return rc;
	hdf = mp_hdf(r);
	mp_hdf_set(hdf, "Page.Title", "Notification");
	mp_hdf_set(hdf, "Page.NoIndex", "1");
	for (i = 1; i < sizeof(f) / sizeof(f[0]); i++) {
		snprintf(k, sizeof(k), "Note.%s", f[i]);
		mp_hdf_set(hdf, k, mp_res_get(res, 0, (int)i));
	}
	st = mp_res_get(res, 0, 6);
	if (strcmp(st, "failed") == 0 || strcmp(st, "expired") == 0)
		mp_hdf_set(hdf, "Note.CanRetry", "1");
	for (n = 0; n < mp_res_rows(ev); n++) {
		snprintf(k, sizeof(k), "Events.%d.Kind", n);
		mp_hdf_set(hdf, k, mp_res_get(ev, n, 0));
		snprintf(k, sizeof(k), "Events.%d.Detail", n);
		mp_hdf_set(hdf, k, mp_res_get(ev, n, 1));
		snprintf(k, sizeof(k), "Events.%d.At", n);
		mp_hdf_set(hdf, k, mp_res_get(ev, n, 2));
	}
	return mp_render(r, w, 200, "notify/show.cs", hdf);
}

/*
 * POST /admin/notifications/{id}/retry (staff, CSRF): queue a failed or
 * expired notification again now, with a fresh job.  303 back to it; 409
 * when it is not failed or expired.
 */
enum mp_err
mp_notify_retry(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_capture	*cap = mp_req_cap(r, "id");
	struct json_object	*payload;
	struct mp_job_spec	 js;
	struct mp_res		*res;
	const char		*p[3];
	char			*jid, *nid;
	enum mp_err		 rc;

	p[0] = cap->s;
	if ((rc = mp_q(r, &stmts[N_RETRY], 1, p, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) != 1)
		return mp_req_fail(r, MP_ECONFLICT, NULL,
		    "Only failed or expired notifications can be retried.");
	nid = mp_strdup(r->a, mp_res_get(res, 0, 0));
	payload = json_object_new_object();
	mp_json_own(r->a, payload);
	json_object_object_add(payload, "n", json_object_new_string(nid));
	memset(&js, 0, sizeof(js));
	js.kind = strcmp(mp_res_get(res, 0, 1), "sms") == 0 ? "sms.send" :
	    "email.send";
	js.queue = "tx";
	js.priority = 1;
	js.payload = payload;
	if ((rc = mp_job_enqueue(r, &js, &jid)) != MP_OK)
		return rc;
	p[0] = nid;
	p[1] = jid;
	p[2] = r->user != NULL ? mp_printf(r->a, "retried by %s",
	    r->user->email) : "retried by staff";
	if ((rc = mp_q(r, &stmts[N_QUEUED], 3, p, NULL)) != MP_OK)
		return rc;
	return mp_resp_redirect(w, 303, mp_printf(r->a,
	    "/admin/notifications/%s", cap->s));
}

/*
 * POST /_test/queue/mail (test_routes only): queue count messages built
 * from the JSON fields, for the integration tests and the benchmark.
 * Answers {"ids": [public ids]}.
 */
enum mp_err
mp_notify_test_mail(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*to = mp_req_val(r, "to"),
				*subject = mp_req_val(r, "subject"),
				*cat = mp_req_val(r, "category"),
				*prio = mp_req_val(r, "priority"),
				*idem = mp_req_val(r, "idem_key"),
				*delay = mp_req_val(r, "delay"),
				*dl = mp_req_val(r, "deadline_in"),
				*count = mp_req_val(r, "count"),
				*html = mp_req_val(r, "html"),
				*att = mp_req_val(r, "attachment"),
				*name = mp_req_val(r, "to_name"),
				*sms_to = mp_req_val(r, "sms_to");
	struct mp_sms		 sms;
	struct mp_mail_attachment a;
	struct mp_mail_raw	 raw;
	struct mp_mail		 m;
	struct json_object	*o, *ids;
	char			*nid, ts[64];
	time_t			 t;
	struct tm		 tm;
	int64_t			 i, n = count->present ? count->i : 1;
	enum mp_err		 rc;

	o = json_object_new_object();
	mp_json_own(r->a, o);
	ids = json_object_new_array();
	json_object_object_add(o, "ids", ids);
	memset(&m, 0, sizeof(m));
	memset(&raw, 0, sizeof(raw));
	m.to = raw.to = to->s;
	m.to_name = raw.to_name = name->present ? name->s : NULL;
	m.subject = raw.subject = subject->s;
	m.category = raw.category = cat->present ? cat->s : "transactional";
	m.priority = raw.priority = prio->present ? (int)prio->i : 5;
	m.tpl = "queue/test";
	if (delay->present) {
		t = time(NULL) + delay->i;
		gmtime_r(&t, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
		m.run_at = raw.run_at = mp_strdup(r->a, ts);
	}
	if (dl->present) {
		t = time(NULL) + dl->i;
		gmtime_r(&t, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
		raw.deadline = mp_strdup(r->a, ts);
	}
	if (att->present) {
		a.filename = "notes.txt";
		a.ctype = "text/plain";
		a.data = att->s;
		a.len = att->len;
		raw.att = &a;
		raw.natt = 1;
	}
	for (i = 0; i < n && sms_to->present; i++) {
		memset(&sms, 0, sizeof(sms));
		sms.to = sms_to->s;
		sms.body = subject->s;
		sms.category = m.category;
		sms.priority = m.priority;
		sms.idem_key = idem->present ? idem->s : NULL;
		sms.deadline = raw.deadline;
		if ((rc = mp_sms_queue(r, &sms, &nid)) != MP_OK)
			return rc;
		json_object_array_add(ids, json_object_new_string(nid));
	}
	for (i = 0; i < n && !sms_to->present; i++) {
		m.idem_key = raw.idem_key = idem->present ? idem->s : NULL;
		if (html->present || raw.deadline != NULL || raw.natt > 0) {
			raw.html = html->present ? html->s :
			    "<html><body><p>Test message.</p></body></html>";
			rc = mp_mail_queue_raw(r, &raw, &nid);
		} else {
			m.data = NULL;
			rc = mp_mail_queue(r, &m, &nid);
		}
		if (rc != MP_OK)
			return rc;
		json_object_array_add(ids, json_object_new_string(nid));
	}
	return mp_resp_json(r, w, 200, o);
}
