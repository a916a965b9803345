/* hw: the guest runs on the CPU through /dev/kvm. The in-kernel irqchip stands in for
 * the LAPIC model (KVM's timer runs on the same 1 GHz clock); port I/O and MMIO exits go
 * to the machine's bus. On kvm_pvm, ring-3 round trips do not work and are reported as
 * unsupported instead of being run. */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <unistd.h>
#include "../mode.h"
#include "../../util/interrupt.h"
#include "../../collect/host.h"
#include "../../abi/proto.h"

#define WATCH_TICK_MS 100
#define MAX_PORT_STATS 12

struct port_count {
	uint16_t port;
	uint64_t n;
};

struct hw_vm {
	int kvm, vm, vcpu;
	struct kvm_run *run;
	size_t run_size;
	struct machine *m;
	uint64_t exits[64];
	uint64_t eintr;
	struct port_count ports[MAX_PORT_STATS];
	struct kvm_cpuid2 *cpuid;   /* what the guest was given (KVM's supported set) */
};

static const char *backend_name(void)
{
	static char name[24];
	char detail[160];
	snprintf(name, sizeof(name), "kvm:%s", host_kvm_backend(detail, sizeof(detail)));
	return name;
}

static int hw_probe(char *why, size_t n)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, n, "cannot open /dev/kvm: %s", strerror(errno));
		return -1;
	}
	int api = ioctl(fd, KVM_GET_API_VERSION, 0);
	close(fd);
	if (api != KVM_API_VERSION) {
		snprintf(why, n, "/dev/kvm speaks API %d, not %d", api, KVM_API_VERSION);
		return -1;
	}
	return 0;
}

static bool has_irqchip(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return false;
	bool r = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQCHIP) > 0;
	close(fd);
	return r;
}

static const char *hw_bench_unsupported(const char *bench, unsigned needs)
{
	char detail[160];
	(void)bench;
	bool pvm = !strcmp(host_kvm_backend(detail, sizeof(detail)), "pvm");
	if (needs == PVB_NEED_LINUX && pvm) /* measured: ../shared/reference/this-machine.md */
		return "unsupported on this host: stock Linux does not boot under kvm_pvm (a 64-bit kernel's code "
		       "runs in KVM's instruction emulator, which fails at lock cmpxchg16b, xrstor and int3; a "
		       "32-bit kernel needs 32-bit or PAE paging, which kvm_pvm cannot run)";
	if ((needs & PVB_NEED_PAGING32) && pvm)
		return "unsupported on this host: kvm_pvm cannot run a guest that pages with 32-bit or PAE tables";
	if ((needs & PVB_NEED_RING3) == PVB_NEED_RING3 && pvm)
		return "unsupported on this host: kvm_pvm cannot run ring-3 round trips "
		       "(int 0x80 from CPL 3 raises #UD; syscall returns into kernel code at CPL 3)";
	if (!strncmp(bench, "timer_", 6) && !has_irqchip())
		return "unsupported on this host: KVM offers no in-kernel irqchip for the LAPIC timer";
	return NULL;
}

static int set_cpuid(struct hw_vm *v, char *err, size_t n)
{
	int nent = 128;
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));
	if (!c)
		return -1;
	c->nent = (uint32_t)nent;
	int r = ioctl(v->kvm, KVM_GET_SUPPORTED_CPUID, c);
	if (r == 0)
		r = ioctl(v->vcpu, KVM_SET_CPUID2, c);
	if (r) {
		snprintf(err, n, "KVM CPUID setup failed: %s", strerror(errno));
		free(c);
		return r;
	}
	v->cpuid = c;
	return 0;
}

static void seg(struct kvm_segment *s, uint16_t sel, uint8_t type, bool code64, bool db)
{
	*s = (struct kvm_segment){ .base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
				   .present = 1, .dpl = 0, .db = db, .s = 1, .l = code64, .g = 1 };
}

static int set_boot_state(struct hw_vm *v, const struct boot_state *bs, char *err, size_t n)
{
	struct kvm_sregs sr;
	if (ioctl(v->vcpu, KVM_GET_SREGS, &sr)) {
		snprintf(err, n, "KVM_GET_SREGS: %s", strerror(errno));
		return -1;
	}
	bool lm = bs->kind == BOOT_LONG64;
	seg(&sr.cs, bs->cs, 11, lm, !lm);
	seg(&sr.ds, bs->ds, 3, false, true);
	sr.es = sr.fs = sr.gs = sr.ss = sr.ds;
	sr.gdt.base = bs->gdt_base;
	sr.gdt.limit = bs->gdt_limit;
	sr.cr0 = bs->cr0;
	sr.cr3 = bs->cr3;
	sr.cr4 = bs->cr4;
	sr.efer = bs->efer;
	struct kvm_regs r = { .rip = bs->rip, .rsp = bs->rsp, .rax = bs->rax, .rbx = bs->rbx,
			      .rsi = bs->rsi, .rdi = bs->rdi, .rflags = 2 };
	if (ioctl(v->vcpu, KVM_SET_SREGS, &sr) || ioctl(v->vcpu, KVM_SET_REGS, &r)) {
		snprintf(err, n, "setting the boot registers: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void hw_destroy(void *opaque)
{
	struct hw_vm *v = opaque;
	if (!v)
		return;
	if (v->run)
		munmap(v->run, v->run_size);
	if (v->vcpu >= 0)
		close(v->vcpu);
	if (v->vm >= 0)
		close(v->vm);
	if (v->kvm >= 0)
		close(v->kvm);
	free(v->cpuid);
	free(v);
}

/* A VMI doorbell arrives as an MMIO read: the call's registers are fetched from KVM. */
static void vmi_regs_of(void *opaque, struct vmi_regs *out, bool want_tsc)
{
	struct hw_vm *v = opaque;
	struct kvm_regs r;
	struct kvm_sregs sr;
	struct { struct kvm_msrs h; struct kvm_msr_entry e; } tsc = { .h.nmsrs = 1, .e.index = 0x10 };
	memset(out, 0, sizeof(*out));
	if (ioctl(v->vcpu, KVM_GET_REGS, &r) == 0)
		*out = (struct vmi_regs){ .arg = { r.rdi, r.rsi, r.rdx, r.rcx, r.r8, r.r9 },
					  .ax = r.rax, .dx = r.rdx, .cx = r.rcx, .sp = r.rsp };
	if (ioctl(v->vcpu, KVM_GET_SREGS, &sr) == 0) {
		out->cr3 = sr.cr3;
		out->paging = vmi_paging_of(sr.cr0, sr.cr4, sr.efer);
	}
	if (want_tsc && ioctl(v->vcpu, KVM_GET_MSRS, &tsc) == 1)
		out->tsc = tsc.e.data;
}

static void *hw_create(struct machine *m, const struct boot_state *bs, char *err, size_t n)
{
	struct hw_vm *v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	v->m = m;
	v->vm = v->vcpu = -1;
	v->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	const char *step = "open /dev/kvm";
	if (v->kvm < 0)
		goto fail;
	step = "KVM_CREATE_VM";
	if ((v->vm = ioctl(v->kvm, KVM_CREATE_VM, 0)) < 0)
		goto fail;
	ioctl(v->vm, KVM_SET_TSS_ADDR, 0xfffbd000ul); /* needed on VT-x, harmless elsewhere */
	step = "KVM_CREATE_IRQCHIP";
	if (has_irqchip() && ioctl(v->vm, KVM_CREATE_IRQCHIP, 0))
		goto fail;
	struct kvm_userspace_memory_region region = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = m->mem.size,
		.userspace_addr = (uint64_t)(uintptr_t)m->mem.host,
	};
	step = "KVM_SET_USER_MEMORY_REGION";
	if (ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &region))
		goto fail;
	step = "KVM_CREATE_VCPU";
	if ((v->vcpu = ioctl(v->vm, KVM_CREATE_VCPU, 0)) < 0)
		goto fail;
	step = "mapping the vCPU run area";
	int sz = ioctl(v->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (sz <= 0)
		goto fail;
	v->run_size = (size_t)sz;
	v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->vcpu, 0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		goto fail;
	}
	if (set_cpuid(v, err, n) || set_boot_state(v, bs, err, n)) {
		hw_destroy(v);
		return NULL;
	}
	if (m->has_vmi)
		m->vmi.eng = (struct vmi_engine){ .opaque = v, .regs = vmi_regs_of };
	return v;
fail:
	snprintf(err, n, "%s: %s", step, strerror(errno));
	hw_destroy(v);
	return NULL;
}

/* The watchdog: a periodic SIGALRM kicks the vCPU out of KVM_RUN so the loop can check
 * its deadline; a hung guest becomes a failed measurement, never a hung pvbench. */
static struct kvm_run *volatile kicked_run;

static void on_alarm(int sig)
{
	(void)sig;
	if (kicked_run)
		kicked_run->immediate_exit = 1;
}

static void on_interrupt(int sig)
{
	interrupt_handler(sig);
	on_alarm(sig);
}

static void watchdog(struct kvm_run *run, bool on, struct sigaction old[2])
{
	struct itimerval it = { { 0, WATCH_TICK_MS * 1000 }, { 0, WATCH_TICK_MS * 1000 } };
	if (on) {
		kicked_run = run;
		struct sigaction sa = { .sa_handler = on_alarm };
		sigemptyset(&sa.sa_mask);
		sigaction(SIGALRM, &sa, &old[0]);
		sa.sa_handler = on_interrupt;
		sigaction(SIGINT, &sa, &old[1]);
		setitimer(ITIMER_REAL, &it, NULL);
	} else {
		memset(&it, 0, sizeof(it));
		setitimer(ITIMER_REAL, &it, NULL);
		sigaction(SIGALRM, &old[0], NULL);
		sigaction(SIGINT, &old[1], NULL);
		kicked_run = NULL;
	}
}

static void count_port(struct hw_vm *v, uint16_t port)
{
	for (int i = 0; i < MAX_PORT_STATS; i++) {
		if (v->ports[i].n && v->ports[i].port != port)
			continue;
		v->ports[i].port = port;
		v->ports[i].n++;
		return;
	}
}

static const char *exit_name(uint32_t reason)
{
	switch (reason) {
	case KVM_EXIT_IO: return "io";
	case KVM_EXIT_MMIO: return "mmio";
	case KVM_EXIT_HLT: return "hlt";
	case KVM_EXIT_SHUTDOWN: return "shutdown";
	case KVM_EXIT_FAIL_ENTRY: return "fail_entry";
	case KVM_EXIT_INTERNAL_ERROR: return "internal_error";
	case KVM_EXIT_INTR: return "intr";
	default: return NULL;
	}
}

/* The guest's rip and the bytes there (through KVM's translation of it): what a failure
 * KVM says no more about was doing. */
static void guest_rip_bytes(struct hw_vm *v, char *buf, size_t n)
{
	struct kvm_regs r;
	struct kvm_sregs sr;
	if (ioctl(v->vcpu, KVM_GET_REGS, &r) || ioctl(v->vcpu, KVM_GET_SREGS, &sr)) {
		snprintf(buf, n, "rip unknown: %s", strerror(errno));
		return;
	}
	bool flat64 = (sr.efer & 0x400) && sr.cs.l;
	struct kvm_translation t = { .linear_address = flat64 ? r.rip : (r.rip + sr.cs.base) & 0xffffffffull };
	size_t l = (size_t)snprintf(buf, n, "rip 0x%llx", (unsigned long long)r.rip);
	unsigned k = 0;
	const uint8_t *p = NULL;
	if (!ioctl(v->vcpu, KVM_TRANSLATE, &t) && t.valid) {
		unsigned room = 0x1000 - (unsigned)(t.physical_address & 0xfff);
		k = room < 15 ? room : 15;
		p = mem_ptr(&v->m->mem, t.physical_address, k);
	}
	if (!p) {
		snprintf(buf + l, n - l, " (its bytes: no translation to RAM)");
		return;
	}
	l += (size_t)snprintf(buf + l, n - l, " (bytes");
	for (unsigned j = 0; j < k && l < n; j++)
		l += (size_t)snprintf(buf + l, n - l, " %02x", p[j]);
	if (l < n)
		snprintf(buf + l, n - l, ")");
}

/* Returns true when the run is over (outcome filled). */
static bool handle_exit(struct hw_vm *v, struct run_outcome *out)
{
	struct kvm_run *r = v->run;
	if (r->exit_reason < 64)
		v->exits[r->exit_reason]++;
	switch (r->exit_reason) {
	case KVM_EXIT_IO: {
		uint8_t *data = (uint8_t *)r + r->io.data_offset;
		for (uint32_t i = 0; i < r->io.count; i++, data += r->io.size)
			bus_access(&v->m->bus, BUS_PIO, r->io.port, data, r->io.size, r->io.direction == KVM_EXIT_IO_OUT);
		count_port(v, r->io.port);
		return false;
	}
	case KVM_EXIT_MMIO:
		bus_access(&v->m->bus, BUS_MMIO, r->mmio.phys_addr, r->mmio.data, r->mmio.len, r->mmio.is_write);
		return false;
	case KVM_EXIT_INTR:
		return false;
	case KVM_EXIT_HLT:
		out->end = RUN_FAILED;
		snprintf(out->reason, sizeof(out->reason), "guest halted with nothing to wake it");
		return true;
	case KVM_EXIT_SHUTDOWN:
		out->end = RUN_FAILED;
		snprintf(out->reason, sizeof(out->reason), "triple fault (KVM_EXIT_SHUTDOWN)");
		return true;
	case KVM_EXIT_FAIL_ENTRY:
		out->end = RUN_FAILED;
		snprintf(out->reason, sizeof(out->reason), "VM entry failed (hardware reason 0x%llx)",
			 (unsigned long long)r->fail_entry.hardware_entry_failure_reason);
		return true;
	case KVM_EXIT_INTERNAL_ERROR: {
		char where[128];
		guest_rip_bytes(v, where, sizeof(where));
		out->end = RUN_FAILED;
		snprintf(out->reason, sizeof(out->reason), "KVM internal error: %s (suberror %u) at %s",
			 r->internal.suberror == KVM_INTERNAL_ERROR_EMULATION ? "instruction emulation failed"
			 : r->internal.suberror == KVM_INTERNAL_ERROR_DELIVERY_EV ? "event delivery failed"
			 : "see the KVM API", r->internal.suberror, where);
		return true;
	}
	default:
		out->end = RUN_FAILED;
		snprintf(out->reason, sizeof(out->reason), "unexpected KVM exit %u", r->exit_reason);
		return true;
	}
}

/* handle_exit, timed into the profile by exit reason when one is attached */
static bool take_exit(struct hw_vm *v, struct run_outcome *out)
{
	if (!v->m->prof)
		return handle_exit(v, out);
	struct prof_mark pm;
	uint32_t reason = v->run->exit_reason;
	const char *nm = exit_name(reason);
	prof_begin(v->m->prof, &pm);
	bool over = handle_exit(v, out);
	prof_end(v->m->prof, PROF_EXIT + (reason < 64 ? reason : 63), nm ? nm : "other", &pm);
	return over;
}

static void hw_run(void *opaque, uint64_t timeout_ms, struct run_outcome *out)
{
	struct hw_vm *v = opaque;
	struct sigaction old[2];
	uint64_t deadline = host_ns() + timeout_ms * 1000000ull;
	memset(out, 0, sizeof(*out));
	watchdog(v->run, true, old);
	for (;;) {
		if (ioctl(v->vcpu, KVM_RUN, 0) < 0) {
			if (errno != EINTR && errno != EAGAIN) {
				out->end = RUN_FAILED;
				snprintf(out->reason, sizeof(out->reason), "KVM_RUN: %s", strerror(errno));
				break;
			}
			v->eintr++;
			v->run->immediate_exit = 0;
		} else if (take_exit(v, out)) {
			break;
		}
		if (run_over(v->m, user_interrupted, deadline, timeout_ms, out))
			break;
	}
	watchdog(v->run, false, old);
}

static void given_cpuid(void *opaque, uint32_t leaf, uint32_t out[4])
{
	const struct kvm_cpuid2 *c = opaque;
	for (uint32_t k = 0; c && k < c->nent; k++)
		if (c->entries[k].function == leaf && c->entries[k].index == 0) {
			out[0] = c->entries[k].eax;
			out[1] = c->entries[k].ebx;
			out[2] = c->entries[k].ecx;
			out[3] = c->entries[k].edx;
			return;
		}
}

static void hw_stats(void *opaque, struct mode_stats *st)
{
	struct hw_vm *v = opaque;
	char name[48];
	mode_stat_cpuid(st, given_cpuid, v->cpuid);
	for (uint32_t i = 0; i < 64; i++) {
		if (!v->exits[i])
			continue;
		const char *nm = exit_name(i);
		if (nm)
			snprintf(name, sizeof(name), "exit.%s", nm);
		else
			snprintf(name, sizeof(name), "exit.%u", i);
		mode_stat_add(st, name, v->exits[i]);
	}
	mode_stat_host(st, "kvm_run.interrupted", v->eintr);
	for (int i = 0; i < MAX_PORT_STATS && v->ports[i].n; i++) {
		snprintf(name, sizeof(name), "exit.io.port_0x%x", v->ports[i].port);
		mode_stat_add(st, name, v->ports[i].n);
	}
}

const struct engine_ops hw_engine = {
	.name = "hw",
	.kind = ENGINE_GUEST,
	.lapic_in_kernel = true,
	.probe = hw_probe,
	.backend = backend_name,
	.bench_unsupported = hw_bench_unsupported,
	.create = hw_create,
	.run = hw_run,
	.stats = hw_stats,
	.destroy = hw_destroy,
};
