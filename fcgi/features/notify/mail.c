/* Email: RFC 5322 message assembly, SMTP over libcurl, reply classification, the email.send job. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "features/notify/extern.h"

enum mst {
	M_LOAD,
	M_SENDING,
	M_SENT,
	M_RETRY,
	M_BOUNCED,
	M_PAUSE,
	M_EXPIRE,
	M_SUPPRESSED,
	M_HOLD,
	M__MAX
};

static const struct mp_stmt stmts[] = {
	[M_LOAD] = { "mail_load",
	    "SELECT n.id, n.public_id, n.state, n.recipient, n.recipient_name,"
	    " n.from_name, n.from_addr, n.reply_to, n.subject, n.body_html,"
	    " n.body_text, n.attachments, n.unsubscribe_url, n.message_id,"
	    " n.category, t.slug,"
	    " mp_notify_decision('email', n.recipient, n.category, n.user_id),"
	    " coalesce((SELECT ceil(extract(epoch FROM paused_until - now()))"
	    "  FROM job_pause WHERE channel = 'email'"
	    "  AND paused_until > now()), 0)::integer"
	    " FROM notification n JOIN tenants t ON t.id = n.tenant_id"
	    " WHERE n.id = $1::bigint AND n.channel = 'email' FOR UPDATE OF n" },
	[M_SENDING] = { "mail_sending",
	    "WITH e AS (INSERT INTO notification_event (tenant_id,"
	    " notification_id, kind, detail) VALUES (mp_tenant(), $1::bigint,"
	    " 'attempt', $2))"
	    " UPDATE notification SET state = 'sending', attempts = attempts + 1,"
	    " updated_at = now() WHERE id = $1::bigint" },
	[M_SENT] = { "mail_sent",
	    "WITH e AS (INSERT INTO notification_event (tenant_id,"
	    " notification_id, kind, detail, data) VALUES (mp_tenant(),"
	    " $1::bigint, 'sent', left($3, 2000), $4::jsonb))"
	    " UPDATE notification SET state = 'sent', sent_at = now(),"
	    " provider_id = $2, last_reply = left($3, 2000), updated_at = now()"
	    " WHERE id = $1::bigint" },
	[M_RETRY] = { "mail_retry",
	    "WITH e AS (INSERT INTO notification_event (tenant_id,"
	    " notification_id, kind, detail) VALUES (mp_tenant(), $1::bigint,"
	    " CASE WHEN $3::boolean THEN 'failed' ELSE 'retry' END,"
	    " left($2, 2000)))"
	    " UPDATE notification SET state = CASE WHEN $3::boolean THEN"
	    " 'failed' ELSE 'queued' END, last_reply = left($2, 2000),"
	    " updated_at = now() WHERE id = $1::bigint" },
	[M_BOUNCED] = { "mail_bounced",
	    "WITH e AS (INSERT INTO notification_event (tenant_id,"
	    " notification_id, kind, detail) VALUES (mp_tenant(), $1::bigint,"
	    " 'bounced', left($2, 2000))),"
	    " s AS (INSERT INTO notification_suppression (tenant_id, channel,"
	    " address, reason, detail) VALUES (mp_tenant(), 'email', lower($3),"
	    " 'bounce', left($2, 2000)) ON CONFLICT DO NOTHING),"
	    " a AS (INSERT INTO email_analytics (tenant_id, notification_id,"
	    " bounced) VALUES (mp_tenant(), $1::bigint, true) ON CONFLICT"
	    " (tenant_id, notification_id) DO UPDATE SET bounced = true)"
	    " UPDATE notification SET state = 'bounced', last_reply ="
	    " left($2, 2000), updated_at = now() WHERE id = $1::bigint" },
	[M_PAUSE] = { "mail_pause",
	    "WITH p AS (INSERT INTO job_pause (channel, paused_until, reason)"
	    " VALUES ('email', now() + make_interval(secs => $3::integer),"
	    " left($2, 500)) ON CONFLICT (channel) DO UPDATE SET"
	    " paused_until = EXCLUDED.paused_until, reason = EXCLUDED.reason,"
	    " updated_at = now()),"
	    " e AS (INSERT INTO notification_event (tenant_id, notification_id,"
	    " kind, detail) VALUES (mp_tenant(), $1::bigint, 'paused',"
	    " left($2, 2000)))"
	    " UPDATE notification SET state = 'queued', last_reply ="
	    " left($2, 2000), updated_at = now() WHERE id = $1::bigint" },
	[M_EXPIRE] = { "mail_expire",
	    "WITH u AS (UPDATE notification SET state = 'expired',"
	    " updated_at = now() WHERE id = $1::bigint AND state IN"
	    " ('queued', 'sending') RETURNING id)"
	    " INSERT INTO notification_event (tenant_id, notification_id, kind,"
	    " detail) SELECT mp_tenant(), id, 'expired', $2 FROM u" },
	[M_SUPPRESSED] = { "mail_suppressed",
	    "WITH e AS (INSERT INTO notification_event (tenant_id,"
	    " notification_id, kind, detail) VALUES (mp_tenant(), $1::bigint,"
	    " 'suppressed', $2))"
	    " UPDATE notification SET state = 'suppressed', updated_at = now()"
	    " WHERE id = $1::bigint" },
	[M_HOLD] = { "mail_hold",
	    "WITH e AS (INSERT INTO notification_event (tenant_id,"
	    " notification_id, kind, detail) VALUES (mp_tenant(), $1::bigint,"
	    " 'held', 'for the ' || $2 || ' digest'))"
	    " UPDATE notification SET state = 'held', updated_at = now(),"
	    " digest_due = mp_digest_due($2, now()),"
	    " digest_category = mp_pref_category(category), digest_period = $2"
	    " WHERE id = $1::bigint" },
};

_Static_assert(sizeof(stmts) / sizeof(stmts[0]) == M__MAX,
    "mail statement table and enum differ");

MP_STMT_TABLE(mp_notify_mail_st, stmts);

/* ------------------------------------------------------------ text */

/* Append one decoded entity at *s (which points at '&'); returns its length. */
static size_t
entity(struct mp_buf *b, const char *s)
{
	static const struct { const char *e; const char *c; } ents[] = {
		{ "&amp;", "&" }, { "&lt;", "<" }, { "&gt;", ">" },
		{ "&quot;", "\"" }, { "&#39;", "'" }, { "&#x27;", "'" },
		{ "&nbsp;", " " }, { "&#x2F;", "/" }, { "&#47;", "/" },
	};
	size_t	 i, n;

	for (i = 0; i < sizeof(ents) / sizeof(ents[0]); i++) {
		n = strlen(ents[i].e);
		if (strncasecmp(s, ents[i].e, n) == 0) {
			mp_buf_puts(b, ents[i].c);
			return n;
		}
	}
	mp_buf_putc(b, '&');
	return 1;
}

/* Does the tag at s (after '<') have this name? */
static int
tag_is(const char *s, const char *name)
{
	size_t	 n = strlen(name);

	if (*s == '/')
		s++;
	return strncasecmp(s, name, n) == 0 && (s[n] == '>' ||
	    isspace((unsigned char)s[n]) || s[n] == '/');
}

/*
 * The text part of an HTML message: tags dropped, blocks on their own
 * lines, list items with "- ", links as "text (URL)", entities decoded,
 * white space collapsed, at most one empty line in a row.  Arena memory.
 */
char *
mp_mail_html_to_text(struct mp_arena *a, const char *html)
{
	struct mp_buf	 b, o;
	const char	*s = html, *e, *h, *he;
	char		*href = NULL, *out;
	size_t		 linkstart = 0, i;
	int		 nl = 2, sp = 0;

	mp_buf_init(&b, 0);
	while (*s != '\0') {
		if (*s == '<') {
			if ((e = strchr(s, '>')) == NULL)
				break;
			if (tag_is(s + 1, "head") && s[1] != '/') {
				if ((e = strcasestr(s, "</head>")) == NULL)
					break;
				e += 6;
			} else if ((tag_is(s + 1, "style") ||
			    tag_is(s + 1, "script")) && s[1] != '/') {
				e = strcasestr(s, tag_is(s + 1, "style") ?
				    "</style>" : "</script>");
				if (e == NULL)
					break;
				e += 8;
			} else if (tag_is(s + 1, "br")) {
				mp_buf_putc(&b, '\n');
			} else if (tag_is(s + 1, "li") && s[1] != '/') {
				mp_buf_puts(&b, "\n- ");
			} else if (tag_is(s + 1, "p") || tag_is(s + 1, "div") ||
			    tag_is(s + 1, "h1") || tag_is(s + 1, "h2") ||
			    tag_is(s + 1, "h3") || tag_is(s + 1, "h4") ||
			    tag_is(s + 1, "tr") || tag_is(s + 1, "ul") ||
			    tag_is(s + 1, "ol") || tag_is(s + 1, "table") ||
			    tag_is(s + 1, "blockquote") ||
			    tag_is(s + 1, "hr")) {
				mp_buf_puts(&b, "\n\n");
			} else if (tag_is(s + 1, "a") && s[1] != '/') {
				h = strstr(s, "href=\"");
				href = NULL;
				if (h != NULL && h < e) {
					h += 6;
					he = strchr(h, '"');
					if (he != NULL && he < e) {
						struct mp_buf u;

						mp_buf_init(&u, 0);
						for (i = 0; h + i < he; )
							if (h[i] == '&')
								i += entity(&u,
								    h + i);
							else
								mp_buf_putc(&u,
								    h[i++]);
						href = mp_strdup(a,
						    mp_buf_cstr(&u));
						mp_buf_free(&u);
					}
				}
				linkstart = b.len;
			} else if (tag_is(s + 1, "a") && href != NULL) {
				if (strncmp(href, "mailto:", 7) != 0 &&
				    (b.len - linkstart != strlen(href) ||
				    memcmp(b.data + linkstart, href,
				    strlen(href)) != 0))
					mp_buf_printf(&b, " (%s)", href);
				href = NULL;
			}
			s = e + 1;
		} else if (*s == '&')
			s += entity(&b, s);
		else
			mp_buf_putc(&b, *s++);
	}
	/* Collapse white space; keep paragraph breaks. */
	mp_buf_init(&o, 0);
	for (i = 0; i < b.len; i++) {
		char c = b.data[i];

		if (c == '\n') {
			while (o.len > 0 && o.data[o.len - 1] == ' ')
				o.len--;
			if (nl < 2)
				mp_buf_putc(&o, '\n');
			nl++;
			sp = 0;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			sp = 1;
		} else {
			if (sp && nl == 0)
				mp_buf_putc(&o, ' ');
			mp_buf_putc(&o, c);
			nl = 0;
			sp = 0;
		}
	}
	while (o.len > 0 && (o.data[o.len - 1] == '\n' ||
	    o.data[o.len - 1] == ' '))
		o.len--;
	mp_buf_putc(&o, '\n');
	out = mp_strdup(a, mp_buf_cstr(&o));
	mp_buf_free(&b);
	mp_buf_free(&o);
	return out;
}

/* Quoted-printable (RFC 2045) with CRLF lines of at most 76 characters. */
static void
put_qp(struct mp_buf *b, const char *s)
{
	size_t	 col = 0;
	char	 enc[4];

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		int lit;

		if (c == '\r')
			continue;
		if (c == '\n') {
			mp_buf_puts(b, "\r\n");
			col = 0;
			continue;
		}
		lit = (c >= 33 && c <= 126 && c != '=') ||
		    ((c == ' ' || c == '\t') && s[1] != '\n' && s[1] != '\r' &&
		    s[1] != '\0');
		/* A leading dot is fine (curl dot-stuffs), but keep "From " safe. */
		if (col == 0 && c == 'F' && strncmp(s, "From ", 5) == 0)
			lit = 0;
		if (lit) {
			if (col + 1 > 75) {
				mp_buf_puts(b, "=\r\n");
				col = 0;
			}
			mp_buf_putc(b, c);
			col++;
		} else {
			if (col + 3 > 75) {
				mp_buf_puts(b, "=\r\n");
				col = 0;
			}
			snprintf(enc, sizeof(enc), "=%02X", c);
			mp_buf_puts(b, enc);
			col += 3;
		}
	}
	mp_buf_puts(b, "\r\n");
}

/* Base64 body lines of 76 characters. */
static void
put_b64_lines(struct mp_buf *b, const char *s)
{
	size_t	 n = strlen(s), i;

	for (i = 0; i < n; i += 76) {
		mp_buf_add(b, s + i, n - i < 76 ? n - i : 76);
		mp_buf_puts(b, "\r\n");
	}
}

static int
ascii_printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 32 || (unsigned char)*s > 126)
			return 0;
	return 1;
}

/*
 * An unstructured header value: as is when printable ASCII, else RFC 2047
 * encoded words of at most 45 bytes each (never splitting a UTF-8
 * sequence), folded onto continuation lines.
 */
static void
put_words(struct mp_arena *a, struct mp_buf *b, const char *s)
{
	size_t	 len = strlen(s), i = 0, n;

	if (ascii_printable(s)) {
		mp_buf_puts(b, s);
		return;
	}
	while (i < len) {
		n = len - i < 45 ? len - i : 45;
		while (n > 0 && i + n < len &&
		    ((unsigned char)s[i + n] & 0xc0) == 0x80)
			n--;
		if (i > 0)
			mp_buf_puts(b, "\r\n ");
		mp_buf_printf(b, "=?UTF-8?B?%s?=", mp_base64(a, s + i, n));
		i += n;
	}
}

/* "Display Name" <addr>, the name quoted or encoded as needed. */
static void
put_mailbox(struct mp_arena *a, struct mp_buf *b, const char *name,
    const char *addr)
{
	const char	*p;

	if (name != NULL && *name != '\0') {
		if (ascii_printable(name)) {
			mp_buf_putc(b, '"');
			for (p = name; *p != '\0'; p++) {
				if (*p == '"' || *p == '\\')
					mp_buf_putc(b, '\\');
				mp_buf_putc(b, *p);
			}
			mp_buf_putc(b, '"');
		} else
			put_words(a, b, name);
		mp_buf_putc(b, ' ');
	}
	mp_buf_printf(b, "<%s>", addr);
}

/* What an email needs from its notification row. */
struct msg {
	const char	*pid;
	const char	*to;
	const char	*to_name;
	const char	*from_name;
	const char	*from;
	const char	*reply_to;
	const char	*subject;
	const char	*html;
	const char	*text;
	const char	*atts;		/* json array */
	const char	*unsub;
	const char	*message_id;
	const char	*tenant;
};

/*
 * Assemble the RFC 5322 message: headers, multipart/alternative text and
 * HTML (quoted-printable), attachments as base64 parts under
 * multipart/mixed.  Boundaries start with "=_", which neither
 * quoted-printable nor base64 can produce.  Non-transactional mail
 * (unsub set) carries List-Unsubscribe and List-Unsubscribe-Post.
 */
static void
build_message(struct mp_arena *a, const struct msg *m, struct mp_buf *b)
{
	struct json_object	*atts = NULL, *o, *f, *c, *d;
	char			 date[64], err[64];
	const char		*alt, *mix = NULL, *dom;
	struct tm		 tm;
	time_t			 now = time(NULL);
	size_t			 i, n = 0;

	if (m->atts != NULL && mp_json_parse(a, m->atts, strlen(m->atts), 4,
	    &atts, err, sizeof(err)) == MP_OK &&
	    json_object_is_type(atts, json_type_array))
		n = json_object_array_length(atts);
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	mp_buf_printf(b, "Date: %s\r\n", date);
	mp_buf_puts(b, "From: ");
	put_mailbox(a, b, m->from_name, m->from);
	mp_buf_puts(b, "\r\nTo: ");
	put_mailbox(a, b, m->to_name, m->to);
	mp_buf_puts(b, "\r\n");
	if (m->reply_to != NULL)
		mp_buf_printf(b, "Reply-To: <%s>\r\n", m->reply_to);
	mp_buf_puts(b, "Subject: ");
	put_words(a, b, m->subject ? m->subject : "");
	mp_buf_printf(b, "\r\nMessage-ID: %s\r\n", m->message_id);
	mp_buf_puts(b, "MIME-Version: 1.0\r\n");
	if (m->unsub != NULL) {
		dom = strchr(m->from, '@') + 1;
		mp_buf_printf(b, "List-Unsubscribe: <%s>, <mailto:unsubscribe+"
		    "%s@%s>\r\n", m->unsub, strrchr(m->unsub, '/') + 1, dom);
		mp_buf_puts(b, "List-Unsubscribe-Post: "
		    "List-Unsubscribe=One-Click\r\n");
	} else
		mp_buf_puts(b, "Auto-Submitted: auto-generated\r\n");
	mp_buf_printf(b, "X-Mpanel-Tenant: %s\r\n", m->tenant);
	alt = mp_printf(a, "=_a_%s", m->pid);
	if (n > 0) {
		mix = mp_printf(a, "=_m_%s", m->pid);
		mp_buf_printf(b, "Content-Type: multipart/mixed; "
		    "boundary=\"%s\"\r\n\r\n", mix);
		mp_buf_puts(b, "This is a multi-part message in MIME "
		    "format.\r\n\r\n");
		mp_buf_printf(b, "--%s\r\n", mix);
	}
	mp_buf_printf(b, "Content-Type: multipart/alternative; "
	    "boundary=\"%s\"\r\n\r\n", alt);
	if (n == 0)
		mp_buf_puts(b, "This is a multi-part message in MIME "
		    "format.\r\n\r\n");
	mp_buf_printf(b, "--%s\r\n", alt);
	mp_buf_puts(b, "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
	put_qp(b, m->text ? m->text : "");
	mp_buf_printf(b, "--%s\r\n", alt);
	mp_buf_puts(b, "Content-Type: text/html; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
	put_qp(b, m->html ? m->html : "");
	mp_buf_printf(b, "--%s--\r\n", alt);
	for (i = 0; i < n; i++) {
		o = json_object_array_get_idx(atts, i);
		if (!json_object_object_get_ex(o, "filename", &f) ||
		    !json_object_object_get_ex(o, "ctype", &c) ||
		    !json_object_object_get_ex(o, "data", &d))
			continue;
		mp_buf_printf(b, "\r\n--%s\r\n", mix);
		mp_buf_printf(b, "Content-Type: %s\r\n",
		    json_object_get_string(c));
		mp_buf_puts(b, "Content-Disposition: attachment; filename=");
		if (ascii_printable(json_object_get_string(f)) &&
		    strpbrk(json_object_get_string(f), "\"\\") == NULL)
			mp_buf_printf(b, "\"%s\"",
			    json_object_get_string(f));
		else
			mp_buf_printf(b, "\"=?UTF-8?B?%s?=\"", mp_base64(a,
			    json_object_get_string(f),
			    strlen(json_object_get_string(f))));
		mp_buf_puts(b, "\r\nContent-Transfer-Encoding: base64\r\n\r\n");
		put_b64_lines(b, json_object_get_string(d));
	}
	if (n > 0)
		mp_buf_printf(b, "\r\n--%s--\r\n", mix);
}

/* ------------------------------------------------------------ SMTP */

enum smtp_verdict {
	SMTP_SENT,
	SMTP_RETRY,	/* 4xx, connection, timeout */
	SMTP_BOUNCE,	/* 5xx: permanent, the address is suppressed */
	SMTP_PAUSE	/* authentication or TLS: stop sending, alert */
};

struct upload {
	const char	*p;
	size_t		 left;
};

static size_t
read_cb(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct upload	*u = arg;
	size_t		 n = size * nmemb;

	if (n > u->left)
		n = u->left;
	memcpy(buf, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

/*
 * The server's replies (the header callback gets SMTP reply lines): the
 * last one, and the first 4xx/5xx one, which says why a message failed
 * better than the QUIT that follows it.
 */
struct replies {
	char	 last[512];
	char	 err[512];
};

static size_t
reply_cb(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct replies	*rp = arg;
	size_t		 n = size * nmemb, k = n;

	while (k > 0 && (buf[k - 1] == '\n' || buf[k - 1] == '\r'))
		k--;
	if (k > 511)
		k = 511;
	if (k == 0)
		return n;
	memcpy(rp->last, buf, k);
	rp->last[k] = '\0';
	if ((buf[0] == '4' || buf[0] == '5') && rp->err[0] == '\0')
		memcpy(rp->err, rp->last, k + 1);
	return n;
}

/*
 * Send msg[0..len) from envelope sender from to rcpt over the relay of
 * smtp_url, reusing the thread's connection.  Returns the verdict and
 * the server's reply (or curl's error) in reply.
 */
static enum smtp_verdict
smtp_send(struct mp_job *j, const char *from, const char *rcpt,
    const char *msg, size_t len, char *reply, size_t replysz)
{
	const struct mp_config	*cfg = j->ctx.cfg;
	struct curl_slist	*rcpts = NULL;
	struct upload		 up = { msg, len };
	struct replies		 rp;
	char			 errbuf[CURL_ERROR_SIZE] = "";
	CURL			*c;
	CURLcode		 cc;
	long			 code = 0;
	enum smtp_verdict	 v;

	if (mp_notify_conf(cfg)->smtp_url[0] == '\0') {
		snprintf(reply, replysz, "no smtp_url configured");
		return SMTP_PAUSE;
	}
	if ((c = j->thr->smtp) == NULL && (c = j->thr->smtp =
	    curl_easy_init()) == NULL)
		mp_oom();
	memset(&rp, 0, sizeof(rp));
	rcpts = curl_slist_append(NULL, mp_printf(j->ctx.a, "<%s>", rcpt));
	curl_easy_setopt(c, CURLOPT_URL, mp_notify_conf(cfg)->smtp_url);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, mp_printf(j->ctx.a, "<%s>", from));
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpts);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, &up);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, reply_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &rp);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)mp_notify_conf(cfg)->smtp_timeout);
	if (mp_notify_conf(cfg)->smtp_starttls && strncmp(mp_notify_conf(cfg)->smtp_url, "smtp://", 7) == 0)
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (mp_notify_conf(cfg)->smtp_ca_file[0] != '\0')
		curl_easy_setopt(c, CURLOPT_CAINFO, mp_notify_conf(cfg)->smtp_ca_file);
	if (mp_notify_conf(cfg)->smtp_user[0] != '\0') {
		curl_easy_setopt(c, CURLOPT_USERNAME, mp_notify_conf(cfg)->smtp_user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, mp_notify_conf(cfg)->smtp_password);
	}
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(rcpts);
	if (cc == CURLE_OK) {
		snprintf(reply, replysz, "%s", rp.last[0] ? rp.last : "250 OK");
		return SMTP_SENT;
	}
	snprintf(reply, replysz, "%s%s%s", rp.err,
	    rp.err[0] ? " / " : "", errbuf[0] ? errbuf : curl_easy_strerror(cc));
	if (cc == CURLE_LOGIN_DENIED || code == 535 || code == 530 ||
	    code == 534 || cc == CURLE_USE_SSL_FAILED ||
	    cc == CURLE_SSL_CONNECT_ERROR || cc == CURLE_PEER_FAILED_VERIFICATION ||
	    cc == CURLE_SSL_CACERT_BADFILE || cc == CURLE_SSL_CERTPROBLEM)
		v = SMTP_PAUSE;
	else if (code >= 500 && code < 600)
		v = SMTP_BOUNCE;
	else
		v = SMTP_RETRY;
	/* A connection in an unknown state is not reused. */
	curl_easy_cleanup(c);
	j->thr->smtp = NULL;
	return v;
}

/* ---------------------------------------------------------- the job */

/* The notification id named by the payload, or NULL. */
static const char *
payload_nid(struct mp_job *j)
{
	struct json_object	*n;

	if (j->payload == NULL ||
	    !json_object_object_get_ex(j->payload, "n", &n))
		return NULL;
	return json_object_get_string(n);
}

static enum mp_err
job_fail(struct mp_job *j, const char *why, int permanent)
{
	j->error = why;
	j->permanent = permanent;
	return MP_EUPSTREAM;
}

/*
 * email.send: deliver one notification.  At claim time: skip what is no
 * longer queued, re-queue without spending an attempt while sending is
 * paused, suppress what preferences now forbid (mp_notify_decision, the
 * one check), hold for its digest what the recipient wants daily or
 * weekly.  Then record the attempt
 * (committed before SMTP, so a crash leaves a trace), assemble, send,
 * and record the reply: sent; 4xx and connection errors retried (failed
 * when out of attempts); 5xx bounced and the address suppressed;
 * authentication/TLS failures pause email for sender_pause seconds and
 * alert.
 */
enum mp_err
mp_mail_job_send(struct mp_job *j)
{
	struct mp_res		*res;
	struct mp_buf		 b;
	struct msg		 m;
	const char		*nid = payload_nid(j), *p[4], *state, *qid,
				*decision;
	char			 reply[1024], *hash;
	enum smtp_verdict	 v;
	enum mp_err		 rc;
	int			 paused, last;

	if (nid == NULL)
		return job_fail(j, "payload has no notification", 1);
	p[0] = nid;
	if ((rc = mp_q(&j->ctx, &stmts[M_LOAD], 1, p, &res)) != MP_OK)
		return job_fail(j, "database error loading notification", 0);
	if (mp_res_rows(res) != 1)
		return job_fail(j, "no such notification", 1);
	state = mp_res_get(res, 0, 2);
	if (strcmp(state, "queued") != 0 && strcmp(state, "sending") != 0) {
		mp_info("job %s email %s: already %s", j->id_text, nid, state);
		return MP_OK;
	}
	if ((paused = (int)mp_res_int(res, 0, 17)) > 0) {
		j->no_spend = 1;
		j->retry_in = paused + 1;
		return job_fail(j, "email sending is paused", 0);
	}
	decision = mp_res_get(res, 0, 16);
	if (strcmp(decision, "daily") == 0 || strcmp(decision, "weekly") == 0) {
		/* Gathered into the recipient's digest by prefs.digest. */
		p[1] = decision;
		if ((rc = mp_q(&j->ctx, &stmts[M_HOLD], 2, p, NULL)) != MP_OK)
			return job_fail(j, "database error", 0);
		mp_info("job %s email %s: held for the %s digest", j->id_text,
		    nid, decision);
		return MP_OK;
	}
	if (strcmp(decision, "send") != 0) {
		p[1] = "recipient suppressed or unsubscribed from this category";
		if ((rc = mp_q(&j->ctx, &stmts[M_SUPPRESSED], 2, p, NULL)) !=
		    MP_OK)
			return job_fail(j, "database error", 0);
		mp_info("job %s email %s: suppressed", j->id_text, nid);
		return MP_OK;
	}
	memset(&m, 0, sizeof(m));
	m.pid = mp_strdup(j->ctx.a, mp_res_get(res, 0, 1));
	m.to = mp_strdup(j->ctx.a, mp_res_get(res, 0, 3));
	m.to_name = mp_res_get(res, 0, 4);
	m.from_name = mp_res_get(res, 0, 5);
	m.from = mp_res_get(res, 0, 6);
	m.reply_to = mp_res_get(res, 0, 7);
	m.subject = mp_res_get(res, 0, 8);
	m.html = mp_res_get(res, 0, 9);
	m.text = mp_res_get(res, 0, 10);
	m.atts = mp_res_get(res, 0, 11);
	m.unsub = mp_res_get(res, 0, 12);
	m.message_id = mp_res_get(res, 0, 13);
	m.tenant = mp_res_get(res, 0, 15);
	if (m.from == NULL || strchr(m.from, '@') == NULL)
		return job_fail(j, "notification has no sender address", 1);

	p[1] = mp_printf(j->ctx.a, "attempt %d of %d (job %s)", j->attempt,
	    j->max_attempts, j->id_text);
	if (mp_q(&j->ctx, &stmts[M_SENDING], 2, p, NULL) != MP_OK ||
	    mp_tx_commit(&j->ctx) != MP_OK)
		return job_fail(j, "database error recording the attempt", 0);

	mp_buf_init(&b, 0);
	build_message(j->ctx.a, &m, &b);
	hash = mp_sha256_hex(j->ctx.a, b.data, b.len);
	v = smtp_send(j, m.from, m.to, b.data, b.len, reply, sizeof(reply));
	mp_buf_free(&b);

	last = j->attempt >= j->max_attempts;
	p[0] = nid;
	switch (v) {
	case SMTP_SENT:
		qid = strstr(reply, "queued as ");
		p[1] = qid ? qid + 10 : NULL;
		p[2] = reply;
		p[3] = mp_printf(j->ctx.a, "{\"sha256\":\"%s\",\"attempt\":%d}",
		    hash, j->attempt);
		if (mp_q(&j->ctx, &stmts[M_SENT], 4, p, NULL) != MP_OK)
			return job_fail(j, "database error after sending", 0);
		mp_info("job %s email %s to %s: sent (%s)", j->id_text, nid,
		    m.to, reply);
		return MP_OK;
	case SMTP_BOUNCE:
		p[1] = reply;
		p[2] = m.to;
		if (mp_q(&j->ctx, &stmts[M_BOUNCED], 3, p, NULL) != MP_OK ||
		    mp_tx_commit(&j->ctx) != MP_OK)
			return job_fail(j, "database error after a bounce", 0);
		mp_warn("job %s email %s to %s: bounced (%s)", j->id_text, nid,
		    m.to, reply);
		return job_fail(j, mp_strdup(j->ctx.a, reply), 1);
	case SMTP_PAUSE:
		p[1] = reply;
		p[2] = mp_printf(j->ctx.a, "%d", mp_notify_conf(j->ctx.cfg)->sender_pause);
		if (mp_q(&j->ctx, &stmts[M_PAUSE], 3, p, NULL) != MP_OK ||
		    mp_tx_commit(&j->ctx) != MP_OK)
			return job_fail(j, "database error pausing", 0);
		mp_error("ALERT email sending paused for %d s: %s",
		    mp_notify_conf(j->ctx.cfg)->sender_pause, reply);
		j->no_spend = 1;
		j->retry_in = mp_notify_conf(j->ctx.cfg)->sender_pause;
		return job_fail(j, mp_strdup(j->ctx.a, reply), 0);
	case SMTP_RETRY:
	default:
		p[1] = reply;
		p[2] = last ? "true" : "false";
		if (mp_q(&j->ctx, &stmts[M_RETRY], 3, p, NULL) != MP_OK ||
		    mp_tx_commit(&j->ctx) != MP_OK)
			return job_fail(j, "database error after a failure",
			    0);
		mp_warn("job %s email %s to %s: %s (%s)", j->id_text, nid,
		    m.to, last ? "failed" : "will retry", reply);
		return job_fail(j, mp_strdup(j->ctx.a, reply), 0);
	}
}

/* email.send past its deadline: the notification is expired. */
enum mp_err
mp_mail_job_expire(struct mp_job *j)
{
	const char	*p[2];

	if ((p[0] = payload_nid(j)) == NULL)
		return MP_OK;
	p[1] = "deadline passed before delivery";
	if (mp_q(&j->ctx, &stmts[M_EXPIRE], 2, p, NULL) != MP_OK)
		return MP_EDB;
	mp_info("job %s email %s: expired", j->id_text, p[0]);
	return MP_OK;
}
