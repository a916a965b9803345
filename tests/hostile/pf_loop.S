/* expect: timeout -- a #PF handler that returns without mapping anything: the access
 * faults again, forever */
#include "idt64.inc"
	.globl _start
_start:	gate64 14, handler
	load_idt
	movabsq $0x100000000000, %rbx        /* beyond the loader's 4 GiB map */
	movq (%rbx), %rax
handler: addq $8, %rsp                   /* the error code */
	iretq
	idt_data
