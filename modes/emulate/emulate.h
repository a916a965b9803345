/* The interpreter's VM, which the translator (modes/bt) runs too: the same CPU model,
 * run loop, hlt sleep and watchdog, with a translator attached to the CPU. */
#ifndef MODES_EMULATE_H
#define MODES_EMULATE_H
#include "../mode.h"
#include "../../vmm/x86/x86.h"

struct emu_vm {
	struct x86_cpu cpu;
	struct machine *m;
	uint64_t run_ns, halts, halt_ns;
};

/* The interpreter needs nothing of the host and runs every benchmark. */
int emu_probe(char *why, size_t n);
const char *emu_bench_unsupported(const char *bench, unsigned needs);
void *emu_create(struct machine *m, const struct boot_state *bs, char *err, size_t n);
void emu_run(void *vm, uint64_t timeout_ms, struct run_outcome *out);
void emu_stats(void *vm, struct mode_stats *st);
void emu_destroy(void *vm);
struct x86_cpu *emu_cpu(void *vm);

#endif
