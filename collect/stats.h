/* Statistics over one benchmark's repetitions, and the test that compares two of them. */
#ifndef COLLECT_STATS_H
#define COLLECT_STATS_H
#include <stdbool.h>
#include <stddef.h>

struct summary {
	size_t n;
	double median, q1, q3, min, max;
	/* Distribution-free confidence interval of the median: the order statistics
	 * x(k) and x(n+1-k) with the largest k whose coverage is still >= 95%. Below six
	 * samples no pair reaches 95%: ci_level then says what [min, max] covers. */
	double ci_lo, ci_hi, ci_level;
	size_t outliers;   /* samples beyond Tukey's fences (1.5 IQR past the quartiles) */
};

/* Sorts v in place; quantiles interpolate linearly between order statistics (R's type 7). */
int summarize(double *v, size_t n, struct summary *s);
double quantile_sorted(const double *v, size_t n, double q);
/* Whether x lies beyond the Tukey fences of s. Flagged, never dropped. */
bool is_outlier(const struct summary *s, double x);

/* Mann-Whitney U test of a against b (two-sided). u is the U statistic of a (the number
 * of pairs where a's value is larger, ties counting half). p is exact (the distribution
 * of rank sums by counting) when there are no ties and both sides have at most 50
 * samples, else the normal approximation with tie and continuity corrections. */
struct mwu {
	double u, p;
	bool exact;
};
int mann_whitney(const double *a, size_t na, const double *b, size_t nb, struct mwu *out);

#endif
