/* Interleaved A/B rounds judged in pairs (asv's interleaved rounds, with the noise floor
 * measured in the same job): round i's head against round i's base, so that host drift
 * between rounds, which moves both, cancels. */
#ifndef COLLECT_PAIRED_H
#define COLLECT_PAIRED_H
#include <stdbool.h>
#include <stddef.h>

#define PAIRED_MAX_ROUNDS 24 /* the exact signed-rank test enumerates 2^n sign patterns */

struct paired_result {
	size_t n;              /* rounds with both sides measured */
	double base, head;     /* the medians of each side's per-round values */
	double change_pct;     /* the median paired ratio head/base, less 1, in % */
	double noise_pct;      /* the A/A spread: the largest change between two successive base
				  rounds (as far apart as a pair is), in % */
	double p;              /* two-sided exact Wilcoxon signed-rank p of the paired log ratios */
	bool slower, faster;   /* p < alpha and the change beyond both the threshold and the noise */
};

/* base[i] and head[i] are round i's values (its median ns per operation); n <= PAIRED_MAX_ROUNDS.
 * -1 when n is 0 or too large. */
int paired_judge(const double *base, const double *head, size_t n, double threshold_pct, double alpha,
		 struct paired_result *r);

#endif
