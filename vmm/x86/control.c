/* Near control transfer and the stack. Far forms go to system.c. */
#include "decode.h"
#include "exec.h"
#include "system.h"

/* A near branch to a non-canonical address faults on the branch itself (#GP(0), rip the
 * branch's), before anything of it is done: not at the target's fetch. */
static void check_target(struct x86_cpu *c, const struct x86_insn *i, uint64_t target)
{
	if (long_mode64(c) && i->opsize != 2 && !x86_canonical(target))
		x86_raise(c, EXC_GP, 0);
}

static void branch(struct x86_cpu *c, const struct x86_insn *i, uint64_t target)
{
	check_target(c, i, target);
	c->rip = long_mode64(c) && i->opsize != 2 ? target : target & size_mask(i->opsize ? i->opsize : 4);
}

static uint64_t target_of(struct x86_cpu *c, const struct x86_insn *i)
{
	return i->op[0].kind == OPK_REL ? c->rip + (uint64_t)i->op[0].val : opnd_read(c, i, 0);
}

void op_jmp(struct x86_cpu *c, const struct x86_insn *i)
{
	if (i->far) {
		far_transfer(c, i, false);
		return;
	}
	branch(c, i, target_of(c, i));
}

void op_jcc(struct x86_cpu *c, const struct x86_insn *i)
{
	if (cond_true(c, i->cond))
		branch(c, i, c->rip + (uint64_t)i->op[0].val);
}

void op_call(struct x86_cpu *c, const struct x86_insn *i)
{
	if (i->far) {
		far_transfer(c, i, true);
		return;
	}
	uint64_t t = target_of(c, i);
	check_target(c, i, t); /* before the push */
	push(c, c->rip, stack_size(c, i));
	branch(c, i, t);
}

void op_ret(struct x86_cpu *c, const struct x86_insn *i)
{
	if (i->far) {
		far_return(c, i);
		return;
	}
	uint64_t t = pop(c, stack_size(c, i));
	if (i->nops)
		c->r[R_SP] += (uint64_t)opnd_read(c, i, 0);
	branch(c, i, t);
}

void op_push(struct x86_cpu *c, const struct x86_insn *i)
{
	if (i->op[0].kind == OPK_SEG) {
		push(c, c->seg[i->op[0].reg].sel, stack_size(c, i));
		return;
	}
	unsigned sz = stack_size(c, i);
	uint64_t v = i->op[0].kind == OPK_IMM ? (uint64_t)i->op[0].val : opnd_read(c, i, 0);
	push(c, v & size_mask(sz), sz);
}

void op_pop(struct x86_cpu *c, const struct x86_insn *i)
{
	if (i->op[0].kind == OPK_SEG) {
		load_segment(c, i->op[0].reg, (uint16_t)pop(c, stack_size(c, i)));
		return;
	}
	/* a memory destination is addressed with the popped rsp; if it faults, the step
	 * loop puts rsp back */
	opnd_write(c, i, 0, pop(c, stack_size(c, i)));
}

/* Legacy modes only (the decoder refuses 60/61 in 64-bit mode). pusha stores the rsp the
 * instruction started with; a fault part-way leaves the registers as they were, since
 * the step loop restores rsp and popa writes nothing before its last read. */
void op_pusha(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = i->opsize;
	uint64_t sp = c->r[R_SP];
	for (int r = R_AX; r <= R_DI; r++)
		push(c, (r == R_SP ? sp : c->r[r]) & size_mask(sz), sz);
}

void op_popa(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = i->opsize;
	uint64_t v[8];
	for (int r = R_DI; r >= R_AX; r--)
		v[r] = pop(c, sz);
	for (int r = R_AX; r <= R_DI; r++)
		if (r != R_SP)
			reg_write(c, r, sz, false, v[r]);
}

void op_leave(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = stack_size(c, i);
	c->r[R_SP] = c->r[R_BP];
	reg_write(c, R_BP, sz, false, pop(c, sz));
}

void op_enter(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = stack_size(c, i);
	uint64_t alloc = (uint64_t)i->op[0].val & 0xffff;
	unsigned level = (unsigned)i->op[1].val & 31;
	push(c, c->r[R_BP], sz);
	uint64_t frame = c->r[R_SP];
	for (unsigned k = 1; k < level; k++)
		push(c, mem_read(c, seg_linear(c, S_SS, c->r[R_BP] - k * sz, 8), sz), sz);
	if (level)
		push(c, frame, sz);
	reg_write(c, R_BP, sz, false, frame);
	c->r[R_SP] -= alloc;
}

void op_pushf(struct x86_cpu *c, const struct x86_insn *i)
{
	push(c, x86_get_flags(c) & ~(uint64_t)(F_RF | F_VM), stack_size(c, i));
}

void op_popf(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = stack_size(c, i);
	uint64_t v = pop(c, sz), old = x86_get_flags(c);
	uint64_t changeable = F_ARITH | F_TF | F_DF | F_NT | F_AC | F_ID;
	unsigned iopl = (old & F_IOPL) >> 12;
	if (c->cpl <= iopl)
		changeable |= F_IF;
	if (c->cpl == 0)
		changeable |= F_IOPL;
	if (sz == 2)
		changeable &= 0xffff;
	x86_set_flags(c, (old & ~changeable) | (v & changeable));
	c->attention = true; /* IF may have come on */
}

static uint64_t count_reg(struct x86_cpu *c, const struct x86_insn *i)
{
	return reg_read(c, R_CX, i->addrsize, false);
}

static void loop_common(struct x86_cpu *c, const struct x86_insn *i, int zf_need)
{
	uint64_t n = (count_reg(c, i) - 1) & size_mask(i->addrsize);
	reg_write(c, R_CX, i->addrsize, false, n);
	bool zf = flag(c, F_ZF);
	if (n && (zf_need < 0 || zf == (bool)zf_need))
		branch(c, i, c->rip + (uint64_t)i->op[0].val);
}

void op_loop(struct x86_cpu *c, const struct x86_insn *i) { loop_common(c, i, -1); }
void op_loope(struct x86_cpu *c, const struct x86_insn *i) { loop_common(c, i, 1); }
void op_loopne(struct x86_cpu *c, const struct x86_insn *i) { loop_common(c, i, 0); }

void op_jcxz(struct x86_cpu *c, const struct x86_insn *i)
{
	if (!count_reg(c, i))
		branch(c, i, c->rip + (uint64_t)i->op[0].val);
}
