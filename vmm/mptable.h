/* The Intel MultiProcessor Specification 1.4 table a PC's firmware leaves in the last KiB
 * of base memory: one processor (the LAPIC at its default address), an ISA bus, the
 * 8259A on LINT0 as ExtINT (virtual wire mode) and NMI on LINT1. No IOAPIC. Linux needs
 * an MP configuration (or ACPI) to set up the LAPIC timer at all. */
#ifndef VMM_MPTABLE_H
#define VMM_MPTABLE_H
#include <stdint.h>
#include "mem.h"

#define MPTABLE_BASE 0x9fc00 /* reserved in every memory map the loader writes */

void mptable_write(struct guest_mem *m, uint32_t cpu_signature, uint32_t cpu_features);

#endif
