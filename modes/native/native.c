/* native: the portable benchmarks (compute) in pvbench's own process, compiled from the
 * same source as the guest's: the physical limit the other modes are measured against. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <x86intrin.h>
#include "../mode.h"
#include "../../collect/host.h"
#include "../../workloads/compute.h"
#include "../../abi/proto.h"

static int native_probe(char *why, size_t n)
{
	(void)why;
	(void)n;
	return 0;
}

static const char *native_backend(void) { return "host"; }

/* compute, and the Linux guest's user_compute: the same workload */
static bool is_compute(const char *bench) { return !strcmp(bench, "compute") || !strcmp(bench, "user_compute"); }

static const char *native_bench_unsupported(const char *bench, unsigned needs)
{
	return needs == PVB_NEED_NONE || is_compute(bench) ? NULL
							   : "not a native benchmark: it needs a guest kernel's privileges";
}

static struct compute_state state;

static int64_t run_compute(uint64_t n)
{
	compute_restart(&state, 2);
	uint64_t t0 = __rdtsc();
	for (uint64_t i = 0; i < n; i++)
		compute_pass(&state);
	return (int64_t)(__rdtsc() - t0);
}

static void emit_msg(ctl_msg_fn *emit, void *opaque, const char *bench, uint32_t type, uint32_t rep, uint64_t iters,
		     int64_t ticks, uint64_t value)
{
	struct pvb_msg m = { .magic = PVB_MSG_MAGIC, .type = type, .rep = rep, .iters = iters,
			     .ticks = ticks, .tsc_hz = host_tsc_hz(), .value = value };
	snprintf(m.bench, sizeof(m.bench), "%s", bench);
	emit(opaque, &m);
}

/* Sized like the guest's harness: grow n until a repetition lasts about rep_us. */
static void run_one(const struct bench_plan *p, const char *bench, ctl_msg_fn *emit, void *opaque)
{
	emit_msg(emit, opaque, bench, PVB_MSG_BEGIN, 0, 0, 0, 0);
	compute_init(&state, 2);
	uint64_t target = host_tsc_hz() * p->rep_us / 1000000, n = p->iters ? p->iters : 1;
	while (!p->iters) {
		uint64_t t = (uint64_t)run_compute(n);
		if (t >= target / 2 || n >= (1ull << 32)) {
			n = t ? (uint64_t)((unsigned __int128)n * target / t) : n;
			n = n ? n : 1;
			break;
		}
		n *= t * 16 < target ? 8 : 2;
	}
	for (uint32_t w = 0; w < p->warmup; w++)
		run_compute(n);
	for (uint32_t r = 0; r < p->reps; r++)
		emit_msg(emit, opaque, bench, PVB_MSG_RESULT, r, n, run_compute(n), 0);
	struct compute_state check;
	emit_msg(emit, opaque, bench, PVB_MSG_VALUE, 0, 0, 0, compute_checksum(&check));
	emit_msg(emit, opaque, bench, PVB_MSG_END, 0, 0, 0, 0);
}

static void native_run(const struct host_run *hr, ctl_msg_fn *emit, void *opaque)
{
	for (int b = 0; b < bench_count; b++)
		if (hr->plan->want[b] && is_compute(bench_table[b].name))
			run_one(hr->plan, bench_table[b].name, emit, opaque);
}

const struct mode_ops native_mode = {
	.name = "native",
	.summary = "the portable benchmarks in pvbench's own process: the physical limit",
	.probe = native_probe,
	.backend = native_backend,
	.bench_unsupported = native_bench_unsupported,
	.run_host = native_run,
};
