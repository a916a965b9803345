/* Handlers for the commonest operand forms, picked at decode time (Bochs keeps one
 * handler per form for the same reason): the generic handler decides operand kinds,
 * sizes and the segment rule on every execution, these decide them once. Each does
 * exactly what the generic handler does for its form; the differential tests reach
 * them through the decoder. 64-bit forms only run in 64-bit mode, since blocks are
 * cached per decode mode. */
#include "decode.h"
#include "exec.h"
#include "../../abi/vmi.h"

/* A memory operand in 64-bit mode with 64-bit addressing and no FS/GS base. */
static bool flat64(const struct x86_insn *i, const struct x86_operand *o)
{
	return o->kind == OPK_MEM && i->addrsize == 8 && o->seg != S_FS && o->seg != S_GS;
}

static bool gpr(const struct x86_operand *o, unsigned size)
{
	return o->kind == OPK_REG && !o->high8 && o->size == size;
}

static void op_push_r64(struct x86_cpu *c, const struct x86_insn *i)
{
	uint64_t sp = c->r[R_SP] - 8;
	mem_write(c, sp, c->r[i->op[0].reg], 8);
	c->r[R_SP] = sp;
}

static void op_pop_r64(struct x86_cpu *c, const struct x86_insn *i)
{
	uint64_t sp = c->r[R_SP], v = mem_read(c, sp, 8);
	c->r[R_SP] = sp + 8; /* before the destination: pop rsp loads rsp */
	c->r[i->op[0].reg] = v;
}

static void op_mov_rr64(struct x86_cpu *c, const struct x86_insn *i) { c->r[i->op[0].reg] = c->r[i->op[1].reg]; }
static void op_mov_rr32(struct x86_cpu *c, const struct x86_insn *i) { c->r[i->op[0].reg] = (uint32_t)c->r[i->op[1].reg]; }

static void op_mov_load64(struct x86_cpu *c, const struct x86_insn *i)
{
	c->r[i->op[0].reg] = mem_read(c, opnd_offset(c, &i->op[1]), 8);
}

static void op_mov_load32(struct x86_cpu *c, const struct x86_insn *i)
{
	c->r[i->op[0].reg] = mem_read(c, opnd_offset(c, &i->op[1]), 4);
}

static void op_mov_store64(struct x86_cpu *c, const struct x86_insn *i)
{
	mem_write(c, opnd_offset(c, &i->op[0]), c->r[i->op[1].reg], 8);
}

static void op_mov_store32(struct x86_cpu *c, const struct x86_insn *i)
{
	mem_write(c, opnd_offset(c, &i->op[0]), c->r[i->op[1].reg], 4);
}

void x86_specialise(struct x86_insn *i, unsigned bits)
{
	const struct x86_operand *a = &i->op[0], *b = &i->op[1];
	unsigned word = bits == 64 ? 8 : 4;
	if (bits != 64 && bits != 32)
		return;
	if (i->fn == op_mov && i->nops == 2 && gpr(a, word) && a->reg == R_AX && b->kind == OPK_MEM && b->base == REG_NONE &&
	    b->index == REG_NONE && b->seg != S_FS && b->seg != S_GS && b->size == word &&
	    (uint64_t)b->val - VMI_DOORBELL < VMI_DOORBELL_LEN && !(b->val & 7)) {
		i->fn = op_vmi_doorbell;
		return;
	}
	if (bits != 64)
		return;
	if (i->fn == op_push && i->nops == 1 && gpr(a, 8))
		i->fn = op_push_r64;
	else if (i->fn == op_pop && i->nops == 1 && gpr(a, 8))
		i->fn = op_pop_r64;
	else if (i->fn != op_mov || i->nops != 2)
		return;
	else if (gpr(a, 8) && gpr(b, 8))
		i->fn = op_mov_rr64;
	else if (gpr(a, 4) && gpr(b, 4))
		i->fn = op_mov_rr32;
	else if (gpr(a, 8) && flat64(i, b) && b->size == 8)
		i->fn = op_mov_load64;
	else if (gpr(a, 4) && flat64(i, b) && b->size == 4)
		i->fn = op_mov_load32;
	else if (flat64(i, a) && a->size == 8 && gpr(b, 8))
		i->fn = op_mov_store64;
	else if (flat64(i, a) && a->size == 4 && gpr(b, 4))
		i->fn = op_mov_store32;
}
