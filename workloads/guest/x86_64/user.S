	.section .note.GNU-stack, "", @progbits
/* Ring-3 code, mapped user-accessible by mm.c. rdi = number of null calls (>= 1). */
#include "layout.h"

	.section .user, "ax"
	.globl user_int80_loop
user_int80_loop:
1:	xorl %eax, %eax
	int $VEC_SYSCALL
	decq %rdi
	jnz 1b
	movl $SYS_EXIT, %eax
	int $VEC_SYSCALL
	ud2

	.globl user_syscall_loop
user_syscall_loop:
1:	xorl %eax, %eax
	syscall
	decq %rdi
	jnz 1b
	movl $SYS_EXIT, %eax
	syscall
	ud2
