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

unsigned vmi_paging_of(uint64_t cr0, uint64_t cr4, uint64_t efer)
{
	if (!(cr0 & (1u << 31)))
		return VMI_PAGING_OFF;
	if (efer & (1u << 10)) /* LMA */
		return VMI_PAGING_4LEVEL;
	return cr4 & (1u << 5) ? VMI_PAGING_PAE : VMI_PAGING_2LEVEL;
}

/* The physical address of a guest-virtual pointer under cr3 in the guest's paging mode,
 * without touching accessed bits: the VMM looks, the guest did not access. Large pages
 * at the levels that have them (PSE is what a 2-level guest with 4 MiB pages has set). */
static bool translate(struct vmi *v, const struct vmi_regs *r, uint64_t va, uint64_t *pa)
{
	unsigned levels = 4, bits = 9, esize = 8;
	uint64_t table = r->cr3 & 0x000ffffffffff000ull;
	for (unsigned k = 0; k < VMI_LINEAR_SLOTS; k++)
		if (v->linear[k].pages && va - v->linear[k].va < v->linear[k].pages << 12) {
			*pa = ((v->linear[k].pfn << 12) + (va - v->linear[k].va));
			v->linear_hits++;
			return true;
		}
	if (r->paging == VMI_PAGING_OFF) {
		*pa = va & 0xffffffffu;
		return true;
	}
	if (r->paging == VMI_PAGING_2LEVEL) {
		levels = 2, bits = 10, esize = 4;
		table = r->cr3 & 0xfffff000u;
	} else if (r->paging == VMI_PAGING_PAE) {
		const uint64_t *pdpte = guest_u64(v, (r->cr3 & 0xffffffe0u) + ((va >> 30) & 3) * 8);
		if (!pdpte || !(*pdpte & 1))
			return false;
		levels = 2, table = *pdpte & 0x000ffffffffff000ull;
	}
	for (unsigned level = levels; level >= 1; level--) {
		unsigned shift = 12 + bits * (level - 1);
		const uint8_t *p = mem_ptr(v->mem, table + ((va >> shift) & ((1u << bits) - 1)) * esize, esize);
		uint64_t e = 0;
		if (!p)
			return false;
		memcpy(&e, p, esize);
		if (!(e & 1))
			return false;
		uint64_t frame = esize == 4 ? e & 0xfffff000u : e & 0x000ffffffffff000ull;
		if (level == 1 || ((level == 2 || level == 3) && (e & 0x80))) {
			uint64_t span = 1ull << shift;
			*pa = (frame & ~(span - 1)) | (va & (span - 1));
			return true;
		}
		table = frame;
	}
	return false;
}

/* ptep with VMI_PTEP_32 set names a 4-byte (2-level) entry, else an 8-byte one */
static void apply(struct vmi *v, const struct vmi_regs *r, uint64_t ptep, uint64_t val)
{
	unsigned size = ptep & VMI_PTEP_32 ? 4 : 8;
	uint64_t pa;
	ptep &= ~(uint64_t)VMI_PTEP_32;
	uint8_t *e;
	if ((ptep & (size - 1)) || !translate(v, r, ptep, &pa) || !(e = mem_ptr(v->mem, pa, size))) {
		v->bad_ptep++;
		return;
	}
	memcpy(e, &val, size);
	v->applied++;
	if (v->eng.wrote)
		v->eng.wrote(v->eng.opaque, pa);
}

/* Applies the queued updates in the order the ROM queued them. */
static void drain(struct vmi *v, const struct vmi_regs *r)
{
	uint32_t *count = mem_ptr(v->mem, VMI_D_QCOUNT, 4);
	uint32_t n = *count < VMI_QUEUE_MAX ? *count : VMI_QUEUE_MAX;
	if (!n)
		return;
	const uint64_t *q = mem_ptr(v->mem, VMI_D_QUEUE, 16ull * VMI_QUEUE_MAX);
	for (uint32_t i = 0; i < n; i++)
		apply(v, r, q[2 * i], q[2 * i + 1]);
	*count = 0;
	v->drains++;
}

typedef uint64_t handler_fn(struct vmi *v, const struct vmi_regs *r);

static uint64_t h_none(struct vmi *v, const struct vmi_regs *r) { (void)v; (void)r; return 0; }

/* TLB invalidations, CR3 loads and leaving lazy mode: queued updates take effect first */
static uint64_t h_flush(struct vmi *v, const struct vmi_regs *r)
{
	drain(v, r);
	return 0;
}

/* SetPxELong(value, ptep, flags), and UpdatePxELong as the ROM rewrites it */
static uint64_t h_set_pxe(struct vmi *v, const struct vmi_regs *r)
{
	drain(v, r);
	apply(v, r, r->arg[1], r->arg[0]);
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

/* AllocatePage(pfn, flags, clone pfn, base, count) and ReleasePage(pfn, flags): the
 * kernel says which frames hold its page tables (Linux's paravirt_alloc_pt and
 * release_pt). A clone's entries the kernel has copied itself; the VMM notes the frame. */
static void page_type(struct vmi *v, const struct vmi_regs *r, bool alloc)
{
	drain(v, r);
	++*(alloc ? &v->tables_announced : &v->tables_released);
	if ((r->arg[1] & (VMI_PAGE_PT | VMI_PAGE_PD | VMI_PAGE_PDP | VMI_PAGE_PML4)) && v->eng.page_type)
		v->eng.page_type(v->eng.opaque, r->arg[0] << 12, alloc);
}

static uint64_t h_allocate_page(struct vmi *v, const struct vmi_regs *r)
{
	page_type(v, r, true);
	return 0;
}

static uint64_t h_release_page(struct vmi *v, const struct vmi_regs *r)
{
	page_type(v, r, false);
	return 0;
}

/* SetLinearMapping(slot, va, pages, pfn); pages 0 empties the slot */
static uint64_t h_linear(struct vmi *v, const struct vmi_regs *r)
{
	if (r->arg[0] < VMI_LINEAR_SLOTS)
		v->linear[r->arg[0]].va = r->arg[1] & ~0xfffull, v->linear[r->arg[0]].pages = r->arg[2],
		v->linear[r->arg[0]].pfn = r->arg[3];
	return 0;
}

/* Each call the ROM can offer: its name, what it needs of the machine, its VMM side. */
static const struct {
	const char *name;
	unsigned needs;
	handler_fn *fn;
} calls[VMI_NCALLS] = {
#define VMI_CALL(name, stub, stub32, needs, handler) [VMI_CALL_##name] = { #name, needs, handler },
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

/* size bytes at a guest-linear address, as the vCPU's paging maps it (0 where nothing is) */
static uint64_t read_linear(struct vmi *v, const struct vmi_regs *r, uint64_t va, unsigned size)
{
	uint64_t pa, val = 0;
	const uint8_t *p;
	if (translate(v, r, va, &pa) && (p = mem_ptr(v->mem, pa, size)))
		memcpy(&val, p, size);
	return val;
}

/* A 32-bit call's regparm(3) arguments (eax, edx, ecx, then the stack above the return
 * address) as the handlers' arguments: a 64-bit value spans two registers (SetPxELong's
 * pte in edx:eax, SetAlarm's expiry in ecx:edx) or two stack words (SetAlarm's period);
 * an UpdatePxE becomes the set of the value the guest wrote, read before any queued
 * update is applied, as the ROM queues it. */
uint32_t vmi_call32(struct vmi *v, unsigned n, struct vmi_regs *r)
{
	uint64_t a = (uint32_t)r->ax, d = (uint32_t)r->dx, c = (uint32_t)r->cx, sp = (uint32_t)r->sp;
	memset(r->arg, 0, sizeof(r->arg));
	switch (n) {
	case VMI_CALL_SetPxE:
		r->arg[0] = a, r->arg[1] = d | VMI_PTEP_32;
		break;
	case VMI_CALL_SetPxELong:
		r->arg[0] = a | d << 32, r->arg[1] = c;
		break;
	case VMI_CALL_UpdatePxE:
		r->arg[0] = read_linear(v, r, a, 4), r->arg[1] = a | VMI_PTEP_32;
		break;
	case VMI_CALL_UpdatePxELong:
		r->arg[0] = read_linear(v, r, a, 8), r->arg[1] = a;
		break;
	case VMI_CALL_SetAlarm:
		r->arg[0] = a, r->arg[1] = d | c << 32, r->arg[2] = read_linear(v, r, (sp + 4) & 0xffffffffu, 8);
		break;
	case VMI_CALL_SetLinearMapping:
		r->arg[0] = a, r->arg[1] = d, r->arg[2] = c, r->arg[3] = read_linear(v, r, (sp + 4) & 0xffffffffu, 4);
		break;
	default:
		r->arg[0] = a, r->arg[1] = d, r->arg[2] = c;
	}
	uint64_t ret = vmi_call(v, n, r);
	*(uint64_t *)mem_ptr(v->mem, VMI_D_RESULT, 8) = ret;
	return (uint32_t)ret;
}

static uint64_t doorbell_read(void *opaque, uint64_t off, unsigned size)
{
	struct vmi *v = opaque;
	struct vmi_regs r = { 0 };
	unsigned n = (unsigned)(off / 8), needs = vmi_call_needs(n);
	if ((size != 8 && size != 4) || (off & 7) || !v->eng.regs)
		return ~0ull;
	/* fetching registers costs ioctls under KVM, as much as the exit: only what the
	 * call reads */
	if (needs & (VMI_NEEDS_ARGS | VMI_NEEDS_TSC))
		v->eng.regs(v->eng.opaque, &r, needs & VMI_NEEDS_TSC);
	return size == 4 ? vmi_call32(v, n, &r) : vmi_call(v, n, &r);
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
