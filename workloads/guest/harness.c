/* Sizing, warm-up, repetitions and reporting, the same for every benchmark. */
#include "kernel.h"
#include "cpu.h"
#include "bench.h"
#include "pvops.h"

#define MAX_ITERS (1ull << 32)

static const struct {
	const char *name;
	const struct bench *b;
} benches[] = {
#define BENCH(name, needs, desc) { #name, &bench_##name },
#include "../../abi/benches.def"
#undef BENCH
};

const char *current_bench = "";

static int64_t timed(const struct bench *b, uint64_t *n, uint64_t *elapsed)
{
	uint64_t t0 = rdtsc();
	int64_t ticks = b->run(n);
	*elapsed = rdtsc() - t0;
	return ticks;
}

/* Grow n until one repetition takes about rep_us: the same wall time in every mode. */
static uint64_t size_iters(const struct bench *b, const struct config *c)
{
	if (c->iters)
		return c->iters;
	uint64_t target = muldiv(tsc_hz, c->rep_us, 1000000), n = 1, elapsed;
	for (;;) {
		timed(b, &n, &elapsed);
		if (elapsed >= target / 2 || n >= MAX_ITERS)
			break;
		n *= elapsed * 16 < target ? 8 : 2;
	}
	uint64_t scaled = elapsed ? muldiv(n, target, elapsed) : n;
	return scaled ? scaled : 1;
}

/* What inject= asks of this benchmark: "hang", "crash", "slow", or NULL. */
static const char *injected(const char *name, const char *inject)
{
	size_t n = strlen(name);
	return strncmp(inject, name, n) || inject[n] != ':' ? 0 : inject + n + 1;
}

/* The failures a VMM must survive, on request: a guest that stops answering, one that
 * triple-faults (an empty IDT turns the breakpoint into #GP, #DF, shutdown), and one that
 * floods the control port with results. */
static void inject_failure(const char *what)
{
	if (!what)
		return;
	if (!strncmp(what, "hang", 5)) {
		pv.irq_disable();
		for (;;)
			pv.halt();
	}
	if (!strncmp(what, "flood", 6)) /* a control-port flood: far more results than asked */
		for (uint32_t i = 0; i < 200000; i++)
			report(PVB_MSG_RESULT, current_bench, i, 1, 1, 0, 0);
	if (!strncmp(what, "crash", 6)) {
		struct { uint16_t limit; uint64_t base; } __attribute__((packed)) none = { 0, 0 };
		__asm__ volatile("lidt %0; int3" :: "m"(none));
	}
}

/* An injected slowdown: "slow" doubles the work of each repetition, "slow=PCT" adds PCT
 * percent (1 to 1000) to it; 0 for none. */
static uint32_t slow_pct(const char *inject)
{
	if (!inject || strncmp(inject, "slow", 4))
		return 0;
	if (!inject[4])
		return 100;
	uint32_t pct = 0;
	for (const char *p = inject + 5; inject[4] == '=' && *p >= '0' && *p <= '9' && pct <= 1000; p++)
		pct = pct * 10 + (uint32_t)(*p - '0');
	return pct > 1000 ? 1000 : pct;
}

/* Deterministic figures (instructions, exits, callouts per operation): the VMM counts
 * over passes of m and 2m operations, m the benchmark's smallest. The difference cancels
 * the fixed cost of the bracket; each size runs twice, and a figure that differs between
 * the two is recorded as not deterministic. Fixed sizes, not timing-derived ones, so that
 * the figures of two runs are comparable exactly. An injected slowdown adds its share of
 * the work here too, from passes of 100 operations so that the share is exact. */
static void count_passes(const char *name, const struct bench *b, uint32_t slow)
{
	uint64_t m = 1;
	b->run(&m); /* the bracket's own code warm in the engine's caches too */
	m = slow ? 100 : 1;
	for (uint32_t pass = 0; pass < 4; pass++) {
		uint64_t k = pass & 1 ? 2 * m : m, again = k * slow / 100;
		report(PVB_MSG_MARK, name, pass, 0, 0, 0, 0);
		b->run(&k);
		if (again)
			b->run(&again);
		report(PVB_MSG_COUNT, name, pass, k, 0, 0, 0);
		if (!pass)
			m = k;
	}
}

static void run_one(const char *name, const struct bench *b, const struct config *c)
{
	current_bench = name;
	report(PVB_MSG_BEGIN, name, 0, 0, 0, 0, 0);
	const char *inject = injected(name, c->inject);
	inject_failure(inject);
	/* a regression on request, for testing the CI gate: each repetition does its
	 * operations and PCT percent more, and reports them as done once */
	uint32_t slow = slow_pct(inject);
	const char *why = b->setup ? b->setup() : 0;
	if (why) {
		report(PVB_MSG_UNSUPPORTED, name, 0, 0, 0, 0, why);
	} else {
		uint64_t n = size_iters(b, c), elapsed;
		for (uint32_t w = 0; w < c->warmup; w++) {
			uint64_t m = n;
			timed(b, &m, &elapsed);
		}
		for (uint32_t r = 0; r < c->reps; r++) {
			uint64_t m = n;
			int64_t ticks = timed(b, &m, &elapsed);
			uint64_t again = m * slow / 100;
			if (again)
				ticks += timed(b, &again, &elapsed);
			report(PVB_MSG_RESULT, name, r, m, ticks, 0, 0);
		}
		if (ctl_present() && !b->time_defined)
			count_passes(name, b, slow);
		if (b->value)
			report(PVB_MSG_VALUE, name, 0, 0, 0, b->value(), 0);
		if (b->teardown)
			b->teardown();
	}
	report(PVB_MSG_END, name, 0, 0, 0, 0, 0);
	current_bench = "";
}

void harness_run(const struct config *c);
void harness_run(const struct config *c)
{
	for (size_t i = 0; i < ARRAY_LEN(benches); i++)
		if (list_has(c->bench, benches[i].name))
			run_one(benches[i].name, benches[i].b, c);
}
