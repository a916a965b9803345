/* expect: timeout -- a #UD handler that returns to the ud2 that raised it */
#include "idt64.inc"
	.globl _start
_start:	gate64 6, handler
	load_idt
	ud2
handler: iretq
	idt_data
