#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <Zydis/Zydis.h>
#include "corpus.h"
#include "../abi/proto.h"
#include "../vmm/loader.h"

#define LOAD_BASE  0x200000ull
#define IDT_OFF    0x0
#define IDTR_OFF   0x200
#define STUBS_OFF  0x210     /* 32 stubs of 8 bytes */
#define COMMON_OFF 0x310
#define ENTRY_OFF  0x400
#define DATA_OFF   0x40000   /* two random pages: [rsi + disp] lands here */
#define SEG_SIZE   (DATA_OFF + 0x2000)
#define FILE_OFF   0x1000
#define BAD_PAGE   0x100000000ull        /* rdi: beyond the loader's 4 GiB map (#PF) */
#define NONCANONICAL 0x8000000000000000ull /* rbp: #GP */
/* The 32-bit streams' own paging (2-level: a page table for the first 4 MiB, 4 MiB pages
 * to 64 MiB), so that their accesses go through the shadow MMU: edi at a page that is
 * not present, ebp at a read-only one; and their stack. */
#define PD_OFF     (DATA_OFF + 0x2000)
#define PT_OFF     (DATA_OFF + 0x3000)
#define STACK_TOP  (DATA_OFF + 0x5000)
#define SEG_SIZE32 STACK_TOP
#define NP_PAGE    0x3fe000u
#define RO_PAGE    0x3ff000u

struct gen {
	uint8_t *seg;
	unsigned at;       /* next code byte */
	uint64_t rng;
	bool broken;       /* Zydis had no encoding for a fixed instruction */
	bool b32;          /* 32-bit protected-mode code (Multiboot), paging on */
};

static uint64_t rnd(struct gen *g)
{
	g->rng ^= g->rng << 13;
	g->rng ^= g->rng >> 7;
	g->rng ^= g->rng << 17;
	return g->rng;
}

/* The registers a stream computes with: never rsp (the stack), rsi (the data pages),
 * rdi and rbp (pointers that fault). Those three are read as sources too (sources), as
 * bytes sil, dil and bpl among others. */
static const uint8_t pool[] = { 0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15 };
static const uint8_t sources[] = { 0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 5, 6, 7 };
/* in 32-bit code: eax, ecx, edx, ebx; esi, edi and ebp read too (not as bytes: those need
 * a REX prefix) */
static const uint8_t pool32[] = { 0, 1, 2, 3 };
static const uint8_t sources32[] = { 0, 1, 2, 3, 5, 6, 7 };

static unsigned pick_pool(struct gen *g) { return g->b32 ? pool32[rnd(g) % sizeof(pool32)] : pool[rnd(g) % sizeof(pool)]; }
static unsigned pick_source(struct gen *g, unsigned size)
{
	if (g->b32)
		return size == 1 ? pool32[rnd(g) % sizeof(pool32)] : sources32[rnd(g) % sizeof(sources32)];
	return sources[rnd(g) % sizeof(sources)];
}

static ZydisRegister gpr(unsigned idx, unsigned size, bool high8)
{
	switch (size) {
	case 1:
		if (idx < 4)
			return (ZydisRegister)((high8 ? ZYDIS_REGISTER_AH : ZYDIS_REGISTER_AL) + idx);
		if (idx < 8)
			return (ZydisRegister)(ZYDIS_REGISTER_SPL + idx - 4);
		return (ZydisRegister)(ZYDIS_REGISTER_R8B + idx - 8);
	case 2: return (ZydisRegister)(ZYDIS_REGISTER_AX + idx);
	case 4: return (ZydisRegister)(ZYDIS_REGISTER_EAX + idx);
	default: return (ZydisRegister)(ZYDIS_REGISTER_RAX + idx);
	}
}

static ZydisEncoderOperand reg(ZydisRegister r) { return (ZydisEncoderOperand){ .type = ZYDIS_OPERAND_TYPE_REGISTER, .reg.value = r }; }
static ZydisEncoderOperand imm(int64_t v) { return (ZydisEncoderOperand){ .type = ZYDIS_OPERAND_TYPE_IMMEDIATE, .imm.s = v }; }
static ZydisEncoderOperand mem(ZydisRegister base, int64_t disp, unsigned size)
{
	ZydisEncoderOperand o = { .type = ZYDIS_OPERAND_TYPE_MEMORY };
	o.mem.base = base;
	o.mem.displacement = disp;
	o.mem.size = (ZyanU16)size;
	return o;
}

/* One instruction into buf; its length, 0 when Zydis has no encoding for it. */
static unsigned encode(const struct gen *g, uint8_t *buf, ZydisMnemonic m, unsigned n, const ZydisEncoderOperand *ops)
{
	ZydisEncoderRequest q;
	memset(&q, 0, sizeof(q));
	q.machine_mode = g->b32 ? ZYDIS_MACHINE_MODE_LEGACY_32 : ZYDIS_MACHINE_MODE_LONG_64;
	q.mnemonic = m;
	q.operand_count = (ZyanU8)n;
	memcpy(q.operands, ops, n * sizeof(*ops));
	ZyanUSize len = ZYDIS_MAX_INSTRUCTION_LENGTH;
	return ZYAN_SUCCESS(ZydisEncoderEncodeInstruction(&q, buf, &len)) ? (unsigned)len : 0;
}

static void emit(struct gen *g, ZydisMnemonic m, unsigned n, ZydisEncoderOperand a, ZydisEncoderOperand b)
{
	ZydisEncoderOperand ops[2] = { a, b };
	unsigned len = encode(g, g->seg + g->at, m, n, ops);
	g->broken |= !len;
	g->at += len;
}

static uint64_t edge_or_random(struct gen *g)
{
	static const uint64_t edges[] = { 0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff,
					  0x80000000, 0xffffffff, 0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull };
	return rnd(g) % 3 ? rnd(g) : edges[rnd(g) % (sizeof(edges) / sizeof(edges[0]))];
}

/* Operand shapes: r register, m memory, i immediate, c cl; x a narrower source; the
 * system registers as destination or source: control (CR0, CR2, CR4, CR8 written,
 * CR3 too read), debug (DR0-DR3 and DR6 written; DR7, whose enables would single the
 * stream out for the interpreter, only read), segment (DS, ES, FS, GS, SS). */
enum form { F_R, F_M, F_RR, F_RM, F_MR, F_RI, F_MI, F_RI8, F_RC, F_RRI, F_RRC, F_RX, F_MX, F_NONE, F_PUSHPOP,
	    F_TO_CR, F_FROM_CR, F_TO_DR, F_FROM_DR, F_TO_SEG, F_FROM_SEG };

static const struct shape {
	ZydisMnemonic m;
	enum form f;
	uint8_t sizes;     /* bit s: operand size 1 << s bytes */
	bool faults;       /* may fault with these operands (divide): gets a resume marker */
} shapes[] = {
#define ARITH(m) { m, F_RR, 15, 0 }, { m, F_RI, 15, 0 }, { m, F_RM, 15, 0 }, { m, F_MR, 15, 0 }, { m, F_MI, 15, 0 }
	ARITH(ZYDIS_MNEMONIC_ADD), ARITH(ZYDIS_MNEMONIC_ADC), ARITH(ZYDIS_MNEMONIC_SUB), ARITH(ZYDIS_MNEMONIC_SBB),
	ARITH(ZYDIS_MNEMONIC_CMP), ARITH(ZYDIS_MNEMONIC_AND), ARITH(ZYDIS_MNEMONIC_OR), ARITH(ZYDIS_MNEMONIC_XOR),
	ARITH(ZYDIS_MNEMONIC_MOV),
#undef ARITH
	{ ZYDIS_MNEMONIC_TEST, F_RR, 15, 0 }, { ZYDIS_MNEMONIC_TEST, F_RI, 15, 0 }, { ZYDIS_MNEMONIC_TEST, F_MR, 15, 0 },
#define UNARY(m) { m, F_R, 15, 0 }, { m, F_M, 15, 0 }
	UNARY(ZYDIS_MNEMONIC_INC), UNARY(ZYDIS_MNEMONIC_DEC), UNARY(ZYDIS_MNEMONIC_NEG), UNARY(ZYDIS_MNEMONIC_NOT),
	UNARY(ZYDIS_MNEMONIC_MUL), UNARY(ZYDIS_MNEMONIC_IMUL),
#undef UNARY
#define SHIFT(m) { m, F_RI8, 15, 0 }, { m, F_RC, 15, 0 }
	SHIFT(ZYDIS_MNEMONIC_SHL), SHIFT(ZYDIS_MNEMONIC_SHR), SHIFT(ZYDIS_MNEMONIC_SAR), SHIFT(ZYDIS_MNEMONIC_ROL),
	SHIFT(ZYDIS_MNEMONIC_ROR), SHIFT(ZYDIS_MNEMONIC_RCL), SHIFT(ZYDIS_MNEMONIC_RCR),
#undef SHIFT
	{ ZYDIS_MNEMONIC_SHLD, F_RRI, 14, 0 }, { ZYDIS_MNEMONIC_SHRD, F_RRC, 14, 0 },
	{ ZYDIS_MNEMONIC_IMUL, F_RR, 14, 0 }, { ZYDIS_MNEMONIC_IMUL, F_RM, 14, 0 }, { ZYDIS_MNEMONIC_IMUL, F_RRI, 14, 0 },
	{ ZYDIS_MNEMONIC_DIV, F_R, 15, 1 }, { ZYDIS_MNEMONIC_IDIV, F_R, 15, 1 },
	{ ZYDIS_MNEMONIC_BT, F_RR, 14, 0 }, { ZYDIS_MNEMONIC_BTS, F_RI8, 14, 0 }, { ZYDIS_MNEMONIC_BTR, F_RR, 14, 0 },
	{ ZYDIS_MNEMONIC_BTC, F_RI8, 14, 0 }, { ZYDIS_MNEMONIC_BSF, F_RR, 14, 0 }, { ZYDIS_MNEMONIC_BSR, F_RR, 14, 0 },
	{ ZYDIS_MNEMONIC_POPCNT, F_RR, 14, 0 }, { ZYDIS_MNEMONIC_BSWAP, F_R, 12, 0 },
	{ ZYDIS_MNEMONIC_MOVZX, F_RX, 14, 0 }, { ZYDIS_MNEMONIC_MOVSX, F_RX, 14, 0 }, { ZYDIS_MNEMONIC_MOVZX, F_MX, 14, 0 },
	{ ZYDIS_MNEMONIC_MOVSX, F_MX, 14, 0 }, { ZYDIS_MNEMONIC_MOVSXD, F_RX, 8, 0 }, { ZYDIS_MNEMONIC_LEA, F_RM, 14, 0 },
	{ ZYDIS_MNEMONIC_XCHG, F_RR, 15, 0 }, { ZYDIS_MNEMONIC_XCHG, F_MR, 15, 0 }, { ZYDIS_MNEMONIC_XADD, F_RR, 15, 0 },
	{ ZYDIS_MNEMONIC_XADD, F_MR, 15, 0 }, { ZYDIS_MNEMONIC_CMPXCHG, F_RR, 15, 0 }, { ZYDIS_MNEMONIC_CMPXCHG, F_MR, 15, 0 },
	{ ZYDIS_MNEMONIC_CMOVB, F_RR, 14, 0 }, { ZYDIS_MNEMONIC_CMOVLE, F_RR, 14, 0 }, { ZYDIS_MNEMONIC_CMOVNZ, F_RM, 14, 0 },
	{ ZYDIS_MNEMONIC_CMOVO, F_RR, 14, 0 }, { ZYDIS_MNEMONIC_CMOVP, F_RR, 14, 0 }, { ZYDIS_MNEMONIC_CMOVNBE, F_RR, 14, 0 },
	{ ZYDIS_MNEMONIC_SETB, F_R, 1, 0 }, { ZYDIS_MNEMONIC_SETLE, F_R, 1, 0 }, { ZYDIS_MNEMONIC_SETNZ, F_M, 1, 0 },
	{ ZYDIS_MNEMONIC_SETNS, F_R, 1, 0 }, { ZYDIS_MNEMONIC_SETP, F_R, 1, 0 }, { ZYDIS_MNEMONIC_SETNL, F_R, 1, 0 },
	{ ZYDIS_MNEMONIC_CLC, F_NONE, 0, 0 }, { ZYDIS_MNEMONIC_STC, F_NONE, 0, 0 }, { ZYDIS_MNEMONIC_CMC, F_NONE, 0, 0 },
	{ ZYDIS_MNEMONIC_LAHF, F_NONE, 0, 0 }, { ZYDIS_MNEMONIC_SAHF, F_NONE, 0, 0 }, { ZYDIS_MNEMONIC_CBW, F_NONE, 0, 0 },
	{ ZYDIS_MNEMONIC_CWDE, F_NONE, 0, 0 }, { ZYDIS_MNEMONIC_CDQE, F_NONE, 0, 0 }, { ZYDIS_MNEMONIC_CQO, F_NONE, 0, 0 },
	{ ZYDIS_MNEMONIC_CDQ, F_NONE, 0, 0 }, { ZYDIS_MNEMONIC_NOP, F_NONE, 0, 0 },
	{ ZYDIS_MNEMONIC_PUSH, F_PUSHPOP, 8, 0 }, { ZYDIS_MNEMONIC_POP, F_PUSHPOP, 8, 0 },
	/* system instructions with random operands: mostly #GP, #UD or #SS, and the rest
	 * change state both engines must agree on */
	{ ZYDIS_MNEMONIC_MOV, F_TO_CR, 8, 1 }, { ZYDIS_MNEMONIC_MOV, F_FROM_CR, 8, 1 },
	{ ZYDIS_MNEMONIC_MOV, F_TO_DR, 8, 1 }, { ZYDIS_MNEMONIC_MOV, F_FROM_DR, 8, 1 },
	{ ZYDIS_MNEMONIC_MOV, F_TO_SEG, 2, 1 }, { ZYDIS_MNEMONIC_MOV, F_FROM_SEG, 2, 0 },
	{ ZYDIS_MNEMONIC_RDMSR, F_NONE, 0, 1 }, { ZYDIS_MNEMONIC_WRMSR, F_NONE, 0, 1 },
	{ ZYDIS_MNEMONIC_CPUID, F_NONE, 0, 0 }, { ZYDIS_MNEMONIC_CLTS, F_NONE, 0, 0 },
	{ ZYDIS_MNEMONIC_WBINVD, F_NONE, 0, 0 }, { ZYDIS_MNEMONIC_INVLPG, F_M, 1, 1 },
	{ ZYDIS_MNEMONIC_SMSW, F_R, 2, 0 }, { ZYDIS_MNEMONIC_STR, F_R, 2, 0 }, { ZYDIS_MNEMONIC_SLDT, F_R, 2, 0 },
};

static ZydisRegister pick_reg(struct gen *g, const ZydisRegister *set, unsigned n) { return set[rnd(g) % n]; }

static const ZydisRegister crs_written[] = { ZYDIS_REGISTER_CR0, ZYDIS_REGISTER_CR2, ZYDIS_REGISTER_CR4, ZYDIS_REGISTER_CR8 };
static const ZydisRegister crs_read[] = { ZYDIS_REGISTER_CR0, ZYDIS_REGISTER_CR2, ZYDIS_REGISTER_CR3, ZYDIS_REGISTER_CR4,
					  ZYDIS_REGISTER_CR8 };
static const ZydisRegister drs_written[] = { ZYDIS_REGISTER_DR0, ZYDIS_REGISTER_DR1, ZYDIS_REGISTER_DR2, ZYDIS_REGISTER_DR3,
					     ZYDIS_REGISTER_DR6 };
static const ZydisRegister drs_read[] = { ZYDIS_REGISTER_DR0, ZYDIS_REGISTER_DR3, ZYDIS_REGISTER_DR4, ZYDIS_REGISTER_DR5,
					  ZYDIS_REGISTER_DR6, ZYDIS_REGISTER_DR7 };
static const ZydisRegister sregs[] = { ZYDIS_REGISTER_DS, ZYDIS_REGISTER_ES, ZYDIS_REGISTER_FS, ZYDIS_REGISTER_GS,
				       ZYDIS_REGISTER_SS };
/* 32-bit streams write only what cannot take away what they stand on: CR2 of the control
 * registers (CR0 and CR4 would end paging or protected mode, CR8 is not there), FS and GS
 * of the segments (a null DS or SS faults every access after it, the handler's too) */
static const ZydisRegister crs_written32[] = { ZYDIS_REGISTER_CR2 };
static const ZydisRegister sregs32[] = { ZYDIS_REGISTER_FS, ZYDIS_REGISTER_GS };
#define N(a) (unsigned)(sizeof(a) / sizeof((a)[0]))

/* A random operand size allowed by mask (in 32-bit code, 8 bytes becomes 4) */
static unsigned size_of(struct gen *g, uint8_t mask)
{
	if (g->b32)
		mask = mask & 7 ? mask & 7 : 4;
	for (;;) {
		unsigned s = (unsigned)(rnd(g) % 4);
		if (mask & (1u << s))
			return 1u << s;
	}
}

/* A memory operand: mostly the data pages, sometimes a page that faults. */
static ZydisEncoderOperand data_mem(struct gen *g, unsigned size, bool *faults)
{
	unsigned pick = (unsigned)(rnd(g) % 16);
	*faults = pick < 2;
	ZydisRegister base = pick == 0 ? ZYDIS_REGISTER_RDI : pick == 1 ? ZYDIS_REGISTER_RBP : ZYDIS_REGISTER_RSI;
	if (g->b32)
		base = (ZydisRegister)(base - ZYDIS_REGISTER_RAX + ZYDIS_REGISTER_EAX);
	return mem(base, (int64_t)(rnd(g) % (0x2000 - 8)), size);
}

/* One random instruction of shape s into buf; its length (0: no encoding, try another). */
static unsigned one(struct gen *g, const struct shape *s, uint8_t *buf, bool *faults)
{
	unsigned size = s->sizes ? size_of(g, s->sizes) : g->b32 ? 4 : 8, narrow = size == 2 || rnd(g) & 1 ? 1 : 2;
	bool high = rnd(g) % 4 == 0;
	/* the second operand is only read, except by these */
	bool swaps = s->m == ZYDIS_MNEMONIC_XCHG || s->m == ZYDIS_MNEMONIC_XADD || s->m == ZYDIS_MNEMONIC_CMPXCHG;
	unsigned src = swaps ? pick_pool(g) : pick_source(g, size);
	ZydisRegister r1 = gpr(pick_pool(g), size, high), r2 = gpr(src, size, high && src < 4);
	int64_t i = (int64_t)edge_or_random(g);
	/* (32-bit code's encoder takes a 4-byte immediate sign-extended) */
	i = size == 8 || (size == 4 && g->b32) ? (int64_t)(int32_t)i
		: size == 4			? (int64_t)(uint32_t)i
						: (int64_t)(i & ((1ll << (size * 8)) - 1));
	bool mf;
	ZydisEncoderOperand o[3], m = data_mem(g, size, &mf);
	*faults = s->faults || (mf && (s->f == F_M || s->f == F_RM || s->f == F_MR || s->f == F_MI));
	unsigned n = 2;
	switch (s->f) {
	case F_R: o[0] = reg(r1); n = 1; break;
	case F_M: o[0] = m; n = 1; break;
	case F_RR: o[0] = reg(r1); o[1] = reg(r2); break;
	case F_RM: o[0] = reg(r1); o[1] = m; break;
	case F_MR: o[0] = m; o[1] = reg(r2); break;
	case F_RI: o[0] = reg(r1); o[1] = imm(i); break;
	case F_MI: o[0] = m; o[1] = imm(i); break;
	case F_RI8: o[0] = reg(r1); o[1] = imm((int64_t)(rnd(g) % 70)); break;
	case F_RC: o[0] = reg(r1); o[1] = reg(ZYDIS_REGISTER_CL); break;
	case F_RRI: o[0] = reg(r1); o[1] = reg(r2); o[2] = imm((int8_t)rnd(g)); n = 3; break;
	case F_RRC: o[0] = reg(r1); o[1] = reg(r2); o[2] = reg(ZYDIS_REGISTER_CL); n = 3; break;
	case F_RX:
		o[0] = reg(r1);
		o[1] = reg(gpr(pick_source(g, narrow), s->m == ZYDIS_MNEMONIC_MOVSXD ? 4 : narrow, false));
		break;
	case F_MX: o[0] = reg(r1); o[1] = data_mem(g, narrow, faults); break;
	case F_NONE: n = 0; break;
	case F_PUSHPOP: o[0] = reg(gpr(pick_pool(g), size, false)); n = 1; break;
	case F_TO_CR:
		o[0] = reg(g->b32 ? pick_reg(g, crs_written32, N(crs_written32)) : pick_reg(g, crs_written, N(crs_written)));
		o[1] = reg(r2);
		break;
	case F_FROM_CR: o[0] = reg(r1); o[1] = reg(pick_reg(g, crs_read, N(crs_read))); break;
	case F_TO_DR: o[0] = reg(pick_reg(g, drs_written, N(drs_written))); o[1] = reg(r2); break;
	case F_FROM_DR: o[0] = reg(r1); o[1] = reg(pick_reg(g, drs_read, N(drs_read))); break;
	case F_TO_SEG: o[0] = reg(g->b32 ? pick_reg(g, sregs32, N(sregs32)) : pick_reg(g, sregs, N(sregs))); o[1] = reg(r2); break;
	case F_FROM_SEG: o[0] = reg(r1); o[1] = reg(pick_reg(g, sregs, N(sregs))); break;
	}
	if (s->f == F_RM && s->m == ZYDIS_MNEMONIC_LEA)
		*faults = false; /* lea does not access memory */
	return encode(g, buf, s->m, n, o);
}

/* Bytes that must fault, which no encoder makes: undefined opcodes (#UD) and branches to
 * rbp's non-canonical address (#GP on the branch, before a call's push). */
static const struct raw { uint8_t n, b[3]; } raws[] = {
	{ 2, { 0x0f, 0x0b } },       /* ud2 */
	{ 1, { 0xd6 } },             /* salc: not in 64-bit mode */
	{ 3, { 0x0f, 0xff, 0xc0 } }, /* ud0 */
	{ 2, { 0xf0, 0x90 } },       /* lock nop */
	{ 2, { 0xff, 0xe5 } },       /* jmp rbp */
	{ 2, { 0xff, 0xd5 } },       /* call rbp */
};
/* (32-bit streams take ud0 and lock nop: ud2's neighbour salc is an instruction there,
 * and a branch into ebp's page would run its data) */

/* A random item: an instruction (after a resume marker when it may fault: "jmp +1; db
 * len", so that the handler can find its end), or a forward branch over the next one. */
static void item(struct gen *g, unsigned limit)
{
	uint8_t buf[ZYDIS_MAX_INSTRUCTION_LENGTH];
	bool faults = false;
	unsigned len = 0;
	if (rnd(g) % 64 == 0) {
		const struct raw *r = g->b32 ? &raws[2 + rnd(g) % 2] : &raws[rnd(g) % (sizeof(raws) / sizeof(raws[0]))];
		memcpy(buf, r->b, r->n);
		len = r->n;
		faults = true;
	}
	while (!len)
		len = one(g, &shapes[rnd(g) % (sizeof(shapes) / sizeof(shapes[0]))], buf, &faults);
	unsigned body = len + (faults ? 3 : 0);
	if (g->at + body + 2 > limit)
		return;
	if (rnd(g) % 8 == 0) { /* jcc or jmp short over it */
		g->seg[g->at++] = 0x70 | (uint8_t)(rnd(g) % 16);
		if (rnd(g) % 17 == 0)
			g->seg[g->at - 1] = 0xeb;
		g->seg[g->at++] = (uint8_t)body;
	}
	if (faults) {
		memcpy(g->seg + g->at, "\xeb\x01", 2);
		g->seg[g->at + 2] = (uint8_t)len;
		g->at += 3;
	}
	memcpy(g->seg + g->at, buf, len);
	g->at += len;
}

/* The IDT: every exception to a stub that pushes a zero error code where the CPU does
 * not, then to one handler that moves the saved rip past the faulting instruction (its
 * length is the marker byte just before it) and returns. */
static void fault_handling(struct gen *g)
{
	static const uint32_t has_error = 1u << 8 | 1u << 10 | 1u << 11 | 1u << 12 | 1u << 13 | 1u << 14 | 1u << 17 | 1u << 21;
	unsigned gsize = g->b32 ? 8 : 16;
	for (unsigned v = 0; v < 32; v++) {
		uint64_t stub = LOAD_BASE + STUBS_OFF + 8 * v;
		uint8_t *gate = g->seg + IDT_OFF + gsize * v;
		gate[0] = (uint8_t)stub;
		gate[1] = (uint8_t)(stub >> 8);
		gate[2] = g->b32 ? LOADER_SEL_CODE32 : LOADER_SEL_CODE64; /* the loader's code selector */
		gate[5] = 0x8e; /* present, interrupt gate */
		gate[6] = (uint8_t)(stub >> 16);
		gate[7] = (uint8_t)(stub >> 24);
		g->at = STUBS_OFF + 8 * v;
		if (!(has_error >> v & 1))
			emit(g, ZYDIS_MNEMONIC_PUSH, 1, imm(0), imm(0));
		int64_t rel = (int64_t)COMMON_OFF - (int64_t)(g->at + 5);
		g->seg[g->at++] = 0xe9;
		memcpy(g->seg + g->at, &(int32_t){ (int32_t)rel }, 4);
	}
	uint16_t limit = (uint16_t)(32 * gsize - 1);
	uint64_t base = LOAD_BASE + IDT_OFF;
	memcpy(g->seg + IDTR_OFF, &limit, 2);
	memcpy(g->seg + IDTR_OFF + 2, &base, g->b32 ? 4 : 8);
	g->at = COMMON_OFF;
	/* ax, sp: the accumulator and stack pointer of the stream's width */
	ZydisRegister ax = g->b32 ? ZYDIS_REGISTER_EAX : ZYDIS_REGISTER_RAX, sp = g->b32 ? ZYDIS_REGISTER_ESP : ZYDIS_REGISTER_RSP;
	unsigned w = g->b32 ? 4 : 8;
	emit(g, ZYDIS_MNEMONIC_PUSH, 1, reg(ax), imm(0));
	emit(g, ZYDIS_MNEMONIC_MOV, 2, reg(ax), mem(sp, 2 * w, w));
	emit(g, ZYDIS_MNEMONIC_MOVZX, 2, reg(ZYDIS_REGISTER_EAX), mem(ax, -1, 1));
	emit(g, ZYDIS_MNEMONIC_ADD, 2, mem(sp, 2 * w, w), reg(ax));
	emit(g, ZYDIS_MNEMONIC_POP, 1, reg(ax), imm(0));
	emit(g, ZYDIS_MNEMONIC_ADD, 2, reg(sp), imm(w));
	emit(g, g->b32 ? ZYDIS_MNEMONIC_IRETD : ZYDIS_MNEMONIC_IRETQ, 0, imm(0), imm(0));
}

/* The start of every stream: the IDT, the pointer registers, the rest at random, flags. */
static void prologue(struct gen *g)
{
	g->at = ENTRY_OFF;
	if (g->b32)
		emit(g, ZYDIS_MNEMONIC_MOV, 2, reg(ZYDIS_REGISTER_ESP), imm((int64_t)(LOAD_BASE + STACK_TOP)));
	emit(g, ZYDIS_MNEMONIC_LIDT, 1, mem(ZYDIS_REGISTER_NONE, (int64_t)(LOAD_BASE + IDTR_OFF), g->b32 ? 6 : 10), imm(0));
	if (g->b32) { /* paging on: CR3, CR4.PSE, CR0.PG */
		static const struct { ZydisRegister cr; uint32_t or; } on[] = { { ZYDIS_REGISTER_CR4, 0x10 },
										 { ZYDIS_REGISTER_CR0, 0x80000000u } };
		emit(g, ZYDIS_MNEMONIC_MOV, 2, reg(ZYDIS_REGISTER_EAX), imm((int64_t)(LOAD_BASE + PD_OFF)));
		emit(g, ZYDIS_MNEMONIC_MOV, 2, reg(ZYDIS_REGISTER_CR3), reg(ZYDIS_REGISTER_EAX));
		for (unsigned k = 0; k < 2; k++) {
			emit(g, ZYDIS_MNEMONIC_MOV, 2, reg(ZYDIS_REGISTER_EAX), reg(on[k].cr));
			emit(g, ZYDIS_MNEMONIC_OR, 2, reg(ZYDIS_REGISTER_EAX), imm((int32_t)on[k].or));
			emit(g, ZYDIS_MNEMONIC_MOV, 2, reg(on[k].cr), reg(ZYDIS_REGISTER_EAX));
		}
		emit(g, ZYDIS_MNEMONIC_MOV, 2, reg(ZYDIS_REGISTER_ESI), imm((int64_t)(LOAD_BASE + DATA_OFF)));
		emit(g, ZYDIS_MNEMONIC_MOV, 2, reg(ZYDIS_REGISTER_EDI), imm(NP_PAGE));
		emit(g, ZYDIS_MNEMONIC_MOV, 2, reg(ZYDIS_REGISTER_EBP), imm(RO_PAGE));
		for (unsigned k = 0; k < sizeof(pool32); k++)
			emit(g, ZYDIS_MNEMONIC_MOV, 2, reg(gpr(pool32[k], 4, false)), imm((int32_t)edge_or_random(g)));
	} else {
		emit(g, ZYDIS_MNEMONIC_MOV, 2, reg(ZYDIS_REGISTER_RSI), imm((int64_t)(LOAD_BASE + DATA_OFF)));
		emit(g, ZYDIS_MNEMONIC_MOV, 2, reg(ZYDIS_REGISTER_RDI), imm((int64_t)BAD_PAGE));
		emit(g, ZYDIS_MNEMONIC_MOV, 2, reg(ZYDIS_REGISTER_RBP), imm((int64_t)NONCANONICAL));
		for (unsigned k = 0; k < sizeof(pool); k++)
			emit(g, ZYDIS_MNEMONIC_MOV, 2, reg(gpr(pool[k], 8, false)), imm((int64_t)edge_or_random(g)));
	}
	emit(g, ZYDIS_MNEMONIC_PUSH, 1, imm((int64_t)((rnd(g) & 0x8d5) | 2)), imm(0)); /* arithmetic flags; IF, DF clear */
	emit(g, g->b32 ? ZYDIS_MNEMONIC_POPFD : ZYDIS_MNEMONIC_POPFQ, 0, imm(0), imm(0));
}

/* The 32-bit streams' page directory and the page table of their first 4 MiB */
static void paging32(struct gen *g)
{
	uint32_t *pd = (uint32_t *)(g->seg + PD_OFF), *pt = (uint32_t *)(g->seg + PT_OFF);
	pd[0] = (uint32_t)(LOAD_BASE + PT_OFF) | 3;
	for (uint32_t i = 1; i < 16; i++)
		pd[i] = i << 22 | 0x83; /* 4 MiB, writable */
	for (uint32_t i = 0; i < 1024; i++)
		pt[i] = i << 12 | 3;
	pt[NP_PAGE >> 12] = 0;
	pt[RO_PAGE >> 12] = RO_PAGE | 1;
}

static void epilogue(struct gen *g)
{
	emit(g, ZYDIS_MNEMONIC_MOV, 2, reg(ZYDIS_REGISTER_EDX), imm(PVB_DEBUG_EXIT_PORT));
	emit(g, ZYDIS_MNEMONIC_OUT, 2, reg(ZYDIS_REGISTER_DX), reg(ZYDIS_REGISTER_AL));
	emit(g, ZYDIS_MNEMONIC_HLT, 0, imm(0), imm(0));
}

#define STREAM_LIMIT (DATA_OFF - 32)

/* The image around whatever fill() puts between the prologue and the epilogue. */
static int build(uint64_t seed, bool b32, void (*fill)(struct gen *, const void *), const void *arg, uint8_t **img,
		 size_t *len)
{
	*len = FILE_OFF + (b32 ? SEG_SIZE32 : SEG_SIZE);
	uint8_t *f = calloc(1, *len);
	if (!(*img = f))
		return -1;
	struct gen g = { .seg = f + FILE_OFF, .rng = seed * 0x9e3779b97f4a7c15ull | 1, .b32 = b32 };
	for (unsigned k = 0; k < 0x2000; k++)
		g.seg[DATA_OFF + k] = (uint8_t)rnd(&g);
	if (b32)
		paging32(&g);
	fault_handling(&g);
	prologue(&g);
	fill(&g, arg);
	epilogue(&g);
	if (g.broken) {
		free(f);
		return -1;
	}
	if (b32) { /* Multiboot with load addresses: the file from its start at LOAD_BASE - FILE_OFF */
		uint32_t h[8] = { 0x1badb002u, 0x10000u, 0, (uint32_t)(LOAD_BASE - FILE_OFF), (uint32_t)(LOAD_BASE - FILE_OFF),
				  0, 0, (uint32_t)(LOAD_BASE + ENTRY_OFF) };
		h[2] = (uint32_t)-(h[0] + h[1]);
		memcpy(f, h, sizeof(h));
	} else {
		loader_elf64_headers(f, LOAD_BASE + ENTRY_OFF, LOAD_BASE, FILE_OFF, SEG_SIZE);
	}
	return 0;
}

static void random_items(struct gen *g, const void *arg)
{
	unsigned n = *(const unsigned *)arg;
	for (unsigned k = 0; k < n && g->at + 40 < STREAM_LIMIT; k++)
		item(g, STREAM_LIMIT);
}

int corpus_build(uint64_t seed, unsigned n, uint8_t **img, size_t *len)
{
	return build(seed, false, random_items, &n, img, len);
}

int corpus_build32(uint64_t seed, unsigned n, uint8_t **img, size_t *len)
{
	return build(seed, true, random_items, &n, img, len);
}

struct given { const uint8_t *code; size_t n; };

static void given_bytes(struct gen *g, const void *arg)
{
	const struct given *b = arg;
	memcpy(g->seg + g->at, b->code, b->n);
	g->at += (unsigned)b->n;
}

int corpus_wrap(uint64_t seed, const uint8_t *code, size_t n, uint8_t **img, size_t *len)
{
	if (n > STREAM_LIMIT - ENTRY_OFF - 512)
		return -1;
	return build(seed, false, given_bytes, &(struct given){ code, n }, img, len);
}
