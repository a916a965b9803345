/* Where the interpreter leaves the CPU model for the VMM without an exit: the VMI
 * doorbell as a direct call, and the timing of sensitive instructions for profiles. */
#include <Zydis/Zydis.h>
#include "decode.h"
#include "exec.h"
#include "mmu.h"
#include "x86.h"

void x86_vmi_regs(const struct x86_cpu *c, struct vmi_regs *r)
{
	*r = (struct vmi_regs){ .arg = { c->r[R_DI], c->r[R_SI], c->r[R_DX], c->r[R_CX], c->r[R_R8], c->r[R_R9] },
				.ax = c->r[R_AX], .dx = c->r[R_DX], .cx = c->r[R_CX], .sp = c->r[R_SP],
				.cr3 = c->cr3, .tsc = x86_host_tsc(c) + (uint64_t)c->tsc_offset,
				.paging = vmi_paging_of(c->cr0, c->cr4, c->efer) };
}

/* mov rax, [doorbell + 8n] (mov eax, [...] from 32-bit code): the read goes through the
 * MMU like any other (a mapping decides where it lands and whether it faults), and when
 * it lands on the doorbell the VMM gets the call with the registers as they are, instead
 * of a bus access that would have to fetch them back. */
void op_vmi_doorbell(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned size = i->op[1].size;
	uint64_t lin = size == 8 ? (uint64_t)i->op[1].val : opnd_addr(c, i, &i->op[1]), phys = 0;
	if (!c->vmi || (!tlb_phys(c, lin, ACC_READ, &phys) && mmu_translate(c, lin, ACC_READ, &phys)) ||
	    phys - VMI_DOORBELL >= VMI_DOORBELL_LEN) {
		c->r[R_AX] = mem_read(c, lin, size); /* a 32-bit load zero-extends */
		return;
	}
	struct vmi_regs r;
	x86_vmi_regs(c, &r);
	unsigned n = (unsigned)((phys - VMI_DOORBELL) / 8);
	c->r[R_AX] = size == 4 ? vmi_call32(c->vmi, n, &r) : vmi_call(c->vmi, n, &r);
	if (vmi_call_needs(n) & VMI_NEEDS_LAPIC)
		c->attention = c->lapic_dirty = true; /* it armed, cancelled or acknowledged the timer */
}

void op_profiled(struct x86_cpu *c, const struct x86_insn *i)
{
	struct prof_mark m;
	prof_begin(c->prof, &m);
	x86_handler(i->mnemonic)(c, i);
	/* a sensitive mov is one to or from a control or debug register */
	prof_end(c->prof, PROF_INSN + i->mnemonic, i->mnemonic == ZYDIS_MNEMONIC_MOV ? "mov cr/dr" : x86_mnemonic_name(i->mnemonic), &m);
}
