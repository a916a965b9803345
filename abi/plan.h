/* What to run: the benchmarks of benches.def and how to size them. The guest receives
 * the plan on its command line; host modes read it directly. */
#ifndef ABI_PLAN_H
#define ABI_PLAN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "benches.h"

#define PLAN_DEFAULT_REPS 11
#define PLAN_DEFAULT_REP_US 10000

struct bench_plan {
	enum guest_kind guest;
	bool want[BENCH_MAX]; /* indexed like bench_table */
	uint32_t reps, warmup;
	uint64_t rep_us;   /* target duration of one repetition */
	uint64_t iters;    /* fixed iterations per repetition; 0 = sized by rep_us */
	char extra[256];   /* appended to the guest command line as given */
};

/* Every benchmark of guest g. */
void plan_defaults(struct bench_plan *p, enum guest_kind g);
/* Parses a comma-separated list ("all" = every benchmark of the plan's guest); -1 and
 * err on an unknown name or one of the other guest's. */
int plan_select(struct bench_plan *p, const char *list, char *err, size_t n);
const char *guest_name(enum guest_kind g);
/* The guest the plan is for, with all its benchmarks; sizes and extras stay. */
void plan_set_guest(struct bench_plan *p, enum guest_kind g);
/* The kernel command line the Linux guest boots with before the plan's: its console,
 * a TSC it trusts (tsc_khz: the host's), no mitigations (an emulated CPU does not
 * speculate), and a reset on panic so that a failure ends the run at once. */
void plan_linux_cmdline(uint64_t tsc_khz, const char *append, char *buf, size_t n);
/* The guest command line for the benchmarks in want[] (or just `only`, if >= 0). */
void plan_cmdline(const struct bench_plan *p, int only, char *buf, size_t n);

#endif
