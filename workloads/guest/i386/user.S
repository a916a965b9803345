	.section .note.GNU-stack, "", @progbits
/* Ring-3 code, mapped user-accessible by mm.c. [esp + 4] = number of null calls (>= 1). */
#include "layout.h"

	.section .user, "ax"
	.globl user_int80_loop
user_int80_loop:
	movl 4(%esp), %edi
1:	xorl %eax, %eax
	int $VEC_SYSCALL
	decl %edi
	jnz 1b
	movl $SYS_EXIT, %eax
	int $VEC_SYSCALL
	ud2

/* sysenter saves nothing: the kernel returns to user_sysenter_return with esp = ebp,
 * as Linux's vDSO entry arranges it */
	.globl user_syscall_loop, user_sysenter_return
user_syscall_loop:
	movl 4(%esp), %edi
1:	xorl %eax, %eax
	movl %esp, %ebp
	sysenter
user_sysenter_return:
	decl %edi
	jnz 1b
	movl $SYS_EXIT, %eax
	movl %esp, %ebp
	sysenter
	ud2
