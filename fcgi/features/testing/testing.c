/* Routes for the integration tests and benchmarks only: served when test_routes = 1, never otherwise. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "features/notify/notify.h"
#include "features/testing/testing.h"

/*
 * POST /_test/queue/mail (test_routes only): queue count messages built
 * from the JSON fields, for the integration tests and the benchmark.
 * Answers {"ids": [public ids]}.
 */
static enum mp_err
test_mail(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*to = mp_req_val(r, "to"),
				*subject = mp_req_val(r, "subject"),
				*cat = mp_req_val(r, "category"),
				*prio = mp_req_val(r, "priority"),
				*idem = mp_req_val(r, "idem_key"),
				*delay = mp_req_val(r, "delay"),
				*dl = mp_req_val(r, "deadline_in"),
				*count = mp_req_val(r, "count"),
				*html = mp_req_val(r, "html"),
				*att = mp_req_val(r, "attachment"),
				*name = mp_req_val(r, "to_name"),
				*sms_to = mp_req_val(r, "sms_to");
	struct mp_sms		 sms;
	struct mp_mail_attachment a;
	struct mp_mail_raw	 raw;
	struct mp_mail		 m;
	struct json_object	*o, *ids;
	char			*nid, ts[64];
	time_t			 t;
	struct tm		 tm;
	int64_t			 i, n = count->present ? count->i : 1;
	enum mp_err		 rc;

	o = json_object_new_object();
	mp_json_own(r->ctx.a, o);
	ids = json_object_new_array();
	json_object_object_add(o, "ids", ids);
	memset(&m, 0, sizeof(m));
	memset(&raw, 0, sizeof(raw));
	m.to = raw.to = to->s;
	m.to_name = raw.to_name = name->present ? name->s : NULL;
	m.subject = raw.subject = subject->s;
	m.category = raw.category = cat->present ? cat->s : "transactional";
	m.priority = raw.priority = prio->present ? (int)prio->i : 5;
	m.tpl = "queue/test";
	if (delay->present) {
		t = time(NULL) + delay->i;
		gmtime_r(&t, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
		m.run_at = raw.run_at = mp_strdup(r->ctx.a, ts);
	}
	if (dl->present) {
		t = time(NULL) + dl->i;
		gmtime_r(&t, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
		raw.deadline = mp_strdup(r->ctx.a, ts);
	}
	if (att->present) {
		a.filename = "notes.txt";
		a.ctype = "text/plain";
		a.data = att->s;
		a.len = att->len;
		raw.att = &a;
		raw.natt = 1;
	}
	for (i = 0; i < n && sms_to->present; i++) {
		memset(&sms, 0, sizeof(sms));
		sms.to = sms_to->s;
		sms.body = subject->s;
		sms.category = m.category;
		sms.priority = m.priority;
		sms.idem_key = idem->present ? idem->s : NULL;
		sms.deadline = raw.deadline;
		if ((rc = mp_sms_queue(&r->ctx, &sms, &nid)) != MP_OK)
			return rc;
		json_object_array_add(ids, json_object_new_string(nid));
	}
	for (i = 0; i < n && !sms_to->present; i++) {
		m.idem_key = raw.idem_key = idem->present ? idem->s : NULL;
		if (html->present || raw.deadline != NULL || raw.natt > 0) {
			raw.html = html->present ? html->s :
			    "<html><body><p>Test message.</p></body></html>";
			rc = mp_mail_queue_raw(&r->ctx, &raw, &nid);
		} else {
			m.data = NULL;
			rc = mp_mail_queue(&r->ctx, &m, &nid);
		}
		if (rc != MP_OK)
			return rc;
		json_object_array_add(ids, json_object_new_string(nid));
	}
	return mp_resp_json(r, w, 200, o);
}

/* GET /_test/sleep?ms=N: a slow request for the process-manager tests. */
static enum mp_err
test_sleep(struct mp_req *r, struct mp_resp *w)
{
	const struct mp_value	*ms = mp_req_val(r, "ms");
	struct timespec		 ts;

	ts.tv_sec = ms->i / 1000;
	ts.tv_nsec = (ms->i % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0)
		continue;
	w->status = 200;
	w->ctype = "application/json";
	mp_buf_printf(&w->body, "{\"slept_ms\":%lld,\"pid\":%d}\n",
	    (long long)ms->i, (int)getpid());
	return MP_OK;
}

static const struct mp_field test_mail_fields[] = {
	{ "to", MP_V_EMAIL, 0, 254, 1, NULL },
	{ "to_name", MP_V_TEXT, 0, 200, 0, NULL },
	{ "subject", MP_V_TEXT, 1, 900, 1, NULL },
	{ "category", MP_V_TEXT, 1, 32, 0, NULL },
	{ "priority", MP_V_INT, 1, 10, 0, NULL },
	{ "idem_key", MP_V_TEXT, 1, 200, 0, NULL },
	{ "delay", MP_V_INT, 0, 86400, 0, NULL },
	{ "deadline_in", MP_V_INT, -86400, 86400, 0, NULL },
	{ "count", MP_V_INT, 1, 1000, 0, NULL },
	{ "html", MP_V_TEXT, 1, 100000, 0, NULL },
	{ "attachment", MP_V_TEXT, 1, 100000, 0, NULL },
	{ "sms_to", MP_V_TEXT, 1, 32, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

static const struct mp_field sleep_fields[] = {
	{ "ms", MP_V_INT, 0, 600000, 1, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

static const struct mp_route routes[] = {
	{ MP_POST,	"/_test/queue/mail",	test_mail,
	    MP_R_JSON | MP_R_NOSESSION, test_mail_fields },
	{ MP_GET,	"/_test/sleep",		test_sleep,
	    MP_R_JSON | MP_R_NOTENANT | MP_R_NODB, sleep_fields },
};

const struct mp_feature mp_feature_testing = {
	.name = "testing",
	.routes = routes,
	.nroutes = MP_NELEM(routes),
	.test_only = 1,
};
