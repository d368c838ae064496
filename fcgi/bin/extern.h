/* What the programs' own files share: mpanelctl's subcommands kept in files of their own. */
#ifndef MP_BIN_EXTERN_H
#define MP_BIN_EXTERN_H

#include "core/extern.h"

struct pg_conn;

/* tenanttx.c: a transaction acting for one tenant, for mpanelctl. */
struct mp_ctl_tx {
	struct mp_ctx		 ctx;
	struct mp_tenant	 tenant;
};

struct pg_conn	*mp_ctl_tenant_begin(struct mp_ctl_tx *,
		    const struct mp_config *, const char *key, int by_id);
int		 mp_ctl_tenant_end(struct mp_ctl_tx *, int ok);
extern const struct mp_stmt_table mp_ctl_st;

/* mpanelctl queue ...: returns the exit status. */
int	 mp_queuectl(const struct mp_config *, struct pg_conn *, int argc,
	    char *argv[]);

#endif
