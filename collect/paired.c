#include <math.h>
#include <stdlib.h>
#include "paired.h"
#include "stats.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median_of(const double *v, size_t n)
{
	double s[PAIRED_MAX_ROUNDS];
	for (size_t i = 0; i < n; i++)
		s[i] = v[i];
	qsort(s, n, sizeof(s[0]), cmp_double);
	return quantile_sorted(s, n, 0.5);
}

/* The exact two-sided p of the signed-rank statistic of d (zeros dropped, ties ranked by
 * their average), by enumerating every sign pattern of the ranks. */
static double signed_rank_p(const double *d, size_t n)
{
	double mag[PAIRED_MAX_ROUNDS], rank[PAIRED_MAX_ROUNDS];
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (d[i] != 0)
			mag[m++] = fabs(d[i]);
	if (!m)
		return 1;
	for (size_t i = 0; i < m; i++) { /* average ranks: 1 + those below + half of the ties */
		double below = 0, ties = 0;
		for (size_t j = 0; j < m; j++)
			below += mag[j] < mag[i], ties += mag[j] == mag[i];
		rank[i] = below + (ties + 1) / 2;
	}
	double w = 0;
	for (size_t i = 0, k = 0; i < n; i++)
		if (d[i] != 0)
			w += d[i] > 0 ? rank[k++] : (k++, 0);
	size_t lo = 0, hi = 0, total = (size_t)1 << m;
	for (size_t pattern = 0; pattern < total; pattern++) {
		double s = 0;
		for (size_t i = 0; i < m; i++)
			if (pattern >> i & 1)
				s += rank[i];
		lo += s <= w + 1e-9;
		hi += s >= w - 1e-9;
	}
	double p = 2.0 * (double)(lo < hi ? lo : hi) / (double)total;
	return p < 1 ? p : 1;
}

int paired_judge(const double *base, const double *head, size_t n, double threshold_pct, double alpha,
		 struct paired_result *r)
{
	if (!n || n > PAIRED_MAX_ROUNDS)
		return -1;
	double d[PAIRED_MAX_ROUNDS], aa = 0;
	for (size_t i = 0; i < n; i++) {
		d[i] = log(head[i] / base[i]);
		if (i)
			aa = fmax(aa, fabs(log(base[i] / base[i - 1])));
	}
	*r = (struct paired_result){ .n = n, .base = median_of(base, n), .head = median_of(head, n) };
	r->change_pct = (exp(median_of(d, n)) - 1) * 100;
	r->noise_pct = (exp(aa) - 1) * 100;
	r->p = signed_rank_p(d, n);
	double bar = threshold_pct > r->noise_pct ? threshold_pct : r->noise_pct;
	r->slower = r->p < alpha && r->change_pct > bar;
	r->faster = r->p < alpha && -r->change_pct > bar;
	return 0;
}
