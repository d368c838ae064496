/* The notifications feature: mail and SMS delivery, tracking, signed unsubscribe links and the staff views. */
#include <string.h>

#include "features/notify/extern.h"

static const struct mp_field list_fields[] = {
	{ "state", MP_V_TEXT, 0, 16, 0, NULL },
	{ "page", MP_V_INT, 1, 100000, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

static const struct mp_route routes[] = {
	{ MP_GET,	"/t/o/{token:token}",	mp_track_open,	MP_R_NOSESSION, NULL },
	{ MP_GET,	"/t/c/{token:token}",	mp_track_click,	MP_R_NOSESSION, NULL },
	{ MP_POST,	"/sms/status",		mp_sms_status,
	    MP_R_JSON | MP_R_NOSESSION, NULL },
	{ MP_GET,	"/admin/notifications",	mp_notify_list,
	    MP_R_STAFF, list_fields },
	{ MP_GET,	"/admin/notifications/{id:token}", mp_notify_show,
	    MP_R_STAFF, NULL },
	{ MP_POST,	"/admin/notifications/{id:token}/retry", mp_notify_retry,
	    MP_R_STAFF | MP_R_CSRF, NULL },
};

/* kind, queue, handler, deadline handler, schedule, retry policy, thread-safe */
static const struct mp_job_kind jobs[] = {
	{ "email.send", "tx", mp_mail_job_send, mp_mail_job_expire, 0,
	    MP_BACKOFF_EMAIL, 1 },
	{ "sms.send", "tx", mp_sms_job_send, mp_sms_job_expire, 0,
	    MP_BACKOFF_SMS, 1 },
};

static const struct mp_stmt_table *const stmts[] = {
	&mp_notify_store_st,
	&mp_notify_mail_st,
	&mp_notify_sms_st,
	NULL
};

static const char *
check_smtp_url(const char *v)
{
	if (*v != '\0' && strncmp(v, "smtp://", 7) != 0 &&
	    strncmp(v, "smtps://", 8) != 0)
		return "must be empty or start with smtp:// or smtps://";
	return NULL;
}

static const char *
check_http_url(const char *v)
{
	if (*v != '\0' && strncmp(v, "http://", 7) != 0 &&
	    strncmp(v, "https://", 8) != 0)
		return "must be empty or start with http:// or https://";
	return NULL;
}

static const char *
check_e164(const char *v)
{
	if (*v != '\0' && !mp_e164_valid(v))
		return "must be empty or an E.164 number (+ and 7 to 15 digits)";
	return NULL;
}

static const struct mp_confkey conf_keys[] = {
	MP_CONF_S(mp_notify_conf, smtp_url, "", check_smtp_url),
	MP_CONF_S(mp_notify_conf, smtp_from, "", NULL),
	MP_CONF_S(mp_notify_conf, smtp_user, "", NULL),
	MP_CONF_S(mp_notify_conf, smtp_password, "", NULL),
	MP_CONF_I(mp_notify_conf, smtp_starttls, 0, 1, "1"),
	MP_CONF_S(mp_notify_conf, smtp_ca_file, "", NULL),
	MP_CONF_I(mp_notify_conf, smtp_timeout, 1, 600, "30"),
	MP_CONF_S(mp_notify_conf, sms_base_url, "", check_http_url),
	MP_CONF_S(mp_notify_conf, sms_account_sid, "", NULL),
	MP_CONF_S(mp_notify_conf, sms_auth_token, "", NULL),
	MP_CONF_S(mp_notify_conf, sms_from, "", check_e164),
	MP_CONF_I(mp_notify_conf, sender_pause, 1, 86400, "300"),
};

const struct mp_confsec mp_notify_confsec = {
	"notify", conf_keys, MP_NELEM(conf_keys), sizeof(struct mp_notify_conf)
};

const struct mp_feature mp_feature_notify = {
	.name = "notify",
	.routes = routes,
	.nroutes = MP_NELEM(routes),
	.jobs = jobs,
	.njobs = MP_NELEM(jobs),
	.stmts = stmts,
	.conf = &mp_notify_confsec,
};
