#include <stddef.h>
#include <string.h>
#include "lapic.h"
#include "mptable.h"
#include "../abi/lapic_regs.h"

struct mpf { /* the floating pointer */
	char sig[4];
	uint32_t physptr;
	uint8_t length, spec, checksum, feature[5];
} __attribute__((packed));

struct mpc { /* the configuration table's header */
	char sig[4];
	uint16_t length;
	uint8_t spec, checksum;
	char oem[8], product[12];
	uint32_t oem_ptr;
	uint16_t oem_size, count;
	uint32_t lapic;
	uint16_t ext_length;
	uint8_t ext_checksum, reserved;
} __attribute__((packed));

struct mpc_cpu {
	uint8_t type, apic_id, apic_ver, flags;
	uint32_t signature, features, reserved[2];
} __attribute__((packed));

struct mpc_bus {
	uint8_t type, id;
	char name[6];
} __attribute__((packed));

struct mpc_lint {
	uint8_t type, irq_type;
	uint16_t flags;
	uint8_t src_bus, src_irq, dst_apic, dst_lint;
} __attribute__((packed));

enum { MP_PROCESSOR = 0, MP_BUS = 1, MP_LINTSRC = 4 };
enum { MP_INT_NMI = 1, MP_INT_EXTINT = 3 };
#define CPU_ENABLED 1
#define CPU_BSP     2
#define SPEC_1_4    4

static uint8_t checksum(const void *p, size_t n)
{
	uint8_t s = 0;
	for (size_t k = 0; k < n; k++)
		s = (uint8_t)(s + ((const uint8_t *)p)[k]);
	return (uint8_t)-s;
}

void mptable_write(struct guest_mem *m, uint32_t cpu_signature, uint32_t cpu_features)
{
	uint8_t *base = mem_ptr(m, MPTABLE_BASE, 0x400);
	if (!base)
		return;
	memset(base, 0, 0x400);
	struct mpc_cpu cpu = { MP_PROCESSOR, 0, LAPIC_VERSION_VALUE & 0xff, CPU_ENABLED | CPU_BSP, cpu_signature, cpu_features, { 0, 0 } };
	struct mpc_bus bus = { MP_BUS, 0, { 'I', 'S', 'A', ' ', ' ', ' ' } };
	struct mpc_lint lint[2] = {
		{ MP_LINTSRC, MP_INT_EXTINT, 0, 0, 0, 0xff, 0 },
		{ MP_LINTSRC, MP_INT_NMI, 0, 0, 0, 0xff, 1 },
	};
	uint8_t *p = base + sizeof(struct mpf) + sizeof(struct mpc);
	memcpy(p, &cpu, sizeof(cpu));
	p += sizeof(cpu);
	memcpy(p, &bus, sizeof(bus));
	p += sizeof(bus);
	memcpy(p, lint, sizeof(lint));
	p += sizeof(lint);
	struct mpc h = { { 'P', 'C', 'M', 'P' }, (uint16_t)(p - base - sizeof(struct mpf)), SPEC_1_4, 0,
			 { 'P', 'V', 'B', 'E', 'N', 'C', 'H', ' ' }, { 'P', 'V', 'B', 'E', 'N', 'C', 'H', ' ', 'V', 'M', ' ', ' ' },
			 0, 0, 4, (uint32_t)LAPIC_BASE, 0, 0, 0 };
	memcpy(base + sizeof(struct mpf), &h, sizeof(h));
	base[sizeof(struct mpf) + offsetof(struct mpc, checksum)] = checksum(base + sizeof(struct mpf), h.length);
	/* feature bytes all zero: a configuration table follows, virtual wire mode (no IMCR) */
	struct mpf f = { { '_', 'M', 'P', '_' }, MPTABLE_BASE + sizeof(struct mpf), 1, SPEC_1_4, 0, { 0, 0, 0, 0, 0 } };
	f.checksum = checksum(&f, sizeof(f));
	memcpy(base, &f, sizeof(f));
}
