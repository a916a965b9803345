/* expect: timeout -- rep outsb of 48 MiB to COM1, over and over: one instruction, millions
 * of device accesses; the watchdog counts the elements */
	.globl _start
_start:	movw $0x3f8, %dx
	movq $0x100000, %rsi
	movq $0x3000000, %rcx
	rep outsb
	jmp _start
