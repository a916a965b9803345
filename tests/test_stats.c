/* The statistics against values computed by hand: quartiles, the median's confidence
 * interval, outlier fences, and the Mann-Whitney U statistic with its p-value. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include "../collect/stats.h"
#include "../collect/paired.h"

#define near(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

static void quartiles_match_hand_computation(void **state)
{
	(void)state;
	double v[] = { 9, 1, 7, 3, 5 };
	struct summary s;
	assert_int_equal(summarize(v, 5, &s), 0);
	assert_true(s.median == 5 && s.q1 == 3 && s.q3 == 7 && s.min == 1 && s.max == 9);
	double w[] = { 4, 1, 3, 2 };
	summarize(w, 4, &s);
	assert_true(s.median == 2.5 && s.q1 == 1.75 && s.q3 == 3.25);
	double one[] = { 42 };
	summarize(one, 1, &s);
	assert_true(s.median == 42 && s.q1 == 42 && s.q3 == 42 && s.ci_lo == 42 && s.ci_hi == 42);
	assert_int_equal(summarize(one, 0, &s), -1);
}

/* n = 11: P(Bin(11, 1/2) <= 1) = 12/2048, so [x(2), x(10)] covers 1 - 24/2048; the next
 * pair would cover only 1 - 134/2048 < 95%. n = 12: [x(3), x(10)], 1 - 2 * 79/4096. */
static void median_ci_is_the_binomial_order_statistics(void **state)
{
	(void)state;
	double v[12] = { 11, 2, 9, 4, 7, 6, 5, 8, 3, 10, 1 };
	struct summary s;
	summarize(v, 11, &s);
	assert_true(s.median == 6 && s.ci_lo == 2 && s.ci_hi == 10);
	near(s.ci_level, 1 - 24.0 / 2048, 1e-12);
	double w[12] = { 11, 2, 9, 4, 7, 6, 5, 8, 3, 10, 1, 100 };
	summarize(w, 12, &s);
	assert_true(s.median == 6.5 && s.ci_lo == 3 && s.ci_hi == 10);
	near(s.ci_level, 1 - 158.0 / 4096, 1e-12);
	double five[] = { 5, 4, 3, 2, 1 }; /* no pair reaches 95%: [min, max] at 1 - 2/32 */
	summarize(five, 5, &s);
	assert_true(s.ci_lo == 1 && s.ci_hi == 5);
	near(s.ci_level, 1 - 2.0 / 32, 1e-12);
}

/* 1..11 and 100: q1 = 3.75, q3 = 9.25, so the upper fence is 9.25 + 1.5 * 5.5 = 17.5. */
static void outliers_are_beyond_tukeys_fences(void **state)
{
	(void)state;
	double w[] = { 11, 2, 9, 4, 7, 6, 5, 8, 3, 10, 1, 100 };
	struct summary s;
	summarize(w, 12, &s);
	assert_true(s.q1 == 3.75 && s.q3 == 9.25);
	assert_int_equal(s.outliers, 1);
	assert_true(is_outlier(&s, 17.6) && !is_outlier(&s, 17.5) && is_outlier(&s, -4.6) && !is_outlier(&s, -4.5));
	double flat[] = { 3, 3, 3, 3 };
	summarize(flat, 4, &s);
	assert_int_equal(s.outliers, 0);
}

static void mann_whitney_exact_small_samples(void **state)
{
	(void)state;
	struct mwu r;
	double a[] = { 1, 2, 3 }, b[] = { 4, 5, 6 };
	/* all 20 splits of 6 ranks: only {1,2,3} and {4,5,6} are this extreme */
	assert_int_equal(mann_whitney(a, 3, b, 3, &r), 0);
	assert_true(r.exact && r.u == 0);
	near(r.p, 0.1, 1e-12);
	mann_whitney(b, 3, a, 3, &r);
	assert_true(r.u == 9);
	near(r.p, 0.1, 1e-12);
	/* U = 3; the counts of U = 0..9 are 1 1 2 3 3 3 3 2 1 1, so P(U <= 3) = 7/20 */
	double c[] = { 1, 3, 5 }, d[] = { 2, 4, 6 };
	mann_whitney(c, 3, d, 3, &r);
	assert_true(r.exact && r.u == 3);
	near(r.p, 0.7, 1e-12);
	/* 11 against 11, fully separated: 2 / C(22, 11) */
	double lo[11], hi[11];
	for (int i = 0; i < 11; i++) {
		lo[i] = 100 + i;
		hi[i] = 120 + i;
	}
	mann_whitney(lo, 11, hi, 11, &r);
	assert_true(r.exact && r.u == 0);
	near(r.p, 2.0 / 705432, 1e-15);
	assert_int_equal(mann_whitney(lo, 0, hi, 11, &r), -1);
}

/* With ties: midranks give a's rank sum 1 + 3 + 3 + 5.5, U = 2.5; mean 8, variance
 * 16/12 * (9 - 30/56) with the tie groups {2,2,2} and {3,3}; z = (5.5 - 0.5) / sd. */
static void mann_whitney_ties_use_the_corrected_normal(void **state)
{
	(void)state;
	struct mwu r;
	double a[] = { 1, 2, 2, 3 }, b[] = { 2, 3, 4, 5 };
	mann_whitney(a, 4, b, 4, &r);
	assert_false(r.exact);
	assert_true(r.u == 2.5);
	near(r.p, 0.13665824773814753, 1e-12);
	double same[] = { 7, 7, 7 };
	mann_whitney(same, 3, same, 3, &r);
	assert_true(r.p == 1);
}

/* Paired rounds: the exact signed-rank p by hand, and the noise floor beside the test. */
static void paired_rounds_need_the_test_and_the_noise_floor(void **state)
{
	(void)state;
	const double base[8] = { 100, 110, 90, 120, 100, 105, 95, 115 };
	double head[8];
	struct paired_result r;
	for (int i = 0; i < 8; i++)
		head[i] = base[i] * 1.5;
	assert_int_equal(paired_judge(base, head, 8, 10, 0.01, &r), 0);
	/* every ratio up and tied: W+ = 36 is the largest of 256 sign patterns */
	assert_true(fabs(r.p - 2.0 / 256) < 1e-12);
	/* the A/A spread: 90 -> 120, the largest step between successive base rounds */
	assert_true(fabs(r.change_pct - 50) < 1e-9 && fabs(r.noise_pct - (120.0 / 90 - 1) * 100) < 1e-9);
	assert_true(r.slower && !r.faster);
	for (int i = 0; i < 8; i++)
		head[i] = base[i] * 1.2; /* significant, but within the base's own 33% spread */
	assert_int_equal(paired_judge(base, head, 8, 10, 0.01, &r), 0);
	assert_true(r.p < 0.01 && !r.slower);
	for (int i = 0; i < 8; i++)
		head[i] = base[i] * (i & 1 ? 1.01 : 0.99); /* A/A: the signs alternate */
	assert_int_equal(paired_judge(base, head, 8, 0, 0.01, &r), 0);
	assert_true(fabs(r.p - 2.0 * 36 / 256) < 1e-12 && !r.slower && !r.faster); /* W+ = 10: 36 patterns at or below */
	for (int i = 0; i < 6; i++)
		head[i] = base[i] * 3; /* six rounds cannot reach p < 0.01: 2/64 at best */
	assert_int_equal(paired_judge(base, head, 6, 0, 0.01, &r), 0);
	assert_true(fabs(r.p - 2.0 / 64) < 1e-12 && !r.slower);
	assert_int_equal(paired_judge(base, head, 0, 0, 0.01, &r), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(quartiles_match_hand_computation),
		cmocka_unit_test(median_ci_is_the_binomial_order_statistics),
		cmocka_unit_test(outliers_are_beyond_tukeys_fences),
		cmocka_unit_test(mann_whitney_exact_small_samples),
		cmocka_unit_test(mann_whitney_ties_use_the_corrected_normal),
		cmocka_unit_test(paired_rounds_need_the_test_and_the_noise_floor),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
