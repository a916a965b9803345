#include <stdlib.h>
#include "stats.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double quantile_sorted(const double *v, size_t n, double q)
{
	double h = (double)(n - 1) * q;
	size_t lo = (size_t)h;
	if (lo + 1 >= n)
		return v[n - 1];
	return v[lo] + (h - (double)lo) * (v[lo + 1] - v[lo]);
}

int summarize(double *v, size_t n, struct summary *s)
{
	if (!n)
		return -1;
	qsort(v, n, sizeof(*v), cmp_double);
	s->n = n;
	s->min = v[0];
	s->max = v[n - 1];
	s->median = quantile_sorted(v, n, 0.5);
	s->q1 = quantile_sorted(v, n, 0.25);
	s->q3 = quantile_sorted(v, n, 0.75);
	return 0;
}
