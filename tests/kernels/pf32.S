/* A 32-bit protected-mode kernel with 32-bit (non-PAE) paging whose #PF handler, an
 * entry stub in Linux's style (pushal, a call, popal), sets the present bit of the
 * faulting page's entry, invalidates it and returns (same privilege, interrupt gate): the
 * faulting access must then complete. The handler checks the error code and CR2. Faults:
 * a store to a not-present PTE (error code 2), a store to a not-present 4 MiB page
 * (CR4.PSE), a call into a not-present code page (an instruction fetch: 0). Debug-exit
 * 0x31 when all is right, 0x30 when not. Linked flat at 0x100020 (after a Multiboot
 * header). */
#include "flat32.inc"

	/* IDT[14]: 32-bit interrupt gate, DPL 0, to pf */
	set_gate 14, pf, 0x8e00
	lidt idtr

	/* PD[0] -> pt (identity 0-4 MiB, present, writable); the page at 0x300000 starts not
	 * present. PD[2] is a 4 MiB page at 8 MiB, not present yet. */
	identity_table pt, 1024, 4, 3
	andl $~1, pt + (0x300000 >> 12) * 4
	movl $pt + 3, pd
	movl $0x800082, pd + 2 * 4         /* PS, writable, not present */

	paging_on 0x10, pd, 0x80000000       /* PSE; PG */

	movl $0x300010, %ebx
	movl $2, %esi
	movl $0x12345678, (%ebx)            /* #PF, fixed, retried */
	cmpl $0x12345678, (%ebx)
	jne bad
	cmpl $1, faults
	jne bad

	movl $0x812340, %ebx
	movl $0x9abcdef0, (%ebx)            /* #PF on the 4 MiB page */
	cmpl $0x9abcdef0, (%ebx)
	jne bad
	cmpl $2, faults
	jne bad

	movl $code_page, %ebx
	movl %ebx, %eax
	shrl $12, %eax
	andl $~1, pt(,%eax,4)
	invlpg (%ebx)
	xorl %esi, %esi
	xorl %ecx, %ecx
	call code_page                      /* #PF on the fetch */
	cmpl $0x55, %ecx
	jne bad
	cmpl $3, faults
	jne bad
	movb $0x31, %al
	outb %al, $0xf4
	hlt

pf:
	pushal
	cld
	call pf_fix
	popal
	addl $4, %esp                       /* drop the error code */
	iret

pf_fix:
	cmpl %esi, 36(%esp)                 /* error code, above pushal and the return */
	jne bad
	movl %cr2, %eax
	cmpl %ebx, %eax
	jne bad
	incl faults
	shrl $22, %eax
	testl $0x80, pd(,%eax,4)
	jz 3f
	orl $1, pd(,%eax,4)                 /* the 4 MiB page */
	jmp 4f
3:	movl %cr2, %eax
	shrl $12, %eax
	andl $0x3ff, %eax
	orl $1, pt(,%eax,4)
4:	movl %cr2, %eax
	invlpg (%eax)
	ret

bad:
	movb $0x30, %al
	outb %al, $0xf4
	hlt

	gdt_begin
	gdt_finish
idtr:	.word 256 * 8 - 1
	.long idt
faults:	.long 0
	.align 8
idt:	.fill 256, 8, 0
	.fill 1024, 1, 0
kstack_top:
	.align 4096
pd:	.fill 1024, 4, 0
pt:	.fill 1024, 4, 0
code_page:
	movl $0x55, %ecx
	ret
	.align 4096
