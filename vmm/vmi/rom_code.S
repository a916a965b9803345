/* The code of pvbench's VMI ROM: guest code (x86-64, position-dependent at VMI_ROM_BASE)
 * kept in pvbench's read-only data; rom.c copies it into the image behind the header.
 * Each call's slot enters the VMM through the doorbell (a read of its doorbell word) and
 * then does, in the guest, what only the vCPU itself can do (load CR3, invalidate a TLB
 * entry, iretq...), so the same ROM serves an engine that sees each instruction and one
 * whose vCPU state userspace cannot reach. Lazy-mode page-table updates are queued here,
 * without entering the VMM at all. */
#include "../../abi/vmi.h"

#define DB(n) (VMI_DOORBELL + 8 * (n))
#define VMI_SLOT_INIT      VMI_NCALLS
#define VMI_SLOT_GET_RELOC (VMI_NCALLS + 1)

	.section .note.GNU-stack, "", @progbits
	.section .rodata, "a"
	.globl vmi_rom_code, vmi_rom_code_end
	.p2align 4
vmi_rom_code:

.macro slot n
	.org vmi_rom_code + (\n) * VMI_SLOT
.endm
.macro bell n
	movabsq DB(\n), %rax
.endm

.macro stub_plain n
	slot \n
	bell \n
	ret
.endm
.macro stub_cr3 n
	slot \n
	bell \n
	movq %rdi, %cr3
	ret
.endm
.macro stub_sti n
	slot \n
	bell \n
	sti
	ret
.endm
.macro stub_cli n
	slot \n
	bell \n
	cli
	ret
.endm
.macro stub_hlt n
	slot \n
	bell \n
	hlt
	ret
.endm
.macro stub_invlpg n
	slot \n
	bell \n
	invlpg (%rdi)
	ret
.endm
/* entered by jmp with an iretq frame; rax is the interrupted code's */
.macro stub_iret n
	slot \n
	pushq %rax
	bell \n
	popq %rax
	iretq
.endm
/* rcx = user rip, r11 = user rflags, rsp = the user stack (not ours to push on); IF is
 * off since syscall entry, so the scratch word cannot be reused under us */
.macro stub_sysexit n
	slot \n
	movq %rax, VMI_D_SCRATCH
	bell \n
	movq VMI_D_SCRATCH, %rax
	sysretq
.endm
/* FlushTLB(flags) */
.macro stub_flush n
	slot \n
	bell \n
	testb $VMI_FLUSH_GLOBAL, %dil
	jnz flush_global
	movq %cr3, %rax
	movq %rax, %cr3
	ret
.endm
/* GetCycleCounter(counter): the real-time counter is the TSC, read here as VMware's ROM
 * did; the others ask the VMM */
.macro stub_cycles n
	slot \n
	testl %edi, %edi
	jnz 1f
	rdtsc
	shlq $32, %rdx
	orq %rdx, %rax
	ret
1:	bell \n
	ret
.endm
.macro stub_setpxe n
	slot \n
	jmp setpxe_body
.endm
.macro stub_updatepxe n
	slot \n
	jmp updatepxe_body
.endm
.macro stub_lazy n
	slot \n
	jmp lazy_body
.endm

/* a slot only 32-bit code has (get_reloc gives 64-bit code none) */
.macro stub_none n
	slot \n
	ud2
.endm

#define VMI_CALL(name, stub, stub32, needs, handler) stub_##stub VMI_CALL_##name;
#include "../../abi/vmi_calls.def"
#undef VMI_CALL

/* The header has one vmi_init and one get_reloc, which 32-bit and 64-bit code both call:
 * these bytes tell the modes apart (0x40 is inc eax in 32-bit code and an empty REX
 * prefix of nop in 64-bit code) and jnz rel32, the same in both, leaves for the 32-bit
 * entry, with 32-bit code's argument (eax) in edx; edx is scratch in both conventions. */
.macro which_mode to32
	.byte 0x89, 0xc2              /* mov edx, eax */
	.byte 0x31, 0xc0              /* xor eax, eax */
	.byte 0x40, 0x90              /* inc eax; nop  |  rex nop */
	.byte 0x85, 0xc0              /* test eax, eax */
	.byte 0x0f, 0x85              /* jnz rel32 */
	.long \to32 - (. + 4)
.endm

/* vmi_init() */
	slot VMI_SLOT_INIT
	which_mode init32
	bell VMI_INIT_CALL
	ret

	slot VMI_SLOT_GET_RELOC
	which_mode get_reloc32
	jmp get_reloc64

	slot VMI_SLOT_GET_RELOC + 1
/* get_reloc(callno) -> rax address, rdx type */
get_reloc64:
	cmpq $VMI_NCALLS, %rdi
	jae 1f
	shlq $4, %rdi
	movq VMI_RELOC_ADDR(%rdi), %rax
	movq VMI_RELOC_ADDR + 8(%rdi), %rdx
	ret
1:	xorl %eax, %eax
	xorl %edx, %edx
	ret

flush_global:
	movq %cr4, %rax
	xorq $0x80, %rax   /* toggling CR4.PGE drops global entries too */
	movq %rax, %cr4
	xorq $0x80, %rax
	movq %rax, %cr4
	ret

/* rdi = value, rsi = ptep, rdx = flags. Deferred or lazy updates join the queue; a full
 * queue, or an update that must take effect now, goes to the VMM, which applies what is
 * queued first so that no update overtakes an earlier one. */
.macro pxe_body n
	testb $VMI_PAGE_DEFER, %dl
	jnz 1f
	cmpl $VMI_LAZY_MMU, VMI_D_LAZY
	jne 2f
1:	movl VMI_D_QCOUNT, %eax
	cmpl $VMI_QUEUE_MAX, %eax
	jae 2f
	shll $4, %eax
	movq %rsi, VMI_D_QUEUE(%rax)
	movq %rdi, VMI_D_QUEUE + 8(%rax)
	incl VMI_D_QCOUNT
	ret
2:	bell \n
	ret
.endm

setpxe_body:
	pxe_body VMI_CALL_SetPxELong

/* UpdatePxELong(ptep, flags): the guest wrote the entry itself; it becomes a SetPxELong
 * of the value it wrote, so that it keeps its place among queued updates */
updatepxe_body:
	movq %rsi, %rdx
	movq %rdi, %rsi
	movq (%rsi), %rdi
	pxe_body VMI_CALL_UpdatePxELong

/* SetLazyMode(mode): entering lazy MMU mode costs nothing; leaving it enters the VMM
 * only when updates are queued */
lazy_body:
	movl %edi, VMI_D_LAZY
	cmpl $VMI_LAZY_MMU, %edi
	je 1f
	cmpl $0, VMI_D_QCOUNT
	je 1f
	bell VMI_CALL_SetLazyMode
1:	ret

#include "rom_code32.inc"

	.org vmi_rom_code + VMI_RELOC_OFF - VMI_CODE_OFF
vmi_rom_code_end:
