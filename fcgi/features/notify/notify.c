/* The notifications feature: mail and SMS delivery, tracking, unsubscribe links and the staff views. */
#include "features/notify/extern.h"

static const struct mp_field list_fields[] = {
	{ "state", MP_V_TEXT, 0, 16, 0, NULL },
	{ "page", MP_V_INT, 1, 100000, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

static const struct mp_route routes[] = {
	{ MP_GET,	"/t/o/{token:token}",	mp_track_open,	MP_R_NOSESSION, NULL },
	{ MP_GET,	"/t/c/{token:token}",	mp_track_click,	MP_R_NOSESSION, NULL },
	{ MP_GET,	"/u/{token:token}",	mp_unsub_show,	MP_R_NOSESSION, NULL },
	{ MP_POST,	"/u/{token:token}",	mp_unsub_post,	MP_R_NOSESSION, NULL },
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

const struct mp_feature mp_feature_notify = {
	.name = "notify",
	.routes = routes,
	.nroutes = MP_NELEM(routes),
	.jobs = jobs,
	.njobs = MP_NELEM(jobs),
	.stmts = stmts,
};
