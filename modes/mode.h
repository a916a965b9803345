/* Engines and the modes users name. An engine is one ops table (nothing outside
 * modes/<engine>/ knows its insides): guest engines create a vCPU over a machine and run
 * it, the host engine (native) runs the plan's portable benchmarks in pvbench's own
 * process, peers run another VMM. A mode is an engine with an interface (vmi:bt). */
#ifndef MODES_MODE_H
#define MODES_MODE_H
#include <stddef.h>
#include <stdint.h>
#include "../vmm/loader.h"
#include "../vmm/machine.h"
#include "../abi/plan.h"
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

enum engine_kind {
	ENGINE_GUEST,  /* boots a guest kernel on a machine of pvbench's (emulate, bt, hw) */
	ENGINE_HOST,   /* runs the portable benchmarks in pvbench's own process (native) */
	ENGINE_PEER,   /* another VMM booting the same guest image as a child process */
};

/* One engine: what runs the guest (or the benchmarks), whatever interface it exposes. */
struct engine_ops {
	const char *name;
	enum engine_kind kind;
	bool lapic_in_kernel;  /* the engine's LAPIC is not the machine's model (KVM's irqchip) */
	/* 0 when this host can run the engine, else -1 with the reason in why */
	int (*probe)(char *why, size_t n);
	/* What the engine runs on here (e.g. "kvm:pvm"), recorded with every result. */
	const char *(*backend)(void);
	/* NULL when the benchmark can run on this host, else why not */
	const char *(*bench_unsupported)(const char *bench, unsigned needs);

	/* ENGINE_GUEST */
	void *(*create)(struct machine *m, const struct boot_state *bs, char *err, size_t n);
	void (*run)(void *vm, uint64_t timeout_ms, struct run_outcome *out);
	void (*stats)(void *vm, struct mode_stats *st);
	void (*destroy)(void *vm);
	/* engines built on the CPU model (vmm/x86): its state, for the lockstep checker */
	struct x86_cpu *(*cpu)(void *vm);

	/* ENGINE_HOST and ENGINE_PEER */
	void (*run_host)(const struct host_run *hr, ctl_msg_fn *emit, void *opaque);
};

/* The interface the machine offers the guest for its privileged operations. */
enum mode_iface {
	IFACE_NATIVE,  /* the instructions themselves */
	IFACE_VMI,     /* the VMI ROM's calls (vmm/vmi) */
};

/* What a user names: an engine with an interface. */
struct mode {
	const char *name;
	const char *summary;
	const struct engine_ops *engine;
	enum mode_iface iface;
};

/* Every mode; the ones `--modes all` means; every guest engine with each interface. */
extern const struct mode *const mode_list[];
extern const struct mode *const mode_all[];
extern const struct mode *const mode_matrix[];
/* By name; "native:ENGINE" names the engine with its native interface. */
const struct mode *mode_find(const char *name);
/* The mode that puts interface iface on engine e, or NULL. */
const struct mode *mode_with(const struct engine_ops *e, enum mode_iface iface);
/* What the results record as the backend: the engine's, prefixed with the engine when
 * the mode's name does not say it (vmi -> "bt/translator"). */
void mode_backend(const struct mode *m, char *buf, size_t n);

#endif
