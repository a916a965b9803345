/* One engine per mode behind one ops table; nothing outside modes/<name>/ knows its
 * insides. Guest engines create a vCPU over a machine and run it; host modes (native)
 * run the plan's portable benchmarks in pvbench's own process. */
#ifndef MODES_MODE_H
#define MODES_MODE_H
#include <stddef.h>
#include <stdint.h>
#include "../vmm/loader.h"
#include "../vmm/machine.h"
#include "plan.h"
#include "../collect/engine_stats.h"

struct x86_cpu;

enum run_end { RUN_EXITED, RUN_FAILED, RUN_TIMEOUT, RUN_INTERRUPTED };

struct run_outcome {
	enum run_end end;
	int exit_status;   /* RUN_EXITED: the guest's debug-exit status */
	char reason[256];  /* otherwise: what happened */
};

/* The checks every engine's run loop makes between slices: the guest ended the machine,
 * the user interrupted, the watchdog expired. True, with *out filled, when the run is over. */
bool run_over(const struct machine *m, bool interrupted, uint64_t deadline_ns, uint64_t timeout_ms,
	      struct run_outcome *out);

/* What a host mode is given to run a plan. */
struct host_run {
	const struct bench_plan *plan;
	const char *guest;     /* the benchmark guest image, or the Linux guest's kernel */
	const char *initrd;    /* the Linux guest's initramfs, NULL for the benchmark guest */
	const char *append;    /* the Linux guest's command line before the plan's, or NULL */
	uint64_t mem_mb;
	uint64_t timeout_ms;   /* watchdog over the whole run */
	int echo_fd;           /* COM1 echo, -1 for none */
};

struct mode_ops {
	const char *name;
	const char *summary;
	bool lapic_in_kernel;  /* the engine's LAPIC is not the machine's model (KVM's irqchip) */
	/* An interface on another mode's engine (vmi:emulate): everything below is the
	 * engine's, reached through mode_engine(). */
	const struct mode_ops *engine;
	bool vmi;              /* the machine exposes the VMI ROM */
	/* 0 when this host can run the mode, else -1 with the reason in why */
	int (*probe)(char *why, size_t n);
	/* What the engine runs on here (e.g. "kvm:pvm"), recorded with every result. */
	const char *(*backend)(void);
	/* NULL when the benchmark can run on this host, else why not */
	const char *(*bench_unsupported)(const char *bench, unsigned needs);

	/* guest engines */
	void *(*create)(struct machine *m, const struct boot_state *bs, char *err, size_t n);
	void (*run)(void *vm, uint64_t timeout_ms, struct run_outcome *out);
	void (*stats)(void *vm, struct mode_stats *st);
	void (*destroy)(void *vm);
	/* engines built on the CPU model (vmm/x86): its state, for the lockstep checker */
	struct x86_cpu *(*cpu)(void *vm);

	/* host modes: native in pvbench's process, peers (another VMM booting the same
	 * guest image) as child processes */
	bool peer;
	void (*run_host)(const struct host_run *hr, ctl_msg_fn *emit, void *opaque);
};

/* Every mode; the ones `--modes all` means; every engine with each interface. */
extern const struct mode_ops *const mode_list[];
extern const struct mode_ops *const mode_all[];
extern const struct mode_ops *const mode_matrix[];
/* By name; "native:ENGINE" names the engine itself. */
const struct mode_ops *mode_find(const char *name);
static inline const struct mode_ops *mode_engine(const struct mode_ops *m) { return m->engine ? m->engine : m; }
/* What the results record as the backend: the engine's, prefixed with the engine when
 * the mode's name does not say it (vmi -> "emulate/interpreter"). */
void mode_backend(const struct mode_ops *m, char *buf, size_t n);

#endif
