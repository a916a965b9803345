/* The debug architecture in 32-bit protected mode: DR6/DR7's fixed bits, DR4/DR5 as
 * DR6/DR7 with CR4.DE clear and #UD with it set, an execute breakpoint (a #DB fault at
 * the instruction, RF clear in its frame, B0-B3 in DR6) that RF from an IRET suppresses
 * for one instruction, write and read/write data breakpoints by length (a trap after the
 * access), an I/O breakpoint with CR4.DE, TF single-step (DR6.BS; not after the POPF that sets TF; held past MOV SS),
 * QEMU TCG agrees when the watched data has a page to itself. Linked flat at
 * 0x100020. */
#include "flat32.inc"
#include "expect32.inc"
	install_handlers

	/* fixed bits */
	xorl %eax, %eax
	movl %eax, %dr6
	movl %eax, %dr7
	movl %dr6, %eax
	cmpl $0xffff0ff0, %eax
	jne bad
	movl %dr7, %eax
	cmpl $0x400, %eax
	jne bad

	/* DR4/DR5 alias DR6/DR7 while CR4.DE is clear, and are #UD with it set */
	movl $0x4, %eax                     /* L1, to read back through DR5 */
	movl %eax, %dr7
	movl %dr5, %eax
	cmpl $0x404, %eax
	jne bad
	xorl %eax, %eax
	movl %eax, %dr7
	movl %cr4, %eax
	orl $0x8, %eax
	movl %eax, %cr4
	expect 6, 0, movl %dr4, %eax
	movl %cr4, %eax
	andl $~0x8, %eax
	movl %eax, %cr4

	/* execute breakpoint in DR0: a fault at the instruction, RF clear in the frame */
	movl $bp_target, %eax
	movl %eax, %dr0
	movl $0x1, %eax                     /* L0, execute, length 1 */
	movl %eax, %dr7
	expect 1, 0, jmp bp_target
	cmpl $bp_target, got_eip
	jne bad
	testl $0x10000, got_flags
	jnz bad
	movl %dr6, %eax
	testl $1, %eax
	jz bad
	/* an IRET that sets RF runs the breakpointed instruction once without a fault */
	incl check
	movl $2f, resume
	movl $0xffffffff, got_vec
	xorl %ecx, %ecx
	pushfl
	orl $0x10000, (%esp)
	pushl %cs
	pushl $bp_target
	iret
2:	cmpl $0xffffffff, got_vec
	jne bad
	cmpl $1, %ecx                       /* bp_target's incl ran */
	jne bad
	xorl %eax, %eax
	movl %eax, %dr7
	movl %eax, %dr6

	/* a write breakpoint on 4 bytes in DR2: a trap after the store; reads pass */
	movl $var, %eax
	movl %eax, %dr2
	movl $0x0d000010, %eax              /* L2, write, length 4 */
	movl %eax, %dr7
	expect 1, 0, movl $5, var
	cmpl $5, var
	jne bad
	movl %dr6, %eax
	testl $4, %eax
	jz bad
	no_fault movl var, %ebx
	no_fault movl $6, var + 4           /* the next dword */
	expect 1, 0, movw $7, var + 2       /* overlaps the watched dword */

	/* read/write on one byte at var2 + 2 in DR3: a dword read over it hits, a byte
	 * read next to it does not */
	xorl %eax, %eax
	movl %eax, %dr6
	movl $var2 + 2, %eax
	movl %eax, %dr3
	movl $0x30000040, %eax              /* L3, read/write, length 1 */
	movl %eax, %dr7
	expect 1, 0, movl var2, %ebx
	movl %dr6, %eax
	testl $8, %eax
	jz bad
	no_fault movb var2 + 3, %bl
	expect 1, 0, pushl var2
	popl %ebx
	xorl %eax, %eax
	movl %eax, %dr7
	movl %eax, %dr6

	/* with CR4.DE an I/O breakpoint (R/W 10) on port 0x80: a trap after the OUT; the
	 * next port passes */
	movl %cr4, %eax
	orl $0x8, %eax
	movl %eax, %cr4
	movl $0x80, %eax
	movl %eax, %dr0
	movl $0x20001, %eax                 /* L0, I/O, length 1 */
	movl %eax, %dr7
	expect 1, 0, outb %al, $0x80
	movl %dr6, %eax
	testl $1, %eax
	jz bad
	no_fault outb %al, $0x81
	xorl %eax, %eax
	movl %eax, %dr7
	movl %eax, %dr6
	movl %cr4, %eax
	andl $~0x8, %eax
	movl %eax, %cr4

	/* TF: no trap after the POPF that sets it, one after the next instruction, BS */
	incl check
	movl $3f, resume
	movl $0xffffffff, got_vec
	pushfl
	orl $0x100, (%esp)
	popfl
	nop
step1:	nop
3:	cmpl $1, got_vec
	jne bad
	cmpl $step1, got_eip
	jne bad
	movl %dr6, %eax
	testl $0x4000, %eax
	jz bad

	/* MOV SS holds the single-step trap past the next instruction */
	movw %ss, %ax
	incl check
	movl $4f, resume
	movl $0xffffffff, got_vec
	pushfl
	orl $0x100, (%esp)
	popfl
	movw %ax, %ss
	nop
ss_after:
	nop
4:	cmpl $1, got_vec
	jne bad
	cmpl $ss_after, got_eip
	jne bad

	pass

bp_target:
	incl %ecx
	jmp 2b

	gdt_begin
	gdt_finish
	expect_data
	.align 4096                         /* the watched data on a page of its own */
var:	.long 0, 0
var2:	.long 0x11223344
	.align 4096
