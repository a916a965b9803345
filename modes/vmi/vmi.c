/* vmi: the guest finds the VMI ROM (vmm/vmi) and sends its privileged operations through
 * its calls. VMI is an interface, not an engine: each entry here pairs it with one.
 * VMware ran VMI guests on its binary translator; until pvbench's (`bt`) exists, `vmi`
 * runs on the interpreter, and the results' backend column names the engine. */
#include "../mode.h"

extern const struct mode_ops emulate_mode, hw_mode;

const struct mode_ops vmi_mode = {
	.name = "vmi",
	.summary = "the guest's privileged operations through the VMI ROM's calls, on the default\n"
		   "engine: emulate (bt, VMware's configuration, does not exist yet)",
	.engine = &emulate_mode,
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
