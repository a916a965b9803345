/* The benchmarks, in one table built from benches.def (pvbench's guest) and
 * linux_benches.def (the Linux guest): what the guests, the host modes, the planner and
 * the results store all index by. */
#ifndef ABI_BENCHES_H
#define ABI_BENCHES_H

/* Which guest runs a benchmark: pvbench's own, or Linux with its initramfs. */
enum guest_kind { GUEST_PVBENCH, GUEST_LINUX };

struct bench_info {
	const char *name;
	unsigned needs;   /* PVB_NEED_* */
	const char *desc;
	enum guest_kind guest;
};

#define BENCH_MAX 48 /* what a plan's selection holds */

extern const struct bench_info bench_table[];
extern const int bench_count;
const struct bench_info *bench_find(const char *name);

#endif
