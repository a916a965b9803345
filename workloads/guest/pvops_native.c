/* The native interface: each operation is the privileged instruction itself. What
 * differs between the architectures (the width of a page-table entry, where the TPR
 * lives, the fast system-call return) is in ARCH/pvops_native.c. */
#include <stddef.h>
#include "kernel.h"
#include "cpu.h"
#include "layout.h"
#include "pvops.h"

_Static_assert(offsetof(struct pv_ops, iret) == PV_OFF_IRET, "asm offset");
_Static_assert(offsetof(struct pv_ops, sysret) == PV_OFF_SYSRET, "asm offset");

void native_iret(void);        /* entry.S */
void native_fast_return(void); /* entry.S: sysretq, or sti; sysexit */

static void native_invlpg(uint64_t va) { __asm__ volatile("invlpg (%0)" :: "r"((uintptr_t)va) : "memory"); }
static void native_write_cr3(uint64_t v) { __asm__ volatile("mov %0, %%cr3" :: "r"((uintptr_t)v) : "memory"); }
/* CR3 reloads drop the non-global entries; toggling CR4.PGE drops them all. */
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

struct pv_ops pv = {
	.iret = native_iret,
	.sysret = native_fast_return,
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
