/* Where guest registers live in translated code: each block's register map, chosen from
 * its own use (no table fitted to one guest), the places instructions name them by, the
 * moves between host registers and struct x86_cpu around calls and exits, and the glue
 * that links two blocks whose maps differ. */
#include <string.h>
#include "tr.h"

static int32_t roff(unsigned r) { return OFF(r) + 8 * (int32_t)r; }


/* The host registers guest registers may live in while translated code runs: host rax,
 * rcx and rdx are the scratch registers of emitted code, rbx the CPU, rsp the host stack
 * and r13 the count. */
static const uint8_t pool[] = { H_BP, H_SI, H_DI, H_R8, H_R9, H_R10, H_R11, H_R12, H_R14, H_R15 };
#define POOL_SIZE (sizeof(pool) / sizeof(pool[0]))

/* Each guest register's preferred host register: the same in every block that holds it,
 * so that a link between two blocks moves only the registers one holds and the other
 * does not (bt_link's glue). The guest registers without a host register of their own
 * name share one with a register compilers use less. */
static const uint8_t home[16] = {
	[R_AX] = H_R11, [R_CX] = H_R10, [R_DX] = H_R9,  [R_BX] = H_R15, [R_SP] = H_R14, [R_BP] = H_BP,
	[R_SI] = H_SI,  [R_DI] = H_DI,  [R_R8] = H_R8,  [R_R9] = H_R9,  [R_R10] = H_R10, [R_R11] = H_R11,
	[R_R12] = H_R12, [R_R13] = H_R12, [R_R14] = H_R14, [R_R15] = H_R15,
};


/* The block's register map, from its own use: the guest registers its instructions that
 * may be native name most (operands, addresses, the stack pointer of stack operations),
 * up to one per pool register, each in its home when the more used register sharing it
 * has not taken it. A register named as ah..bh stays in the CPU, where those are a byte
 * up in its slot; so do registers only callouts use (the callout moves them anyway). */
void tr_choose_map(const struct x86_insn *ins, unsigned n, uint8_t map[16])
{
	unsigned uses[16] = { 0 };
	bool byte_high[16] = { false };
	for (unsigned k = 0; k < n; k++) {
		const struct x86_insn *i = &ins[k];
		if (!tr_may_be_native(i))
			continue;
		for (unsigned o = 0; o < i->nops; o++) {
			const struct x86_operand *op = &i->op[o];
			if (op->kind == OPK_REG && op->reg < 16) {
				uses[op->reg]++;
				byte_high[op->reg] |= op->high8;
			} else if (op->kind == OPK_MEM) {
				if (op->base < 16)
					uses[op->base]++;
				if (op->index < 16)
					uses[op->index]++;
			}
		}
		if (tr_stack_op(i))
			uses[R_SP]++;
	}
	unsigned order[16], m = 0;
	for (unsigned r = 0; r < 16; r++) {
		map[r] = IN_CPU;
		if (uses[r] && !byte_high[r])
			order[m++] = r;
	}
	for (unsigned x = 1; x < m; x++) /* most used first; the lower number on a tie */
		for (unsigned y = x; y > 0 && uses[order[y]] > uses[order[y - 1]]; y--) {
			unsigned tmp = order[y];
			order[y] = order[y - 1];
			order[y - 1] = tmp;
		}
	if (m > POOL_SIZE)
		m = POOL_SIZE;
	bool taken[16] = { false };
	for (unsigned x = 0; x < m; x++) /* homes first, so that a loser cannot take a later one's */
		if (!taken[home[order[x]]]) {
			map[order[x]] = home[order[x]];
			taken[home[order[x]]] = true;
		}
	for (unsigned x = 0, p = 0; x < m; x++)
		if (map[order[x]] == IN_CPU) {
			while (taken[pool[p]])
				p++;
			map[order[x]] = pool[p];
			taken[pool[p]] = true;
		}
}

static bool caller_saved(unsigned h) { return h == H_SI || h == H_DI || (h >= H_R8 && h <= H_R11); }

/* guest register r, all 64 bits */
struct place tr_reg64(const struct tr *t, unsigned r)
{
	if (t->tb->map[r] != IN_CPU)
		return (struct place){ false, t->tb->map[r], 0 };
	return (struct place){ true, H_BX, roff(r) };
}

/* the register operand o: ah..bh are a byte up in the CPU's slot (native() keeps them
 * out of host registers, where no encoding reaches them) */
struct place tr_gpr(const struct tr *t, const struct x86_operand *o)
{
	struct place p = tr_reg64(t, o->reg);
	if (p.mem && o->high8)
		p.disp++;
	return p;
}

void tr_e_at(struct tr *t, unsigned size, uint32_t op, unsigned reg, struct place p)
{
	e_op(&t->a, size, op, reg, p.mem, p.rm, p.disp);
}

/* The host register that holds p (size bytes of it) when it is one, else the scratch h
 * loaded with it. */
unsigned tr_in_host(struct tr *t, unsigned h, struct place p, unsigned size)
{
	if (!p.mem)
		return p.rm;
	tr_e_at(t, size, size == 1 ? OPC_MOV_GbEb : OPC_MOV_GvEv, h, p);
	return h;
}

/* the same for register operand o */
unsigned tr_in_reg(struct tr *t, unsigned h, const struct x86_operand *o) { return tr_in_host(t, h, tr_gpr(t, o), o->size); }

/* Guest registers from host registers into struct x86_cpu (spill) and back (reload). */
static void move_regs(struct tr *t, enum held w, uint32_t op /* OPC_MOV_EvGv to the CPU, OPC_MOV_GvEv back */)
{
	for (unsigned r = 0; r < 16; r++)
		if (t->tb->map[r] != IN_CPU && (w != HELD_CLOBBERED || caller_saved(t->tb->map[r])))
			e_op(&t->a, 8, op, t->tb->map[r], true, H_BX, roff(r));
	if (w == HELD_ALL)
		e_op(&t->a, 8, op, H_COUNT, true, H_BX, OFF(count.insns));
}

void tr_spill(struct tr *t, enum held w) { move_regs(t, w, OPC_MOV_EvGv); }
void tr_reload(struct tr *t, enum held w) { move_regs(t, w, OPC_MOV_GvEv); }

#define GLUE_ROOM 256 /* 16 stores and 16 loads of 7 bytes, and a jump */

uint8_t *tr_glue(struct bt *bt, const struct bt_tb *from, const struct bt_tb *to)
{
	if (!memcmp(from->map, to->map, sizeof(from->map)))
		return to->body;
	if ((size_t)(bt->cache + bt->size - bt->next) < GLUE_ROOM)
		return NULL;
	struct asm_buf a = { bt->next, bt->next + GLUE_ROOM, false };
	for (unsigned r = 0; r < 16; r++) /* every store before any load: a load may reuse a stored register */
		if (from->map[r] != IN_CPU && from->map[r] != to->map[r])
			e_store(&a, 8, from->map[r], H_BX, roff(r));
	for (unsigned r = 0; r < 16; r++)
		if (to->map[r] != IN_CPU && from->map[r] != to->map[r])
			e_load(&a, 8, to->map[r], H_BX, roff(r));
	e_patch(e_jmp(&a), to->body);
	uint8_t *glue = bt->next;
	bt->bytes += (uint64_t)(a.p - glue);
	bt->next = a.p;
	bt->glues++;
	return glue;
}
