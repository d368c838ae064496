/* The surveys feature: CSAT and NPS surveys reached from mail, their metrics and follow-up. */
#include "features/surveys/extern.h"

/*
 * The admin routes come before /api/surveys/{id}: "admin" would match an
 * id.  The form is not MP_R_NOSESSION: a signed-in staff member must be
 * recognised to be refused.
 */
static const struct mp_route routes[] = {
	{ MP_GET,	"/s/{token:token}",	mp_surveys_form, 0, NULL },
	{ MP_POST,	"/s/{token:token}",	mp_surveys_answer, MP_R_CSRF,
	    mp_surveys_answer_fields },
	{ MP_POST,	"/api/admin/surveys",	mp_surveys_api_create,
	    MP_R_JSON | MP_R_STAFF | MP_R_CSRF, mp_surveys_create_fields },
	{ MP_POST,	"/api/surveys/admin/send-nps", mp_surveys_api_send_nps,
	    MP_R_JSON | MP_R_STAFF | MP_R_CSRF, NULL },
	{ MP_GET,	"/api/surveys/admin/all", mp_surveys_api_all,
	    MP_R_JSON | MP_R_STAFF, mp_surveys_list_fields },
	{ MP_GET,	"/api/surveys/admin/metrics", mp_surveys_api_metrics,
	    MP_R_JSON | MP_R_STAFF, mp_surveys_metrics_fields },
	{ MP_GET,	"/api/surveys/admin/followups",
	    mp_surveys_api_followups,
	    MP_R_JSON | MP_R_STAFF, mp_surveys_followups_fields },
	{ MP_GET,	"/api/surveys/admin/settings", mp_surveys_api_settings,
	    MP_R_JSON | MP_R_STAFF, NULL },
	{ MP_PUT,	"/api/surveys/admin/settings",
	    mp_surveys_api_settings_put, MP_R_JSON | MP_R_ADMIN | MP_R_CSRF,
	    mp_surveys_settings_fields },
	{ MP_PUT,	"/api/surveys/admin/questions/{type}",
	    mp_surveys_api_question_put, MP_R_JSON | MP_R_ADMIN | MP_R_CSRF,
	    mp_surveys_question_fields },
	{ MP_POST,	"/api/surveys/admin/{id:token}/followup",
	    mp_surveys_api_followup, MP_R_JSON | MP_R_STAFF | MP_R_CSRF,
	    mp_surveys_followup_fields },
	{ MP_GET,	"/api/surveys",		mp_surveys_api_mine,
	    MP_R_JSON | MP_R_AUTH, mp_surveys_mine_fields },
	{ MP_GET,	"/api/surveys/{id:token}", mp_surveys_api_one,
	    MP_R_JSON | MP_R_AUTH, NULL },
	{ MP_POST,	"/api/surveys/{id:token}/respond",
	    mp_surveys_api_respond,
	    MP_R_JSON | MP_R_AUTH | MP_R_CSRF, mp_surveys_answer_fields },
	{ MP_GET,	"/staff/surveys",	mp_surveys_staff, MP_R_STAFF,
	    mp_surveys_page_fields },
	{ MP_GET,	"/staff/surveys/export.csv", mp_surveys_export,
	    MP_R_STAFF, mp_surveys_export_fields },
	{ MP_POST,	"/staff/surveys/settings", mp_surveys_staff_settings,
	    MP_R_ADMIN | MP_R_CSRF, mp_surveys_form_settings_fields },
	{ MP_POST,	"/staff/surveys/{id:token}/followup",
	    mp_surveys_staff_followup, MP_R_STAFF | MP_R_CSRF,
	    mp_surveys_followup_fields },
};

/*
 * kind, queue, handler, deadline handler, schedule, retry policy,
 * thread-safe.  survey.nps looks daily and runs each quarter's campaign
 * once (survey_campaign), for tenants that switched it on.
 */
static const struct mp_job_kind jobs[] = {
	{ "survey.nps", "bulk", mp_surveys_job_nps, NULL, 86400,
	    MP_BACKOFF_DEFAULT, 0 },
};

static const struct mp_stmt_table *const stmts[] = {
	&mp_surveys_send_st,
	&mp_surveys_form_st,
	&mp_surveys_staff_st,
	NULL
};

const struct mp_feature mp_feature_surveys = {
	.name = "surveys",
	.routes = routes,
	.nroutes = MP_NELEM(routes),
	.jobs = jobs,
	.njobs = MP_NELEM(jobs),
	.stmts = stmts,
};
