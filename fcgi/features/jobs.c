/* The job table: every kind of background job the worker runs. */
#include <string.h>

#include "features/extern.h"

/*
 * kind, queue, handler, deadline handler, schedule (seconds; scheduled
 * kinds have one self-rescheduling job per tenant), retry policy, and
 * whether the handler is thread-safe (else the worker runs that kind's
 * jobs one at a time).
 */
const struct mp_job_kind mp_job_kinds[] = {
	{ "email.send", "tx", mp_mail_job_send, mp_mail_job_expire, 0,
	    MP_BACKOFF_EMAIL, 1 },
	{ "sms.send", "tx", mp_sms_job_send, mp_sms_job_expire, 0,
	    MP_BACKOFF_SMS, 1 },
	{ "queue.noop", "bulk", mp_queue_job_noop, NULL, 0,
	    MP_BACKOFF_DEFAULT, 1 },
	{ "queue.retention", "bulk", mp_queue_job_retention, NULL, 3600,
	    MP_BACKOFF_DEFAULT, 1 },
	{ "sessions.cleanup", "bulk", mp_sessions_job_cleanup, NULL, 3600,
	    MP_BACKOFF_DEFAULT, 1 },
	{ "status.tick", "tx", mp_status_job_tick, NULL, 30,
	    MP_BACKOFF_DEFAULT, 0 },
	{ "kb.related", "bulk", mp_kb_job_related, NULL, 0,
	    MP_BACKOFF_DEFAULT, 1 },
	{ "kb.retention", "bulk", mp_kb_job_retention, NULL, 86400,
	    MP_BACKOFF_DEFAULT, 1 },
};

const size_t mp_njob_kinds = sizeof(mp_job_kinds) / sizeof(mp_job_kinds[0]);

/* The table entry for kind, or NULL. */
const struct mp_job_kind *
mp_job_kind_find(const char *kind)
{
	size_t	 i;

	for (i = 0; kind != NULL && i < mp_njob_kinds; i++)
		if (strcmp(mp_job_kinds[i].kind, kind) == 0)
			return &mp_job_kinds[i];
	return NULL;
}
