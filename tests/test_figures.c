/* Deterministic figures: derived from synthetic counting passes, and compared exactly
 * between runs (more per operation is a regression, no threshold, no test). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../collect/figures.h"

/* Four passes of m, 2m, m, 2m operations: each counter costs base + per_op * ops, and
 * "jitter" adds pass p to the repeated passes, so it is not deterministic. */
static void passes(struct mode_stats pass[FIGURE_PASSES], uint64_t ops[FIGURE_PASSES], uint64_t m)
{
	memset(pass, 0, sizeof(struct mode_stats) * FIGURE_PASSES);
	for (int p = 0; p < FIGURE_PASSES; p++) {
		ops[p] = p & 1 ? 2 * m : m;
		mode_stat_add(&pass[p], "insns", 40 + 22 * ops[p]);            /* bracket 40, 22 per op */
		mode_stat_add(&pass[p], "vmi.calls", 2 + 3 * ops[p] / 512);     /* 3 per batch of 512 */
		mode_stat_add(&pass[p], "dev.pvbench-ctl", 1);                  /* the bracket only */
		mode_stat_add(&pass[p], "jitter", 100 + 5 * ops[p] + (uint64_t)p);
		mode_stat_host(&pass[p], "blocks_built", (uint64_t)p);          /* the host's doing */
	}
}

static const struct figure_rec *fig(const struct result_set *r, const char *name)
{
	return figure_find(r, "emulate", "ptemod", name);
}

static void derived_from_the_passes(void **state)
{
	(void)state;
	struct mode_stats pass[FIGURE_PASSES];
	uint64_t ops[FIGURE_PASSES];
	struct result_set rs = { 0 };
	passes(pass, ops, 512);
	assert_int_equal(figures_derive(pass, ops, "emulate", "ptemod", &rs), 0);
	assert_int_equal(rs.nf, 3);
	const struct figure_rec *f = fig(&rs, "insns");
	assert_true(f && f->count == 22 * 512 && f->ops == 512 && f->exact);
	assert_true(figure_per_op(f) == 22.0);
	f = fig(&rs, "vmi.calls");
	assert_true(f && f->count == 3 && f->ops == 512 && f->exact);
	f = fig(&rs, "jitter");
	assert_true(f && !f->exact);
	assert_null(fig(&rs, "dev.pvbench-ctl")); /* an exact 0 per operation */
	assert_null(fig(&rs, "blocks_built"));
	ops[2] = 7; /* not m, 2m, m, 2m: no figures */
	assert_int_equal(figures_derive(pass, ops, "emulate", "ptemod", &rs), -1);
	results_free(&rs);
}

static void add(struct result_set *r, const char *bench, const char *name, int64_t count, uint64_t ops, bool exact)
{
	struct figure_rec *f = results_add_figure(r);
	snprintf(f->mode, sizeof(f->mode), "emulate");
	snprintf(f->bench, sizeof(f->bench), "%s", bench);
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->count = count;
	f->ops = ops;
	f->exact = exact;
}

static const struct figure_row *row(const struct figure_row *r, size_t n, const char *bench, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(r[i].bench, bench) && !strcmp(r[i].name, name))
			return &r[i];
	return NULL;
}

static void compared_exactly(void **state)
{
	(void)state;
	struct result_set a = { 0 }, b = { 0 };
	add(&a, "ptemod", "insns", 22, 1, true);
	add(&b, "ptemod", "insns", 22, 1, true);       /* equal */
	add(&a, "pgfault", "insns", 96, 1, true);
	add(&b, "pgfault", "insns", 97, 1, true);      /* one more per operation: a regression */
	add(&a, "cpuid", "insns", 7, 1, true);
	add(&b, "cpuid", "insns", 6, 1, true);         /* fewer */
	add(&a, "pte_batch", "vmi.calls", 3, 512, true);
	add(&b, "pte_batch", "vmi.calls", 6, 1024, true); /* the same ratio: equal */
	add(&b, "pgfault", "exit.io", 1, 1, true);     /* new in B, where A counted pgfault: 0 -> 1 */
	add(&a, "timer_periodic", "insns", 100, 1, false);
	add(&b, "timer_periodic", "insns", 90, 1, false); /* exact in neither: not compared */
	add(&a, "io_in", "insns", 4, 1, true);
	add(&b, "io_in", "insns", 5, 1, false);        /* no longer deterministic: shown, no regression */
	add(&a, "compute", "insns", 1000, 1, true);    /* B did not count compute: nothing to compare */
	struct figure_row *r;
	size_t n, same;
	assert_int_equal(figures_compare(&a, &b, &r, &n, &same), 0);
	assert_int_equal(same, 2);
	assert_int_equal(n, 4);
	const struct figure_row *x = row(r, n, "pgfault", "insns");
	assert_true(x && x->regression && !strcmp(x->verdict, "more"));
	x = row(r, n, "pgfault", "exit.io");
	assert_true(x && x->regression && x->a.count == 0 && x->b.count == 1);
	x = row(r, n, "cpuid", "insns");
	assert_true(x && !x->regression && !strcmp(x->verdict, "fewer"));
	x = row(r, n, "io_in", "insns");
	assert_true(x && !x->regression && !strcmp(x->verdict, "no longer deterministic"));
	assert_null(row(r, n, "timer_periodic", "insns"));
	assert_null(row(r, n, "compute", "insns"));
	free(r);
	results_free(&a);
	results_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(derived_from_the_passes),
		cmocka_unit_test(compared_exactly),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
