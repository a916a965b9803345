/* The translator's working state and the helpers its parts share: translate.c (a block:
 * exits, callouts, the soft-TLB probe, flags, stubs), regs.c (where guest registers
 * live) and insns.c (the host code for each native instruction). */
#ifndef BT_TR_H
#define BT_TR_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "bt.h"
#include "emit.h"
#include "translate.h"
#include "../../vmm/x86/decode.h"
#include "../../vmm/x86/exec.h"

#define OFF(field) ((int32_t)offsetof(struct x86_cpu, field))
#define MAX_STUBS 256

enum stub_kind { ST_EXIT, ST_TAKEN, ST_SLOW };

/* Out-of-line code, emitted after the block's body. */
struct stub {
	enum stub_kind kind;
	uint8_t *rel[4];           /* jumps to it */
	unsigned nrel, k;          /* ST_EXIT: instructions done; else the instruction */
	uint64_t target;           /* ST_TAKEN: where the branch goes */
	uint8_t *resume;           /* ST_SLOW: back into the body */
	uint8_t *start;            /* ST_SLOW: the instruction's code, patched when it adapts */
	uint8_t *at;               /* ST_SLOW: where it was emitted (emit_stubs) */
	bool reload;               /* ST_SLOW: the body goes on with the guest flags in host EFLAGS */
};

struct tr {
	struct asm_buf a;
	struct bt *bt;
	const struct x86_insn *ins;
	unsigned n, k;
	unsigned tclass;           /* the TLB class (user_access) the code runs under */
	uint64_t rip, next;        /* of instruction k */
	uint64_t rip_of[BT_MAX_INSNS + 1];
	bool host_flags;           /* host EFLAGS are the guest's arithmetic flags now */
	bool flags_live;           /* a later instruction (or a fault) may read instruction k's flags */
	bool flags_stored;         /* instruction k left the guest's flags in the lazy state itself */
	bool dry;                  /* sizing up what is native: emit into scratch, keep no stubs */
	bool code32;               /* 32-bit code on flat segments: addresses and rip wrap at 4 GiB */
	bool shadow;               /* ... reaching memory through the shadow windows (shadow.h) */
	unsigned nsites;
	struct tr_site {           /* a window access: where it starts, its instruction, its stub */
		uint8_t *lo, *hi;
		unsigned stub;
	} site[2 * BT_MAX_INSNS];
	unsigned nst;
	uint8_t *epilogue;         /* guest registers into the CPU, then back to the run loop */
	uint8_t *epilogue_spilled; /* after that: for exits that have them there already */
	struct bt_tb *tb;          /* the translation's metadata: its entries and register map */
	bool overflow;
	unsigned native, callouts; /* instructions of each kind in this translation */
	struct stub st[MAX_STUBS]; /* last: a translation clears everything before it */
};

/* count.insns lives here through translated code: adding to it in memory at every
 * block's exit made a chain of store-to-load forwards through each loop iteration */
#define H_COUNT H_R13

/* An operand for e_op's r/m: a host register (mem false) or [rm + disp]. */
struct place {
	bool mem;
	unsigned rm;
	int32_t disp;
};

static const struct place AT_RAX = { true, H_AX, 0 };

/* An address of the translated code's width: 32-bit code's rip and targets wrap at 4 GiB. */
static inline uint64_t tr_wrap(const struct tr *t, uint64_t a) { return t->code32 ? (uint32_t)a : a; }

/* regs.c */
/* The block's register map (struct bt_tb's map) from the n instructions' own use. */
void tr_choose_map(const struct x86_insn *ins, unsigned n, uint8_t map[16]);

/* translate.c */
/* Whether instruction i has a native translation in some form (native.def, or a
 * condition), and whether it touches memory through rsp. */
bool tr_may_be_native(const struct x86_insn *i);
bool tr_stack_op(const struct x86_insn *i);
void tr_call_rax(struct tr *t);
void tr_callout(struct tr *t, unsigned k, uint64_t rip, uint64_t next);
void tr_count_done(struct tr *t, unsigned done);
void tr_count_into(struct tr *t, uint64_t *counter);
void tr_e_at(struct tr *t, unsigned size, uint32_t op, unsigned reg, struct place p);
void tr_exit_to(struct tr *t, unsigned done, uint64_t target);
void tr_exit_with(struct tr *t, unsigned done);
struct place tr_gpr(const struct tr *t, const struct x86_operand *o);
/* The host register that holds p (size bytes of it) when it is one, else the scratch h
 * loaded with it; the same for register operand o. */
unsigned tr_in_host(struct tr *t, unsigned h, struct place p, unsigned size);
unsigned tr_in_reg(struct tr *t, unsigned h, const struct x86_operand *o);
void tr_jump_to(struct stub *s, uint8_t *rel);
uint8_t *tr_leave_for_link(struct tr *t, uint64_t link);
bool tr_mem_addr(struct tr *t, const struct x86_insn *i, const struct x86_operand *o);
struct stub *tr_new_stub(struct tr *t, enum stub_kind kind, unsigned k);
struct place tr_reg64(const struct tr *t, unsigned r);
/* Which held registers tr_spill and tr_reload move between host registers and the CPU */
enum held {
	HELD_CLOBBERED, /* the guest registers in registers a C call clobbers */
	HELD_REGS,      /* every guest register the block holds */
	HELD_ALL,       /* those and the instruction count */
};
void tr_reload(struct tr *t, enum held w);
void tr_spill(struct tr *t, enum held w);
void tr_tlb(struct tr *t, unsigned size, enum access acc);

/* insns.c: each returns false, emitting nothing that stays, when the instruction is not
 * one it translates (a callout then) */
bool tr_alu(struct tr *t, const struct x86_insn *i, uint32_t rm_r, uint32_t grp, unsigned digit, bool writes, bool flags);
bool tr_branch(struct tr *t, const struct x86_insn *i, unsigned mn);
bool tr_cmovcc(struct tr *t, const struct x86_insn *i);
bool tr_imul(struct tr *t, const struct x86_insn *i);
bool tr_mul(struct tr *t, const struct x86_insn *i, unsigned digit);
bool tr_jcc(struct tr *t, const struct x86_insn *i);
bool tr_lea(struct tr *t, const struct x86_insn *i);
bool tr_load_ext(struct tr *t, const struct x86_insn *i, uint32_t op8, uint32_t op16);
bool tr_push_pop(struct tr *t, const struct x86_insn *i, bool push);
bool tr_setcc(struct tr *t, const struct x86_insn *i);
bool tr_shift(struct tr *t, const struct x86_insn *i, unsigned digit);
bool tr_unary(struct tr *t, const struct x86_insn *i, unsigned digit);
bool tr_incdec(struct tr *t, const struct x86_insn *i, unsigned digit);

#endif
