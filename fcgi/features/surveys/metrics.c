/* Survey metrics from counts: CSAT %, NPS, average, response rate, and what a low score is. */
#include <string.h>

#include "features/surveys/surveys.h"

/*
 * num / den in units of 1/per (per 10: one decimal), rounded half away
 * from zero in integers, so that 2/3 is 66.7 and -1/6 is -16.7 on every
 * machine.  den > 0.
 */
static double
ratio(int64_t num, int64_t den, int64_t per)
{
	int64_t	 q, a = num < 0 ? -num : num;

	q = (a * per * 2 + den) / (den * 2);
	return (double)(num < 0 ? -q : q) / (double)per;
}

int
mp_survey_csat_pct(const struct mp_survey_counts *c, double *out)
{
	if (c->answered <= 0)
		return 0;
	*out = ratio(100 * c->good, c->answered, 10);
	return 1;
}

/* The denominator is every NPS answer: passives count, and pull to 0. */
int
mp_survey_nps(const struct mp_survey_counts *c, double *out)
{
	int64_t	 n = c->promoters + c->passives + c->detractors;

	if (n <= 0)
		return 0;
	*out = ratio(100 * (c->promoters - c->detractors), n, 10);
	return 1;
}

int
mp_survey_average(const struct mp_survey_counts *c, double *out)
{
	if (c->answered <= 0)
		return 0;
	*out = ratio(c->sum, c->answered, 100);
	return 1;
}

int
mp_survey_rate(const struct mp_survey_counts *c, double *out)
{
	if (c->sent <= 0)
		return 0;
	*out = ratio(100 * c->answered, c->sent, 10);
	return 1;
}

int
mp_survey_low(const char *type, int score, int scale_min, int scale_max)
{
	if (strcmp(type, "nps") == 0)
		return score <= 6;
	return 2 * score <= scale_min + scale_max;
}
