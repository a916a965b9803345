/* expect: timeout -- every NMI handler sends itself the next NMI through the ICR */
#include "idt64.inc"
	.globl _start
_start:	gate64 2, nmi
	load_idt
	lapic_write 0xfee000f0, 0x1ff
	lapic_write 0xfee00300, 0x40400            /* self, NMI */
1:	jmp 1b
nmi:	lapic_write 0xfee00300, 0x40400
	iretq
	idt_data
