/* expect: any -- the stack in unclaimed device memory, then an exception whose frame goes
 * there and whose return reads all ones */
#include "idt64.inc"
	.globl _start
_start:	gate64 3, handler
	load_idt
	movq $0xe0000100, %rsp
	int3
1:	jmp 1b
handler: iretq
	idt_data
