/* Segments and descriptors, far transfers, control registers, MSRs, CPUID, port I/O
 * and the privileged one-liners. */
#include <stdio.h>
#include <string.h>
#include "debug.h"
#include "decode.h"
#include "exec.h"
#include "mmu.h"
#include "cpuid.h"
#include "system.h"
#include "x86.h"
#include "../../abi/lapic_regs.h"

#define CR0_PE 0x1ull
#define CR0_TS 0x8ull
#define CR0_NW (1ull << 29)
#define CR0_CD (1ull << 30)
#define CR0_PG (1ull << 31)
#define CR4_PAE 0x20ull
#define CR4_PGE 0x80ull
#define EFER_SCE 0x1ull
#define EFER_LME 0x100ull
#define EFER_LMA 0x400ull
#define EFER_NXE 0x800ull

static void need_cpl0(struct x86_cpu *c)
{
	if (c->cpl)
		x86_raise(c, EXC_GP, 0);
}

static uint64_t read_tsc(const struct x86_cpu *c) { return x86_host_tsc(c) + (uint64_t)c->tsc_offset; }

uint64_t read_descriptor(struct x86_cpu *c, uint16_t sel, uint64_t *hi)
{
	const struct dtable *t = (sel & 4) ? &(struct dtable){ c->ldtr.base, (uint16_t)c->ldtr.limit } : &c->gdtr;
	uint64_t off = sel & ~7u;
	if (off + 7 > t->limit)
		x86_raise(c, EXC_GP, sel & ~3);
	implicit_sv_begin(c);
	uint64_t lo = mem_read(c, t->base + off, 8);
	if (hi)
		*hi = off + 15 <= t->limit ? mem_read(c, t->base + off + 8, 8) : 0;
	implicit_sv_end(c);
	return lo;
}

static void unpack(struct segment *s, uint16_t sel, uint64_t d)
{
	s->sel = sel;
	s->base = ((d >> 16) & 0xffffff) | (((d >> 56) & 0xff) << 24);
	s->limit = (uint32_t)((d & 0xffff) | (((d >> 48) & 0xf) << 16));
	s->type = (d >> 40) & 0xf;
	s->s = (d >> 44) & 1;
	s->dpl = (d >> 45) & 3;
	s->present = (d >> 47) & 1;
	s->l = (d >> 53) & 1;
	s->db = (d >> 54) & 1;
	s->g = (d >> 55) & 1;
	if (s->g)
		s->limit = (s->limit << 12) | 0xfff;
}

struct segment check_segment(struct x86_cpu *c, unsigned seg, uint16_t sel, unsigned cpl)
{
	struct segment s;
	memset(&s, 0, sizeof(s));
	if (seg == S_CS)
		x86_raise(c, EXC_UD, NO_ERROR_CODE);
	unsigned rpl = sel & 3;
	if ((sel & ~3) == 0) {
		/* a null SS only in 64-bit mode, below ring 3, with RPL = CPL */
		if (seg == S_SS && (!long_mode64(c) || cpl == 3 || rpl != cpl))
			x86_raise(c, EXC_GP, 0);
		s.sel = sel;
		return s;
	}
	unpack(&s, sel, read_descriptor(c, sel, NULL));
	bool code = s.type & 8, writable = !code && (s.type & 2), readable = !code || (s.type & 2);
	bool conforming = code && (s.type & 4);
	if (!s.s || (seg == S_SS ? !writable || s.dpl != cpl || rpl != cpl
				 : !readable || (!conforming && (rpl > s.dpl || cpl > s.dpl))))
		x86_raise(c, EXC_GP, sel & ~3);
	if (!s.present)
		x86_raise(c, seg == S_SS ? EXC_SS : EXC_NP, sel & ~3);
	return s;
}

void load_segment(struct x86_cpu *c, unsigned seg, uint16_t sel)
{
	c->seg[seg] = check_segment(c, seg, sel, c->cpl);
	c->attention = true; /* translated 32-bit code runs only on flat segments: the run loop looks again */
	if (seg == S_SS)
		c->interrupt_shadow = true;
}

void load_code_descriptor(struct x86_cpu *c, uint16_t sel, uint64_t d, unsigned new_cpl)
{
	if ((sel & ~3) == 0)
		x86_raise(c, EXC_GP, 0);
	struct segment s;
	unpack(&s, sel, d);
	if (!s.s || !(s.type & 8))
		x86_raise(c, EXC_GP, sel & ~3);
	if (!s.present)
		x86_raise(c, EXC_NP, sel & ~3);
	s.sel = (uint16_t)((sel & ~3) | new_cpl);
	set_cs(c, s);
	set_cpl(c, new_cpl);
}

void load_code_segment(struct x86_cpu *c, uint16_t sel, unsigned new_cpl)
{
	if ((sel & ~3) == 0)
		x86_raise(c, EXC_GP, 0);
	load_code_descriptor(c, sel, read_descriptor(c, sel, NULL), new_cpl);
}

/* Far jmp/call through a code-segment selector (call gates and task switches are not
 * modelled: #GP). */
void far_transfer(struct x86_cpu *c, const struct x86_insn *i, bool is_call)
{
	uint16_t sel;
	uint64_t off;
	unsigned osz = i->opsize ? i->opsize : 4;
	if (i->op[0].kind == OPK_FAR) {
		sel = i->op[0].sel;
		off = (uint64_t)i->op[0].val;
	} else {
		uint64_t a = opnd_addr(c, i, &i->op[0]);
		off = mem_read(c, a, osz);
		sel = (uint16_t)mem_read(c, a + osz, 2);
	}
	struct segment s;
	unpack(&s, sel, read_descriptor(c, sel, NULL));
	if (!s.s || !(s.type & 8))
		x86_raise(c, EXC_GP, sel & ~3); /* gates and TSS: not modelled */
	if (is_call) {
		push(c, c->seg[S_CS].sel, osz);
		push(c, c->rip, osz);
	}
	load_code_segment(c, sel, c->cpl);
	c->rip = long_mode64(c) ? off : off & size_mask(osz);
}

void far_return(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned osz = i->opsize ? i->opsize : 4;
	uint64_t off = pop(c, osz);
	uint16_t sel = (uint16_t)pop(c, osz);
	unsigned rpl = sel & 3;
	if (rpl < c->cpl)
		x86_raise(c, EXC_GP, sel & ~3);
	if (i->nops)
		c->r[R_SP] += (uint64_t)i->op[0].val;
	if (rpl > c->cpl) {
		uint64_t sp = pop(c, osz);
		uint16_t ss = (uint16_t)pop(c, osz);
		load_code_segment(c, sel, rpl);
		load_segment(c, S_SS, ss);
		c->interrupt_shadow = false; /* MOV SS's, not RET's */
		c->r[R_SP] = sp;
	} else {
		load_code_segment(c, sel, rpl);
	}
	c->rip = long_mode64(c) ? off : off & size_mask(osz);
}

static void update_lma(struct x86_cpu *c)
{
	bool lma = (c->efer & EFER_LME) && (c->cr0 & CR0_PG);
	c->efer = lma ? c->efer | EFER_LMA : c->efer & ~EFER_LMA;
}

static void set_cr0(struct x86_cpu *c, uint64_t v)
{
	v |= 0x10; /* ET is hardwired */
	/* reserved high bits, PG without PE, NW without CD, and paging off in 64-bit mode
	 * (long mode is left from compatibility mode) */
	if ((v >> 32) || ((v & CR0_PG) && !(v & CR0_PE)) || ((v & CR0_NW) && !(v & CR0_CD)) ||
	    (!(v & CR0_PG) && long_mode64(c)))
		x86_raise(c, EXC_GP, 0);
	if ((v & CR0_PG) && !(c->cr0 & CR0_PG) && (c->efer & EFER_LME) && !(c->cr4 & CR4_PAE))
		x86_raise(c, EXC_GP, 0);
	if ((v ^ c->cr0) & (CR0_PG | (1ull << 16)))
		mmu_flush(c, false);
	c->cr0 = v;
	update_lma(c);
}

/* The CR4 bits of the features CPUID advertises (cpuid.c): TSD, DE, PSE, PAE, PGE, PCE,
 * OSFXSR, OSXMMEXCPT. Any other bit is reserved here: VME, MCE, UMIP, LA57, VMXE, SMXE,
 * FSGSBASE, PCIDE, OSXSAVE, SMEP, SMAP, PKE... are features this CPU does not have. */
#define CR4_VALID 0x7bcull

static void set_cr4(struct x86_cpu *c, uint64_t v)
{
	if ((v & ~CR4_VALID) || ((c->efer & EFER_LMA) && !(v & CR4_PAE)))
		x86_raise(c, EXC_GP, 0);
	if ((v ^ c->cr4) & (CR4_PAE | CR4_PGE | 0x10))
		mmu_flush(c, false);
	c->cr4 = v;
}

static void set_efer(struct x86_cpu *c, uint64_t v)
{
	/* SCE, LME, LMA (read-only: written as it is) and NXE; the rest is reserved */
	if ((v & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)) || ((c->cr0 & CR0_PG) && ((v ^ c->efer) & EFER_LME)))
		x86_raise(c, EXC_GP, 0);
	c->efer = (v & (EFER_SCE | EFER_LME | EFER_NXE)) | (c->efer & EFER_LMA);
	update_lma(c);
	mmu_flush(c, false);
}

void mov_system(struct x86_cpu *c, const struct x86_insn *i)
{
	const struct x86_operand *d = &i->op[0], *s = &i->op[1];
	if (d->kind == OPK_SEG) {
		load_segment(c, d->reg, (uint16_t)opnd_read(c, i, 1));
		return;
	}
	if (s->kind == OPK_SEG) {
		opnd_write(c, i, 0, c->seg[s->reg].sel);
		return;
	}
	need_cpl0(c);
	if (d->kind == OPK_CR) {
		uint64_t v = reg_read(c, s->reg, 8, false);
		switch (d->reg) {
		case 0: set_cr0(c, v); break;
		case 2: c->cr2 = v; break;
		case 3:
			c->cr3 = v;
			mmu_flush(c, true);
			break;
		case 4: set_cr4(c, v); break;
		case 8:
			c->cr8 = v & 0xf;
			if (c->intc.set_tpr)
				c->intc.set_tpr(c->intc.opaque, (uint32_t)(v & 0xf) << 4);
			break;
		default: x86_raise(c, EXC_UD, NO_ERROR_CODE);
		}
		return;
	}
	if (s->kind == OPK_CR) {
		uint64_t v;
		switch (s->reg) {
		case 0: v = c->cr0; break;
		case 2: v = c->cr2; break;
		case 3: v = c->cr3; break;
		case 4: v = c->cr4; break;
		case 8: v = c->intc.tpr ? c->intc.tpr(c->intc.opaque) >> 4 : c->cr8; break;
		default: x86_raise(c, EXC_UD, NO_ERROR_CODE);
		}
		reg_write(c, d->reg, 8, false, v);
		return;
	}
	if (d->kind == OPK_DR)
		x86_write_dr(c, d->reg, reg_read(c, s->reg, 8, false));
	else
		reg_write(c, d->reg, 8, false, x86_read_dr(c, s->reg));
}

/* IOPL, then the TSS I/O permission bitmap. */
void io_permitted(struct x86_cpu *c, uint16_t port, unsigned size)
{
	unsigned iopl = (c->flags & F_IOPL) >> 12;
	if (c->cpl <= iopl)
		return;
	if (c->tr.limit < 0x67)
		x86_raise(c, EXC_GP, 0);
	implicit_sv_begin(c);
	uint16_t base = (uint16_t)mem_read(c, c->tr.base + 0x66, 2);
	uint64_t byte = base + port / 8u;
	uint16_t bits = byte + 1 <= c->tr.limit ? (uint16_t)mem_read(c, c->tr.base + byte, 2) : 0xffff;
	implicit_sv_end(c);
	if ((bits >> (port & 7)) & ((1u << size) - 1))
		x86_raise(c, EXC_GP, 0);
}

uint64_t port_in(struct x86_cpu *c, uint16_t port, unsigned size)
{
	uint64_t v;
	if (c->debugging)
		x86_debug_io(c, port, size);
	bus_read(c->bus, BUS_PIO, port, size, &v);
	return v;
}

void port_out(struct x86_cpu *c, uint16_t port, uint64_t v, unsigned size)
{
	if (c->debugging)
		x86_debug_io(c, port, size);
	bus_write(c->bus, BUS_PIO, port, v, size);
}

static uint16_t io_port(struct x86_cpu *c, const struct x86_operand *o)
{
	return o->kind == OPK_IMM ? (uint16_t)o->val : (uint16_t)c->r[R_DX];
}

void op_in(struct x86_cpu *c, const struct x86_insn *i)
{
	uint16_t port = io_port(c, &i->op[1]);
	io_permitted(c, port, i->op[0].size);
	reg_write(c, R_AX, i->op[0].size, false, port_in(c, port, i->op[0].size));
}

void op_out(struct x86_cpu *c, const struct x86_insn *i)
{
	uint16_t port = io_port(c, &i->op[0]);
	io_permitted(c, port, i->op[1].size);
	port_out(c, port, reg_read(c, R_AX, i->op[1].size, false), i->op[1].size);
}

void op_rdtsc(struct x86_cpu *c, const struct x86_insn *i)
{
	(void)i;
	if ((c->cr4 & 0x4) && c->cpl) /* CR4.TSD */
		x86_raise(c, EXC_GP, 0);
	uint64_t t = read_tsc(c);
	reg_write(c, R_AX, 4, false, t);
	reg_write(c, R_DX, 4, false, t >> 32);
}

void op_rdtscp(struct x86_cpu *c, const struct x86_insn *i)
{
	op_rdtsc(c, i);
	reg_write(c, R_CX, 4, false, c->tsc_aux);
}

#define MSR_TSC               0x10
#define MSR_TSC_ADJUST        0x3b
#define MSR_UCODE_REV         0x8b
#define MSR_ARCH_CAPABILITIES 0x10a
#define MSR_MISC_ENABLE       0x1a0
#define MISC_ENABLE_WRITABLE  0x1ull /* fast strings; the rest read as reset */

static uint64_t *msr_slot(struct x86_cpu *c, uint32_t msr)
{
	switch (msr) {
	case 0xc0000081: return &c->star;
	case 0xc0000082: return &c->lstar;
	case 0xc0000083: return &c->cstar;
	case 0xc0000084: return &c->fmask;
	case 0xc0000100: return &c->seg[S_FS].base;
	case 0xc0000101: return &c->seg[S_GS].base;
	case 0xc0000102: return &c->kernel_gs_base;
	case 0xc0000103: return &c->tsc_aux;
	case 0x174: return &c->sysenter_cs;
	case 0x175: return &c->sysenter_esp;
	case 0x176: return &c->sysenter_eip;
	case 0x1b: return &c->apic_base;
	case 0x277: return &c->pat;
	case MSR_TSC_ADJUST: return &c->tsc_adjust;
	default: return NULL;
	}
}

void op_rdmsr(struct x86_cpu *c, const struct x86_insn *i)
{
	(void)i;
	need_cpl0(c);
	uint32_t msr = (uint32_t)c->r[R_CX];
	uint64_t v, *slot = msr_slot(c, msr);
	if (slot)
		v = *slot;
	else if (msr == 0xc0000080)
		v = c->efer;
	else if (msr == MSR_TSC)
		v = read_tsc(c);
	else if (msr == 0x6e0)
		v = c->intc.tsc_deadline ? c->intc.tsc_deadline(c->intc.opaque) : 0;
	else if (msr == MSR_MISC_ENABLE)
		v = c->misc_enable;
	else if (msr == MSR_ARCH_CAPABILITIES)
		v = X86_ARCH_CAPABILITIES;
	else if (msr == MSR_UCODE_REV)
		v = 0;
	else
		x86_raise(c, EXC_GP, 0);
	reg_write(c, R_AX, 4, false, v);
	reg_write(c, R_DX, 4, false, v >> 32);
}

/* MAXPHYADDR, as CPUID 0x80000008 says (cpuid.c) */
#define PHYS_BITS 36

/* What WRMSR refuses with #GP: a linear address that is not canonical where the MSR holds
 * one, reserved bits of IA32_APIC_BASE (x2APIC among them: CPUID has no x2APIC), a PAT
 * entry that is no memory type. */
static bool msr_value_ok(uint32_t msr, uint64_t v)
{
	switch (msr) {
	case 0xc0000100: case 0xc0000101: case 0xc0000102: /* FS, GS, kernel GS base */
	case 0xc0000082: case 0xc0000083:                  /* LSTAR, CSTAR */
	case 0x175: case 0x176:                            /* SYSENTER_ESP, SYSENTER_EIP */
		return x86_canonical(v);
	case 0x1b: /* BSP (8), EN (11) and the base below MAXPHYADDR */
		return !(v & ~(0x900ull | (((1ull << PHYS_BITS) - 1) & ~0xfffull)));
	case 0x277:
		for (int k = 0; k < 8; k++) {
			unsigned type = (unsigned)(v >> (8 * k)) & 0xff;
			if (type == 2 || type == 3 || type > 7)
				return false;
		}
		return true;
	default:
		return true;
	}
}

void op_wrmsr(struct x86_cpu *c, const struct x86_insn *i)
{
	(void)i;
	need_cpl0(c);
	c->attention = c->lapic_dirty = true; /* TSC deadline */
	uint32_t msr = (uint32_t)c->r[R_CX];
	uint64_t v = (c->r[R_AX] & 0xffffffffull) | (c->r[R_DX] << 32), *slot = msr_slot(c, msr);
	if (!msr_value_ok(msr, v))
		x86_raise(c, EXC_GP, 0);
	if (msr == MSR_TSC_ADJUST) /* moves the TSC by the change (SDM 17.17.3) */
		c->tsc_offset += (int64_t)(v - c->tsc_adjust);
	if (slot)
		*slot = v;
	else if (msr == 0xc0000080)
		set_efer(c, v);
	else if (msr == MSR_TSC) { /* and TSC_ADJUST moves with the TSC */
		uint64_t was = read_tsc(c);
		c->tsc_offset = (int64_t)(v - x86_host_tsc(c));
		c->tsc_adjust += v - was;
	}
	else if (msr == 0x6e0 && c->intc.set_tsc_deadline)
		c->intc.set_tsc_deadline(c->intc.opaque, v, read_tsc(c));
	else if (msr == MSR_MISC_ENABLE)
		c->misc_enable = (c->misc_enable & ~MISC_ENABLE_WRITABLE) | (v & MISC_ENABLE_WRITABLE);
	else if (msr == MSR_UCODE_REV)
		; /* writing 0 before cpuid(1) is how the revision is read; it stays 0 */
	else
		x86_raise(c, EXC_GP, 0);
}

static void load_dtable(struct x86_cpu *c, const struct x86_insn *i, struct dtable *t)
{
	need_cpl0(c);
	uint64_t a = opnd_addr(c, i, &i->op[0]);
	uint16_t limit = (uint16_t)mem_read(c, a, 2);
	uint64_t base = mem_read(c, a + 2, long_mode64(c) ? 8 : 4);
	if (long_mode64(c) && !x86_canonical(base))
		x86_raise(c, EXC_GP, 0);
	t->limit = limit;
	t->base = long_mode64(c) ? base : base & 0xffffffffull;
}

static void store_dtable(struct x86_cpu *c, const struct x86_insn *i, const struct dtable *t)
{
	uint64_t a = opnd_addr(c, i, &i->op[0]);
	mem_write(c, a, t->limit, 2);
	mem_write(c, a + 2, t->base, long_mode64(c) ? 8 : 4);
}

void op_lgdt(struct x86_cpu *c, const struct x86_insn *i) { load_dtable(c, i, &c->gdtr); }
void op_lidt(struct x86_cpu *c, const struct x86_insn *i) { load_dtable(c, i, &c->idtr); }
void op_sgdt(struct x86_cpu *c, const struct x86_insn *i) { store_dtable(c, i, &c->gdtr); }
void op_sidt(struct x86_cpu *c, const struct x86_insn *i) { store_dtable(c, i, &c->idtr); }

/* System descriptors (TSS, LDT) are 16 bytes in long mode. */
static void load_system(struct x86_cpu *c, const struct x86_insn *i, struct segment *s, bool tss)
{
	need_cpl0(c);
	uint16_t sel = (uint16_t)opnd_read(c, i, 0);
	if ((sel & ~3) == 0 && !tss) {
		memset(s, 0, sizeof(*s));
		return;
	}
	if (sel & 4) /* from the GDT only */
		x86_raise(c, EXC_GP, sel & ~3);
	uint64_t hi, d = read_descriptor(c, sel, &hi);
	struct segment n;
	unpack(&n, sel, d);
	bool lm = c->efer & EFER_LMA;
	/* an available TSS (a 16-bit one outside long mode), or an LDT */
	if (n.s || (tss ? n.type != 9 && (lm || n.type != 1) : n.type != 2))
		x86_raise(c, EXC_GP, sel & ~3);
	if (!n.present)
		x86_raise(c, EXC_NP, sel & ~3);
	if (lm) { /* the upper half: the base's high bits, type bits zero; canonical */
		n.base |= (hi & 0xffffffffull) << 32;
		if (((hi >> 40) & 0x1f) || !x86_canonical(n.base))
			x86_raise(c, EXC_GP, sel & ~3);
	}
	if (tss) /* mark busy */
		mem_write(c, c->gdtr.base + (sel & ~7u) + 5, ((d >> 40) & 0xff) | 2, 1);
	*s = n;
}

void op_ltr(struct x86_cpu *c, const struct x86_insn *i) { load_system(c, i, &c->tr, true); }
void op_lldt(struct x86_cpu *c, const struct x86_insn *i) { load_system(c, i, &c->ldtr, false); }
void op_str(struct x86_cpu *c, const struct x86_insn *i) { opnd_write(c, i, 0, c->tr.sel); }
void op_sldt(struct x86_cpu *c, const struct x86_insn *i) { opnd_write(c, i, 0, c->ldtr.sel); }

void op_invlpg(struct x86_cpu *c, const struct x86_insn *i)
{
	need_cpl0(c);
	mmu_invlpg(c, opnd_addr(c, i, &i->op[0]));
}

void op_hlt(struct x86_cpu *c, const struct x86_insn *i)
{
	(void)i;
	need_cpl0(c);
	c->exit = X86_HALTED;
}

static void need_iopl(struct x86_cpu *c)
{
	if (c->cpl > ((c->flags & F_IOPL) >> 12))
		x86_raise(c, EXC_GP, 0);
}

void op_cli(struct x86_cpu *c, const struct x86_insn *i) { (void)i; need_iopl(c); c->flags &= ~(uint64_t)F_IF; }

void op_sti(struct x86_cpu *c, const struct x86_insn *i)
{
	(void)i;
	need_iopl(c);
	if (!(c->flags & F_IF))
		c->interrupt_shadow = true; /* no interrupt before the next instruction */
	c->flags |= F_IF;
	c->attention = true;
}

void op_int(struct x86_cpu *c, const struct x86_insn *i) { x86_deliver(c, (int)(i->op[0].val & 0xff), NO_ERROR_CODE, EV_SOFTWARE); }
void op_int3(struct x86_cpu *c, const struct x86_insn *i) { (void)i; x86_deliver(c, EXC_BP, NO_ERROR_CODE, EV_SOFTWARE); }
void op_int1(struct x86_cpu *c, const struct x86_insn *i) { (void)i; x86_deliver(c, EXC_DB, NO_ERROR_CODE, EV_EXCEPTION); }

void op_into(struct x86_cpu *c, const struct x86_insn *i)
{
	(void)i;
	if (long_mode64(c))
		x86_raise(c, EXC_UD, NO_ERROR_CODE);
	if (flag(c, F_OF))
		x86_deliver(c, EXC_OF, NO_ERROR_CODE, EV_SOFTWARE);
}

void op_ud(struct x86_cpu *c, const struct x86_insn *i) { (void)i; x86_raise(c, EXC_UD, NO_ERROR_CODE); }

/* No performance counters (CPUID leaf 0xA reports none): every counter index is invalid,
 * #GP(0), as is any RDPMC at CPL > 0 without CR4.PCE. Not #UD: the instruction exists. */
void op_rdpmc(struct x86_cpu *c, const struct x86_insn *i)
{
	(void)i;
	x86_raise(c, EXC_GP, 0);
}

#define UNIMPLEMENTED_REPORTS 8

/* Never silent: counted, the first few on stderr, the first kept for the run's record;
 * strict stops the CPU before it (the instruction has not run). */
void op_unimplemented(struct x86_cpu *c, const struct x86_insn *i)
{
	if (c->count.unimplemented++ < UNIMPLEMENTED_REPORTS) {
		uint8_t b[16];
		unsigned n = mem_fetch(c, x86_code_linear(c, c->insn_rip), b, i->len < sizeof(b) ? i->len : sizeof(b));
		char hex[3 * sizeof(b) + 1] = "", what[sizeof(c->unimplemented_first)];
		for (unsigned k = 0; k < n; k++)
			snprintf(hex + 3 * k, 4, " %02x", b[k]);
		snprintf(what, sizeof(what), "unimplemented instruction %s at rip 0x%llx (bytes%s)",
			 x86_mnemonic_name(i->mnemonic), (unsigned long long)c->insn_rip, hex);
		if (!c->unimplemented_first[0]) {
			memcpy(c->unimplemented_first, what, sizeof(what));
			c->unimplemented_rip = c->insn_rip;
		}
		if (!c->strict)
			fprintf(stderr, "pvbench: %s: #UD to the guest\n", what);
	}
	if (c->strict) {
		c->rip = c->insn_rip;
		c->exit = X86_UNIMPLEMENTED;
		return;
	}
	x86_raise(c, EXC_UD, NO_ERROR_CODE);
}
void op_nop_priv(struct x86_cpu *c, const struct x86_insn *i) { (void)i; need_cpl0(c); }
void op_clts(struct x86_cpu *c, const struct x86_insn *i) { (void)i; need_cpl0(c); c->cr0 &= ~CR0_TS; }
void op_smsw(struct x86_cpu *c, const struct x86_insn *i) { opnd_write(c, i, 0, c->cr0 & 0xffff); }

void op_lmsw(struct x86_cpu *c, const struct x86_insn *i)
{
	need_cpl0(c);
	uint64_t v = opnd_read(c, i, 0) & 0xf;
	set_cr0(c, (c->cr0 & ~0xeull) | v | (c->cr0 & 1)); /* lmsw cannot clear PE */
}

void op_swapgs(struct x86_cpu *c, const struct x86_insn *i)
{
	(void)i;
	if (!long_mode64(c))
		x86_raise(c, EXC_UD, NO_ERROR_CODE);
	need_cpl0(c);
	uint64_t t = c->seg[S_GS].base;
	c->seg[S_GS].base = c->kernel_gs_base;
	c->kernel_gs_base = t;
}
