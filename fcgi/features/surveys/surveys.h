/* Surveys' interface for the programs and the unit tests: the feature and its metric arithmetic. */
#ifndef MP_FEATURES_SURVEYS_H
#define MP_FEATURES_SURVEYS_H

#include "features/feature.h"

/*
 * Counts of one group of surveys (a type, a period) as SQL returns them:
 * sent (due and not suppressed), answered, CSAT answers of 4 or 5, NPS
 * promoters (9-10), passives (7-8) and detractors (0-6), and the sum of
 * the scores.
 */
struct mp_survey_counts {
	int64_t	 sent;
	int64_t	 answered;
	int64_t	 good;
	int64_t	 promoters;
	int64_t	 passives;
	int64_t	 detractors;
	int64_t	 sum;
};

/*
 * The metrics of a group.  Each returns 0 and leaves *out alone when it
 * has no denominator (no answer, nothing sent): the caller shows "no
 * data", never 0.  Percentages and NPS are rounded to one decimal, the
 * average to two.
 *   CSAT %: good / answered x 100 (unanswered surveys are not in it)
 *   NPS: promoters % - detractors %, passives in the denominator
 *   average: sum / answered
 *   response rate: answered / sent x 100
 */
int	 mp_survey_csat_pct(const struct mp_survey_counts *, double *out);
int	 mp_survey_nps(const struct mp_survey_counts *, double *out);
int	 mp_survey_average(const struct mp_survey_counts *, double *out);
int	 mp_survey_rate(const struct mp_survey_counts *, double *out);

/*
 * Whether score is low enough to ask for a follow-up: NPS detractors
 * (0-6), on other scales the lower half with the middle (CSAT <= 3 of
 * 1-5).
 */
int	 mp_survey_low(const char *type, int score, int scale_min,
	    int scale_max);

extern const struct mp_feature	 mp_feature_surveys;

#endif
