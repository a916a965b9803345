/* expect: failed -- the IDT in unclaimed device memory: the gate reads as all ones, the
 * #GP it raises reads the same, a triple fault */
	.globl _start
_start:	leaq idtr(%rip), %rax
	lidt (%rax)
	int3
1:	jmp 1b
idtr:	.word 0xfff
	.quad 0xe0000000
