/* The 64-bit guest's native page-table store and TPR (CR8). */
#include "kernel.h"
#include "pvops.h"

void native_set_pte(uint64_t val, void *ptep, uint64_t flags)
{
	(void)flags;
	*(volatile uint64_t *)ptep = val;
}

void native_write_tpr(uint64_t tpr) { __asm__ volatile("mov %0, %%cr8" :: "r"(tpr) : "memory"); }
