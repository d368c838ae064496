/* The home feature: the tenant's home page and the health checks. */
#ifndef MP_FEATURES_HOME_H
#define MP_FEATURES_HOME_H

#include "features/feature.h"

extern const struct mp_feature	 mp_feature_home;

#endif
