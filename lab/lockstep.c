#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lockstep.h"
#include "../vmm/x86/decode.h"
#include "../vmm/x86/mmu.h"
#include "../vmm/x86/x86.h"

#define VIRTUAL_TSC_HZ 1000000000ull
#define NS_PER_INSN 4         /* the guest sees a 250 MIPS CPU */
#define MEM_EVERY 16384       /* steps between memory comparisons */
#define STEP_MAX (1u << 20)   /* more than a step: x86_run stops after one (one_block) */
#define SHOW_INSNS 40

static uint64_t virtual_now(void *opaque) { return *(const uint64_t *)opaque; }

static void on_msg(void *opaque, const struct pvb_msg *msg)
{
	struct lockstep *ls = opaque;
	if (msg->type == PVB_MSG_BEGIN)
		snprintf(ls->bench, sizeof(ls->bench), "%s", msg->bench);
}

static int open_side(struct lockstep *ls, int k, const struct engine_ops *eng, char *err, size_t n)
{
	const struct lockstep_config *cfg = ls->cfg;
	struct lockstep_side *s = &ls->side[k];
	s->eng = eng;
	if (!eng->cpu) {
		snprintf(err, n, "%s has no CPU model state to compare (only emulate and bt engines do)", eng->name);
		return -1;
	}
	const struct clock virt = { virtual_now, &ls->vtsc };
	struct machine_config mc = { .mem_bytes = cfg->mem_bytes, .serial_echo_fd = k ? -1 : cfg->echo_fd,
				     .on_msg = k ? NULL : on_msg, .msg_opaque = ls, .tsc_hz = VIRTUAL_TSC_HZ,
				     .vmi = cfg->mode->iface == IFACE_VMI, .clock = &virt };
	char why[256];
	struct boot_state bs;
	if (machine_init(&s->m, &mc, err, n))
		return -1;
	struct load_opts lo = { .fmt = cfg->format, .cmdline = cfg->cmdline, .initrd = cfg->initrd,
				.initrd_len = cfg->initrd_len };
	if (loader_load(&s->m.mem, cfg->image, cfg->image_len, &lo, &bs, why, sizeof(why))) {
		snprintf(err, n, "guest image: %s", why);
		return -1;
	}
	if (!(s->vm = eng->create(&s->m, &bs, why, sizeof(why)))) {
		snprintf(err, n, "%s: %s", eng->name, why);
		return -1;
	}
	s->c = eng->cpu(s->vm);
	s->c->virtual_tsc = &ls->vtsc;
	s->c->one_block = true;
	s->c->translate_after = 0; /* code that runs once is translated too: that is what is checked */
	return 0;
}

struct lockstep *lockstep_open(const struct lockstep_config *cfg, char *err, size_t n)
{
	struct lockstep *ls = calloc(1, sizeof(*ls));
	if (!ls) {
		snprintf(err, n, "out of memory");
		return NULL;
	}
	ls->cfg = cfg;
	ls->start_ns = host_ns();
	ls->end = LS_RUNNING;
	if (open_side(ls, 0, cfg->mode->engine, err, n) || open_side(ls, 1, cfg->ref->engine, err, n)) {
		lockstep_close(ls);
		return NULL;
	}
	return ls;
}

void lockstep_close(struct lockstep *ls)
{
	if (!ls)
		return;
	for (int k = 0; k < 2; k++) {
		struct lockstep_side *s = &ls->side[k];
		if (s->vm)
			s->eng->destroy(s->vm);
		if (s->eng)
			machine_free(&s->m);
	}
	free(ls);
}

__attribute__((format(printf, 2, 3))) static void say(struct lockstep *ls, const char *fmt, ...)
{
	size_t used = strlen(ls->report);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ls->report + used, sizeof(ls->report) - used, fmt, ap);
	va_end(ap);
}

/* The step's first block, from the reference's memory, up to its first branch (a chain
 * goes on elsewhere): its code page is in the soft TLB (it was just fetched through it)
 * unless the step itself flushed the TLB. */
static void show_block(struct lockstep *ls, uint64_t lin, unsigned bits, bool have_phys, uint64_t phys, uint64_t count)
{
	const struct x86_cpu *c = ls->side[1].c;
	if (!have_phys && !tlb_phys(c, lin, ACC_EXEC, &phys)) {
		say(ls, "  (its code page has left the soft TLB: not disassembled)\n");
		return;
	}
	const uint8_t *code = mem_ptr(&ls->side[1].m.mem, phys, 1);
	unsigned room = 0x1000 - (unsigned)(phys & 0xfff), off = 0;
	for (uint64_t k = 0; k < count && k < SHOW_INSNS && off < room && code; k++) {
		char dis[96];
		unsigned len = x86_disasm(code + off, room - off, bits, lin + off, dis, sizeof(dis));
		say(ls, "  %12llx  %s\n", (unsigned long long)(lin + off), dis);
		struct x86_insn insn;
		if (!len || x86_decode(code + off, room - off, bits, &insn) != DECODE_OK || insn.ends_block ||
		    insn.fn == op_jcc)
			break;
		off += len;
	}
}

/* The first byte at which the two guests' memories differ, or -1. */
static int64_t memory_differs(const struct lockstep *ls)
{
	const struct guest_mem *a = &ls->side[0].m.mem, *b = &ls->side[1].m.mem;
	for (uint64_t p = 0; p < a->size; p += 0x1000)
		if (memcmp(a->host + p, b->host + p, 0x1000))
			for (uint64_t k = p;; k++)
				if (a->host[k] != b->host[k])
					return (int64_t)k;
	return -1;
}

static bool end(struct lockstep *ls, enum lockstep_end e, const char *why)
{
	ls->end = e;
	say(ls, "%s after %llu steps, %llu instructions", why, (unsigned long long)ls->steps,
	    (unsigned long long)ls->insns);
	say(ls, ls->bench[0] ? " (last benchmark announced: %s)\n" : "%s\n", ls->bench);
	return false;
}

static bool memory_check(struct lockstep *ls)
{
	int64_t at = memory_differs(ls);
	if (at < 0)
		return true;
	const struct guest_mem *a = &ls->side[0].m.mem, *b = &ls->side[1].m.mem;
	say(ls, "guest memory differs first at physical 0x%llx: 0x%02x here, 0x%02x in the reference (compared every %u steps)\n",
	    (unsigned long long)at, a->host[at], b->host[at], MEM_EVERY);
	return end(ls, LS_DIVERGED, "memory diverged");
}

/* Exceptions and interrupts delivered so far. */
static uint64_t events(const struct x86_cpu *c)
{
	uint64_t n = c->count.interrupts;
	for (int v = 0; v < 32; v++)
		n += c->count.exceptions[v];
	return n;
}

/* The reference through the same n instructions and deliveries as the checked engine's
 * step. Its blocks may end elsewhere (the interpreter stops at every hint to look for
 * interrupts, translated code only where one can have become deliverable), so it runs
 * by count, not by block; a fault that ended the checked step is delivered by running
 * the next instruction. Returns the instructions it retired. */
static uint64_t catch_up(struct x86_cpu *c, struct machine *m, uint64_t n, uint64_t want_events)
{
	uint64_t i0 = c->count.insns;
	for (;;) {
		uint64_t done = c->count.insns - i0, ev = events(c);
		if (done >= n && ev >= want_events)
			return done;
		x86_run(c, done < n ? n - done : 1, &m->ctl.exited);
		if (c->count.insns - i0 == done && events(c) == ev)
			return done; /* stuck (halted, ended): the comparison says the rest */
	}
}

bool lockstep_step(struct lockstep *ls)
{
	struct x86_cpu *a = ls->side[0].c, *b = ls->side[1].c;
	struct machine *ma = &ls->side[0].m, *mb = &ls->side[1].m;
	if (ls->end != LS_RUNNING)
		return false;
	unsigned bits = x86_code_bits(a);
	uint64_t lin = x86_code_linear(a, a->rip), phys = 0;
	bool have_phys = tlb_phys(b, lin, ACC_EXEC, &phys);
	uint64_t ia = a->count.insns;
	x86_run(a, STEP_MAX, &ma->ctl.exited);
	uint64_t da = a->count.insns - ia, db = catch_up(b, mb, da, events(a));
	ls->steps++;
	ls->insns += da;
	char diffs[4096];
	int nd = x86_state_diff(a, b, diffs, sizeof(diffs));
	if (da != db || nd || ma->ctl.exited != mb->ctl.exited) {
		say(ls, "%s diverged from %s at step %llu, instruction %llu", ls->cfg->mode->name, ls->cfg->ref->name,
		    (unsigned long long)ls->steps, (unsigned long long)(ls->insns - da));
		say(ls, ls->bench[0] ? " (benchmark %s)\n" : "%s\n", ls->bench);
		say(ls, "the step from 0x%llx retired %llu instructions here, %llu in the reference; its first block:\n",
		    (unsigned long long)lin, (unsigned long long)da, (unsigned long long)db);
		show_block(ls, lin, bits, have_phys, phys, da > db ? da : db);
		say(ls, "%s%s", nd ? "state after it (here vs the reference):\n" : "", diffs);
		if (ma->ctl.exited != mb->ctl.exited)
			say(ls, "  one guest ended the machine and the other did not\n");
		return end(ls, LS_DIVERGED, "diverged");
	}
	if (ls->steps % MEM_EVERY == 0 && !memory_check(ls))
		return false;
	if (ma->ctl.exited)
		return memory_check(ls) && end(ls, LS_AGREED, "the guest ended the machine: no divergence");
	if (a->exit == X86_SHUTDOWN)
		return memory_check(ls) && end(ls, LS_AGREED, "both triple-faulted alike: no divergence");
	if (a->exit == X86_HALTED) {
		uint64_t next = machine_next_timer(ma);
		if (!(a->flags & F_IF) || next == LAPIC_NO_EVENT)
			return memory_check(ls) && end(ls, LS_AGREED, "the guest halted for good: no divergence");
		if (next > ls->vtsc)
			ls->vtsc = next; /* a halted CPU sleeps until its timer */
	}
	ls->vtsc += da * NS_PER_INSN + 1; /* + 1: time moves even across a fault */
	if (ls->cfg->max_insns && ls->insns >= ls->cfg->max_insns)
		return memory_check(ls) && end(ls, LS_LIMIT, "stopped at the instruction limit: no divergence");
	if (ls->cfg->timeout_ms && (ls->steps & 4095) == 0 && host_ns() - ls->start_ns > ls->cfg->timeout_ms * 1000000ull)
		return memory_check(ls) && end(ls, LS_TIMEOUT, "stopped at the time limit: no divergence");
	return true;
}
