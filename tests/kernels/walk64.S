/* 4-level page walks, from a Multiboot (32-bit) start into long mode, at CPL 0 and CPL 3:
 * the U/S x R/W x NX x WP x CPL matrix (no SMEP or SMAP here: the supervisor may read
 * and run user pages) with its error codes (P, W, U, I), the accessed and dirty bits only
 * on success, and reserved bits (PS in a PML4E, address bits above the physical width)
 * as P and RSVD; LTR refuses a busy TSS and a non-canonical base. Ring 3 runs the instruction under test in place (the image is mapped
 * user) and comes back through int $0x80; a fault from ring 3 returns to the kernel's
 * saved stack. Linked flat at 0x100020. */
#include "flat32.inc"
#include "expect32.inc"
#define T 0x1c0000
#define PTE_T (pt + (T >> 12) * 8)
#define NX 0x80000000                       /* bit 63, in the entry's high dword */

	/* identity map of the first 2 MiB in 4 KiB user pages; PAE, NXE, LME, paging */
	identity_table pt, 512, 8, 7
	movl $pdpt + 7, pml4
	movl $pd + 7, pdpt
	movl $pt + 7, pd
	movl $0xc0000080, %ecx
	rdmsr
	orl $0x900, %eax                    /* LME NXE */
	wrmsr
	paging_on 0x20, pml4, 0x80010000    /* PAE; PG WP */
	ljmp $0x18, $long64

	.code64
.macro gate64 vec, handler, attr
	movl $\handler, %eax
	movw %ax, idt64 + \vec * 16
	movw $0x18, idt64 + \vec * 16 + 2
	movw $\attr, idt64 + \vec * 16 + 4
	shrl $16, %eax
	movw %ax, idt64 + \vec * 16 + 6
	movl $0, idt64 + \vec * 16 + 8
.endm

/* insn at CPL 3, then int $0x80 (vector 0x80, error 0: it went through) or the fault */
.macro user_expect vec, err, insn:vararg
	incl check
	movl $1f, resume
	movl $0xffffffff, got_vec
	movq %rsp, saved_rsp
	pushq $0x23
	pushq $user_stack_top
	pushq $0x2
	pushq $0x2b
	pushq $3f
	iretq
3:	\insn
	int $0x80
1:	cmpl $\vec, got_vec
	jne bad
	cmpl $\err, got_err
	jne bad
.endm

long64:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movq $kstack_top, %rsp
	gate64 6, exc_ud, 0x8e00
	gate64 13, exc_gp, 0x8e00
	gate64 14, exc_pf, 0x8e00
	gate64 0x80, back, 0xee00
	lidt idtr64
	movl $tss, %eax                     /* the TSS descriptor's base; RSP0 */
	movw %ax, gdt + 0x30 + 2
	shrl $16, %eax
	movb %al, gdt + 0x30 + 4
	movb %ah, gdt + 0x30 + 7
	movq $kstack_top, tss + 4
	movw $0x30, %ax
	ltr %ax
	/* LTR: a busy TSS (this one, now) and a non-canonical base are #GP(sel) */
	movw $0x30, %ax
	expect 13, 0x30, ltr %ax
#ifndef QEMU_TCG /* TCG loads it (KVM on this host's CPU refuses it, as the SDM) */
	movl $0x80000000, gdt + 0x40 + 8    /* base bits 63:32 of a copy at 0x40 */
	movw $0x40, %ax
	expect 13, 0x40, ltr %ax
#endif
	movl $T, %ebx

	/* supervisor: a write to a read-only user page faults (P W) and sets neither A nor
	 * D; a read sets A */
	movl $T | 5, PTE_T
	invlpg (%rbx)
	expect 14, 3, movl $1, (%rbx)
	cmpl $T | 5, PTE_T
	jne bad
	no_fault movl (%rbx), %ecx
	cmpl $T | 0x25, PTE_T
	jne bad
	/* user: the same write faults with U too and sets no D */
	user_expect 14, 7, movl $1, (%rbx)
	cmpl $T | 0x25, PTE_T
	jne bad
	/* user: a supervisor page (P U), a not-present one (U), an NX fetch (P U I) */
	movl $T | 3, PTE_T
	invlpg (%rbx)
	user_expect 14, 5, movl (%rbx), %ecx
	movl $T | 4, PTE_T
	invlpg (%rbx)
	user_expect 14, 4, movl (%rbx), %ecx
	movl $T | 7, PTE_T
	movl $NX, PTE_T + 4
	invlpg (%rbx)
	movb $0xc3, T                       /* ret, for the fetches below */
	user_expect 14, 0x15, call *%rbx
	/* user: read and write a user page, A then D */
	movl $T | 7, PTE_T
	movl $0, PTE_T + 4
	invlpg (%rbx)
	user_expect 0x80, 0, movl (%rbx), %ecx
	cmpl $T | 0x27, PTE_T
	jne bad
	user_expect 0x80, 0, movl $2, 8(%rbx)
	cmpl $T | 0x67, PTE_T
	jne bad
	/* supervisor: runs a user page (no SMEP) */
	movb $0xc3, T
	no_fault call *%rbx
	/* reserved: PS in a PML4E; bit 51 of a PTE */
	movl $pdpt + 0x87, pml4 + 8
	movabsq $0x8000000000, %rbx
	expect 14, PF_RSVD_P, movl (%rbx), %ecx
	movl $T, %ebx
	movl $T | 7, PTE_T
	movl $0x80000, PTE_T + 4
	invlpg (%rbx)
	expect 14, PF_RSVD_P, movl (%rbx), %ecx
	pass

exc_ud:	pushq $0
	pushq $6
	jmp exc64
exc_gp:	pushq $13
	jmp exc64
exc_pf:	pushq $14
	jmp exc64
back:	pushq $0
	pushq $0x80
exc64:	popq got_vec
	popq got_err
	movq %cr2, %rax
	movq %rax, got_cr2
	movq (%rsp), %rax
	movq %rax, got_eip
	testb $3, 8(%rsp)
	jnz 1f
	movq resume, %rax
	movq %rax, (%rsp)
	iretq
1:	movq saved_rsp, %rsp                /* from ring 3: back to the kernel's stack */
	jmp *resume

	gdt_begin
	.quad 0x00af9a000000ffff   /* 0x18 ring-0 code, 64-bit */
	.quad 0x00cff2000000ffff   /* 0x20 ring-3 data */
	.quad 0x00affa000000ffff   /* 0x28 ring-3 code, 64-bit */
	.quad 0x0000890000000067, 0 /* 0x30 the TSS (base filled in) */
	.quad 0x0000890000000067, 0 /* 0x40 one whose base is made non-canonical */
	gdt_finish
idtr64:	.word 256 * 16 - 1
	.quad idt64
	.align 8
resume:	.quad 0
saved_rsp: .quad 0
check:	.quad 0
got_vec: .quad 0
got_err: .quad 0
got_eip: .quad 0
got_cr2: .quad 0
tss:	.fill 104, 1, 0
	.align 16
	.fill 1024, 1, 0
user_stack_top:
	.fill 1024, 1, 0
kstack_top:
	.align 4096
idt64:	.fill 512, 8, 0
pml4:	.fill 512, 8, 0
pdpt:	.fill 512, 8, 0
pd:	.fill 512, 8, 0
pt:	.fill 512, 8, 0
