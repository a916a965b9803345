/* The machine's interrupt controllers as its CPU model asks for them (struct x86_intc):
 * the LAPIC, with the 8259A pair on its LINT0 (ExtINT, or the virtual wire with the
 * LAPIC off) and the PIT's channel 0 on the 8259A's IRQ 0. */
#ifndef VMM_INTC_H
#define VMM_INTC_H
#include "machine.h"
#include "x86/cpu.h"

struct x86_intc machine_intc(struct machine *m);

#endif
