/* The audit feature's own interface, shared by the files of fcgi/features/audit only. */
#ifndef MP_FEATURES_AUDIT_EXTERN_H
#define MP_FEATURES_AUDIT_EXTERN_H

#include "features/audit/audit.h"

/* The audit feature's settings (audit.c has the keys and defaults). */
struct mp_audit_conf {
	char	*audit_signing_key;	/* Ed25519 private key (PEM), or empty */
	char	*audit_checkpoint_dir;	/* where checkpoint files go, or empty */
	int	 audit_export_batch;	/* rows per keyset batch of an export */
};

extern const struct mp_confsec	 mp_audit_confsec;
#define mp_audit_conf(cfg) \
	((const struct mp_audit_conf *)mp_config_sec((cfg), &mp_audit_confsec))

/* record.c: the dispatcher's record hook. */
enum mp_err	 mp_audit_record(struct mp_req *, struct mp_resp *,
		    enum mp_err rc, int in_tx);
/* 1 if a field or key of this name may hold a secret (never logged). */
int		 mp_audit_secret_name(const char *);
extern const struct mp_stmt_table mp_audit_record_st;

/* read.c: staff JSON, the page, verification. */
enum mp_err	 mp_audit_api_list(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_audit_api_stats(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_audit_api_export(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_audit_api_verify(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_audit_page(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_audit_page_entry(struct mp_req *, struct mp_resp *);
extern const struct mp_stmt_table mp_audit_read_st;

/* history.c: what customers see of their own events. */
enum mp_err	 mp_audit_api_security_events(struct mp_req *,
		    struct mp_resp *);
extern const struct mp_stmt_table mp_audit_history_st;

/* checkpoint.c: the daily signed checkpoint of each chain's head. */
enum mp_err	 mp_audit_job_checkpoint(struct mp_job *);
extern const struct mp_stmt_table mp_audit_checkpoint_st;

#endif
