/* Decoding through Zydis into struct x86_insn (the block cache that keeps the results is
 * in step.c). */
#ifndef X86_DECODE_H
#define X86_DECODE_H
#include <stdbool.h>
#include "cpu.h"
#include "insn.h"

/* Handler prototypes, from the opcode list. */
#define OP(m, fn) x86_op_fn fn;
#define CC(m, fn, cond) x86_op_fn fn;
#include "ops.def"
#undef OP
#undef CC
x86_op_fn op_ud, op_sse_bin, op_x87;
/* An instruction the model does not implement: #UD, as a CPU without it would raise,
 * counted and the first few reported on stderr with rip and bytes, never silent. */
x86_op_fn op_unimplemented;

enum decode_status { DECODE_OK, DECODE_INVALID, DECODE_NEED_MORE };

/* bits: 16, 32 or 64 (the code segment's mode). */
enum decode_status x86_decode(const uint8_t *buf, unsigned len, unsigned bits, struct x86_insn *out);
/* Swaps in a handler made for the instruction's operand form, where there is one (forms.c). */
void x86_specialise(struct x86_insn *i, unsigned bits);
/* The generic handler of a mnemonic, and its name. */
x86_op_fn *x86_handler(unsigned mnemonic);
const char *x86_mnemonic_name(unsigned mnemonic);
/* Callouts (callout.c): the VMI doorbell read as a direct call into the VMM, and a
 * sensitive instruction timed into the profile. */
x86_op_fn op_vmi_doorbell, op_profiled;
/* Disassembly of one instruction for diagnostics ("?" when it does not decode); its
 * length, 0 when it does not decode. */
unsigned x86_disasm(const uint8_t *buf, unsigned len, unsigned bits, uint64_t rip, char *out, size_t n);

#endif
