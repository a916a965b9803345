/* Every privileged operation the benchmarks perform goes through this table, so an
 * interface (the native instructions, or the VMI ROM's calls) is swapped in one place
 * without touching a benchmark. The signatures are the VMI calls' where one fits, so a
 * ROM entry goes into the table as it is, with no wrapper between. */
#ifndef GUEST_PVOPS_H
#define GUEST_PVOPS_H
#include <stdint.h>
#include "layout.h"
#include "../../abi/vmi.h"

struct pv_ops {
	/* Entered by jmp from assembly with a complete return frame on the stack. */
	void (*iret)(void);   /* iretq frame */
	void (*sysret)(void); /* rcx = user rip, r11 = user rflags, rsp = user stack */

	const char *name;         /* the interface, as reported on COM1 and to pvbench */
	/* flags: VMI_PAGE_PT, _PD, _PDP or _PML4, optionally VMI_PAGE_DEFER */
	void (*set_pte)(uint64_t val, void *ptep, uint64_t flags); /* ptep: 4 bytes in 2-level paging, else 8 */
	void (*invlpg)(uint64_t va);
	void (*flush_tlb)(uint64_t flags); /* VMI_FLUSH_TLB, | VMI_FLUSH_GLOBAL for global pages too */
	void (*write_cr3)(uint64_t cr3);
	void (*lazy_mmu)(uint64_t mode); /* VMI_LAZY_MMU batches page-table updates until VMI_LAZY_NONE */
	/* the frame at pa becomes a page table at level (VMI_PAGE_PT, _PD, _PDP; | VMI_PAGE_PAE)
	 * before it is linked in, or stops being one once unlinked: VMI's AllocatePage and
	 * ReleasePage, as Linux's paravirt_alloc_pt and release_pt; NULL natively */
	void (*alloc_pt)(uint64_t pa, uint64_t level);
	void (*release_pt)(uint64_t pa, uint64_t level);

	void (*irq_enable)(void);
	void (*irq_disable)(void);
	void (*halt)(void);       /* wait for an interrupt, IF as it is */
	void (*write_tpr)(uint64_t tpr); /* the task priority, as CR8 holds it (0-15) */

	void (*timer_oneshot)(uint64_t ns);
	void (*timer_periodic)(uint64_t period_ns);
	void (*timer_deadline)(uint64_t tsc);
	void (*timer_cancel)(void);
	void (*timer_ack)(void);
	uint64_t (*read_cycles)(void); /* the guest's notion of now, for arming timers */
	void (*null_call)(void);       /* the interface's bare hook, NULL when it has none */
};

extern struct pv_ops pv;
/* pvops_lapic.c: the native timers and clock, which both architectures' tables hold */
uint64_t native_read_cycles(void);
void native_timer_oneshot(uint64_t ns);
void native_timer_periodic(uint64_t period_ns);
void native_timer_deadline(uint64_t tsc);
void native_timer_cancel(void);
void native_timer_ack(void);
/* ARCH/pvops_native.c: the native operations that differ between the architectures */
void native_set_pte(uint64_t val, void *ptep, uint64_t flags);
void native_write_tpr(uint64_t tpr);
/* The 32-bit guest's native set_pte: 4-byte (2-level) or 8-byte (PAE) entries. */
void pv_set_pte_size(unsigned bytes);
unsigned pv_pte_bytes(void);
/* Looks for a VMI ROM and, when one passes every check, routes pv through it. */
void vmi_probe(void);
/* ARCH/vmi.c: the entry get_reloc of the ROM at base gives for a call (NULL: keep the
 * native code), and pv's MMU operations routed through the ROM (the number routed) */
void *vmi_arch_entry(uintptr_t base, unsigned call);
unsigned vmi_arch_route_mmu(void);
/* The ROM's entry for a VMI call, NULL when the guest runs native or it is not offered. */
void *vmi_rom_entry(uint64_t call);
/* selftest=pvops (pvcheck.c): the number of checks that failed. */
int pv_selftest(void);

#endif
