/* The run orchestration: each mode's benchmarks to an outcome, into one result set. */
#ifndef LAB_RUNNER_H
#define LAB_RUNNER_H
#include <stdbool.h>
#include "../collect/results.h"
#include "../modes/mode.h"

#define MAX_MODES 12

/* Benchmark x mode outcomes so far, for the progress line (a TTY) or lines (CI). The
 * ETA adds up, for every cell still to come, what an earlier run on this host took for
 * it (expect_ms, from the store; negative: none did), or this run's pace so far. */
struct run_progress {
	int total, done;
	uint64_t start_ns, last_ns; /* the run's start, the last outcome */
	bool tty;
	char last[64];              /* the last outcome, on the TTY's line */
	double expect_ms[MAX_MODES][BENCH_MAX];
	bool cell_done[MAX_MODES][BENCH_MAX];
};

struct run_opts {
	const struct mode *modes[MAX_MODES];
	int nmodes;
	struct bench_plan plan;
	const char *db;
	char guest[4096];       /* the benchmark guest, or the Linux guest's kernel */
	char initrd[4096];      /* the Linux guest's initramfs */
	char append[1024];      /* the Linux guest's command line before the plan */
	uint64_t mem_mb, timeout_s;
	bool serial, quiet;
	bool profile;     /* per-hook profiles (perturbs the timings: recorded as such) */
	bool paging32;    /* the benchmark guest pages with 32-bit or PAE tables (the i386 guest) */
	bool strict;      /* an unimplemented instruction fails the mode's boot (session.h) */
	struct run_progress *progress;
};

/* Seconds the cells without an outcome will take, by p's expectations or at pace. */
double runner_eta_s(const struct run_opts *o, const struct run_progress *p, double pace_s);

/* Runs every selected benchmark of mode m: measured, unsupported or failed, never absent. */
void runner_run_mode(const struct run_opts *o, const struct mode *m, struct result_set *rs);

#endif
