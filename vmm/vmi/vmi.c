/* What each VMI call does in the VMM. The ROM code has already done in the guest what
 * only the vCPU can do (rom_code.S); what is left here is the hypervisor's part: applying
 * page-table updates and the queue, programming the alarm on the LAPIC model, answering
 * questions. No call here shadows anything: pvbench's engines walk the guest's own
 * tables, so a page-table update is a write the VMM makes for the guest. */
#include <string.h>
#include <time.h>
#include <x86intrin.h>
#include "vmi.h"
#include "../../abi/lapic_regs.h"

static uint64_t *guest_u64(struct vmi *v, uint64_t phys) { return mem_ptr(v->mem, phys, 8); }

/* The physical address of a guest-virtual pointer under cr3 (4-level paging, which the
 * 64-bit interface implies), without touching accessed bits: the VMM looks, the guest
 * did not access. */
static bool translate(struct vmi *v, uint64_t cr3, uint64_t va, uint64_t *pa)
{
	uint64_t table = cr3 & 0x000ffffffffff000ull;
	for (int level = 4; level >= 1; level--) {
		uint64_t *e = guest_u64(v, table + ((va >> (12 + 9 * (level - 1))) & 511) * 8);
		if (!e || !(*e & 1))
			return false;
		uint64_t frame = *e & 0x000ffffffffff000ull;
		if (level == 1 || ((level == 2 || level == 3) && (*e & 0x80))) {
			uint64_t span = 1ull << (12 + 9 * (level - 1));
			*pa = (frame & ~(span - 1)) | (va & (span - 1));
			return true;
		}
		table = frame;
	}
	return false;
}

static void apply(struct vmi *v, uint64_t cr3, uint64_t ptep, uint64_t val)
{
	uint64_t pa, *e;
	if ((ptep & 7) || !translate(v, cr3, ptep, &pa) || !(e = guest_u64(v, pa))) {
		v->bad_ptep++;
		return;
	}
	*e = val;
	v->applied++;
	if (v->eng.wrote)
		v->eng.wrote(v->eng.opaque, pa);
}

/* Applies the queued updates in the order the ROM queued them. */
static void drain(struct vmi *v, uint64_t cr3)
{
	uint32_t *count = mem_ptr(v->mem, VMI_D_QCOUNT, 4);
	uint32_t n = *count < VMI_QUEUE_MAX ? *count : VMI_QUEUE_MAX;
	if (!n)
		return;
	const uint64_t *q = mem_ptr(v->mem, VMI_D_QUEUE, 16ull * VMI_QUEUE_MAX);
	for (uint32_t i = 0; i < n; i++)
		apply(v, cr3, q[2 * i], q[2 * i + 1]);
	*count = 0;
	v->drains++;
}

typedef uint64_t handler_fn(struct vmi *v, const struct vmi_regs *r);

static uint64_t h_none(struct vmi *v, const struct vmi_regs *r) { (void)v; (void)r; return 0; }

/* TLB invalidations, CR3 loads and leaving lazy mode: queued updates take effect first */
static uint64_t h_flush(struct vmi *v, const struct vmi_regs *r)
{
	drain(v, r->cr3);
	return 0;
}

/* SetPxELong(value, ptep, flags), and UpdatePxELong as the ROM rewrites it */
static uint64_t h_set_pxe(struct vmi *v, const struct vmi_regs *r)
{
	drain(v, r->cr3);
	apply(v, r->cr3, r->arg[1], r->arg[0]);
	return 0;
}

static uint64_t lapic_reg(struct vmi *v, unsigned reg)
{
	uint64_t val;
	bus_read(v->bus, BUS_MMIO, LAPIC_BASE + (reg & 0xff0), 4, &val);
	return val;
}

static void lapic_set(struct vmi *v, unsigned reg, uint64_t val)
{
	bus_write(v->bus, BUS_MMIO, LAPIC_BASE + (reg & 0xff0), val, 4);
}

static uint64_t h_apic_write(struct vmi *v, const struct vmi_regs *r)
{
	lapic_set(v, (unsigned)r->arg[0], r->arg[1]);
	return 0;
}

static uint64_t h_apic_read(struct vmi *v, const struct vmi_regs *r) { return lapic_reg(v, (unsigned)r->arg[0]); }
static uint64_t h_cycle_frequency(struct vmi *v, const struct vmi_regs *r) { (void)r; return v->tsc_hz; }

/* AVAILABLE is REAL: pvbench keeps no account of time the host takes from the guest,
 * so none is reported stolen. */
static uint64_t h_cycle_counter(struct vmi *v, const struct vmi_regs *r)
{
	(void)v;
	return r->arg[0] == VMI_CYCLES_STOLEN ? 0 : r->tsc;
}

/* SetAlarm(flags, expiry, period) wired to the LVT timer: its vector, the TSC-deadline
 * mode for a one-shot alarm at an absolute cycle count, the periodic mode (divide by 1
 * on the 1 GHz timer clock) for a periodic one. */
static uint64_t h_set_alarm(struct vmi *v, const struct vmi_regs *r)
{
	uint32_t vec = (uint32_t)lapic_reg(v, LAPIC_LVT_TIMER) & LVT_VECTOR;
	if (r->arg[0] & VMI_ALARM_PERIODIC) {
		uint64_t ns = v->tsc_hz ? (uint64_t)((unsigned __int128)r->arg[2] * 1000000000ull / v->tsc_hz) : r->arg[2];
		lapic_set(v, LAPIC_LVT_TIMER, vec | LVT_TIMER_PERIODIC);
		lapic_set(v, LAPIC_TIMER_DIV, TIMER_DIV_1);
		lapic_set(v, LAPIC_TIMER_INIT, ns > 0xffffffffu ? 0xffffffffu : ns ? ns : 1);
	} else {
		lapic_set(v, LAPIC_LVT_TIMER, vec | LVT_TIMER_TSC_DEADLINE);
		lapic_write_tsc_deadline(v->lapic, r->arg[1] ? r->arg[1] : 1, r->tsc);
	}
	return 0;
}

static uint64_t h_cancel_alarm(struct vmi *v, const struct vmi_regs *r)
{
	uint32_t lvt = (uint32_t)lapic_reg(v, LAPIC_LVT_TIMER);
	lapic_set(v, LAPIC_LVT_TIMER, lvt | LVT_MASKED);
	lapic_set(v, LAPIC_TIMER_INIT, 0);
	lapic_write_tsc_deadline(v->lapic, 0, r->tsc);
	return 0;
}

static uint64_t h_wallclock(struct vmi *v, const struct vmi_regs *r)
{
	(void)v;
	(void)r;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Each call the ROM can offer: its name, what it needs of the machine, its VMM side. */
static const struct {
	const char *name;
	unsigned needs;
	handler_fn *fn;
} calls[VMI_NCALLS] = {
#define VMI_CALL(name, stub, needs, handler) [VMI_CALL_##name] = { #name, needs, handler },
#include "../../abi/vmi_calls.def"
#undef VMI_CALL
};

const char *vmi_call_name(unsigned n)
{
	if (n == VMI_INIT_CALL)
		return "init";
	return n < VMI_NCALLS && calls[n].name ? calls[n].name : "unknown";
}

unsigned vmi_call_needs(unsigned n) { return n < VMI_NCALLS ? calls[n].needs : 0; }

bool vmi_call_offered(unsigned n, unsigned withdraw)
{
	return n < VMI_NCALLS && calls[n].fn && !(calls[n].needs & withdraw);
}

static uint64_t dispatch(struct vmi *v, unsigned n, const struct vmi_regs *r)
{
	if (n == VMI_INIT_CALL) {
		*(uint32_t *)mem_ptr(v->mem, VMI_D_LAZY, 4) = VMI_LAZY_NONE;
		*(uint32_t *)mem_ptr(v->mem, VMI_D_QCOUNT, 4) = 0;
		return 0;
	}
	if (!vmi_call_offered(n, v->lapic ? 0 : VMI_NEEDS_LAPIC))
		return ~0ull; /* not offered: get_reloc said RELOC_NONE */
	return calls[n].fn(v, r);
}

uint64_t vmi_call(struct vmi *v, unsigned n, const struct vmi_regs *r)
{
	v->calls++;
	if (!v->prof)
		return dispatch(v, n, r);
	struct prof_mark m;
	prof_begin(v->prof, &m);
	uint64_t ret = dispatch(v, n, r);
	prof_end(v->prof, PROF_VMI + (n < VMI_NCALLS ? n : VMI_NCALLS), vmi_call_name(n), &m);
	return ret;
}

static uint64_t doorbell_read(void *opaque, uint64_t off, unsigned size)
{
	struct vmi *v = opaque;
	struct vmi_regs r = { 0 };
	unsigned n = (unsigned)(off / 8), needs = vmi_call_needs(n);
	if (size != 8 || (off & 7) || !v->eng.regs)
		return ~0ull;
	/* fetching registers costs ioctls under KVM, as much as the exit: only what the
	 * call reads */
	if (needs & (VMI_NEEDS_ARGS | VMI_NEEDS_TSC))
		v->eng.regs(v->eng.opaque, &r, needs & VMI_NEEDS_TSC);
	return vmi_call(v, n, &r);
}

static const struct dev_ops doorbell_ops = { "vmi-doorbell", doorbell_read, NULL };

int vmi_init(struct vmi *v, struct guest_mem *mem, struct bus *bus, struct lapic *lapic, uint64_t tsc_hz)
{
	memset(v, 0, sizeof(*v));
	v->mem = mem;
	v->bus = bus;
	v->lapic = lapic;
	v->tsc_hz = tsc_hz;
	if (!mem_ptr(mem, VMI_ROM_BASE, VMI_DATA_END - VMI_ROM_BASE))
		return -1;
	vmi_rom_install(mem, lapic ? 0 : VMI_NEEDS_LAPIC);
	return bus_register(bus, BUS_MMIO, VMI_DOORBELL, VMI_DOORBELL_LEN, &doorbell_ops, v);
}
