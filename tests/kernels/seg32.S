/* Segment loads in 32-bit protected mode, as the SDM's MOV and POP: a null SS is #GP(0);
 * SS needs RPL = CPL = DPL and a writable data segment (#GP(sel)), present (#SS(sel));
 * DS needs a data or readable code segment (#GP(sel)), RPL and CPL at most its DPL
 * unless conforming code (#GP(sel)), present (#NP(sel)); null DS is fine. Linked flat
 * at 0x100020. */
#include "flat32.inc"
#include "expect32.inc"
	install_handlers
	movw $0, %ax
	expect 13, 0, movw %ax, %ss
	movw $3, %ax
	expect 13, 0, movw %ax, %ss
	movw $0x13, %ax
	expect 13, 0x10, movw %ax, %ss     /* RPL 3 */
	movw $0x18, %ax
	expect 13, 0x18, movw %ax, %ss     /* DPL 3 data */
	movw $0x20, %ax
	expect 13, 0x20, movw %ax, %ss     /* read-only data */
	movw $0x28, %ax
	expect 12, 0x28, movw %ax, %ss     /* not present */
	movw $0x08, %ax
	expect 13, 0x08, movw %ax, %ss     /* code */
	pushl $0x13
	expect 13, 0x10, popl %ss
	addl $4, %esp
	movw $0x10, %ax
	no_fault movw %ax, %ss
	movw $0x13, %ax
	expect 13, 0x10, movw %ax, %ds     /* RPL 3 > DPL 0 */
	movw $0x1b, %ax
	no_fault movw %ax, %ds             /* RPL 3, DPL 3 */
	movw $0x28, %ax
	expect 11, 0x28, movw %ax, %es     /* not present */
	movw $0x30, %ax
	expect 13, 0x30, movw %ax, %fs     /* execute-only code */
	movw $0x38, %ax
	no_fault movw %ax, %gs             /* readable code */
	movw $0x40, %ax
	expect 13, 0x40, movw %ax, %ds     /* a system descriptor (LDT) */
	movw $0x1000, %ax
	expect 13, 0x1000, movw %ax, %ds /* beyond the GDT's limit */
	movw $0, %ax
	no_fault movw %ax, %ds                /* null */
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	pass

	gdt_begin
	.quad 0x00cff2000000ffff   /* 0x18 ring-3 data */
	.quad 0x00cf90000000ffff   /* 0x20 ring-0 read-only data */
	.quad 0x00cf12000000ffff   /* 0x28 ring-0 data, not present */
	.quad 0x00cf98000000ffff   /* 0x30 ring-0 execute-only code */
	.quad 0x00cf9a000000ffff   /* 0x38 ring-0 readable code */
	.quad 0x0000820000000000   /* 0x40 an LDT descriptor */
	gdt_finish
	expect_data
