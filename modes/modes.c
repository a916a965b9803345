/* The registry: `--modes all` means every entry here. */
#include <stdio.h>
#include <string.h>
#include "mode.h"

extern const struct mode_ops hw_mode, native_mode, emulate_mode, bt_mode, vmi_mode, vmi_emulate_mode, vmi_hw_mode,
	vmi_bt_mode, qemu_tcg_mode, qemu_kvm_mode, bochs_mode;

const struct mode_ops *const mode_list[] = { &hw_mode, &emulate_mode, &bt_mode, &native_mode, &vmi_mode, &vmi_emulate_mode,
					     &vmi_hw_mode, &vmi_bt_mode, &qemu_tcg_mode, &qemu_kvm_mode, &bochs_mode, NULL };
const struct mode_ops *const mode_all[] = { &hw_mode, &emulate_mode, &bt_mode, &native_mode, &vmi_mode, NULL };
const struct mode_ops *const mode_matrix[] = { &hw_mode, &vmi_hw_mode, &emulate_mode, &vmi_emulate_mode, &bt_mode,
					       &vmi_bt_mode, NULL };

const struct mode_ops *mode_find(const char *name)
{
	for (int i = 0; mode_list[i]; i++)
		if (!strcmp(mode_list[i]->name, name))
			return mode_list[i];
	if (!strncmp(name, "native:", 7)) {
		const struct mode_ops *e = mode_find(name + 7);
		return e && e->create && !e->engine ? e : NULL;
	}
	return NULL;
}

void mode_backend(const struct mode_ops *m, char *buf, size_t n)
{
	const struct mode_ops *e = mode_engine(m);
	if (e == m || strchr(m->name, ':'))
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
