/* One boot of a kernel in one guest engine: machine, loader, vCPU, run, statistics,
 * and the engine's counters over the guest's counting passes. */
#ifndef LAB_SESSION_H
#define LAB_SESSION_H
#include "../modes/mode.h"

struct session {
	const struct mode *mode;
	const char *kernel;
	enum image_format format;
	const char *cmdline;
	const char *initrd;   /* Linux's initrd, a Multiboot kernel's module, or NULL */
	const char *module_string; /* the Multiboot module's string (its name and arguments) */
	uint64_t mem_bytes;
	int echo_fd;          /* COM1 echo, -1 for none */
	uint64_t timeout_ms;
	ctl_msg_fn *on_msg;
	/* the guest reports on COM1 in result lines (the Linux guest) rather than through
	 * the control port: each line parsed into a message for on_msg */
	bool result_lines;
	/* A counting pass ended (m: the COUNT message): every counter's change since MARK.
	 * NULL to ignore counting passes. */
	void (*on_count)(void *opaque, const struct pvb_msg *m, const struct mode_stats *delta);
	void *opaque;
	struct profile *prof; /* per-hook profile to record into, or NULL */
	/* an instruction the CPU model does not implement fails the boot (its name, rip and
	 * bytes the reason) instead of being a #UD to the guest; engines that run on a real
	 * CPU have none */
	bool strict;
};

struct session_result {
	bool setup_failed;    /* nothing ran: error says why */
	char error[300];
	struct run_outcome out;
	struct mode_stats stats;
	char last_line[160];  /* the guest's last COM1 line */
};

void session_boot(const struct session *s, struct session_result *r);

#endif
