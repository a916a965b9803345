/* Integer arithmetic, logic, shifts, bit operations and data movement. */
#include <Zydis/Zydis.h>
#include "decode.h"
#include "exec.h"
#include "system.h"

static void set_arith(struct x86_cpu *c, uint32_t set, uint32_t mask)
{
	uint32_t f = (x86_arith_flags(c) & ~mask) | (set & mask);
	c->cc.op = CC_EFLAGS;
	c->cc.src = f;
}

static void arith(struct x86_cpu *c, const struct x86_insn *i, enum cc_op op, bool store)
{
	unsigned sz = i->op[0].size;
	uint64_t dst = opnd_read(c, i, 0), src = opnd_read(c, i, 1) & size_mask(sz);
	uint32_t carry = (op == CC_ADC || op == CC_SBB) ? flag(c, F_CF) : 0;
	uint64_t res;
	switch (op) {
	case CC_ADD: res = dst + src; break;
	case CC_ADC: res = dst + src + carry; break;
	case CC_SUB: res = dst - src; break;
	default: res = dst - src - carry; break;
	}
	res &= size_mask(sz);
	if (store)
		opnd_write(c, i, 0, res);
	set_cc(c, op, sz, dst, src, res);
	c->cc.carry_in = carry;
}

void op_add(struct x86_cpu *c, const struct x86_insn *i) { arith(c, i, CC_ADD, true); }
void op_adc(struct x86_cpu *c, const struct x86_insn *i) { arith(c, i, CC_ADC, true); }
void op_sub(struct x86_cpu *c, const struct x86_insn *i) { arith(c, i, CC_SUB, true); }
void op_sbb(struct x86_cpu *c, const struct x86_insn *i) { arith(c, i, CC_SBB, true); }
void op_cmp(struct x86_cpu *c, const struct x86_insn *i) { arith(c, i, CC_SUB, false); }

enum logic_op { L_AND, L_OR, L_XOR };

static void logic(struct x86_cpu *c, const struct x86_insn *i, enum logic_op kind, bool store)
{
	unsigned sz = i->op[0].size;
	uint64_t a = opnd_read(c, i, 0), b = opnd_read(c, i, 1);
	uint64_t r = (kind == L_AND ? a & b : kind == L_OR ? a | b : a ^ b) & size_mask(sz);
	if (store)
		opnd_write(c, i, 0, r);
	set_cc(c, CC_LOGIC, sz, a, b, r);
}

void op_and(struct x86_cpu *c, const struct x86_insn *i) { logic(c, i, L_AND, true); }
void op_or(struct x86_cpu *c, const struct x86_insn *i) { logic(c, i, L_OR, true); }
void op_xor(struct x86_cpu *c, const struct x86_insn *i) { logic(c, i, L_XOR, true); }
void op_test(struct x86_cpu *c, const struct x86_insn *i) { logic(c, i, L_AND, false); }

static void incdec(struct x86_cpu *c, const struct x86_insn *i, bool inc)
{
	unsigned sz = i->op[0].size;
	uint32_t cf = flag(c, F_CF);
	uint64_t d = opnd_read(c, i, 0), r = (inc ? d + 1 : d - 1) & size_mask(sz);
	opnd_write(c, i, 0, r);
	set_cc(c, inc ? CC_INC : CC_DEC, sz, d, 1, r);
	c->cc.carry_in = cf;
}

void op_inc(struct x86_cpu *c, const struct x86_insn *i) { incdec(c, i, true); }
void op_dec(struct x86_cpu *c, const struct x86_insn *i) { incdec(c, i, false); }

void op_neg(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = i->op[0].size;
	uint64_t d = opnd_read(c, i, 0), r = (0 - d) & size_mask(sz);
	opnd_write(c, i, 0, r);
	set_cc(c, CC_SUB, sz, 0, d, r);
	c->cc.carry_in = 0;
}

void op_not(struct x86_cpu *c, const struct x86_insn *i) { opnd_write(c, i, 0, ~opnd_read(c, i, 0)); }

static unsigned shift_count(struct x86_cpu *c, const struct x86_insn *i, int n)
{
	unsigned v = i->nops > n ? (unsigned)opnd_read(c, i, n) : 1;
	return v & (i->op[0].size == 8 ? 0x3f : 0x1f);
}

/* SHL, SHR, SAR. A zero count changes no flags but still writes the destination: a
 * 32-bit register zero-extends. */
static void shift(struct x86_cpu *c, const struct x86_insn *i, enum cc_op op)
{
	unsigned sz = i->op[0].size, n = shift_count(c, i, 1);
	uint64_t m = size_mask(sz), d = opnd_read(c, i, 0) & m, r = d;
	if (n) {
		if (op == CC_SHL)
			r = (n >= 64 ? 0 : d << n) & m;
		else if (op == CC_SHR)
			r = n >= 64 ? 0 : d >> n;
		else
			r = (uint64_t)(sext(d, sz) >> (n > 63 ? 63 : n)) & m;
	}
	opnd_write(c, i, 0, r);
	if (n)
		set_cc(c, op, sz, d, n, r);
}

void op_shl(struct x86_cpu *c, const struct x86_insn *i) { shift(c, i, CC_SHL); }
void op_shr(struct x86_cpu *c, const struct x86_insn *i) { shift(c, i, CC_SHR); }
void op_sar(struct x86_cpu *c, const struct x86_insn *i) { shift(c, i, CC_SAR); }

/* Rotates touch only CF and OF; the other flags keep their values. */
static void rotate(struct x86_cpu *c, const struct x86_insn *i, bool left, bool through_carry)
{
	unsigned sz = i->op[0].size, bits = sz * 8, n = shift_count(c, i, 1);
	uint64_t m = size_mask(sz), d = opnd_read(c, i, 0) & m, r = d;
	bool cf = flag(c, F_CF);
	if (through_carry) {
		n %= bits + 1;
		for (unsigned k = 0; k < n; k++) {
			bool out = left ? (r >> (bits - 1)) & 1 : r & 1;
			r = left ? ((r << 1) | cf) & m : (r >> 1) | ((uint64_t)cf << (bits - 1));
			cf = out;
		}
	} else {
		unsigned k = n % bits;
		r = k ? (left ? ((d << k) | (d >> (bits - k))) & m : ((d >> k) | (d << (bits - k))) & m) : d;
		cf = left ? r & 1 : (r >> (bits - 1)) & 1;
	}
	opnd_write(c, i, 0, r); /* even for a zero count: a 32-bit register zero-extends */
	if (!n)
		return;
	bool msb = (r >> (bits - 1)) & 1, msb2 = (r >> (bits - 2)) & 1;
	bool of = left ? msb ^ cf : msb ^ msb2;
	set_arith(c, (cf ? F_CF : 0) | (of ? F_OF : 0), F_CF | F_OF);
}

void op_rol(struct x86_cpu *c, const struct x86_insn *i) { rotate(c, i, true, false); }
void op_ror(struct x86_cpu *c, const struct x86_insn *i) { rotate(c, i, false, false); }
void op_rcl(struct x86_cpu *c, const struct x86_insn *i) { rotate(c, i, true, true); }
void op_rcr(struct x86_cpu *c, const struct x86_insn *i) { rotate(c, i, false, true); }

static void double_shift(struct x86_cpu *c, const struct x86_insn *i, bool left)
{
	unsigned sz = i->op[0].size, bits = sz * 8, n = shift_count(c, i, 2);
	uint64_t m = size_mask(sz), d = opnd_read(c, i, 0) & m, s = opnd_read(c, i, 1) & m;
	if (!n) {
		opnd_write(c, i, 0, d);
		return;
	}
	unsigned __int128 wide = left ? ((unsigned __int128)d << bits) | s : ((unsigned __int128)s << bits) | d;
	uint64_t r;
	bool cf;
	/* CF is the last bit out of the concatenation; for 16-bit counts above 16 (result
	 * undefined) that reaches into the source rather than past it */
	if (left) {
		r = (uint64_t)((wide << n) >> bits) & m;
		cf = (wide >> (2 * bits - n)) & 1;
	} else {
		r = (uint64_t)(wide >> n) & m;
		cf = (wide >> (n - 1)) & 1;
	}
	opnd_write(c, i, 0, r);
	set_cc(c, CC_LOGIC, sz, 0, 0, r);
	/* defined for a count of 1; the host's rule for the others (as SHL and SHR) */
	bool msb = (r >> (bits - 1)) & 1, next = (r >> (bits - 2)) & 1;
	bool of = left ? msb ^ cf : msb ^ next;
	set_arith(c, (cf ? F_CF : 0) | (of ? F_OF : 0) | F_AF, F_CF | F_OF | F_AF);
}

void op_shld(struct x86_cpu *c, const struct x86_insn *i) { double_shift(c, i, true); }
void op_shrd(struct x86_cpu *c, const struct x86_insn *i) { double_shift(c, i, false); }

/* One-operand multiply and divide use the accumulator pair for the width. */
static void acc_write(struct x86_cpu *c, unsigned sz, uint64_t lo, uint64_t hi)
{
	if (sz == 1) {
		reg_write(c, R_AX, 2, false, (lo & 0xff) | ((hi & 0xff) << 8));
	} else {
		reg_write(c, R_AX, sz, false, lo);
		reg_write(c, R_DX, sz, false, hi);
	}
}

void x86_mul_flags(struct x86_cpu *c, bool significant)
{
	set_arith(c, significant ? F_CF | F_OF : 0, F_CF | F_OF);
}

void op_mul(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = i->op[0].size;
	uint64_t m = size_mask(sz);
	unsigned __int128 p = (unsigned __int128)(reg_read(c, R_AX, sz, false)) * (opnd_read(c, i, 0) & m);
	uint64_t lo = (uint64_t)p & m, hi = (uint64_t)(p >> (sz * 8)) & m;
	acc_write(c, sz, lo, hi);
	x86_mul_flags(c, hi != 0);
}

void op_imul(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = i->op[0].size;
	uint64_t m = size_mask(sz);
	if (i->nops == 1) {
		__int128 p = (__int128)sext(reg_read(c, R_AX, sz, false), sz) * sext(opnd_read(c, i, 0), sz);
		uint64_t lo = (uint64_t)p & m, hi = (uint64_t)(p >> (sz * 8)) & m;
		acc_write(c, sz, lo, hi);
		x86_mul_flags(c, p != (__int128)sext(lo, sz));
		return;
	}
	int a = i->nops == 3 ? 1 : 0, b = i->nops == 3 ? 2 : 1;
	__int128 p = (__int128)sext(opnd_read(c, i, a), sz) * sext(opnd_read(c, i, b) & m, sz);
	uint64_t lo = (uint64_t)p & m;
	opnd_write(c, i, 0, lo);
	x86_mul_flags(c, p != (__int128)sext(lo, sz));
}

void op_div(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = i->op[0].size;
	uint64_t m = size_mask(sz), d = opnd_read(c, i, 0) & m;
	unsigned __int128 n = sz == 1 ? reg_read(c, R_AX, 2, false)
				      : ((unsigned __int128)reg_read(c, R_DX, sz, false) << (sz * 8)) | reg_read(c, R_AX, sz, false);
	if (!d || n / d > m)
		x86_raise(c, EXC_DE, NO_ERROR_CODE);
	acc_write(c, sz, (uint64_t)(n / d), (uint64_t)(n % d));
}

void op_idiv(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = i->op[0].size, bits = sz * 8;
	int64_t d = sext(opnd_read(c, i, 0), sz);
	__int128 n = sz == 1 ? sext(reg_read(c, R_AX, 2, false), 2)
			     : (__int128)(((unsigned __int128)reg_read(c, R_DX, sz, false) << bits) | reg_read(c, R_AX, sz, false));
	if (sz != 8 && sz != 1)
		n = (__int128)((unsigned __int128)n << (128 - 2 * bits)) >> (128 - 2 * bits); /* sign-extend the 2*bits dividend */
	if (!d)
		x86_raise(c, EXC_DE, NO_ERROR_CODE);
	if (d == -1 && n == (__int128)((unsigned __int128)1 << 127))
		x86_raise(c, EXC_DE, NO_ERROR_CODE); /* the one quotient C cannot form */
	__int128 q = n / d, r = n % d;
	__int128 lim = (__int128)1 << (bits - 1);
	if (q >= lim || q < -lim)
		x86_raise(c, EXC_DE, NO_ERROR_CODE);
	acc_write(c, sz, (uint64_t)q, (uint64_t)r);
}

/* bt family: a register bit offset reaches beyond a memory operand (signed). */
enum bit_kind { B_TEST, B_SET, B_RESET, B_COMPLEMENT };

static void bit_op(struct x86_cpu *c, const struct x86_insn *i, enum bit_kind kind)
{
	const struct x86_operand *o = &i->op[0];
	unsigned sz = o->size, bits = sz * 8;
	uint64_t off = opnd_read(c, i, 1);
	uint64_t v, addr = 0;
	if (o->kind == OPK_MEM) {
		addr = opnd_addr(c, i, o);
		if (i->op[1].kind == OPK_REG)
			addr += (uint64_t)((sext(off, i->op[1].size) >> (__builtin_ctz(bits))) * (int64_t)sz);
		v = mem_read(c, addr, sz);
	} else {
		v = opnd_read(c, i, 0);
	}
	unsigned bit = (unsigned)(off & (bits - 1));
	bool was = (v >> bit) & 1;
	if (kind != B_TEST) {
		uint64_t nv = kind == B_SET ? v | (1ull << bit) : kind == B_RESET ? v & ~(1ull << bit) : v ^ (1ull << bit);
		if (o->kind == OPK_MEM)
			mem_write(c, addr, nv, sz);
		else
			opnd_write(c, i, 0, nv);
	}
	set_arith(c, was ? F_CF : 0, F_CF);
}

void op_bt(struct x86_cpu *c, const struct x86_insn *i) { bit_op(c, i, B_TEST); }
void op_bts(struct x86_cpu *c, const struct x86_insn *i) { bit_op(c, i, B_SET); }
void op_btr(struct x86_cpu *c, const struct x86_insn *i) { bit_op(c, i, B_RESET); }
void op_btc(struct x86_cpu *c, const struct x86_insn *i) { bit_op(c, i, B_COMPLEMENT); }

static void scan(struct x86_cpu *c, const struct x86_insn *i, bool reverse)
{
	unsigned sz = i->op[0].size;
	uint64_t s = opnd_read(c, i, 1) & size_mask(sz);
	/* undefined flags as this host: CF, OF, SF, AF clear, PF from the result */
	if (!s) {
		set_arith(c, F_ZF | F_PF, F_ARITH); /* destination left unchanged, as AMD and Intel do */
		return;
	}
	uint64_t r = reverse ? 63 - (uint64_t)__builtin_clzll(s) : (uint64_t)__builtin_ctzll(s);
	opnd_write(c, i, 0, r);
	set_arith(c, __builtin_parity((unsigned)r & 0xff) ? 0 : F_PF, F_ARITH);
}

void op_bsf(struct x86_cpu *c, const struct x86_insn *i) { scan(c, i, false); }
void op_bsr(struct x86_cpu *c, const struct x86_insn *i) { scan(c, i, true); }

static void count_bits(struct x86_cpu *c, const struct x86_insn *i, bool popcnt)
{
	unsigned sz = i->op[0].size, bits = sz * 8;
	uint64_t s = opnd_read(c, i, 1) & size_mask(sz), r;
	if (popcnt)
		r = (uint64_t)__builtin_popcountll(s);
	else
		r = s ? (uint64_t)__builtin_clzll(s) - (64 - bits) : bits;
	opnd_write(c, i, 0, r);
	/* popcnt clears the rest; lzcnt leaves OF and clears SF, AF, PF here */
	uint32_t f = popcnt ? (s ? 0 : F_ZF) : ((r == 0 ? F_ZF : 0) | (s == 0 ? F_CF : 0));
	set_arith(c, f, popcnt ? F_ARITH : F_ARITH & ~F_OF);
}

void op_lzcnt(struct x86_cpu *c, const struct x86_insn *i) { count_bits(c, i, false); }
void op_popcnt(struct x86_cpu *c, const struct x86_insn *i) { count_bits(c, i, true); }

void op_mov(struct x86_cpu *c, const struct x86_insn *i)
{
	if (i->op[0].kind >= OPK_SEG || i->op[1].kind >= OPK_SEG)
		mov_system(c, i); /* segment, control and debug registers */
	else
		opnd_write(c, i, 0, opnd_read(c, i, 1));
}

void op_lea(struct x86_cpu *c, const struct x86_insn *i)
{
	opnd_write(c, i, 0, opnd_offset(c, &i->op[1]) & size_mask(i->addrsize));
}

void op_movzx(struct x86_cpu *c, const struct x86_insn *i) { opnd_write(c, i, 0, opnd_read(c, i, 1)); }
void op_movsx(struct x86_cpu *c, const struct x86_insn *i) { opnd_write(c, i, 0, (uint64_t)sext(opnd_read(c, i, 1), i->op[1].size)); }

void op_xchg(struct x86_cpu *c, const struct x86_insn *i)
{
	uint64_t a = opnd_read(c, i, 0), b = opnd_read(c, i, 1);
	/* the memory side first, so a fault leaves the register untouched */
	int mem_first = i->op[1].kind == OPK_MEM;
	opnd_write(c, i, mem_first, mem_first ? a : b);
	opnd_write(c, i, !mem_first, mem_first ? b : a);
}

void op_xadd(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = i->op[0].size;
	uint64_t d = opnd_read(c, i, 0), s = opnd_read(c, i, 1), r = (d + s) & size_mask(sz);
	/* the SDM's order (source, then destination) matters for "xadd r, r"; a memory
	 * destination goes first so that a fault leaves the register untouched */
	if (i->op[0].kind == OPK_MEM) {
		opnd_write(c, i, 0, r);
		opnd_write(c, i, 1, d);
	} else {
		opnd_write(c, i, 1, d);
		opnd_write(c, i, 0, r);
	}
	set_cc(c, CC_ADD, sz, d, s, r);
}

void op_cmpxchg(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = i->op[0].size;
	uint64_t acc = reg_read(c, R_AX, sz, false), d = opnd_read(c, i, 0), s = opnd_read(c, i, 1);
	if (acc == d) {
		opnd_write(c, i, 0, s);
	} else {
		/* memory gets the locked write-back of what was read; a register destination
		 * is left alone (upper half included), as this host's CPU does */
		if (i->op[0].kind == OPK_MEM)
			opnd_write(c, i, 0, d);
		reg_write(c, R_AX, sz, false, d);
	}
	set_cc(c, CC_SUB, sz, acc, d, (acc - d) & size_mask(sz));
	c->cc.carry_in = 0;
}

/* CMPXCHG8B m64 / CMPXCHG16B m128 (REX.W): rDX:rAX against memory; equal, rCX:rBX is
 * stored; not, memory is loaded into rDX:rAX (and written back, as the locked cycle
 * does). Only ZF changes. */
void op_cmpxchg8b(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned half = i->mnemonic == ZYDIS_MNEMONIC_CMPXCHG16B ? 8 : 4;
	uint64_t a = opnd_addr(c, i, &i->op[0]);
	if (half == 8 && (a & 15))
		x86_raise(c, EXC_GP, 0);
	uint64_t m[2] = { 0, 0 }, mask = size_mask(half);
	mem_read_block(c, a, m, 2 * half);
	uint64_t lo = half == 8 ? m[0] : m[0] & mask, hi = half == 8 ? m[1] : m[0] >> 32;
	bool eq = lo == (c->r[R_AX] & mask) && hi == (c->r[R_DX] & mask);
	uint64_t w[2] = { 0, 0 };
	if (half == 8) {
		w[0] = eq ? c->r[R_BX] : lo;
		w[1] = eq ? c->r[R_CX] : hi;
	} else {
		w[0] = eq ? (c->r[R_BX] & mask) | (c->r[R_CX] << 32) : m[0];
	}
	mem_write_block(c, a, w, 2 * half);
	if (!eq) {
		reg_write(c, R_AX, half, false, lo);
		reg_write(c, R_DX, half, false, hi);
	}
	set_arith(c, eq ? F_ZF : 0, F_ZF);
}

void op_bswap(struct x86_cpu *c, const struct x86_insn *i)
{
	uint64_t v = opnd_read(c, i, 0);
	opnd_write(c, i, 0, i->op[0].size == 8 ? __builtin_bswap64(v) : __builtin_bswap32((uint32_t)v));
}

void op_setcc(struct x86_cpu *c, const struct x86_insn *i) { opnd_write(c, i, 0, cond_true(c, i->cond)); }

void op_cmovcc(struct x86_cpu *c, const struct x86_insn *i)
{
	uint64_t v = opnd_read(c, i, 1); /* read (and fault) whether or not the move happens */
	opnd_write(c, i, 0, cond_true(c, i->cond) ? v : opnd_read(c, i, 0));
}

void op_cbw(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = i->opsize;
	reg_write(c, R_AX, sz, false, (uint64_t)sext(reg_read(c, R_AX, sz / 2, false), sz / 2));
}

void op_cwd(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = i->opsize;
	reg_write(c, R_DX, sz, false, sext(reg_read(c, R_AX, sz, false), sz) < 0 ? ~0ull : 0);
}

void op_lahf(struct x86_cpu *c, const struct x86_insn *i)
{
	(void)i;
	reg_write(c, R_AX, 1, true, x86_get_flags(c) & 0xff);
}

void op_sahf(struct x86_cpu *c, const struct x86_insn *i)
{
	(void)i;
	set_arith(c, (uint32_t)reg_read(c, R_AX, 1, true), F_CF | F_PF | F_AF | F_ZF | F_SF);
}

void op_clc(struct x86_cpu *c, const struct x86_insn *i) { (void)i; set_arith(c, 0, F_CF); }
void op_stc(struct x86_cpu *c, const struct x86_insn *i) { (void)i; set_arith(c, F_CF, F_CF); }
void op_cmc(struct x86_cpu *c, const struct x86_insn *i) { (void)i; set_arith(c, flag(c, F_CF) ? 0 : F_CF, F_CF); }
void op_cld(struct x86_cpu *c, const struct x86_insn *i) { (void)i; c->flags &= ~(uint64_t)F_DF; }
void op_std(struct x86_cpu *c, const struct x86_insn *i) { (void)i; c->flags |= F_DF; }
void op_nop(struct x86_cpu *c, const struct x86_insn *i) { (void)c; (void)i; }
