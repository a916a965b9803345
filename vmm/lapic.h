/* A local APIC model: SVR, TPR/PPR, ISR/IRR with EOI, the timer (one-shot, periodic and
 * TSC-deadline, with the divide register) on a 1 GHz timer clock, as KVM's, and the
 * interrupt command register of a machine with one CPU: fixed and lowest-priority IPIs
 * and NMIs that reach this LAPIC (by shorthand, physical ID, broadcast or logical
 * destination), the illegal-vector errors in ESR. The engine
 * that owns the CPU asks for the next event time (to sleep in hlt) and for the
 * highest-priority deliverable vector between instructions. */
#ifndef VMM_LAPIC_H
#define VMM_LAPIC_H
#include <stdbool.h>
#include <stdint.h>
#include "bus.h"
#include "../util/clock.h"

#define LAPIC_TIMER_HZ 1000000000ull
#define LAPIC_VERSION_VALUE 0x00050014 /* version 0x14, 6 LVT entries */
#define LAPIC_NO_EVENT UINT64_MAX
#define APIC_BASE_ENABLE (1ull << 11) /* IA32_APIC_BASE.EN: the LAPIC on */

struct lapic {
	const struct clock *clock;
	uint64_t tsc_hz;
	uint32_t id, tpr, svr, lvt_timer, divide_conf, initial;
	uint32_t lvt_lint0, lvt_lint1, lvt_error;
	uint32_t ldr, dfr;     /* logical destination and its format (flat or cluster) */
	uint64_t start_ns;     /* when the current count equalled initial */
	uint64_t expiry_ns;    /* next timer expiry, LAPIC_NO_EVENT if none */
	uint64_t tsc_deadline; /* the MSR's value, 0 = disarmed */
	uint32_t irr[8], isr[8];
	uint32_t icr_lo, icr_hi;
	uint32_t esr, esr_pending; /* ESR as last latched; errors since (a write latches) */
	bool nmi;              /* an NMI sent through the ICR, not yet taken by the CPU */
	uint64_t timer_fires;
	uint64_t now_ns;       /* the clock at the last lapic_update */
	/* a register was read or written (an interrupt may have been raised, unmasked or
	 * acknowledged, a timer armed): the CPU should look */
	void (*kick)(void *opaque);
	void *kick_opaque;
};

int lapic_init(struct lapic *l, struct bus *b, const struct clock *clk, uint64_t tsc_hz);
unsigned lapic_divisor(uint32_t divide_conf);
uint32_t lapic_current_count(const struct lapic *l);
/* TSC-deadline MSR; tsc_now is the guest TSC at the time of the write. */
void lapic_write_tsc_deadline(struct lapic *l, uint64_t tsc, uint64_t tsc_now);
/* Fires an expired timer into IRR; returns the time of the next expiry. */
uint64_t lapic_update(struct lapic *l);
/* Whether any vector waits in IRR (cheap: no clock read). */
bool lapic_irr_pending(const struct lapic *l);
/* Moves the highest deliverable IRR vector to ISR and returns it, or -1. */
int lapic_take_interrupt(struct lapic *l);
void lapic_eoi(struct lapic *l);
/* Takes a pending NMI (true once per NMI sent). */
bool lapic_take_nmi(struct lapic *l);
/* Whether the 8259A's INTR reaches the CPU: LINT0 unmasked in ExtINT mode, or the LAPIC
 * disabled in IA32_APIC_BASE (then INTR is wired straight in). */
bool lapic_extint(const struct lapic *l, uint64_t apic_base);

#endif
