/* The 8254 PIT: three channels with their counters, latches and modes 0-5; channel 0's
 * OUT drives IRQ 0 of the 8259A (the PC's system timer), channel 2 has its gate and OUT
 * on port 0x61 (TSC calibration), channel 1 counts with its output unconnected. The
 * read-back command is not modelled. */
#ifndef VMM_PIT_H
#define VMM_PIT_H
#include <stdbool.h>
#include <stdint.h>
#include "bus.h"
#include "../util/clock.h"
#include "pic.h"

#define PIT_HZ 1193182ull
#define PIT_NO_EVENT UINT64_MAX

struct pit_channel {
	uint8_t mode, access;
	uint32_t reload;         /* 1..65536 */
	bool write_hi_next, read_hi_next, latched;
	uint16_t latch;
	bool counting;
	uint64_t start_ns;       /* when the current count was loaded (or the gate rose) */
	uint64_t frozen_ticks;   /* ticks counted before the gate last fell */
};

struct pit {
	const struct clock *clock;
	struct pit_channel ch[3];
	uint8_t port61;          /* bit 0 channel 2's gate, bit 1 speaker */
	struct irq_line irq0;    /* channel 0's OUT */
	uint64_t irq0_edges;     /* rising edges of channel 0's OUT signalled since its load */
	/* channel 0 was programmed: its next edge moved (the CPU re-reads pit_update) */
	void (*changed)(void *opaque);
	void *changed_opaque;
};

int pit_init(struct pit *p, struct bus *b, const struct clock *clk, struct irq_line irq0);
/* A channel's state at the clock's present time: current count and OUT. */
uint16_t pit_count(const struct pit *p, unsigned ch);
bool pit_out(const struct pit *p, unsigned ch);
/* Signals channel 0's rising edges up to now on IRQ 0; returns when the next one comes
 * (in the PIT's clock), PIT_NO_EVENT if none will. */
uint64_t pit_update(struct pit *p);

#endif
