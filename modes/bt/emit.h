/* A small x86-64 emitter: the handful of instruction forms the translator writes, each
 * as [66] [REX] opcode ModRM [SIB] [disp32] [imm]. Memory operands always take a disp32,
 * so rbp and r13 need no special case as a base, and host code never uses ah..bh. */
#ifndef BT_EMIT_H
#define BT_EMIT_H
#include <stdbool.h>
#include <stdint.h>

enum { H_AX, H_CX, H_DX, H_BX, H_SP, H_BP, H_SI, H_DI, H_R8, H_R9, H_R10, H_R11, H_R12, H_R13, H_R14, H_R15 };

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
/* A rel32 jump (0xe9) or jcc (cond 0-15); returns where its displacement goes. */
uint8_t *e_jmp(struct asm_buf *a);
uint8_t *e_jcc(struct asm_buf *a, unsigned cond);
/* Points a displacement returned by e_jmp/e_jcc at target. */
void e_patch(uint8_t *rel, const uint8_t *target);

#endif
