/* The job table: every kind of background job the worker runs. */
#include "features/extern.h"

/* Filled as features add background work; the worker runs what is here. */
const struct mp_job_kind mp_job_kinds[] = {
	{ NULL, NULL }
};

const size_t mp_njob_kinds = 0;
