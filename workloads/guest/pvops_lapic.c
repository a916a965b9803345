/* The native interface's timers and clock, the same in both architectures: the LAPIC's
 * registers and the TSC-deadline MSR. */
#include "kernel.h"
#include "cpu.h"
#include "layout.h"
#include "lapic.h"
#include "pvops.h"

uint64_t native_read_cycles(void) { return rdtsc(); }

static uint64_t ns_to_lapic(uint64_t ns)
{
	uint64_t t = muldiv(ns, lapic_hz, 1000000000ull);
	return t ? t : 1;
}

void native_timer_oneshot(uint64_t ns)
{
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER | LVT_TIMER_ONESHOT);
	lapic_write(LAPIC_TIMER_INIT, (uint32_t)ns_to_lapic(ns));
}

void native_timer_periodic(uint64_t period_ns)
{
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER | LVT_TIMER_PERIODIC);
	lapic_write(LAPIC_TIMER_INIT, (uint32_t)ns_to_lapic(period_ns));
}

void native_timer_deadline(uint64_t tsc)
{
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER | LVT_TIMER_TSC_DEADLINE);
	wrmsr(MSR_TSC_DEADLINE, tsc);
}

void native_timer_cancel(void)
{
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER | LVT_MASKED);
	lapic_write(LAPIC_TIMER_INIT, 0);
	wrmsr(MSR_TSC_DEADLINE, 0);
}

void native_timer_ack(void) { lapic_write(LAPIC_EOI, 0); }

