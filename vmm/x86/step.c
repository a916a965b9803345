/* Fetch, decode (through the cache), execute; faults unwind here and are delivered. */
#include <stdlib.h>
#include <string.h>
#include "debug.h"
#include "decode.h"
#include "exec.h"
#include "mmu.h"
#include "system.h"
#include "x86.h"

/* Decoded blocks: straight-line runs of instructions within one physical page, cached by
 * physical address and decode mode (Bochs's trace cache). A block runs with no fetch,
 * translation or cache lookup per instruction, until an instruction leaves rip anywhere
 * but at the next one, the TLB epoch moves (flush, invlpg, a write to code) or something
 * wants attention (an interrupt that may be deliverable, a new CS, an exit). */
#define BLOCK_MAX 32
#define BLOCK_SLOTS 65536
#define POOL_INSNS (BLOCK_SLOTS * 8) /* when the decoded instructions fill it, start over */

/* A block remembers where it went last (two ways: a branch's taken and fall-through
 * ends), so the next one is found without a translation and a cache lookup. A link is
 * good while no translation has changed (the epoch) and its target slot still holds
 * the block it was made for. */
struct link {
	uint64_t rip, epoch, phys;
	struct block *to;
};

struct block {
	uint64_t phys;
	uint8_t bits, n, next_link;
	struct x86_insn *insn;
	struct link link[2];
	x86_tb_fn *tcode;          /* its translation, when the translator made one */
	void *tb;                  /* the translator's handle on it, for links into it */
	uint64_t trip;             /* the rip it was made for: code mapped at two addresses
				      shares the block, not the translation (which holds rips) */
	uint8_t tclass;            /* and what it was made for (tclass_of): its accesses depend on it */
	uint32_t page_gen;         /* its page's generation when decoded: stale once that moves */
	uint8_t runs;              /* interpreted since decoded (c->translate_after) */
};

static unsigned bslot(uint64_t phys) { return (unsigned)((phys * 0x9e3779b97f4a7c15ull) >> 48); }

/* A write to a page of code: its blocks go stale by the page's generation, in O(1) --
 * code that rewrites its own page (a JIT, a patcher, a storm of them) pays a decode per
 * write, not a sweep of the whole block cache. tb_gen voids the translator's links. */
void x86_forget_code_page(struct x86_cpu *c, uint64_t page)
{
	c->count.code_flushes++;
	c->tb_gen++;
	if ((page >> 12) < c->code.pages)
		c->code.gen[page >> 12]++;
}

static bool current(const struct x86_cpu *c, const struct block *b)
{
	return b->n && ((b->phys >> 12) >= c->code.pages || b->page_gen == c->code.gen[b->phys >> 12]);
}

void x86_forget_translations(struct x86_cpu *c)
{
	c->tb_gen++;
	for (unsigned k = 0; k < BLOCK_SLOTS; k++)
		c->blocks[k].tcode = NULL;
}

static void forget_all_blocks(struct x86_cpu *c)
{
	c->tb_gen++; /* translations call out with pointers into the pool */
	for (unsigned k = 0; k < BLOCK_SLOTS; k++)
		c->blocks[k].n = 0;
	c->pool_used = 0;
}

int x86_cpu_init(struct x86_cpu *c, struct guest_mem *mem, struct bus *bus)
{
	memset(c, 0, sizeof(*c));
	c->mem = mem;
	c->bus = bus;
	c->code.pages = mem->size >> 12;
	c->code.watch = calloc(c->code.pages, 1);
	c->code.gen = calloc(c->code.pages, sizeof(*c->code.gen));
	c->blocks = calloc(BLOCK_SLOTS, sizeof(*c->blocks));
	c->pool = calloc(POOL_INSNS, sizeof(*c->pool));
	if (!c->code.watch || !c->code.gen || !c->blocks || !c->pool) {
		x86_cpu_free(c);
		return -1;
	}
	c->apic_base = 0xfee00900; /* enabled, bootstrap processor */
	c->pat = 0x0007040600070406ull; /* the reset value: WB WT UC- UC, twice */
	c->dr[6] = DR6_FIXED;
	c->dr[7] = DR7_FIXED;
	c->misc_enable = 0x1801;        /* fast strings; no branch trace, no PEBS */
	c->fpu.fcw = FPU_FCW_INIT;
	c->fpu.mxcsr = MXCSR_INIT;
	return 0;
}

void x86_cpu_free(struct x86_cpu *c)
{
	free(c->code.watch);
	free(c->code.gen);
	free(c->blocks);
	free(c->pool);
	c->code.watch = NULL;
	c->code.gen = NULL;
	c->blocks = NULL;
	c->pool = NULL;
}

static struct segment flat(uint16_t sel, bool code, bool l, bool db)
{
	return (struct segment){ .sel = sel, .limit = 0xffffffff, .type = code ? 11 : 3, .s = 1, .present = 1,
				 .l = l, .db = db, .g = 1 };
}

void x86_load_boot_state(struct x86_cpu *c, const struct boot_state *bs)
{
	bool lm = bs->kind == BOOT_LONG64;
	for (int s = 0; s < 6; s++)
		c->seg[s] = flat(bs->ds, false, false, true);
	set_cs(c, flat(bs->cs, true, lm, !lm));
	c->gdtr = (struct dtable){ bs->gdt_base, bs->gdt_limit };
	c->idtr = (struct dtable){ 0, 0xffff };
	c->cr0 = bs->cr0 | 0x10;
	c->cr3 = bs->cr3;
	c->cr4 = bs->cr4;
	c->efer = bs->efer;
	c->r[R_AX] = bs->rax;
	c->r[R_BX] = bs->rbx;
	c->r[R_SI] = bs->rsi;
	c->r[R_DI] = bs->rdi;
	c->r[R_SP] = bs->rsp;
	c->rip = bs->rip;
	set_cpl(c, 0);
	x86_set_flags(c, 0x2);
	c->exit = X86_RUNNING;
	mmu_flush(c, false);
}

unsigned x86_code_bits(const struct x86_cpu *c)
{
	return long_mode64(c) ? 64 : c->seg[S_CS].db ? 32 : 16;
}

uint64_t x86_code_linear(const struct x86_cpu *c, uint64_t rip)
{
	return long_mode64(c) ? rip : (rip + c->seg[S_CS].base) & 0xffffffffull;
}

/* An instruction that crosses into the next page: decoded on its own, never cached. */
static struct block *page_crossing(struct x86_cpu *c, uint64_t lin, unsigned bits, struct block *scratch)
{
	uint8_t buf[16];
	unsigned got = mem_fetch(c, lin, buf, 15);
	got += mem_fetch(c, lin + got, buf + got, 15 - got); /* may fault */
	if (x86_decode(buf, got, bits, scratch->insn) != DECODE_OK)
		x86_raise(c, EXC_UD, NO_ERROR_CODE);
	scratch->bits = (uint8_t)bits;
	scratch->n = 1;
	return scratch;
}

static struct block *build_block(struct x86_cpu *c, struct block *b, uint64_t lin, uint64_t phys, unsigned bits,
				       struct block *scratch)
{
	if (c->pool_used + BLOCK_MAX > POOL_INSNS)
		forget_all_blocks(c);
	const uint8_t *p = mem_fetch_page(c, lin);
	unsigned off = 0, room = 0x1000 - (unsigned)(lin & 0xfff), n = 0;
	struct x86_insn *out = c->pool + c->pool_used;
	while (n < BLOCK_MAX && off < room) {
		enum decode_status st = x86_decode(p + off, room - off, bits, &out[n]);
		if (st != DECODE_OK) {
			if (n)
				break; /* the next block starts with it, and raises #UD or crosses */
			if (st == DECODE_INVALID)
				x86_raise(c, EXC_UD, NO_ERROR_CODE);
			return page_crossing(c, lin, bits, scratch);
		}
		off += out[n].len;
		if (c->prof && out[n].sensitive)
			out[n].fn = op_profiled;
		if (out[n++].ends_block)
			break;
	}
	/* code with a host pointer is in RAM (devices are never executed): cache it, and
	 * watch the page for writes */
	c->count.insns_decoded += n;
	c->count.blocks_built++;
	mmu_note_code(c, phys);
	c->pool_used += n;
	*b = (struct block){ .phys = phys, .bits = (uint8_t)bits, .n = (uint8_t)n, .insn = out,
			     .page_gen = (phys >> 12) < c->code.pages ? c->code.gen[phys >> 12] : 0 };
	return b;
}

/* The block at rip: from the cache when its page has not been written since. */
static struct block *find_block(struct x86_cpu *c, struct block *scratch)
{
	unsigned bits = x86_code_bits(c);
	uint64_t lin = x86_code_linear(c, c->rip), phys;
	/* a fault fetching or decoding is the next instruction's, not the last one's */
	c->insn_rip = c->rip;
	c->insn_rsp = c->r[R_SP];
	if (!tlb_phys(c, lin, ACC_EXEC, &phys) && !mmu_translate(c, lin, ACC_EXEC, &phys)) {
		/* no RAM there: where nothing answers either the fetch reads open bus, all ones
		 * (ff ff is FF /7, #UD); executing from a device is not modelled (#GP) */
		if (bus_find(c->bus, BUS_MMIO, phys))
			x86_raise(c, EXC_GP, 0);
		static const uint8_t open_bus[15] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
						      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
		if (x86_decode(open_bus, sizeof(open_bus), bits, scratch->insn) != DECODE_OK)
			x86_raise(c, EXC_UD, NO_ERROR_CODE);
		scratch->bits = (uint8_t)bits;
		scratch->n = 1;
		return scratch;
	}
	struct block *b = &c->blocks[bslot(phys)];
	if (current(c, b) && b->phys == phys && b->bits == bits)
		return b;
	return build_block(c, b, lin, phys, bits, scratch);
}

static struct block *linked(const struct x86_cpu *c, const struct block *b)
{
	for (int j = 0; j < 2; j++) {
		const struct link *l = &b->link[j];
		if (l->rip == c->rip && l->epoch == c->tlb_epoch && l->to && current(c, l->to) && l->to->phys == l->phys &&
		    l->to->bits == b->bits)
			return l->to;
	}
	return NULL;
}

static void add_link(const struct x86_cpu *c, struct block *from, struct block *to)
{
	if (to < c->blocks || to >= c->blocks + BLOCK_SLOTS)
		return; /* not cached */
	from->link[from->next_link++ & 1] = (struct link){ .rip = c->rip, .epoch = c->tlb_epoch, .phys = to->phys, .to = to };
}

/* Up to budget instructions of b; a fault unwinds out of here to x86_run. */
static uint64_t run_block(struct x86_cpu *c, const struct block *b, uint64_t budget)
{
	const struct x86_insn *i = b->insn, *end = i + (b->n < budget ? b->n : budget);
	uint64_t epoch = c->tlb_epoch, mask = b->bits == 64 ? ~0ull : 0xffffffffull, n = 0, next;
	do {
		c->interrupt_shadow = false;
		c->insn_rip = c->rip;
		c->insn_rsp = c->r[R_SP];
		next = (c->rip + i->len) & mask;
		c->rip = next;
		i->fn(c, i);
		c->count.insns++; /* per instruction: a fault unwinds past any local count */
		n++;
	} while (++i < end && c->rip == next && c->tlb_epoch == epoch && !c->attention && c->exit == X86_RUNNING);
	return n;
}

/* b through its translation, made on first use; interpreted when there is none or the
 * budget ends inside it (a slice ends where the interpreter would end it). The code may
 * chain on into other blocks while it has retired fewer than chain more instructions at
 * each backward link (forward links within a page do not check: a chain of them ends
 * within the page); the exit it last returned by is linked to b first when it led here. */
/* 32-bit code whose code, data and stack segments are flat (base 0, limit 4 GiB, not
 * expand-down): where an offset is the linear address, as the translator assumes. */
static bool flat32(const struct x86_cpu *c)
{
	static const unsigned segs[] = { S_CS, S_DS, S_ES, S_SS };
	for (unsigned k = 0; k < 4; k++) {
		const struct segment *s = &c->seg[segs[k]];
		if (s->base || s->limit != 0xffffffffu || (segs[k] != S_CS && (s->type & 4)))
			return false;
	}
	return true;
}

/* What a translation's memory accesses were made for: the TLB class (user_access), and
 * for 32-bit code whether they go through the shadow windows (outside long mode). */
static uint8_t tclass_of(const struct x86_cpu *c) { return (uint8_t)(c->user_access | (x86_on_shadow(c) ? 2 : 0)); }

static uint64_t run_translated(struct x86_cpu *c, struct block *b, uint64_t budget, uint64_t chain)
{
	void *exit = c->tb_patch;
	c->tb_patch = NULL;
	/* in an interrupt shadow (after sti, mov ss) one instruction, so that an interrupt
	 * waiting for it comes right after it, as in the interpreter: translated code would
	 * run on and leave the shadow standing until its next callout */
	if (c->interrupt_shadow)
		return run_block(c, b, 1);
	if (b->n > budget || (b->bits != 64 && !(b->bits == 32 && flat32(c))))
		return run_block(c, b, budget);
	uint8_t tclass = tclass_of(c);
	if (!b->tcode || b->trip != c->rip || b->tclass != tclass) {
		if (b->runs < c->translate_after) {
			b->runs++;
			return run_block(c, b, budget);
		}
		uint32_t gen = c->tb_gen;
		b->tcode = (x86_tb_fn *)c->jit->translate(c->jit, c, b->insn, b->n, &b->tb);
		b->trip = c->rip;
		b->tclass = tclass;
		if (c->tb_gen != gen)
			exit = NULL; /* the cache started over: the exit is gone with it */
		if (!b->tcode)
			return run_block(c, b, budget);
	}
	if (exit)
		c->jit->link(c->jit, c, exit, b->tb, b->n);
	if ((tclass & 2) && c->shadow.stale)
		c->shadow.sync(c->shadow.opaque); /* the windows of the paging state now */
	uint64_t before = c->count.insns;
	c->tb_limit = before + chain;
	b->tcode(c);
	c->tb_done = 0;
	return c->count.insns - before;
}

static void deliver_fault(struct x86_cpu *c, int vec, int err)
{
	volatile int vector = vec, error = err;
	c->first_vector = vec;
	c->first_error = err;
	for (;;) {
		if (!_setjmp(c->fault_jmp)) {
			x86_deliver(c, vector, error, EV_EXCEPTION);
			return;
		}
		/* a fault while delivering: #DF, and a fault while delivering that shuts down */
		c->implicit_sv = 0;
		sync_user_access(c);
		c->rip = c->insn_rip;
		c->r[R_SP] = c->insn_rsp;
		if (vector == EXC_DF) {
			c->exit = X86_SHUTDOWN;
			return;
		}
		vector = EXC_DF;
		error = 0;
	}
}

/* An NMI, whatever IF says, unless one is being handled (until its IRET). */
static bool take_nmi(struct x86_cpu *c)
{
	if (c->nmi_blocked || c->interrupt_shadow || !c->intc.take_nmi || !c->intc.take_nmi(c->intc.opaque, c->apic_base))
		return false;
	c->insn_rip = c->rip;
	c->insn_rsp = c->r[R_SP];
	if (c->exit == X86_HALTED)
		c->exit = X86_RUNNING;
	c->nmi_blocked = true;
	x86_deliver(c, 2, NO_ERROR_CODE, EV_EXTERNAL);
	return true;
}

/* A pending NMI or external interrupt, if the CPU can take one now (also wakes hlt). */
static bool take_interrupt(struct x86_cpu *c)
{
	if (take_nmi(c))
		return true;
	if (!c->intc.take || !(c->flags & F_IF) || c->interrupt_shadow)
		return false;
	/* reading the host clock is slow under a hypervisor: the TSC says whether the next
	 * timer event can have come, and only then are the controllers brought up to date */
	uint64_t tsc = x86_host_tsc(c);
	if (!c->lapic_dirty && tsc < c->next_irq_tsc && !c->intc.pending(c->intc.opaque, c->apic_base))
		return false;
	c->lapic_dirty = false;
	int v = c->intc.take(c->intc.opaque, c->apic_base, tsc, &c->next_irq_tsc);
	if (v < 0)
		return false;
	c->insn_rip = c->rip;
	c->insn_rsp = c->r[R_SP];
	if (c->exit == X86_HALTED)
		c->exit = X86_RUNNING;
	x86_deliver(c, v, NO_ERROR_CODE, EV_EXTERNAL);
	return true;
}

#define IRQ_POLL_INTERVAL 256 /* look for timer interrupts every 256 instructions or so, and
				at once after anything that may make one deliverable (c->attention) */

/* Nothing can become deliverable without c->attention first: interrupts are off (sti,
 * popf and iret raise attention), or no timer event is due and nothing waits in the
 * LAPIC. The poll can then wait: every exit from translated code to poll costs tens of
 * instructions' worth of time there. */
static bool irq_quiet(const struct x86_cpu *c)
{
	return !c->intc.take || !(c->flags & F_IF) ||
	       (c->next_irq_tsc == UINT64_MAX && !c->lapic_dirty && !c->intc.pending(c->intc.opaque, c->apic_base));
}

uint64_t x86_run(struct x86_cpu *c, uint64_t max, const volatile bool *stop)
{
	struct x86_insn one;
	struct block scratch = { .insn = &one };
	if (_setjmp(c->fault_jmp)) {
		/* the faulting instruction committed nothing but rip and rsp: put them back */
		c->implicit_sv = 0;
		sync_user_access(c);
		c->rip = c->insn_rip;
		c->r[R_SP] = c->insn_rsp;
		c->count.insns += c->tb_done; /* a translated block's instructions before the fault */
		c->tb_done = 0;
		deliver_fault(c, c->fault_vector, c->fault_error);
		return 1;
	}
	if (c->exit == X86_HALTED && !take_interrupt(c))
		return 0;
	uint64_t k = 0, poll_at = 0, work0 = c->work;
	struct block *b = NULL;
	while (k + (c->work - work0) < max && c->exit == X86_RUNNING && !*stop) {
		/* within a block of the poll: a chain stops short of it for want of budget */
		if (c->attention || k + BLOCK_MAX >= poll_at) {
			/* held off for one instruction (sti, mov ss): look again right after it */
			c->attention = c->interrupt_shadow;
			if (take_interrupt(c))
				b = NULL;
			poll_at = irq_quiet(c) ? max : k + IRQ_POLL_INTERVAL;
		}
		struct block *next = b ? linked(c, b) : NULL;
		if (!next) {
			next = find_block(c, &scratch);
			if (b)
				add_link(c, b, next);
		}
		b = next;
		if (c->debugging) { /* one instruction at a time, in the interpreter */
			struct debug_step ds = x86_debug_before(c);
			k += run_block(c, b, 1);
			x86_debug_after(c, b->insn, ds);
			b = NULL;
			continue;
		}
		if (c->jit && b != &scratch)
			k += run_translated(c, b, max - k, (max < poll_at ? max : poll_at) - k);
		else
			k += run_block(c, b, max - k);
		if (c->attention || b == &scratch)
			b = NULL; /* the mode may have changed: no link from here */
		if (c->one_block)
			break;
	}
	return k;
}
