#include <string.h>
#include "emit.h"

void e_byte(struct asm_buf *a, uint8_t b)
{
	if (a->p < a->end)
		*a->p++ = b;
	else
		a->full = true;
}

void e_u32(struct asm_buf *a, uint32_t v)
{
	for (int k = 0; k < 4; k++)
		e_byte(a, (uint8_t)(v >> (8 * k)));
}

void e_u64(struct asm_buf *a, uint64_t v)
{
	e_u32(a, (uint32_t)v);
	e_u32(a, (uint32_t)(v >> 32));
}

static void opcode(struct asm_buf *a, uint32_t op)
{
	if (op > 0xffff)
		e_byte(a, (uint8_t)(op >> 16));
	if (op > 0xff)
		e_byte(a, (uint8_t)(op >> 8));
	e_byte(a, (uint8_t)op);
}

void e_op(struct asm_buf *a, unsigned size, uint32_t op, unsigned reg, bool mem, unsigned rm, int32_t disp)
{
	if (size == 2)
		e_byte(a, 0x66);
	unsigned rex = (size == 8 ? 8 : 0) | (reg & 8 ? 4 : 0) | (rm & 8 ? 1 : 0);
	/* a byte operand in rsp..rdi is spl..dil only with a REX prefix (else ah..bh) */
	bool bytes = size == 1 || op == OPC_MOVZBL || op == OPC_MOVSBL || (op & 0xfff0) == OPC_SETCC;
	bool low_byte = bytes && ((reg >= 4 && reg < 8) || (!mem && rm >= 4 && rm < 8));
	if (rex || low_byte)
		e_byte(a, (uint8_t)(0x40 | rex));
	opcode(a, op);
	if (!mem) {
		e_byte(a, (uint8_t)(0xc0 | (reg & 7) << 3 | (rm & 7)));
		return;
	}
	e_byte(a, (uint8_t)(0x80 | (reg & 7) << 3 | (rm & 7))); /* [rm + disp32] */
	if ((rm & 7) == H_SP)
		e_byte(a, 0x24);                                 /* SIB: base rsp, no index */
	e_u32(a, (uint32_t)disp);
}

void e_sib(struct asm_buf *a, unsigned size, uint32_t op, unsigned reg, unsigned base, unsigned index, unsigned scale,
	   int32_t disp)
{
	unsigned ss = scale == 8 ? 3 : scale == 4 ? 2 : scale == 2 ? 1 : 0;
	if (size == 2)
		e_byte(a, 0x66);
	unsigned rex = (size == 8 ? 8 : 0) | (reg & 8 ? 4 : 0) | (index & 8 ? 2 : 0) | (base & 8 ? 1 : 0);
	if (rex)
		e_byte(a, (uint8_t)(0x40 | rex));
	opcode(a, op);
	e_byte(a, (uint8_t)(0x84 | (reg & 7) << 3));             /* mod 10, rm 100: SIB + disp32 */
	e_byte(a, (uint8_t)(ss << 6 | (index & 7) << 3 | (base & 7)));
	e_u32(a, (uint32_t)disp);
}

void e_push(struct asm_buf *a, unsigned reg)
{
	if (reg & 8)
		e_byte(a, 0x41);
	e_byte(a, (uint8_t)(0x50 | (reg & 7)));
}

void e_pop(struct asm_buf *a, unsigned reg)
{
	if (reg & 8)
		e_byte(a, 0x41);
	e_byte(a, (uint8_t)(0x58 | (reg & 7)));
}

void e_mov_imm64(struct asm_buf *a, unsigned reg, uint64_t v)
{
	e_byte(a, (uint8_t)(0x48 | (reg & 8 ? 1 : 0)));
	e_byte(a, (uint8_t)(0xb8 | (reg & 7)));
	e_u64(a, v);
}

uint8_t *e_jmp(struct asm_buf *a)
{
	e_byte(a, 0xe9);
	uint8_t *rel = a->p;
	e_u32(a, 0);
	return a->full ? NULL : rel;
}

uint8_t *e_jcc(struct asm_buf *a, enum cond cond)
{
	e_byte(a, 0x0f);
	e_byte(a, (uint8_t)(0x80 | cond));
	uint8_t *rel = a->p;
	e_u32(a, 0);
	return a->full ? NULL : rel;
}

void e_patch(uint8_t *rel, const uint8_t *target)
{
	if (!rel)
		return;
	int32_t d = (int32_t)(target - (rel + 4));
	memcpy(rel, &d, 4);
}

void e_alu_imm(struct asm_buf *a, unsigned size, unsigned op, bool mem, unsigned rm, int32_t disp, int32_t imm)
{
	if (size == 1) {
		e_op(a, 1, OPC_GRP1_EbIb, op, mem, rm, disp);
		e_byte(a, (uint8_t)imm);
	} else if (imm >= -128 && imm <= 127) {
		e_op(a, size, OPC_GRP1_EvIb, op, mem, rm, disp);
		e_byte(a, (uint8_t)imm);
	} else {
		e_op(a, size, OPC_GRP1_EvIz, op, mem, rm, disp);
		if (size == 2) {
			e_byte(a, (uint8_t)imm);
			e_byte(a, (uint8_t)(imm >> 8));
		} else {
			e_u32(a, (uint32_t)imm);
		}
	}
}

void e_shift_imm(struct asm_buf *a, unsigned size, unsigned op, unsigned rm, uint8_t n)
{
	e_op(a, size, size == 1 ? OPC_SHIFT_EbIb : OPC_SHIFT_EvIb, op, false, rm, 0);
	e_byte(a, n);
}

void e_store_imm(struct asm_buf *a, unsigned size, unsigned base, int32_t disp, int32_t imm)
{
	e_op(a, size, size == 1 ? OPC_MOV_EbIb : OPC_MOV_EvIz, 0, true, base, disp);
	if (size == 1)
		e_byte(a, (uint8_t)imm);
	else if (size == 2) {
		e_byte(a, (uint8_t)imm);
		e_byte(a, (uint8_t)(imm >> 8));
	} else
		e_u32(a, (uint32_t)imm);
}
