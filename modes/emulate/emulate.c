/* emulate: every guest instruction decoded (Zydis, cached) and executed by the CPU model
 * in vmm/x86, with the machine's LAPIC model for timers; hlt sleeps on the host until
 * the next timer deadline. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include "emulate.h"
#include "../../util/interrupt.h"
#include "../../vmm/intc.h"
#include "../../vmm/x86/cpuid.h"
#include "../../vmm/x86/decode.h"
#include "../../vmm/x86/mmu.h"

#define SLICE 200000          /* instructions between watchdog checks */
#define MAX_SLEEP_NS 10000000 /* a halted CPU re-checks the watchdog this often */


int emu_probe(char *why, size_t n) { (void)why; (void)n; return 0; }
static const char *emu_backend(void) { return "interpreter"; }
const char *emu_bench_unsupported(const char *bench, unsigned needs) { (void)bench; (void)needs; return NULL; }

/* A doorbell read that did not come through the direct call (another instruction
 * form): the registers are right here. */
static void vmi_regs_of(void *opaque, struct vmi_regs *r, bool tsc)
{
	(void)tsc; /* as cheap as not reading it */
	x86_vmi_regs(opaque, r);
}

static void vmi_wrote(void *opaque, uint64_t phys) { mmu_vmm_wrote(opaque, phys, 8); }

static void vmi_page_type(void *opaque, uint64_t phys, bool table)
{
	struct x86_cpu *c = opaque;
	if (c->shadow.opaque)
		c->shadow.announce(c->shadow.opaque, phys, table);
}

/* The LAPIC was accessed, the 8259A raised INTR, or the PIT's channel 0 was programmed:
 * look for an interrupt after this instruction; or the guest ended the machine: stop. */
static void kick(void *opaque)
{
	struct x86_cpu *c = opaque;
	c->attention = c->lapic_dirty = true;
}

void *emu_create(struct machine *m, const struct boot_state *bs, char *err, size_t n)
{
	struct emu_vm *v = calloc(1, sizeof(*v));
	if (!v || x86_cpu_init(&v->cpu, &m->mem, &m->bus)) {
		snprintf(err, n, "out of memory for the CPU model");
		free(v);
		return NULL;
	}
	v->m = m;
	v->cpu.prof = m->prof;
	v->cpu.strict = m->strict;
	v->cpu.intc = machine_intc(m);
	v->cpu.apic_id = m->lapic.id;
	v->cpu.tsc_hz = m->lapic.tsc_hz;
	m->lapic.kick = kick;
	m->lapic.kick_opaque = &v->cpu;
	m->ctl.kick = kick;
	m->ctl.kick_opaque = &v->cpu;
	m->pit.changed = kick;
	m->pit.changed_opaque = &v->cpu;
	m->pic.kick = kick;
	m->pic.kick_opaque = &v->cpu;
	if (m->has_vmi) {
		v->cpu.vmi = &m->vmi;
		m->vmi.eng = (struct vmi_engine){ .opaque = &v->cpu, .regs = vmi_regs_of, .wrote = vmi_wrote,
						    .page_type = vmi_page_type };
	}
	x86_load_boot_state(&v->cpu, bs);
	return v;
}

void emu_destroy(void *opaque)
{
	struct emu_vm *v = opaque;
	x86_cpu_free(&v->cpu);
	free(v);
}

struct x86_cpu *emu_cpu(void *vm) { return &((struct emu_vm *)vm)->cpu; }

/* wake_ns on the machine's clock (the LAPIC's next event) */
static void sleep_until(const struct clock *clk, uint64_t wake_ns)
{
	uint64_t now = clock_now(clk);
	if (wake_ns <= now)
		return;
	uint64_t d = wake_ns - now > MAX_SLEEP_NS ? MAX_SLEEP_NS : wake_ns - now;
	struct timespec ts = { (time_t)(d / 1000000000ull), (long)(d % 1000000000ull) };
	while (nanosleep(&ts, &ts) && errno == EINTR && !user_interrupted)
		;
}

void emu_run(void *opaque, uint64_t timeout_ms, struct run_outcome *out)
{
	struct emu_vm *v = opaque;
	struct x86_cpu *c = &v->cpu;
	uint64_t t0 = host_ns(), deadline = t0 + timeout_ms * 1000000ull;
	struct sigaction sa = { .sa_handler = interrupt_handler }, old;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old);
	/* a halted CPU wakes at its timer's deadline: the host's default timer slack (50 us)
	 * would be added to every guest sleep */
	int slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	memset(out, 0, sizeof(*out));
	for (;;) {
		x86_run(c, SLICE, &v->m->ctl.exited);
		if (run_over(v->m, user_interrupted, deadline, timeout_ms, out)) {
			if (out->end == RUN_TIMEOUT) { /* where it was going round */
				size_t l = strlen(out->reason);
				snprintf(out->reason + l, sizeof(out->reason) - l, " (rip 0x%llx)", (unsigned long long)c->rip);
			}
			break;
		}
		if (c->exit == X86_UNIMPLEMENTED) {
			out->end = RUN_FAILED;
			snprintf(out->reason, sizeof(out->reason), "%s (--strict)", c->unimplemented_first);
			break;
		}
		if (c->exit == X86_SHUTDOWN) {
			out->end = RUN_FAILED;
			snprintf(out->reason, sizeof(out->reason), "triple fault (shutdown) at rip 0x%llx, starting with vector %d error 0x%x",
				 (unsigned long long)c->rip, c->first_vector, c->first_error);
			break;
		}
		if (c->exit == X86_HALTED) {
			if (!(c->flags & F_IF)) {
				out->end = RUN_FAILED;
				snprintf(out->reason, sizeof(out->reason), "guest halted with interrupts off at rip 0x%llx",
					 (unsigned long long)c->rip);
				break;
			}
			uint64_t h0 = host_ns();
			sleep_until(&v->m->clock, machine_next_timer(v->m));
			v->halts++;
			v->halt_ns += host_ns() - h0;
		}
	}
	v->run_ns += host_ns() - t0;
	if (slack > 0)
		prctl(PR_SET_TIMERSLACK, (unsigned long)slack, 0, 0, 0);
	sigaction(SIGINT, &old, NULL);
}

static void model_cpuid(void *opaque, uint32_t leaf, uint32_t out[4]) { x86_cpuid(opaque, leaf, 0, out); }

void emu_stats(void *opaque, struct mode_stats *st)
{
	struct emu_vm *v = opaque;
	const struct x86_counters *k = &v->cpu.count;
	char name[48];
	mode_stat_cpuid(st, model_cpuid, &v->cpu); /* first: bt's callout counts may fill the rest */
	mode_stat_add(st, "insns", k->insns);
	mode_stat_host(st, "run_ns", v->run_ns);
	mode_stat_host(st, "halts", v->halts);
	mode_stat_host(st, "halt_ns", v->halt_ns);
	mode_stat_add(st, "interrupts", k->interrupts);
	mode_stat_add(st, "tlb_misses", k->tlb_misses);
	mode_stat_add(st, "unimplemented", k->unimplemented);
	if (k->unimplemented)
		mode_stat_fact(st, "unimplemented.first_rip", v->cpu.unimplemented_rip);
	mode_stat_host(st, "blocks_built", k->blocks_built);
	mode_stat_host(st, "insns_decoded", k->insns_decoded);
	mode_stat_host(st, "code_flushes", k->code_flushes);
	for (int i = 0; i < 32; i++) {
		if (!k->exceptions[i])
			continue;
		snprintf(name, sizeof(name), "exception.%d", i);
		mode_stat_add(st, name, k->exceptions[i]);
	}
}

const struct engine_ops emulate_engine = {
	.name = "emulate",
	.kind = ENGINE_GUEST,
	.probe = emu_probe,
	.backend = emu_backend,
	.bench_unsupported = emu_bench_unsupported,
	.create = emu_create,
	.run = emu_run,
	.stats = emu_stats,
	.destroy = emu_destroy,
	.cpu = emu_cpu,
};
