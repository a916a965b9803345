/* The 32-bit guest's native interface: each operation is the privileged instruction
 * itself, the TPR the LAPIC's register (no CR8 outside long mode). */
#include <stddef.h>
#include "kernel.h"
#include "cpu.h"
#include "layout.h"
#include "lapic.h"
#include "pvops.h"

_Static_assert(offsetof(struct pv_ops, iret) == PV_OFF_IRET, "asm offset");
_Static_assert(offsetof(struct pv_ops, sysret) == PV_OFF_SYSRET, "asm offset");

void native_iret(void);    /* entry.S */
void native_sysexit(void); /* entry.S */

static unsigned pte_size = 4;
void pv_set_pte_size(unsigned bytes) { pte_size = bytes; }

/* A PAE entry in two halves, in the order that never shows a present entry with half its
 * address (Linux's set_pte and pte_clear): the high half first when it becomes present,
 * the low half (and P) first when it goes. */
static void native_set_pte(uint64_t val, void *ptep, uint64_t flags)
{
	(void)flags;
	volatile uint32_t *p = ptep;
	if (pte_size == 4) {
		p[0] = (uint32_t)val;
	} else if (val & PTE_P) {
		p[1] = (uint32_t)(val >> 32);
		barrier();
		p[0] = (uint32_t)val;
	} else {
		p[0] = (uint32_t)val;
		barrier();
		p[1] = (uint32_t)(val >> 32);
	}
}

static void native_invlpg(uint64_t va) { __asm__ volatile("invlpg (%0)" :: "r"((uintptr_t)va) : "memory"); }
static void native_write_cr3(uint64_t v) { __asm__ volatile("mov %0, %%cr3" :: "r"((uintptr_t)v) : "memory"); }
static void native_flush_tlb(uint64_t flags)
{
	if (!(flags & VMI_FLUSH_GLOBAL)) {
		native_write_cr3(read_cr3());
		return;
	}
	uintptr_t cr4 = read_cr4();
	__asm__ volatile("mov %0, %%cr4; mov %1, %%cr4" :: "r"(cr4 ^ 0x80), "r"(cr4) : "memory");
}

static void native_lazy_mmu(uint64_t mode) { (void)mode; }
static void native_irq_enable(void) { __asm__ volatile("sti" ::: "memory"); }
static void native_irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
static void native_halt(void) { __asm__ volatile("hlt" ::: "memory"); }
static void native_write_tpr(uint64_t tpr) { lapic_write(LAPIC_TPR, (uint32_t)tpr << 4); }

struct pv_ops pv = {
	.iret = native_iret,
	.sysret = native_sysexit,
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
