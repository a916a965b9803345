/* A 32-bit protected-mode kernel (no paging) that drops to ring 3 with iret and comes
 * back through an interrupt gate with int 0x80: the CPU must switch to the TSS's ring-0
 * stack and push SS, ESP, EFLAGS, CS, EIP of ring 3. Debug-exit 0x31 when the frame and
 * the stack are right, 0x30 when not. Linked flat at 0x100020 (after a Multiboot header). */
#include "flat32.inc"

	/* TSS: ring-0 stack; its descriptor's base is split, so it is filled in here */
	load_tss tss, kstack_top

	/* IDT[0x80]: 32-bit interrupt gate, DPL 3, to handler */
	set_gate 0x80, handler, 0xee00
	lidt idtr

	pushl $0x23            /* ring-3 SS */
	pushl $ustack_top
	pushl $0x2
	pushl $0x1b            /* ring-3 CS */
	pushl $user
	iret

user:
	int $0x80
	ud2

handler:
	movw %cs, %ax
	testw $3, %ax
	jnz bad
	cmpl $kstack_top - 20, %esp
	jne bad
	cmpl $after_int, (%esp)
	jne bad
	cmpl $0x1b, 4(%esp)
	jne bad
	cmpl $ustack_top, 12(%esp)
	jne bad
	cmpl $0x23, 16(%esp)
	jne bad
	movb $0x31, %al
	outb %al, $0xf4
	hlt
bad:
	movb $0x30, %al
	outb %al, $0xf4
	hlt

	.set after_int, user + 2

	gdt_begin
	.quad 0x00cffa000000ffff   /* 0x18 ring-3 code */
	.quad 0x00cff2000000ffff   /* 0x20 ring-3 data */
	.quad 0x0000890000000067   /* 0x28 TSS, base filled in */
	gdt_finish
idtr:	.word 256 * 8 - 1
	.long idt
	.align 8
idt:	.fill 256, 8, 0
tss:	.fill 104, 1, 0
	.fill 256, 1, 0
ustack_top:
	.fill 256, 1, 0
kstack_top:
