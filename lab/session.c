#include <stdio.h>
#include <string.h>
#include "session.h"
#include "../collect/host.h"
#include "../collect/resultline.h"

/* The machine's messages pass through here on their way to the caller. */
struct booted {
	const struct session *s;
	const struct engine_ops *eng;
	struct machine *m;
	void *vm;
	struct mode_stats mark; /* counters at the last MARK */
};

/* Every counter of the engine and the machine, by name. */
static void gather(const struct booted *bt, struct mode_stats *st)
{
	const struct machine *m = bt->m;
	memset(st, 0, sizeof(*st));
	bt->eng->stats(bt->vm, st);
	for (int sp = 0; sp < BUS_SPACES; sp++)
		for (int k = 0; k < m->bus.n[sp]; k++) {
			char name[48];
			snprintf(name, sizeof(name), "dev.%s", m->bus.r[sp][k].ops->name);
			mode_stat_add(st, name, m->bus.r[sp][k].accesses);
		}
	mode_stat_add(st, "bus.pio.unclaimed", m->bus.unclaimed[BUS_PIO]);
	mode_stat_add(st, "bus.mmio.unclaimed", m->bus.unclaimed[BUS_MMIO]);
	mode_stat_add(st, "ctl.bad_messages", m->ctl.bad_msgs);
	if (m->has_vmi) {
		mode_stat_add(st, "vmi.calls", m->vmi.calls);
		mode_stat_add(st, "vmi.updates_applied", m->vmi.applied);
		mode_stat_add(st, "vmi.tables_announced", m->vmi.tables_announced);
		mode_stat_add(st, "vmi.tables_released", m->vmi.tables_released);
		mode_stat_add(st, "vmi.linear_mapping_hits", m->vmi.linear_hits);
		mode_stat_add(st, "vmi.queue_drains", m->vmi.drains);
		mode_stat_add(st, "vmi.bad_ptep", m->vmi.bad_ptep);
	}
}

static void on_msg(void *opaque, const struct pvb_msg *msg);

static void on_line(void *opaque, const char *line)
{
	struct pvb_msg m;
	if (!resultline_parse(line, &m))
		on_msg(opaque, &m);
}

static void on_msg(void *opaque, const struct pvb_msg *msg)
{
	struct booted *bt = opaque;
	if (msg->type != PVB_MSG_MARK && msg->type != PVB_MSG_COUNT) {
		if (bt->s->on_msg)
			bt->s->on_msg(bt->s->opaque, msg);
		return;
	}
	if (!bt->s->on_count || !bt->vm)
		return;
	if (msg->type == PVB_MSG_MARK) {
		gather(bt, &bt->mark);
		return;
	}
	struct mode_stats now;
	gather(bt, &now);
	for (int i = 0; i < now.n; i++)
		now.s[i].value -= mode_stat_value(&bt->mark, now.s[i].name);
	bt->s->on_count(bt->s->opaque, msg, &now);
}

void session_boot(const struct session *s, struct session_result *r)
{
	memset(r, 0, sizeof(*r));
	struct machine m;
	const struct engine_ops *eng = s->mode->engine;
	struct booted bt = { .s = s, .eng = eng, .m = &m };
	struct machine_config mc = { .mem_bytes = s->mem_bytes, .serial_echo_fd = s->echo_fd,
				     .on_msg = on_msg, .msg_opaque = &bt, .tsc_hz = host_tsc_hz(),
				     .vmi = s->mode->iface == IFACE_VMI, .lapic_in_kernel = eng->lapic_in_kernel, .prof = s->prof,
				     .strict = s->strict };
	if (machine_init(&m, &mc, r->error, sizeof(r->error))) {
		r->setup_failed = true;
		return;
	}
	if (s->result_lines) {
		m.uart.on_line = on_line;
		m.uart.line_opaque = &bt;
	}
	struct boot_state bs;
	char err[256];
	void *vm = NULL;
	struct load_opts lo = { .fmt = s->format, .cmdline = s->cmdline, .module_string = s->module_string };
	snprintf(m.fw_cfg.cmdline, sizeof(m.fw_cfg.cmdline), "%s", s->cmdline ? s->cmdline : "");
	if (loader_load_file(&m.mem, s->kernel, s->initrd, &lo, &bs, err, sizeof(err))) {
		snprintf(r->error, sizeof(r->error), "%s: %s", s->kernel, err);
		r->setup_failed = true;
	} else if (!(vm = eng->create(&m, &bs, err, sizeof(err)))) {
		snprintf(r->error, sizeof(r->error), "%s: cannot create the VM: %s", s->mode->name, err);
		r->setup_failed = true;
	} else {
		bt.vm = vm;
		eng->run(vm, s->timeout_ms, &r->out);
		gather(&bt, &r->stats);
		eng->destroy(vm);
	}
	uart_last_line(&m.uart, r->last_line, sizeof(r->last_line));
	machine_free(&m);
}
