	.section .note.GNU-stack, "", @progbits
/* Entry points. Multiboot v1 (QEMU -kernel, GRUB, pvbench --format multiboot) enters
 * entry32 in 32-bit protected mode; pvbench's ELF64 loader enters entry64 in long mode.
 * Both end in kmain(magic, info). */
#include "layout.h"

#include "multiboot_header.inc"

	.section .text.boot, "ax"
	.code32
	.globl entry32
entry32:
	cli
	movl %eax, %edi             /* keep magic and info for kmain */
	movl %ebx, %esi
	movl $boot_stack_top, %esp

	/* Identity-map the low 4 GiB with 2 MiB pages, as pvbench's ELF64 loader does:
	 * kmain, which builds the real page tables, reaches devices before that (the VMI
	 * ROM's doorbell, the LAPIC) */
	movl $boot_pd, %ebx
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $21, %eax
	orl $0x83, %eax             /* present, writable, 2 MiB */
	movl %eax, (%ebx,%ecx,8)
	movl $0, 4(%ebx,%ecx,8)
	incl %ecx
	cmpl $2048, %ecx
	jne 1b
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $12, %eax
	addl $boot_pd + 3, %eax
	movl %eax, boot_pdpt(,%ecx,8)
	incl %ecx
	cmpl $4, %ecx
	jne 2b
	movl $boot_pdpt, %eax
	orl $3, %eax
	movl %eax, boot_pml4

	lgdt gdt_ptr
	movl %cr4, %eax
	orl $0x20, %eax             /* PAE */
	movl %eax, %cr4
	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx      /* EFER.LME */
	rdmsr
	orl $0x100, %eax
	wrmsr
	movl %cr0, %eax
	orl $0x80000001, %eax       /* PG | PE */
	movl %eax, %cr0
	ljmp $SEL_KCODE, $entry64_from32

	.code64
entry64_from32:
	movl %edi, %edi
	movl %esi, %esi
	/* fall through: rdi = magic, rsi = info, as the ELF64 entry */
	.globl entry64
entry64:
	cli
	lgdt gdt_ptr
	movw $SEL_KDATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorl %eax, %eax
	movw %ax, %fs
	movw %ax, %gs
	movabsq $boot_stack_top, %rsp
	pushq $SEL_KCODE
	leaq 1f(%rip), %rax
	pushq %rax
	lretq
1:	call kmain
2:	hlt
	jmp 2b

	.section .data
	.align 16
	.globl gdt
gdt:
	.quad 0
	.quad 0x00af9a000000ffff    /* 0x08 kernel code, 64-bit */
	.quad 0x00cf92000000ffff    /* 0x10 kernel data */
	.quad 0x00cffa000000ffff    /* 0x18 user code, 32-bit */
	.quad 0x00cff2000000ffff    /* 0x20 user data */
	.quad 0x00affa000000ffff    /* 0x28 user code, 64-bit */
	.quad 0, 0                  /* 0x30 TSS, filled by trap.c */
gdt_end:
	.globl gdt_ptr
gdt_ptr:
	.word gdt_end - gdt - 1
	.quad gdt

	.section .bss
	.align 4096
boot_pml4:	.skip 4096
boot_pdpt:	.skip 4096
boot_pd:	.skip 4 * 4096
	.align 16
boot_stack:	.skip STACK_SIZE
	.globl boot_stack_top
boot_stack_top:
