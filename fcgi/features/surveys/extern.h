/* The surveys feature's own interface, shared by the files of fcgi/features/surveys only. */
#ifndef MP_FEATURES_SURVEYS_EXTERN_H
#define MP_FEATURES_SURVEYS_EXTERN_H

#include "features/surveys/surveys.h"
#include "features/notify/notify.h"

#define SURVEY_COMMENT_MAX	2000	/* characters of a comment */
#define SURVEY_NOTE_MAX		2000	/* characters of a follow-up note */
#define SURVEY_TOKEN_BYTES	16	/* 128 bits in the link */
#define SURVEY_BATCH		200	/* NPS surveys made per transaction */
/* The survey mail's preference category (its unsubscribe link stops it). */
#define SURVEY_CATEGORY		"product"

/* send.c: making surveys and their mail; the admin and campaign endpoints. */
extern const struct mp_stmt_table	 mp_surveys_send_st;
extern const struct mp_field		 mp_surveys_create_fields[];
enum mp_err	 mp_surveys_api_create(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_surveys_api_send_nps(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_surveys_job_nps(struct mp_job *);

/* form.c: the public form reached from mail, and the customer's JSON. */
extern const struct mp_stmt_table	 mp_surveys_form_st;
extern const struct mp_field		 mp_surveys_answer_fields[];
extern const struct mp_field		 mp_surveys_mine_fields[];
enum mp_err	 mp_surveys_form(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_surveys_answer(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_surveys_api_mine(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_surveys_api_one(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_surveys_api_respond(struct mp_req *, struct mp_resp *);

/* staff.c: metrics, charts, answers, follow-ups, export and settings. */
extern const struct mp_stmt_table	 mp_surveys_staff_st;
extern const struct mp_field		 mp_surveys_list_fields[];
extern const struct mp_field		 mp_surveys_metrics_fields[];
extern const struct mp_field		 mp_surveys_followups_fields[];
extern const struct mp_field		 mp_surveys_followup_fields[];
extern const struct mp_field		 mp_surveys_export_fields[];
extern const struct mp_field		 mp_surveys_settings_fields[];
extern const struct mp_field		 mp_surveys_question_fields[];
extern const struct mp_field		 mp_surveys_page_fields[];
extern const struct mp_field		 mp_surveys_form_settings_fields[];
enum mp_err	 mp_surveys_api_all(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_surveys_api_metrics(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_surveys_api_followups(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_surveys_api_followup(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_surveys_api_settings(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_surveys_api_settings_put(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_surveys_api_question_put(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_surveys_staff(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_surveys_staff_followup(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_surveys_staff_settings(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_surveys_export(struct mp_req *, struct mp_resp *);

/* Shared helpers (form.c). */
/* A number with a fixed count of decimals as a JSON number ("66.7"). */
struct json_object *mp_surveys_json_num(struct mp_arena *, double, int);

#endif
