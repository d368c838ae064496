/* Phone verification by SMS (hashed 6-digit codes, expiry, tries, cooldown, daily caps) and inbound STOP from the SMS provider. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "features/prefs/extern.h"

enum {
	PH_LIMITS,
	PH_INSERT,
	PH_FIND,
	PH_WRONG,
	PH_OK,
	PH_STOP,
	PH_START,
	PH__MAX
};

static const struct mp_stmt stmts[] = {
	/*
	 * Seconds left of the resend cooldown, then per cap the count of
	 * the last day and the seconds until its oldest code ages out.
	 */
	[PH_LIMITS] = { "prefs_phone_limits",
	    "SELECT coalesce((SELECT ceil(extract(epoch FROM created_at +"
	    " make_interval(secs => $5::integer) - now())) FROM"
	    " phone_verification WHERE user_id = $1::bigint"
	    " ORDER BY created_at DESC LIMIT 1), 0)::integer,"
	    " count(*) FILTER (WHERE phone = $2),"
	    " coalesce(ceil(extract(epoch FROM min(created_at) FILTER (WHERE"
	    " phone = $2) + interval '1 day' - now())), 0)::integer,"
	    " count(*) FILTER (WHERE ip = $3::inet),"
	    " coalesce(ceil(extract(epoch FROM min(created_at) FILTER (WHERE"
	    " ip = $3::inet) + interval '1 day' - now())), 0)::integer,"
	    " count(*) FILTER (WHERE country_code = $4),"
	    " coalesce(ceil(extract(epoch FROM min(created_at) FILTER (WHERE"
	    " country_code = $4) + interval '1 day' - now())), 0)::integer"
	    " FROM phone_verification WHERE created_at > now() - interval"
	    " '1 day' AND (phone = $2 OR ip = $3::inet OR country_code = $4)" },
	[PH_INSERT] = { "prefs_phone_insert",
	    "INSERT INTO phone_verification (tenant_id, user_id, phone,"
	    " country_code, ip, salt, code_hash, expires_at) VALUES"
	    " (mp_tenant(), $1::bigint, $2, $4, $3::inet, $5, $6,"
	    " now() + make_interval(secs => $7::integer)) RETURNING id" },
	[PH_FIND] = { "prefs_phone_find",
	    "SELECT id, phone, salt, code_hash, attempts, expires_at > now()"
	    " FROM phone_verification WHERE user_id = $1::bigint"
	    " AND used_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 1"
	    " FOR UPDATE" },
	[PH_WRONG] = { "prefs_phone_wrong",
	    "UPDATE phone_verification SET attempts = attempts + 1"
	    " WHERE id = $1::bigint RETURNING attempts" },
	[PH_OK] = { "prefs_phone_ok",
	    "WITH v AS (UPDATE phone_verification SET used_at = now()"
	    " WHERE id = $1::bigint)"
	    " INSERT INTO notification_phone (tenant_id, user_id, phone,"
	    " verified_at) VALUES (mp_tenant(), $2::bigint, $3, now())"
	    " ON CONFLICT (tenant_id, user_id) DO UPDATE SET"
	    " phone = EXCLUDED.phone, verified_at = now(),"
	    " updated_at = now()" },
	[PH_STOP] = { "prefs_sms_stop",
	    "WITH s AS (INSERT INTO notification_suppression (tenant_id,"
	    " channel, address, reason, detail) VALUES (mp_tenant(), 'sms', $1,"
	    " 'stop', left($2, 200)) ON CONFLICT DO NOTHING)"
	    " INSERT INTO optout_event (tenant_id, action, channel, address,"
	    " category, source, message_id) VALUES (mp_tenant(), 'out', 'sms',"
	    " $1, 'all', 'stop', $3)" },
	[PH_START] = { "prefs_sms_start",
	    "WITH d AS (DELETE FROM notification_suppression WHERE"
	    " channel = 'sms' AND address = $1 AND reason = 'stop'"
	    " RETURNING 1)"
	    " INSERT INTO optout_event (tenant_id, action, channel, address,"
	    " category, source, message_id) SELECT mp_tenant(), 'in', 'sms',"
	    " $1, 'all', 'stop', $2 WHERE EXISTS (SELECT 1 FROM d)" },
};

_Static_assert(sizeof(stmts) / sizeof(stmts[0]) == PH__MAX,
    "prefs phone statements and enum differ");

MP_STMT_TABLE(mp_prefs_phone_st, stmts);

const struct mp_field mp_prefs_phone_fields[] = {
	{ "phone", MP_V_TEXT, 1, 20, 1, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct mp_field mp_prefs_code_fields[] = {
	{ "code", MP_V_TEXT, 1, 12, 1, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

/*
 * The country calling code of an E.164 number: 1 and 7 alone, the
 * two-digit codes ITU assigned, else three digits.  Arena memory.
 */
const char *
mp_prefs_country_code(struct mp_arena *a, const char *e164)
{
	static const char *const two[] = {
		"20", "27", "30", "31", "32", "33", "34", "36", "39", "40",
		"41", "43", "44", "45", "46", "47", "48", "49", "51", "52",
		"53", "54", "55", "56", "57", "58", "60", "61", "62", "63",
		"64", "65", "66", "81", "82", "84", "86", "90", "91", "92",
		"93", "94", "95", "98", NULL
	};
	const char	*d = e164 + 1;
	int		 i;

	if (d[0] == '1' || d[0] == '7')
		return mp_strndup(a, d, 1);
	for (i = 0; two[i] != NULL; i++)
		if (strncmp(d, two[i], 2) == 0)
			return mp_strndup(a, d, 2);
	return mp_strndup(a, d, 3);
}

/* A uniform six-digit code. */
static void
new_code(char out[7])
{
	uint32_t	 v;

	do
		mp_random(&v, sizeof(v));
	while (v >= 4294000000u);	/* a multiple of 10^6: no bias */
	snprintf(out, 7, "%06u", (unsigned)(v % 1000000u));
}

/* Refuse with 429 and Retry-After (seconds, at least 1). */
static enum mp_err
too_many(struct mp_req *r, struct mp_resp *w, int secs, const char *field,
    const char *msg)
{
	mp_resp_header(w, "Retry-After", mp_printf(r->ctx.a, "%d",
	    secs > 0 ? secs : 1));
	return mp_req_fail(r, MP_ERATE, field, msg);
}

/*
 * POST /account/notifications/phone and POST
 * /api/notification-preferences/verify-phone {phone}: text a code to
 * the number.  Limits, checked before anything is sent: one code a
 * phone_resend_s per user, phone_daily_per_number, _per_ip and
 * _per_country in 24 hours (429 with Retry-After).  The number becomes
 * the user's when the code is confirmed.
 */
enum mp_err
mp_prefs_phone_send(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_prefs_conf	*cf = mp_prefs_conf(r->ctx.cfg);
	const struct mp_value		*ph = mp_req_val(r, "phone");
	struct json_object		*o;
	struct mp_res			*res;
	struct mp_sms			 sms;
	const char			*p[7], *cc, *salt;
	char				 code[7];
	enum mp_err			 rc;

	if (!mp_e164_valid(ph->s))
		return mp_req_fail(r, MP_EINPUT, "phone", "Enter the number "
		    "in international form: + and 7 to 15 digits, such as "
		    "+441632960961.");
	cc = mp_prefs_country_code(r->ctx.a, ph->s);
	p[0] = r->user->id_text;
	p[1] = ph->s;
	p[2] = r->remote_addr;
	p[3] = cc;
	p[4] = mp_printf(r->ctx.a, "%d", cf->phone_resend_s);
	if ((rc = mp_q(&r->ctx, &stmts[PH_LIMITS], 5, p, &res)) != MP_OK)
		return rc;
	if (mp_res_int(res, 0, 0) > 0)
		return too_many(r, w, (int)mp_res_int(res, 0, 0), "phone",
		    "A code was sent less than a minute ago. Wait before "
		    "asking for another.");
	if (mp_res_int(res, 0, 1) >= cf->phone_daily_per_number)
		return too_many(r, w, (int)mp_res_int(res, 0, 2), "phone",
		    "Too many codes were sent to this number today.");
	if (mp_res_int(res, 0, 3) >= cf->phone_daily_per_ip)
		return too_many(r, w, (int)mp_res_int(res, 0, 4), NULL,
		    "Too many codes were asked for from your network today.");
	if (mp_res_int(res, 0, 5) >= cf->phone_daily_per_country)
		return too_many(r, w, (int)mp_res_int(res, 0, 6), "phone",
		    "Too many codes were sent to this country today. Try "
		    "again tomorrow.");
	new_code(code);
	salt = mp_token(r->ctx.a, 16);
	p[4] = salt;
	p[5] = mp_sha256_hex(r->ctx.a, mp_printf(r->ctx.a, "%s%s", salt,
	    code), strlen(salt) + 6);
	p[6] = mp_printf(r->ctx.a, "%d", cf->phone_code_ttl);
	if ((rc = mp_q(&r->ctx, &stmts[PH_INSERT], 7, p, NULL)) != MP_OK)
		return rc;
	memset(&sms, 0, sizeof(sms));
	sms.to = ph->s;
	sms.body = mp_printf(r->ctx.a, "%s code: %s. It expires in %d "
	    "minutes. Do not share it.", r->ctx.tenant->name, code,
	    cf->phone_code_ttl / 60);
	sms.category = "transactional";
	sms.priority = 1;
	sms.user_id = r->user->id;
	if ((rc = mp_sms_queue(&r->ctx, &sms, NULL)) != MP_OK)
		return rc;
	if (!(r->route->flags & MP_R_JSON))
		return mp_resp_redirect(w, 303,
		    "/account/notifications?done=code#phone");
	o = json_object_new_object();
	mp_json_own(r->ctx.a, o);
	json_object_object_add(o, "status", json_object_new_string(
	    "code_sent"));
	json_object_object_add(o, "expires_in",
	    json_object_new_int(cf->phone_code_ttl));
	json_object_object_add(o, "resend_in",
	    json_object_new_int(cf->phone_resend_s));
	return mp_resp_json(r, w, 202, o);
}

/*
 * POST /account/notifications/phone/confirm and POST
 * /api/notification-preferences/confirm-phone {code}: the latest unused
 * code of the user.  A wrong code counts (the count is committed even
 * though the answer is an error); after phone_max_tries wrong ones the
 * code is void (429); a code past phone_code_ttl is refused.  The right
 * one makes the number the user's, verified.
 */
enum mp_err
mp_prefs_phone_confirm(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_prefs_conf	*cf = mp_prefs_conf(r->ctx.cfg);
	const struct mp_value		*code = mp_req_val(r, "code");
	struct json_object		*o;
	struct mp_res			*res;
	const char			*p[3], *salt, *want;
	char				*got, *vid, *phone;
	enum mp_err			 rc;
	int				 left;

	p[0] = r->user->id_text;
	if ((rc = mp_q(&r->ctx, &stmts[PH_FIND], 1, p, &res)) != MP_OK)
		return rc;
	if (mp_res_rows(res) != 1)
		return mp_req_fail(r, MP_EINPUT, "code",
		    "Ask for a code first.");
	vid = mp_strdup(r->ctx.a, mp_res_get(res, 0, 0));
	phone = mp_strdup(r->ctx.a, mp_res_get(res, 0, 1));
	salt = mp_res_get(res, 0, 2);
	want = mp_res_get(res, 0, 3);
	if (mp_res_int(res, 0, 4) >= cf->phone_max_tries)
		return too_many(r, w, cf->phone_resend_s, "code",
		    "Too many wrong codes. Ask for a new one.");
	if (!mp_res_bool(res, 0, 5))
		return mp_req_fail(r, MP_EINPUT, "code",
		    "This code has expired. Ask for a new one.");
	got = mp_sha256_hex(r->ctx.a, mp_printf(r->ctx.a, "%s%s", salt,
	    code->s), strlen(salt) + code->len);
	if (code->len != 6 || strspn(code->s, "0123456789") != 6 ||
	    !mp_ct_equal(got, want, 64)) {
		p[0] = vid;
		if ((rc = mp_q(&r->ctx, &stmts[PH_WRONG], 1, p, &res)) !=
		    MP_OK)
			return rc;
		left = cf->phone_max_tries - (int)mp_res_int(res, 0, 0);
		/* The wrong try stands even though the answer is an error. */
		if ((rc = mp_tx_commit(&r->ctx)) != MP_OK)
			return rc;
		return mp_req_fail(r, MP_EINPUT, "code", left > 0 ?
		    mp_printf(r->ctx.a, "That code is not right. %d %s left.",
		    left, left == 1 ? "try" : "tries") :
		    "That code is not right, and it was the last try. Ask "
		    "for a new code.");
	}
	p[0] = vid;
	p[1] = r->user->id_text;
	p[2] = phone;
	if ((rc = mp_q(&r->ctx, &stmts[PH_OK], 3, p, NULL)) != MP_OK)
		return rc;
	if (!(r->route->flags & MP_R_JSON))
		return mp_resp_redirect(w, 303,
		    "/account/notifications?done=verified#phone");
	o = json_object_new_object();
	mp_json_own(r->ctx.a, o);
	json_object_object_add(o, "verified", json_object_new_boolean(1));
	json_object_object_add(o, "phone", json_object_new_string(phone));
	return mp_resp_json(r, w, 200, o);
}

/* The first word of an SMS body, upper-cased (at most 15 letters). */
static void
first_word(const char *s, char out[16])
{
	size_t	 n = 0;

	while (s != NULL && isspace((unsigned char)*s))
		s++;
	while (s != NULL && *s != '\0' && !isspace((unsigned char)*s) &&
	    n < 15)
		out[n++] = (char)toupper((unsigned char)*s++);
	out[n] = '\0';
}

/*
 * POST /sms/inbound: a message to our number, as the provider forwards
 * it (From, Body, MessageSid), signed like the status callbacks (else
 * 403).  STOP and its synonyms suppress every SMS to the sender, with
 * the evidence; START and UNSTOP lift a STOP.  Answers an empty TwiML
 * response (the provider sends its own confirmation).
 */
enum mp_err
mp_prefs_sms_inbound(struct mp_req *r, struct mp_resp *w)
{
	static const char *const stop[] = { "STOP", "STOPALL", "UNSUBSCRIBE",
		"CANCEL", "END", "QUIT", "REVOKE", "OPTOUT", NULL };
	static const char *const start[] = { "START", "UNSTOP", "YES", NULL };
	const char	*from = mp_req_form(r, "From"), *sid, *p[3];
	char		 word[16];
	enum mp_err	 rc;
	int		 i;

	if (!mp_sms_signed(r))
		return mp_req_fail(r, MP_EFORBID, NULL,
		    "The request is not signed by the SMS provider.");
	if (from == NULL || !mp_e164_valid(from))
		return mp_req_fail(r, MP_EINPUT, "From",
		    "From must be an E.164 number.");
	sid = mp_req_form(r, "MessageSid");
	if (sid != NULL && strlen(sid) > 64)
		sid = NULL;
	first_word(mp_req_form(r, "Body"), word);
	p[0] = from;
	for (i = 0; stop[i] != NULL; i++)
		if (strcmp(word, stop[i]) == 0) {
			p[1] = word;
			p[2] = sid;
			if ((rc = mp_q(&r->ctx, &stmts[PH_STOP], 3, p,
			    NULL)) != MP_OK)
				return rc;
			mp_info("sms: %s replied %s: SMS suppressed", from,
			    word);
		}
	for (i = 0; start[i] != NULL; i++)
		if (strcmp(word, start[i]) == 0) {
			p[1] = sid;
			if ((rc = mp_q(&r->ctx, &stmts[PH_START], 2, p,
			    NULL)) != MP_OK)
				return rc;
		}
	w->status = 200;
	w->ctype = "text/xml; charset=utf-8";
	mp_buf_puts(&w->body, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	    "<Response></Response>\n");
	return MP_OK;
}
