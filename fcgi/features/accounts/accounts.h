/* Accounts' interface for the programs: its feature, and the session cleanup mpanelctl runs. */
#ifndef MP_FEATURES_ACCOUNTS_H
#define MP_FEATURES_ACCOUNTS_H

#include "features/feature.h"

extern const struct mp_feature	 mp_feature_accounts;

/* Remove expired sessions in every tenant; the rows removed, or -1. */
long		 mp_sessions_cleanup(struct mp_db *, struct mp_arena *);

#endif
