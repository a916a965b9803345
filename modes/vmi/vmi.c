/* vmi: the guest finds the VMI ROM (vmm/vmi) and sends its privileged operations through
 * its calls. VMI is an interface, not an engine: each entry here pairs it with one. By
 * default it runs on the binary translator, as VMware ran VMI guests; the results'
 * backend column names the engine. */
#include "../mode.h"

extern const struct mode_ops emulate_mode, bt_mode, hw_mode;

const struct mode_ops vmi_mode = {
	.name = "vmi",
	.summary = "the guest's privileged operations through the VMI ROM's calls, on the default\n"
		   "engine: bt (VMware's configuration); each call a direct call from translated code",
	.engine = &bt_mode,
	.vmi = true,
};

const struct mode_ops vmi_bt_mode = {
	.name = "vmi:bt",
	.summary = "the VMI interface on the binary translator (what `vmi` means)",
	.engine = &bt_mode,
	.vmi = true,
};

const struct mode_ops vmi_emulate_mode = {
	.name = "vmi:emulate",
	.summary = "the VMI interface on the interpreter; each call a direct call into the VMM",
	.engine = &emulate_mode,
	.vmi = true,
};

const struct mode_ops vmi_hw_mode = {
	.name = "vmi:hw",
	.summary = "the VMI interface under KVM; each call an MMIO exit. KVM keeps the LAPIC in\n"
		   "the kernel, so the ROM withdraws its alarm and APIC calls (timers stay native)",
	.engine = &hw_mode,
	.vmi = true,
};
