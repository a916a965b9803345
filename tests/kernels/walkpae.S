/* PAE page walks with EFER.NXE at CPL 0: a fetch from an NX page is #PF with P and I, a
 * fetch from a not-present page I alone (reads never I); address bits above the
 * physical-address width (bit 50), bit 13 of a 2 MiB PDE and, with NXE clear, the NX
 * bit are reserved (P and RSVD); a write to a read-only 2 MiB page sets neither A nor D.
 * Linked flat at 0x100020. */
#include "flat32.inc"
#include "expect32.inc"
#define T 0x1c0000
#define PTE_T (pt + (T >> 12) * 8)
	install_handlers
	identity_table pt, 512, 8, 3
	movl $pd + 1, pdpt
	movl $pt + 3, pd
	nxe_on
	paging_on 0x20, pdpt, 0x80010000     /* PAE; PG WP */
	movl $T, %ebx

	/* NX: the fetch faults with P and I; a read is fine and sets A */
	movl $0x80000000, PTE_T + 4
	invlpg (%ebx)
	expect 14, 0x11, jmp *%ebx
	cmpl $T, got_eip
	jne bad
	no_fault movl (%ebx), %ecx
	cmpl $T | 0x23, PTE_T
	jne bad
	/* not present: a read 0, a fetch I */
	movl $T, PTE_T
	movl $0, PTE_T + 4
	invlpg (%ebx)
	expect 14, 0, movl (%ebx), %ecx
	expect 14, 0x10, jmp *%ebx
	/* bit 50: above any physical-address width */
	movl $T | 3, PTE_T
	movl $0x40000, PTE_T + 4
	invlpg (%ebx)
	expect 14, PF_RSVD_P, movl (%ebx), %ecx
	movl $0, PTE_T + 4
	invlpg (%ebx)
	no_fault movl (%ebx), %ecx
	/* a 2 MiB page: bit 13 reserved; read-only, the write sets neither A nor D */
	movl $0x200000 | 0x2083, pd + 8
	movl $0x200000, %ebx
	expect 14, PF_RSVD_P, movl (%ebx), %ecx
	movl $0x200081, pd + 8
	invlpg (%ebx)
	expect 14, 3, movl $1, (%ebx)
	cmpl $0x200081, pd + 8
	jne bad
	no_fault movl (%ebx), %ecx
	cmpl $0x2000a1, pd + 8
	jne bad
	/* NXE clear: the NX bit is reserved */
	movl $0xc0000080, %ecx
	rdmsr
	andl $~0x800, %eax
	wrmsr
	movl $T, %ebx
	movl $0x80000000, PTE_T + 4
	invlpg (%ebx)
	expect 14, PF_RSVD_P, movl (%ebx), %ecx
	pass

	gdt_begin
	gdt_finish
	expect_data
	.align 4096
pdpt:	.fill 4, 8, 0
	.align 4096
pd:	.fill 512, 8, 0
pt:	.fill 512, 8, 0
