/* The machine every mode runs: RAM, the bus and its devices. A mode supplies the CPU. */
#ifndef VMM_MACHINE_H
#define VMM_MACHINE_H
#include <stdbool.h>
#include <stddef.h>
#include "bus.h"
#include "../util/clock.h"
#include "ctl.h"
#include "lapic.h"
#include "mem.h"
#include "pic.h"
#include "pit.h"
#include "fw_cfg.h"
#include "rtc.h"
#include "uart.h"
#include "vmi/vmi.h"

struct machine_config {
	uint64_t mem_bytes;
	int serial_echo_fd;   /* -1: capture only */
	ctl_msg_fn *on_msg;
	void *msg_opaque;
	uint64_t tsc_hz;      /* host TSC rate, for the LAPIC's TSC-deadline conversion */
	bool vmi;             /* expose the VMI ROM */
	bool lapic_in_kernel; /* the engine keeps its own LAPIC: the ROM withdraws alarm calls */
	struct profile *prof; /* per-hook profile to record into, or NULL */
	bool strict;          /* an unimplemented instruction stops the CPU model */
	/* every device's time from this clock (the lockstep checker's virtual time), or
	 * NULL for the host's */
	const struct clock *clock;
};

struct machine {
	struct clock clock;      /* what the LAPIC reads; see machine_init */
	struct clock pit_clock;  /* what the PIT reads */
	uint64_t tsc_ns_q32;     /* ns per TSC tick, 32.32 fixed point */
	struct guest_mem mem;
	struct bus bus;
	struct uart uart;
	struct pic pic;
	struct pit pit;
	struct rtc rtc;
	struct lapic lapic;
	struct fw_cfg fw_cfg;
	struct ctl ctl;
	bool has_vmi;
	struct vmi vmi;
	struct profile *prof;
	bool strict;
};

int machine_init(struct machine *m, const struct machine_config *c, char *err, size_t errlen);
void machine_free(struct machine *m);
/* The next timer event (the LAPIC's or the PIT's channel 0), on the LAPIC's clock; fires
 * what is due. LAPIC_NO_EVENT when neither is armed. */
uint64_t machine_next_timer(struct machine *m);
/* Whether the guest has asked to end the machine (debug exit). */
static inline bool machine_exited(const struct machine *m) { return m->ctl.exited; }

#endif
