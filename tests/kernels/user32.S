/* The page-access matrix at CPL 3 and CPL 0 (32-bit paging; PAE with NX with -DPAE), what
 * a shadow MMU's user and supervisor views must each get right: ring 3 reads and writes
 * four pages, U/S x R/W, and gets #PF with P, W and U exactly where the SDM says; ring 0
 * reads all four, writes the read-only user page only with CR0.WP clear; under PAE ring 3
 * fetching from an NX page is #PF with I. Four passes, so that the later ones run
 * translated. Linked flat at 0x100020. */
#include "flat32.inc"
#include "expect32.inc"
#ifdef PAE
#define ESZ 8
#define NPTE 512
#else
#define ESZ 4
#define NPTE 1024
#endif
#define T 0x1c0000
#define PAGE(k) (T + (k) * 0x1000)    /* 0: supervisor RO, 1: supervisor RW, 2: user RO, 3: user RW */
#define NXPAGE PAGE(4)
#define PTE(va) (pt + ((va) >> 12) * ESZ)
#define PF 14
#define SET(at, v) movl $(v), at
/* a ring-3 or ring-0 access that faults with err, or not at all */
#define RD(k, err) expect PF, err, movl PAGE(k), %ecx
#define WR(k, err) expect PF, err, movl $1, PAGE(k)
#define RD_OK(k) no_fault movl PAGE(k), %ecx
#define WR_OK(k) no_fault movl $1, PAGE(k)

	install_handlers
	/* everything user-accessible and writable (ring 3 runs this code and keeps its
	 * check variables), but the four test pages */
	identity_table pt, NPTE, ESZ, 7
	SET(PTE(PAGE(0)), PAGE(0) | 1)
	SET(PTE(PAGE(1)), PAGE(1) | 3)
	SET(PTE(PAGE(2)), PAGE(2) | 5)
	SET(PTE(PAGE(3)), PAGE(3) | 7)
	movb $0xc3, NXPAGE                      /* ret */
#ifdef PAE
	movl $0x80000000, PTE(NXPAGE) + 4       /* NX */
	movl $pd + 1, pdpt
	movl $pt + 7, pd
	nxe_on
	paging_on 0x20, pdpt, 0x80010000        /* PAE; PG WP */
#else
	movl $pt + 7, pd
	paging_on 0x10, pd, 0x80010000          /* PSE; PG WP */
#endif
	/* the TSS's ring-0 stack, for faults from ring 3; int 0x80 comes back to ring 0 */
	load_tss tss, kstack_top
	set_gate 0x80, back_to_ring0, 0xee00
	movl $4, passes

pass_again:
	/* ring 0: every page readable; the read-only ones written only with WP clear */
	RD_OK(0)
	RD_OK(1)
	RD_OK(2)
	RD_OK(3)
	WR(0, 3)
	WR_OK(1)
	WR(2, 3)
	WR_OK(3)
	movl %cr0, %eax
	andl $~0x10000, %eax
	movl %eax, %cr0
	WR_OK(0)
	WR_OK(2)
	movl %cr0, %eax
	orl $0x10000, %eax
	movl %eax, %cr0

	/* ring 3, IOPL 3 (so that a failed check can still report on the debug port) */
	movl %esp, kernel_esp
	pushl $0x23
	pushl $ustack_top
	pushl $0x3002
	pushl $0x1b
	pushl $ring3
	iret
ring3:
	movw $0x23, %ax
	movw %ax, %ds
	movw %ax, %es
	RD(0, 5)
	RD(1, 5)
	RD_OK(2)
	RD_OK(3)
	WR(0, 7)
	WR(1, 7)
	WR(2, 7)
	WR_OK(3)
#ifdef PAE
	expect PF, 0x15, call NXPAGE
	cmpl $NXPAGE, got_eip
	jne bad
#endif
	int $0x80
back_to_ring0:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movl kernel_esp, %esp
	decl passes
	jnz pass_again
	pass

	gdt_begin
	.quad 0x00cffa000000ffff   /* 0x18 ring-3 code */
	.quad 0x00cff2000000ffff   /* 0x20 ring-3 data */
	.quad 0x0000890000000067   /* 0x28 TSS, base filled in */
	gdt_finish
	.align 4096                             /* data on pages of its own: no code is rewritten */
	expect_data
passes:	.long 0
kernel_esp: .long 0
tss:	.fill 104, 1, 0
	.fill 1024, 1, 0
ustack_top:
	.align 4096
#ifdef PAE
pdpt:	.fill 4, 8, 0
	.align 4096
#endif
pd:	.fill 1024, 4, 0
pt:	.fill 1024, 4, 0
