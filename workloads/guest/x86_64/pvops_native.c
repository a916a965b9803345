/* The native interface: each operation is the privileged instruction itself. */
#include <stddef.h>
#include "kernel.h"
#include "cpu.h"
#include "pvops.h"
#include "lapic.h"

_Static_assert(offsetof(struct pv_ops, iret) == PV_OFF_IRET, "asm offset");
_Static_assert(offsetof(struct pv_ops, sysret) == PV_OFF_SYSRET, "asm offset");

void native_iret(void);   /* entry.S */
void native_sysret(void); /* entry.S */

static void native_set_pte(uint64_t val, void *ptep, uint64_t flags)
{
	(void)flags;
	*(volatile uint64_t *)ptep = val;
}

static void native_invlpg(uint64_t va) { __asm__ volatile("invlpg (%0)" :: "r"(va) : "memory"); }
static void native_write_cr3(uint64_t v) { __asm__ volatile("mov %0, %%cr3" :: "r"(v) : "memory"); }
static void native_flush_tlb(uint64_t flags)
{
	if (!(flags & VMI_FLUSH_GLOBAL)) {
		native_write_cr3(read_cr3());
		return;
	}
	uint64_t cr4;
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4; mov %1, %%cr4" :: "r"(cr4 ^ 0x80), "r"(cr4) : "memory");
}

static void native_lazy_mmu(uint64_t mode) { (void)mode; }
static void native_irq_enable(void) { __asm__ volatile("sti" ::: "memory"); }
static void native_irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
static void native_halt(void) { __asm__ volatile("hlt" ::: "memory"); }
static void native_write_tpr(uint64_t tpr) { __asm__ volatile("mov %0, %%cr8" :: "r"(tpr) : "memory"); }
static uint64_t native_read_cycles(void) { return rdtsc(); }

static uint64_t ns_to_lapic(uint64_t ns)
{
	uint64_t t = muldiv(ns, lapic_hz, 1000000000ull);
	return t ? t : 1;
}

static void native_timer_oneshot(uint64_t ns)
{
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER | LVT_TIMER_ONESHOT);
	lapic_write(LAPIC_TIMER_INIT, (uint32_t)ns_to_lapic(ns));
}

static void native_timer_periodic(uint64_t period_ns)
{
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER | LVT_TIMER_PERIODIC);
	lapic_write(LAPIC_TIMER_INIT, (uint32_t)ns_to_lapic(period_ns));
}

static void native_timer_deadline(uint64_t tsc)
{
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER | LVT_TIMER_TSC_DEADLINE);
	wrmsr(MSR_TSC_DEADLINE, tsc);
}

static void native_timer_cancel(void)
{
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER | LVT_MASKED);
	lapic_write(LAPIC_TIMER_INIT, 0);
	wrmsr(MSR_TSC_DEADLINE, 0);
}

static void native_timer_ack(void) { lapic_write(LAPIC_EOI, 0); }

struct pv_ops pv = {
	.iret = native_iret,
	.sysret = native_sysret,
	.name = "native",
	.set_pte = native_set_pte,
	.invlpg = native_invlpg,
	.flush_tlb = native_flush_tlb,
	.write_cr3 = native_write_cr3,
	.lazy_mmu = native_lazy_mmu,
	.irq_enable = native_irq_enable,
	.irq_disable = native_irq_disable,
	.halt = native_halt,
	.write_tpr = native_write_tpr,
	.timer_oneshot = native_timer_oneshot,
	.timer_periodic = native_timer_periodic,
	.timer_deadline = native_timer_deadline,
	.timer_cancel = native_timer_cancel,
	.timer_ack = native_timer_ack,
	.read_cycles = native_read_cycles,
};
