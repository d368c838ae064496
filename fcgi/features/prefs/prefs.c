/* The preferences feature: the preference centre, the one unsubscribe system (/u/), phone verification, STOP, digests and the newsletter. */
#include "features/prefs/extern.h"

static const struct mp_route routes[] = {
	/* The one unsubscribe link of every non-transactional mail. */
	{ MP_GET,	"/u/{token:token}",	mp_prefs_unsub_show,
	    0, NULL },
	{ MP_POST,	"/u/{token:token}",	mp_prefs_unsub_post,
	    MP_R_NOSESSION, NULL },
	{ MP_POST,	"/u/{token:token}/preferences", mp_prefs_unsub_save,
	    MP_R_CSRF, NULL },
	{ MP_GET,	"/account/notifications", mp_prefs_account,
	    MP_R_AUTH, NULL },
	{ MP_POST,	"/account/notifications", mp_prefs_account_save,
	    MP_R_AUTH | MP_R_CSRF, NULL },
	{ MP_POST,	"/account/notifications/phone", mp_prefs_phone_send,
	    MP_R_AUTH | MP_R_CSRF, mp_prefs_phone_fields },
	{ MP_POST,	"/account/notifications/phone/confirm",
	    mp_prefs_phone_confirm, MP_R_AUTH | MP_R_CSRF,
	    mp_prefs_code_fields },
	{ MP_GET,	"/api/notification-preferences", mp_prefs_api_get,
	    MP_R_JSON | MP_R_AUTH, NULL },
	{ MP_PUT,	"/api/notification-preferences", mp_prefs_api_put,
	    MP_R_JSON | MP_R_AUTH | MP_R_CSRF, NULL },
	{ MP_POST,	"/api/notification-preferences/verify-phone",
	    mp_prefs_phone_send, MP_R_JSON | MP_R_AUTH | MP_R_CSRF,
	    mp_prefs_phone_fields },
	{ MP_POST,	"/api/notification-preferences/confirm-phone",
	    mp_prefs_phone_confirm, MP_R_JSON | MP_R_AUTH | MP_R_CSRF,
	    mp_prefs_code_fields },
	{ MP_POST,	"/api/notification-preferences/unsubscribe/{category}",
	    mp_prefs_api_unsub, MP_R_JSON | MP_R_NOSESSION,
	    mp_prefs_api_unsub_fields },
	{ MP_GET,	"/api/notification-preferences/stats",
	    mp_prefs_api_stats, MP_R_JSON | MP_R_STAFF, NULL },
	{ MP_POST,	"/sms/inbound",		mp_prefs_sms_inbound,
	    MP_R_JSON | MP_R_NOSESSION, NULL },
	{ MP_GET,	"/staff/notifications/optouts", mp_prefs_staff_optouts,
	    MP_R_STAFF, NULL },
	/* The newsletter. */
	{ MP_POST,	"/api/marketing/newsletter", mp_news_subscribe,
	    MP_R_JSON | MP_R_NOSESSION | MP_R_CORS, mp_news_sub_fields },
	{ MP_POST,	"/api/marketing/unsubscribe", mp_news_unsubscribe,
	    MP_R_JSON | MP_R_NOSESSION | MP_R_CORS, mp_news_unsub_fields },
	{ MP_GET,	"/newsletter/confirm/{token:token}",
	    mp_news_confirm_form, 0, NULL },
	{ MP_POST,	"/newsletter/confirm/{token:token}", mp_news_confirm,
	    MP_R_CSRF, NULL },
	{ MP_GET,	"/staff/newsletter",	mp_news_staff,
	    MP_R_STAFF, NULL },
	{ MP_GET,	"/staff/newsletter/subscribers.csv", mp_news_csv,
	    MP_R_STAFF, NULL },
	{ MP_POST,	"/staff/newsletter/issues", mp_news_issue_create,
	    MP_R_STAFF | MP_R_CSRF, mp_news_issue_fields },
	{ MP_GET,	"/staff/newsletter/issues/{id:token}",
	    mp_news_issue_show, MP_R_STAFF, NULL },
	{ MP_POST,	"/staff/newsletter/issues/{id:token}/test",
	    mp_news_issue_test, MP_R_STAFF | MP_R_CSRF, NULL },
	{ MP_POST,	"/staff/newsletter/issues/{id:token}/send",
	    mp_news_issue_send, MP_R_STAFF | MP_R_CSRF, NULL },
};

/* kind, queue, handler, deadline handler, schedule, retry, thread-safe */
static const struct mp_job_kind jobs[] = {
	{ "prefs.digest", "bulk", mp_prefs_job_digest, NULL, 900,
	    MP_BACKOFF_DEFAULT, 0 },
	{ "newsletter.send", "bulk", mp_news_job_send, NULL, 0,
	    MP_BACKOFF_DEFAULT, 1 },
};

static const struct mp_stmt_table *const stmts[] = {
	&mp_prefs_matrix_st,
	&mp_prefs_unsub_st,
	&mp_prefs_phone_st,
	&mp_prefs_digest_st,
	&mp_prefs_news_st,
	NULL
};

static const struct mp_confkey conf_keys[] = {
	MP_CONF_I(mp_prefs_conf, phone_code_ttl, 60, 3600, "600"),
	MP_CONF_I(mp_prefs_conf, phone_max_tries, 1, 20, "5"),
	MP_CONF_I(mp_prefs_conf, phone_resend_s, 10, 3600, "60"),
	MP_CONF_I(mp_prefs_conf, phone_daily_per_number, 1, 100, "5"),
	MP_CONF_I(mp_prefs_conf, phone_daily_per_ip, 1, 10000, "10"),
	MP_CONF_I(mp_prefs_conf, phone_daily_per_country, 1, 1000000, "200"),
	MP_CONF_I(mp_prefs_conf, newsletter_per_ip_hour, 1, 10000, "3"),
	MP_CONF_I(mp_prefs_conf, unsubscribe_per_ip_hour, 1, 10000, "10"),
	MP_CONF_I(mp_prefs_conf, stats_days, 1, 3650, "30"),
};

const struct mp_confsec mp_prefs_confsec = {
	"prefs", conf_keys, MP_NELEM(conf_keys), sizeof(struct mp_prefs_conf)
};

const struct mp_feature mp_feature_prefs = {
	.name = "prefs",
	.routes = routes,
	.nroutes = MP_NELEM(routes),
	.jobs = jobs,
	.njobs = MP_NELEM(jobs),
	.stmts = stmts,
	.conf = &mp_prefs_confsec,
};
