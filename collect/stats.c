#include <math.h>
#include <stdlib.h>
#include <string.h>
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

/* P(X <= k) for X ~ Binomial(n, 1/2), summed in logs so large n does not overflow. */
static double binom_half_cdf(size_t n, size_t k)
{
	double sum = 0;
	for (size_t i = 0; i <= k && i <= n; i++)
		sum += exp(lgamma((double)n + 1) - lgamma((double)i + 1) - lgamma((double)(n - i) + 1) - (double)n * M_LN2);
	return sum;
}

/* The median lies below x(k) only if fewer than k samples fall below it: coverage of
 * [x(k), x(n+1-k)] is 1 - 2 P(Binomial(n, 1/2) <= k - 1). */
static void median_ci(const double *v, size_t n, struct summary *s)
{
	size_t k = 1;
	while (k < n / 2 && 1 - 2 * binom_half_cdf(n, k) >= 0.95)
		k++;
	s->ci_lo = v[k - 1];
	s->ci_hi = v[n - k];
	s->ci_level = 1 - 2 * binom_half_cdf(n, k - 1);
}

bool is_outlier(const struct summary *s, double x)
{
	double fence = 1.5 * (s->q3 - s->q1);
	return x < s->q1 - fence || x > s->q3 + fence;
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
	median_ci(v, n, s);
	s->outliers = 0;
	for (size_t i = 0; i < n; i++)
		s->outliers += is_outlier(s, v[i]);
	return 0;
}

struct tagged {
	double v;
	int side; /* 0: a, 1: b */
};

static int cmp_tagged(const void *x, const void *y)
{
	return cmp_double(&((const struct tagged *)x)->v, &((const struct tagged *)y)->v);
}

/* Two-sided exact p for U = u with no ties: counts of the ways na of the ranks 1..N
 * sum to each total, the classic recurrence over the largest rank. */
static double exact_p(size_t na, size_t nb, double u)
{
	size_t umax = na * nb;
	/* c[k][t]: subsets of size k of the ranks seen so far with U-contribution t */
	double *c = calloc((na + 1) * (umax + 1), sizeof(double));
	if (!c)
		return NAN;
	c[0] = 1;
	for (size_t r = 1; r <= na + nb; r++)
		for (size_t k = r < na ? r : na; k >= 1; k--) {
			/* the rank r joins a subset of size k - 1; it lies above r - k of the
			 * other side's values when it is the k-th of its side */
			size_t shift = r - k;
			if (shift > nb)
				continue;
			for (size_t t = umax; t + 1 > shift; t--)
				c[k * (umax + 1) + t] += c[(k - 1) * (umax + 1) + t - shift];
		}
	double total = 0, below = 0, above = 0;
	for (size_t t = 0; t <= umax; t++) {
		double w = c[na * (umax + 1) + t];
		total += w;
		below += (double)t <= u + 1e-9 ? w : 0;
		above += (double)t >= u - 1e-9 ? w : 0;
	}
	free(c);
	double p = 2 * fmin(below, above) / total;
	return p > 1 ? 1 : p;
}

int mann_whitney(const double *a, size_t na, const double *b, size_t nb, struct mwu *out)
{
	size_t n = na + nb;
	if (!na || !nb)
		return -1;
	struct tagged *t = malloc(n * sizeof(*t));
	if (!t)
		return -1;
	for (size_t i = 0; i < na; i++)
		t[i] = (struct tagged){ a[i], 0 };
	for (size_t i = 0; i < nb; i++)
		t[na + i] = (struct tagged){ b[i], 1 };
	qsort(t, n, sizeof(*t), cmp_tagged);
	double rank_a = 0, ties = 0; /* ties: sum of (g^3 - g) over groups of equal values */
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && t[j].v == t[i].v)
			j++;
		double g = (double)(j - i), mid = ((double)i + 1 + (double)j) / 2;
		for (size_t k = i; k < j; k++)
			rank_a += t[k].side == 0 ? mid : 0;
		ties += g * g * g - g;
		i = j;
	}
	free(t);
	double fa = (double)na, fb = (double)nb, fn = (double)n;
	out->u = rank_a - fa * (fa + 1) / 2;
	out->exact = ties == 0 && na <= 50 && nb <= 50;
	if (out->exact) {
		out->p = exact_p(na, nb, out->u);
		return isnan(out->p) ? -1 : 0;
	}
	double mean = fa * fb / 2;
	double var = fa * fb / 12 * ((fn + 1) - ties / (fn * (fn - 1)));
	if (var <= 0) { /* every value equal: no evidence of a difference */
		out->p = 1;
		return 0;
	}
	double z = (fabs(out->u - mean) - 0.5) / sqrt(var);
	out->p = z <= 0 ? 1 : erfc(z / M_SQRT2);
	return 0;
}
