/* The lockstep checker (QEMU's TCI habit: the interpreter is the reference and the
 * translator is diffed against it). The same guest boots in two engines built on the
 * CPU model, each on its own machine, one step at a time (a block, or a chain of linked
 * translated blocks): after every step both must have retired the same instructions into
 * the same architectural state, and guest memory must agree every few thousand steps and
 * at the end. Time is virtual (the TSC
 * and the devices' clocks move only between steps, by the instructions retired), so
 * both engines read the same clock and take a timer interrupt at the same instruction. */
#ifndef LAB_LOCKSTEP_H
#define LAB_LOCKSTEP_H
#include "../modes/mode.h"

struct lockstep_config {
	const struct mode *mode;   /* checked; its interface (vmi) applies to both */
	const struct mode *ref;    /* the reference engine */
	const uint8_t *image;
	size_t image_len;
	const uint8_t *initrd;         /* a Linux kernel's initramfs, or NULL */
	size_t initrd_len;
	enum image_format format;
	const char *cmdline;
	uint64_t mem_bytes;
	uint64_t max_insns;            /* stop, agreeing so far, after this many; 0 = no limit */
	uint64_t timeout_ms;           /* host time for the whole check */
	int echo_fd;                   /* the checked side's COM1, -1 for none */
};

enum lockstep_end { LS_RUNNING, LS_AGREED, LS_DIVERGED, LS_LIMIT, LS_TIMEOUT };

struct lockstep_side {
	const struct engine_ops *eng;
	struct machine m;
	void *vm;
	struct x86_cpu *c;
};

struct lockstep {
	struct lockstep_side side[2];  /* [0] checked, [1] reference */
	const struct lockstep_config *cfg;
	uint64_t vtsc;                 /* the virtual TSC (1 GHz: one tick a nanosecond) */
	uint64_t steps, insns, start_ns;
	char bench[PVB_NAME_LEN];      /* the benchmark the guest announced last */
	enum lockstep_end end;
	char report[8192];             /* how it ended; a divergence in full */
};

/* NULL, with err, when either side cannot be set up (unknown to the CPU model, image
 * rejected, no memory). */
struct lockstep *lockstep_open(const struct lockstep_config *cfg, char *err, size_t n);
/* One step in each engine, then the comparison; false once the check has ended. */
bool lockstep_step(struct lockstep *ls);
void lockstep_close(struct lockstep *ls);

#endif
