/* LAPIC inter-processor interrupts on the one CPU: the self shorthand, a physical
 * destination that is this LAPIC's ID and one that is not, all-including-self and
 * all-excluding-self; an NMI through the ICR taken with interrupts off, once until its
 * IRET; TPR holding back a vector of its class or below (PPR follows TPR with ISR
 * empty) until lowered. Linked flat at 0x100020. */
#include "flat32.inc"
#include "expect32.inc"
#define APIC 0xfee00000
#define ICR_LO (APIC + 0x300)
#define ICR_HI (APIC + 0x310)
#define IRR(v) (APIC + 0x200 + ((v) / 32) * 0x10)
/* an interrupt may arrive some instructions after the write that sends it, as on
 * hardware: wait a bounded while for var to reach val */
.macro wait_for var, val
	movl $1000000, %ecx
7:	cmpl $\val, \var
	je 8f
	loop 7b
	jmp bad
8:
.endm
	install_handlers
	set_gate 0x40, fixed40, 0x8e00
	set_gate 0x41, fixed41, 0x8e00
	set_gate 0x42, fixed42, 0x8e00
	set_gate 0x43, fixed43, 0x8e00
	set_gate 2, nmi, 0x8e00
	movl $0x1ff, APIC + 0xf0            /* SVR: enabled, spurious vector 0xff */
	movl $0, APIC + 0x80                /* TPR */

	incl check
	/* self shorthand: pending with interrupts off, taken by sti; hlt */
	cli
	movl $0x40040, ICR_LO
	testl $1, IRR(0x40)
	jz bad
	testl $0x1000, ICR_LO               /* delivery status: idle */
	jnz bad
	sti
	hlt
	cmpl $1, count40
	jne bad

	incl check
	/* physical destination: our ID (0) is delivered, ID 5 is not */
	movl $0, ICR_HI
	movl $0x41, ICR_LO
	wait_for count41, 1
	cli
	movl $0x05000000, ICR_HI
	movl $0x41, ICR_LO
	testl $2, IRR(0x41)
	jnz bad
	incl check
	/* all excluding self reaches no one; all including self reaches us */
	movl $0xc0042, ICR_LO
	testl $4, IRR(0x42)
	jnz bad
	movl $0x80042, ICR_LO
	testl $4, IRR(0x42)
	jz bad
	sti
	wait_for count42, 1
	cmpl $1, count41
	jne bad

	incl check
	/* TPR 0x50 holds back vector 0x43 (class 4) until it comes down */
	movl $0x50, APIC + 0x80
	cmpl $0x50, APIC + 0xa0             /* PPR */
	jne bad
	movl $0x40043, ICR_LO
	nop
	nop
	cmpl $0, count43
	jne bad
	testl $8, IRR(0x43)
	jz bad
	movl $0, APIC + 0x80
	wait_for count43, 1

	incl check
	/* an NMI is taken with interrupts off */
	cli
	movl $0x40400, ICR_LO
	wait_for count_nmi, 1
	sti

	pass

fixed40: incl count40
	jmp eoi
fixed41: incl count41
	jmp eoi
fixed42: incl count42
	jmp eoi
fixed43: incl count43
eoi:	movl $0, APIC + 0xb0
	iret
nmi:	incl count_nmi
	iret

	gdt_begin
	gdt_finish
count40: .long 0
count41: .long 0
count42: .long 0
count43: .long 0
count_nmi: .long 0
	expect_data
