/* expect: failed -- halted with interrupts off: nothing can wake it */
	.globl _start
_start:	cli
	hlt
	jmp _start
