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

static void stat_add(struct mode_stats *st, const char *name, uint64_t value, bool host, bool fact)
{
	if (st->n == MODE_MAX_STATS)
		return;
	snprintf(st->s[st->n].name, sizeof(st->s[st->n].name), "%s", name);
	st->s[st->n].host = host;
	st->s[st->n].fact = fact;
	st->s[st->n++].value = value;
}

void mode_stat_add(struct mode_stats *st, const char *name, uint64_t value) { stat_add(st, name, value, false, false); }
void mode_stat_host(struct mode_stats *st, const char *name, uint64_t value) { stat_add(st, name, value, true, false); }
void mode_stat_fact(struct mode_stats *st, const char *name, uint64_t value) { stat_add(st, name, value, false, true); }

void mode_stat_cpuid(struct mode_stats *st, void (*cpuid)(void *opaque, uint32_t leaf, uint32_t out[4]), void *opaque)
{
	static const struct { uint32_t leaf; int reg; const char *name; } kept[] = {
		{ 0, 1, "cpuid.0.ebx" }, { 0, 3, "cpuid.0.edx" }, { 0, 2, "cpuid.0.ecx" },
		{ 1, 0, "cpuid.1.eax" }, { 1, 2, "cpuid.1.ecx" }, { 1, 3, "cpuid.1.edx" },
		{ 7, 1, "cpuid.7.ebx" }, { 7, 2, "cpuid.7.ecx" }, { 7, 3, "cpuid.7.edx" },
		{ 0x80000001, 2, "cpuid.80000001.ecx" }, { 0x80000001, 3, "cpuid.80000001.edx" },
	};
	for (size_t k = 0; k < sizeof(kept) / sizeof(kept[0]); k++) {
		uint32_t out[4] = { 0 };
		cpuid(opaque, kept[k].leaf, out);
		mode_stat_fact(st, kept[k].name, out[kept[k].reg]);
	}
}

uint64_t mode_stat_value(const struct mode_stats *st, const char *name)
{
	for (int i = 0; i < st->n; i++)
		if (!strcmp(st->s[i].name, name))
			return st->s[i].value;
	return 0;
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
