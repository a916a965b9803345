#include <string.h>
#include "pic.h"

#define ICW1       0x10
#define ICW1_ICW4  0x01
#define ICW1_SINGLE 0x02
#define OCW3       0x08
#define CASCADE_IR 2

/* The highest-priority bit of mask after rotation, as an IR number; 8 when none. */
static unsigned highest(const struct pic_chip *c, uint8_t mask)
{
	for (unsigned k = 1; k <= 8; k++) {
		unsigned ir = (c->lowest + k) & 7;
		if (mask & (1u << ir))
			return ir;
	}
	return 8;
}

/* The request this chip would raise INTR for, or 8. Special mask mode lets every
 * request not itself in service through; otherwise only those above the highest in
 * service (on the master, the cascade line's service does not block the slave's
 * higher requests: special fully nested mode is not modelled). */
static unsigned pending(const struct pic_chip *c)
{
	uint8_t req = c->irr & ~c->imr;
	if (c->special_mask)
		return highest(c, req & ~c->isr);
	unsigned r = highest(c, req);
	if (r == 8)
		return 8;
	unsigned s = highest(c, c->isr);
	/* priority order from lowest + 1: r is above s when it comes first */
	return s == 8 || ((r - c->lowest - 1) & 7) < ((s - c->lowest - 1) & 7) ? r : 8;
}

static void update(struct pic *p)
{
	/* the slave's INTR is the master's IR2, a level input */
	struct pic_chip *m = &p->chip[0];
	if (pending(&p->chip[1]) != 8) {
		m->irr |= 1u << CASCADE_IR;
		m->lines |= 1u << CASCADE_IR;
	} else {
		m->irr &= ~(1u << CASCADE_IR);
		m->lines &= ~(1u << CASCADE_IR);
	}
	bool now = pic_intr(p);
	if (now && !p->intr && p->kick)
		p->kick(p->kick_opaque);
	p->intr = now;
}

bool pic_intr(const struct pic *p) { return pending(&p->chip[0]) != 8; }

void pic_set_irq(struct pic *p, unsigned irq, bool level)
{
	if (irq >= 16 || irq == CASCADE_IR)
		return;
	struct pic_chip *c = &p->chip[irq >> 3];
	uint8_t bit = (uint8_t)(1u << (irq & 7));
	if (level) {
		if ((c->elcr & bit) || !(c->lines & bit))
			c->irr |= bit;
		c->lines |= bit;
	} else {
		/* as the 8259A's datasheet has it for both modes: a request whose line falls
		 * before INTA is gone (INTA then finds the spurious IR7) */
		c->lines &= ~bit;
		c->irr &= ~bit;
	}
	update(p);
}

/* One chip's INTA: its IR in service (or the spurious 7). */
static unsigned ack_chip(struct pic_chip *c)
{
	unsigned ir = pending(c);
	if (ir == 8)
		return 7;
	uint8_t bit = (uint8_t)(1u << ir);
	if (!(c->elcr & bit))
		c->irr &= ~bit; /* an edge is consumed; a level stays until the device drops it */
	if (c->auto_eoi) {
		if (c->rotate_auto_eoi)
			c->lowest = (uint8_t)ir;
	} else {
		c->isr |= bit;
	}
	return ir;
}

int pic_ack(struct pic *p)
{
	struct pic_chip *m = &p->chip[0], *s = &p->chip[1];
	unsigned ir = pending(m) == 8 ? 8 : ack_chip(m), vector;
	if (ir == 8) {
		p->spurious++;
		vector = m->vector + 7u;
	} else if (ir == CASCADE_IR) {
		unsigned sir = pending(s) == 8 ? 8 : ack_chip(s);
		if (sir == 8)
			p->spurious++;
		vector = s->vector + (sir == 8 ? 7u : sir);
	} else {
		vector = m->vector + ir;
	}
	p->acks++;
	update(p);
	return (int)vector;
}

static void eoi(struct pic_chip *c, int ir, bool rotate)
{
	if (ir < 0) {
		unsigned h = highest(c, c->isr);
		if (h == 8)
			return;
		ir = (int)h;
	}
	c->isr &= (uint8_t)~(1u << ir);
	if (rotate)
		c->lowest = (uint8_t)ir;
}

static void write_cmd(struct pic_chip *c, uint8_t v)
{
	if (v & ICW1) {
		uint8_t elcr = c->elcr;
		memset(c, 0, sizeof(*c));
		c->elcr = elcr;
		c->lowest = 7;
		c->icw4 = v & ICW1_ICW4;
		c->single = v & ICW1_SINGLE;
		c->init_step = 2;
		return;
	}
	if (v & OCW3) {
		if (v & 0x02)
			c->read_isr = v & 0x01;
		c->poll = v & 0x04;
		if (v & 0x40)
			c->special_mask = v & 0x20;
		return;
	}
	switch (v >> 5) { /* OCW2 */
	case 0: c->rotate_auto_eoi = false; break;
	case 4: c->rotate_auto_eoi = true; break;
	case 1: eoi(c, -1, false); break;
	case 5: eoi(c, -1, true); break;
	case 3: eoi(c, v & 7, false); break;
	case 7: eoi(c, v & 7, true); break;
	case 6: c->lowest = v & 7; break;
	default: break; /* 2: no operation */
	}
}

static void write_data(struct pic_chip *c, uint8_t v)
{
	switch (c->init_step) {
	case 2:
		c->vector = v & 0xf8;
		c->init_step = c->single ? (c->icw4 ? 4 : 0) : 3;
		break;
	case 3: /* the cascade wiring: fixed here */
		c->init_step = c->icw4 ? 4 : 0;
		break;
	case 4:
		c->auto_eoi = v & 0x02;
		c->init_step = 0;
		break;
	default:
		c->imr = v;
		break;
	}
}

static uint64_t chip_read(struct pic *p, int k, uint64_t off)
{
	struct pic_chip *c = &p->chip[k];
	if (off)
		return c->imr;
	if (c->poll) { /* OCW3 poll: the INTA without the interrupt */
		c->poll = false;
		bool any = pending(c) != 8;
		unsigned ir = any ? ack_chip(c) : 0;
		update(p);
		return any ? 0x80 | ir : 0;
	}
	return c->read_isr ? c->isr : c->irr;
}

static void chip_write(struct pic *p, int k, uint64_t off, uint64_t v)
{
	if (off)
		write_data(&p->chip[k], (uint8_t)v);
	else
		write_cmd(&p->chip[k], (uint8_t)v);
	update(p);
}

static uint64_t master_read(void *o, uint64_t off, unsigned size) { (void)size; return chip_read(o, 0, off); }
static uint64_t slave_read(void *o, uint64_t off, unsigned size) { (void)size; return chip_read(o, 1, off); }
static void master_write(void *o, uint64_t off, uint64_t v, unsigned size) { (void)size; chip_write(o, 0, off, v); }
static void slave_write(void *o, uint64_t off, uint64_t v, unsigned size) { (void)size; chip_write(o, 1, off, v); }

/* ELCR: IRQ 0, 1, 2, 8 and 13 are edge-triggered on every PC */
static const uint8_t elcr_writable[2] = { 0xf8, 0xde };

static uint64_t elcr_read(void *o, uint64_t off, unsigned size)
{
	const struct pic *p = o;
	(void)size;
	return p->chip[off & 1].elcr;
}

static void elcr_write(void *o, uint64_t off, uint64_t v, unsigned size)
{
	struct pic *p = o;
	(void)size;
	p->chip[off & 1].elcr = (uint8_t)v & elcr_writable[off & 1];
	update(p);
}

static const struct dev_ops master_ops = { "pic_master", master_read, master_write };
static const struct dev_ops slave_ops = { "pic_slave", slave_read, slave_write };
static const struct dev_ops elcr_ops = { "elcr", elcr_read, elcr_write };

int pic_init(struct pic *p, struct bus *b)
{
	memset(p, 0, sizeof(*p));
	for (int k = 0; k < 2; k++) {
		p->chip[k].lowest = 7;
		p->chip[k].imr = 0xff; /* as firmware leaves it: everything masked */
	}
	return bus_register(b, BUS_PIO, 0x20, 2, &master_ops, p) || bus_register(b, BUS_PIO, 0xa0, 2, &slave_ops, p) ||
	       bus_register(b, BUS_PIO, 0x4d0, 2, &elcr_ops, p) ? -1 : 0;
}
