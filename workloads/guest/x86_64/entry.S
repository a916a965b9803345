	.section .note.GNU-stack, "", @progbits
/* Interrupt, exception and system-call entry, and the way into and out of ring 3.
 * Every return to a lower privilege level (and every iret) jumps through pv_ops. */
#include "layout.h"

#define PV_IRET   (pv + PV_OFF_IRET)(%rip)
#define PV_SYSRET (pv + PV_OFF_SYSRET)(%rip)

	.text
#include "trap_stubs.inc"

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

	.globl native_iret, native_fast_return
native_iret:
	iretq
native_fast_return:
	sysretq

	.bss
	.align 8
user_saved_rsp: .quad 0
