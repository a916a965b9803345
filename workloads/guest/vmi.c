/* The VMI interface, as Linux's vmi.c used it: find the ROM in the option-ROM window,
 * check it (header, checksum, PCI structure, license), initialise it, and point pv at the
 * entries get_reloc offers. A ROM that fails a check is not used: the guest stays native
 * and says why. The calls take VMI's word (unsigned long: 32 bits in the 32-bit guest,
 * which calls them regparm(3) as Linux did) and 64-bit counts; what differs between the
 * architectures (get_reloc's answer, the page-table and MMU calls) is in ARCH/vmi.c. */
#include "kernel.h"
#include "cpu.h"
#include "lapic.h"
#include "pvops.h"

typedef unsigned long vmi_init_fn(void) VMI_CALLCONV;

static char interface[PVB_TEXT_LEN];
static uintptr_t rom_base;

/* ROM entries the guest calls through its own small wrappers (VMI's signatures differ
 * from pv's there); NULL when not offered. */
static void (*rom_set_alarm)(unsigned long flags, uint64_t expiry, uint64_t period) VMI_CALLCONV;
static void (*rom_cancel_alarm)(unsigned long flags) VMI_CALLCONV;
static void (*rom_apic_write)(unsigned long reg, unsigned long value) VMI_CALLCONV;
static uint64_t (*rom_cycle_counter)(unsigned long which) VMI_CALLCONV;

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

/* The entry get_reloc gives for a call, or NULL when the ROM keeps the native code. */
void *vmi_rom_entry(uint64_t call) { return rom_base ? vmi_arch_entry(rom_base, (unsigned)call) : 0; }

static void *entry(unsigned call, unsigned *used)
{
	void *e = vmi_rom_entry(call);
	*used += e != 0;
	return e;
}

/* What is the same in both architectures: the calls pv takes without arguments or
 * jumps to, the clock, the timers and the TPR. */
static unsigned route(void)
{
	unsigned used = 0;
	void *e;
#define ROUTE(field, call) if ((e = entry(VMI_CALL_##call, &used))) pv.field = e
	ROUTE(iret, IRET);
	ROUTE(sysret, SYSEXIT);
	ROUTE(irq_enable, EnableInterrupts);
	ROUTE(irq_disable, DisableInterrupts);
	ROUTE(halt, Halt);
	ROUTE(null_call, Null);
#undef ROUTE
	if ((rom_cycle_counter = entry(VMI_CALL_GetCycleCounter, &used)))
		pv.read_cycles = vmi_read_cycles;
	rom_set_alarm = entry(VMI_CALL_SetAlarm, &used);
	rom_cancel_alarm = entry(VMI_CALL_CancelAlarm, &used);
	rom_apic_write = entry(VMI_CALL_APICWrite, &used);
	if (rom_apic_write)
		pv.write_tpr = vmi_write_tpr;
	if (rom_set_alarm && rom_cancel_alarm && rom_apic_write) {
		pv.timer_oneshot = vmi_timer_oneshot;
		pv.timer_periodic = vmi_timer_periodic;
		pv.timer_deadline = vmi_timer_deadline;
		pv.timer_cancel = vmi_timer_cancel;
		pv.timer_ack = vmi_timer_ack;
	}
	return used + vmi_arch_route_mmu();
}

/* 0 when the VMI ROM at base passes every check, else -1 with the reason in why. */
static int rom_problem(uintptr_t base, char *why, size_t n)
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
			kprintf("vmi: ROM at 0x%lx has PCI device id 0x%x, not VMI's 0x%x; using it anyway\n", (uint64_t)base,
				*(const uint16_t *)(r + pci + 6), VMI_PCI_DEVICE);
		return 0;
	}
	return -1;
}

void vmi_probe(void)
{
	char why[96] = "no VMI ROM in 0xc0000-0xdffff";
	for (uintptr_t base = VMI_SCAN_START; base < VMI_SCAN_END; base += VMI_SCAN_STEP) {
		const uint8_t *r = (const uint8_t *)base;
		if (r[0] != 0x55 || r[1] != 0xaa || *(const uint32_t *)(r + VMI_H_VMI_SIG) != VMI_SIGNATURE)
			continue;
		char problem[80];
		if (rom_problem(base, problem, sizeof(problem))) {
			fmt(why, sizeof(why), "VMI ROM at 0x%lx rejected: %s", (uint64_t)base, problem);
			continue;
		}
		unsigned long rc = ((vmi_init_fn *)(base + VMI_H_INIT))();
		if (rc) {
			fmt(why, sizeof(why), "VMI ROM at 0x%lx: vmi_init returned 0x%lx", (uint64_t)base, (uint64_t)rc);
			continue;
		}
		rom_base = base;
		unsigned used = route();
		fmt(interface, sizeof(interface), "vmi %u.%u (ROM at 0x%lx; %u calls in use%s)", r[VMI_H_API_MAJ],
		    r[VMI_H_API_MIN], (uint64_t)base, used, pv.timer_ack == vmi_timer_ack ? "" : "; timers native: no alarm calls");
		pv.name = interface;
		kprintf("pvbench guest: interface %s\n", interface);
		return;
	}
	fmt(interface, sizeof(interface), "native (%s)", why);
	pv.name = interface;
	kprintf("pvbench guest: interface %s\n", interface);
}
