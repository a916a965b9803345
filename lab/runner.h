/* The run orchestration: each mode's benchmarks to an outcome, into one result set. */
#ifndef LAB_RUNNER_H
#define LAB_RUNNER_H
#include <stdbool.h>
#include "../collect/results.h"
#include "../modes/mode.h"

#define MAX_MODES 12

/* Benchmark x mode outcomes so far, for the progress line (a TTY) or lines (CI). */
struct run_progress {
	int total, done;
	uint64_t start_ns;
	bool tty;
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

/* Runs every selected benchmark of mode m: measured, unsupported or failed, never absent. */
void runner_run_mode(const struct run_opts *o, const struct mode *m, struct result_set *rs);

#endif
