/* One device ABI for port I/O and MMIO: a device claims a range on a bus and gets
 * offsets relative to its base. Every mode routes its exits or emulated accesses here. */
#ifndef VMM_BUS_H
#define VMM_BUS_H
#include <stdbool.h>
#include <stdint.h>

/* the bits of an access of size bytes (1, 2, 4, 8) */
static inline uint64_t size_mask(unsigned size) { return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1; }

struct profile;

enum bus_space { BUS_PIO, BUS_MMIO, BUS_SPACES };

struct dev_ops {
	const char *name;
	uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
	void (*write)(void *opaque, uint64_t offset, uint64_t value, unsigned size);
};

struct bus_region {
	uint64_t base, len;
	const struct dev_ops *ops;
	void *opaque;
	uint64_t accesses;
};

#define BUS_MAX_REGIONS 24

struct bus {
	struct bus_region r[BUS_SPACES][BUS_MAX_REGIONS];
	int n[BUS_SPACES];
	uint64_t unclaimed[BUS_SPACES];
	struct profile *prof;  /* device accesses timed into it, when set */
};

/* 0, or -1 when the range overlaps a claimed one or the bus is full. */
int bus_register(struct bus *b, enum bus_space s, uint64_t base, uint64_t len,
		 const struct dev_ops *ops, void *opaque);
/* An access of size 1, 2, 4 or 8 bytes. Unclaimed reads return all ones and unclaimed
 * writes are dropped, as on a PC. Each returns whether a device claimed the access. */
bool bus_read(struct bus *b, enum bus_space s, uint64_t addr, unsigned size, uint64_t *v);
bool bus_write(struct bus *b, enum bus_space s, uint64_t addr, uint64_t v, unsigned size);
/* The same with data as size little-endian bytes, as KVM's exit records carry them. */
bool bus_access(struct bus *b, enum bus_space s, uint64_t addr, uint8_t *data, unsigned size,
		bool is_write);
const struct bus_region *bus_find(const struct bus *b, enum bus_space s, uint64_t addr);

#endif
