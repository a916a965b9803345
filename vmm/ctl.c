#include <string.h>
#include "ctl.h"

static uint64_t ctl_read(void *opaque, uint64_t off, unsigned size)
{
	(void)opaque;
	(void)size;
	return off == 0 ? PVB_CTL_ID : 0;
}

static void ctl_write(void *opaque, uint64_t off, uint64_t gpa, unsigned size)
{
	struct ctl *c = opaque;
	(void)size;
	if (off != 0)
		return;
	const struct pvb_msg *src = mem_ptr(c->mem, gpa, sizeof(*src));
	if (!src || src->magic != PVB_MSG_MAGIC) {
		c->bad_msgs++;
		return;
	}
	/* copy first: the guest owns that memory and the strings may be unterminated */
	struct pvb_msg m;
	memcpy(&m, src, sizeof(m));
	m.bench[PVB_NAME_LEN - 1] = 0;
	m.text[PVB_TEXT_LEN - 1] = 0;
	if (c->on_msg)
		c->on_msg(c->opaque, &m);
}

static const struct dev_ops ctl_ops = { "pvbench-ctl", ctl_read, ctl_write };

static uint64_t mmio_read(void *opaque, uint64_t off, unsigned size)
{
	(void)opaque;
	(void)off;
	(void)size;
	return PVB_MMIO_VALUE;
}

static const struct dev_ops mmio_ops = { "pvbench-mmio", mmio_read, NULL };

static void ended(struct ctl *c)
{
	c->exited = true;
	if (c->kick)
		c->kick(c->kick_opaque);
}

static void debug_exit_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	struct ctl *c = opaque;
	(void)off;
	(void)size;
	c->exit_status = (int)(((v & 0xff) << 1) | 1);
	ended(c);
}

static const struct dev_ops debug_exit_ops = { "isa-debug-exit", NULL, debug_exit_write };

#define KBC_PULSE_RESET 0xfe

/* reads 0xff: no controller, so a driver probing for one finds none at once */
static uint64_t kbc_read(void *opaque, uint64_t off, unsigned size)
{
	(void)opaque;
	(void)off;
	(void)size;
	return 0xff;
}

static void kbc_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	struct ctl *c = opaque;
	(void)off;
	(void)size;
	if ((v & 0xff) == KBC_PULSE_RESET) {
		c->reset = true;
		ended(c);
	}
}

static const struct dev_ops reset_ops = { "reset", kbc_read, kbc_write };
static const struct dev_ops post_ops = { "port80", kbc_read, NULL };

int ctl_init(struct ctl *c, struct bus *b, const struct guest_mem *mem, ctl_msg_fn *fn, void *opaque)
{
	memset(c, 0, sizeof(*c));
	c->mem = mem;
	c->on_msg = fn;
	c->opaque = opaque;
	if (bus_register(b, BUS_PIO, PVB_CTL_PORT, PVB_CTL_PORT_LEN, &ctl_ops, c) ||
	    bus_register(b, BUS_MMIO, PVB_MMIO_BASE, PVB_MMIO_LEN, &mmio_ops, c))
		return -1;
	return bus_register(b, BUS_PIO, PVB_DEBUG_EXIT_PORT, 4, &debug_exit_ops, c) ||
	       bus_register(b, BUS_PIO, 0x64, 1, &reset_ops, c) || bus_register(b, BUS_PIO, 0x80, 1, &post_ops, c) ? -1 : 0;
}
