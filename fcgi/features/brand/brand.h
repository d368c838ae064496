/* The brand feature: white-label settings, brand CSS and images served by nginx, custom domains, the staff landing page. */
#ifndef MP_FEATURES_BRAND_H
#define MP_FEATURES_BRAND_H

#include "features/feature.h"

extern const struct mp_feature	 mp_feature_brand;

#endif
