/* pvbench's own devices: the control port through which the guest announces benchmarks
 * and reports results, a null port and an MMIO register for the exit benchmarks, and
 * QEMU's isa-debug-exit so that a guest can end the machine with a status; and the PC's
 * ends: the reset line at 0x64 (a keyboard controller's pulse command 0xfe, no keyboard
 * controller behind it) and the POST/delay port 0x80. */
#ifndef VMM_CTL_H
#define VMM_CTL_H
#include <stdbool.h>
#include <stdint.h>
#include "bus.h"
#include "mem.h"
#include "../abi/proto.h"

typedef void ctl_msg_fn(void *opaque, const struct pvb_msg *m);

struct ctl {
	const struct guest_mem *mem;
	ctl_msg_fn *on_msg;
	void *opaque;
	uint64_t bad_msgs;  /* writes whose address or magic was wrong */
	bool exited;        /* isa-debug-exit written */
	int exit_status;    /* (value << 1) | 1, as QEMU */
	bool reset;         /* the guest reset the machine (exited is set too) */
	/* the machine ended: the CPU stops after this instruction (translated code would
	 * otherwise chain on past it) */
	void (*kick)(void *opaque);
	void *kick_opaque;
};

int ctl_init(struct ctl *c, struct bus *b, const struct guest_mem *mem, ctl_msg_fn *fn, void *opaque);

#endif
