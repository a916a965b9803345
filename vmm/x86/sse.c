/* SSE and SSE2 on XMM0-15 with MXCSR. Arithmetic runs on the host's own SSE unit (the
 * operations in sse.def through their intrinsics), under the guest's rounding mode and
 * DAZ/FTZ with every exception masked; the flags it raises are the guest's, and one the
 * guest has unmasked becomes #XM (#UD without CR4.OSXMMEXCPT) with nothing written. */
#include <Zydis/Zydis.h>
#include <emmintrin.h>
#include <string.h>
#include "decode.h"
#include "exec.h"
#include "fpu.h"

#define CR4_OSXMMEXCPT 0x400ull
#define MXCSR_FLAGS    0x3fu
#define MXCSR_MASKS    0x1f80u

#define PS(f) _mm_castps_si128(f(_mm_castsi128_ps(a), _mm_castsi128_ps(b)))
#define PD(f) _mm_castpd_si128(f(_mm_castsi128_pd(a), _mm_castsi128_pd(b)))
#define PS1(f) _mm_castps_si128(f(_mm_castsi128_ps(b)))
#define PD1(f) _mm_castpd_si128(f(_mm_castsi128_pd(b)))

/* scalar single forms whose intrinsics take one operand: dst's upper lanes stay */
static __m128 sqrt_ss(__m128 a, __m128 b) { return _mm_move_ss(a, _mm_sqrt_ss(b)); }
static __m128 rcp_ss(__m128 a, __m128 b) { return _mm_move_ss(a, _mm_rcp_ss(b)); }
static __m128 rsqrt_ss(__m128 a, __m128 b) { return _mm_move_ss(a, _mm_rsqrt_ss(b)); }

typedef __m128i sse_fn(__m128i a, __m128i b);

#define BIN(m, bytes, fp, expr) static __m128i sse_##m(__m128i a, __m128i b) { (void)a; return expr; }
#include "sse.def"
#undef BIN

static const struct sse_op {
	sse_fn *fn;
	uint8_t bytes, fp;
} sse_ops[ZYDIS_MNEMONIC_MAX_VALUE + 1] = {
#define BIN(m, b, f, expr) [ZYDIS_MNEMONIC_##m] = { sse_##m, b, f },
#include "sse.def"
#undef BIN
};

static union xmm *xmm_reg(struct x86_cpu *c, const struct x86_operand *o) { return &c->fpu.xmm[o->reg & 15]; }

/* 16-byte operands of legacy SSE instructions fault unless aligned (the movu forms
 * excepted). */
static uint64_t sse_addr(struct x86_cpu *c, const struct x86_insn *i, int n, unsigned bytes, bool aligned)
{
	uint64_t a = opnd_addr(c, i, &i->op[n]);
	if (aligned && bytes == 16 && (a & 15))
		x86_raise(c, EXC_GP, 0);
	return a;
}

/* Operand n as a vector: an XMM register whole, memory's first `bytes` bytes zero-
 * extended, a general register or immediate in the low lane. */
static union xmm sse_get(struct x86_cpu *c, const struct x86_insn *i, int n, unsigned bytes, bool aligned)
{
	const struct x86_operand *o = &i->op[n];
	union xmm v = { 0 };
	if (o->kind == OPK_XMM)
		v = *xmm_reg(c, o);
	else if (o->kind == OPK_MEM)
		mem_read_block(c, sse_addr(c, i, n, bytes, aligned), v.b, bytes);
	else
		v.q[0] = opnd_read(c, i, n);
	return v;
}

static void sse_put(struct x86_cpu *c, const struct x86_insn *i, int n, const union xmm *v, unsigned bytes, bool aligned)
{
	const struct x86_operand *o = &i->op[n];
	if (o->kind == OPK_XMM)
		*xmm_reg(c, o) = *v;
	else if (o->kind == OPK_MEM)
		mem_write_block(c, sse_addr(c, i, n, bytes, aligned), v->b, bytes);
	else
		opnd_write(c, i, n, v->q[0]);
}

static __m128i vec(union xmm v) { return _mm_loadu_si128((const __m128i *)(const void *)v.b); }

static union xmm unvec(__m128i x)
{
	union xmm v;
	_mm_storeu_si128((__m128i *)(void *)v.b, x);
	return v;
}

/* The host's MXCSR is the guest's with every exception masked while f runs: a call,
 * so that the compiler moves no arithmetic across the MXCSR switch. */
static __attribute__((noinline)) void run_fp(sse_fn *f, const __m128i *a, const __m128i *b, __m128i *r,
					     uint32_t *mxcsr)
{
	uint32_t host = _mm_getcsr();
	_mm_setcsr((*mxcsr & ~MXCSR_FLAGS) | MXCSR_MASKS);
	*r = f(*a, *b);
	*mxcsr |= _mm_getcsr() & MXCSR_FLAGS;
	_mm_setcsr(host);
}

/* Runs f on (a, b) as the guest's MXCSR says, raising #XM for an unmasked exception. */
static __m128i sse_compute(struct x86_cpu *c, sse_fn *f, bool fp, __m128i a, __m128i b)
{
	if (!fp)
		return f(a, b);
	__m128i r;
	uint32_t m = c->fpu.mxcsr & ~MXCSR_FLAGS;
	run_fp(f, &a, &b, &r, &m);
	uint32_t raised = m & MXCSR_FLAGS, unmasked = raised & ~(c->fpu.mxcsr >> 7);
	if (unmasked) {
		c->fpu.mxcsr |= raised;
		x86_raise(c, (c->cr4 & CR4_OSXMMEXCPT) ? EXC_XM : EXC_UD, NO_ERROR_CODE);
	}
	c->fpu.mxcsr |= raised;
	return r;
}

void op_sse_bin(struct x86_cpu *c, const struct x86_insn *i)
{
	fpu_check_sse(c);
	const struct sse_op *op = &sse_ops[i->mnemonic];
	union xmm a = *xmm_reg(c, &i->op[0]), b;
	if (i->op[1].kind == OPK_IMM) /* shifts by an immediate count */
		b = (union xmm){ .q = { (uint64_t)i->op[1].val & 0xff, 0 } };
	else
		b = sse_get(c, i, 1, op->bytes, true);
	union xmm r = unvec(sse_compute(c, op->fn, op->fp, vec(a), vec(b)));
	*xmm_reg(c, &i->op[0]) = r;
}

/* CMPPS/CMPPD/CMPSS/CMPSD xmm, xmm/m, imm8: the predicate picks the intrinsic. */
#define CMP8(T, S) \
	static __m128i cmp##T##0(__m128i a, __m128i b) { return S(_mm_cmpeq_##T); } \
	static __m128i cmp##T##1(__m128i a, __m128i b) { return S(_mm_cmplt_##T); } \
	static __m128i cmp##T##2(__m128i a, __m128i b) { return S(_mm_cmple_##T); } \
	static __m128i cmp##T##3(__m128i a, __m128i b) { return S(_mm_cmpunord_##T); } \
	static __m128i cmp##T##4(__m128i a, __m128i b) { return S(_mm_cmpneq_##T); } \
	static __m128i cmp##T##5(__m128i a, __m128i b) { return S(_mm_cmpnlt_##T); } \
	static __m128i cmp##T##6(__m128i a, __m128i b) { return S(_mm_cmpnle_##T); } \
	static __m128i cmp##T##7(__m128i a, __m128i b) { return S(_mm_cmpord_##T); } \
	static sse_fn *const cmp_##T[8] = { cmp##T##0, cmp##T##1, cmp##T##2, cmp##T##3, \
					     cmp##T##4, cmp##T##5, cmp##T##6, cmp##T##7 };
CMP8(ps, PS)
CMP8(pd, PD)
CMP8(ss, PS)
CMP8(sd, PD)

void op_sse_cmp(struct x86_cpu *c, const struct x86_insn *i)
{
	fpu_check_sse(c);
	unsigned pred = (unsigned)i->op[2].val & 7, bytes = 16;
	sse_fn *const *t = cmp_ps;
	switch (i->mnemonic) {
	case ZYDIS_MNEMONIC_CMPPD: t = cmp_pd; break;
	case ZYDIS_MNEMONIC_CMPSS: t = cmp_ss; bytes = 4; break;
	case ZYDIS_MNEMONIC_CMPSD: t = cmp_sd; bytes = 8; break;
	default: break;
	}
	union xmm b = sse_get(c, i, 1, bytes, true);
	*xmm_reg(c, &i->op[0]) = unvec(sse_compute(c, t[pred], true, vec(*xmm_reg(c, &i->op[0])), vec(b)));
}

/* COMISS/COMISD/UCOMISS/UCOMISD: ZF PF CF from the host's own compare (in the low
 * lane of the result), OF SF AF clear. */
#define COMI(name, insn, T) \
	static __m128i name(__m128i a, __m128i b) \
	{ \
		uint8_t z, p, cf; \
		__asm__(insn " %4, %3\n\tsetz %0\n\tsetp %1\n\tsetc %2" \
			: "=r"(z), "=r"(p), "=r"(cf) : "x"(_mm_castsi128_##T(a)), "x"(_mm_castsi128_##T(b)) : "cc"); \
		return _mm_cvtsi32_si128((z ? F_ZF : 0) | (p ? F_PF : 0) | (cf ? F_CF : 0)); \
	}
COMI(comiss, "comiss", ps)
COMI(ucomiss, "ucomiss", ps)
COMI(comisd, "comisd", pd)
COMI(ucomisd, "ucomisd", pd)

void op_sse_comi(struct x86_cpu *c, const struct x86_insn *i)
{
	fpu_check_sse(c);
	unsigned m = i->mnemonic;
	bool single = m == ZYDIS_MNEMONIC_COMISS || m == ZYDIS_MNEMONIC_UCOMISS;
	sse_fn *f = m == ZYDIS_MNEMONIC_COMISS ? comiss : m == ZYDIS_MNEMONIC_UCOMISS ? ucomiss
		  : m == ZYDIS_MNEMONIC_COMISD ? comisd : ucomisd;
	union xmm b = sse_get(c, i, 1, single ? 4 : 8, true);
	uint32_t fl = (uint32_t)_mm_cvtsi128_si32(sse_compute(c, f, true, vec(*xmm_reg(c, &i->op[0])), vec(b)));
	x86_set_flags(c, (x86_get_flags(c) & ~(uint64_t)F_ARITH) | fl);
}

/* Moves of a whole register: aligned (movaps, movapd, movdqa, movnt*) or not. */
static bool move_aligned(unsigned m)
{
	return m != ZYDIS_MNEMONIC_MOVUPS && m != ZYDIS_MNEMONIC_MOVUPD && m != ZYDIS_MNEMONIC_MOVDQU &&
	       m != ZYDIS_MNEMONIC_LDDQU;
}

void op_sse_mov(struct x86_cpu *c, const struct x86_insn *i)
{
	fpu_check_sse(c);
	bool al = move_aligned(i->mnemonic);
	union xmm v = sse_get(c, i, 1, 16, al);
	sse_put(c, i, 0, &v, 16, al);
}

/* MOVD/MOVQ: a general register or memory into the low lane (the rest zeroed), the low
 * lane out to a general register or memory. */
void op_sse_movdq(struct x86_cpu *c, const struct x86_insn *i)
{
	fpu_check_sse(c);
	unsigned bytes = i->mnemonic == ZYDIS_MNEMONIC_MOVD ? 4 : 8;
	union xmm v = sse_get(c, i, 1, bytes, false);
	if (bytes == 4)
		v.q[0] &= 0xffffffffull;
	if (i->op[0].kind == OPK_XMM) {
		v.q[1] = 0;
		*xmm_reg(c, &i->op[0]) = v;
	} else {
		sse_put(c, i, 0, &v, bytes, false);
	}
}

/* MOVSS/MOVSD: register to register merges the low lane; from memory zero-extends; to
 * memory stores the low lane. */
void op_sse_movs(struct x86_cpu *c, const struct x86_insn *i)
{
	fpu_check_sse(c);
	unsigned bytes = i->mnemonic == ZYDIS_MNEMONIC_MOVSS ? 4 : 8;
	union xmm v = sse_get(c, i, 1, bytes, false);
	if (i->op[0].kind == OPK_XMM && i->op[1].kind == OPK_XMM) {
		union xmm d = *xmm_reg(c, &i->op[0]);
		memcpy(d.b, v.b, bytes);
		v = d;
	}
	sse_put(c, i, 0, &v, bytes, false);
}

/* MOVLPS/MOVLPD/MOVHPS/MOVHPD to or from memory, MOVHLPS/MOVLHPS between registers:
 * one 8-byte half moves, the other stays. */
void op_sse_movhalf(struct x86_cpu *c, const struct x86_insn *i)
{
	fpu_check_sse(c);
	unsigned m = i->mnemonic;
	bool high = m == ZYDIS_MNEMONIC_MOVHPS || m == ZYDIS_MNEMONIC_MOVHPD;
	if (i->op[0].kind == OPK_MEM) {
		union xmm s = *xmm_reg(c, &i->op[1]);
		union xmm half = { .q = { s.q[high], 0 } };
		sse_put(c, i, 0, &half, 8, false);
		return;
	}
	union xmm *d = xmm_reg(c, &i->op[0]);
	union xmm s = sse_get(c, i, 1, i->op[1].kind == OPK_MEM ? 8 : 16, false);
	if (m == ZYDIS_MNEMONIC_MOVHLPS)
		d->q[0] = s.q[1];
	else if (m == ZYDIS_MNEMONIC_MOVLHPS)
		d->q[1] = s.q[0];
	else
		d->q[high] = s.q[0];
}

void op_sse_movmsk(struct x86_cpu *c, const struct x86_insn *i)
{
	fpu_check_sse(c);
	__m128i s = vec(*xmm_reg(c, &i->op[1]));
	int v = i->mnemonic == ZYDIS_MNEMONIC_PMOVMSKB ? _mm_movemask_epi8(s)
		: i->mnemonic == ZYDIS_MNEMONIC_MOVMSKPS ? _mm_movemask_ps(_mm_castsi128_ps(s))
							  : _mm_movemask_pd(_mm_castsi128_pd(s));
	reg_write(c, i->op[0].reg, i->op[0].size, false, (uint32_t)v);
}

/* PSHUFD, PSHUFLW, PSHUFHW, SHUFPS, SHUFPD: lanes picked by the immediate. */
void op_sse_shuf(struct x86_cpu *c, const struct x86_insn *i)
{
	fpu_check_sse(c);
	unsigned imm = (unsigned)i->op[2].val & 0xff, m = i->mnemonic;
	union xmm s = sse_get(c, i, 1, 16, true), d = *xmm_reg(c, &i->op[0]), r = s;
	switch (m) {
	case ZYDIS_MNEMONIC_PSHUFD:
		for (int k = 0; k < 4; k++)
			r.d[k] = s.d[(imm >> (2 * k)) & 3];
		break;
	case ZYDIS_MNEMONIC_PSHUFLW:
	case ZYDIS_MNEMONIC_PSHUFHW: {
		int base = m == ZYDIS_MNEMONIC_PSHUFHW ? 4 : 0;
		for (int k = 0; k < 4; k++)
			r.w[base + k] = s.w[base + ((imm >> (2 * k)) & 3)];
		break;
	}
	case ZYDIS_MNEMONIC_SHUFPS:
		r.d[0] = d.d[imm & 3];
		r.d[1] = d.d[(imm >> 2) & 3];
		r.d[2] = s.d[(imm >> 4) & 3];
		r.d[3] = s.d[(imm >> 6) & 3];
		break;
	default: /* SHUFPD */
		r.q[0] = d.q[imm & 1];
		r.q[1] = s.q[(imm >> 1) & 1];
		break;
	}
	*xmm_reg(c, &i->op[0]) = r;
}

/* PSLLDQ/PSRLDQ: the whole register shifted by bytes. */
void op_sse_shiftdq(struct x86_cpu *c, const struct x86_insn *i)
{
	fpu_check_sse(c);
	unsigned n = (unsigned)i->op[1].val & 0xff;
	union xmm *d = xmm_reg(c, &i->op[0]), r = { 0 };
	if (n < 16) {
		if (i->mnemonic == ZYDIS_MNEMONIC_PSLLDQ)
			memcpy(r.b + n, d->b, 16 - n);
		else
			memcpy(r.b, d->b + n, 16 - n);
	}
	*d = r;
}

void op_sse_pinsrw(struct x86_cpu *c, const struct x86_insn *i)
{
	fpu_check_sse(c);
	uint64_t v = i->op[1].kind == OPK_MEM ? mem_read(c, opnd_addr(c, i, &i->op[1]), 2) : opnd_read(c, i, 1);
	xmm_reg(c, &i->op[0])->w[i->op[2].val & 7] = (uint16_t)v;
}

void op_sse_pextrw(struct x86_cpu *c, const struct x86_insn *i)
{
	fpu_check_sse(c);
	reg_write(c, i->op[0].reg, i->op[0].size, false, xmm_reg(c, &i->op[1])->w[i->op[2].val & 7]);
}

/* Integer <-> scalar float conversions, under MXCSR's rounding (the truncating forms
 * round toward zero); the integer travels in the low lane of b or of the result. */
#define CVT_I2F(name, T, conv, ext) \
	static __m128i name(__m128i a, __m128i b) { return _mm_cast##T##_si128(conv(_mm_castsi128_##T(a), ext(b))); }
CVT_I2F(si32_sd, pd, _mm_cvtsi32_sd, _mm_cvtsi128_si32)
CVT_I2F(si64_sd, pd, _mm_cvtsi64_sd, _mm_cvtsi128_si64)
CVT_I2F(si32_ss, ps, _mm_cvtsi32_ss, _mm_cvtsi128_si32)
CVT_I2F(si64_ss, ps, _mm_cvtsi64_ss, _mm_cvtsi128_si64)
#define CVT_F2I(name, T, conv, wrap) \
	static __m128i name(__m128i a, __m128i b) { (void)a; return wrap(conv(_mm_castsi128_##T(b))); }
CVT_F2I(sd_si32, pd, _mm_cvtsd_si32, _mm_cvtsi32_si128)
CVT_F2I(sd_si64, pd, _mm_cvtsd_si64, _mm_cvtsi64_si128)
CVT_F2I(tsd_si32, pd, _mm_cvttsd_si32, _mm_cvtsi32_si128)
CVT_F2I(tsd_si64, pd, _mm_cvttsd_si64, _mm_cvtsi64_si128)
CVT_F2I(ss_si32, ps, _mm_cvtss_si32, _mm_cvtsi32_si128)
CVT_F2I(ss_si64, ps, _mm_cvtss_si64, _mm_cvtsi64_si128)
CVT_F2I(tss_si32, ps, _mm_cvttss_si32, _mm_cvtsi32_si128)
CVT_F2I(tss_si64, ps, _mm_cvttss_si64, _mm_cvtsi64_si128)

/* CVTSI2SD, CVTSI2SS: xmm <- r/m32 or r/m64 */
void op_sse_cvt_i2f(struct x86_cpu *c, const struct x86_insn *i)
{
	fpu_check_sse(c);
	bool wide = i->op[1].size == 8, sd = i->mnemonic == ZYDIS_MNEMONIC_CVTSI2SD;
	sse_fn *f = sd ? (wide ? si64_sd : si32_sd) : (wide ? si64_ss : si32_ss);
	union xmm b = sse_get(c, i, 1, wide ? 8 : 4, false);
	if (!wide)
		b.q[0] &= 0xffffffffull;
	*xmm_reg(c, &i->op[0]) = unvec(sse_compute(c, f, true, vec(*xmm_reg(c, &i->op[0])), vec(b)));
}

/* CVTSD2SI, CVTTSD2SI, CVTSS2SI, CVTTSS2SI: r32 or r64 <- xmm/m64 or xmm/m32 */
void op_sse_cvt_f2i(struct x86_cpu *c, const struct x86_insn *i)
{
	fpu_check_sse(c);
	bool wide = i->op[0].size == 8;
	sse_fn *f;
	switch (i->mnemonic) {
	case ZYDIS_MNEMONIC_CVTSD2SI: f = wide ? sd_si64 : sd_si32; break;
	case ZYDIS_MNEMONIC_CVTTSD2SI: f = wide ? tsd_si64 : tsd_si32; break;
	case ZYDIS_MNEMONIC_CVTSS2SI: f = wide ? ss_si64 : ss_si32; break;
	default: f = wide ? tss_si64 : tss_si32; break;
	}
	bool sd = i->mnemonic == ZYDIS_MNEMONIC_CVTSD2SI || i->mnemonic == ZYDIS_MNEMONIC_CVTTSD2SI;
	union xmm b = sse_get(c, i, 1, sd ? 8 : 4, false);
	union xmm r = unvec(sse_compute(c, f, true, _mm_setzero_si128(), vec(b)));
	reg_write(c, i->op[0].reg, i->op[0].size, false, r.q[0]);
}
