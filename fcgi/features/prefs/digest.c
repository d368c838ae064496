/* Daily and weekly digests: the prefs.digest job gathers held mail per recipient, category and period into one message. */
#include <stdio.h>
#include <string.h>

#include <ClearSilver.h>
#include <json-c/json.h>

#include "features/prefs/extern.h"

#define DIGEST_BATCH	200	/* digests one run makes */
#define DIGEST_ITEMS	100	/* messages listed in one digest */

enum {
	DG_DUE,
	DG_ITEMS,
	DG_DONE,
	DG__MAX
};

static const struct mp_stmt stmts[] = {
	/* Periods that have ended: a row per recipient, category and period. */
	[DG_DUE] = { "prefs_digest_due",
	    "SELECT recipient, digest_category, digest_period,"
	    " to_char(digest_due AT TIME ZONE 'UTC',"
	    " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
	    " coalesce(max(user_id), 0), count(*),"
	    " array_agg(id ORDER BY created_at, id)::text,"
	    " to_char((digest_due - CASE digest_period WHEN 'daily' THEN"
	    " interval '1 day' ELSE interval '7 days' END) AT TIME ZONE 'UTC',"
	    " 'FMDD Mon YYYY')"
	    " FROM notification WHERE state = 'held' AND channel = 'email'"
	    " AND digest_due <= now()"
	    " GROUP BY recipient, digest_category, digest_period, digest_due"
	    " ORDER BY digest_due LIMIT $1::integer" },
	[DG_ITEMS] = { "prefs_digest_items",
	    "SELECT coalesce(subject, '') AS subject,"
	    /* Each message's own unsubscribe line goes: the digest has one. */
	    " left(regexp_replace(regexp_replace(body_text,"
	    " '[^\n]*Unsubscribe[^\n]*', '', 'g'),"
	    " '\\S+/u/[A-Za-z0-9_-]+', '', 'g'), 600) AS text,"
	    " to_char(created_at AT TIME ZONE 'UTC', 'Dy FMDD Mon HH24:MI')"
	    " AS at FROM notification WHERE id = ANY ($1::bigint[])"
	    " ORDER BY created_at, id LIMIT $2::integer" },
	[DG_DONE] = { "prefs_digest_done",
	    "WITH u AS (UPDATE notification SET state = 'digested',"
	    " updated_at = now() WHERE id = ANY ($1::bigint[])"
	    " AND state = 'held' RETURNING id)"
	    " INSERT INTO notification_event (tenant_id, notification_id, kind,"
	    " detail) SELECT mp_tenant(), id, 'digested', 'in digest ' || $2"
	    " FROM u" },
};

_Static_assert(sizeof(stmts) / sizeof(stmts[0]) == DG__MAX,
    "prefs digest statements and enum differ");

MP_STMT_TABLE(mp_prefs_digest_st, stmts);

/*
 * prefs.digest (every 15 minutes per tenant): for every recipient,
 * category and period whose end has passed, queue one digest mail
 * (category "digest-<category>", which is never held again and carries
 * the unsubscribe link of that category) listing the held messages,
 * and mark them digested, in one transaction.  The idempotency key
 * makes a retried run queue each digest once.
 */
enum mp_err
mp_prefs_job_digest(struct mp_job *j)
{
	struct mp_ctx	*c = &j->ctx;
	struct mp_res	*due, *items;
	struct mp_mail	 m;
	struct _hdf	*data;
	const char	*p[2], *rcpt, *cat, *period, *ids, *label;
	char		*nid;
	enum mp_err	 rc;
	int		 i, n, k;

	if ((rc = mp_tenant_fill(c)) != MP_OK)
		return rc;
	p[0] = mp_printf(c->a, "%d", DIGEST_BATCH);
	if ((rc = mp_q(c, &stmts[DG_DUE], 1, p, &due)) != MP_OK)
		return rc;
	for (i = 0; i < mp_res_rows(due); i++) {
		rcpt = mp_res_get(due, i, 0);
		cat = mp_res_get(due, i, 1);
		period = mp_res_get(due, i, 2);
		ids = mp_res_get(due, i, 6);
		n = (int)mp_res_int(due, i, 5);
		k = mp_prefs_cat_index(cat);
		label = k >= 0 ? mp_prefs_cats[k].label : cat;
		p[0] = ids;
		p[1] = mp_printf(c->a, "%d", DIGEST_ITEMS);
		if ((rc = mp_q(c, &stmts[DG_ITEMS], 2, p, &items)) != MP_OK)
			return rc;
		data = mp_ctx_hdf(c);
		mp_rows_hdf(data, "Digest.Items", items, NULL);
		mp_hdf_set(data, "Digest.Period", period);
		mp_hdf_set(data, "Digest.Label", label);
		mp_hdf_set(data, "Digest.Since", mp_res_get(due, i, 7));
		mp_hdf_setf(data, "Digest.Count", "%d", n);
		if (n > DIGEST_ITEMS)
			mp_hdf_setf(data, "Digest.More", "%d",
			    n - DIGEST_ITEMS);
		memset(&m, 0, sizeof(m));
		m.to = rcpt;
		m.subject = mp_printf(c->a, "Your %s %s digest from %s: %d "
		    "message%s", period, label, c->tenant->name, n,
		    n == 1 ? "" : "s");
		m.tpl = "prefs/digest";
		m.data = data;
		m.category = mp_printf(c->a, "digest-%s", cat);
		m.priority = 6;
		m.user_id = mp_res_int(due, i, 4);
		m.idem_key = mp_printf(c->a, "digest:%s:%s:%s",
		    mp_sha256_hex(c->a, rcpt, strlen(rcpt)), cat,
		    mp_res_get(due, i, 3));
		if ((rc = mp_mail_queue(c, &m, &nid)) != MP_OK)
			return rc;
		p[0] = ids;
		p[1] = nid;
		if ((rc = mp_q(c, &stmts[DG_DONE], 2, p, NULL)) != MP_OK)
			return rc;
		mp_info("job %s: %s digest of %d %s message(s) for %s",
		    j->id_text, period, n, cat, rcpt);
	}
	return MP_OK;
}
