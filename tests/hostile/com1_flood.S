/* expect: timeout -- bytes to COM1 without end: captured output stays bounded */
	.globl _start
_start:	movw $0x3f8, %dx
	movb $'x', %al
1:	outb %al, %dx
	jmp 1b
