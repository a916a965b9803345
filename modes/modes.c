/* The registry: every engine, and every mode a user can name. `--modes all` means the
 * entries of mode_all. */
#include <stdio.h>
#include <string.h>
#include "mode.h"
#include "../util/clock.h"

extern const struct engine_ops hw_engine, native_engine, emulate_engine, bt_engine, bt_softmmu_engine, qemu_tcg_engine,
	qemu_kvm_engine, bochs_engine;

static const struct mode hw = {
	"hw", "the guest runs on the CPU through /dev/kvm (VT-x, AMD-V or PVM)", &hw_engine, IFACE_NATIVE,
};
static const struct mode emulate = {
	"emulate",
	"every guest instruction decoded and executed in software (soft MMU);\n"
	"32-bit protected and long mode, no real mode (kernels start as Multiboot, ELF64 or Linux/PVH)",
	&emulate_engine, IFACE_NATIVE,
};
static const struct mode bt = {
	"bt",
	"guest code (64-bit, and 32-bit on flat segments) translated into x86-64 host code in\n"
	"a code cache; privileged and rare instructions are callouts into the interpreter's handlers;\n"
	"32-bit code outside long mode on shadow page tables on the host MMU (hidden faults, traces)",
	&bt_engine, IFACE_NATIVE,
};
static const struct mode bt_softmmu = {
	"bt:softmmu", "the same translator with every memory access through the soft TLB (QEMU's way),\n"
	"32-bit code too: bt's two MMU strategies side by side", &bt_softmmu_engine, IFACE_NATIVE,
};
static const struct mode vmi_bt_softmmu = {
	"vmi:bt:softmmu", "the VMI interface on bt:softmmu", &bt_softmmu_engine, IFACE_VMI,
};
static const struct mode native = {
	"native", "the portable benchmarks in pvbench's own process: the physical limit", &native_engine, IFACE_NATIVE,
};
/* VMI is an interface, not an engine. By default it runs on the binary translator, as
 * VMware ran VMI guests; the results' backend column names the engine. */
static const struct mode vmi = {
	"vmi",
	"the guest's privileged operations through the VMI ROM's calls, on the default\n"
	"engine: bt (VMware's configuration); each call a direct call from translated code",
	&bt_engine, IFACE_VMI,
};
static const struct mode vmi_emulate = {
	"vmi:emulate", "the VMI interface on the interpreter; each call a direct call into the VMM", &emulate_engine,
	IFACE_VMI,
};
static const struct mode vmi_hw = {
	"vmi:hw",
	"the VMI interface under KVM; each call an MMIO exit. KVM keeps the LAPIC in\n"
	"the kernel, so the ROM withdraws its alarm and APIC calls (timers stay native)",
	&hw_engine, IFACE_VMI,
};
static const struct mode vmi_bt = {
	"vmi:bt", "the VMI interface on the binary translator (what `vmi` means)", &bt_engine, IFACE_VMI,
};
static const struct mode qemu_tcg = {
	"qemu-tcg", "peer: the same guest image under QEMU's TCG translator (qemu-system-x86_64 -kernel)",
	&qemu_tcg_engine, IFACE_NATIVE,
};
static const struct mode qemu_kvm = {
	"qemu-kvm", "peer: the same guest image under QEMU with KVM, next to pvbench's own hw mode", &qemu_kvm_engine,
	IFACE_NATIVE,
};
static const struct mode bochs = {
	"bochs", "peer: the same guest image under Bochs (GRUB ISO), timed by the host's clock", &bochs_engine,
	IFACE_NATIVE,
};

const struct mode *const mode_list[] = { &hw, &emulate, &bt, &native, &vmi, &vmi_emulate, &vmi_hw, &vmi_bt,
					 &bt_softmmu, &vmi_bt_softmmu, &qemu_tcg, &qemu_kvm, &bochs, NULL };
const struct mode *const mode_all[] = { &hw, &emulate, &bt, &native, &vmi, NULL };
const struct mode *const mode_matrix[] = { &hw, &vmi_hw, &emulate, &vmi_emulate, &bt, &vmi_bt, &bt_softmmu,
					   &vmi_bt_softmmu, NULL };

const struct mode *mode_with(const struct engine_ops *e, enum mode_iface iface)
{
	for (int i = 0; mode_list[i]; i++)
		if (mode_list[i]->engine == e && mode_list[i]->iface == iface)
			return mode_list[i];
	return NULL;
}

const struct mode *mode_find(const char *name)
{
	for (int i = 0; mode_list[i]; i++)
		if (!strcmp(mode_list[i]->name, name))
			return mode_list[i];
	if (!strncmp(name, "native:", 7)) {
		const struct mode *e = mode_find(name + 7);
		return e && e->engine->kind == ENGINE_GUEST ? mode_with(e->engine, IFACE_NATIVE) : NULL;
	}
	return NULL;
}

void mode_backend(const struct mode *m, char *buf, size_t n)
{
	const struct engine_ops *e = m->engine;
	if (!strcmp(m->name, e->name) || strchr(m->name, ':'))
		snprintf(buf, n, "%s", e->backend());
	else
		snprintf(buf, n, "%s/%s", e->name, e->backend());
}

bool run_over(const struct machine *m, bool interrupted, uint64_t deadline_ns, uint64_t timeout_ms,
	      struct run_outcome *out)
{
	if (m->ctl.reset) {
		out->end = RUN_FAILED;
		snprintf(out->reason, sizeof(out->reason), "the guest reset the machine");
	} else if (machine_exited(m)) {
		out->end = RUN_EXITED;
		out->exit_status = m->ctl.exit_status;
	} else if (interrupted) {
		out->end = RUN_INTERRUPTED;
		snprintf(out->reason, sizeof(out->reason), "interrupted by the user");
	} else if (host_ns() > deadline_ns) {
		out->end = RUN_TIMEOUT;
		snprintf(out->reason, sizeof(out->reason), "watchdog: guest still running after %llu s",
			 (unsigned long long)(timeout_ms / 1000));
	} else {
		return false;
	}
	return true;
}
