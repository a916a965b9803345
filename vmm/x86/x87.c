/* The x87 unit past its control instructions (fpu.c): the register stack (eight
 * physical registers, TOP in the status word, a tag per register), stack faults,
 * exception flags and their delivery as #MF, and one handler for every row of x87.def.
 * The arithmetic itself is the host's (x87_host.c). FCS and FDS are stored as zero, which
 * CPUID leaf 7 says (EBX bit 13), and FOP as zero, as Intel CPUs store it outside their
 * FOP compatibility mode unless the last instruction took an unmasked exception -- the
 * one case where pvbench's FOP is wrong. FERR# (the IRQ 13 route with CR0.NE clear) is
 * not wired: an unmasked exception then stays pending. */
#include <Zydis/Zydis.h>
#include <string.h>
#include "decode.h"
#include "exec.h"
#include "fpu.h"
#include "x87_host.h"

#define CR0_MP 0x2ull
#define CR0_TS 0x8ull
#define CR0_NE 0x20ull

#define FSW_IE 0x0001u
#define FSW_DE 0x0002u
#define FSW_ZE 0x0004u
#define FSW_OE 0x0008u
#define FSW_UE 0x0010u
#define FSW_SF 0x0040u
#define FSW_ES 0x0080u
#define FSW_C0 0x0100u
#define FSW_C1 0x0200u
#define FSW_C2 0x0400u
#define FSW_TOP 0x3800u
#define FSW_C3 0x4000u
#define FSW_B  0x8000u
#define FSW_CC (FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3)
#define FSW_EXC 0x3fu

enum x87_kind { K_LOAD = 1, K_STORE, K_CONST, K_ARITH, K_COMPARE, K_COMI, K_XAM, K_UNARY, K_PUSH2, K_ST01,
		K_XCH, K_CMOV, K_FREE, K_STACK };
#define XF_INT 1
#define XF_REV 2
#define XF_CC  4

static const struct x87_row {
	uint8_t kind, host, pops, flags;
} rows[ZYDIS_MNEMONIC_MAX_VALUE + 1] = {
#define X87(m, k, h, p, fl) [ZYDIS_MNEMONIC_##m] = { k, h, p, fl },
#include "x87.def"
#undef X87
};

/* the QNaN "real indefinite" a masked invalid operation produces */
static const uint8_t INDEFINITE[10] = { 0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff };

static void set_top(struct fpu *f, unsigned t) { f->fsw = (uint16_t)((f->fsw & ~FSW_TOP) | ((t & 7) << 11)); }
static unsigned phys(const struct fpu *f, unsigned i) { return (fpu_top(f) + i) & 7; }
static bool valid(const struct fpu *f, unsigned i) { return f->ftw >> phys(f, i) & 1; }

static void put(struct fpu *f, unsigned i, const uint8_t v[10])
{
	memcpy(f->st[phys(f, i)], v, 10);
	f->ftw |= (uint8_t)(1u << phys(f, i));
}

static void st_pop(struct fpu *f)
{
	f->ftw &= (uint8_t)~(1u << phys(f, 0));
	set_top(f, fpu_top(f) + 1);
}

static void set_c1(struct fpu *f, bool on) { f->fsw = (uint16_t)((f->fsw & ~FSW_C1) | (on ? FSW_C1 : 0)); }

/* Records exception flags (and SF); returns the unmasked ones, which set ES and B and
 * are delivered as #MF at the next waiting instruction. */
static unsigned raise_flags(struct fpu *f, unsigned flags)
{
	f->fsw |= (uint16_t)(flags & (FSW_EXC | FSW_SF));
	unsigned unmasked = flags & ~f->fcw & FSW_EXC;
	if (unmasked)
		f->fsw |= FSW_ES | FSW_B;
	return unmasked;
}

/* A stack overflow (push onto a full register, C1 = 1) or underflow (an empty operand,
 * C1 = 0): an invalid operation. True when it is masked and the instruction goes on
 * with the indefinite value. */
static bool stack_fault(struct fpu *f, bool overflow)
{
	set_c1(f, overflow);
	return !raise_flags(f, FSW_IE | FSW_SF);
}

/* An unmasked exception left pending by an earlier instruction, as #MF (CR0.NE). */
static void pending_mf(struct x86_cpu *c)
{
	if ((c->fpu.fsw & FSW_ES) && (c->cr0 & CR0_NE))
		x86_raise(c, EXC_MF, NO_ERROR_CODE);
}

/* Before every instruction but the FN* ones: #NM, then a pending unmasked exception. */
static void x87_wait(struct x86_cpu *c)
{
	fpu_check_x87(c);
	pending_mf(c);
}

static void host_prepare(const struct fpu *f, struct x87_host *h)
{
	memset(h, 0, sizeof(*h));
	h->cw = f->fcw;
}

/* A source operand in 80-bit form: ST(i) or memory in the instruction's format. False
 * after an underflow that the guest has unmasked. */
static bool source(struct x86_cpu *c, const struct x86_insn *i, const struct x86_operand *o, bool is_int,
		   uint8_t out[10], unsigned *flags)
{
	struct fpu *f = &c->fpu;
	if (o->kind == OPK_ST) {
		if (!valid(f, o->reg)) {
			if (!stack_fault(f, false))
				return false;
			memcpy(out, INDEFINITE, 10);
			return true;
		}
		memcpy(out, f->st[phys(f, o->reg)], 10);
		return true;
	}
	uint64_t a = opnd_addr(c, i, o);
	if (o->size == 10) {
		mem_read_block(c, a, out, 10);
		return true;
	}
	struct x87_host h;
	host_prepare(f, &h);
	uint64_t v = mem_read(c, a, o->size);
	memcpy(h.m, &v, 8);
	enum host_op op = is_int ? (o->size == 2 ? H_LD_I16 : o->size == 4 ? H_LD_I32 : H_LD_I64)
			  : (o->size == 4 ? H_LD_F32 : H_LD_F64);
	x87_host_run(op, &h);
	*flags |= h.sw & FSW_EXC;
	memcpy(out, h.r0, 10);
	return true;
}

static bool push_ok(struct fpu *f)
{
	if (valid(f, 7)) /* the register a push makes ST(0) */
		return stack_fault(f, true);
	set_c1(f, false);
	return true;
}

static void st_push(struct fpu *f, const uint8_t v[10], bool overflowed)
{
	set_top(f, fpu_top(f) - 1);
	put(f, 0, overflowed ? INDEFINITE : v);
}

static void do_load(struct x86_cpu *c, const struct x86_insn *i, const struct x87_row *r)
{
	struct fpu *f = &c->fpu;
	uint8_t v[10];
	unsigned flags = 0;
	if (!source(c, i, &i->op[0], r->flags & XF_INT, v, &flags))
		return;
	bool full = valid(f, 7);
	if (!push_ok(f) || raise_flags(f, flags) & (FSW_IE | FSW_DE))
		return;
	st_push(f, v, full);
}

static void do_const(struct x86_cpu *c, const struct x87_row *r)
{
	struct fpu *f = &c->fpu;
	struct x87_host h;
	host_prepare(f, &h);
	x87_host_run(r->host, &h);
	bool full = valid(f, 7);
	if (push_ok(f))
		st_push(f, h.r0, full);
}

static void do_store(struct x86_cpu *c, const struct x86_insn *i, const struct x87_row *r)
{
	struct fpu *f = &c->fpu;
	const struct x86_operand *o = &i->op[0];
	uint8_t v[10];
	bool underflow = !valid(f, 0);
	memcpy(v, underflow ? INDEFINITE : f->st[phys(f, 0)], 10);
	if (o->kind == OPK_ST) {
		if (underflow && !stack_fault(f, false))
			return;
		set_c1(f, false);
		put(f, o->reg, v);
	} else if (o->size == 10 && !(r->flags & XF_INT)) {
		if (underflow && (~f->fcw & FSW_IE)) {
			stack_fault(f, false);
			return;
		}
		mem_write_block(c, opnd_addr(c, i, o), v, 10);
		set_c1(f, false);
		if (underflow)
			stack_fault(f, false);
	} else {
		uint64_t a = opnd_addr(c, i, o);
		struct x87_host h;
		host_prepare(f, &h);
		memcpy(h.a, v, 10);
		bool is_int = r->flags & XF_INT;
		x87_host_run(is_int ? (o->size == 2 ? H_ST_I16 : o->size == 4 ? H_ST_I32 : H_ST_I64)
			     : (o->size == 4 ? H_ST_F32 : H_ST_F64), &h);
		unsigned flags = underflow ? FSW_IE | FSW_SF : h.sw & FSW_EXC;
		/* an unmasked invalid, denormal, overflow or underflow stores nothing */
		if (flags & ~f->fcw & (FSW_IE | FSW_DE | FSW_OE | FSW_UE)) {
			raise_flags(f, flags);
			set_c1(f, false);
			return;
		}
		uint64_t m;
		memcpy(&m, h.m, 8);
		mem_write(c, a, m, o->size);
		raise_flags(f, flags);
		set_c1(f, !underflow && (h.sw & FSW_C1));
	}
	for (unsigned k = 0; k < r->pops; k++)
		st_pop(f);
}

/* The operation's result: written unless an unmasked exception that comes before the
 * result (invalid, denormal, divide by zero) stops it; C1 from the host's rounding. */
static bool result_ok(struct fpu *f, const struct x87_host *h)
{
	set_c1(f, h->sw & FSW_C1);
	return !(raise_flags(f, h->sw & FSW_EXC) & (FSW_IE | FSW_DE | FSW_ZE));
}

static enum x87_mem mem_format(const struct x86_operand *o, bool is_int)
{
	if (is_int)
		return o->size == 2 ? XM_I16 : XM_I32;
	return o->size == 4 ? XM_F32 : XM_F64;
}

/* A memory source into h->m for the host's memory form of the operation. */
static void mem_source(struct x86_cpu *c, const struct x86_insn *i, const struct x86_operand *o, struct x87_host *h)
{
	uint64_t v = mem_read(c, opnd_addr(c, i, o), o->size);
	memcpy(h->m, &v, 8);
}

static void do_arith(struct x86_cpu *c, const struct x86_insn *i, const struct x87_row *r)
{
	struct fpu *f = &c->fpu;
	bool mem = i->nops == 1;
	unsigned dst = mem ? 0 : i->op[0].reg, src = mem ? 0 : i->op[1].reg;
	bool rev = r->flags & XF_REV;
	struct x87_host h;
	host_prepare(f, &h);
	if (mem)
		mem_source(c, i, &i->op[0], &h);
	if (!valid(f, dst) || !valid(f, src)) {
		if (!stack_fault(f, false))
			return;
		put(f, dst, INDEFINITE);
	} else if (mem) {
		memcpy(h.a, f->st[phys(f, 0)], 10);
		enum host_op op = !rev ? r->host : r->host == H_SUB ? H_SUBR : H_DIVR;
		x87_host_run_mem(op, mem_format(&i->op[0], r->flags & XF_INT), &h);
		if (!result_ok(f, &h))
			return;
		put(f, dst, h.r0);
	} else { /* dst = dst op src, or src op dst: the same host operation on swapped operands */
		memcpy(h.a, f->st[phys(f, rev ? src : dst)], 10);
		memcpy(h.b, f->st[phys(f, rev ? dst : src)], 10);
		x87_host_run(r->host, &h);
		if (!result_ok(f, &h))
			return;
		put(f, dst, h.r0);
	}
	for (unsigned k = 0; k < r->pops; k++)
		st_pop(f);
}

/* The second operand of a comparison: the last one the decoder shows (after ST(0) when
 * it shows both), ST(1) when it shows none. */
static const struct x86_operand *compare_source(const struct x86_insn *i)
{
	static const struct x86_operand st1 = { .kind = OPK_ST, .reg = 1, .size = 10 };
	return i->nops ? &i->op[i->nops - 1] : &st1;
}

/* Compares ST(0) with the source on the host; returns its C0/C2/C3, or unordered after
 * a masked stack fault, or -1 when an unmasked exception stops the instruction. */
static int compare(struct x86_cpu *c, const struct x86_insn *i, const struct x87_row *r, const struct x86_operand *so)
{
	struct fpu *f = &c->fpu;
	struct x87_host h;
	host_prepare(f, &h);
	bool mem = so->kind == OPK_MEM;
	if (mem)
		mem_source(c, i, so, &h);
	if (!valid(f, 0) || (r->host != H_TST && !mem && !valid(f, so->reg)))
		return stack_fault(f, false) ? (int)(FSW_C0 | FSW_C2 | FSW_C3) : -1;
	memcpy(h.a, f->st[phys(f, 0)], 10);
	if (mem) {
		x87_host_run_mem(H_COM, mem_format(so, r->flags & XF_INT), &h);
	} else {
		if (r->host != H_TST)
			memcpy(h.b, f->st[phys(f, so->reg)], 10);
		x87_host_run(r->host, &h);
	}
	set_c1(f, false);
	if (raise_flags(f, h.sw & FSW_EXC) & (FSW_IE | FSW_DE))
		return -1;
	return h.sw & (FSW_C0 | FSW_C2 | FSW_C3);
}

static void do_compare(struct x86_cpu *c, const struct x86_insn *i, const struct x87_row *r)
{
	struct fpu *f = &c->fpu;
	int cc = compare(c, i, r, compare_source(i));
	if (cc < 0)
		return;
	f->fsw = (uint16_t)((f->fsw & ~(FSW_C0 | FSW_C2 | FSW_C3)) | (unsigned)cc);
	for (unsigned k = 0; k < r->pops; k++)
		st_pop(f);
}

static void do_comi(struct x86_cpu *c, const struct x86_insn *i, const struct x87_row *r)
{
	int cc = compare(c, i, r, compare_source(i));
	if (cc < 0)
		return;
	uint64_t fl = (cc & FSW_C3 ? F_ZF : 0) | (cc & FSW_C2 ? F_PF : 0) | (cc & FSW_C0 ? F_CF : 0);
	x86_set_flags(c, (x86_get_flags(c) & ~(uint64_t)F_ARITH) | fl);
	for (unsigned k = 0; k < r->pops; k++)
		st_pop(&c->fpu);
}

static void do_xam(struct x86_cpu *c)
{
	struct fpu *f = &c->fpu;
	const uint8_t *v = f->st[phys(f, 0)];
	unsigned cc;
	if (!valid(f, 0)) {
		cc = FSW_C3 | FSW_C0 | (v[9] & 0x80 ? FSW_C1 : 0);
	} else {
		struct x87_host h;
		host_prepare(f, &h);
		memcpy(h.a, v, 10);
		x87_host_run(H_XAM, &h);
		cc = h.sw & FSW_CC;
	}
	f->fsw = (uint16_t)((f->fsw & ~FSW_CC) | cc);
}

/* ST(0) = f(ST(0)), or (PUSH2) ST(0) = r0 and r1 pushed; ST01: both registers in, the
 * result in ST(0), or in ST(1) and ST(0) popped. */
static void do_compute(struct x86_cpu *c, const struct x87_row *r)
{
	struct fpu *f = &c->fpu;
	bool two_in = r->kind == K_ST01;
	bool pushes = r->kind == K_PUSH2;
	struct x87_host h;
	host_prepare(f, &h);
	bool underflow = !valid(f, 0) || (two_in && !valid(f, 1));
	bool full = pushes && valid(f, 7);
	if (underflow || full) {
		if (!stack_fault(f, full && !underflow))
			return;
		if (r->pops)
			st_pop(f);
		put(f, 0, INDEFINITE);
		if (pushes)
			st_push(f, INDEFINITE, true);
		return;
	}
	memcpy(h.a, f->st[phys(f, 0)], 10);
	if (two_in)
		memcpy(h.b, f->st[phys(f, 1)], 10);
	x87_host_run(r->host, &h);
	if (!result_ok(f, &h))
		return;
	if (r->flags & XF_CC) /* fprem's quotient bits; C2: incomplete, or out of range */
		f->fsw = (uint16_t)((f->fsw & ~FSW_CC) | (h.sw & FSW_CC));
	if (r->pops) {
		put(f, 1, h.r0);
		st_pop(f);
		return;
	}
	put(f, 0, h.r0);
	if (pushes && !((r->flags & XF_CC) && (h.sw & FSW_C2))) /* out of range: nothing pushed */
		st_push(f, h.r1, false);
}

static void do_xch(struct x86_cpu *c, const struct x86_insn *i)
{
	struct fpu *f = &c->fpu;
	unsigned k = i->nops ? i->op[0].reg : 1;
	uint8_t a[10], b[10];
	if (!valid(f, 0) || !valid(f, k)) {
		if (!stack_fault(f, false))
			return;
		if (!valid(f, 0))
			put(f, 0, INDEFINITE);
		if (!valid(f, k))
			put(f, k, INDEFINITE);
	}
	memcpy(a, f->st[phys(f, 0)], 10);
	memcpy(b, f->st[phys(f, k)], 10);
	put(f, 0, b);
	put(f, k, a);
	set_c1(f, false);
}

static bool cmov_cond(const struct x86_cpu *c, unsigned m)
{
	bool cf = flag(c, F_CF), zf = flag(c, F_ZF), pf = flag(c, F_PF);
	switch (m) {
	case ZYDIS_MNEMONIC_FCMOVB: return cf;
	case ZYDIS_MNEMONIC_FCMOVNB: return !cf;
	case ZYDIS_MNEMONIC_FCMOVE: return zf;
	case ZYDIS_MNEMONIC_FCMOVNE: return !zf;
	case ZYDIS_MNEMONIC_FCMOVBE: return cf || zf;
	case ZYDIS_MNEMONIC_FCMOVNBE: return !cf && !zf;
	case ZYDIS_MNEMONIC_FCMOVU: return pf;
	default: return !pf; /* FCMOVNU */
	}
}

static void do_cmov(struct x86_cpu *c, const struct x86_insn *i)
{
	struct fpu *f = &c->fpu;
	unsigned k = i->op[1].reg;
	if (!valid(f, 0) || !valid(f, k)) {
		if (stack_fault(f, false))
			put(f, 0, INDEFINITE);
		return;
	}
	set_c1(f, false);
	if (cmov_cond(c, i->mnemonic))
		put(f, 0, f->st[phys(f, k)]);
}

void op_x87(struct x86_cpu *c, const struct x86_insn *i)
{
	const struct x87_row *r = &rows[i->mnemonic];
	struct fpu *f = &c->fpu;
	x87_wait(c);
	f->fip = c->rip - i->len;
	for (unsigned k = 0; k < i->nops; k++)
		if (i->op[k].kind == OPK_MEM)
			f->fdp = opnd_addr(c, i, &i->op[k]);
	switch (r->kind) {
	case K_LOAD: do_load(c, i, r); break;
	case K_STORE: do_store(c, i, r); break;
	case K_CONST: do_const(c, r); break;
	case K_ARITH: do_arith(c, i, r); break;
	case K_COMPARE: do_compare(c, i, r); break;
	case K_COMI: do_comi(c, i, r); break;
	case K_XAM: do_xam(c); break;
	case K_UNARY: case K_PUSH2: case K_ST01: do_compute(c, r); break;
	case K_XCH: do_xch(c, i); break;
	case K_CMOV: do_cmov(c, i); break;
	case K_FREE:
		f->ftw &= (uint8_t)~(1u << phys(f, i->op[0].reg));
		if (r->pops)
			st_pop(f);
		break;
	case K_STACK:
		if (i->mnemonic == ZYDIS_MNEMONIC_FINCSTP || i->mnemonic == ZYDIS_MNEMONIC_FDECSTP) {
			set_top(f, fpu_top(f) + (i->mnemonic == ZYDIS_MNEMONIC_FINCSTP ? 1 : 7));
			set_c1(f, false);
		}
		break;
	default:
		op_unimplemented(c, i);
	}
}

/* The full two-bit tag of physical register p: valid, zero, special, empty. */
static unsigned full_tag(const struct fpu *f, unsigned p)
{
	if (!(f->ftw >> p & 1))
		return 3;
	const uint8_t *v = f->st[p];
	unsigned exp = (v[9] & 0x7fu) << 8 | v[8];
	uint64_t mant;
	memcpy(&mant, v, 8);
	if (exp == 0x7fff || (exp && !(mant >> 63)) || (!exp && mant))
		return 2;
	return exp || mant ? 0 : 1;
}

static bool env_real(const struct x86_cpu *c) { return !(c->cr0 & 1) || (x86_get_flags(c) & F_VM); }

/* The FSTENV/FLDENV image in its four layouts (SDM vol. 1, 8.1.10): 32-bit or 16-bit,
 * protected or real mode. Returns its size. */
static unsigned env_image(const struct x86_cpu *c, const struct x86_insn *i, uint8_t *img)
{
	const struct fpu *f = &c->fpu;
	unsigned tw = 0;
	for (unsigned p = 0; p < 8; p++)
		tw |= full_tag(f, p) << (2 * p);
	bool real = env_real(c);
	uint32_t w[7] = { f->fcw, f->fsw, tw, (uint32_t)f->fip, 0, (uint32_t)f->fdp, 0 };
	if (real) { /* offsets as bits 0-15 and, above them, bits 16-31 with FOP */
		w[3] = f->fip & 0xffff;
		w[4] = (uint32_t)(f->fip >> 16 & 0xffff) << 12;
		w[5] = f->fdp & 0xffff;
		w[6] = (uint32_t)(f->fdp >> 16 & 0xffff) << 12;
	}
	if (i->opsize == 2) {
		for (unsigned k = 0; k < 7; k++) {
			uint16_t h = (uint16_t)w[k];
			memcpy(img + 2 * k, &h, 2);
		}
		return 14;
	}
	for (unsigned k = 0; k < 7; k++) {
		uint32_t v = k < 3 ? (w[k] | 0xffff0000u) : w[k]; /* the high halves of CW SW TW read as ones */
		memcpy(img + 4 * k, &v, 4);
	}
	return 28;
}

static void env_load(struct x86_cpu *c, const struct x86_insn *i, const uint8_t *img)
{
	struct fpu *f = &c->fpu;
	unsigned step = i->opsize == 2 ? 2 : 4;
	uint16_t cw, sw, tw;
	memcpy(&cw, img, 2);
	memcpy(&sw, img + step, 2);
	memcpy(&tw, img + 2 * step, 2);
	f->fcw = (uint16_t)(cw | 0x40);
	f->fsw = sw;
	f->ftw = 0;
	for (unsigned p = 0; p < 8; p++)
		if ((tw >> (2 * p) & 3) != 3)
			f->ftw |= (uint8_t)(1u << p);
	uint32_t w[7] = { 0 };
	for (unsigned k = 3; k < 7; k++)
		memcpy(&w[k], img + k * step, step);
	if (env_real(c)) {
		w[3] = (w[3] & 0xffff) | (w[4] >> 12 & 0xffff) << 16;
		w[5] = (w[5] & 0xffff) | (w[6] >> 12 & 0xffff) << 16;
	}
	f->fip = w[3];
	f->fdp = w[5];
}

static uint64_t env_address(struct x86_cpu *c, const struct x86_insn *i)
{
	fpu_check_x87(c);
	return opnd_addr(c, i, &i->op[0]);
}

void op_fnstenv(struct x86_cpu *c, const struct x86_insn *i)
{
	uint64_t a = env_address(c, i);
	uint8_t img[28];
	mem_write_block(c, a, img, env_image(c, i, img));
	c->fpu.fcw |= FSW_EXC; /* every exception masked afterwards */
}

void op_fldenv(struct x86_cpu *c, const struct x86_insn *i)
{
	x87_wait(c);
	uint64_t a = env_address(c, i);
	uint8_t img[28];
	mem_read_block(c, a, img, i->opsize == 2 ? 14 : 28);
	env_load(c, i, img);
}

/* FNSAVE: the environment, then ST(0)..ST(7) as 10-byte images; then FNINIT. */
void op_fnsave(struct x86_cpu *c, const struct x86_insn *i)
{
	uint64_t a = env_address(c, i);
	uint8_t img[28 + 80];
	unsigned n = env_image(c, i, img);
	for (unsigned k = 0; k < 8; k++)
		memcpy(img + n + 10 * k, c->fpu.st[phys(&c->fpu, k)], 10);
	mem_write_block(c, a, img, n + 80);
	op_fninit(c, i);
}

void op_frstor(struct x86_cpu *c, const struct x86_insn *i)
{
	x87_wait(c);
	uint64_t a = env_address(c, i);
	uint8_t img[28 + 80];
	unsigned n = i->opsize == 2 ? 14 : 28;
	mem_read_block(c, a, img, n + 80);
	env_load(c, i, img);
	for (unsigned k = 0; k < 8; k++)
		memcpy(c->fpu.st[phys(&c->fpu, k)], img + n + 10 * k, 10);
}

/* FWAIT: #NM with CR0.MP and TS, then a pending unmasked exception. */
void op_fwait(struct x86_cpu *c, const struct x86_insn *i)
{
	(void)i;
	if ((c->cr0 & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS))
		x86_raise(c, EXC_NM, NO_ERROR_CODE);
	pending_mf(c);
}
