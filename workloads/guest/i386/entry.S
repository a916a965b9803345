	.section .note.GNU-stack, "", @progbits
/* Interrupt, exception and system-call entry, and the way into and out of ring 3.
 * Every return to a lower privilege level (and every iret) jumps through pv_ops. */
#include "layout.h"

#define PV_IRET   pv + PV_OFF_IRET
#define PV_SYSRET pv + PV_OFF_SYSRET

	.text
#include "trap_stubs.inc"

	.text
trap_common:
	pushal
	movl %esp, %eax
	cld
	pushl %eax
	call trap_dispatch
	addl $4, %esp
	popal
	addl $8, %esp
	jmp *PV_IRET

/* The null system call touches nothing but eax, so the round trip is entry + return. */
	.globl int80_entry
int80_entry:
	cmpl $SYS_EXIT, %eax
	je user_exit
	jmp *PV_IRET

/* sysenter: esp is SYSENTER_ESP, IF clear; back to the user's fixed return point with
 * its stack in ebp */
	.globl sysenter_entry
sysenter_entry:
	cmpl $SYS_EXIT, %eax
	je user_exit
	movl sysenter_return, %edx
	movl %ebp, %ecx
	jmp *PV_SYSRET

/* user_run(pc, sp, arg): enter ring 3 at pc with [sp - 4] = arg under a null return
 * address; returns on SYS_EXIT. */
	.globl user_run
user_run:
	pushl %ebx
	pushl %ebp
	pushl %esi
	pushl %edi
	movl %esp, user_saved_esp
	movl 20(%esp), %ecx        /* pc */
	movl 24(%esp), %edx        /* sp */
	movl 28(%esp), %eax        /* arg */
	movl %eax, -4(%edx)
	movl $0, -8(%edx)
	subl $8, %edx
	pushl $(SEL_UDATA | 3)
	pushl %edx
	pushl $0x202
	pushl $(SEL_UCODE | 3)
	pushl %ecx
	movw $(SEL_UDATA | 3), %ax
	movw %ax, %ds
	movw %ax, %es
	jmp *PV_IRET

user_exit:
	movw $SEL_KDATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movl user_saved_esp, %esp
	popl %edi
	popl %esi
	popl %ebp
	popl %ebx
	ret

	.globl native_iret, native_fast_return
native_iret:
	iret
/* sti's shadow covers sysexit: no interrupt in between, IF set again in ring 3 */
native_fast_return:
	sti
	sysexit

	.bss
	.align 4
user_saved_esp: .long 0
	.globl sysenter_return
sysenter_return: .long 0
