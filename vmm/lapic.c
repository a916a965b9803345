#include <string.h>
#include "lapic.h"
#include "../abi/lapic_regs.h"


unsigned lapic_divisor(uint32_t dc)
{
	unsigned code = (dc & 3) | ((dc >> 1) & 4); /* bits 0, 1 and 3 */
	return code == 7 ? 1 : 2u << code;
}

static uint32_t timer_mode(const struct lapic *l) { return l->lvt_timer & LVT_TIMER_MODE_MASK; }
static uint64_t tick_ns(const struct lapic *l) { return lapic_divisor(l->divide_conf) * (1000000000ull / LAPIC_TIMER_HZ); }

uint32_t lapic_current_count(const struct lapic *l)
{
	if (!l->initial || timer_mode(l) == LVT_TIMER_TSC_DEADLINE)
		return 0;
	uint64_t ticks = (clock_now(l->clock) - l->start_ns) / tick_ns(l);
	if (timer_mode(l) == LVT_TIMER_PERIODIC)
		return l->initial - (uint32_t)(ticks % l->initial);
	return ticks >= l->initial ? 0 : l->initial - (uint32_t)ticks;
}

static void set_bit(uint32_t *v, unsigned vec) { v[vec / 32] |= 1u << (vec % 32); }
static void clear_bit(uint32_t *v, unsigned vec) { v[vec / 32] &= ~(1u << (vec % 32)); }

static int highest(const uint32_t *v)
{
	for (int i = 7; i >= 0; i--)
		if (v[i])
			return i * 32 + 31 - __builtin_clz(v[i]);
	return -1;
}

static void arm_count(struct lapic *l)
{
	l->start_ns = clock_now(l->clock);
	l->expiry_ns = l->initial ? l->start_ns + (uint64_t)l->initial * tick_ns(l) : LAPIC_NO_EVENT;
}

bool lapic_irr_pending(const struct lapic *l) { return highest(l->irr) >= 0; }

uint64_t lapic_update(struct lapic *l)
{
	uint64_t now = clock_now(l->clock);
	l->now_ns = now;
	if (l->expiry_ns > now)
		return l->expiry_ns;
	l->timer_fires++;
	/* a masked timer still counts and expires; it just raises nothing */
	if (!(l->lvt_timer & LVT_MASKED) && (l->svr & SVR_ENABLE))
		set_bit(l->irr, l->lvt_timer & LVT_VECTOR);
	if (timer_mode(l) == LVT_TIMER_PERIODIC && l->initial) {
		uint64_t period = (uint64_t)l->initial * tick_ns(l);
		/* coalesce periods missed while the CPU was busy: one interrupt, as hardware */
		uint64_t missed = (now - l->expiry_ns) / period;
		l->expiry_ns += (missed + 1) * period;
	} else {
		l->expiry_ns = LAPIC_NO_EVENT;
		if (timer_mode(l) == LVT_TIMER_TSC_DEADLINE)
			l->tsc_deadline = 0;
	}
	return l->expiry_ns;
}

void lapic_write_tsc_deadline(struct lapic *l, uint64_t tsc, uint64_t tsc_now)
{
	if (timer_mode(l) != LVT_TIMER_TSC_DEADLINE)
		return; /* the MSR is ignored in the other timer modes */
	l->tsc_deadline = tsc;
	if (!tsc) {
		l->expiry_ns = LAPIC_NO_EVENT;
		return;
	}
	uint64_t now = clock_now(l->clock);
	uint64_t ahead = tsc > tsc_now ? tsc - tsc_now : 0;
	l->expiry_ns = now + (uint64_t)((unsigned __int128)ahead * 1000000000ull / l->tsc_hz);
}

static int priority_class(const struct lapic *l)
{
	int isr = highest(l->isr);
	int ppr = (int)(l->tpr & 0xf0);
	if (isr >= 0 && (isr & 0xf0) > ppr)
		ppr = isr & 0xf0;
	return ppr;
}

int lapic_take_interrupt(struct lapic *l)
{
	lapic_update(l);
	int v = highest(l->irr);
	if (v < 0 || !(l->svr & SVR_ENABLE) || (v & 0xf0) <= priority_class(l))
		return -1;
	clear_bit(l->irr, (unsigned)v);
	set_bit(l->isr, (unsigned)v);
	return v;
}

bool lapic_take_nmi(struct lapic *l)
{
	bool n = l->nmi;
	l->nmi = false;
	return n;
}

void lapic_eoi(struct lapic *l)
{
	int v = highest(l->isr);
	if (v >= 0)
		clear_bit(l->isr, (unsigned)v);
}

#define LVT_DELIVERY_MASK  0x700u
#define LVT_DELIVERY_EXTINT 0x700u
#define LVT_DELIVERY_NMI    0x400u

bool lapic_extint(const struct lapic *l, uint64_t apic_base)
{
	if (!(apic_base & APIC_BASE_ENABLE))
		return true;
	return !(l->lvt_lint0 & LVT_MASKED) && (l->lvt_lint0 & LVT_DELIVERY_MASK) == LVT_DELIVERY_EXTINT;
}

#define ICR_DELIVERY_MASK  0x700u
#define ICR_FIXED          0x000u
#define ICR_LOWEST         0x100u
#define ICR_NMI            0x400u
#define ICR_LOGICAL        0x800u
#define ICR_SHORTHAND_MASK 0xc0000u
#define ICR_SELF           0x40000u
#define ICR_ALL            0x80000u
#define ICR_OTHERS         0xc0000u
#define ICR_WRITABLE       0xcdfffu  /* vector, delivery and destination mode, level, trigger, shorthand */
#define ESR_SEND_ILLEGAL   0x20u
#define ESR_RECV_ILLEGAL   0x40u

/* Whether the ICR's destination names this LAPIC, the only one: by shorthand, or by
 * physical ID (0xff broadcasts), or logically (flat: a bit of the LDR's; cluster: the
 * same cluster and a common bit). */
static bool icr_reaches_us(const struct lapic *l)
{
	switch (l->icr_lo & ICR_SHORTHAND_MASK) {
	case ICR_SELF: case ICR_ALL: return true;
	case ICR_OTHERS: return false;
	default: break;
	}
	uint32_t dest = l->icr_hi >> 24, ldr = l->ldr >> 24;
	if (!(l->icr_lo & ICR_LOGICAL))
		return dest == 0xff || dest == l->id;
	if ((l->dfr >> 28) == 0xf)
		return dest & ldr;
	return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf);
}

/* A write to ICR low sends the IPI, at once: delivery status always reads idle. INIT,
 * SIPI and SMI reach no one a single-CPU machine can restart or has. */
static void send_ipi(struct lapic *l)
{
	uint32_t mode = l->icr_lo & ICR_DELIVERY_MASK, vec = l->icr_lo & 0xff;
	if (mode != ICR_FIXED && mode != ICR_LOWEST && mode != ICR_NMI)
		return;
	if (mode != ICR_NMI && vec < 16) {
		l->esr_pending |= ESR_SEND_ILLEGAL | (icr_reaches_us(l) ? ESR_RECV_ILLEGAL : 0);
		return;
	}
	if (!icr_reaches_us(l))
		return;
	if (mode == ICR_NMI)
		l->nmi = true;
	else if (l->svr & SVR_ENABLE)
		set_bit(l->irr, vec);
}

static uint64_t read_reg(struct lapic *l, uint64_t off)
{
	if (off >= LAPIC_ISR0 && off < LAPIC_ISR0 + 0x80)
		return l->isr[(off - LAPIC_ISR0) / 16];
	if (off >= LAPIC_IRR0 && off < LAPIC_IRR0 + 0x80)
		return l->irr[(off - LAPIC_IRR0) / 16];
	switch (off) {
	case LAPIC_ID: return l->id << 24;
	case LAPIC_VERSION: return LAPIC_VERSION_VALUE;
	case LAPIC_TPR: return l->tpr;
	case LAPIC_PPR: return (uint32_t)priority_class(l);
	case LAPIC_SVR: return l->svr;
	case LAPIC_ESR: return l->esr;
	case LAPIC_ICR_LO: return l->icr_lo;
	case LAPIC_ICR_HI: return l->icr_hi;
	case LAPIC_LDR: return l->ldr;
	case LAPIC_DFR: return l->dfr;
	case LAPIC_LVT_TIMER: return l->lvt_timer;
	case LAPIC_LVT_LINT0: return l->lvt_lint0;
	case LAPIC_LVT_LINT1: return l->lvt_lint1;
	case LAPIC_LVT_ERROR: return l->lvt_error;
	case LAPIC_TIMER_INIT: return l->initial;
	case LAPIC_TIMER_CUR: return lapic_current_count(l);
	case LAPIC_TIMER_DIV: return l->divide_conf;
	default: return 0;
	}
}

static void write_reg(struct lapic *l, uint64_t off, uint64_t v)
{
	switch (off) {
	case LAPIC_TPR: l->tpr = v & 0xff; break;
	case LAPIC_EOI: lapic_eoi(l); break;
	case LAPIC_SVR: l->svr = v & 0x1ff; break;
	case LAPIC_ESR: /* a write latches the errors since the last one */
		l->esr = l->esr_pending;
		l->esr_pending = 0;
		break;
	case LAPIC_ICR_HI: l->icr_hi = (uint32_t)v & 0xff000000u; break;
	case LAPIC_ICR_LO:
		l->icr_lo = (uint32_t)v & ICR_WRITABLE;
		send_ipi(l);
		break;
	case LAPIC_LDR: l->ldr = (uint32_t)v & 0xff000000u; break;
	case LAPIC_DFR: l->dfr = (uint32_t)v | 0x0fffffffu; break; /* only the model bits are writable */
	case LAPIC_LVT_TIMER: {
		uint32_t old_mode = timer_mode(l);
		l->lvt_timer = v & (LVT_VECTOR | LVT_MASKED | LVT_TIMER_MODE_MASK);
		if (timer_mode(l) != old_mode) { /* a mode change disarms the timer */
			l->initial = 0;
			l->tsc_deadline = 0;
			l->expiry_ns = LAPIC_NO_EVENT;
		}
		break;
	}
	case LAPIC_TIMER_INIT:
		if (timer_mode(l) == LVT_TIMER_TSC_DEADLINE)
			break;
		l->initial = (uint32_t)v;
		arm_count(l);
		break;
	case LAPIC_TIMER_DIV: l->divide_conf = v & 0xb; break;
	case LAPIC_LVT_LINT0: l->lvt_lint0 = v & (LVT_VECTOR | LVT_MASKED | LVT_DELIVERY_MASK | 0xe000); break;
	case LAPIC_LVT_LINT1: l->lvt_lint1 = v & (LVT_VECTOR | LVT_MASKED | LVT_DELIVERY_MASK | 0xe000); break;
	case LAPIC_LVT_ERROR: l->lvt_error = v & (LVT_VECTOR | LVT_MASKED); break;
	default: break;
	}
}

static void kick(const struct lapic *l)
{
	if (l->kick)
		l->kick(l->kick_opaque);
}

static uint64_t lapic_read(void *opaque, uint64_t off, unsigned size)
{
	(void)size;
	uint64_t v = read_reg(opaque, off);
	kick(opaque);
	return v;
}

static void lapic_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	(void)size;
	write_reg(opaque, off, v);
	kick(opaque);
}

static const struct dev_ops lapic_ops = { "lapic", lapic_read, lapic_write };

int lapic_init(struct lapic *l, struct bus *b, const struct clock *clk, uint64_t tsc_hz)
{
	memset(l, 0, sizeof(*l));
	l->clock = clk;
	l->tsc_hz = tsc_hz;
	l->lvt_timer = LVT_MASKED;
	/* as firmware leaves a PC: the 8259A on LINT0 (virtual wire), NMI on LINT1 */
	l->lvt_lint0 = LVT_DELIVERY_EXTINT;
	l->lvt_lint1 = LVT_DELIVERY_NMI;
	l->lvt_error = LVT_MASKED;
	l->svr = 0xff;
	l->dfr = 0xffffffffu; /* flat model */
	l->expiry_ns = LAPIC_NO_EVENT;
	return bus_register(b, BUS_MMIO, LAPIC_BASE, 0x1000, &lapic_ops, l);
}
