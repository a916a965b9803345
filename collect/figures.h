/* Deterministic figures: what an engine counts per benchmark operation (guest
 * instructions, exits, device accesses, VMI callouts), from the guest's counting passes
 * of m, 2m, m and 2m operations (workloads/guest/harness.c). Unlike timings they are
 * compared exactly. */
#ifndef COLLECT_FIGURES_H
#define COLLECT_FIGURES_H
#include "results.h"
#include "engine_stats.h"

#define FIGURE_PASSES 4

/* Adds one figure per counter that moved: the difference between the 2m and the m pass,
 * exact when the repeated passes agree. Counters of the host's doing are never figures,
 * and an exact 0 per operation is left out. -1 when the passes cannot give one (sizes not m, 2m, m, 2m) or memory ran out. */
int figures_derive(const struct mode_stats pass[FIGURE_PASSES], const uint64_t ops[FIGURE_PASSES], const char *mode,
		   const char *bench, struct result_set *rs);
double figure_per_op(const struct figure_rec *f);
/* The figure of mode/bench/name in r, or NULL. */
const struct figure_rec *figure_find(const struct result_set *r, const char *mode, const char *bench, const char *name);

/* A figure that differs between two runs, or whose determinism does. */
struct figure_row {
	char mode[16], bench[32], name[48];
	struct figure_rec a, b;
	const char *verdict;  /* "more", "fewer", "no longer deterministic", "now deterministic" */
	bool regression;      /* exact in both, and more per operation in B */
};

/* Every figure of A and B on a benchmark both counted; absent from a run that counted the
 * benchmark means 0 per operation. Only differences become rows, *nsame counts the equal
 * ones, and a figure exact in neither run is not compared. */
int figures_compare(const struct result_set *a, const struct result_set *b, struct figure_row **rows, size_t *nrows,
		    size_t *nsame);

#endif
