/* Peers: another VMM (QEMU, Bochs) booting the same guest image as a child process. Its
 * COM1 result lines are parsed back into the control messages pvbench's own modes send,
 * so their results land in the same tables. */
#ifndef MODES_PEER_PEER_H
#define MODES_PEER_PEER_H
#include "../mode.h"
#include "../../util/proc.h"

#define PEER_MAX_ARGS 48

struct peer_cmd {
	const char *argv[PEER_MAX_ARGS];  /* NULL-terminated */
	const char *com1_fifo;  /* COM1 arrives through this FIFO; NULL: on the child's stdout */
	bool pty;               /* the child needs a terminal (Bochs's text display) */
	/* The guest's clock is virtual (Bochs): each repetition is timed by the host's clock
	 * between two result lines, scaled by the share of guest time its loop took. */
	bool wall_clock;
	uint64_t timeout_ms;
	int echo_fd;
};

/* Runs the child until the guest says DONE (then stops it), it exits, or the watchdog
 * fires; a failure is reported to emit as a FAILED message (of the benchmark running, or
 * of none). */
void peer_run(const struct peer_cmd *pc, ctl_msg_fn *emit, void *opaque);

#endif
