/* native: the portable benchmarks (compute, compute_mix, callret) in pvbench's own process,
 * compiled from the same source as the guest's: the physical limit the other modes are
 * measured against. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <x86intrin.h>
#include "../mode.h"
#include "../../collect/host.h"
#include "native.h"
#include "../../util/interrupt.h"
#include "../../workloads/compute.h"
#include "../../workloads/compute_mix.h"
#include "../../workloads/callret.h"
#include "../../abi/proto.h"

static int native_probe(char *why, size_t n)
{
	(void)why;
	(void)n;
	return 0;
}

static const char *native_backend(void) { return "host"; }

/* The portable workloads, from the same source as the guests': compute (the Linux guest's
 * user_compute is the same code), compute_mix and callret. n operations run in a loop of
 * the workload's own, as the guest's benchmark runs them. */
static struct compute_state cstate;
static struct mix_state mstate;
static volatile uint64_t callret_sink;
static void compute_again(void) { compute_init(&cstate, 2); } /* its CRC table, then the seed; untimed */
static void compute_ops(uint64_t n) { for (uint64_t i = 0; i < n; i++) compute_pass(&cstate); }
static uint64_t compute_sum(void) { static struct compute_state s; return compute_checksum(&s); }
static void mix_again(void) { mix_restart(&mstate, 2); }
static void mix_ops(uint64_t n) { for (uint64_t i = 0; i < n; i++) mix_pass(&mstate); }
static uint64_t mix_sum(void) { static struct mix_state s; return mix_checksum(&s); }
static void callret_again(void) {}
static void callret_ops(uint64_t n) { callret_sink = callret_loop(n, 1); }

static const struct workload {
	const char *name;
	void (*restart)(void), (*ops)(uint64_t n);
	uint64_t (*checksum)(void);
} workloads[] = {
	{ "compute", compute_again, compute_ops, compute_sum },
	{ "user_compute", compute_again, compute_ops, compute_sum },
	{ "compute_mix", mix_again, mix_ops, mix_sum },
	{ "callret", callret_again, callret_ops, callret_checksum },
};

static const struct workload *workload_find(const char *bench)
{
	for (size_t k = 0; k < sizeof(workloads) / sizeof(workloads[0]); k++)
		if (!strcmp(workloads[k].name, bench))
			return &workloads[k];
	return NULL;
}

bool workload_checksum(const char *bench, uint64_t *value)
{
	const struct workload *w = workload_find(bench);
	if (w)
		*value = w->checksum();
	return w != NULL;
}

static const char *native_bench_unsupported(const char *bench, unsigned needs)
{
	return needs == PVB_NEED_NONE || workload_find(bench) ? NULL
							      : "not a native benchmark: it needs a guest kernel's privileges";
}

static int64_t run_passes(const struct workload *w, uint64_t n)
{
	w->restart();
	uint64_t t0 = __rdtsc();
	w->ops(n);
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
	const struct workload *w = workload_find(bench);
	emit_msg(emit, opaque, bench, PVB_MSG_BEGIN, 0, 0, 0, 0);
	uint64_t target = host_tsc_hz() * p->rep_us / 1000000, n = p->iters ? p->iters : 1;
	while (!p->iters) {
		uint64_t t = (uint64_t)run_passes(w, n);
		if (t >= target / 2 || n >= (1ull << 32)) {
			n = t ? (uint64_t)((unsigned __int128)n * target / t) : n;
			n = n ? n : 1;
			break;
		}
		n *= t * 16 < target ? 8 : 2;
	}
	for (uint32_t k = 0; k < p->warmup; k++)
		run_passes(w, n);
	for (uint32_t r = 0; r < p->reps; r++)
		emit_msg(emit, opaque, bench, PVB_MSG_RESULT, r, n, run_passes(w, n), 0);
	emit_msg(emit, opaque, bench, PVB_MSG_VALUE, 0, 0, 0, w->checksum());
	emit_msg(emit, opaque, bench, PVB_MSG_END, 0, 0, 0, 0);
}

static void native_run(const struct host_run *hr, ctl_msg_fn *emit, void *opaque)
{
	for (int b = 0; b < bench_count && !user_interrupted; b++)
		if (hr->plan->want[b] && workload_find(bench_table[b].name))
			run_one(hr->plan, bench_table[b].name, emit, opaque);
}

const struct engine_ops native_engine = {
	.name = "native",
	.kind = ENGINE_HOST,
	.probe = native_probe,
	.backend = native_backend,
	.bench_unsupported = native_bench_unsupported,
	.run_host = native_run,
};
