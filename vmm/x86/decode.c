#include <Zydis/Zydis.h>
#include <stdio.h>
#include <string.h>
#include "decode.h"

static x86_op_fn *handlers[ZYDIS_MNEMONIC_MAX_VALUE + 1];
static int8_t conds[ZYDIS_MNEMONIC_MAX_VALUE + 1];
static ZydisDecoder decoders[3]; /* 16, 32, 64 */
static bool ready;

static void init_tables(void)
{
	for (int m = 0; m <= ZYDIS_MNEMONIC_MAX_VALUE; m++) {
		handlers[m] = op_unimplemented;
		conds[m] = -1;
	}
#define OP(m, fn) handlers[ZYDIS_MNEMONIC_##m] = fn;
#define CC(m, fn, cond) handlers[ZYDIS_MNEMONIC_##m] = fn; conds[ZYDIS_MNEMONIC_##m] = cond;
#include "ops.def"
#undef OP
#undef CC
#define BIN(m, bytes, fp, expr) handlers[ZYDIS_MNEMONIC_##m] = op_sse_bin;
#include "sse.def"
#undef BIN
#define X87(m, kind, host, pops, flags) handlers[ZYDIS_MNEMONIC_##m] = op_x87;
#include "x87.def"
#undef X87
	ZydisDecoderInit(&decoders[0], ZYDIS_MACHINE_MODE_LEGACY_16, ZYDIS_STACK_WIDTH_16);
	ZydisDecoderInit(&decoders[1], ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32);
	ZydisDecoderInit(&decoders[2], ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
	ready = true;
}

static const ZydisDecoder *decoder_for(unsigned bits)
{
	if (!ready)
		init_tables();
	return &decoders[bits == 64 ? 2 : bits == 32 ? 1 : 0];
}

static int seg_index(ZydisRegister r)
{
	switch (r) {
	case ZYDIS_REGISTER_ES: return S_ES;
	case ZYDIS_REGISTER_CS: return S_CS;
	case ZYDIS_REGISTER_SS: return S_SS;
	case ZYDIS_REGISTER_DS: return S_DS;
	case ZYDIS_REGISTER_FS: return S_FS;
	case ZYDIS_REGISTER_GS: return S_GS;
	default: return -1;
	}
}

/* A general-purpose register as (index, high8); -1 for anything else. */
static int gpr(ZydisRegister r, bool *high8)
{
	*high8 = r == ZYDIS_REGISTER_AH || r == ZYDIS_REGISTER_CH || r == ZYDIS_REGISTER_DH || r == ZYDIS_REGISTER_BH;
	ZydisRegisterClass cls = ZydisRegisterGetClass(r);
	if (cls != ZYDIS_REGCLASS_GPR8 && cls != ZYDIS_REGCLASS_GPR16 && cls != ZYDIS_REGCLASS_GPR32 &&
	    cls != ZYDIS_REGCLASS_GPR64)
		return -1;
	if (*high8)
		return r - ZYDIS_REGISTER_AH; /* AH CH DH BH: the high bytes of 0-3 */
	ZydisRegister big = ZydisRegisterGetLargestEnclosing(ZYDIS_MACHINE_MODE_LONG_64, r);
	return big - ZYDIS_REGISTER_RAX;
}

static int convert(const ZydisDecodedInstruction *zi, const ZydisDecodedOperand *zo, struct x86_operand *o)
{
	memset(o, 0, sizeof(*o));
	o->size = (uint8_t)(zo->size / 8);
	o->base = o->index = REG_NONE;
	bool high8;
	switch (zo->type) {
	case ZYDIS_OPERAND_TYPE_REGISTER: {
		int s = seg_index(zo->reg.value);
		ZydisRegisterClass cls = ZydisRegisterGetClass(zo->reg.value);
		if (s >= 0) {
			o->kind = OPK_SEG;
			o->reg = (uint8_t)s;
		} else if (cls == ZYDIS_REGCLASS_CONTROL) {
			o->kind = OPK_CR;
			o->reg = (uint8_t)(zo->reg.value - ZYDIS_REGISTER_CR0);
		} else if (cls == ZYDIS_REGCLASS_XMM) {
			o->kind = OPK_XMM;
			o->reg = (uint8_t)(zo->reg.value - ZYDIS_REGISTER_XMM0);
		} else if (cls == ZYDIS_REGCLASS_X87) {
			o->kind = OPK_ST;
			o->reg = (uint8_t)(zo->reg.value - ZYDIS_REGISTER_ST0);
		} else if (cls == ZYDIS_REGCLASS_DEBUG) {
			o->kind = OPK_DR;
			o->reg = (uint8_t)(zo->reg.value - ZYDIS_REGISTER_DR0);
		} else {
			int g = gpr(zo->reg.value, &high8);
			if (g < 0)
				return -1;
			o->kind = OPK_REG;
			o->reg = (uint8_t)g;
			o->high8 = high8;
		}
		return 0;
	}
	case ZYDIS_OPERAND_TYPE_MEMORY: {
		o->kind = OPK_MEM;
		if (zo->mem.base == ZYDIS_REGISTER_RIP || zo->mem.base == ZYDIS_REGISTER_EIP) {
			o->base = 16;
		} else if (zo->mem.base != ZYDIS_REGISTER_NONE) {
			int g = gpr(zo->mem.base, &high8);
			if (g < 0)
				return -1;
			o->base = (uint8_t)g;
		}
		if (zo->mem.index != ZYDIS_REGISTER_NONE) {
			int g = gpr(zo->mem.index, &high8);
			if (g < 0)
				return -1;
			o->index = (uint8_t)g;
			o->scale = zo->mem.scale;
		}
		int s = seg_index(zo->mem.segment);
		o->seg = (uint8_t)(s < 0 ? S_DS : s);
		o->val = zo->mem.disp.value;
		return 0;
	}
	case ZYDIS_OPERAND_TYPE_IMMEDIATE:
		o->kind = zo->imm.is_relative ? OPK_REL : OPK_IMM;
		o->val = zo->imm.is_signed ? zo->imm.value.s : (int64_t)zo->imm.value.u;
		/* immediates act at the instruction's operand size (sign-extended if signed) */
		if (!zo->imm.is_relative && zo->imm.is_signed && zi->operand_width / 8 > o->size)
			o->size = (uint8_t)(zi->operand_width / 8);
		return 0;
	case ZYDIS_OPERAND_TYPE_POINTER:
		o->kind = OPK_FAR;
		o->sel = zo->ptr.segment;
		o->val = zo->ptr.offset;
		return 0;
	default:
		return -1;
	}
}

enum decode_status x86_decode(const uint8_t *buf, unsigned len, unsigned bits, struct x86_insn *out)
{
	ZydisDecodedInstruction zi;
	ZydisDecodedOperand zo[ZYDIS_MAX_OPERAND_COUNT];
	ZyanStatus st = ZydisDecoderDecodeFull(decoder_for(bits), buf, len, &zi, zo);
	if (st == ZYDIS_STATUS_NO_MORE_DATA)
		return len < ZYDIS_MAX_INSTRUCTION_LENGTH ? DECODE_NEED_MORE : DECODE_INVALID;
	if (!ZYAN_SUCCESS(st))
		return DECODE_INVALID;
	memset(out, 0, sizeof(*out));
	out->fn = handlers[zi.mnemonic];
	out->mnemonic = (uint16_t)zi.mnemonic;
	out->len = zi.length;
	out->opsize = (uint8_t)(zi.operand_width / 8);
	out->addrsize = (uint8_t)(zi.address_width / 8);
	out->cond = conds[zi.mnemonic] < 0 ? 0 : (uint8_t)conds[zi.mnemonic];
	out->far = zi.meta.branch_type == ZYDIS_BRANCH_TYPE_FAR;
	out->ends_block = out->far || zi.meta.category == ZYDIS_CATEGORY_UNCOND_BR || zi.meta.category == ZYDIS_CATEGORY_CALL ||
			  zi.meta.category == ZYDIS_CATEGORY_RET || zi.meta.category == ZYDIS_CATEGORY_INTERRUPT ||
			  zi.meta.category == ZYDIS_CATEGORY_SYSCALL || zi.meta.category == ZYDIS_CATEGORY_SYSRET;
	out->sensitive = (zi.attributes & ZYDIS_ATTRIB_IS_PRIVILEGED) || zi.meta.category == ZYDIS_CATEGORY_IO ||
			 zi.meta.category == ZYDIS_CATEGORY_IOSTRINGOP || zi.meta.category == ZYDIS_CATEGORY_SYSCALL ||
			 zi.meta.category == ZYDIS_CATEGORY_SYSRET || zi.meta.category == ZYDIS_CATEGORY_INTERRUPT ||
			 zi.mnemonic == ZYDIS_MNEMONIC_CPUID || zi.mnemonic == ZYDIS_MNEMONIC_RDTSC ||
			 zi.mnemonic == ZYDIS_MNEMONIC_RDTSCP || zi.mnemonic == ZYDIS_MNEMONIC_CLI ||
			 zi.mnemonic == ZYDIS_MNEMONIC_STI;
	out->prefixes = ((zi.attributes & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE)) ? PFX_REP : 0) |
			((zi.attributes & ZYDIS_ATTRIB_HAS_REPNE) ? PFX_REPNE : 0) |
			((zi.attributes & ZYDIS_ATTRIB_HAS_LOCK) ? PFX_LOCK : 0);
	/* the visible operands (explicit and opcode-implied, like eax in "cmp eax, imm32")
	 * come first; hidden ones (rsp for push, rdx:rax for mul) the handlers know */
	for (int k = 0; k < zi.operand_count_visible; k++) {
		if (out->nops == 3 || convert(&zi, &zo[k], &out->op[out->nops])) {
			out->fn = op_unimplemented; /* an operand kind the model does not have */
			break;
		}
		out->nops++;
	}
	x86_specialise(out, bits);
	return DECODE_OK;
}

x86_op_fn *x86_handler(unsigned mnemonic) { return handlers[mnemonic]; }

const char *x86_mnemonic_name(unsigned mnemonic)
{
	const char *s = ZydisMnemonicGetString((ZydisMnemonic)mnemonic);
	return s ? s : "?";
}

unsigned x86_disasm(const uint8_t *buf, unsigned len, unsigned bits, uint64_t rip, char *out, size_t n)
{
	ZydisDecodedInstruction zi;
	ZydisDecodedOperand zo[ZYDIS_MAX_OPERAND_COUNT];
	ZydisFormatter f;
	ZydisFormatterInit(&f, ZYDIS_FORMATTER_STYLE_ATT);
	if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(decoder_for(bits), buf, len, &zi, zo)) ||
	    !ZYAN_SUCCESS(ZydisFormatterFormatInstruction(&f, &zi, zo, zi.operand_count_visible, out, n, rip, NULL))) {
		snprintf(out, n, "?");
		return 0;
	}
	return zi.length;
}
