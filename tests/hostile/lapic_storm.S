/* expect: timeout -- the LAPIC timer periodic at its shortest (count 1, divide by 1), its
 * handler acknowledging each: an interrupt storm */
#include "idt64.inc"
	.globl _start
_start:	gate64 0x40, tick
	load_idt
	lapic_write 0xfee000f0, 0x1ff              /* SVR: on */
	lapic_write 0xfee003e0, 0xb                /* divide by 1 */
	lapic_write 0xfee00320, 0x20040            /* periodic, vector 0x40 */
	lapic_write 0xfee00380, 1
	sti
1:	jmp 1b
tick:	lapic_write 0xfee000b0, 0
	iretq
	idt_data
