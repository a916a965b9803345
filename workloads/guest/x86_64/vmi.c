/* The VMI interface: find the ROM in the option-ROM window as Linux's vmi.c did, check
 * it, initialise it, and point pv at the entries get_reloc offers. A ROM that fails a
 * check is not used: the guest stays native and says why. */
#include "kernel.h"
#include "cpu.h"
#include "lapic.h"
#include "pvops.h"

struct reloc {
	uint64_t addr, type;
};

static char interface[PVB_TEXT_LEN];
static struct reloc (*rom_get_reloc)(uint64_t);

/* ROM entries the guest calls through its own small wrappers (VMI's signatures differ
 * from pv's there); NULL when not offered. */
static void (*rom_set_alarm)(uint64_t flags, uint64_t expiry, uint64_t period);
static void (*rom_cancel_alarm)(uint64_t flags);
static void (*rom_apic_write)(uint64_t reg, uint64_t value);
static uint64_t (*rom_cycle_counter)(uint64_t which);

static uint64_t ns_to_cycles(uint64_t ns) { return muldiv(ns, tsc_hz, 1000000000ull); }
static uint64_t vmi_read_cycles(void) { return rom_cycle_counter(VMI_CYCLES_REAL); }

static void vmi_timer_oneshot(uint64_t ns)
{
	rom_set_alarm(VMI_ALARM_ONESHOT | VMI_CYCLES_REAL | VMI_ALARM_WIRED_LVTT, pv.read_cycles() + ns_to_cycles(ns), 0);
}

static void vmi_timer_periodic(uint64_t ns)
{
	uint64_t period = ns_to_cycles(ns);
	rom_set_alarm(VMI_ALARM_PERIODIC | VMI_CYCLES_REAL | VMI_ALARM_WIRED_LVTT, pv.read_cycles() + period, period);
}

static void vmi_timer_deadline(uint64_t tsc)
{
	rom_set_alarm(VMI_ALARM_ONESHOT | VMI_CYCLES_REAL | VMI_ALARM_WIRED_LVTT, tsc, 0);
}

static void vmi_timer_cancel(void) { rom_cancel_alarm(VMI_ALARM_WIRED_LVTT); }
static void vmi_timer_ack(void) { rom_apic_write(LAPIC_EOI, 0); }
/* Linux's VMI took every APIC register write, the TPR's among them, through APICWrite */
static void vmi_write_tpr(uint64_t tpr) { rom_apic_write(LAPIC_TPR, tpr << 4); }

/* 0 when the VMI ROM at base passes every check, else -1 with the reason in why. */
static int rom_problem(uint64_t base, char *why, size_t n)
{
	const uint8_t *r = (const uint8_t *)base;
	unsigned len = r[VMI_H_LENGTH] * 512u;
	uint8_t sum = 0;
	for (unsigned i = 0; i < len && base + len <= VMI_SCAN_END; i++)
		sum = (uint8_t)(sum + r[i]);
	uint16_t pci = *(const uint16_t *)(r + VMI_H_PCI), lic = *(const uint16_t *)(r + VMI_H_LICENSE);
	if (r[VMI_H_API_MAJ] != VMI_API_MAJOR)
		fmt(why, n, "API version %u.%u, not 3.x", r[VMI_H_API_MAJ], r[VMI_H_API_MIN]);
	else if (!len || base + len > VMI_SCAN_END)
		fmt(why, n, "length %u runs out of the ROM window", len);
	else if (sum)
		fmt(why, n, "checksum is off by 0x%x", sum);
	else if (!pci || pci + 8u > len || strncmp((const char *)r + pci, "PCIR", 4) ||
		 *(const uint16_t *)(r + pci + 4) != VMI_PCI_VENDOR)
		fmt(why, n, "no PCI header with VMware's vendor id");
	else if (!lic || lic >= len ||
		 (strncmp((const char *)r + lic, "GPL", 4) && strncmp((const char *)r + lic, "GPL v2", 7)))
		fmt(why, n, "license is not GPL");
	else {
		if (*(const uint16_t *)(r + pci + 6) != VMI_PCI_DEVICE)
			kprintf("vmi: ROM at 0x%lx has PCI device id 0x%x, not VMI's 0x%x; using it anyway\n", base,
				*(const uint16_t *)(r + pci + 6), VMI_PCI_DEVICE);
		return 0;
	}
	return -1;
}

/* The entry get_reloc gives for a call, or NULL when the ROM keeps the native code. */
static void *entry(struct reloc (*get_reloc)(uint64_t), uint64_t call, unsigned *used)
{
	struct reloc r = get_reloc(call);
	if (r.type != VMI_RELOC_CALL_REL || !r.addr)
		return 0;
	(*used)++;
	return (void *)r.addr;
}

void *vmi_rom_entry(uint64_t call)
{
	unsigned used = 0;
	return rom_get_reloc ? entry(rom_get_reloc, call, &used) : 0;
}

static void route(uint64_t base)
{
	struct reloc (*get_reloc)(uint64_t) = (struct reloc (*)(uint64_t))(base + VMI_H_GET_RELOC);
	rom_get_reloc = get_reloc;
	unsigned used = 0;
	void *e;
#define ROUTE(field, call) if ((e = entry(get_reloc, VMI_CALL_##call, &used))) pv.field = e
	ROUTE(iret, IRET);
	ROUTE(sysret, SYSEXIT);
	ROUTE(set_pte, SetPxELong);
	ROUTE(invlpg, InvalPage);
	ROUTE(flush_tlb, FlushTLB);
	ROUTE(write_cr3, SetCR3);
	ROUTE(lazy_mmu, SetLazyMode);
	ROUTE(irq_enable, EnableInterrupts);
	ROUTE(irq_disable, DisableInterrupts);
	ROUTE(halt, Halt);
	ROUTE(null_call, Null);
#undef ROUTE
	if ((rom_cycle_counter = entry(get_reloc, VMI_CALL_GetCycleCounter, &used)))
		pv.read_cycles = vmi_read_cycles;
	rom_set_alarm = entry(get_reloc, VMI_CALL_SetAlarm, &used);
	rom_cancel_alarm = entry(get_reloc, VMI_CALL_CancelAlarm, &used);
	rom_apic_write = entry(get_reloc, VMI_CALL_APICWrite, &used);
	if (rom_apic_write)
		pv.write_tpr = vmi_write_tpr;
	if (rom_set_alarm && rom_cancel_alarm && rom_apic_write) {
		pv.timer_oneshot = vmi_timer_oneshot;
		pv.timer_periodic = vmi_timer_periodic;
		pv.timer_deadline = vmi_timer_deadline;
		pv.timer_cancel = vmi_timer_cancel;
		pv.timer_ack = vmi_timer_ack;
	}
	fmt(interface, sizeof(interface), "vmi %u.%u (ROM at 0x%lx; %u calls in use%s)", ((uint8_t *)base)[VMI_H_API_MAJ],
	    ((uint8_t *)base)[VMI_H_API_MIN], base, used,
	    pv.timer_ack == vmi_timer_ack ? "" : "; timers native: no alarm calls");
}

void vmi_probe(void)
{
	char why[96] = "no VMI ROM in 0xc0000-0xdffff";
	for (uint64_t base = VMI_SCAN_START; base < VMI_SCAN_END; base += VMI_SCAN_STEP) {
		const uint8_t *r = (const uint8_t *)base;
		if (r[0] != 0x55 || r[1] != 0xaa || *(const uint32_t *)(r + VMI_H_VMI_SIG) != VMI_SIGNATURE)
			continue;
		char problem[80];
		if (rom_problem(base, problem, sizeof(problem))) {
			fmt(why, sizeof(why), "VMI ROM at 0x%lx rejected: %s", base, problem);
			continue;
		}
		uint64_t (*init)(void) = (uint64_t (*)(void))(base + VMI_H_INIT);
		uint64_t rc = init();
		if (rc) {
			fmt(why, sizeof(why), "VMI ROM at 0x%lx: vmi_init returned 0x%lx", base, rc);
			continue;
		}
		route(base);
		pv.name = interface;
		kprintf("pvbench guest: interface %s\n", interface);
		return;
	}
	fmt(interface, sizeof(interface), "native (%s)", why);
	pv.name = interface;
	kprintf("pvbench guest: interface %s\n", interface);
}
