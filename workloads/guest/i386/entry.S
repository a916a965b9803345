	.section .note.GNU-stack, "", @progbits
/* Interrupt, exception and system-call entry, and the way into and out of ring 3.
 * Every return to a lower privilege level (and every iret) jumps through pv_ops. */
#include "layout.h"

#define PV_IRET   pv + PV_OFF_IRET
#define PV_SYSRET pv + PV_OFF_SYSRET

	.text
.macro TRAP_NOERR vec
	.align 16
trap_\vec:
	pushl $0
	pushl $\vec
	jmp trap_common
.endm
.macro TRAP_ERR vec
	.align 16
trap_\vec:
	pushl $\vec
	jmp trap_common
.endm

TRAP_NOERR 0;  TRAP_NOERR 1;  TRAP_NOERR 2;  TRAP_NOERR 3
TRAP_NOERR 4;  TRAP_NOERR 5;  TRAP_NOERR 6;  TRAP_NOERR 7
TRAP_ERR 8;    TRAP_NOERR 9;  TRAP_ERR 10;   TRAP_ERR 11
TRAP_ERR 12;   TRAP_ERR 13;   TRAP_ERR 14;   TRAP_NOERR 15
TRAP_NOERR 16; TRAP_ERR 17;   TRAP_NOERR 18; TRAP_NOERR 19
TRAP_NOERR 20; TRAP_ERR 21;   TRAP_NOERR 22; TRAP_NOERR 23
TRAP_NOERR 24; TRAP_NOERR 25; TRAP_NOERR 26; TRAP_NOERR 27
TRAP_NOERR 28; TRAP_ERR 29;   TRAP_ERR 30;   TRAP_NOERR 31
TRAP_NOERR 64; TRAP_NOERR 255

	.section .rodata
	.align 4
	.globl trap_stubs
trap_stubs:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.long trap_\v
	.endr
	.globl trap_stub_timer, trap_stub_spurious
trap_stub_timer:	.long trap_64
trap_stub_spurious:	.long trap_255

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

	.globl native_iret, native_sysexit
native_iret:
	iret
/* sti's shadow covers sysexit: no interrupt in between, IF set again in ring 3 */
native_sysexit:
	sti
	sysexit

	.bss
	.align 4
user_saved_esp: .long 0
	.globl sysenter_return
sysenter_return: .long 0
