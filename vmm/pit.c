#include <string.h>
#include "pit.h"

static bool gate(const struct pit *p, unsigned ch) { return ch != 2 || (p->port61 & 1); }

static uint64_t ns_to_ticks(uint64_t ns) { return (ns / 1000000000ull) * PIT_HZ + (ns % 1000000000ull) * PIT_HZ / 1000000000ull; }

/* the first ns at which ticks have passed (rounded up: the edge has come by then) */
static uint64_t ticks_to_ns(uint64_t ticks) { return (ticks / PIT_HZ) * 1000000000ull + ((ticks % PIT_HZ) * 1000000000ull + PIT_HZ - 1) / PIT_HZ; }

static uint64_t elapsed_ticks(const struct pit *p, unsigned ch)
{
	const struct pit_channel *c = &p->ch[ch];
	uint64_t t = c->frozen_ticks;
	if (c->counting && gate(p, ch))
		t += ns_to_ticks(clock_now(p->clock) - c->start_ns);
	return t;
}

uint16_t pit_count(const struct pit *p, unsigned ch)
{
	const struct pit_channel *c = &p->ch[ch];
	if (!c->counting)
		return (uint16_t)c->reload;
	uint64_t e = elapsed_ticks(p, ch);
	if (c->mode == 2 || c->mode == 3)
		return (uint16_t)(c->reload - e % c->reload);
	return (uint16_t)(c->reload - e); /* modes 0, 1, 4, 5 wrap through 0xffff after terminal count */
}

bool pit_out(const struct pit *p, unsigned ch)
{
	const struct pit_channel *c = &p->ch[ch];
	if (!c->counting)
		return c->mode != 0;
	uint64_t e = elapsed_ticks(p, ch);
	switch (c->mode) {
	case 0: case 1: return e >= c->reload;               /* high at terminal count */
	case 2: return e % c->reload != c->reload - 1;        /* low for the tick before each reload */
	case 3: return e % c->reload < (c->reload + 1) / 2;   /* square wave */
	default: return e != c->reload;                       /* 4, 5: a one-tick strobe */
	}
}

/* The tick (from the load) of channel 0's k-th rising edge of OUT, k >= 1, 0 when there
 * is none: each period's end in modes 2 and 3, terminal count in mode 0, the end of the
 * strobe in mode 4; modes 1 and 5 wait for a gate edge that channel 0's tied gate never
 * gives. */
static uint64_t edge_tick(const struct pit_channel *c, uint64_t k)
{
	switch (c->mode) {
	case 2: case 3: return k * c->reload;
	case 0: return k == 1 ? c->reload : 0;
	case 4: return k == 1 ? (uint64_t)c->reload + 1 : 0;
	default: return 0;
	}
}

uint64_t pit_update(struct pit *p)
{
	struct pit_channel *c = &p->ch[0];
	uint64_t at = c->counting ? edge_tick(c, p->irq0_edges + 1) : 0;
	if (!at)
		return PIT_NO_EVENT; /* a one-shot that fired reads no clock */
	uint64_t e = elapsed_ticks(p, 0);
	if (e >= at) { /* edge-triggered: edges run together are one request */
		irq_line_set(&p->irq0, false);
		irq_line_set(&p->irq0, true);
		p->irq0_edges = c->mode == 2 || c->mode == 3 ? e / c->reload : 1; /* the one-shots' only edge */
		at = edge_tick(c, p->irq0_edges + 1);
	}
	return at ? c->start_ns + ticks_to_ns(at) : PIT_NO_EVENT;
}

static void load_count(struct pit *p, unsigned ch, uint32_t v)
{
	struct pit_channel *c = &p->ch[ch];
	c->reload = v ? v : 0x10000;
	c->counting = true;
	c->frozen_ticks = 0;
	c->start_ns = clock_now(p->clock);
	if (ch == 0) {
		p->irq0_edges = 0;
		irq_line_set(&p->irq0, c->mode != 0 && c->mode != 1); /* OUT's level after the load */
		if (p->changed)
			p->changed(p->changed_opaque);
	}
}

static uint64_t pit_read(void *opaque, uint64_t off, unsigned size)
{
	struct pit *p = opaque;
	(void)size;
	if (off > 2)
		return 0xff;
	struct pit_channel *c = &p->ch[off];
	uint16_t n = c->latched ? c->latch : pit_count(p, (unsigned)off);
	uint8_t v;
	if (c->access == 1) {
		v = (uint8_t)n;
	} else if (c->access == 2) {
		v = (uint8_t)(n >> 8);
	} else {
		v = c->read_hi_next ? (uint8_t)(n >> 8) : (uint8_t)n;
		c->read_hi_next = !c->read_hi_next;
		if (c->read_hi_next)
			return v;
	}
	c->latched = false;
	return v;
}

static void control_word(struct pit *p, uint8_t v)
{
	unsigned ch = v >> 6;
	if (ch == 3)
		return; /* read-back: not modelled */
	struct pit_channel *c = &p->ch[ch];
	if (((v >> 4) & 3) == 0) {
		c->latch = pit_count(p, ch);
		c->latched = true;
		return;
	}
	c->access = (v >> 4) & 3;
	c->mode = (v >> 1) & 7;
	if (c->mode > 5)
		c->mode -= 4; /* 6 and 7 alias 2 and 3 */
	c->counting = false;
	c->write_hi_next = c->read_hi_next = c->latched = false;
	if (ch == 0) {
		irq_line_set(&p->irq0, c->mode != 0); /* mode 0 drives OUT low, the others high */
		if (p->changed)
			p->changed(p->changed_opaque);
	}
}

static void pit_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	struct pit *p = opaque;
	(void)size;
	if (off == 3) {
		control_word(p, (uint8_t)v);
		return;
	}
	unsigned ch = (unsigned)off;
	struct pit_channel *c = &p->ch[ch];
	if (c->access == 1) {
		load_count(p, ch, (uint8_t)v);
	} else if (c->access == 2) {
		load_count(p, ch, (uint32_t)(uint8_t)v << 8);
	} else if (!c->write_hi_next) {
		c->reload = (c->reload & 0xff00) | (uint8_t)v;
		c->write_hi_next = true;
		c->counting = false;
	} else {
		load_count(p, ch, (c->reload & 0xff) | ((uint32_t)(uint8_t)v << 8));
		c->write_hi_next = false;
	}
}

static const struct dev_ops pit_ops = { "pit", pit_read, pit_write };

/* Port 0x61: bit 5 mirrors channel 2's OUT, bits 0-1 are its gate and the speaker. */
static uint64_t port61_read(void *opaque, uint64_t off, unsigned size)
{
	const struct pit *p = opaque;
	(void)off;
	(void)size;
	return (p->port61 & 3) | (pit_out(p, 2) ? 0x20 : 0);
}

static void port61_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	struct pit *p = opaque;
	struct pit_channel *c = &p->ch[2];
	(void)off;
	(void)size;
	bool was = p->port61 & 1, now = v & 1;
	if (was && !now) {
		c->frozen_ticks = elapsed_ticks(p, 2);
	} else if (!was && now) {
		c->start_ns = clock_now(p->clock);
		if (c->mode != 0)
			c->frozen_ticks = 0; /* mode 0 pauses on a low gate; the others restart */
	}
	p->port61 = v & 3;
}

static const struct dev_ops port61_ops = { "port61", port61_read, port61_write };

int pit_init(struct pit *p, struct bus *b, const struct clock *clk, struct irq_line irq0)
{
	memset(p, 0, sizeof(*p));
	p->clock = clk;
	p->irq0 = irq0;
	for (int k = 0; k < 3; k++)
		p->ch[k].reload = 0x10000;
	if (bus_register(b, BUS_PIO, 0x40, 4, &pit_ops, p))
		return -1;
	return bus_register(b, BUS_PIO, 0x61, 1, &port61_ops, p);
}
