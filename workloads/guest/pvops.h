/* Every privileged operation the benchmarks perform goes through this table, so an
 * interface (native instructions now, a hypervisor ROM later) is swapped in one place
 * without touching a benchmark. */
#ifndef GUEST_PVOPS_H
#define GUEST_PVOPS_H
#include <stdint.h>
#include "layout.h"

struct pv_ops {
	/* Entered by jmp from assembly with a complete return frame on the stack. */
	void (*iret)(void);   /* iretq frame */
	void (*sysret)(void); /* rcx = user rip, r11 = user rflags, rsp = user stack */

	const char *name;
	/* level: 1 = PTE, 2 = PDE, 3 = PDPTE, 4 = PML4E */
	void (*set_pte)(uint64_t *ptep, uint64_t val, int level);
	void (*invlpg)(uint64_t va);
	void (*flush_tlb)(void);
	void (*write_cr3)(uint64_t cr3);
	void (*lazy_mmu)(int on); /* batch page-table updates until off */

	void (*irq_enable)(void);
	void (*irq_disable)(void);
	void (*halt)(void);       /* wait for an interrupt, IF as it is */

	void (*timer_oneshot)(uint64_t ns);
	void (*timer_periodic)(uint64_t period_ns);
	void (*timer_deadline)(uint64_t tsc);
	void (*timer_cancel)(void);
	void (*timer_ack)(void);
	uint64_t (*read_cycles)(void); /* the guest's notion of now, for arming timers */
};

extern struct pv_ops pv;

#endif
