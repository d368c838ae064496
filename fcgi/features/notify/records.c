/* Notifications: the statements, signed link tokens and the delivery timeline. */
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

#include "features/notify/extern.h"

const struct mp_stmt mp_notify_stmts[] = {
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
	    "SELECT site_title, support_email, primary_color, logo_light,"
	    " company_name FROM tenant_branding" },
	[N_KEYS] = { "notify_keys",
	    "SELECT kid, secret, active FROM mp_signing_key ORDER BY kid" },
	[N_BY_PID] = { "notify_by_pid",
	    "SELECT id, recipient, category, channel, links, message_id, state,"
	    " coalesce(user_id, 0), public_id"
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

_Static_assert(sizeof(mp_notify_stmts) / sizeof(mp_notify_stmts[0]) == N__MAX,
    "notify statement table and enum differ");

MP_STMT_TABLE(mp_notify_store_st, mp_notify_stmts);

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
	if (mp_db_exec(db, a, &mp_notify_stmts[N_KEYS], 0, NULL, &res) != MP_OK) {
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
int
mp_notify_token_check(struct mp_ctx *c, const char *tok, char type, char *pid,
    int *link)
{
	unsigned char	 buf[9 + TOKEN_PIDMAX + TOKEN_MACLEN], mac[TOKEN_MACLEN];
	int		 n, ki;
	size_t		 plen;

	if (tok == NULL || strlen(tok) > 2 * sizeof(buf) ||
	    keys_load(c->db, c->a) != 0)
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
	token_mac(ki, buf, 9 + plen, c->tenant->id, mac);
	if (!mp_ct_equal(mac, buf + 9 + plen, TOKEN_MACLEN))
		return -1;
	memcpy(pid, buf + 9, plen);
	pid[plen] = '\0';
	*link = (buf[2] << 8) | buf[3];
	return 0;
}

/* Append an event to notification nid of tenant (caller's transaction). */
enum mp_err
mp_notify_event(struct mp_ctx *c, const char *nid, const char *kind,
    const char *detail, const char *data_json)
{
	const char	*p[5];

	p[0] = c->tenant->id_text;
	p[1] = nid;
	p[2] = kind;
	p[3] = detail;
	p[4] = data_json;
	return mp_q(c, &mp_notify_stmts[N_EVENT], 5, p, NULL);
}

/*
 * The unsubscribe link of notification public_id: origin/u/TOKEN.
 * Arena memory; NULL when no key could be loaded.
 */
char *
mp_notify_unsub_url(struct mp_ctx *c, const char *public_id)
{
	char	*tok, *origin;

	if ((tok = mp_notify_token(c->a, c->db, 'u', c->tenant->id,
	    public_id, 0)) == NULL || (origin = mp_origin(c)) == NULL)
		return NULL;
	return mp_printf(c->a, "%s/u/%s", origin, tok);
}

/*
 * The message an unsubscribe token names, for the context's tenant.
 * MP_ENOTFOUND (with the sentence for the page) for a token that does
 * not verify or names no message; *u in arena memory otherwise.
 */
enum mp_err
mp_notify_unsub_lookup(struct mp_ctx *c, const char *tok, struct mp_unsub *u)
{
	char		 pid[TOKEN_PIDMAX + 1];
	const char	*p[1];
	struct mp_res	*res;
	enum mp_err	 rc;
	int		 link;

	memset(u, 0, sizeof(*u));
	if (mp_notify_token_check(c, tok, 'u', pid, &link) != 0)
		return mp_fail(c, MP_ENOTFOUND, NULL,
		    "This link is not valid.");
	p[0] = pid;
	if ((rc = mp_q_one(c, &mp_notify_stmts[N_BY_PID], 1, p, &res,
	    "This link is not valid.")) != MP_OK)
		return rc;
	u->id = mp_strdup(c->a, mp_res_get(res, 0, 0));
	u->recipient = mp_strdup(c->a, mp_res_get(res, 0, 1));
	u->category = mp_strdup(c->a, mp_res_get(res, 0, 2));
	u->channel = mp_strdup(c->a, mp_res_get(res, 0, 3));
	u->message_id = mp_strdup(c->a, mp_res_get(res, 0, 5));
	u->user_id = mp_res_int(res, 0, 7);
	u->public_id = mp_strdup(c->a, mp_res_get(res, 0, 8));
	return MP_OK;
}
