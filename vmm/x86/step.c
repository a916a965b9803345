/* Fetch, decode (through the cache), execute; faults unwind here and are delivered. */
#include <stdlib.h>
#include <string.h>
#include <x86intrin.h>
#include "decode.h"
#include "exec.h"
#include "mmu.h"
#include "system.h"
#include "x86.h"

#define DCACHE_SIZE 65536

struct decode_entry {
	uint64_t phys;
	uint8_t bits;
	struct x86_insn insn;
};

static unsigned dslot(uint64_t phys) { return (unsigned)((phys ^ (phys >> 14)) % DCACHE_SIZE); }

void x86_forget_code_page(struct x86_cpu *c, uint64_t page)
{
	for (uint64_t off = 0; off < 0x1000; off++) {
		struct decode_entry *e = &c->dcache[dslot(page | off)];
		if ((e->phys & ~0xfffull) == page)
			e->insn.fn = NULL;
	}
}

_Noreturn void x86_raise(struct x86_cpu *c, int vector, int error)
{
	c->fault_vector = vector;
	c->fault_error = error;
	longjmp(c->fault_jmp, 1);
}

int x86_cpu_init(struct x86_cpu *c, struct guest_mem *mem, struct bus *bus, struct lapic *lapic)
{
	memset(c, 0, sizeof(*c));
	c->mem = mem;
	c->bus = bus;
	c->lapic = lapic;
	c->code.pages = mem->size >> 12;
	c->code.has_code = calloc(c->code.pages, 1);
	c->dcache = calloc(DCACHE_SIZE, sizeof(*c->dcache));
	c->cp_lin = 1; /* no page: a linear page address never has bit 0 set */
	if (!c->code.has_code || !c->dcache) {
		x86_cpu_free(c);
		return -1;
	}
	c->apic_base = 0xfee00900; /* enabled, bootstrap processor */
	return 0;
}

void x86_cpu_free(struct x86_cpu *c)
{
	free(c->code.has_code);
	free(c->dcache);
	c->code.has_code = NULL;
	c->dcache = NULL;
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
	c->seg[S_CS] = flat(bs->cs, true, lm, !lm);
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

static unsigned code_bits(const struct x86_cpu *c)
{
	return long_mode64(c) ? 64 : c->seg[S_CS].db ? 32 : 16;
}

static uint64_t code_linear(struct x86_cpu *c, uint64_t rip)
{
	return long_mode64(c) ? rip : (rip + c->seg[S_CS].base) & 0xffffffffull;
}

/* The instruction at rip: from the cache when its page has not been written since. */
static const struct x86_insn *fetch(struct x86_cpu *c, struct x86_insn *scratch)
{
	unsigned bits = code_bits(c);
	uint64_t lin = code_linear(c, c->rip), phys;
	if ((lin & ~0xfffull) == c->cp_lin && c->cp_epoch == c->tlb_epoch) {
		phys = c->cp_phys | (lin & 0xfff);
	} else {
		if (!mmu_translate(c, lin, ACC_EXEC, &phys))
			x86_raise(c, EXC_GP, 0); /* executing from device memory is not modelled */
		c->cp_lin = lin & ~0xfffull;
		c->cp_phys = phys & ~0xfffull;
		c->cp_epoch = c->tlb_epoch;
	}
	struct decode_entry *e = &c->dcache[dslot(phys)];
	uint64_t pg = phys >> 12;
	if (e->insn.fn && e->phys == phys && e->bits == bits)
		return &e->insn;
	c->count.decode_misses++;
	uint8_t buf[16];
	unsigned got = mem_fetch(c, lin, buf, 15, &phys);
	enum decode_status st = x86_decode(buf, got, bits, scratch);
	if (st == DECODE_NEED_MORE) { /* crosses into the next page: fetch it (it may fault) */
		uint64_t p2;
		got += mem_fetch(c, lin + got, buf + got, 15 - got, &p2);
		st = x86_decode(buf, got, bits, scratch);
		if (st == DECODE_OK)
			return scratch; /* page-crossing instructions are not cached */
	}
	if (st != DECODE_OK)
		x86_raise(c, EXC_UD, NO_ERROR_CODE);
	if (pg < c->code.pages) {
		mmu_note_code(c, phys);
		e->phys = phys;
		e->bits = (uint8_t)bits;
		e->insn = *scratch;
		return &e->insn;
	}
	return scratch;
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

/* A pending LAPIC interrupt, if the CPU can take one now (also wakes hlt). */
static bool take_interrupt(struct x86_cpu *c)
{
	if (!c->lapic || !(c->flags & F_IF) || c->interrupt_shadow)
		return false;
	/* reading the host clock is slow under a hypervisor: the TSC says whether the next
	 * timer event can have come, and only then is the LAPIC brought up to date */
	uint64_t tsc = __rdtsc();
	if (!c->lapic_dirty && tsc < c->next_irq_tsc && !lapic_irr_pending(c->lapic))
		return false;
	c->lapic_dirty = false;
	int v = lapic_take_interrupt(c->lapic);
	uint64_t next = c->lapic->expiry_ns, now = c->lapic->now_ns;
	c->next_irq_tsc = next == LAPIC_NO_EVENT ? UINT64_MAX
			: next <= now ? 0 : tsc + (uint64_t)((unsigned __int128)(next - now) * c->lapic->tsc_hz / 1000000000ull);
	if (v < 0)
		return false;
	c->insn_rip = c->rip;
	c->insn_rsp = c->r[R_SP];
	if (c->exit == X86_HALTED)
		c->exit = X86_RUNNING;
	x86_deliver(c, v, NO_ERROR_CODE, EV_EXTERNAL);
	return true;
}

#define IRQ_POLL_MASK 255 /* look for timer interrupts every 256 instructions, and at once
			    after anything that may make one deliverable (c->poll_irq) */

uint64_t x86_run(struct x86_cpu *c, uint64_t max, const volatile bool *stop)
{
	struct x86_insn scratch;
	if (_setjmp(c->fault_jmp)) {
		/* the faulting instruction committed nothing but rip and rsp: put them back */
		c->implicit_sv = 0;
		c->rip = c->insn_rip;
		c->r[R_SP] = c->insn_rsp;
		deliver_fault(c, c->fault_vector, c->fault_error);
		return 1;
	}
	if (c->exit == X86_HALTED && !take_interrupt(c))
		return 0;
	uint64_t k = 0;
	while (k < max && c->exit == X86_RUNNING && !*stop) {
		if (c->poll_irq || !(k & IRQ_POLL_MASK)) {
			c->poll_irq = false;
			take_interrupt(c);
		}
		c->interrupt_shadow = false;
		c->insn_rip = c->rip;
		c->insn_rsp = c->r[R_SP];
		const struct x86_insn *i = fetch(c, &scratch);
		c->rip += i->len;
		if (!long_mode64(c))
			c->rip &= 0xffffffffull;
		i->fn(c, i);
		k++;
		c->count.insns++; /* per instruction: a fault unwinds past any local count */
	}
	return k;
}
