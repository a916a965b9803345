/* A small x86-64 emitter: the handful of instruction forms the translator writes, each
 * as [66] [REX] opcode ModRM [SIB] [disp32] [imm]. Memory operands always take a disp32,
 * so rbp and r13 need no special case as a base, and host code never uses ah..bh. */
#ifndef BT_EMIT_H
#define BT_EMIT_H
#include <stdbool.h>
#include <stdint.h>

enum { H_AX, H_CX, H_DX, H_BX, H_SP, H_BP, H_SI, H_DI, H_R8, H_R9, H_R10, H_R11, H_R12, H_R13, H_R14, H_R15 };

/* Opcodes by form, as QEMU's tcg-target names them: E = the ModRM r/m operand, G = its
 * reg, b/v = byte or operand size, Ib/Iz = an 8- or 32-bit immediate. Two-byte opcodes
 * are written 0x0fXX. */
enum {
	OPC_ADD_EvGv = 0x01, OPC_ADD_GvEv = 0x03, OPC_OR_EvGv = 0x09, OPC_XOR_EvGv = 0x31, OPC_CMP_EvGv = 0x39, OPC_CMP_GvEv = 0x3b,
	OPC_IMUL_GvEvIz = 0x69, OPC_GRP1_EbIb = 0x80, OPC_GRP1_EvIz = 0x81, OPC_GRP1_EvIb = 0x83,
	OPC_TEST_EbGb = 0x84, OPC_MOV_EbGb = 0x88, OPC_MOV_EvGv = 0x89, OPC_MOV_GbEb = 0x8a, OPC_MOV_GvEv = 0x8b,
	OPC_LEA = 0x8d, OPC_SHIFT_EbIb = 0xc0, OPC_SHIFT_EvIb = 0xc1, OPC_MOV_EbIb = 0xc6, OPC_MOV_EvIz = 0xc7,
	OPC_GRP3_Eb = 0xf6, OPC_GRP3_Ev = 0xf7, OPC_GRP4_Eb = 0xfe, OPC_GRP5 = 0xff, OPC_CMOVCC = 0x0f40, OPC_SETCC = 0x0f90, OPC_IMUL_GvEv = 0x0faf, OPC_MOVZWL = 0x0fb7,
	OPC_MOVZBL = 0x0fb6, OPC_MOVSBL = 0x0fbe, OPC_MOVSWL = 0x0fbf,
	OPC_MOV_Iv = 0xb8,     /* + register: mov r32, imm32 (flags untouched) */
	OPC_LAHF = 0x9f, OPC_PUSH_RAX = 0x50, OPC_POPF = 0x9d, OPC_RET = 0xc3,
};
/* the /digit of the group opcodes */
enum { ARITH_ADD, ARITH_OR, ARITH_ADC, ARITH_SBB, ARITH_AND, ARITH_SUB, ARITH_XOR, ARITH_CMP };
enum { SHIFT_ROL, SHIFT_ROR, SHIFT_RCL, SHIFT_RCR, SHIFT_SHL, SHIFT_SHR, SHIFT_SAL, SHIFT_SAR };
enum { EXT5_INC, EXT5_DEC, EXT5_CALL, EXT5_CALLF, EXT5_JMP };
/* jcc, setcc and cmovcc conditions, in encoding order */
enum cond { COND_O, COND_NO, COND_B, COND_AE, COND_E, COND_NE, COND_BE, COND_A, COND_S, COND_NS, COND_P, COND_NP,
	    COND_L, COND_GE, COND_LE, COND_G };

struct asm_buf {
	uint8_t *p, *end;
	bool full;        /* ran out of room: the translation is abandoned */
};

void e_byte(struct asm_buf *a, uint8_t b);
void e_u32(struct asm_buf *a, uint32_t v);
void e_u64(struct asm_buf *a, uint64_t v);
/* opcode (1-3 bytes, high byte first as written) with a ModRM: reg is a register or a
 * /digit; rm a register (mem false) or the base of [rm + disp32]. size 2 adds 0x66,
 * size 8 REX.W. */
void e_op(struct asm_buf *a, unsigned size, uint32_t opcode, unsigned reg, bool mem, unsigned rm, int32_t disp);
/* The same with [base + index*scale + disp32] for r/m (index never rsp); never a byte
 * register in reg. */
void e_sib(struct asm_buf *a, unsigned size, uint32_t op, unsigned reg, unsigned base, unsigned index, unsigned scale,
	   int32_t disp);
void e_mov_imm64(struct asm_buf *a, unsigned reg, uint64_t v);
void e_push(struct asm_buf *a, unsigned reg);
void e_pop(struct asm_buf *a, unsigned reg);
/* A rel32 jump (0xe9) or jcc; returns where its displacement goes. */
uint8_t *e_jmp(struct asm_buf *a);
uint8_t *e_jcc(struct asm_buf *a, enum cond cond);
/* Points a displacement returned by e_jmp/e_jcc at target. */
void e_patch(uint8_t *rel, const uint8_t *target);

/* The forms the translator writes most, by name. Memory operands are [base + disp32]. */
static inline void e_load(struct asm_buf *a, unsigned size, unsigned reg, unsigned base, int32_t disp)
{
	e_op(a, size, size == 1 ? OPC_MOV_GbEb : OPC_MOV_GvEv, reg, true, base, disp);
}
static inline void e_store(struct asm_buf *a, unsigned size, unsigned reg, unsigned base, int32_t disp)
{
	e_op(a, size, size == 1 ? OPC_MOV_EbGb : OPC_MOV_EvGv, reg, true, base, disp);
}
/* dst = src, register to register */
static inline void e_mov(struct asm_buf *a, unsigned size, unsigned dst, unsigned src)
{
	e_op(a, size, OPC_MOV_EvGv, src, false, dst, 0);
}
static inline void e_lea(struct asm_buf *a, unsigned reg, unsigned base, int32_t disp)
{
	e_op(a, 8, OPC_LEA, reg, true, base, disp);
}
/* cmp reg, [base + disp] */
static inline void e_cmp_load(struct asm_buf *a, unsigned size, unsigned reg, unsigned base, int32_t disp)
{
	e_op(a, size, OPC_CMP_GvEv, reg, true, base, disp);
}
/* op (ARITH_*) with an immediate on a register or [base + disp]: imm8 when it fits */
void e_alu_imm(struct asm_buf *a, unsigned size, unsigned op, bool mem, unsigned rm, int32_t disp, int32_t imm);
/* shift (SHIFT_*) a register by n */
void e_shift_imm(struct asm_buf *a, unsigned size, unsigned op, unsigned rm, uint8_t n);
/* mov size [base + disp], imm (sign-extended to 8 bytes for size 8) */
void e_store_imm(struct asm_buf *a, unsigned size, unsigned base, int32_t disp, int32_t imm);
/* call rax */
static inline void e_call_rax(struct asm_buf *a) { e_op(a, 4, OPC_GRP5, EXT5_CALL, false, H_AX, 0); }

#endif
