#include <stdio.h>
#include <string.h>
#include "session.h"
#include "../collect/host.h"

void session_boot(const struct session *s, struct session_result *r)
{
	memset(r, 0, sizeof(*r));
	struct machine m;
	const struct mode_ops *eng = mode_engine(s->mode);
	struct machine_config mc = { .mem_bytes = s->mem_bytes, .serial_echo_fd = s->echo_fd,
				     .on_msg = s->on_msg, .msg_opaque = s->opaque, .tsc_hz = host_tsc_hz(),
				     .vmi = s->mode->vmi, .lapic_in_kernel = eng->lapic_in_kernel, .prof = s->prof };
	if (machine_init(&m, &mc, r->error, sizeof(r->error))) {
		r->setup_failed = true;
		return;
	}
	struct boot_state bs;
	char err[256];
	void *vm = NULL;
	if (loader_load_file(&m.mem, s->kernel, s->format, s->cmdline, &bs, err, sizeof(err))) {
		snprintf(r->error, sizeof(r->error), "%s: %s", s->kernel, err);
		r->setup_failed = true;
	} else if (!(vm = eng->create(&m, &bs, err, sizeof(err)))) {
		snprintf(r->error, sizeof(r->error), "%s: cannot create the VM: %s", s->mode->name, err);
		r->setup_failed = true;
	} else {
		eng->run(vm, s->timeout_ms, &r->out);
		eng->stats(vm, &r->stats);
		for (int sp = 0; sp < BUS_SPACES; sp++)
			for (int k = 0; k < m.bus.n[sp]; k++) {
				char name[48];
				snprintf(name, sizeof(name), "dev.%s", m.bus.r[sp][k].ops->name);
				mode_stat_add(&r->stats, name, m.bus.r[sp][k].accesses);
			}
		mode_stat_add(&r->stats, "bus.pio.unclaimed", m.bus.unclaimed[BUS_PIO]);
		mode_stat_add(&r->stats, "bus.mmio.unclaimed", m.bus.unclaimed[BUS_MMIO]);
		mode_stat_add(&r->stats, "ctl.bad_messages", m.ctl.bad_msgs);
		if (m.has_vmi) {
			mode_stat_add(&r->stats, "vmi.calls", m.vmi.calls);
			mode_stat_add(&r->stats, "vmi.updates_applied", m.vmi.applied);
			mode_stat_add(&r->stats, "vmi.queue_drains", m.vmi.drains);
			mode_stat_add(&r->stats, "vmi.bad_ptep", m.vmi.bad_ptep);
		}
		eng->destroy(vm);
	}
	uart_last_line(&m.uart, r->last_line, sizeof(r->last_line));
	machine_free(&m);
}
