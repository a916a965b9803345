	.section .note.GNU-stack, "", @progbits
/* The Multiboot v1 entry: 32-bit protected mode, paging off. kmain(magic, info). */
#include "layout.h"

#include "multiboot_header.inc"

	.section .text.boot, "ax"
	.globl entry32
entry32:
	cli
	movl $boot_stack_top, %esp
	lgdt gdt_ptr
	ljmp $SEL_KCODE, $1f
1:	movw $SEL_KDATA, %cx
	movw %cx, %ds
	movw %cx, %es
	movw %cx, %ss
	xorl %ecx, %ecx
	movw %cx, %fs
	movw %cx, %gs
	pushl %ebx
	pushl %eax
	call kmain
2:	hlt
	jmp 2b

	.section .data
	.align 16
	.globl gdt
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff    /* 0x08 kernel code */
	.quad 0x00cf92000000ffff    /* 0x10 kernel data */
	.quad 0x00cffa000000ffff    /* 0x18 user code */
	.quad 0x00cff2000000ffff    /* 0x20 user data */
	.quad 0                     /* 0x28 TSS, filled by trap.c */
gdt_end:
	.globl gdt_ptr
gdt_ptr:
	.word gdt_end - gdt - 1
	.long gdt

	.section .bss
	.align 16
boot_stack:	.skip STACK_SIZE
	.globl boot_stack_top
boot_stack_top:
