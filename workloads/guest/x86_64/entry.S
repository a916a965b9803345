	.section .note.GNU-stack, "", @progbits
/* Interrupt, exception and system-call entry, and the way into and out of ring 3.
 * Every return to a lower privilege level (and every iret) jumps through pv_ops. */
#include "layout.h"

#define PV_IRET   (pv + PV_OFF_IRET)(%rip)
#define PV_SYSRET (pv + PV_OFF_SYSRET)(%rip)

	.text
.macro TRAP_NOERR vec
	.align 16
trap_\vec:
	pushq $0
	pushq $\vec
	jmp trap_common
.endm
.macro TRAP_ERR vec
	.align 16
trap_\vec:
	pushq $\vec
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
	.align 8
	.globl trap_stubs
trap_stubs:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad trap_\v
	.endr
	.globl trap_stub_timer, trap_stub_spurious
trap_stub_timer:	.quad trap_64
trap_stub_spurious:	.quad trap_255

	.text
trap_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %rdi
	cld
	call trap_dispatch
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp
	jmp *PV_IRET

/* The null system call touches nothing but eax, so the round trip is entry + return. */
	.globl int80_entry
int80_entry:
	cmpl $SYS_EXIT, %eax
	je user_exit
	jmp *PV_IRET

	.globl syscall_entry
syscall_entry:
	cmpl $SYS_EXIT, %eax
	je user_exit
	jmp *PV_SYSRET

/* user_run(rip, rsp, arg): enter ring 3 at rip with rdi = arg; returns on SYS_EXIT. */
	.globl user_run
user_run:
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, user_saved_rsp(%rip)
	pushq $(SEL_UDATA | 3)
	pushq %rsi
	pushq $0x202
	pushq $(SEL_UCODE | 3)
	pushq %rdi
	movq %rdx, %rdi
	jmp *PV_IRET

user_exit:
	movq user_saved_rsp(%rip), %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
	ret

	.globl native_iret, native_sysret
native_iret:
	iretq
native_sysret:
	sysretq

	.bss
	.align 8
user_saved_rsp: .quad 0
