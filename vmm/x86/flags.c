/* Lazy condition codes: flags are computed from the last operation's inputs and result
 * only when read, as in QEMU TCG. Where the SDM leaves a flag undefined, the model does
 * what this lab's host (AMD Zen) does, measured by tests/test_x86_diff.c: shifts set
 * AF; SHR's OF is MSB(res) ^ MSB-1(res) for every count. */
#include "cpu.h"
#include "debug.h"

static uint64_t mask_of(unsigned size) { return size == 8 ? ~0ull : (1ull << (size * 8)) - 1; }
static uint64_t sign_of(unsigned size) { return 1ull << (size * 8 - 1); }

static uint32_t parity(uint64_t v) { return __builtin_parity((unsigned)(v & 0xff)) ? 0 : F_PF; }

static uint32_t szp(uint64_t res, unsigned size)
{
	uint64_t m = mask_of(size);
	return ((res & m) == 0 ? F_ZF : 0) | ((res & sign_of(size)) ? F_SF : 0) | parity(res);
}

uint32_t x86_arith_flags(const struct x86_cpu *c)
{
	const struct lazy_flags *f = &c->cc;
	if (f->op == CC_EFLAGS)
		return (uint32_t)f->src & F_ARITH;
	if (f->op == CC_HOST || f->op == CC_HOST_LOGIC) {
		uint32_t fl = ((uint32_t)(f->src >> 8) & F_ARITH & 0xff) | ((uint32_t)f->src & 1 ? F_OF : 0);
		return f->op == CC_HOST_LOGIC ? fl & ~F_AF : fl;
	}
	unsigned sz = f->size;
	uint64_t m = mask_of(sz), s = sign_of(sz);
	uint64_t dst = f->dst & m, src = f->src & m, res = f->res & m;
	uint32_t fl = 0;
	switch (f->op) {
	case CC_ADD:
	case CC_ADC:
		fl = szp(res, sz);
		fl |= (res < dst || (f->op == CC_ADC && f->carry_in && res == dst)) ? F_CF : 0;
		fl |= ((dst ^ src ^ res) & 0x10) ? F_AF : 0;
		fl |= ((~(dst ^ src) & (dst ^ res)) & s) ? F_OF : 0;
		return fl;
	case CC_SUB:
	case CC_SBB:
		fl = szp(res, sz);
		fl |= (dst < src || (f->op == CC_SBB && f->carry_in && dst == src)) ? F_CF : 0;
		fl |= ((dst ^ src ^ res) & 0x10) ? F_AF : 0;
		fl |= (((dst ^ src) & (dst ^ res)) & s) ? F_OF : 0;
		return fl;
	case CC_LOGIC:
		return szp(res, sz);
	case CC_INC:
		fl = szp(res, sz) | (f->carry_in ? F_CF : 0);
		fl |= ((res & 0xf) == 0) ? F_AF : 0;
		fl |= (res == s) ? F_OF : 0;
		return fl;
	case CC_DEC:
		fl = szp(res, sz) | (f->carry_in ? F_CF : 0);
		fl |= ((res & 0xf) == 0xf) ? F_AF : 0;
		fl |= (res == s - 1) ? F_OF : 0;
		return fl;
	case CC_SHL: /* src = count (1..width), dst = value before */
		fl = szp(res, sz) | F_AF;
		fl |= (src <= sz * 8 && ((dst >> (sz * 8 - src)) & 1)) ? F_CF : 0;
		fl |= (((res & s) != 0) ^ ((fl & F_CF) != 0)) ? F_OF : 0;
		return fl;
	case CC_SHR:
		fl = szp(res, sz) | F_AF;
		fl |= ((dst >> (src - 1)) & 1) ? F_CF : 0;
		fl |= (((res & s) != 0) ^ ((res & (s >> 1)) != 0)) ? F_OF : 0;
		return fl;
	case CC_SAR:
		fl = szp(res, sz) | F_AF;
		fl |= ((src >= sz * 8 ? (dst & s) != 0 : (dst >> (src - 1)) & 1)) ? F_CF : 0;
		return fl;
	default:
		return 0;
	}
}

uint64_t x86_get_flags(const struct x86_cpu *c)
{
	return (c->flags & ~(uint64_t)F_ARITH) | x86_arith_flags(c) | 0x2;
}

void x86_set_flags(struct x86_cpu *c, uint64_t v)
{
	if (v & ~c->flags & F_IF)
		c->attention = true; /* an interrupt may be deliverable now: the run loop polls */
	uint64_t was = c->flags;
	c->flags = (v & ~(uint64_t)F_ARITH) | 0x2;
	c->cc.op = CC_EFLAGS;
	c->cc.src = v & F_ARITH;
	if ((was ^ c->flags) & (F_TF | F_RF))
		x86_debug_update(c);
}
