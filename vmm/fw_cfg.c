#include <string.h>
#include "fw_cfg.h"

enum {
	FW_CFG_SIGNATURE = 0x00, FW_CFG_ID = 0x01, FW_CFG_RAM_SIZE = 0x03, FW_CFG_NB_CPUS = 0x05,
	FW_CFG_MAX_CPUS = 0x0f, FW_CFG_CMDLINE_SIZE = 0x14, FW_CFG_CMDLINE_DATA = 0x15, FW_CFG_FILE_DIR = 0x19,
};
#define FW_CFG_ID_TRADITIONAL 1 /* the I/O port interface; no DMA */

/* Byte off of the selected item; 0 past its end and for items that do not exist, as QEMU. */
static uint8_t item_byte(const struct fw_cfg *f, uint32_t off)
{
	uint64_t le = 0;
	unsigned len = 0;
	switch (f->selector) {
	case FW_CFG_SIGNATURE: return off < 4 ? (uint8_t)"QEMU"[off] : 0;
	case FW_CFG_ID: le = FW_CFG_ID_TRADITIONAL, len = 4; break;
	case FW_CFG_RAM_SIZE: le = f->ram_bytes, len = 8; break;
	case FW_CFG_NB_CPUS: case FW_CFG_MAX_CPUS: le = f->cpus, len = 2; break;
	case FW_CFG_CMDLINE_SIZE: le = strlen(f->cmdline) + 1, len = 4; break;
	case FW_CFG_CMDLINE_DATA: return off <= strlen(f->cmdline) ? (uint8_t)f->cmdline[off] : 0;
	case FW_CFG_FILE_DIR: return 0; /* a big-endian count of 0 files */
	default: return 0;
	}
	return off < len ? (uint8_t)(le >> (8 * off)) : 0;
}

static uint64_t fw_read(void *opaque, uint64_t port, unsigned size)
{
	struct fw_cfg *f = opaque;
	if (port != 1) /* the selector port reads nothing */
		return 0;
	uint64_t v = 0;
	for (unsigned k = 0; k < size; k++) /* wider reads take successive bytes */
		v |= (uint64_t)item_byte(f, f->offset++) << (8 * k);
	return v;
}

static void fw_write(void *opaque, uint64_t port, uint64_t v, unsigned size)
{
	struct fw_cfg *f = opaque;
	(void)size;
	if (port == 0) { /* a selector write starts the item from its first byte */
		f->selector = (uint16_t)v;
		f->offset = 0;
	}
}

static const struct dev_ops fw_cfg_ops = { "fw_cfg", fw_read, fw_write };

int fw_cfg_init(struct fw_cfg *f, struct bus *b, uint64_t ram_bytes, uint16_t cpus)
{
	memset(f, 0, sizeof(*f));
	f->ram_bytes = ram_bytes;
	f->cpus = cpus;
	return bus_register(b, BUS_PIO, FW_CFG_PORT, 2, &fw_cfg_ops, f);
}
