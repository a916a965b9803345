/* qemu-tcg and qemu-kvm: the same guest image under qemu-system-x86_64 -kernel, its COM1
 * result lines read back. QEMU's guest rdtsc is the host's TSC (TCG reads it too), so
 * the guest's own figures are real time. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "peer.h"

#define QEMU "qemu-system-x86_64"

extern const struct engine_ops hw_engine;

static int qemu_tcg_probe(char *why, size_t n) { return have_program(QEMU, why, n) ? 0 : -1; }

/* QEMU's KVM runs where ours does, on the same terms. */
static int qemu_kvm_probe(char *why, size_t n)
{
	return !have_program(QEMU, why, n) ? -1 : hw_engine.probe(why, n);
}

/* "7.2.22", asked once. */
static const char *version(void)
{
	static char v[32];
	if (v[0])
		return v;
	snprintf(v, sizeof(v), "?");
	FILE *p = popen(QEMU " --version 2>/dev/null", "r");
	char line[256];
	if (p && fgets(line, sizeof(line), p))
		sscanf(line, "QEMU emulator version %31s", v);
	if (p)
		pclose(p);
	return v;
}

static const char *qemu_tcg_backend(void)
{
	static char b[48];
	snprintf(b, sizeof(b), "qemu %s tcg", version());
	return b;
}

static const char *qemu_kvm_backend(void)
{
	static char b[48];
	snprintf(b, sizeof(b), "qemu %s %s", version(), hw_engine.backend());
	return b;
}

static const char *qemu_tcg_bench_unsupported(const char *bench, unsigned needs)
{
	(void)bench;
	(void)needs;
	return NULL; /* the guest says itself what TCG's CPU lacks (TSC-deadline) */
}

/* The same KVM as hw's, with the same limits. */
static const char *qemu_kvm_bench_unsupported(const char *bench, unsigned needs)
{
	return hw_engine.bench_unsupported(bench, needs);
}

static void run(const struct host_run *hr, const char *accel, ctl_msg_fn *emit, void *opaque)
{
	char cmdline[2048], plan[1024], mem[24];
	plan_cmdline(hr->plan, -1, plan, sizeof(plan));
	snprintf(cmdline, sizeof(cmdline), "%s%s%s", hr->append ? hr->append : "", hr->append ? " " : "", plan);
	snprintf(mem, sizeof(mem), "%llu", (unsigned long long)hr->mem_mb);
	struct peer_cmd pc = {
		.argv = { QEMU, "-accel", accel, "-m", mem, "-display", "none", "-nodefaults", "-no-reboot",
			  "-serial", "stdio", "-device", "isa-debug-exit,iobase=0xf4,iosize=4", "-kernel", hr->guest,
			  "-append", cmdline, hr->initrd ? "-initrd" : NULL, hr->initrd, NULL },
		.timeout_ms = hr->timeout_ms,
		.echo_fd = hr->echo_fd,
	};
	peer_run(&pc, emit, opaque);
}

static void qemu_tcg_run(const struct host_run *hr, ctl_msg_fn *emit, void *opaque) { run(hr, "tcg", emit, opaque); }
static void qemu_kvm_run(const struct host_run *hr, ctl_msg_fn *emit, void *opaque) { run(hr, "kvm", emit, opaque); }

const struct engine_ops qemu_tcg_engine = {
	.name = "qemu-tcg",
	.kind = ENGINE_PEER,
	.probe = qemu_tcg_probe,
	.backend = qemu_tcg_backend,
	.bench_unsupported = qemu_tcg_bench_unsupported,
	.run_host = qemu_tcg_run,
};

const struct engine_ops qemu_kvm_engine = {
	.name = "qemu-kvm",
	.kind = ENGINE_PEER,
	.probe = qemu_kvm_probe,
	.backend = qemu_kvm_backend,
	.bench_unsupported = qemu_kvm_bench_unsupported,
	.run_host = qemu_kvm_run,
};
