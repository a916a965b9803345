/* The 32-bit guest's native page-table store (2-level or PAE) and TPR: the LAPIC's
 * register, since there is no CR8 outside long mode. */
#include "kernel.h"
#include "cpu.h"
#include "layout.h"
#include "lapic.h"
#include "pvops.h"

static unsigned pte_size = 4;
void pv_set_pte_size(unsigned bytes) { pte_size = bytes; }
unsigned pv_pte_bytes(void) { return pte_size; }

/* A PAE entry in two halves, in the order that never shows a present entry with half its
 * address (Linux's set_pte and pte_clear): the high half first when it becomes present,
 * the low half (and P) first when it goes. */
void native_set_pte(uint64_t val, void *ptep, uint64_t flags)
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

void native_write_tpr(uint64_t tpr) { lapic_write(LAPIC_TPR, (uint32_t)tpr << 4); }
