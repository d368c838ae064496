/* Queueing mail: render, add tracking and the unsubscribe footer, record, enqueue email.send. */
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

/* ----------------------------------------------------------- helpers */

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
track_html(struct mp_ctx *c, const char *html, const char *origin,
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
		url = attr_unescape(c->a, v, (size_t)(ve - v));
		if (n < MAIL_MAX_LINKS && (strncmp(url, "https://", 8) == 0 ||
		    strncmp(url, "http://", 7) == 0) &&
		    (unsub == NULL || strcmp(url, unsub) != 0) &&
		    (tok = mp_notify_token(c->a, c->db, 'c',
		    c->tenant->id, pid, n)) != NULL) {
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
	if ((tok = mp_notify_token(c->a, c->db, 'o', c->tenant->id, pid,
	    0)) != NULL)
		mp_buf_printf(&b, "<img src=\"%s/t/o/%s\" width=\"1\" "
		    "height=\"1\" alt=\"\" style=\"display:block\">", origin,
		    tok);
	mp_buf_puts(&b, body);
	out = mp_strdup(c->a, mp_buf_cstr(&b));
	mp_buf_free(&b);
	return out;
}

/*
 * The visible unsubscribe link every non-transactional mail carries,
 * added before </body> (or at the end).  Arena memory.
 */
static char *
unsub_footer(struct mp_ctx *c, const char *html, const char *unsub)
{
	const char	*body = strstr(html, "</body>");
	size_t		 at = body ? (size_t)(body - html) : strlen(html);

	return mp_printf(c->a, "%.*s<p style=\"font-size:12px;color:#5b6472;"
	    "text-align:center\">You receive this mail from %s. "
	    "<a href=\"%s\">Unsubscribe</a></p>%s", (int)at, html,
	    html_text(c->a, c->tenant->name), unsub, html + at);
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
mp_mail_queue_raw(struct mp_ctx *c, const struct mp_mail_raw *m,
    char **notification_id)
{
	struct json_object	*links, *atts, *ao, *payload;
	struct mp_job_spec	 js;
	struct mp_res		*res;
	const char		*p[22], *from_name, *from_addr, *reply_to = NULL;
	char			*pid, *origin, *html, *text, *unsub = NULL,
				*nid, *jid, *domain;
	int			 i, transactional;
	enum mp_err		 rc;

	if (notification_id != NULL)
		*notification_id = NULL;
	if (m->to == NULL || strlen(m->to) < 3 || strlen(m->to) > 254 ||
	    strchr(m->to, '@') == NULL || strpbrk(m->to, "\r\n<> ,") != NULL)
		return mp_fail(c, MP_EINPUT, "to",
		    "The recipient address is not valid.");
	if (m->subject == NULL || *m->subject == '\0' ||
	    strlen(m->subject) > 900)
		return mp_fail(c, MP_EINPUT, "subject",
		    "The subject must have 1 to 900 characters.");
	if (!category_valid(m->category))
		return mp_fail(c, MP_EINPUT, "category",
		    "The category is not valid.");
	if (m->priority < 0 || m->priority > 10)
		return mp_fail(c, MP_EINPUT, "priority",
		    "The priority must be between 1 and 10.");
	if (m->html == NULL || strlen(m->html) > MAIL_MAX_HTML)
		return mp_fail(c, MP_EINPUT, "html",
		    "The message body is missing or too large.");
	transactional = category_transactional(m->category);
	pid = m->public_id != NULL ? mp_strdup(c->a, m->public_id) :
	    mp_token(c->a, 16);
	if ((origin = mp_origin(c)) == NULL)
		return MP_EDB;

	/* The sender: the tenant's settings, else its name and smtp_from. */
	from_name = c->tenant->name;
	from_addr = bare_address(c->a, mp_notify_conf(c->cfg)->smtp_from);
	if (from_addr == NULL)
		from_addr = mp_printf(c->a, "noreply@%s",
		    c->cfg->base_domain);
	if ((rc = mp_q(c, &mp_notify_stmts[N_SENDER], 0, NULL, &res)) != MP_OK)
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
	mp_json_own(c->a, links);
	html = mp_strdup(c->a, m->html);
	if (!transactional) {
		unsub = m->unsub_url != NULL ? mp_strdup(c->a, m->unsub_url) :
		    mp_notify_unsub_url(c, pid);
		if (unsub == NULL)
			return MP_ESYS;
	}
	/* One link: the template's own, else the footer's. */
	if (!transactional && strstr(html, unsub) == NULL)
		html = unsub_footer(c, html, unsub);
	text = m->text != NULL ? mp_strdup(c->a, m->text) :
	    mp_mail_html_to_text(c->a, html);
	if (!transactional && strstr(text, unsub) == NULL)
		text = mp_printf(c->a, "%s\n\n--\nUnsubscribe from these "
		    "messages: %s\n", text, unsub);
	if (!transactional)
		html = track_html(c, html, origin, pid, unsub, links);

	atts = json_object_new_array();
	mp_json_own(c->a, atts);
	for (i = 0; i < m->natt; i++) {
		ao = json_object_new_object();
		json_object_object_add(ao, "filename", json_object_new_string(
		    one_line(c->a, m->att[i].filename)));
		json_object_object_add(ao, "ctype", json_object_new_string(
		    m->att[i].ctype ? one_line(c->a, m->att[i].ctype) :
		    "application/octet-stream"));
		json_object_object_add(ao, "data", json_object_new_string(
		    mp_base64(c->a, m->att[i].data, m->att[i].len)));
		json_object_array_add(atts, ao);
	}

	p[0] = pid;
	p[1] = "email";
	p[2] = m->category;
	p[3] = m->user_id > 0 ? mp_printf(c->a, "%lld",
	    (long long)m->user_id) : NULL;
	p[4] = m->to;
	p[5] = one_line(c->a, m->to_name);
	p[6] = one_line(c->a, from_name);
	p[7] = from_addr;
	p[8] = reply_to;
	p[9] = one_line(c->a, m->subject);
	p[10] = m->tpl;
	p[11] = m->department;
	p[12] = html;
	p[13] = text;
	p[14] = json_object_to_json_string_ext(atts, JSON_C_TO_STRING_PLAIN);
	p[15] = json_object_to_json_string_ext(links, JSON_C_TO_STRING_PLAIN);
	p[16] = unsub;
	p[17] = mp_printf(c->a, "%d", m->priority ? m->priority : 5);
	p[18] = m->idem_key;
	p[19] = mp_printf(c->a, "<%s@%s>", pid, domain);
	p[20] = m->run_at;
	p[21] = m->deadline;
	if ((rc = mp_q(c, &mp_notify_stmts[N_INSERT], 22, p, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) == 0) {
		/* The idempotency key was used: that notification stands. */
		p[0] = m->idem_key;
		if ((rc = mp_q(c, &mp_notify_stmts[N_EXISTING], 1, p, &res)) != MP_OK)
			return rc;
		if (notification_id != NULL)
			*notification_id = mp_strdup(c->a,
			    mp_res_get(res, 0, 0));
		return MP_OK;
	}
	nid = mp_strdup(c->a, mp_res_get(res, 0, 0));
	payload = json_object_new_object();
	mp_json_own(c->a, payload);
	json_object_object_add(payload, "n", json_object_new_string(nid));
	memset(&js, 0, sizeof(js));
	js.kind = "email.send";
	js.queue = transactional ? "tx" : "bulk";
	js.priority = m->priority ? m->priority : 5;
	js.run_at = m->run_at;
	js.deadline = m->deadline;
	js.payload = payload;
	if ((rc = mp_job_enqueue(c, &js, &jid)) != MP_OK)
		return rc;
	p[0] = nid;
	p[1] = jid;
	p[2] = m->run_at ? mp_printf(c->a, "scheduled for %s", m->run_at) :
	    NULL;
	if ((rc = mp_q(c, &mp_notify_stmts[N_QUEUED], 3, p, NULL)) != MP_OK)
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
template_exists(struct mp_ctx *c, const char *name)
{
	char	*path = mp_printf(c->a, "%s/%s", c->cfg->templates_dir,
	    name);

	return access(path, R_OK) == 0;
}

/*
 * Render templates/mail/<tpl>.html.cs (and .txt.cs when there is one)
 * with m->data plus Tenant.* and Mail.*, then queue the result with
 * mp_mail_queue_raw.  m->data is written to (Tenant.*, Mail.*).
 */
enum mp_err
mp_mail_queue(struct mp_ctx *c, const struct mp_mail *m, char **notification_id)
{
	struct mp_mail_raw	 raw;
	struct mp_buf		 hb, tb;
	struct mp_res		*res;
	HDF			*hdf;
	char			*name, *pid, *unsub = NULL;
	enum mp_err		 rc;

	if (m->tpl == NULL || strspn(m->tpl, "abcdefghijklmnopqrstuvwxyz"
	    "0123456789_-/") != strlen(m->tpl) || strstr(m->tpl, "..") ||
	    m->tpl[0] == '/')
		return mp_fail(c, MP_EINPUT, "tpl",
		    "The mail template name is not valid.");
	if ((rc = mp_tenant_fill(c)) != MP_OK)
		return rc;
	hdf = m->data != NULL ? m->data : mp_ctx_hdf(c);
	mp_hdf_set(hdf, "Tenant.Name", c->tenant->name);
	mp_hdf_set(hdf, "Tenant.Slug", c->tenant->slug);
	mp_hdf_set(hdf, "Tenant.Origin", mp_origin(c));
	if ((rc = mp_q(c, &mp_notify_stmts[N_BRANDING], 0, NULL, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) == 1) {
		mp_hdf_set(hdf, "Tenant.SiteTitle", mp_res_get(res, 0, 0));
		mp_hdf_set(hdf, "Tenant.SupportEmail", mp_res_get(res, 0, 1));
		mp_hdf_set(hdf, "Tenant.PrimaryColor", mp_res_get(res, 0, 2));
		/* The logo, by absolute URL: mail readers fetch it from nginx. */
		if (!mp_res_isnull(res, 0, 3))
			mp_hdf_set(hdf, "Tenant.LogoUrl", mp_printf(c->a,
			    "%s/brand/%s", mp_origin(c), mp_res_get(res, 0, 3)));
		mp_hdf_set(hdf, "Tenant.Company", mp_res_get(res, 0, 4));
	}
	mp_hdf_set(hdf, "Mail.Subject", m->subject);
	mp_hdf_set(hdf, "Mail.ToName", m->to_name);
	mp_hdf_set(hdf, "Mail.Category", m->category);
	pid = mp_token(c->a, 16);
	if (m->category != NULL && !category_transactional(m->category)) {
		/* The link the template shows is the List-Unsubscribe one. */
		if ((unsub = mp_notify_unsub_url(c, pid)) == NULL)
			return MP_ESYS;
		mp_hdf_set(hdf, "Mail.Unsubscribable", "1");
		mp_hdf_set(hdf, "Mail.UnsubscribeUrl", unsub);
	}
	mp_buf_init(&hb, MAIL_MAX_HTML);
	mp_buf_init(&tb, MAIL_MAX_HTML);
	name = mp_printf(c->a, "mail/%s.html.cs", m->tpl);
	if ((rc = mp_tpl_render(c->tpl, name, hdf, &hb)) != MP_OK)
		goto out;
	name = mp_printf(c->a, "mail/%s.txt.cs", m->tpl);
	if (template_exists(c, name) &&
	    (rc = mp_tpl_render(c->tpl, name, hdf, &tb)) != MP_OK)
		goto out;
	memset(&raw, 0, sizeof(raw));
	raw.to = m->to;
	raw.to_name = m->to_name;
	raw.subject = m->subject;
	raw.html = mp_strdup(c->a, skip_space(mp_buf_cstr(&hb)));
	raw.text = tb.len > 0 ? mp_strdup(c->a, skip_space(mp_buf_cstr(&tb))) :
	    NULL;
	raw.tpl = m->tpl;
	raw.category = m->category;
	raw.priority = m->priority;
	raw.idem_key = m->idem_key;
	raw.user_id = m->user_id;
	raw.run_at = m->run_at;
	raw.public_id = pid;
	raw.unsub_url = unsub;
	rc = mp_mail_queue_raw(c, &raw, notification_id);
out:
	mp_buf_free(&hb);
	mp_buf_free(&tb);
	return rc;
}
