/* What the SDM says and QEMU TCG 7.2 does not do: a fault's frame has RFLAGS.RF set
 * (every fault but #DB's, so that the return does not hit an instruction breakpoint
 * again; TCG pushes it clear), and ICEBP (F1) is INT1, a #DB trap past the instruction
 * with no DPL check (TCG raises #UD); with DR7.GD set a MOV DR is a #DB fault with
 * DR6.BD, GD cleared for the handler (TCG lets it through); an IPI with a vector below
 * 16 is an ESR error, not an interrupt (TCG delivers it); the CPU is Intel's, whose
 * SYSCALL is #UD outside 64-bit mode (TCG's default CPU is AMD's); TSC_ADJUST moves the
 * TSC; a fetch from unclaimed memory reads open bus (TCG stops). Linked flat at 0x100020. */
#include "flat32.inc"
#include "expect32.inc"
	install_handlers
	movw $0, %ax
	expect 13, 0, movw %ax, %ss
	testl $0x10000, got_flags
	jz bad
	expect 6, 0, ud2
	testl $0x10000, got_flags
	jz bad
	expect 0, 0, divl zero
	testl $0x10000, got_flags
	jz bad
	pushl $0
	expect 1, 0, .byte 0xf1             /* ICEBP */
	popl %eax
	cmpl $1b, got_eip                   /* a trap: past it */
	jne bad
	testl $0x10000, got_flags           /* and no RF */
	jnz bad
	/* DR7.GD: the next MOV DR is a #DB fault with BD, and GD is cleared */
	xorl %eax, %eax
	movl %eax, %dr6
	movl $0x2000, %eax
	movl %eax, %dr7
	expect 1, 0, movl %dr0, %ebx
	movl %dr6, %eax
	testl $0x2000, %eax
	jz bad
	movl %dr7, %eax
	testl $0x2000, %eax
	jnz bad
	/* a fetch where no RAM or device is reads open bus, all ones: ff ff is FF /7, #UD at
	 * the target (TCG stops the whole machine there) */
	movl $0x20000000, %ebx
	expect 6, 0, jmp *%ebx
	cmpl $0x20000000, got_eip
	jne bad

	/* the vendor is Intel, and follows it: SYSCALL outside 64-bit mode is #UD even
	 * with EFER.SCE (AMD runs it; QEMU's default CPU is AMD's) */
	incl check
	xorl %eax, %eax
	cpuid
	cmpl $0x756e6547, %ebx              /* "Genu" */
	jne bad
	movl $0xc0000080, %ecx
	rdmsr
	orl $1, %eax
	wrmsr
	expect 6, 0, syscall

	/* IA32_TSC_ADJUST (CPUID.7.EBX[1]): writing it moves the TSC by the change */
	incl check
	movl $7, %eax
	xorl %ecx, %ecx
	cpuid
	testl $2, %ebx
	jz bad
	movl $0x3b, %ecx
	rdmsr
	orl %edx, %eax
	jnz bad                             /* 0 from reset */
	rdtsc
	movl %edx, %esi
	movl $0x3b, %ecx
	xorl %eax, %eax
	movl $0x100, %edx                   /* + 2^40 */
	wrmsr
	rdtsc
	subl %esi, %edx
	cmpl $0x100, %edx
	jb bad

	/* an IPI with a vector below 16 is not sent; ESR says so once latched (TCG
	 * delivers it) */
	movl $0x1ff, 0xfee000f0             /* SVR: the LAPIC on */
	movl $0, 0xfee00280
	movl $0x40005, 0xfee00300           /* self, vector 5 */
	movl $0, 0xfee00280
	movl 0xfee00280, %eax
	andl $0x60, %eax
	cmpl $0x60, %eax                    /* send and receive illegal vector */
	jne bad
	testl $0x20, 0xfee00200             /* nothing in IRR */
	jnz bad
	pass

	gdt_begin
	gdt_finish
zero:	.long 0
	expect_data
