/* What the programs' own files share: mpanelctl's subcommands kept in files of their own. */
#ifndef MP_BIN_EXTERN_H
#define MP_BIN_EXTERN_H

#include "core/extern.h"

struct pg_conn;

/* mpanelctl queue ...: returns the exit status. */
int	 mp_queuectl(const struct mp_config *, struct pg_conn *, int argc,
	    char *argv[]);

#endif
