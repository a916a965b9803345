/* Guest blocks into host code. rbx points at struct x86_cpu all through translated code;
 * the instruction count (H_COUNT) and up to ten guest registers, chosen per block from
 * its own use (regs.c), live in host registers there: loaded on entry, kept across
 * links between blocks that hold them alike (glue moves the rest), written back on exit
 * and around every C call; the rest stay in struct x86_cpu. Ordinary
 * instructions become host instructions on them, memory operands go through an inline
 * soft-TLB lookup (host address = linear + addend), and everything else is a callout to
 * the interpreter's own handler for that instruction (blink's shared handler signature).
 * A TLB miss, a device, a page crossing or a fault takes the slow path, which is the
 * same callout: the handler redoes the instruction with the full MMU, so faults are
 * precise by construction (nothing of the instruction has been committed when the slow
 * path starts). Host flags become the guest's (QEMU's CC_OP_EFLAGS) only where a later
 * instruction can read them. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "tr.h"

/* call rax with rdi = the CPU */
void tr_call_rax(struct tr *t)
{
	e_mov(&t->a, 8, H_DI, H_BX);
	e_call_rax(&t->a);
}

struct stub *tr_new_stub(struct tr *t, enum stub_kind kind, unsigned k)
{
	if (t->dry) {
		static struct stub sink;
		sink.nrel = 0;
		return &sink;
	}
	if (t->nst == MAX_STUBS) {
		t->overflow = true;
		static struct stub sink;
		sink.nrel = 0;
		return &sink;
	}
	struct stub *s = &t->st[t->nst++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->k = k;
	return s;
}

void tr_jump_to(struct stub *s, uint8_t *rel)
{
	if (s->nrel < 4)
		s->rel[s->nrel++] = rel;
}

/* c->field = v (64 bits) */
static void store_imm64(struct tr *t, int32_t field, uint64_t v)
{
	e_mov_imm64(&t->a, H_AX, v);
	e_store(&t->a, 8, H_AX, H_BX, field);
}

static void clear_shadow(struct tr *t)
{
	e_store_imm(&t->a, 1, H_BX, OFF(interrupt_shadow), 0);
}

/* ++*counter (a statistic; rax clobbered) */
void tr_count_into(struct tr *t, uint64_t *counter)
{
	e_mov_imm64(&t->a, H_AX, (uint64_t)(uintptr_t)counter);
	e_op(&t->a, 8, OPC_GRP5, EXT5_INC, true, H_AX, 0); /* inc qword [rax] */
}

/* Out to the run loop, leaving in tb_patch what it is to link the next block to: link
 * (an imm64, returned so that it can be written later). */
uint8_t *tr_leave_for_link(struct tr *t, uint64_t link)
{
	e_mov_imm64(&t->a, H_AX, link);
	uint8_t *imm = t->a.p - 8;
	e_store(&t->a, 8, H_AX, H_BX, OFF(tb_patch));
	e_patch(e_jmp(&t->a), t->epilogue);
	return imm;
}

/* count.insns += done (in H_COUNT while translated code runs) */
void tr_count_done(struct tr *t, unsigned done)
{
	e_alu_imm(&t->a, 8, ARITH_ADD, false, H_COUNT, 0, (int32_t)done);
}

/* Leave the block with done instructions completed (rip already where it belongs). */
void tr_exit_with(struct tr *t, unsigned done)
{
	tr_count_done(t, done);
	e_patch(e_jmp(&t->a), t->epilogue);
}

/* The same after a callout, whose spill left the guest registers and the count in the
 * CPU already. */
static void exit_spilled(struct tr *t, unsigned done)
{
	e_alu_imm(&t->a, 8, ARITH_ADD, true, H_BX, OFF(count.insns), (int32_t)done);
	e_patch(e_jmp(&t->a), t->epilogue_spilled);
}

/* Leave the block for target, a constant, with done instructions completed: into the
 * target's translation once linked, while the block generation is the link's and the
 * target's instructions fit within tb_limit; else out, leaving this exit in tb_patch to
 * be linked. Only within the block's page, as QEMU chains: the page maps where it did
 * when this block was entered (a chain starts at a block the run loop found at the
 * present epoch, and whatever moves the epoch leaves the block), so the target is the
 * block linked whatever the epoch; a CR3 write does not unlink. */
void tr_exit_to(struct tr *t, unsigned done, uint64_t target)
{
	struct asm_buf *a = &t->a;
	if ((target ^ t->rip_of[0]) >> 12) {
		store_imm64(t, OFF(rip), target);
		tr_exit_with(t, done);
		return;
	}
	struct chain_site sink, *site = t->dry ? &sink : tr_meta(t->bt, sizeof(*site));
	if (!site) {
		a->full = true; /* the arena: the cache starts over */
		return;
	}
	*site = (struct chain_site){ .target = target, .from = t->tb };
	tr_count_done(t, done);
	e_op(a, 4, OPC_GRP1_EvIz, ARITH_CMP, true, H_BX, OFF(tb_gen)); /* an imm32 bt_link rewrites */
	e_u32(a, 0xffffffffu); /* no generation: unlinked until link() */
	site->gen = a->p - 4;
	uint8_t *stale_gen = e_jcc(a, COND_NE), *no_room = NULL;
	/* Forward links skip the budget: each step of a chain of them starts further into
	 * one page, so it ends within a page's worth of blocks, and a loop needs a backward
	 * link, which checks. */
	if (target <= t->rip_of[0]) {
		e_lea(a, H_AX, H_COUNT, 0); /* lea rax, [count + the target's length]: a disp32 bt_link rewrites */
		site->n = a->p - 4;
		e_cmp_load(a, 8, H_AX, H_BX, OFF(tb_limit));
		no_room = e_jcc(a, COND_A);
	}
	tr_count_into(t, &t->bt->chain_hits);
	site->jump = e_jmp(a);
	uint8_t *out = a->p;
	e_patch(site->jump, out);
	e_patch(stale_gen, out);
	e_patch(no_room, out);
	store_imm64(t, OFF(rip), target);
	tr_leave_for_link(t, (uint64_t)(uintptr_t)site);
}

/* Instruction k through its interpreter handler, as run_block runs it; then out of the
 * block unless the handler left rip at the next instruction and nothing else changed. */
void tr_callout(struct tr *t, unsigned k, uint64_t rip, uint64_t next)
{
	const struct x86_insn *i = &t->ins[k];
	struct asm_buf *a = &t->a;
	store_imm64(t, OFF(insn_rip), rip);
	store_imm64(t, OFF(rip), next);
	tr_e_at(t, 8, OPC_MOV_GvEv, H_AX, tr_reg64(t, R_SP));
	e_store(a, 8, H_AX, H_BX, OFF(insn_rsp));
	e_store_imm(a, 4, H_BX, OFF(tb_done), (int32_t)k);
	tr_count_into(t, &t->bt->callouts[i->mnemonic]);
	tr_spill(t, HELD_ALL); /* the handler reads and writes any of them, and may unwind (a fault) */
	e_mov_imm64(a, H_SI, (uint64_t)(uintptr_t)i);
	e_mov_imm64(a, H_AX, (uint64_t)(uintptr_t)i->fn);
	tr_call_rax(t);
	if (k + 1 == t->n) {
		exit_spilled(t, k + 1);
		return;
	}
	struct stub *out = tr_new_stub(t, ST_EXIT, k + 1);
	e_mov_imm64(a, H_AX, next);
	e_op(a, 8, OPC_CMP_EvGv, H_AX, true, H_BX, OFF(rip));
	tr_jump_to(out, e_jcc(a, COND_NE));
	e_load(a, 8, H_AX, H_BX, OFF(tlb_epoch));
	e_cmp_load(a, 8, H_AX, H_SP, 0);
	tr_jump_to(out, e_jcc(a, COND_NE));
	e_alu_imm(a, 1, ARITH_CMP, true, H_BX, OFF(attention), 0);
	tr_jump_to(out, e_jcc(a, COND_NE));
	e_alu_imm(a, 4, ARITH_CMP, true, H_BX, OFF(exit), 0);
	tr_jump_to(out, e_jcc(a, COND_NE));
	tr_reload(t, HELD_ALL);
	clear_shadow(t);
}

/* rax = the linear address of memory operand o; false (nothing emitted) for what the
 * inline path does not do: FS/GS bases, 16-bit addressing, 32-bit addressing in 64-bit
 * code, 64-bit displacements. In 32-bit code the segments are flat (step.c runs its
 * translations only then): the offset, wrapped at 4 GiB, is the linear address. */
bool tr_mem_addr(struct tr *t, const struct x86_insn *i, const struct x86_operand *o)
{
	if (i->addrsize != (t->code32 ? 4 : 8) || o->seg == S_FS || o->seg == S_GS || o->val < INT32_MIN ||
	    o->val > INT32_MAX)
		return false;
	struct asm_buf *a = &t->a;
	if (o->base == 16) {
		if (o->index != REG_NONE)
			return false;
		e_mov_imm64(a, H_AX, t->next + (uint64_t)o->val);
		return true;
	}
	unsigned base = H_AX;
	if (o->base != REG_NONE) {
		base = tr_in_host(t, H_AX, tr_reg64(t, o->base), 8);
	} else {
		e_byte(a, OPC_MOV_Iv + H_AX); /* mov eax, 0: leaves the flags alone */
		e_u32(a, 0);
	}
	if (o->index != REG_NONE) {
		unsigned index = tr_in_host(t, H_CX, tr_reg64(t, o->index), 8);
		e_sib(a, 8, OPC_LEA, H_AX, base, index, o->scale, (int32_t)o->val);
	} else if (o->val || base != H_AX) {
		e_lea(a, H_AX, base, (int32_t)o->val);
	}
	if (t->code32)
		e_mov(a, 4, H_AX, H_AX); /* mov eax, eax: the offset modulo 4 GiB */
	return true;
}

/* rax: linear address in, host address out, on the shadow: the window of the
 * translation's view plus the address. A host fault on the access that follows is a
 * hidden page fault (resumed) or goes to the slow path (the site recorded here). */
static void tr_window(struct tr *t)
{
	struct stub *slow = tr_new_stub(t, ST_SLOW, t->k);
	e_op(&t->a, 8, OPC_ADD_GvEv, H_AX, true, H_BX, OFF(window) + (int32_t)(8 * t->tclass));
	t->host_flags = false;
	if (t->dry)
		return;
	if (t->nsites == sizeof(t->site) / sizeof(t->site[0]) || slow < t->st || slow >= t->st + MAX_STUBS) {
		t->overflow = true;
		return;
	}
	t->site[t->nsites++] = (struct tr_site){ .lo = t->a.p, .stub = (unsigned)(slow - t->st) };
}

/* rax: linear address in, host address out, when the soft TLB maps size bytes there for
 * access acc; otherwise to the slow path (the instruction's handler). The tag compared is
 * that of the access's last byte, so an access crossing into the next page misses
 * (tlb_index never gives two adjacent pages one entry), as in QEMU's probe. The class is
 * the translation's: a translation runs under one (step.c keys it by user_access), and
 * within translated code user_access is CPL 3 (implicit supervisor accesses happen only
 * inside handlers). */
void tr_tlb(struct tr *t, unsigned size, enum access acc)
{
	if (t->shadow) {
		tr_window(t);
		return;
	}
	struct asm_buf *a = &t->a;
	struct stub *slow = tr_new_stub(t, ST_SLOW, t->k);
	int32_t tlb = OFF(tlb) + (int32_t)(t->tclass * sizeof(((struct x86_cpu *)0)->tlb[0]));
	int32_t tag = tlb + (int32_t)(acc == ACC_WRITE ? offsetof(struct tlb_entry, tag_write)
						       : offsetof(struct tlb_entry, tag_read));
	_Static_assert(sizeof(struct tlb_entry) == 64, "entries are found by a shift of 6");
	e_mov(a, 8, H_DX, H_AX);                  /* rdx = tlb_index(lin) * 64: the entry's offset */
	e_shift_imm(a, 8, SHIFT_SHR, H_DX, 12 - 6);
	e_alu_imm(a, 4, ARITH_AND, false, H_DX, 0, (TLB_SIZE - 1) << 6);
	e_lea(a, H_CX, H_AX, (int32_t)size - 1);
	e_alu_imm(a, 8, ARITH_OR, false, H_CX, 0, 0xfff); /* rcx = (lin + size - 1) | 0xfff */
	e_sib(a, 8, OPC_CMP_GvEv, H_CX, H_BX, H_DX, 1, tag);
	tr_jump_to(slow, e_jcc(a, COND_NE));
	e_sib(a, 8, OPC_ADD_GvEv, H_AX, H_BX, H_DX, 1, tlb + (int32_t)offsetof(struct tlb_entry, addend));
	t->host_flags = false;
}

enum how { T_NONE, T_ALU, T_SHIFT, T_UNARY, T_INCDEC, T_IMUL, T_MUL, T_LEA, T_EXT, T_PUSH, T_POP, T_BRANCH, T_NOP };
#define NF_WRITES   2u
#define NF_LOGIC    4u
#define NF_STACK    8u
#define NF_NODEST   16u
#define NF_READS_CF 32u
#define NF_KEEPS_CF 64u

static const struct native_row {
	uint8_t how, digit, flags;
	uint32_t op, grp;
} native_rows[ZYDIS_MNEMONIC_MAX_VALUE + 1] = {
#define NATIVE(m, how, op, grp, digit, flags) [ZYDIS_MNEMONIC_##m] = { how, digit, flags, op, grp },
#include "native.def"
#undef NATIVE
};

/* jcc, setcc and cmovcc: every condition, by its handler */
static bool conditional(const struct x86_insn *i) { return i->fn == op_jcc || i->fn == op_setcc || i->fn == op_cmovcc; }
bool tr_may_be_native(const struct x86_insn *i) { return native_rows[i->mnemonic].how != T_NONE || conditional(i); }
bool tr_stack_op(const struct x86_insn *i) { return native_rows[i->mnemonic].flags & NF_STACK; }
/* inc and dec: with live flags, native() lets them run only on the guest's flags in host
 * EFLAGS, so afterwards those are complete (CF carried through) and are saved as such */
static bool keeps_cf(const struct x86_insn *i) { return native_rows[i->mnemonic].flags & NF_KEEPS_CF; }

static bool native(struct tr *t, const struct x86_insn *i)
{
	/* the VMI doorbell is a direct call already; a profiled instruction is timed there */
	if (i->prefixes || i->fn == op_vmi_doorbell || i->fn == op_profiled)
		return false;
	for (unsigned o = 0; o < i->nops; o++)
		if (i->op[o].kind == OPK_REG && i->op[o].high8 && !tr_gpr(t, &i->op[o]).mem)
			return false; /* ah..bh of a register held in r8..r15 or rsi..rbp */
	const struct native_row *r = &native_rows[i->mnemonic];
	bool mem = false;
	for (unsigned o = 0; o < i->nops; o++)
		mem |= i->op[o].kind == OPK_MEM;
	if ((r->flags & NF_READS_CF) && (!t->host_flags || mem))
		return false;
	switch (r->how) {
	case T_ALU: return tr_alu(t, i, r->op, r->grp, r->digit, !(r->flags & NF_NODEST), r->flags & NF_WRITES);
	case T_SHIFT: return tr_shift(t, i, r->digit);
	case T_UNARY: return tr_unary(t, i, r->digit);
	case T_INCDEC: return tr_incdec(t, i, r->digit);
	case T_IMUL: return tr_imul(t, i);
	case T_MUL: return tr_mul(t, i, r->digit);
	case T_LEA: return tr_lea(t, i);
	case T_EXT: return tr_load_ext(t, i, r->op, r->grp);
	case T_PUSH: return tr_push_pop(t, i, true);
	case T_POP: return tr_push_pop(t, i, false);
	case T_BRANCH: return tr_branch(t, i, i->mnemonic);
	case T_NOP: return true;
	default:
		if (i->fn == op_jcc)
			return tr_jcc(t, i);
		if (i->fn == op_setcc)
			return tr_setcc(t, i);
		if (i->fn == op_cmovcc)
			return tr_cmovcc(t, i);
		return false;
	}
}

/* What instruction k does with the flags, as translated: whether it reads them (or may
 * deliver a fault, which pushes them) and whether it writes all six. */
struct flag_use {
	bool reads, writes_all;
};

static struct flag_use flag_use(struct tr *t, unsigned k)
{
	const struct x86_insn *i = &t->ins[k];
	uint8_t scratch[1024];
	struct asm_buf real = t->a;
	bool hf = t->host_flags;
	unsigned saved_k = t->k;
	t->a = (struct asm_buf){ scratch, scratch + sizeof(scratch), false };
	t->dry = true;
	t->k = k;
	t->host_flags = true; /* cmov's choice is then native; it reads, which is all that counts */
	bool nat = native(t, i);
	struct flag_use u = { true, false };
	if (nat) { /* a memory access may fault, and a fault pushes the flags */
		const struct native_row *r = &native_rows[i->mnemonic];
		bool mem = r->flags & NF_STACK;
		for (unsigned o = 0; o < i->nops; o++)
			mem |= i->op[o].kind == OPK_MEM && r->how != T_LEA;
		u = (struct flag_use){ conditional(i) || mem || (r->flags & NF_READS_CF), r->flags & NF_WRITES };
	}
	t->a = real;
	t->dry = false;
	t->k = saved_k;
	t->host_flags = hf;
	return u;
}

/* Host EFLAGS into the guest's lazy flags, when a later instruction can read them. After
 * a logic instruction AF is undefined: it reads as the model leaves it (CC_HOST_LOGIC). */
static void save_flags(struct tr *t, unsigned mnemonic)
{
	bool logic = native_rows[mnemonic].flags & NF_LOGIC;
	e_byte(&t->a, OPC_LAHF);
	e_op(&t->a, 4, OPC_SETCC | COND_O, 0, false, H_AX, 0); /* seto al */
	e_store(&t->a, 8, H_AX, H_BX, OFF(cc.src));
	e_store_imm(&t->a, 1, H_BX, OFF(cc.op), logic ? CC_HOST_LOGIC : CC_HOST);
}

static uint64_t load_flags(struct x86_cpu *c) { return x86_arith_flags(c) | 0x2; }

/* Adaptive translation (VMware's BT): an instruction whose inline path keeps failing
 * for a reason a TLB refill does not cure (device memory, a page crossing, a write to a
 * page holding code) becomes a plain callout: its code is patched to jump straight to
 * the slow path, saving the inline probe. A slow path at a new TLB epoch is a refill
 * (after a flush or invlpg) and does not count. */
#define ADAPT_AFTER 64 /* slow paths in a row at one epoch */

struct adapt {
	uint64_t epoch;
	uint32_t count, pad;
};

/* start is in the writable view, slow (rip-relative) in the executable one */
void bt_adapt(uint8_t *start, const uint8_t *slow, struct bt *bt)
{
	start[0] = 0xe9;
	e_patch(start + 1, bt->cache + (slow - bt->exec));
	bt->adapted++;
}

/* The slow path's count, before its callout (its struct adapt in the metadata arena). */
static void adapt_check(struct tr *t, uint8_t *start)
{
	struct asm_buf *a = &t->a;
	struct adapt *counter = tr_meta(t->bt, sizeof(*counter));
	if (!counter) {
		a->full = true;
		return;
	}
	e_mov_imm64(a, H_AX, (uint64_t)(uintptr_t)counter);
	e_load(a, 8, H_CX, H_BX, OFF(tlb_epoch));
	e_cmp_load(a, 8, H_CX, H_AX, 0);   /* cmp rcx, [rax] */
	e_store(a, 8, H_CX, H_AX, 0);   /* mov [rax], rcx (flags stay) */
	uint8_t *refill = e_jcc(a, COND_NE);
	e_op(a, 4, OPC_GRP5, EXT5_INC, true, H_AX, 8); /* ++count */
	e_alu_imm(a, 4, ARITH_CMP, true, H_AX, 8, ADAPT_AFTER);
	uint8_t *not_yet = e_jcc(a, COND_NE);
	tr_spill(t, HELD_CLOBBERED);
	e_mov_imm64(a, H_DI, (uint64_t)(uintptr_t)start);
	e_byte(a, 0x48);                         /* lea rsi, [rip + rel32]: the callout below */
	e_byte(a, OPC_LEA);
	e_byte(a, 0x35);                         /* ModRM: rsi, rip-relative */
	uint8_t *slow = a->p;
	e_u32(a, 0);
	e_mov_imm64(a, H_DX, (uint64_t)(uintptr_t)t->bt);
	e_mov_imm64(a, H_AX, (uint64_t)(uintptr_t)bt_adapt);
	e_call_rax(a);
	tr_reload(t, HELD_CLOBBERED);
	e_patch(slow, a->p);
	e_patch(refill, a->p);
	e_patch(not_yet, a->p);
}

static void resume(struct tr *t, const struct stub *st);

static void emit_stubs(struct tr *t)
{
	for (unsigned s = 0; s < t->nst && !t->a.full; s++) {
		struct stub st = t->st[s]; /* copied: tr_callout() may add stubs, moving none */
		for (unsigned r = 0; r < st.nrel; r++)
			e_patch(st.rel[r], t->a.p);
		if (st.kind == ST_EXIT) {
			exit_spilled(t, st.k);
			continue;
		}
		uint64_t rip = t->rip_of[st.k], next = t->rip_of[st.k + 1];
		if (st.kind == ST_TAKEN) {
			tr_exit_to(t, st.k + 1, st.target);
			continue;
		}
		t->st[s].at = t->a.p;
		if (st.start && !t->shadow) /* on the shadow, the fault handler counts (shadow.c) */
			adapt_check(t, st.start);
		tr_callout(t, st.k, rip, next);
		if (st.k + 1 != t->n)
			resume(t, &st);
	}
}

/* Back into the body after a slow path, with host flags as the body expects them. */
static void resume(struct tr *t, const struct stub *st)
{
	if (st->reload) {
		e_mov_imm64(&t->a, H_AX, (uint64_t)(uintptr_t)load_flags);
		tr_call_rax(t); /* the callout just reloaded: the CPU holds the registers it clobbers */
		tr_reload(t, HELD_CLOBBERED);
		e_byte(&t->a, OPC_PUSH_RAX);
		e_byte(&t->a, OPC_POPF);
	}
	e_patch(e_jmp(&t->a), st->resume);
}

/* The host registers translated code keeps for itself and must give back (SysV) */
static const uint8_t callee_saved[] = { H_BX, H_BP, H_R12, H_R13, H_R14, H_R15 };
#define N_SAVED (sizeof(callee_saved) / sizeof(callee_saved[0]))

static void prologue(struct tr *t)
{
	struct asm_buf *a = &t->a;
	for (unsigned k = 0; k < N_SAVED; k++)
		e_push(a, callee_saved[k]);
	/* sub rsp, 8: [rsp] = the epoch at entry, and calls see the stack 16-byte aligned
	 * (8 for the return address, 48 pushed, 8) */
	_Static_assert(N_SAVED % 2 == 0, "the frame below assumes an even number of pushes");
	e_alu_imm(a, 8, ARITH_SUB, false, H_SP, 0, 8);
	e_mov(a, 8, H_BX, H_DI);   /* rbx = the CPU */
	e_load(a, 8, H_AX, H_BX, OFF(tlb_epoch));
	e_store(a, 8, H_AX, H_SP, 0);
	e_load(a, 8, H_COUNT, H_BX, OFF(count.insns));
	clear_shadow(t);
}

static void epilogue(struct tr *t)
{
	t->epilogue = t->a.p;
	tr_spill(t, HELD_ALL);
	t->epilogue_spilled = t->a.p;
	e_alu_imm(&t->a, 8, ARITH_ADD, false, H_SP, 0, 8);
	for (unsigned k = N_SAVED; k-- > 0;)
		e_pop(&t->a, callee_saved[k]);
	e_byte(&t->a, OPC_RET);
}

/* The translation's window accesses into bt->sites, after those of the translations
 * before it (the cache fills upwards, so the array stays in code order). */
static bool keep_sites(struct tr *t)
{
	struct bt *bt = t->bt;
	if (bt->nsites + t->nsites > bt->sites_cap) {
		size_t cap = bt->sites_cap ? bt->sites_cap * 2 : 4096;
		while (cap < bt->nsites + t->nsites)
			cap *= 2;
		struct bt_site *p = realloc(bt->sites, cap * sizeof(*p));
		if (!p)
			return false;
		bt->sites = p;
		bt->sites_cap = cap;
	}
	for (unsigned k = 0; k < t->nsites; k++) {
		const struct tr_site *s = &t->site[k];
		const struct stub *st = &t->st[s->stub];
		bt->sites[bt->nsites++] = (struct bt_site){ .lo = bt_exec(bt, s->lo), .hi = bt_exec(bt, s->hi),
							    .slow = bt_exec(bt, st->at), .start = st->start };
	}
	return true;
}

struct bt_tb *tr_block(struct bt *bt, struct x86_cpu *c, const struct x86_insn *ins, unsigned n)
{
	struct tr *t = bt->tr;
	uint8_t *meta_start = bt->meta_next;
	struct bt_tb *tb = tr_meta(bt, sizeof(*tb));
	if (!tb)
		return NULL;
	memset(t, 0, offsetof(struct tr, st));
	t->a = (struct asm_buf){ bt->next, bt->next + BLOCK_ROOM, false };
	t->bt = bt;
	t->tb = tb;
	tr_choose_map(ins, n, tb->map);
	t->ins = ins;
	t->n = n;
	t->tclass = c->user_access;
	t->code32 = x86_code_bits(c) == 32;
	t->shadow = bt->shadow && t->code32 && x86_on_shadow(c);
	t->rip_of[0] = c->rip;
	for (unsigned k = 0; k < n; k++)
		t->rip_of[k + 1] = tr_wrap(t, t->rip_of[k] + ins[k].len);
	bool save[BT_MAX_INSNS], writes[BT_MAX_INSNS], live = true;
	for (unsigned k = n; k-- > 0;) {
		t->flags_live = live;
		struct flag_use u = flag_use(t, k);
		save[k] = live;
		writes[k] = u.writes_all;
		live = u.reads || (!u.writes_all && live);
	}
	epilogue(t); /* first, so that every exit can jump to it */
	tb->entry = t->a.p;
	prologue(t);
	tb->chain = t->a.p;
	tr_reload(t, HELD_REGS);
	tb->body = t->a.p;
	bool ended = false;
	for (unsigned k = 0; k < n && !ended; k++) {
		t->k = k;
		t->rip = t->rip_of[k];
		t->next = t->rip_of[k + 1];
		unsigned first = t->nst, first_site = t->nsites;
		uint8_t *start = t->a.p;
		t->flags_live = save[k];
		t->flags_stored = false;
		if (native(t, &ins[k])) {
			t->native++;
			if ((writes[k] || keeps_cf(&ins[k])) && save[k] && !t->flags_stored)
				save_flags(t, ins[k].mnemonic);
			for (unsigned s = first; s < t->nst; s++)
				if (t->st[s].kind == ST_SLOW && t->st[s].k == k) {
					t->st[s].resume = t->a.p;
					t->st[s].start = t->a.p - start >= 5 ? start : NULL;
					t->st[s].reload = t->host_flags;
				}
			for (unsigned s = first_site; s < t->nsites; s++)
				t->site[s].hi = t->a.p;
		} else {
			t->nsites = first_site; /* none stays: a callout reaches memory through the interpreter */
			t->callouts++;
			tr_callout(t, k, t->rip, t->next);
			t->host_flags = false;
		}
		ended = ins[k].ends_block;
	}
	if (!ended)
		tr_exit_to(t, n, t->rip_of[n]);
	emit_stubs(t);
	if (t->a.full || t->overflow || !keep_sites(t)) {
		bt->meta_next = meta_start;
		return NULL;
	}
	tb->entry = bt_exec(bt, tb->entry);
	tb->end = t->a.p;
	tb->native = t->native;
	tb->callouts = t->callouts;
	return tb;
}

struct tr *tr_alloc(void) { return malloc(sizeof(struct tr)); }

void *tr_meta(struct bt *bt, size_t n)
{
	n = (n + 7) & ~(size_t)7;
	if ((size_t)(bt->meta + bt->meta_size - bt->meta_next) < n)
		return NULL;
	void *p = bt->meta_next;
	memset(p, 0, n);
	bt->meta_next += n;
	return p;
}
