#include <stdio.h>
#include <string.h>
#include <x86intrin.h>
#include "machine.h"

static uint64_t tsc_now(void *opaque)
{
	const struct machine *m = opaque;
	return (uint64_t)(((unsigned __int128)__rdtsc() * m->tsc_ns_q32) >> 32);
}

static void pic_line(void *opaque, unsigned irq, bool level) { pic_set_irq(opaque, irq, level); }

int machine_init(struct machine *m, const struct machine_config *c, char *err, size_t errlen)
{
	memset(m, 0, sizeof(*m));
	/* the LAPIC's time: the host TSC in ns, since an emulated LAPIC reads the clock on
	 * most accesses and clock_gettime costs several times an rdtsc here (the monotonic
	 * clock when the TSC rate is unknown). The PIT keeps the monotonic clock: guests
	 * calibrate the TSC against it, which must not be the TSC itself. */
	m->clock = host_clock;
	if (c->tsc_hz) {
		m->tsc_ns_q32 = (uint64_t)((1000000000ull << 32) / c->tsc_hz);
		m->clock = (struct clock){ tsc_now, m };
	}
	m->pit_clock = host_clock;
	if (c->clock)
		m->clock = m->pit_clock = *c->clock;
	if (mem_init(&m->mem, c->mem_bytes)) {
		snprintf(err, errlen, "cannot allocate %llu MiB of guest memory",
			 (unsigned long long)(c->mem_bytes >> 20));
		return -1;
	}
	struct irq_line com1_irq = { pic_line, &m->pic, 4 };
	if (pic_init(&m->pic, &m->bus) || rtc_init(&m->rtc, &m->bus) ||
	    uart_init(&m->uart, &m->bus, PVB_COM1_PORT, c->serial_echo_fd, com1_irq) ||
	    pit_init(&m->pit, &m->bus, &m->pit_clock, (struct irq_line){ pic_line, &m->pic, 0 }) ||
	    lapic_init(&m->lapic, &m->bus, &m->clock, c->tsc_hz) ||
	    ctl_init(&m->ctl, &m->bus, &m->mem, c->on_msg, c->msg_opaque) ||
	    fw_cfg_init(&m->fw_cfg, &m->bus, c->mem_bytes, 1)) {
		snprintf(err, errlen, "device ranges overlap on the bus");
		machine_free(m);
		return -1;
	}
	m->prof = m->bus.prof = c->prof;
	m->strict = c->strict;
	if (c->vmi) {
		if (vmi_init(&m->vmi, &m->mem, &m->bus, c->lapic_in_kernel ? NULL : &m->lapic, c->tsc_hz)) {
			snprintf(err, errlen, "cannot place the VMI ROM (is guest memory under 1 MiB?)");
			machine_free(m);
			return -1;
		}
		m->vmi.prof = c->prof;
		m->has_vmi = true;
	}
	return 0;
}

void machine_free(struct machine *m)
{
	uart_free(&m->uart);
	mem_free(&m->mem);
}

uint64_t machine_next_timer(struct machine *m)
{
	uint64_t lapic = lapic_update(&m->lapic), pit = pit_update(&m->pit);
	if (pit == PIT_NO_EVENT)
		return lapic;
	/* the PIT keeps its own clock: its deadline as a distance, on the LAPIC's clock */
	uint64_t pit_now = clock_now(&m->pit_clock), now = clock_now(&m->clock);
	uint64_t at = now + (pit > pit_now ? pit - pit_now : 0);
	return at < lapic ? at : lapic;
}

