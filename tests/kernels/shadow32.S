/* Shadow-paging coherence (32-bit paging; PAE with -DPAE), what a shadow MMU must get
 * right and a soft TLB gets for free: a not-present entry made present with no invlpg;
 * A and D set as the architecture sets them (a read A, a write D, D again after the
 * kernel clears it); CR0.WP off and on; a page table also mapped as data and written
 * through that mapping; a page directory that maps itself, read and written through
 * the self-map; a page-table frame freed, reused as data and made a page table again;
 * code rewritten through a second mapping of its frame. Every check runs in four passes,
 * so that the later ones run translated (bt translates a block the second time it runs)
 * on whatever the earlier passes left in the shadow. Linked flat at 0x100020. */
#include "flat32.inc"
#include "expect32.inc"
#ifdef PAE
#define ESZ 8
#define NPTE 512
#define REGION 0x200000              /* what one directory entry maps */
#define T 0x1c0000
#else
#define ESZ 4
#define NPTE 1024
#define REGION 0x400000
#define T 0x300000
#endif
#define FRAME_A (T + 0x10000)        /* frames whose first word says which they are */
#define FRAME_B (T + 0x11000)
#define DATA_VA (T + 0x12000)        /* pt2's frame as data */
#define ALIAS   (T + 0x13000)        /* pt's frame as data */
#define CODE_X  (T + 0x14000)        /* a page of code (identity) */
#define CODE_Y  (T + 0x15000)        /* the same frame, mapped for writing */
#define SELF    REGION               /* directory entry 1 maps the directory itself */
#define FAR     (2 * REGION)         /* directory entry 2: pt2 */
#define PTE(va) (pt + ((va) >> 12) * ESZ)
#define MARK_A  0xaaaa0001
#define MARK_B  0xbbbb0002

/* entry = value (and a zero high half under PAE); a word read from va must be want */
#ifdef PAE
#define SET_ENTRY(at, value) movl $(value), at; movl $0, 4 + at
#else
#define SET_ENTRY(at, value) movl $(value), at
#endif
#define READS(va, want) movl va, %eax; cmpl $(want), %eax; jne bad
/* pt2 as the table of directory entry 2, mapping frame to FAR: read there, then unlinked */
#define THROUGH_PT2(frame, mark) SET_ENTRY(pt2, frame | 3); SET_ENTRY(pd + 2 * ESZ, pt2 + 3); READS(FAR, mark); \
	SET_ENTRY(pd + 2 * ESZ, 0); invlpg FAR

	install_handlers
	identity_table pt, NPTE, ESZ, 3
#ifdef PAE
	movl $pd + 1, pdpt
	movl $pt + 3, pd
	movl $pd + 3, pd + ESZ                  /* the self-map */
	paging_on 0x20, pdpt, 0x80010000        /* PAE; PG WP */
#else
	movl $pt + 3, pd
	movl $pd + 3, pd + ESZ
	paging_on 0x10, pd, 0x80010000          /* PSE; PG WP */
#endif
	movl $MARK_A, FRAME_A
	movl $MARK_B, FRAME_B
	movl $4, passes
pass_again:
	movl $T, %ebx

	/* not present, then present without an invlpg: a not-present entry is never cached */
	SET_ENTRY(PTE(T), 0)
	invlpg (%ebx)
	expect 14, 0, movl (%ebx), %ecx
	SET_ENTRY(PTE(T), FRAME_A | 3)
	READS(T, MARK_A)
	/* a new frame behind the page, after invlpg */
	SET_ENTRY(PTE(T), FRAME_B | 3)
	invlpg (%ebx)
	READS(T, MARK_B)

	/* a true fault from translated code, again and again: precise, CR2 and all */
	SET_ENTRY(PTE(T), 0)
	invlpg (%ebx)
	movl $3, %esi
3:	expect 14, 0, movl (%ebx), %ecx
	cmpl $T, got_cr2
	jne bad
	decl %esi
	jnz 3b

	/* A on a read, D on the first write, D again once cleared */
	SET_ENTRY(PTE(T), FRAME_A | 3)
	invlpg (%ebx)
	READS(T, MARK_A)
	cmpl $FRAME_A | 0x23, PTE(T)
	jne bad
	movl $MARK_A, (%ebx)
	cmpl $FRAME_A | 0x63, PTE(T)
	jne bad
	SET_ENTRY(PTE(T), FRAME_A | 0x23)
	invlpg (%ebx)
	movl $MARK_A, (%ebx)
	cmpl $FRAME_A | 0x63, PTE(T)
	jne bad

	/* a read-only page: WP on faults a supervisor write, WP off lets it through */
	SET_ENTRY(PTE(T), FRAME_A | 1)
	invlpg (%ebx)
	expect 14, 3, movl $MARK_A, (%ebx)
	movl %cr0, %eax
	andl $~0x10000, %eax
	movl %eax, %cr0
	no_fault movl $MARK_A, (%ebx)
	cmpl $FRAME_A | 0x61, PTE(T)
	jne bad
	movl %cr0, %eax
	orl $0x10000, %eax
	movl %eax, %cr0
	expect 14, 3, movl $MARK_A, (%ebx)

	/* the page table mapped as data: written there, seen by the next walk after invlpg */
	SET_ENTRY(PTE(ALIAS), pt + 3)
	invlpg ALIAS
	movl $FRAME_B | 3, ALIAS + (T >> 12) * ESZ
	invlpg (%ebx)
	READS(T, MARK_B)
	READS(ALIAS + (T >> 12) * ESZ, FRAME_B | 0x23)

	/* the self-map: SELF + i * 4096 maps what directory entry i points at, so the page
	 * table is at SELF and the directory at SELF + 4096 */
	READS(SELF + (T >> 12) * ESZ, FRAME_B | 0x23)
	movl $FRAME_A | 3, SELF + (T >> 12) * ESZ
	invlpg (%ebx)
	READS(T, MARK_A)
	movl SELF + 4096 + 2 * ESZ, %eax        /* directory entry 2, as data */
	cmpl $0, %eax
	jne bad

	/* a page-table frame: used, freed, reused as data, a page table again */
	THROUGH_PT2(FRAME_A, MARK_A)
	expect 14, 0, movl FAR, %ecx
	SET_ENTRY(PTE(DATA_VA), pt2 + 3)
	invlpg DATA_VA
	movl $DATA_VA, %edi
	movl $1024, %ecx
1:	movl %ecx, -4(%edi, %ecx, 4)            /* data all over it */
	loop 1b
	READS(DATA_VA + 4092, 1024)
	movl $DATA_VA, %edi
	xorl %eax, %eax
	movl $1024, %ecx
	cld
	rep stosl
	THROUGH_PT2(FRAME_B, MARK_B)

	/* code rewritten through another mapping of its frame */
	SET_ENTRY(PTE(CODE_Y), CODE_X + 3)
	invlpg CODE_Y
	movl $0x000001b8, CODE_Y                /* mov $1, %eax; ret */
	movl $0x9090c300, CODE_Y + 4
	movl $3, %esi
2:	call CODE_X
	cmpl $1, %eax
	jne bad
	decl %esi
	jnz 2b
	movb $2, CODE_Y + 1
	call CODE_X
	cmpl $2, %eax
	jne bad

	decl passes
	jnz pass_again
	pass

	gdt_begin
	gdt_finish
	.align 4096                             /* data on pages of its own: no code is rewritten */
	expect_data
passes:	.long 0
	.align 4096
#ifdef PAE
pdpt:	.fill 4, 8, 0
	.align 4096
#endif
pd:	.fill 1024, 4, 0
pt:	.fill 1024, 4, 0
pt2:	.fill 1024, 4, 0
