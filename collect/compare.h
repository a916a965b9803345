/* Two runs side by side, benchmark x mode: the change in the median, the Mann-Whitney U
 * test of the samples, and a verdict. Checked values (compute's checksum) are compared
 * exactly. */
#ifndef COLLECT_COMPARE_H
#define COLLECT_COMPARE_H
#include <stdbool.h>
#include "results.h"
#include "stats.h"

#define COMPARE_ALPHA 0.01          /* p below this counts as a real change */
#define COMPARE_DEFAULT_PCT 5.0     /* and only beyond this change of the median */
#define COMPARE_MAX_THRESHOLDS 32

struct compare_opts {
	double threshold_pct;
	bool missing_fails;   /* a benchmark measured in A and absent from B is a regression (check) */
	int nper;
	struct {
		char bench[32];
		double pct;
	} per[COMPARE_MAX_THRESHOLDS];  /* per-benchmark thresholds, which win */
};

enum verdict {
	V_SAME,        /* no significant change beyond the threshold */
	V_FASTER,
	V_SLOWER,      /* a regression */
	V_BROKEN,      /* measured in A, failed or unsupported in B: a regression */
	V_CHANGED,     /* a checked value differs: a regression */
	V_FIXED,       /* failed or unsupported in A, measured in B */
	V_MISSING,     /* in A only: a regression when it was measured there and missing_fails */
	V_NEW,         /* in B only */
	V_NEITHER,     /* measured in neither run */
};

struct compare_row {
	char mode[16], bench[32];
	enum verdict verdict;
	bool regression;
	size_t na, nb;
	double median_a, median_b;
	double change_pct;   /* of B's median against A's */
	double ratio;        /* B / A */
	double threshold_pct;
	struct mwu test;
	char why[300];
};

void compare_opts_default(struct compare_opts *o);
/* Adds "PCT" (the default) or "BENCH=PCT"; -1 with err filled for bad input. */
int compare_opts_threshold(struct compare_opts *o, const char *arg, char *err, size_t n);
/* Rows in A's order, then B's new ones; *rows is malloc'd. */
int compare_runs(const struct result_set *a, const struct result_set *b, const struct compare_opts *o,
		 struct compare_row **rows, size_t *nrows);
const char *verdict_name(enum verdict v);

struct history_run;
/* Step changes along a history: rows[i] compares run i with the latest earlier run that
 * measured something (rows[0], and runs with nothing earlier, say V_NEW). */
int compare_history(const struct history_run *runs, size_t n, const struct compare_opts *o, struct compare_row *rows);

#endif
