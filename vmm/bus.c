#include <string.h>
#include "bus.h"
#include "../collect/profile.h"

const struct bus_region *bus_find(const struct bus *b, enum bus_space s, uint64_t addr)
{
	for (int i = 0; i < b->n[s]; i++) {
		const struct bus_region *r = &b->r[s][i];
		if (addr >= r->base && addr - r->base < r->len)
			return r;
	}
	return NULL;
}

int bus_register(struct bus *b, enum bus_space s, uint64_t base, uint64_t len,
		 const struct dev_ops *ops, void *opaque)
{
	if (!len || b->n[s] == BUS_MAX_REGIONS || base + len < base)
		return -1;
	for (int i = 0; i < b->n[s]; i++) {
		const struct bus_region *r = &b->r[s][i];
		if (base < r->base + r->len && r->base < base + len)
			return -1;
	}
	b->r[s][b->n[s]++] = (struct bus_region){ .base = base, .len = len, .ops = ops, .opaque = opaque };
	return 0;
}


/* The region that claims addr, its access counted; NULL, counted as unclaimed, if none. */
static struct bus_region *claim(struct bus *b, enum bus_space s, uint64_t addr)
{
	struct bus_region *r = (struct bus_region *)bus_find(b, s, addr);
	if (!r) {
		b->unclaimed[s]++;
		return NULL;
	}
	r->accesses++;
	return r;
}

/* The device's read or write, timed into the profile when one is attached. */
static uint64_t device_access(struct bus *b, enum bus_space s, struct bus_region *r, uint64_t addr, uint64_t v,
			      unsigned size, bool is_write)
{
	struct prof_mark m;
	if (b->prof)
		prof_begin(b->prof, &m);
	if (!is_write)
		v = r->ops->read ? r->ops->read(r->opaque, addr - r->base, size) : ~0ull;
	else if (r->ops->write)
		r->ops->write(r->opaque, addr - r->base, v, size);
	if (b->prof)
		prof_end(b->prof, PROF_DEV + (unsigned)s * BUS_MAX_REGIONS + (unsigned)(r - b->r[s]), r->ops->name, &m);
	return v;
}

bool bus_read(struct bus *b, enum bus_space s, uint64_t addr, unsigned size, uint64_t *v)
{
	struct bus_region *r = claim(b, s, addr);
	*v = (r ? device_access(b, s, r, addr, 0, size, false) : ~0ull) & size_mask(size);
	return r;
}

bool bus_write(struct bus *b, enum bus_space s, uint64_t addr, uint64_t v, unsigned size)
{
	struct bus_region *r = claim(b, s, addr);
	if (r)
		device_access(b, s, r, addr, v & size_mask(size), size, true);
	return r;
}

bool bus_access(struct bus *b, enum bus_space s, uint64_t addr, uint8_t *data, unsigned size,
		bool is_write)
{
	uint64_t v = 0;
	if (is_write) {
		for (unsigned i = 0; i < size; i++)
			v |= (uint64_t)data[i] << (8 * i);
		return bus_write(b, s, addr, v, size);
	}
	bool claimed = bus_read(b, s, addr, size, &v);
	for (unsigned i = 0; i < size; i++)
		data[i] = (uint8_t)(v >> (8 * i));
	return claimed;
}
