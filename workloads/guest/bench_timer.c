/* Timer events: the full cost of arming a timer and taking its interrupt, and the time a
 * periodic tick takes from a running loop. */
#include "kernel.h"
#include "cpu.h"
#include "pvops.h"
#include "bench.h"

#define TICK_NS 100000 /* 10 kHz */

static int lapic_ok = -2; /* not probed yet */
static volatile int fired;

static void on_tick(void) { fired = 1; }

static const char *timer_setup(void)
{
	if (lapic_ok == -2)
		lapic_ok = lapic_init();
	if (lapic_ok)
		return "no local APIC timer answers";
	trap_set_timer_hook(on_tick);
	pv.irq_enable();
	return 0;
}

static void timer_teardown(void)
{
	pv.timer_cancel();
	pv.irq_disable();
	trap_set_timer_hook(0);
}

/* The bound turns a lost interrupt into a failed benchmark instead of a hang. */
static void wait_fired(uint64_t armed)
{
	while (!fired) {
		cpu_relax();
		BENCH_CHECK(pv.read_cycles() - armed < tsc_hz, "timer interrupt did not arrive within 1 s");
	}
}

static int64_t oneshot_run(uint64_t *n)
{
	uint64_t t0 = rdtsc();
	for (uint64_t i = 0; i < *n; i++) {
		uint64_t armed = pv.read_cycles();
		fired = 0;
		pv.timer_oneshot(0);
		wait_fired(armed);
	}
	return (int64_t)(rdtsc() - t0);
}

const struct bench bench_timer_oneshot = { .setup = timer_setup, .run = oneshot_run, .teardown = timer_teardown };

static const char *deadline_setup(void)
{
	if (!has_tsc_deadline())
		return "CPUID.1:ECX.TSC_DEADLINE is clear: no TSC-deadline timer";
	return timer_setup();
}

static int64_t deadline_run(uint64_t *n)
{
	uint64_t t0 = rdtsc();
	for (uint64_t i = 0; i < *n; i++) {
		uint64_t armed = pv.read_cycles();
		fired = 0;
		pv.timer_deadline(armed + 1);
		wait_fired(armed);
	}
	return (int64_t)(rdtsc() - t0);
}

const struct bench bench_timer_deadline = { .setup = deadline_setup, .run = deadline_run, .teardown = timer_teardown };

/* periodic: the time a tick steals from a loop that reads the TSC, as jitter tools
 * measure it. An iteration during which a tick arrived is attributed to the tick, less the
 * fastest tick-free iteration; gaps without a tick (the host's own noise) are not charged. */
static int64_t periodic_run(uint64_t *n)
{
	uint64_t start = ticks_seen, seen = start, stolen = 0, gaps = 0, fastest = ~0ull;
	pv.timer_periodic(TICK_NS);
	uint64_t t0 = rdtsc(), prev = t0;
	while (seen - start < *n) {
		uint64_t now = rdtsc(), t = ticks_seen, d = now - prev;
		if (t != seen) {
			stolen += d;
			gaps++;
			seen = t;
		} else if (d < fastest) {
			fastest = d;
		}
		prev = now;
		BENCH_CHECK(now - t0 < tsc_hz + *n * tsc_hz / 1000, "periodic ticks stopped arriving");
	}
	pv.timer_cancel();
	*n = seen - start;
	return (int64_t)(stolen - (fastest == ~0ull ? 0 : gaps * fastest));
}

const struct bench bench_timer_periodic = { .setup = timer_setup, .run = periodic_run, .teardown = timer_teardown, .time_defined = 1 };
