/* expect: any -- stores of random values all over the 4 GiB above RAM: unclaimed space,
 * the LAPIC, the VMI doorbell, pvbench's own devices; whatever the guest ends as, within
 * the watchdog */
	.globl _start
_start:	movq $0x9e3779b97f4a7c15, %rbx
1:	movq %rbx, %rax                      /* xorshift64 */
	shlq $13, %rax
	xorq %rax, %rbx
	movq %rbx, %rax
	shrq $7, %rax
	xorq %rax, %rbx
	movq %rbx, %rax
	shlq $17, %rax
	xorq %rax, %rbx
	movl %ebx, %edi
	orl $0x01000000, %edi                /* at or above 16 MiB: not this code */
	andl $~7, %edi
	movq %rbx, (%rdi)
	jmp 1b
