/* Features: the route table, the statement table, the job table and their handlers. */
#ifndef MP_FEATURES_EXTERN_H
#define MP_FEATURES_EXTERN_H

#include "web/extern.h"

/*
 * Every SQL statement the programs run, by name.  The table in stmts.c
 * holds the text; a _Static_assert keeps both the same length.
 */
enum mp_stmt_id {
	ST_PING,
	ST_TENANT_BY_HOST,
	ST_SET_TENANT,
	ST_MIGRATIONS,
	ST_BRANDING,
	ST__MAX
};

extern const struct mp_stmt	 mp_stmts[];
extern const struct mp_route	 mp_routes[];
extern const size_t		 mp_nroutes;

/* home.c */
enum mp_err	 mp_home(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_healthz(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_healthz_live(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_test_sleep(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_brand_css(struct mp_req *, struct mp_resp *);

/* jobs.c: the job table (filled by the queue feature). */
struct mp_job_kind {
	const char	*kind;
	enum mp_err	(*run)(struct mp_db *, struct mp_arena *,
			    struct json_object *payload);
};

extern const struct mp_job_kind	 mp_job_kinds[];
extern const size_t		 mp_njob_kinds;

#endif
