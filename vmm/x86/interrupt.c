/* Interrupt and exception delivery through the IDT (32-bit protected and long mode),
 * with the TSS stack switch and IST; iret; syscall/sysret and sysenter/sysexit. */
#include "decode.h"
#include "exec.h"
#include "mmu.h"
#include "system.h"

#define EFER_SCE 0x1ull
#define EFER_LMA 0x400ull

static bool has_error_code(int v)
{
	return v == EXC_DF || v == EXC_TS || v == EXC_NP || v == EXC_SS || v == EXC_GP || v == EXC_PF || v == EXC_AC;
}

/* Fault-class exceptions (the frame's rip is the faulting instruction's), but for #DB,
 * whose instruction-breakpoint fault pushes RF clear. */
static bool is_fault(int v)
{
	return v == EXC_DE || v == EXC_BR || v == EXC_UD || v == EXC_NM || v == EXC_TS || v == EXC_NP || v == EXC_SS ||
	       v == EXC_GP || v == EXC_PF || v == EXC_MF || v == EXC_AC || v == EXC_XM;
}

static uint16_t gate_error(int vector, enum event_kind kind)
{
	return (uint16_t)(vector * 8 + 2 + (kind == EV_EXTERNAL ? 1 : 0));
}

static void deliver(struct x86_cpu *c, int vector, int error, enum event_kind kind);

/* IDT, GDT, TSS and the new stack are all reached with supervisor rights. */
void x86_deliver(struct x86_cpu *c, int vector, int error, enum event_kind kind)
{
	implicit_sv_begin(c);
	deliver(c, vector, error, kind);
	implicit_sv_end(c);
}

static void deliver(struct x86_cpu *c, int vector, int error, enum event_kind kind)
{
	bool lm = c->efer & EFER_LMA;
	unsigned gsz = lm ? 16 : 8;
	if (vector < 32 && kind == EV_EXCEPTION)
		c->count.exceptions[vector]++;
	else
		c->count.interrupts++;
	if ((uint64_t)vector * gsz + gsz - 1 > c->idtr.limit)
		x86_raise(c, EXC_GP, gate_error(vector, kind));
	uint64_t lo = mem_read(c, c->idtr.base + (uint64_t)vector * gsz, 8);
	uint64_t hi = lm ? mem_read(c, c->idtr.base + (uint64_t)vector * gsz + 8, 8) : 0;
	unsigned type = (lo >> 40) & 0xf, dpl = (lo >> 45) & 3, ist = (lo >> 32) & 7;
	bool present = (lo >> 47) & 1;
	bool trap = (type & 1) != 0;
	if (type != 0xe && type != 0xf)
		x86_raise(c, EXC_GP, gate_error(vector, kind)); /* 32/64-bit interrupt and trap gates only */
	if (kind == EV_SOFTWARE && dpl < c->cpl)
		x86_raise(c, EXC_GP, gate_error(vector, kind));
	if (!present)
		x86_raise(c, EXC_NP, gate_error(vector, kind));
	uint16_t sel = (uint16_t)(lo >> 16);
	uint64_t target = (lo & 0xffff) | ((lo >> 32) & 0xffff0000ull) | (hi << 32);
	if (!lm)
		target &= 0xffffffffull;

	/* the target code segment decides the new privilege level */
	uint64_t dlo = read_descriptor(c, sel, NULL);
	unsigned new_cpl = (dlo >> 45) & 3;
	if (new_cpl > c->cpl)
		x86_raise(c, EXC_GP, sel & ~3);
	uint64_t old_flags = x86_get_flags(c), old_cs = c->seg[S_CS].sel, old_ss = c->seg[S_SS].sel;
	if (kind == EV_EXCEPTION && is_fault(vector))
		old_flags |= F_RF; /* so that the return does not hit an instruction breakpoint again */
	uint64_t old_rsp = c->r[R_SP], ret = c->rip;
	bool push_error = kind == EV_EXCEPTION && error != NO_ERROR_CODE && has_error_code(vector);

	if (lm) {
		uint64_t rsp = old_rsp;
		if (ist)
			rsp = mem_read(c, c->tr.base + 0x24 + (ist - 1) * 8, 8);
		else if (new_cpl < c->cpl)
			rsp = mem_read(c, c->tr.base + 4 + new_cpl * 8, 8);
		rsp &= ~0xfull;
		/* build the frame before changing anything, so a fault here is clean */
		uint64_t frame[6] = { ret, old_cs, old_flags, old_rsp, old_ss, 0 };
		int n = 5;
		uint64_t sp = rsp;
		for (int k = n - 1; k >= 0; k--) {
			sp -= 8;
			mem_write(c, sp, frame[k], 8);
		}
		if (push_error) {
			sp -= 8;
			mem_write(c, sp, (uint64_t)error, 8);
		}
		bool inward = new_cpl < c->cpl; /* decided before CS (and the CPL) change */
		load_code_descriptor(c, sel, dlo, new_cpl);
		if (inward || ist) /* long mode loads a null SS with the new privilege level */
			c->seg[S_SS] = (struct segment){ .sel = (uint16_t)new_cpl, .present = 1, .s = 1, .type = 3 };
		c->r[R_SP] = sp;
	} else {
		bool inner = new_cpl < c->cpl;
		uint64_t sp = old_rsp & 0xffffffffull;
		struct segment ss = c->seg[S_SS];
		if (inner) { /* the TSS's stack for the new level, checked before anything is written */
			sp = mem_read(c, c->tr.base + 4 + new_cpl * 8, 4);
			ss = check_segment(c, S_SS, (uint16_t)mem_read(c, c->tr.base + 8 + new_cpl * 8, 2), new_cpl);
		}
		uint64_t ss_base = ss.base;
		uint32_t frame[5] = { (uint32_t)ret, (uint32_t)old_cs, (uint32_t)old_flags, (uint32_t)old_rsp, (uint32_t)old_ss };
		int n = inner ? 5 : 3;
		for (int k = n - 1; k >= 0; k--) {
			sp -= 4;
			mem_write(c, (ss_base + sp) & 0xffffffffull, frame[k], 4);
		}
		if (push_error) {
			sp -= 4;
			mem_write(c, (ss_base + sp) & 0xffffffffull, (uint32_t)error, 4);
		}
		load_code_descriptor(c, sel, dlo, new_cpl);
		c->seg[S_SS] = ss;
		c->r[R_SP] = (c->r[R_SP] & ~0xffffffffull) | (sp & 0xffffffffull);
	}
	uint64_t fl = old_flags & ~(uint64_t)(F_TF | F_NT | F_RF | F_VM);
	if (!trap)
		fl &= ~(uint64_t)F_IF;
	x86_set_flags(c, fl);
	c->rip = target;
}

void op_iret(struct x86_cpu *c, const struct x86_insn *i)
{
	bool lm64 = long_mode64(c);
	unsigned sz = lm64 ? (i->opsize == 8 ? 8 : i->opsize ? i->opsize : 4) : (i->opsize ? i->opsize : 4);
	if (!(c->cr0 & 1))
		x86_raise(c, EXC_GP, 0);
	/* the frame is read in place; rsp moves only once it has all been read */
	uint64_t rip = frame_slot(c, 0, sz), fl = frame_slot(c, 2, sz);
	uint16_t cs = (uint16_t)frame_slot(c, 1, sz);
	unsigned rpl = cs & 3;
	if (rpl < c->cpl)
		x86_raise(c, EXC_GP, cs & ~3);
	uint64_t new_sp = 0;
	uint16_t ss = 0;
	bool outer = rpl > c->cpl;
	if (lm64 || outer) {
		new_sp = frame_slot(c, 3, sz);
		ss = (uint16_t)frame_slot(c, 4, sz);
	}
	/* flags with the permissions of the privilege level iret runs at */
	uint64_t old = c->flags, changeable = F_ARITH | F_TF | F_DF | F_NT | F_AC | F_ID | F_RF; /* old's arithmetic flags never survive */
	if (c->cpl <= ((old & F_IOPL) >> 12))
		changeable |= F_IF;
	if (c->cpl == 0)
		changeable |= F_IOPL | F_IF;
	if (sz == 2)
		changeable &= 0xffff;
	load_code_segment(c, cs, rpl);
	if (lm64 || outer) {
		if ((ss & ~3) == 0 && rpl < 3 && (c->efer & EFER_LMA)) {
			c->seg[S_SS] = (struct segment){ .sel = ss, .present = 1, .s = 1, .type = 3 };
		} else {
			load_segment(c, S_SS, ss);
			c->interrupt_shadow = false; /* MOV SS's, not IRET's */
		}
		c->r[R_SP] = new_sp;
	} else {
		pop_slots(c, 3, sz);
	}
	x86_set_flags(c, (old & ~changeable) | (fl & changeable));
	c->nmi_blocked = false;
	c->attention = true; /* IF may have come on, or an NMI waited */
	c->rip = long_mode64(c) ? rip : rip & 0xffffffffull;
	/* returning outward: data segments more privileged than the new level become null
	 * (their bases stay: FS/GS bases are MSRs in long mode) */
	if (outer)
		for (int s = S_ES; s <= S_GS; s++) {
			struct segment *g = &c->seg[s];
			bool conforming_code = (g->type & 0xc) == 0xc;
			if (s != S_CS && s != S_SS && (g->sel & ~3) && g->dpl < rpl && !conforming_code) {
				g->sel = 0;
				g->present = 0;
			}
		}
}

void op_syscall(struct x86_cpu *c, const struct x86_insn *i)
{
	(void)i;
	if (!(c->efer & EFER_SCE) || !long_mode64(c))
		x86_raise(c, EXC_UD, NO_ERROR_CODE);
	c->r[R_CX] = c->rip;
	c->r[R_R11] = x86_get_flags(c) & ~(uint64_t)F_RF;
	uint16_t kcs = (uint16_t)(c->star >> 32);
	set_cs(c, (struct segment){ .sel = kcs & ~3, .limit = 0xffffffff, .type = 11, .s = 1, .present = 1, .l = 1, .g = 1 });
	c->seg[S_SS] = (struct segment){ .sel = (uint16_t)((kcs + 8) & ~3), .limit = 0xffffffff, .type = 3, .s = 1, .present = 1, .db = 1, .g = 1 };
	set_cpl(c, 0);
	x86_set_flags(c, x86_get_flags(c) & ~c->fmask & ~(uint64_t)F_RF);
	c->rip = c->lstar;
}

void op_sysret(struct x86_cpu *c, const struct x86_insn *i)
{
	if (!(c->efer & EFER_SCE))
		x86_raise(c, EXC_UD, NO_ERROR_CODE);
	if (c->cpl || !long_mode64(c))
		x86_raise(c, EXC_GP, 0);
	uint16_t base = (uint16_t)(c->star >> 48);
	bool to64 = i->opsize == 8;
	uint64_t rip = to64 ? c->r[R_CX] : c->r[R_CX] & 0xffffffffull;
	if (to64 && (uint64_t)((int64_t)(rip << 16) >> 16) != rip)
		x86_raise(c, EXC_GP, 0); /* non-canonical return address */
	set_cs(c, (struct segment){ .sel = (uint16_t)((to64 ? base + 16 : base) | 3), .limit = 0xffffffff, .type = 11,
					 .s = 1, .dpl = 3, .present = 1, .l = to64, .db = !to64, .g = 1 });
	c->seg[S_SS] = (struct segment){ .sel = (uint16_t)((base + 8) | 3), .limit = 0xffffffff, .type = 3, .s = 1,
					 .dpl = 3, .present = 1, .db = 1, .g = 1 };
	set_cpl(c, 3);
	x86_set_flags(c, (c->r[R_R11] & ~(uint64_t)(F_RF | F_VM)) | 0x2);
	c->rip = rip;
}

void op_sysenter(struct x86_cpu *c, const struct x86_insn *i)
{
	(void)i;
	if (!(c->cr0 & 1) || !(c->sysenter_cs & ~3ull))
		x86_raise(c, EXC_GP, 0);
	bool lm = c->efer & EFER_LMA;
	uint16_t cs = (uint16_t)(c->sysenter_cs & ~3ull);
	set_cs(c, (struct segment){ .sel = cs, .limit = 0xffffffff, .type = 11, .s = 1, .present = 1, .l = lm, .db = !lm, .g = 1 });
	c->seg[S_SS] = (struct segment){ .sel = (uint16_t)(cs + 8), .limit = 0xffffffff, .type = 3, .s = 1, .present = 1, .db = 1, .g = 1 };
	set_cpl(c, 0);
	x86_set_flags(c, x86_get_flags(c) & ~(uint64_t)(F_IF | F_VM | F_RF));
	c->r[R_SP] = lm ? c->sysenter_esp : c->sysenter_esp & 0xffffffffull;
	c->rip = lm ? c->sysenter_eip : c->sysenter_eip & 0xffffffffull;
}

void op_sysexit(struct x86_cpu *c, const struct x86_insn *i)
{
	if (!(c->cr0 & 1) || c->cpl || !(c->sysenter_cs & ~3ull))
		x86_raise(c, EXC_GP, 0);
	bool to64 = i->opsize == 8;
	uint16_t cs = (uint16_t)((c->sysenter_cs & ~3ull) + (to64 ? 32 : 16));
	set_cs(c, (struct segment){ .sel = cs | 3, .limit = 0xffffffff, .type = 11, .s = 1, .dpl = 3, .present = 1, .l = to64, .db = !to64, .g = 1 });
	c->seg[S_SS] = (struct segment){ .sel = (uint16_t)((cs + 8) | 3), .limit = 0xffffffff, .type = 3, .s = 1, .dpl = 3, .present = 1, .db = 1, .g = 1 };
	set_cpl(c, 3);
	c->r[R_SP] = to64 ? c->r[R_CX] : c->r[R_CX] & 0xffffffffull;
	c->rip = to64 ? c->r[R_DX] : c->r[R_DX] & 0xffffffffull;
}
