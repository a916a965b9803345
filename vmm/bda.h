/* The BIOS Data Area (0x400) a PC's firmware leaves, as far as kernels booted without
 * firmware read it: COM1's port, the EBDA's segment (the last KiB of base memory, where
 * the MP table lies) and the base memory size. Xen places its trampoline below the
 * EBDA from these; Linux finds the EBDA (and scans it for the MP table) by them. */
#ifndef VMM_BDA_H
#define VMM_BDA_H
#include "mem.h"

void bda_write(struct guest_mem *m);

#endif
