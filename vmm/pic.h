/* The PC's two 8259A interrupt controllers, master at 0x20 and slave at 0xa0 cascaded on
 * IRQ 2, with the ELCR (0x4d0-0x4d1) for level-triggered lines: ICW1-4, OCW1-3 (masks,
 * specific and non-specific EOI, rotation, IRR/ISR reads, poll), auto-EOI, spurious
 * IRQ 7/15. Their INTR output reaches the CPU through the LAPIC's LINT0 (virtual wire). */
#ifndef VMM_PIC_H
#define VMM_PIC_H
#include <stdbool.h>
#include <stdint.h>
#include "bus.h"

struct pic_chip {
	uint8_t irr, isr, imr, lines, elcr;
	uint8_t vector;         /* ICW2: vector of IR0 */
	uint8_t init_step;      /* 0: ready; 2, 3, 4: the ICW expected next */
	bool icw4, single, auto_eoi, rotate_auto_eoi, special_mask, poll, read_isr;
	uint8_t lowest;         /* the lowest-priority IR (rotation) */
};

struct pic {
	struct pic_chip chip[2];
	/* INTR rose: the CPU should look (it wakes from hlt, ends its block) */
	void (*kick)(void *opaque);
	void *kick_opaque;
	bool intr;              /* INTR as last driven */
	uint64_t acks, spurious;
};

int pic_init(struct pic *p, struct bus *b);
/* Drives input line irq (0-15) to level; edge-triggered lines latch a rising edge. */
void pic_set_irq(struct pic *p, unsigned irq, bool level);
/* The INTR output: an unmasked request above everything in service. */
bool pic_intr(const struct pic *p);
/* The INTA cycle: the vector of the highest request, now in service (a spurious 7 or 15
 * when the request went away). */
int pic_ack(struct pic *p);

/* A device's interrupt line: a PIC input, or whatever an engine routes it to. */
struct irq_line {
	void (*set)(void *opaque, unsigned irq, bool level);
	void *opaque;
	unsigned irq;
};

static inline void irq_line_set(const struct irq_line *l, bool level)
{
	if (l->set)
		l->set(l->opaque, l->irq, level);
}

#endif
