/* Order statistics over one benchmark's repetitions. */
#ifndef COLLECT_STATS_H
#define COLLECT_STATS_H
#include <stddef.h>

struct summary {
	size_t n;
	double median, q1, q3, min, max;
};

/* Sorts v in place; quantiles interpolate linearly between order statistics (R's type 7). */
int summarize(double *v, size_t n, struct summary *s);
double quantile_sorted(const double *v, size_t n, double q);

#endif
