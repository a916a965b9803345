#include "debug.h"
#include "decode.h"
#include "fault.h"
#include "mmu.h"
#include "system.h"
#include "x86.h"

#define CR4_DE 0x8ull

enum bp_kind { BP_EXEC = 0, BP_WRITE = 1, BP_IO = 2, BP_RW = 3 };

static bool enabled(const struct x86_cpu *c, int n) { return (c->dr[7] >> (2 * n)) & 3; }
static enum bp_kind kind(const struct x86_cpu *c, int n) { return (enum bp_kind)((c->dr[7] >> (16 + 4 * n)) & 3); }

/* LEN: 00 one byte, 01 two, 10 eight, 11 four; the address is aligned down to it */
static uint64_t length(const struct x86_cpu *c, int n)
{
	static const uint64_t len[4] = { 1, 2, 8, 4 };
	return len[(c->dr[7] >> (18 + 4 * n)) & 3];
}

static bool data_bp(const struct x86_cpu *c, int n)
{
	return enabled(c, n) && (kind(c, n) == BP_WRITE || kind(c, n) == BP_RW);
}

static bool any_data_bp(const struct x86_cpu *c)
{
	for (int n = 0; n < 4; n++)
		if (data_bp(c, n))
			return true;
	return false;
}

void x86_debug_update(struct x86_cpu *c)
{
	bool on = (c->flags & (F_TF | F_RF)) || (c->dr[7] & 0xff);
	if (on != c->debugging) {
		c->debugging = on;
		c->attention = true;
	}
}

bool x86_debug_watched(const struct x86_cpu *c, uint64_t lin)
{
	for (int n = 0; n < 4; n++)
		if (data_bp(c, n) && ((c->dr[n] & ~(length(c, n) - 1)) >> 12) == lin >> 12)
			return true;
	return false;
}

void x86_debug_access(struct x86_cpu *c, uint64_t lin, unsigned size, bool write)
{
	for (int n = 0; n < 4; n++) {
		if (!data_bp(c, n) || (kind(c, n) == BP_WRITE && !write))
			continue;
		uint64_t len = length(c, n), at = c->dr[n] & ~(len - 1);
		if (lin < at + len && lin + size > at)
			c->db_hits |= 1u << n;
	}
}

void x86_debug_io(struct x86_cpu *c, uint16_t port, unsigned size)
{
	if (!(c->cr4 & CR4_DE))
		return; /* R/W 10 is undefined without it */
	for (int n = 0; n < 4; n++) {
		uint64_t len = length(c, n), at = c->dr[n] & 0xffff & ~(len - 1);
		if (enabled(c, n) && kind(c, n) == BP_IO && port < at + len && port + size > at)
			c->db_hits |= 1u << n;
	}
}

static unsigned dr_number(struct x86_cpu *c, unsigned r)
{
	if (r > 7)
		x86_raise(c, EXC_UD, NO_ERROR_CODE);
	if (r == 4 || r == 5) {
		if (c->cr4 & CR4_DE)
			x86_raise(c, EXC_UD, NO_ERROR_CODE);
		return r + 2;
	}
	return r;
}

/* DR7.GD: any MOV DR is a #DB fault first, with BD, and GD cleared for the handler */
static void general_detect(struct x86_cpu *c)
{
	if (c->dr[7] & DR7_GD) {
		c->dr[6] |= DR6_BD;
		c->dr[7] &= ~DR7_GD;
		x86_debug_update(c);
		x86_raise(c, EXC_DB, NO_ERROR_CODE);
	}
}

uint64_t x86_read_dr(struct x86_cpu *c, unsigned r)
{
	r = dr_number(c, r);
	general_detect(c);
	return c->dr[r];
}

void x86_write_dr(struct x86_cpu *c, unsigned r, uint64_t v)
{
	r = dr_number(c, r);
	general_detect(c);
	if (r >= 6 && (v >> 32))
		x86_raise(c, EXC_GP, 0);
	if (r == 6)
		v = (v & 0xe00full) | DR6_FIXED;
	else if (r == 7)
		v = (v & ~0xd800ull) | DR7_FIXED;
	else if (!(c->efer & 0x400))
		v &= 0xffffffffull;
	bool watched = any_data_bp(c);
	c->dr[r] = v;
	if (watched || any_data_bp(c))
		mmu_flush(c, false); /* pages with data breakpoints leave the TLB, others come back */
	x86_debug_update(c);
}

static unsigned exec_hits(const struct x86_cpu *c, uint64_t lin)
{
	unsigned hits = 0;
	for (int n = 0; n < 4; n++)
		if (enabled(c, n) && kind(c, n) == BP_EXEC && c->dr[n] == lin)
			hits |= 1u << n;
	return hits;
}

/* INT n, INT3 and INTO count as interrupts, INT1 as a #DB */
static uint64_t events(const struct x86_cpu *c) { return c->count.interrupts + c->count.exceptions[EXC_DB]; }

struct debug_step x86_debug_before(struct x86_cpu *c)
{
	if (!(c->flags & F_RF)) {
		unsigned hit = exec_hits(c, x86_code_linear(c, c->rip));
		if (hit) {
			c->dr[6] = (c->dr[6] & ~0xfull) | hit;
			x86_raise(c, EXC_DB, NO_ERROR_CODE); /* a fault: RF stays clear in its frame */
		}
	}
	c->db_hits = 0;
	return (struct debug_step){ .tf = c->flags & F_TF, .events = events(c) };
}

void x86_debug_after(struct x86_cpu *c, const struct x86_insn *i, struct debug_step s)
{
	if (i->fn != op_iret)
		c->flags &= ~(uint64_t)F_RF;
	/* an INT n, INT3, INTO or INT1 entered its handler with TF clear: no single-step
	 * trap for it */
	bool entered = events(c) != s.events;
	c->db_pending |= c->db_hits | (s.tf && !entered ? DR6_BS : 0);
	bool ss_shadow = c->interrupt_shadow && i->fn != op_sti; /* MOV SS, POP SS */
	if (c->db_pending && !ss_shadow && c->exit == X86_RUNNING) {
		c->dr[6] = (c->dr[6] & ~0xfull) | c->db_pending;
		c->db_pending = 0;
		c->insn_rip = c->rip; /* a trap: a fault delivering it is the next instruction's */
		c->insn_rsp = c->r[R_SP];
		x86_deliver(c, EXC_DB, NO_ERROR_CODE, EV_EXCEPTION);
	}
	x86_debug_update(c);
}
