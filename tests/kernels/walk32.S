/* 32-bit (non-PAE) page walks at CPL 0: a fault sets no accessed or dirty bit (the
 * permission check comes first); a read sets A, a write A and D; CR0.WP decides whether
 * a supervisor write to a read-only page faults; error codes (P, W; never I in 32-bit
 * paging); a 4 MiB page's reserved bit 21 is a #PF with RSVD. Linked flat at 0x100020. */
#include "flat32.inc"
#include "expect32.inc"
#define T 0x300000
#define PTE_T (pt + (T >> 12) * 4)
	install_handlers
	identity_table pt, 1024, 4, 3
	movl $pt + 3, pd
	paging_on 0x10, pd, 0x80010000       /* PSE; PG WP */
	movl $T, %ebx

	/* a write to a read-only page: #PF (P W), no A, no D */
	movl $T | 1, PTE_T
	invlpg (%ebx)
	expect 14, 3, movl $1, (%ebx)
	cmpl $T, got_cr2
	jne bad
	cmpl $T | 1, PTE_T
	jne bad
	/* a read sets A alone */
	no_fault movl (%ebx), %ecx
	cmpl $T | 0x21, PTE_T
	jne bad
	/* with CR0.WP clear the supervisor write goes through and sets D */
	movl %cr0, %eax
	andl $~0x10000, %eax
	movl %eax, %cr0
	no_fault movl $2, (%ebx)
	cmpl $T | 0x61, PTE_T
	jne bad
	movl %cr0, %eax
	orl $0x10000, %eax
	movl %eax, %cr0
	/* not present: reads 0, writes W, fetches 0 (no I without PAE's NX) */
	movl $T, PTE_T
	invlpg (%ebx)
	expect 14, 0, movl (%ebx), %ecx
	expect 14, 2, movl $1, (%ebx)
	expect 14, 0, jmp *%ebx
	cmpl $T, got_eip
	jne bad
	/* a read-only 4 MiB page: the write faults and sets neither A nor D; a read sets A */
	movl $0x800081, pd + 2 * 4
	movl $0x800010, %ebx
	expect 14, 3, movl $1, (%ebx)
	cmpl $0x800081, pd + 2 * 4
	jne bad
	no_fault movl (%ebx), %ecx
	cmpl $0x8000a1, pd + 2 * 4
	jne bad
	/* bit 21 of a 4 MiB PDE is reserved: P and RSVD */
	movl $0xc00083 | 0x200000, pd + 3 * 4
	movl $0xc00000, %ebx
	expect 14, PF_RSVD_P, movl (%ebx), %ecx
	expect 14, PF_RSVD_P | 2, movl $1, (%ebx)
	pass

	gdt_begin
	gdt_finish
	expect_data
	.align 4096
pd:	.fill 1024, 4, 0
pt:	.fill 1024, 4, 0
