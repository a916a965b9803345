/* What handlers use: operands, memory through the MMU, the stack, lazy flags. */
#ifndef X86_EXEC_H
#define X86_EXEC_H
#include <string.h>
#include "cpu.h"
#include "fault.h"
#include "insn.h"
#include "mmu.h"


static inline int64_t sext(uint64_t v, unsigned size)
{
	unsigned sh = 64 - size * 8;
	return (int64_t)(v << sh) >> sh;
}

static inline bool long_mode64(const struct x86_cpu *c) { return c->seg[S_CS].l && (c->efer & 0x400); }

static inline void sync_user_access(struct x86_cpu *c) { c->user_access = c->cpl == 3 && !c->implicit_sv; }

static inline void set_cpl(struct x86_cpu *c, unsigned cpl)
{
	c->cpl = (uint8_t)cpl;
	sync_user_access(c);
}

/* Descriptor-table, IDT and TSS accesses are supervisor accesses at any CPL. */
static inline void implicit_sv_begin(struct x86_cpu *c)
{
	c->implicit_sv++;
	c->user_access = 0;
}

static inline void implicit_sv_end(struct x86_cpu *c)
{
	if (--c->implicit_sv == 0)
		c->user_access = c->cpl == 3;
}

/* Decoding depends on CS (its D and L bits): a new CS ends the block, so none decoded in
 * the old mode runs on, even after a far jump to the next instruction. */
static inline void set_cs(struct x86_cpu *c, struct segment s)
{
	c->seg[S_CS] = s;
	c->attention = true;
}

/* After MUL and IMUL: CF and OF say whether the high half matters; SF, ZF, AF and PF are
 * undefined and the model leaves them as they were (bt's native IMUL does the same). */
void x86_mul_flags(struct x86_cpu *c, bool significant);
uint64_t reg_read(const struct x86_cpu *c, unsigned reg, unsigned size, bool high8);
void reg_write(struct x86_cpu *c, unsigned reg, unsigned size, bool high8, uint64_t v);

/* Linear address of a memory operand (segment base applied as the mode says). */
/* base + index * scale + displacement (rip-relative: rip already points past the
 * instruction), before the segment and the address size */
static inline uint64_t opnd_offset(const struct x86_cpu *c, const struct x86_operand *o)
{
	uint64_t a = (uint64_t)o->val + (o->base == 16 ? c->rip : o->base != REG_NONE ? c->r[o->base] : 0);
	return o->index != REG_NONE ? a + c->r[o->index] * o->scale : a;
}
uint64_t opnd_addr(struct x86_cpu *c, const struct x86_insn *i, const struct x86_operand *o);
uint64_t seg_linear(struct x86_cpu *c, unsigned seg, uint64_t off, unsigned addrsize);

/* Little-endian loads and stores of 1, 2, 4 or 8 bytes, as single host moves. */
static inline uint64_t load_sized(const uint8_t *p, unsigned size)
{
	uint16_t w;
	uint32_t d;
	uint64_t q;
	switch (size) {
	case 1: return *p;
	case 2: memcpy(&w, p, 2); return w;
	case 4: memcpy(&d, p, 4); return d;
	default: memcpy(&q, p, 8); return q;
	}
}

static inline void store_sized(uint8_t *p, uint64_t v, unsigned size)
{
	uint16_t w = (uint16_t)v;
	uint32_t d = (uint32_t)v;
	switch (size) {
	case 1: *p = (uint8_t)v; break;
	case 2: memcpy(p, &w, 2); break;
	case 4: memcpy(p, &d, 4); break;
	default: memcpy(p, &v, 8); break;
	}
}

/* Memory: the soft-TLB hit inline, everything else (misses, page crossings, devices)
 * out of line. */
uint64_t mem_read_slow(struct x86_cpu *c, uint64_t lin, unsigned size);
void mem_write_slow(struct x86_cpu *c, uint64_t lin, uint64_t v, unsigned size);

static inline uint64_t mem_read(struct x86_cpu *c, uint64_t lin, unsigned size)
{
	uint8_t *p;
	if ((lin & 0xfff) + size <= 0x1000 && (p = tlb_hit(c, lin, ACC_READ)))
		return load_sized(p, size);
	return mem_read_slow(c, lin, size);
}

static inline void mem_write(struct x86_cpu *c, uint64_t lin, uint64_t v, unsigned size)
{
	uint8_t *p;
	if ((lin & 0xfff) + size <= 0x1000 && (p = tlb_hit(c, lin, ACC_WRITE)))
		store_sized(p, v, size);
	else
		mem_write_slow(c, lin, v, size);
}
/* n bytes at lin, 8 at a time (SSE operands, FXSAVE images); a block write checks
 * every page it touches before it writes any. */
void mem_read_block(struct x86_cpu *c, uint64_t lin, void *dst, unsigned n);
void mem_write_block(struct x86_cpu *c, uint64_t lin, const void *src, unsigned n);
/* Code for the decoder: a host pointer good to the end of lin's page, or up to n bytes
 * copied, not past it. */
const uint8_t *mem_fetch_page(struct x86_cpu *c, uint64_t lin);
unsigned mem_fetch(struct x86_cpu *c, uint64_t lin, uint8_t *buf, unsigned n);

uint64_t opnd_read_slow(struct x86_cpu *c, const struct x86_insn *i, int n);
void opnd_write_slow(struct x86_cpu *c, const struct x86_insn *i, int n, uint64_t v);

/* Operands: full-width registers and immediates inline, the rest out of line. */
static inline uint64_t opnd_read(struct x86_cpu *c, const struct x86_insn *i, int n)
{
	const struct x86_operand *o = &i->op[n];
	if (o->kind == OPK_REG && !o->high8)
		return c->r[o->reg] & size_mask(o->size);
	if (o->kind == OPK_IMM)
		return (uint64_t)o->val & size_mask(o->size);
	return opnd_read_slow(c, i, n);
}

static inline void opnd_write(struct x86_cpu *c, const struct x86_insn *i, int n, uint64_t v)
{
	const struct x86_operand *o = &i->op[n];
	if (o->kind == OPK_REG && o->size >= 4) { /* 32-bit writes zero the upper half */
		c->r[o->reg] = o->size == 8 ? v : v & 0xffffffffull;
		return;
	}
	opnd_write_slow(c, i, n, v);
}

unsigned stack_size(const struct x86_cpu *c, const struct x86_insn *i);
void push(struct x86_cpu *c, uint64_t v, unsigned size);
uint64_t pop(struct x86_cpu *c, unsigned size);
/* Slot k (each size bytes) above the stack pointer, read without moving it; and moving
 * it past n slots: a frame read whole before anything commits. */
uint64_t frame_slot(struct x86_cpu *c, unsigned k, unsigned size);
void pop_slots(struct x86_cpu *c, unsigned n, unsigned size);

static inline void set_cc(struct x86_cpu *c, enum cc_op op, unsigned size, uint64_t dst, uint64_t src, uint64_t res)
{
	c->cc.op = (uint8_t)op;
	c->cc.size = (uint8_t)size;
	c->cc.dst = dst;
	c->cc.src = src;
	c->cc.res = res;
}

static inline bool flag(const struct x86_cpu *c, uint32_t f) { return (x86_arith_flags(c) & f) != 0; }
/* Condition codes in their encoding order: O NO B AE E NE BE A S NS P NP L GE LE G. */
/* After CMP/SUB and TEST/AND/OR/XOR the common conditions come straight from the
 * operands, without materializing flags (QEMU's trick). */
static inline int cond_fast(const struct x86_cpu *c, unsigned cond)
{
	const struct lazy_flags *f = &c->cc;
	unsigned sz = f->size;
	uint64_t m = size_mask(sz), d = f->dst & m, s = f->src & m, r = f->res & m;
	int v;
	if (f->op == CC_SUB) {
		switch (cond >> 1) {
		case 1: v = d < s; break;
		case 2: v = r == 0; break;
		case 3: v = d <= s; break;
		case 4: v = sext(r, sz) < 0; break;
		case 6: v = sext(d, sz) < sext(s, sz); break;
		case 7: v = sext(d, sz) <= sext(s, sz); break;
		default: return -1;
		}
	} else if (f->op == CC_LOGIC) {
		switch (cond >> 1) {
		case 0: case 1: v = 0; break;
		case 2: case 3: v = r == 0; break;
		case 4: case 6: v = sext(r, sz) < 0; break;
		case 7: v = r == 0 || sext(r, sz) < 0; break;
		default: return -1;
		}
	} else {
		return -1;
	}
	return (cond & 1) ? !v : v;
}

bool cond_slow(const struct x86_cpu *c, unsigned cond);

static inline bool cond_true(const struct x86_cpu *c, unsigned cond)
{
	int fast = cond_fast(c, cond);
	return fast >= 0 ? fast : cond_slow(c, cond);
}

#endif
