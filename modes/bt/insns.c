/* The host code for each instruction bt translates natively (the rows of native.def):
 * moves and ALU operations, shifts, multiplies, extensions, conditionals, the stack and
 * control flow. What they share with the block's translation is tr.h. */
#include <string.h>
#include "tr.h"

static bool size_ok(unsigned s) { return s == 1 || s == 2 || s == 4 || s == 8; }

static void emit_imm(struct tr *t, unsigned size, int64_t v)
{
	if (size == 1)
		e_byte(&t->a, (uint8_t)v);
	else if (size == 2) {
		e_byte(&t->a, (uint8_t)v);
		e_byte(&t->a, (uint8_t)(v >> 8));
	} else
		e_u32(&t->a, (uint32_t)v);
}

/* The two-operand ALU forms and mov: rm_r is the "op r/m, r" opcode (8-bit form), grp
 * the opcode of "op r/m, imm" (8-bit form) and digit its /digit. */
bool tr_alu(struct tr *t, const struct x86_insn *i, uint32_t rm_r, uint32_t grp, unsigned digit, bool writes,
		bool flags)
{
	const struct x86_operand *d = &i->op[0], *s = &i->op[1];
	unsigned sz = d->size;
	bool mov = rm_r == OPC_MOV_EbGb;
	if (i->nops != 2 || !size_ok(sz) || (d->kind != OPK_REG && d->kind != OPK_MEM) ||
	    (s->kind != OPK_REG && s->kind != OPK_IMM && s->kind != OPK_MEM) || (s->kind == OPK_MEM && d->kind == OPK_MEM) ||
	    (s->kind != OPK_IMM && s->size != sz))
		return false;
	bool imm = s->kind == OPK_IMM, wide = imm && sz == 8 && (s->val < INT32_MIN || s->val > INT32_MAX);
	if (wide && !mov)
		return false;
	const struct x86_operand *m = d->kind == OPK_MEM ? d : s->kind == OPK_MEM ? s : NULL;
	if (m) {
		if (!tr_mem_addr(t, i, m))
			return false;
		tr_tlb(t, sz, m == d && writes ? ACC_WRITE : ACC_READ);
	}
	struct asm_buf *a = &t->a;
	struct place p = d->kind == OPK_REG ? tr_gpr(t, d) : AT_RAX;
	/* a 32-bit result zeroes the upper half: in a host register by itself, in the CPU
	 * through eax */
	bool via_eax = d->kind == OPK_REG && sz == 4 && p.mem;
	if (s->kind == OPK_MEM && !p.mem) { /* straight from memory into the host register */
		uint32_t op = rm_r == OPC_TEST_EbGb ? rm_r : rm_r + 2; /* "op r, r/m"; test has one form */
		e_op(a, sz, sz == 1 ? op : op + 1, p.rm, true, H_AX, 0);
		t->host_flags = flags || t->host_flags;
		return true;
	}
	unsigned src = H_CX;
	if (s->kind == OPK_REG)
		src = tr_in_reg(t, H_CX, s);
	else if (s->kind == OPK_MEM)
		e_load(a, sz, H_CX, H_AX, 0);
	else if (wide || (mov && via_eax)) {
		e_mov_imm64(a, H_CX, (uint64_t)s->val & size_mask(sz));
		imm = false;
	}
	if (via_eax) {
		if (mov) {
			if (src != H_CX)
				e_mov(a, 4, H_CX, src); /* zero-extended */
			tr_e_at(t, 8, OPC_MOV_EvGv, H_CX, p);
			return true;
		}
		tr_e_at(t, 4, OPC_MOV_GvEv, H_AX, p);
		if (imm) {
			e_op(a, 4, grp + 1, digit, false, H_AX, 0);
			emit_imm(t, 4, s->val);
		} else {
			e_op(a, 4, rm_r + 1, src, false, H_AX, 0);
		}
		if (writes)
			tr_e_at(t, 8, OPC_MOV_EvGv, H_AX, p);
	} else if (imm) {
		tr_e_at(t, sz, sz == 1 ? grp : grp + 1, digit, p);
		emit_imm(t, sz, s->val);
	} else if (wide) {
		tr_e_at(t, 8, OPC_MOV_EvGv, H_CX, p);
	} else {
		tr_e_at(t, sz, sz == 1 ? rm_r : rm_r + 1, src, p);
	}
	t->host_flags = flags || t->host_flags;
	return true;
}

/* d, a register or memory operand to be written in place: for memory, its host address
 * into rax through the TLB path; false, with nothing emitted, where the inline path
 * cannot do it. */
static bool writable_place(struct tr *t, const struct x86_insn *i, const struct x86_operand *d)
{
	if (!size_ok(d->size) || (d->kind != OPK_REG && d->kind != OPK_MEM))
		return false;
	if (d->kind == OPK_MEM) {
		if (!tr_mem_addr(t, i, d))
			return false;
		tr_tlb(t, d->size, ACC_WRITE);
	}
	return true;
}

/* A one-operand group instruction (opcode op8 for bytes, op otherwise, /digit) on d in
 * place, with an imm8 after it when imm >= 0; a 32-bit register in the CPU goes through
 * eax so that its upper half is zeroed. */
static bool in_place(struct tr *t, const struct x86_insn *i, uint32_t op8, uint32_t op, unsigned digit, int imm)
{
	const struct x86_operand *d = &i->op[0];
	unsigned sz = d->size;
	if (!writable_place(t, i, d))
		return false;
	struct asm_buf *a = &t->a;
	struct place p = d->kind == OPK_REG ? tr_gpr(t, d) : AT_RAX;
	bool via_eax = d->kind == OPK_REG && sz == 4 && p.mem;
	if (via_eax) {
		tr_e_at(t, 4, OPC_MOV_GvEv, H_AX, p);
		e_op(a, 4, op, digit, false, H_AX, 0);
	} else {
		tr_e_at(t, sz, sz == 1 ? op8 : op, digit, p);
	}
	if (imm >= 0)
		e_byte(a, (uint8_t)imm);
	if (via_eax)
		tr_e_at(t, 8, OPC_MOV_EvGv, H_AX, p);
	return true;
}

/* shl/shr/sar by an immediate count that is not 0 (a count of 0 writes no flags). The
 * SDM leaves AF, and OF beyond a count of 1, undefined, and hosts differ there; so when
 * something can read the flags, the shift leaves the model's lazy state (value before,
 * count, result) as the interpreter's handler does, for every host alike. */
bool tr_shift(struct tr *t, const struct x86_insn *i, unsigned digit)
{
	enum cc_op op = digit == SHIFT_SHL ? CC_SHL : digit == SHIFT_SHR ? CC_SHR : CC_SAR;
	const struct x86_operand *d = &i->op[0], *s = &i->op[1];
	unsigned sz = d->size, n = (unsigned)s->val & (sz == 8 ? 63 : 31);
	if (i->nops != 2 || s->kind != OPK_IMM || !n)
		return false;
	if (!t->flags_live) {
		if (!in_place(t, i, OPC_SHIFT_EbIb, OPC_SHIFT_EvIb, digit, (int)n))
			return false;
		t->host_flags = true;
		return true;
	}
	if (!writable_place(t, i, d))
		return false;
	struct asm_buf *a = &t->a;
	struct place p = d->kind == OPK_REG ? tr_gpr(t, d) : AT_RAX;
	tr_e_at(t, sz == 8 ? 8 : 4, sz == 1 ? OPC_MOVZBL : sz == 2 ? OPC_MOVZWL : OPC_MOV_GvEv, H_CX, p); /* zero-extended */
	e_store(a, 8, H_CX, H_BX, OFF(cc.dst));
	e_shift_imm(a, sz, digit, H_CX, (uint8_t)n);
	if (d->kind == OPK_REG && sz == 4)
		tr_e_at(t, 8, OPC_MOV_EvGv, H_CX, p); /* rcx is zero-extended */
	else
		tr_e_at(t, sz, sz == 1 ? OPC_MOV_EbGb : OPC_MOV_EvGv, H_CX, p);
	e_store(a, 8, H_CX, H_BX, OFF(cc.res));
	e_store_imm(a, 8, H_BX, OFF(cc.src), (int32_t)n);
	e_store_imm(a, 1, H_BX, OFF(cc.op), (int32_t)op);
	e_store_imm(a, 1, H_BX, OFF(cc.size), (int32_t)sz);
	t->host_flags = false;
	t->flags_stored = true;
	return true;
}

/* not (no flags) and neg, on a register or memory */
bool tr_unary(struct tr *t, const struct x86_insn *i, unsigned digit)
{
	if (i->nops != 1 || !in_place(t, i, OPC_GRP3_Eb, OPC_GRP3_Ev, digit, -1))
		return false;
	t->host_flags = digit == 3 || t->host_flags;
	return true;
}

/* The flags in rax (lahf, seto al) with CF taken from the CPU's flags before: CC_HOST
 * with the old CF at bit 8 (tr_incdec's slow case). */
static void keep_cf(struct x86_cpu *c, uint64_t host)
{
	bool cf = x86_arith_flags(c) & F_CF;
	c->cc.src = (host & ~0x100ull) | (cf ? 0x100 : 0);
	c->cc.op = CC_HOST;
}

/* A jump (to patch) taken unless the CPU's saved flags are host flags (cc.op CC_HOST or
 * CC_HOST_LOGIC: CF at bit 8, OF at bit 0), which a merge can edit in place; cc.op is
 * loaded into scratch. */
static uint8_t *e_unless_host_flags(struct asm_buf *a, unsigned scratch)
{
	e_op(a, 4, OPC_MOVZBL, scratch, true, H_BX, OFF(cc.op));
	e_alu_imm(a, 4, ARITH_SUB, false, scratch, 0, CC_HOST);
	e_alu_imm(a, 4, ARITH_CMP, false, scratch, 0, CC_HOST_LOGIC - CC_HOST);
	return e_jcc(a, COND_A);
}

/* The other flags: the C merge fn(cpu, value of reg), the held registers spilled around it */
static void call_merge(struct tr *t, uintptr_t fn, unsigned reg)
{
	struct asm_buf *a = &t->a;
	tr_spill(t, HELD_CLOBBERED);
	e_mov(a, 8, H_SI, reg);
	e_mov_imm64(a, H_AX, (uint64_t)fn);
	tr_call_rax(t);
	tr_reload(t, HELD_CLOBBERED);
}

/* inc and dec (0xfe, 0xff /0 /1): CF as it was, the rest theirs. On the guest's flags in
 * host EFLAGS (and no probe between) the host's CF is the guest's already and tr_block
 * saves them whole; otherwise, when a later instruction (or a fault) can read them, CF
 * is merged in from the CPU's saved flags: in place when those are host flags (CF at
 * bit 8), else through keep_cf. */
bool tr_incdec(struct tr *t, const struct x86_insn *i, unsigned digit)
{
	bool cf_in_host = t->host_flags && i->op[0].kind == OPK_REG;
	if (i->nops != 1 || !in_place(t, i, OPC_GRP4_Eb, OPC_GRP5, digit, -1))
		return false;
	if (cf_in_host || !t->flags_live)
		return true;
	struct asm_buf *a = &t->a;
	e_byte(a, OPC_LAHF);
	e_op(a, 4, OPC_SETCC | COND_O, 0, false, H_AX, 0); /* seto al */
	uint8_t *other = e_unless_host_flags(a, H_CX);
	e_load(a, 8, H_CX, H_BX, OFF(cc.src));
	e_alu_imm(a, 4, ARITH_AND, false, H_CX, 0, 0x100);  /* the old CF */
	e_alu_imm(a, 4, ARITH_AND, false, H_AX, 0, ~0x100); /* the new flags but CF */
	e_op(a, 4, OPC_OR_EvGv, H_CX, false, H_AX, 0);
	e_store(a, 8, H_AX, H_BX, OFF(cc.src));
	e_store_imm(a, 1, H_BX, OFF(cc.op), CC_HOST);
	uint8_t *done = e_jmp(a);
	e_patch(other, a->p);
	call_merge(t, (uintptr_t)keep_cf, H_AX);
	e_patch(done, a->p);
	t->flags_stored = true;
	t->host_flags = false;
	return true;
}

/* CF = OF = cl into the CPU's flags as x86_mul_flags leaves them (SF, ZF, AF and PF as
 * they were): into the saved host flags in place when the flags before are those
 * (CC_HOST, CC_HOST_LOGIC: CF at bit 8, OF at bit 0), else through the C function. */
static void merge_cf_of(struct tr *t)
{
	struct asm_buf *a = &t->a;
	e_op(a, 4, OPC_MOVZBL, H_CX, false, H_CX, 0);
	uint8_t *other = e_unless_host_flags(a, H_AX);
	e_mov(a, 4, H_DX, H_CX);
	e_shift_imm(a, 4, SHIFT_SHL, H_DX, 8);
	e_op(a, 4, OPC_OR_EvGv, H_DX, false, H_CX, 0); /* ecx = CF << 8 | OF */
	e_alu_imm(a, 8, ARITH_AND, true, H_BX, OFF(cc.src), ~0x101);
	e_op(a, 8, OPC_OR_EvGv, H_CX, true, H_BX, OFF(cc.src));
	uint8_t *done = e_jmp(a);
	e_patch(other, a->p);
	call_merge(t, (uintptr_t)x86_mul_flags, H_CX);
	e_patch(done, a->p);
}

/* mul and one-operand imul (digit 4, 5) at 32 or 64 bits: rdx:rax = rax * r/m, the guest's
 * rax and rdx stored from the host's; CF = OF merged as x86_mul_flags leaves them. */
bool tr_mul(struct tr *t, const struct x86_insn *i, unsigned digit)
{
	const struct x86_operand *s = &i->op[0];
	unsigned sz = s->size;
	if (i->nops != 1 || (sz != 4 && sz != 8) || (s->kind != OPK_REG && s->kind != OPK_MEM))
		return false;
	struct asm_buf *a = &t->a;
	unsigned src = H_CX;
	if (s->kind == OPK_MEM) {
		if (!tr_mem_addr(t, i, s))
			return false;
		tr_tlb(t, sz, ACC_READ);
		e_load(a, sz, H_CX, H_AX, 0);
	} else {
		src = tr_in_reg(t, H_CX, s);
	}
	tr_e_at(t, sz, OPC_MOV_GvEv, H_AX, tr_reg64(t, R_AX));
	e_op(a, sz, OPC_GRP3_Ev, digit, false, src, 0);
	if (t->flags_live)
		e_op(a, 4, OPC_SETCC | COND_B, 0, false, H_CX, 0); /* setc cl */
	tr_e_at(t, 8, OPC_MOV_EvGv, H_AX, tr_reg64(t, R_AX)); /* a 32-bit mul zero-extends both */
	tr_e_at(t, 8, OPC_MOV_EvGv, H_DX, tr_reg64(t, R_DX));
	if (t->flags_live)
		merge_cf_of(t);
	t->host_flags = false;
	return true;
}

/* imul r, r/m and imul r, r/m, imm at 32 or 64 bits on the host's imul; when a later
 * instruction can read the flags, CF = OF merged as for mul (SF, ZF, AF and PF are
 * undefined, and x86_mul_flags keeps them as they were) */
bool tr_imul(struct tr *t, const struct x86_insn *i)
{
	const struct x86_operand *d = &i->op[0], *s = &i->op[1];
	unsigned sz = d->size;
	if (i->nops == 1)
		return tr_mul(t, i, 5);
	if ((i->nops != 2 && i->nops != 3) || (sz != 4 && sz != 8) || d->kind != OPK_REG ||
	    (s->kind != OPK_REG && s->kind != OPK_MEM) || (i->nops == 3 && i->op[2].kind != OPK_IMM))
		return false;
	unsigned src = H_CX;
	if (s->kind == OPK_MEM) {
		if (!tr_mem_addr(t, i, s))
			return false;
		tr_tlb(t, sz, ACC_READ);
		e_load(&t->a, sz, H_CX, H_AX, 0);
	} else {
		src = tr_in_reg(t, H_CX, s);
	}
	struct asm_buf *a = &t->a;
	struct place p = tr_gpr(t, d);
	unsigned dst = p.mem ? H_AX : p.rm; /* a 32-bit result is zero-extended there */
	if (i->nops == 3) {
		e_op(a, sz, OPC_IMUL_GvEvIz, dst, false, src, 0);
		e_u32(a, (uint32_t)i->op[2].val);
	} else {
		if (p.mem)
			tr_e_at(t, sz, OPC_MOV_GvEv, H_AX, p);
		e_op(a, sz, OPC_IMUL_GvEv, dst, false, src, 0);
	}
	if (t->flags_live)
		e_op(a, 4, OPC_SETCC | COND_B, 0, false, H_CX, 0); /* setc cl: CF and OF are equal after it */
	if (p.mem)
		tr_e_at(t, 8, OPC_MOV_EvGv, H_AX, p);
	if (t->flags_live)
		merge_cf_of(t);
	t->host_flags = false; /* the host's SF, ZF, AF and PF are not the model's */
	return true;
}

/* lea, movzx, movsx, movsxd into a 32- or 64-bit register */
bool tr_load_ext(struct tr *t, const struct x86_insn *i, uint32_t op8, uint32_t op16)
{
	const struct x86_operand *d = &i->op[0], *s = &i->op[1];
	unsigned sz = d->size;
	if (i->nops != 2 || (sz != 4 && sz != 8) || d->kind != OPK_REG || (s->kind != OPK_REG && s->kind != OPK_MEM))
		return false;
	uint32_t op = s->size == 1 ? op8 : s->size == 2 ? op16 : 0x63; /* movsxd */
	if (s->size == 4 && (sz != 8 || op8 != 0x0fbe))
		return false;
	struct place from = AT_RAX, to = tr_gpr(t, d);
	if (s->kind == OPK_MEM) {
		if (!tr_mem_addr(t, i, s))
			return false;
		tr_tlb(t, s->size, ACC_READ);
	} else {
		from = tr_gpr(t, s);
	}
	tr_e_at(t, sz, op, to.mem ? H_CX : to.rm, from); /* a 32-bit result is zero-extended */
	if (to.mem)
		tr_e_at(t, 8, OPC_MOV_EvGv, H_CX, to);
	return true;
}

bool tr_lea(struct tr *t, const struct x86_insn *i)
{
	const struct x86_operand *d = &i->op[0];
	if (i->nops != 2 || d->kind != OPK_REG || (d->size != 4 && d->size != 8) || i->op[1].kind != OPK_MEM)
		return false;
	struct x86_operand o = i->op[1];
	o.seg = S_DS; /* no segment applies to lea */
	if (!tr_mem_addr(t, i, &o))
		return false;
	if (d->size == 4)
		e_mov(&t->a, 4, H_AX, H_AX); /* mov eax, eax */
	tr_e_at(t, 8, OPC_MOV_EvGv, H_AX, tr_gpr(t, d));
	return true;
}

static uint64_t cond_value(struct x86_cpu *c, unsigned cond) { return cond_true(c, cond); }

/* the value of cond (0 or 1) in al, from host flags when they are the guest's */
static void cond_to_al(struct tr *t, unsigned cond)
{
	struct asm_buf *a = &t->a;
	if (t->host_flags) {
		e_op(a, 4, OPC_SETCC | cond, 0, false, H_AX, 0); /* setcc al */
		return;
	}
	tr_spill(t, HELD_CLOBBERED);
	e_byte(a, OPC_MOV_Iv + H_SI); /* mov esi, cond */
	e_u32(a, cond);
	e_mov_imm64(a, H_AX, (uint64_t)(uintptr_t)cond_value);
	tr_call_rax(t);
	tr_reload(t, HELD_CLOBBERED);
}

bool tr_setcc(struct tr *t, const struct x86_insn *i)
{
	const struct x86_operand *d = &i->op[0];
	if (i->nops != 1 || d->kind != OPK_REG || d->size != 1)
		return false;
	cond_to_al(t, i->cond);
	tr_e_at(t, 1, OPC_MOV_EbGb, H_AX, tr_gpr(t, d));
	return true;
}

bool tr_cmovcc(struct tr *t, const struct x86_insn *i)
{
	const struct x86_operand *d = &i->op[0], *s = &i->op[1];
	if (!t->host_flags || i->nops != 2 || d->kind != OPK_REG || s->kind != OPK_REG || (d->size != 4 && d->size != 8))
		return false;
	unsigned src = tr_in_reg(t, H_CX, s);
	struct place p = tr_gpr(t, d);
	if (p.mem)
		tr_e_at(t, d->size, OPC_MOV_GvEv, H_AX, p);
	e_op(&t->a, d->size, OPC_CMOVCC | i->cond, p.mem ? H_AX : p.rm, false, src, 0);
	if (p.mem)
		tr_e_at(t, 8, OPC_MOV_EvGv, H_AX, p); /* zero-extended even when not moved */
	return true;
}

/* The stack's word: 8 bytes, or 4 in 32-bit code (its stack segment is flat and 32-bit:
 * esp wraps at 4 GiB). */
static unsigned word(const struct tr *t) { return t->code32 ? 4 : 8; }

/* rax = the guest's rsp + delta, and the TLB path to a word there */
static void stack_slot(struct tr *t, int32_t delta, enum access acc)
{
	tr_e_at(t, 8, OPC_MOV_GvEv, H_AX, tr_reg64(t, R_SP));
	if (delta)
		e_lea(&t->a, H_AX, H_AX, delta);
	if (t->code32)
		e_mov(&t->a, 4, H_AX, H_AX);
	tr_tlb(t, word(t), acc);
}

static void rsp_add(struct tr *t, int32_t delta)
{
	struct place sp = tr_reg64(t, R_SP);
	tr_e_at(t, 8, OPC_MOV_GvEv, H_DX, sp);
	e_lea(&t->a, H_DX, H_DX, delta);
	if (t->code32)
		e_mov(&t->a, 4, H_DX, H_DX);
	tr_e_at(t, 8, OPC_MOV_EvGv, H_DX, sp);
}

/* the end of a push, rax holding the slot's host address: a word from host register h
 * into it, and rsp down */
static void push_from(struct tr *t, unsigned h)
{
	e_store(&t->a, word(t), h, H_AX, 0);
	rsp_add(t, -(int32_t)word(t));
}

bool tr_push_pop(struct tr *t, const struct x86_insn *i, bool push)
{
	const struct x86_operand *o = &i->op[0];
	if (i->nops != 1 || i->opsize == 2 || (o->kind != OPK_REG && !(push && o->kind == OPK_IMM)) ||
	    (o->kind == OPK_REG && o->size != word(t)) || (!push && o->reg == R_SP))
		return false;
	if (push) {
		stack_slot(t, -(int32_t)word(t), ACC_WRITE); /* first: the TLB path clobbers rcx */
		unsigned src = H_CX;
		if (o->kind == OPK_REG)
			src = tr_in_reg(t, H_CX, o);
		else
			e_mov_imm64(&t->a, H_CX, (uint64_t)o->val);
		push_from(t, src);
		return true;
	}
	stack_slot(t, 0, ACC_READ);
	e_load(&t->a, word(t), H_CX, H_AX, 0); /* a 4-byte load zero-extends */
	rsp_add(t, (int32_t)word(t));
	tr_e_at(t, 8, OPC_MOV_EvGv, H_CX, tr_gpr(t, o));
	return true;
}

/* A 64-bit branch target in host register h (rax or rcx) that is not canonical goes to the
 * instruction's slow path, whose handler raises #GP on the branch itself; 32-bit code has
 * no such addresses. rdx clobbered. */
static void canonical_or_slow(struct tr *t, unsigned h)
{
	if (t->code32)
		return;
	struct asm_buf *a = &t->a;
	e_mov(a, 8, H_DX, h);
	e_shift_imm(a, 8, SHIFT_SHL, H_DX, 16);
	e_shift_imm(a, 8, SHIFT_SAR, H_DX, 16);
	e_op(a, 8, OPC_CMP_EvGv, h, false, H_DX, 0);
	tr_jump_to(tr_new_stub(t, ST_SLOW, t->k), e_jcc(a, COND_NE));
	t->host_flags = false;
}

/* Leave the block for c->rip, computed (ret, jmp reg), with done instructions completed:
 * through the indirect-branch table straight into the translation for that rip when its
 * entry holds for this epoch, generation and TLB class (a CPL 3 return into a page only
 * the kernel may execute must fault on the fetch, not run its translation) and the target
 * fits within tb_limit (QEMU's lookup_and_goto_ptr); else out, asking the run loop to fill
 * the entry. */
static void exit_indirect(struct tr *t, unsigned done)
{
	_Static_assert(sizeof(struct bt_ind) == 32, "exit_indirect indexes entries by a shift of 5");
	struct asm_buf *a = &t->a;
	tr_count_done(t, done);
	e_load(a, 8, H_CX, H_BX, OFF(rip));
	e_mov(a, 8, H_DX, H_CX);       /* rdx = rip */
	e_shift_imm(a, 8, SHIFT_SHR, H_DX, BT_IND_SHIFT); /* bt_ind_slot */
	e_op(a, 8, OPC_XOR_EvGv, H_CX, false, H_DX, 0);  /* rdx ^= rcx */
	e_alu_imm(a, 4, ARITH_AND, false, H_DX, 0, BT_IND_SIZE - 1);
	e_shift_imm(a, 4, SHIFT_SHL, H_DX, 5);          /* * sizeof entry */
	e_mov_imm64(a, H_AX, (uint64_t)(uintptr_t)t->bt->ind);
	e_op(a, 8, OPC_ADD_EvGv, H_AX, false, H_DX, 0);  /* rdx += rax */
	e_cmp_load(a, 8, H_CX, H_DX, (int32_t)offsetof(struct bt_ind, rip));
	uint8_t *miss = e_jcc(a, COND_NE);
	e_load(a, 8, H_AX, H_BX, OFF(tlb_epoch));
	e_cmp_load(a, 8, H_AX, H_DX, (int32_t)offsetof(struct bt_ind, epoch));
	uint8_t *stale_epoch = e_jcc(a, COND_NE);
	e_load(a, 4, H_AX, H_BX, OFF(tb_gen));
	e_cmp_load(a, 4, H_AX, H_DX, (int32_t)offsetof(struct bt_ind, gen));
	uint8_t *stale_gen = e_jcc(a, COND_NE);
	e_alu_imm(a, 1, ARITH_CMP, true, H_DX, (int32_t)offsetof(struct bt_ind, tclass), (int32_t)t->tclass);
	uint8_t *other_class = e_jcc(a, COND_NE);
	e_op(a, 4, OPC_MOVZWL, H_AX, true, H_DX, (int32_t)offsetof(struct bt_ind, n));
	e_op(a, 8, OPC_ADD_EvGv, H_COUNT, false, H_AX, 0); /* rax += count */
	e_cmp_load(a, 8, H_AX, H_BX, OFF(tb_limit));
	uint8_t *no_room = e_jcc(a, COND_A);
	tr_count_into(t, &t->bt->chain_hits);
	tr_spill(t, HELD_REGS); /* the target's chain entry loads the ones it holds */
	e_op(a, 4, OPC_GRP5, EXT5_JMP, true, H_DX, (int32_t)offsetof(struct bt_ind, chain)); /* jmp [rdx + chain] */
	e_patch(miss, a->p);
	e_patch(stale_epoch, a->p);
	e_patch(stale_gen, a->p);
	e_patch(other_class, a->p);
	e_patch(no_room, a->p);
	tr_leave_for_link(t, (uint64_t)(uintptr_t)t->bt->ind);
}

/* call rel/reg/mem, ret, jmp rel/reg/mem: the block's end, rip set, out */
bool tr_branch(struct tr *t, const struct x86_insn *i, unsigned mn)
{
	const struct x86_operand *o = &i->op[0];
	unsigned w = word(t);
	if (i->far || i->opsize == 2)
		return false;
	/* a constant target that is not canonical: the handler's #GP on the branch, precisely */
	if (o->kind == OPK_REL && !t->code32 && !x86_canonical(t->next + (uint64_t)o->val))
		return false;
	switch (mn) {
	case ZYDIS_MNEMONIC_CALL:
		if (o->kind == OPK_REL) {
			stack_slot(t, -(int32_t)w, ACC_WRITE);
			e_mov_imm64(&t->a, H_CX, t->next);
			push_from(t, H_CX);
			tr_exit_to(t, t->k + 1, tr_wrap(t, t->next + (uint64_t)o->val));
			return true;
		}
		/* call r/m: the target into rip first (a slow path redoes the whole call and sets
		 * rip itself), then the push, then out through the indirect table */
		if ((o->kind != OPK_REG && o->kind != OPK_MEM) || o->size != w)
			return false;
		if (o->kind == OPK_MEM) {
			if (!tr_mem_addr(t, i, o))
				return false;
			tr_tlb(t, w, ACC_READ);
			e_load(&t->a, w, H_CX, H_AX, 0);
		} else {
			tr_e_at(t, 8, OPC_MOV_GvEv, H_CX, tr_gpr(t, o));
		}
		canonical_or_slow(t, H_CX);
		e_store(&t->a, 8, H_CX, H_BX, OFF(rip));
		stack_slot(t, -(int32_t)w, ACC_WRITE);
		e_mov_imm64(&t->a, H_CX, t->next);
		push_from(t, H_CX);
		exit_indirect(t, t->k + 1);
		return true;
	case ZYDIS_MNEMONIC_RET:
		if (i->nops)
			return false;
		stack_slot(t, 0, ACC_READ);
		e_load(&t->a, w, H_CX, H_AX, 0);
		canonical_or_slow(t, H_CX);
		e_store(&t->a, 8, H_CX, H_BX, OFF(rip));
		rsp_add(t, (int32_t)w);
		exit_indirect(t, t->k + 1);
		return true;
	default: /* jmp */
		if (o->kind == OPK_REL) {
			tr_exit_to(t, t->k + 1, tr_wrap(t, t->next + (uint64_t)o->val));
			return true;
		} else if (o->kind == OPK_REG && o->size == w) {
			tr_e_at(t, 8, OPC_MOV_GvEv, H_AX, tr_gpr(t, o));
			canonical_or_slow(t, H_AX);
			e_store(&t->a, 8, H_AX, H_BX, OFF(rip));
			exit_indirect(t, t->k + 1);
			return true;
		} else if (o->kind == OPK_MEM && o->size == w && tr_mem_addr(t, i, o)) { /* a tail call through a table */
			tr_tlb(t, w, ACC_READ);
			e_load(&t->a, w, H_CX, H_AX, 0);
			canonical_or_slow(t, H_CX);
			e_store(&t->a, 8, H_CX, H_BX, OFF(rip));
			exit_indirect(t, t->k + 1);
			return true;
		} else {
			return false;
		}
	}
}

bool tr_jcc(struct tr *t, const struct x86_insn *i)
{
	if (i->op[0].kind != OPK_REL || i->opsize == 2 ||
	    (!t->code32 && !x86_canonical(t->next + (uint64_t)i->op[0].val)))
		return false;
	struct stub *taken = tr_new_stub(t, ST_TAKEN, t->k);
	taken->target = tr_wrap(t, t->next + (uint64_t)i->op[0].val);
	if (t->host_flags) {
		tr_jump_to(taken, e_jcc(&t->a, i->cond));
	} else {
		cond_to_al(t, i->cond);
		e_op(&t->a, 1, OPC_TEST_EbGb, H_AX, false, H_AX, 0); /* test al, al */
		tr_jump_to(taken, e_jcc(&t->a, COND_NE));
	}
	return true;
}

/* Instruction k as host instructions; false, with nothing emitted, when it must be a
 * callout. */
