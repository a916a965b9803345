/* Clocks: the TSC calibrated against PIT channel 2, the LAPIC timer against the TSC. */
#include "kernel.h"
#include "cpu.h"
#include "lapic.h"
#include "layout.h"

#define PIT_HZ 1193182ull
#define PIT_CAL_TICKS 59659 /* ~50 ms: one poll exit costs ~11 us under PVM, so 0.02% */

uint64_t tsc_hz;
uint64_t lapic_hz;

/* Channel 2 in mode 0, gated through port 0x61; OUT2 (bit 5) rises at terminal count.
 * One measurement; a vCPU descheduled between the PIT and the TSC reads skews it. */
static uint64_t calibrate_once(void)
{
	outb(0x61, (uint8_t)((inb(0x61) & ~0x02) | 0x01));
	outb(0x43, 0xb0);
	outb(0x42, PIT_CAL_TICKS & 0xff);
	outb(0x42, PIT_CAL_TICKS >> 8);
	uint64_t t0 = rdtsc();
	uint64_t spins = 0;
	while (!(inb(0x61) & 0x20)) {
		if (++spins > 100000000ull)
			panic("PIT channel 2 never reached terminal count");
	}
	uint64_t t1 = rdtsc();
	return muldiv(t1 - t0, PIT_HZ, PIT_CAL_TICKS);
}

/* The median of three: one skewed measurement (a busy host descheduling the vCPU)
 * does not become the guest's clock. */
void tsc_calibrate(void)
{
	uint64_t a = calibrate_once(), b = calibrate_once(), c = calibrate_once();
	tsc_hz = a > b ? (b > c ? b : a > c ? c : a) : (a > c ? a : b > c ? c : b);
	if (!tsc_hz)
		panic("TSC does not advance");
}

uint64_t ticks_to_ns(uint64_t ticks) { return muldiv(ticks, 1000000000ull, tsc_hz); }

int has_tsc_deadline(void)
{
	uint32_t r[4];
	cpuid(1, 0, r);
	return (r[2] >> 24) & 1;
}

int lapic_init(void)
{
	uint32_t r[4];
	cpuid(1, 0, r);
	if (!((r[3] >> 9) & 1))
		return -1;
	lapic_write(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_1);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
	lapic_write(LAPIC_TIMER_INIT, 0xffffffffu);
	/* the TSC interval inside the count's: a vCPU descheduled next to a read can only
	 * make lapic_hz high (timers late), never low (timers early) */
	uint32_t c0 = lapic_read(LAPIC_TIMER_CUR);
	uint64_t t0 = rdtsc(), want = tsc_hz / 100; /* 10 ms */
	while (rdtsc() - t0 < want)
		cpu_relax();
	uint64_t t1 = rdtsc();
	uint32_t c1 = lapic_read(LAPIC_TIMER_CUR);
	lapic_write(LAPIC_TIMER_INIT, 0);
	if (c1 >= c0)
		return -1;
	lapic_hz = muldiv(c0 - c1, tsc_hz, t1 - t0);
	return lapic_hz ? 0 : -1;
}
