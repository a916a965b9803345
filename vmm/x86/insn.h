/* A decoded instruction in the compact form the block cache keeps and every handler
 * (interpreter and translator fallback) takes. */
#ifndef X86_INSN_H
#define X86_INSN_H
#include <stdint.h>

enum opnd_kind { OPK_NONE, OPK_REG, OPK_MEM, OPK_IMM, OPK_REL, OPK_FAR, OPK_SEG, OPK_CR, OPK_DR, OPK_XMM, OPK_ST };

#define REG_NONE 0xff

struct x86_operand {
	uint8_t kind, size;        /* size in bytes */
	uint8_t reg;               /* OPK_REG: 0-15; OPK_SEG/CR/DR/XMM: the index; OPK_ST: i of ST(i) */
	uint8_t high8;             /* AH, CH, DH, BH */
	uint8_t base, index, scale, seg; /* OPK_MEM: REG_NONE when absent; base 16 = rip */
	int64_t val;               /* displacement, immediate or branch target */
	uint16_t sel;              /* OPK_FAR: the selector */
};

struct x86_cpu;
struct x86_insn;
typedef void x86_op_fn(struct x86_cpu *c, const struct x86_insn *i);

#define PFX_REP   0x1
#define PFX_REPNE 0x2
#define PFX_LOCK  0x4

struct x86_insn {
	x86_op_fn *fn;
	uint16_t mnemonic;         /* ZydisMnemonic, for disassembly and statistics */
	uint8_t len, opsize, addrsize, prefixes, nops, cond, far;
	uint8_t ends_block;        /* never falls through (jmp, call, ret, int...): decode no further */
	uint8_t sensitive;         /* privileged or a VMM's business (I/O, cpuid, iret...): profiled */
	struct x86_operand op[3];
};

#endif
