#include <string.h>
#include "pit.h"

static uint64_t elapsed_ticks(const struct pit *p)
{
	uint64_t t = p->frozen_ticks;
	if (p->counting && (p->port61 & 1)) {
		uint64_t ns = clock_now(p->clock) - p->start_ns;
		t += (ns / 1000000000ull) * PIT_HZ + (ns % 1000000000ull) * PIT_HZ / 1000000000ull;
	}
	return t;
}

uint16_t pit_count(const struct pit *p)
{
	if (!p->counting)
		return (uint16_t)p->reload;
	uint64_t e = elapsed_ticks(p);
	if (p->mode == 2 || p->mode == 3)
		return (uint16_t)(p->reload - e % p->reload);
	return (uint16_t)(p->reload - e); /* mode 0 wraps through 0xffff after terminal count */
}

bool pit_out(const struct pit *p)
{
	if (!p->counting)
		return p->mode != 0;
	uint64_t e = elapsed_ticks(p);
	switch (p->mode) {
	case 0: return e >= p->reload;
	case 3: return e % p->reload < (p->reload + 1) / 2;
	default: return e % p->reload != p->reload - 1;
	}
}

static void load_count(struct pit *p, uint32_t v)
{
	p->reload = v ? v : 0x10000;
	p->counting = true;
	p->frozen_ticks = 0;
	p->start_ns = clock_now(p->clock);
}

static uint64_t pit_read(void *opaque, uint64_t off, unsigned size)
{
	struct pit *p = opaque;
	(void)size;
	if (off != 2)
		return 0;
	uint16_t c = p->latched ? p->latch : pit_count(p);
	uint8_t v;
	if (p->access == 1) {
		v = (uint8_t)c;
	} else if (p->access == 2) {
		v = (uint8_t)(c >> 8);
	} else {
		v = p->read_hi_next ? (uint8_t)(c >> 8) : (uint8_t)c;
		p->read_hi_next = !p->read_hi_next;
		if (p->read_hi_next)
			return v;
	}
	p->latched = false;
	return v;
}

static void pit_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	struct pit *p = opaque;
	(void)size;
	if (off == 3) {
		if ((v >> 6) != 2)
			return; /* channels 0 and 1, and read-back, are not modelled */
		if (((v >> 4) & 3) == 0) {
			p->latch = pit_count(p);
			p->latched = true;
			return;
		}
		p->access = (v >> 4) & 3;
		p->mode = (v >> 1) & 7;
		if (p->mode > 5)
			p->mode -= 4; /* 6 and 7 alias 2 and 3 */
		p->counting = false;
		p->write_hi_next = p->read_hi_next = p->latched = false;
		return;
	}
	if (off != 2)
		return;
	if (p->access == 1) {
		load_count(p, (uint8_t)v);
	} else if (p->access == 2) {
		load_count(p, (uint32_t)(uint8_t)v << 8);
	} else if (!p->write_hi_next) {
		p->reload = (p->reload & 0xff00) | (uint8_t)v;
		p->write_hi_next = true;
		p->counting = false;
	} else {
		load_count(p, (p->reload & 0xff) | ((uint32_t)(uint8_t)v << 8));
		p->write_hi_next = false;
	}
}

static const struct dev_ops pit_ops = { "pit", pit_read, pit_write };

/* Port 0x61: bit 5 mirrors OUT2, bits 0-1 are the gate and speaker enables. */
static uint64_t port61_read(void *opaque, uint64_t off, unsigned size)
{
	const struct pit *p = opaque;
	(void)off;
	(void)size;
	return (p->port61 & 3) | (pit_out(p) ? 0x20 : 0);
}

static void port61_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	struct pit *p = opaque;
	(void)off;
	(void)size;
	bool was = p->port61 & 1, now = v & 1;
	if (was && !now) {
		p->frozen_ticks = elapsed_ticks(p);
	} else if (!was && now) {
		p->start_ns = clock_now(p->clock);
		if (p->mode != 0)
			p->frozen_ticks = 0; /* mode 0 pauses on a low gate; the others restart */
	}
	p->port61 = v & 3;
}

static const struct dev_ops port61_ops = { "port61", port61_read, port61_write };

int pit_init(struct pit *p, struct bus *b, const struct clock *clk)
{
	memset(p, 0, sizeof(*p));
	p->clock = clk;
	p->reload = 0x10000;
	if (bus_register(b, BUS_PIO, 0x40, 4, &pit_ops, p))
		return -1;
	return bus_register(b, BUS_PIO, 0x61, 1, &port61_ops, p);
}
