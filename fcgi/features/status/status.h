/* The status page's interface for the programs: its feature. */
#ifndef MP_FEATURES_STATUS_H
#define MP_FEATURES_STATUS_H

#include "features/feature.h"

extern const struct mp_feature	 mp_feature_status;

#endif
