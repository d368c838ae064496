/* The testing feature: routes the integration tests and benchmarks drive (test_routes = 1 only). */
#ifndef MP_FEATURES_TESTING_H
#define MP_FEATURES_TESTING_H

#include "features/feature.h"

extern const struct mp_feature	 mp_feature_testing;

#endif
