/* expect: timeout -- a loop that rewrites its own instruction on every pass */
	.globl _start
_start:
1:	movb $0x21, %al
	movb %cl, 1b + 1(%rip)
	incl %ecx
	jmp 1b
