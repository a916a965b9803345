/* Integration: the benchmark guest under QEMU TCG (a check on the guest itself) and
 * under hw; tiny hand-assembled Multiboot kernels for boot's exit status, a triple fault
 * and a hang. Whatever this host cannot run is skipped with the reason printed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "helpers.h"
#include "../collect/host.h"
#include "../cli/cli.h"
#include "../collect/resultline.h"
#include "../lab/session.h"
#include "../vmm/x86/cpuid.h"
#include "../workloads/compute.h"
#include "../workloads/compute_mix.h"
#include "../workloads/callret.h"

#define GUEST "bin/pvbench-guest.elf"
#define GUEST32 "bin/pvbench-guest32.elf"

/* What a guest reported, per benchmark. */
struct seen {
	bool hello, done;
	int results[BENCH_MAX], unsupported[BENCH_MAX], ends[BENCH_MAX], failed[BENCH_MAX];
	uint64_t compute_value, mix_value, callret_value;
	char why[256], hello_text[PVB_TEXT_LEN];
};

static void record(void *opaque, const struct pvb_msg *m)
{
	struct seen *s = opaque;
	const struct bench_info *b = bench_find(m->bench);
	int i = b ? (int)(b - bench_table) : -1;
	switch (m->type) {
	case PVB_MSG_HELLO:
		s->hello = true;
		snprintf(s->hello_text, sizeof(s->hello_text), "%s", m->text);
		break;
	case PVB_MSG_DONE: s->done = true; break;
	case PVB_MSG_RESULT:
		if (i >= 0 && m->iters && m->tsc_hz)
			s->results[i]++;
		break;
	case PVB_MSG_UNSUPPORTED: if (i >= 0) s->unsupported[i]++; break;
	case PVB_MSG_FAILED:
		if (i >= 0)
			s->failed[i]++;
		snprintf(s->why, sizeof(s->why), "%s: %s", m->bench, m->text);
		break;
	case PVB_MSG_END: if (i >= 0) s->ends[i]++; break;
	case PVB_MSG_VALUE:
		if (i >= 0 && !strcmp(m->bench, "compute"))
			s->compute_value = m->value;
		if (i >= 0 && !strcmp(m->bench, "compute_mix"))
			s->mix_value = m->value;
		if (i >= 0 && !strcmp(m->bench, "callret"))
			s->callret_value = m->value;
		break;
	default: break;
	}
}

static uint64_t native_checksum(void)
{
	static struct compute_state c;
	return compute_checksum(&c);
}

static void check_all_reported(const struct seen *s, const bool *want, int reps)
{
	assert_true(s->hello);
	if (!s->done)
		fail_msg("guest did not finish: %s", s->why);
	for (int b = 0; b < bench_count; b++) {
		if (!want[b])
			continue;
		if (s->failed[b])
			fail_msg("%s failed: %s", bench_table[b].name, s->why);
		assert_int_equal(s->ends[b], 1);
		if (!s->unsupported[b] && s->results[b] != reps)
			fail_msg("%s: %d results, wanted %d", bench_table[b].name, s->results[b], reps);
	}
	assert_int_equal(s->compute_value, native_checksum());
	static struct mix_state mix;
	if (want[bench_find("compute_mix") - bench_table])
		assert_int_equal(s->mix_value, mix_checksum(&mix));
	if (want[bench_find("callret") - bench_table])
		assert_int_equal(s->callret_value, callret_checksum());
}

/* guest under QEMU TCG, the oracle: every benchmark reports, ring 3 included, and every
 * checksum is native's. */
static void qemu_tcg_runs(const char *guest, const char *extra)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "timeout 300 qemu-system-x86_64 -accel tcg -m 64 -display none -nodefaults -no-reboot"
		 " -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=4 -kernel %s"
		 " -append 'bench=all reps=2 rep_us=500 %s' 2>&1; echo \"QEMU-STATUS $?\"", guest, extra);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	struct seen s = { 0 };
	char line[512];
	int status = -1;
	while (fgets(line, sizeof(line), p)) {
		struct pvb_msg m;
		if (!resultline_parse(line, &m))
			record(&s, &m);
		sscanf(line, "QEMU-STATUS %d", &status);
	}
	pclose(p);
	bool want[BENCH_MAX];
	for (int b = 0; b < bench_count; b++)
		want[b] = bench_table[b].guest == GUEST_PVBENCH;
	check_all_reported(&s, want, 2);
	/* TCG runs ring 3, so the system-call benchmarks must have numbers there */
	assert_int_equal(s.results[bench_find("syscall_int80") - bench_table], 2);
	assert_int_equal(s.results[bench_find("syscall_sysret") - bench_table], 2);
	assert_int_equal(status, 1); /* debug-exit of 0 */
}

static void qemu_tcg_runs_every_benchmark(void **state)
{
	(void)state;
	if (system("command -v qemu-system-x86_64 >/dev/null 2>&1") != 0)
		skip(); /* prints SKIPPED; CI installs QEMU, so there it always runs */
	qemu_tcg_runs(GUEST, "");
	qemu_tcg_runs(GUEST32, "");
	qemu_tcg_runs(GUEST32, "paging=pae");
}

static const struct mode *hw_or_skip(void)
{
	const struct mode *hw = mode_find("hw");
	char why[256];
	if (hw->engine->probe(why, sizeof(why))) {
		print_message("hw unavailable here, skipped: %s\n", why);
		skip();
	}
	return hw;
}

/* Boots guest (with extra on its command line) under mode, every benchmark the engine
 * runs for that guest, and checks each reported and every checksum native's. */
static void boots_every_benchmark(const struct mode *mode, const char *guest, const char *extra, unsigned needs,
				  struct seen *s, struct session_result *r)
{
	const struct engine_ops *eng = mode->engine;
	struct bench_plan plan;
	plan_defaults(&plan, GUEST_PVBENCH);
	plan.reps = 2;
	plan.rep_us = 500;
	snprintf(plan.extra, sizeof(plan.extra), "%s", extra);
	for (int b = 0; b < bench_count; b++)
		plan.want[b] = bench_table[b].guest == GUEST_PVBENCH &&
			       !eng->bench_unsupported(bench_table[b].name, bench_table[b].needs | needs);
	char cmdline[1024];
	plan_cmdline(&plan, -1, cmdline, sizeof(cmdline));
	*s = (struct seen){ 0 };
	struct session ses = { .mode = mode, .kernel = guest, .format = IMAGE_AUTO, .cmdline = cmdline,
			       .mem_bytes = 64 << 20, .echo_fd = -1, .timeout_ms = 300000, .on_msg = record, .opaque = s };
	session_boot(&ses, r);
	assert_false(r->setup_failed);
	if (r->out.end != RUN_EXITED)
		fail_msg("%s: %s", mode->name, r->out.reason);
	assert_int_equal(r->out.exit_status, 1);
	check_all_reported(s, plan.want, 2);
}

static void runs_every_supported_benchmark(const struct mode *mode)
{
	const struct engine_ops *eng = mode->engine;
	struct seen s;
	struct session_result r;
	boots_every_benchmark(mode, GUEST, "", 0, &s, &r);
	/* the VMI hook has a number exactly when the guest took the VMI interface */
	assert_int_equal(s.results[bench_find("vmi_null") - bench_table], mode->iface == IFACE_VMI ? 2 : 0);
	if (!eng->bench_unsupported("syscall_int80", PVB_NEED_RING3))
		assert_int_equal(s.results[bench_find("syscall_int80") - bench_table], 2);
	/* the CPUID the guest was given goes with the run: the model's own under emulate and bt */
	if (eng->cpu) {
		assert_int_equal(mode_stat_value(&r.stats, "cpuid.1.eax"), X86_CPUID_SIGNATURE);
		assert_int_equal(mode_stat_value(&r.stats, "cpuid.1.edx"), X86_CPUID_L1_EDX);
		assert_int_equal(mode_stat_value(&r.stats, "cpuid.0.ebx"), 0x756e6547); /* "Genu" */
	} else {
		assert_true(mode_stat_value(&r.stats, "cpuid.1.eax") != 0);
	}
	if (eng == mode_find("bt")->engine) {
		/* the translator chained blocks, and the MMIO read (device memory every time)
		 * became a plain callout */
		assert_true(mode_stat_value(&r.stats, "bt.chain_hits") > 0);
		assert_true(mode_stat_value(&r.stats, "bt.adapted") >= 1);
	}
}

/* The 32-bit guest, from the same sources: every benchmark under the interpreter in both
 * paging modes, natively and through VMI, the system calls through int 0x80 and sysenter from ring 3, the guest
 * saying which paging it runs; and on a host whose KVM cannot page in 32 bits, hw refuses
 * every benchmark of it, saying why, instead of booting it. */
static void the_32bit_guest_runs_every_benchmark(void **state)
{
	(void)state;
	static const char *const paging[][2] = { { "", "i386, 2-level paging" }, { "paging=pae", "i386, PAE paging" } };
	for (int k = 0; k < 2; k++) {
		struct seen s;
		struct session_result r;
		boots_every_benchmark(mode_find("emulate"), GUEST32, paging[k][0], PVB_NEED_PAGING32, &s, &r);
		assert_non_null(strstr(s.hello_text, paging[k][1]));
		assert_int_equal(s.results[bench_find("syscall_int80") - bench_table], 2);
		assert_int_equal(s.results[bench_find("syscall_sysret") - bench_table], 2);
		assert_int_equal(s.results[bench_find("proc_lifecycle") - bench_table], 2);
	}
	/* and through the 32-bit VMI ABI (regparm(3) calls, SetPxE or SetPxELong) on both
	 * engines: every benchmark, every page-table update the VMM's to apply found */
	static const char *const vmi_modes[] = { "vmi:emulate", "vmi:bt" };
	for (int k = 0; k < 4; k++) {
		struct seen s;
		struct session_result r;
		boots_every_benchmark(mode_find(vmi_modes[k / 2]), GUEST32, paging[k % 2][0], PVB_NEED_PAGING32, &s, &r);
		if (!strstr(s.hello_text, "vmi 3.0") || !strstr(s.hello_text, paging[k % 2][1]))
			fail_msg("%s: the guest says '%s'", vmi_modes[k / 2], s.hello_text);
		assert_int_equal(s.results[bench_find("vmi_null") - bench_table], 2);
		assert_true(mode_stat_value(&r.stats, "vmi.updates_applied") > 0);
		assert_int_equal(mode_stat_value(&r.stats, "vmi.bad_ptep"), 0);
		assert_true(mode_stat_value(&r.stats, "vmi.tables_announced") > 0);
		/* on the shadow, VMI leaves no trace: every table announced, every update a call */
		if (k >= 2 && mode_stat_value(&r.stats, "shadow.traces"))
			fail_msg("vmi:bt %s: %llu traces", paging[k % 2][1],
				 (unsigned long long)mode_stat_value(&r.stats, "shadow.traces"));
	}
	/* and the native interface on the shadow: its page-table stores trace, and the
	 * instructions that keep tracing adapt into callouts */
	for (int k = 0; k < 2; k++) {
		struct seen s;
		struct session_result r;
		boots_every_benchmark(mode_find("bt"), GUEST32, paging[k][0], PVB_NEED_PAGING32, &s, &r);
		assert_true(mode_stat_value(&r.stats, "shadow.hidden_faults") > 0);
		assert_true(mode_stat_value(&r.stats, "shadow.traces") > 0);
		assert_true(mode_stat_value(&r.stats, "shadow.adapted") > 0);
	}
	const struct engine_ops *hw = mode_find("hw")->engine;
	char detail[160];
	if (!strcmp(host_kvm_backend(detail, sizeof(detail)), "pvm"))
		assert_non_null(strstr(hw->bench_unsupported("ptemod", PVB_NEED_KERNEL | PVB_NEED_PAGING32), "32-bit or PAE"));
}

static void hw_runs_every_supported_benchmark(void **state)
{
	(void)state;
	runs_every_supported_benchmark(hw_or_skip());
}

static void emulate_runs_every_benchmark(void **state)
{
	(void)state;
	runs_every_supported_benchmark(mode_find("emulate"));
}

static void bt_runs_every_benchmark(void **state)
{
	(void)state;
	runs_every_supported_benchmark(mode_find("bt"));
}

static void vmi_runs_every_benchmark_on_each_engine(void **state)
{
	(void)state;
	runs_every_supported_benchmark(mode_find("vmi:emulate"));
	runs_every_supported_benchmark(mode_find("vmi:bt"));
	hw_or_skip();
	runs_every_supported_benchmark(mode_find("vmi:hw"));
}

static const uint8_t exit_code[] = {
	0x66, 0xba, 0xf8, 0x03, 0xb0, 'h', 0xee, 0xb0, 'i', 0xee, 0xb0, '\n', 0xee, /* "hi\n" on COM1 */
	0xb0, 0x21, 0xe6, 0xf4, 0xf4, 0xeb, 0xfd,                               /* debug-exit 0x21 */
};

/* A flat Multiboot kernel (a.out kludge) loaded at base, code at +0x20. */
static const char *tiny_kernel_at(const char *name, const uint8_t *code, size_t n, uint32_t base)
{
	static char path[128];
	uint32_t h[8] = { 0x1badb002, 0x10000, 0, base, base, 0, 0, base + 0x20 };
	h[2] = -(h[0] + h[1]);
	snprintf(path, sizeof(path), "/tmp/pvbench-tiny-%s-%d", name, getpid());
	FILE *f = fopen(path, "wb");
	fwrite(h, 1, sizeof(h), f);
	fwrite(code, 1, n, f);
	static const uint8_t pad[0x60];
	fwrite(pad, 1, sizeof(pad), f); /* at least 0x80 bytes in all */
	fclose(f);
	return path;
}

static const char *tiny_kernel(const char *name, const uint8_t *code, size_t n)
{
	return tiny_kernel_at(name, code, n, 0x100000);
}

/* A minimal ELF64 kernel: one segment at 1 MiB, entered in long mode by the loader. */
static const char *tiny_elf64(const char *name, const uint8_t *code, size_t n)
{
	static char path[128];
	uint8_t img[0x100] = { 0 };
	size_t code_off = ELF64_HEADERS_SIZE;
	loader_elf64_headers(img, 0x100000 + code_off, 0x100000, 0, sizeof(img));
	memcpy(img + code_off, code, n);
	snprintf(path, sizeof(path), "/tmp/pvbench-tiny-%s-%d", name, getpid());
	FILE *f = fopen(path, "wb");
	fwrite(img, 1, sizeof(img), f);
	fclose(f);
	return path;
}

static struct session_result boot_tiny(const struct mode *m, const char *path, uint64_t timeout_ms)
{
	struct session s = { .mode = m, .kernel = path, .format = IMAGE_AUTO, .cmdline = "",
			     .mem_bytes = 16 << 20, .echo_fd = -1, .timeout_ms = timeout_ms };
	struct session_result r;
	session_boot(&s, &r);
	unlink(path);
	return r;
}

static void hw_boot_reports_exit_status_and_serial(void **state)
{
	(void)state;
	const struct mode *hw = hw_or_skip();
	struct session_result r = boot_tiny(hw, tiny_kernel("exit", exit_code, sizeof(exit_code)), 30000);
	assert_false(r.setup_failed);
	assert_int_equal(r.out.end, RUN_EXITED);
	assert_int_equal(r.out.exit_status, (0x21 << 1) | 1);
	assert_string_equal(r.last_line, "hi");
}

static void hw_triple_fault_is_a_failure(void **state)
{
	(void)state;
	const struct mode *hw = hw_or_skip();
	static const uint8_t code[] = {
		0x0f, 0x01, 0x1d, 0x03, 0x00, 0x00, 0x00, /* lidt [rip+3]: the zero IDTR below */
		0xcc,                                     /* int3 -> #GP -> #DF -> shutdown */
		0xeb, 0xfe,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	};
	struct session_result r = boot_tiny(hw, tiny_elf64("tf", code, sizeof(code)), 30000);
	assert_int_equal(r.out.end, RUN_FAILED);
	/* kvm_pvm emulates the #GP -> #DF chain in software and gives up with an emulation
	 * failure instead of KVM_EXIT_SHUTDOWN (measured); hardware backends shut down */
	char detail[160];
	bool pvm = !strcmp(host_kvm_backend(detail, sizeof(detail)), "pvm");
	if (!strstr(r.out.reason, "triple fault") && !(pvm && strstr(r.out.reason, "emulation failed")))
		fail_msg("reason: %s", r.out.reason);
	/* a KVM internal error names where the guest was: its rip and the bytes there (the
	 * int3 at 0x10007f, whose #GP chain kvm_pvm could not emulate) */
	if (strstr(r.out.reason, "internal error") && !strstr(r.out.reason, "at rip 0x10007f (bytes cc eb fe"))
		fail_msg("an internal error without the guest's rip and bytes: %s", r.out.reason);
}

static void hw_hang_is_stopped_by_the_watchdog(void **state)
{
	(void)state;
	const struct mode *hw = hw_or_skip();
	static const uint8_t code[] = { 0xfa, 0xf4, 0xeb, 0xfd }; /* cli; hlt; jmp */
	uint64_t t0 = host_ns();
	struct session_result r = boot_tiny(hw, tiny_kernel("hang", code, sizeof(code)), 1000);
	assert_int_equal(r.out.end, RUN_TIMEOUT);
	assert_true(host_ns() - t0 < 10000000000ull);
}

/* Multiboot as GRUB and QEMU do it: the command line starts with the kernel's path
 * (argv[0]), and a module is loaded after the kernel and listed with its string. */
static void multiboot_modules_and_argv0(void **state)
{
	(void)state;
	char mod[64];
	snprintf(mod, sizeof(mod), "/tmp/pvbench-module-%d", getpid());
	FILE *f = fopen(mod, "wb");
	assert_non_null(f);
	fputs("A module", f);
	fclose(f);
	static const uint8_t first_byte[] = { 0x8b, 0x73, 0x18, 0x8b, 0x36, 0x0f, 0xb6, 0x06, 0xe6, 0xf4, 0xf4 };
	static const uint8_t count[] = { 0x8b, 0x43, 0x14, 0xe6, 0xf4, 0xf4 };
	static const uint8_t argv0[] = { 0x8b, 0x73, 0x10, 0x0f, 0xb6, 0x06, 0xe6, 0xf4, 0xf4 };
	static const uint8_t modstr[] = { 0x8b, 0x73, 0x18, 0x8b, 0x76, 0x08, 0x0f, 0xb6, 0x46, 0x05, 0xe6, 0xf4, 0xf4 };
	static const struct {
		const uint8_t *code;
		size_t n;
		int want;
	} cases[] = { { first_byte, sizeof(first_byte), 'A' }, { count, sizeof(count), 1 }, { argv0, sizeof(argv0), '/' },
		      { modstr, sizeof(modstr), 'p' } }; /* "/tmp/pvbench-module-N arg": its 6th byte */
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct session s = { .mode = mode_find("emulate"), .kernel = tiny_kernel("mb", cases[k].code, cases[k].n),
				     .format = IMAGE_AUTO, .cmdline = "x=1", .initrd = mod, .module_string = "/tmp/pvbench-module arg",
				     .mem_bytes = 16 << 20, .echo_fd = -1, .timeout_ms = 10000 };
		struct session_result r;
		session_boot(&s, &r);
		unlink(s.kernel);
		assert_false(r.setup_failed);
		assert_int_equal(r.out.end, RUN_EXITED);
		assert_int_equal(r.out.exit_status, (cases[k].want << 1) | 1);
	}
	unlink(mod);
}

/* A kernel that loads at 0x8000, over the loader's usual area: the loader puts its
 * structures elsewhere, and the kernel finds its command line and module through them. */
static void a_low_kernel_boots(void **state)
{
	(void)state;
	char mod[64];
	snprintf(mod, sizeof(mod), "/tmp/pvbench-lowmod-%d", getpid());
	FILE *f = fopen(mod, "wb");
	assert_non_null(f);
	fputs("Low", f);
	fclose(f);
	/* argv[0]'s first byte plus the module's first byte: '/' + 'L' */
	static const uint8_t code[] = { 0x8b, 0x73, 0x10, 0x0f, 0xb6, 0x06, 0x8b, 0x73, 0x18, 0x8b, 0x36, 0x02, 0x06,
					0xe6, 0xf4, 0xf4 };
	static const char *const modes[] = { "emulate", "bt" };
	for (int k = 0; k < 2; k++) {
		struct session s = { .mode = mode_find(modes[k]), .kernel = tiny_kernel_at("low", code, sizeof(code), 0x8000),
				     .format = IMAGE_AUTO, .cmdline = "", .initrd = mod, .module_string = "m",
				     .mem_bytes = 16 << 20, .echo_fd = -1, .timeout_ms = 10000 };
		struct session_result r;
		session_boot(&s, &r);
		unlink(s.kernel);
		if (r.setup_failed || r.out.end != RUN_EXITED)
			fail_msg("%s: %s", modes[k], r.out.reason);
		assert_int_equal(r.out.exit_status, ((('/' + 'L') & 0xff) << 1) | 1);
	}
	unlink(mod);
}

/* QEMU's fw_cfg answers: its signature, one CPU (not the 65534 that 0xff bytes read as),
 * and the RAM size, byte by byte from the data port. */
static void fw_cfg_answers(void **state)
{
	(void)state;
	static const uint8_t sig[] = { 0x66, 0xba, 0x10, 0x05, 0x66, 0xb8, 0x00, 0x00, 0x66, 0xef, 0x66, 0x42, 0xec,
				       0xe6, 0xf4, 0xf4 };
	static const uint8_t cpus[] = { 0x66, 0xba, 0x10, 0x05, 0x66, 0xb8, 0x05, 0x00, 0x66, 0xef, 0x66, 0x42, 0xec,
					0xe6, 0xf4, 0xf4 };
	static const uint8_t ram[] = { 0x66, 0xba, 0x10, 0x05, 0x66, 0xb8, 0x03, 0x00, 0x66, 0xef, 0x66, 0x42,
				       0xec, 0xec, 0xec, 0xec, 0xe6, 0xf4, 0xf4 }; /* the fourth byte of 16 MiB */
	static const struct {
		const uint8_t *code;
		size_t n;
		int want;
	} cases[] = { { sig, sizeof(sig), 'Q' }, { cpus, sizeof(cpus), 1 }, { ram, sizeof(ram), 1 } };
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct session_result r = boot_tiny(mode_find("emulate"), tiny_kernel("fwcfg", cases[k].code, cases[k].n), 10000);
		assert_int_equal(r.out.end, RUN_EXITED);
		assert_int_equal(r.out.exit_status, (cases[k].want << 1) | 1);
	}
}

/* Faults are precise: an undefined opcode faults at itself (not at its block's start), a
 * branch to a non-canonical address faults on the branch (not at the target), in the
 * interpreter and in translated code alike. No IDT: the triple fault names the first
 * vector and where it was raised. */
static void faults_are_precise(void **state)
{
	(void)state;
	static const uint8_t ud[] = { 0xb8, 1, 0, 0, 0, 0xd6 }; /* mov eax, 1; (undefined) */
	static const uint8_t nc[] = { 0x48, 0xb8, 0, 0, 0, 0, 0, 0x80, 0, 0, 0xff, 0xe0 }; /* movabs rax, 1 << 47; jmp rax */
	static const uint8_t ncret[] = { 0x48, 0xb8, 0, 0, 0, 0, 0, 0x80, 0, 0, 0x50, 0xc3 }; /* ...; push rax; ret */
	static const char *const modes[] = { "emulate", "bt" };
	for (int k = 0; k < 2; k++) {
		const struct mode *m = mode_find(modes[k]);
		struct session_result r = boot_tiny(m, tiny_elf64("ud", ud, sizeof(ud)), 10000);
		assert_non_null(strstr(r.out.reason, "vector 6"));
		assert_non_null(strstr(r.out.reason, "rip 0x10007d")); /* the code starts at 0x100078 */
		r = boot_tiny(m, tiny_elf64("nc", nc, sizeof(nc)), 10000);
		assert_non_null(strstr(r.out.reason, "vector 13"));
		assert_non_null(strstr(r.out.reason, "rip 0x100082"));
		r = boot_tiny(m, tiny_elf64("ncret", ncret, sizeof(ncret)), 10000);
		assert_non_null(strstr(r.out.reason, "vector 13"));
		assert_non_null(strstr(r.out.reason, "rip 0x100083"));
	}
}

/* What the CPU does not have, or values no MSR or table register may hold, are #GP at the
 * instruction (the code starts at 0x100078; no IDT, so the triple fault names the first
 * vector and where it came from), after the legal forms before them went through. */
static void the_cpu_refuses_what_it_lacks(void **state)
{
	(void)state;
	static const uint8_t cr4[] = {
		0x0f, 0x20, 0xe0, 0x48, 0x0d, 0x80, 0, 0, 0, 0x0f, 0x22, 0xe0, /* cr4 |= PGE: legal */
		0x48, 0x0d, 0, 0, 0x10, 0, 0x0f, 0x22, 0xe0,                   /* cr4 |= SMEP (not here): #GP */
	};
	static const uint8_t fsbase[] = {
		0xb9, 0x00, 0x01, 0x00, 0xc0, 0x31, 0xc0, 0x31, 0xd2, 0x0f, 0x30, /* FS_BASE = 0: legal */
		0xba, 0x00, 0x80, 0x00, 0x00, 0x0f, 0x30,                         /* FS_BASE = 1 << 47: #GP */
	};
	static const uint8_t lgdt[] = { 0x0f, 0x01, 0x15, 0x01, 0, 0, 0, 0xf4, /* lgdt [rip + 1]; hlt */
					0xff, 0xff, 0, 0, 0, 0, 0, 0x80, 0, 0 }; /* base 1 << 47 */
	static const uint8_t rdpmc[] = { 0x31, 0xc9, 0x0f, 0x33 }; /* no counters: #GP, not #UD */
	static const uint8_t nullss[] = { 0xb8, 0, 0, 0, 0, 0x8e, 0xd0,  /* mov ss, 0: legal in 64-bit mode at CPL 0 */
					  0xb8, 3, 0, 0, 0, 0x8e, 0xd0 }; /* mov ss, 3: RPL != CPL: #GP */
	static const uint8_t pgoff[] = { 0x0f, 0x20, 0xc0, 0x25, 0xff, 0xff, 0xff, 0x7f, /* cr0 & ~PG, */
					 0x0f, 0x22, 0xc0 };                           /* in 64-bit mode: #GP */
	static const struct {
		const char *name;
		const uint8_t *code;
		size_t n;
		const char *rip;
	} cases[] = { { "cr4", cr4, sizeof(cr4), "rip 0x10008a" }, { "fsbase", fsbase, sizeof(fsbase), "rip 0x100088" },
		      { "lgdt", lgdt, sizeof(lgdt), "rip 0x100078" }, { "rdpmc", rdpmc, sizeof(rdpmc), "rip 0x10007a" },
		      { "nullss", nullss, sizeof(nullss), "rip 0x100084" }, { "pgoff", pgoff, sizeof(pgoff), "rip 0x100080" } };
	static const char *const modes[] = { "emulate", "bt" };
	for (int k = 0; k < 2; k++)
		for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
			struct session_result r = boot_tiny(mode_find(modes[k]), tiny_elf64(cases[c].name, cases[c].code, cases[c].n),
							    10000);
			if (!strstr(r.out.reason, "vector 13") || !strstr(r.out.reason, cases[c].rip))
				fail_msg("%s, %s: %s (wanted #GP at %s)", modes[k], cases[c].name, r.out.reason, cases[c].rip);
		}
}

/* An instruction the model does not implement (LAR) is never silent: without --strict a
 * #UD to the guest (here a triple fault, no IDT) and counted; with it the boot fails
 * naming the instruction, its rip and bytes, before it runs. */
static void strict_stops_at_an_unimplemented_instruction(void **state)
{
	(void)state;
	static const uint8_t lar[] = { 0x0f, 0x02, 0xc0, 0xf4 }; /* lar eax, ax; hlt */
	static const char *const modes[] = { "emulate", "bt" };
	for (int k = 0; k < 2; k++) {
		struct session s = { .mode = mode_find(modes[k]), .kernel = tiny_elf64("lar", lar, sizeof(lar)),
				     .format = IMAGE_AUTO, .cmdline = "", .mem_bytes = 16 << 20, .echo_fd = -1,
				     .timeout_ms = 10000 };
		struct session_result r;
		session_boot(&s, &r);
		assert_int_equal(r.out.end, RUN_FAILED);
		assert_non_null(strstr(r.out.reason, "triple fault"));
		assert_int_equal(mode_stat_value(&r.stats, "unimplemented"), 1);
		s.strict = true;
		session_boot(&s, &r);
		unlink(s.kernel);
		assert_int_equal(r.out.end, RUN_FAILED);
		if (!strstr(r.out.reason, "unimplemented instruction lar at rip 0x100078 (bytes 0f 02 c0) (--strict)"))
			fail_msg("%s: %s", modes[k], r.out.reason);
	}
}

/* A guest whose one instruction does millions of device accesses (rep outsb to COM1, rep
 * movsq from device memory nothing claims) is still stopped by the watchdog in time: the
 * slice between watchdog checks counts rep-string elements, not just instructions. */
static void rep_strings_cannot_outrun_the_watchdog(void **state)
{
	(void)state;
	static const uint8_t outsb[] = {
		0x66, 0xba, 0xf8, 0x03,                   /* mov dx, 0x3f8 */
		0x48, 0xc7, 0xc6, 0x00, 0x00, 0x10, 0x00, /* mov rsi, 0x100000 */
		0x48, 0xc7, 0xc1, 0x00, 0x00, 0x00, 0x03, /* mov rcx, 0x3000000 */
		0xf3, 0x6e, 0xeb, 0xea,                   /* rep outsb; jmp back */
	};
	static const uint8_t movsq[] = {
		0x48, 0xbe, 0x00, 0x00, 0x00, 0xc0, 0, 0, 0, 0,    /* mov rsi, 3 GiB: no RAM, no device */
		0x48, 0xc7, 0xc7, 0x00, 0x00, 0x20, 0x00,          /* mov rdi, 0x200000 */
		0x48, 0xc7, 0xc1, 0x00, 0x00, 0x00, 0x03,          /* mov rcx, 0x3000000 */
		0xf3, 0x48, 0xa5, 0xeb, 0xe3,                      /* rep movsq; jmp back */
	};
	static const char *const modes[] = { "emulate", "bt" };
	for (int k = 0; k < 2; k++)
		for (int g = 0; g < 2; g++) {
			uint64_t t0 = host_ns();
			struct session_result r = boot_tiny(mode_find(modes[k]), g ? tiny_elf64("movsq", movsq, sizeof(movsq))
									    : tiny_elf64("outsb", outsb, sizeof(outsb)), 1000);
			if (r.out.end != RUN_TIMEOUT)
				fail_msg("%s, %s: %s", modes[k], g ? "rep movsq" : "rep outsb", r.out.reason);
			/* before: 464 s for rep outsb with a 1 s watchdog; a generous bound, not a speed test */
			assert_true(host_ns() - t0 < 30000000000ull);
		}
}

/* A guest that floods the control port with results: each message costs O(1), no more are
 * kept than the repetitions asked, the benchmark fails saying so, and the others measure. */
static void a_message_flood_is_bounded(void **state)
{
	(void)state;
	char db[64];
	snprintf(db, sizeof(db), "/tmp/pvbench-flood-%d.db", getpid());
	unlink_db(db);
	char *argv[] = { "run", "--modes", "emulate", "--bench", "cpuid,io_in", "--reps", "3", "--rep-us", "500", "--quiet",
			 "--guest-args", "inject=cpuid:flood", "--db", db, "--guest", GUEST, NULL };
	assert_int_equal(cmd_run(16, argv), 1);
	struct result_set rs;
	load_stored_run(db, 0, &rs);
	int cpuid_rows = 0, io_ok = 0;
	bool said = false;
	for (size_t i = 0; i < rs.nm; i++) {
		cpuid_rows += !strcmp(rs.m[i].bench, "cpuid");
		io_ok += !strcmp(rs.m[i].bench, "io_in") && rs.m[i].status == MS_OK;
		said |= !strcmp(rs.m[i].bench, "cpuid") && rs.m[i].status == MS_FAILED &&
			strstr(rs.m[i].reason, "more than the 3 repetitions");
	}
	assert_true(said);
	assert_true(cpuid_rows <= 4); /* 3 results and the failure: not 200,000 */
	assert_int_equal(io_ok, 3);
	results_free(&rs);
	unlink_db(db);
}

/* A benchmark that kills or hangs its guest is a failed measurement; the others still
 * run (in a fresh boot) and everything lands in the store. */
static void run_survives_a_dying_guest(const char *inject, const char *reason)
{
	char db[64], args[64];
	snprintf(db, sizeof(db), "/tmp/pvbench-inject-%d.db", getpid());
	snprintf(args, sizeof(args), "inject=ptemod:%s", inject);
	unlink(db);
	char *argv[] = { "run", "--modes", "hw", "--bench", "cpuid,ptemod,io_in", "--reps", "2", "--rep-us", "500",
			 "--timeout", "3", "--quiet", "--guest-args", args, "--db", db, "--guest", GUEST, NULL };
	assert_int_equal(cmd_run(18, argv), 1);
	struct result_set rs;
	load_stored_run(db, 0, &rs);
	int ok[3] = { 0 }, failed = 0;
	static const char *names[] = { "cpuid", "ptemod", "io_in" };
	for (size_t i = 0; i < rs.nm; i++) {
		for (int b = 0; b < 3; b++)
			if (!strcmp(rs.m[i].bench, names[b]) && rs.m[i].status == MS_OK)
				ok[b]++;
		if (!strcmp(rs.m[i].bench, "ptemod") && rs.m[i].status == MS_FAILED) {
			failed++;
			if (!strstr(rs.m[i].reason, reason))
				fail_msg("ptemod's reason '%s' lacks '%s'", rs.m[i].reason, reason);
		}
	}
	assert_int_equal(failed, 1);
	assert_int_equal(ok[0], 2);
	assert_int_equal(ok[1], 0);
	assert_int_equal(ok[2], 2);
	results_free(&rs);
	unlink(db);
}

/* kill -9 in the middle of a run: the modes that finished are in the store already (the
 * run is stored as it goes), and the run says it did not finish. The second mode's guest
 * hangs in cpuid until the kill. */
static void a_killed_run_keeps_the_modes_it_finished(void **state)
{
	(void)state;
	char db[64];
	snprintf(db, sizeof(db), "/tmp/pvbench-sigkill-%d.db", getpid());
	unlink_db(db);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		execl("bin/pvbench", "pvbench", "run", "--modes", "native,emulate", "--bench", "compute,cpuid", "--reps", "2",
		      "--rep-us", "500", "--timeout", "600", "--guest-args", "inject=cpuid:hang", "--quiet", "--db", db,
		      "--guest", GUEST, (char *)NULL);
		_exit(127);
	}
	/* until native's results are stored, however long a loaded host takes (the run cannot
	 * end by itself before the kill: its guest hangs for the whole 600 s watchdog) */
	bool native_stored = false;
	int status = 0;
	pid_t ended = 0;
	while (!native_stored && !(ended = waitpid(pid, &status, WNOHANG))) {
		usleep(100000);
		struct store st;
		struct run_meta meta;
		struct host_info h;
		struct result_set rs = { 0 };
		char err[256];
		if (store_open(&st, db, 1000, err, sizeof(err)))
			continue;
		if (!store_load_run(&st, 0, &meta, &h, &rs, err, sizeof(err)))
			for (size_t i = 0; i < rs.nm; i++)
				native_stored |= !strcmp(rs.m[i].mode, "native") && rs.m[i].status == MS_OK;
		results_free(&rs);
		store_close(&st);
	}
	if (!ended) {
		kill(pid, SIGKILL);
		assert_int_equal(waitpid(pid, &status, 0), pid);
	}
	assert_true(native_stored);
	assert_true(WIFSIGNALED(status)); /* killed, not finished: emulate's cpuid was still hanging */
	struct result_set rs;
	load_stored_run(db, 0, &rs);
	int native_ok = 0, emulate_rows = 0;
	for (size_t i = 0; i < rs.nm; i++) {
		native_ok += !strcmp(rs.m[i].mode, "native") && !strcmp(rs.m[i].bench, "compute") && rs.m[i].status == MS_OK;
		emulate_rows += !strcmp(rs.m[i].mode, "emulate");
	}
	assert_int_equal(native_ok, 2);
	assert_int_equal(emulate_rows, 0);
	results_free(&rs);
	char *argv[] = { "show", "--db", db, NULL };
	int out = dup(STDOUT_FILENO);
	FILE *tmp = tmpfile();
	dup2(fileno(tmp), STDOUT_FILENO);
	int rc = cmd_show(3, argv);
	fflush(stdout);
	dup2(out, STDOUT_FILENO);
	close(out);
	char text[4096] = { 0 };
	rewind(tmp);
	size_t got = fread(text, 1, sizeof(text) - 1, tmp);
	fclose(tmp);
	assert_int_equal(rc, 0);
	assert_true(got > 0 && strstr(text, "did not finish"));
	unlink_db(db);
}

/* Ctrl-C in the middle of a run: pvbench stops the whole run (not only the guest running),
 * stores what finished, marks what it would have run as interrupted (not one cell absent)
 * and exits 130. Repetitions of 4 s keep the run going long past the signal. */
static void ctrl_c_stops_the_run_and_keeps_what_finished(void **state)
{
	(void)state;
	char db[64];
	snprintf(db, sizeof(db), "/tmp/pvbench-sigint-%d.db", getpid());
	unlink_db(db);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		execl("bin/pvbench", "pvbench", "run", "--modes", "emulate,native", "--bench", "cpuid,compute", "--reps", "2",
		      "--rep-us", "4000000", "--quiet", "--db", db, "--guest", GUEST, (char *)NULL);
		_exit(127);
	}
	sleep(2);
	kill(pid, SIGINT);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 130);
	struct result_set rs;
	load_stored_run(db, 0, &rs);
	static const char *const cells[][3] = { { "emulate", "cpuid", "interrupted" }, { "emulate", "compute", "interrupted" },
						{ "native", "compute", "interrupted" }, { "native", "cpuid", "not a native" } };
	for (int k = 0; k < 4; k++) {
		bool seen = false;
		for (size_t i = 0; i < rs.nm; i++)
			seen |= !strcmp(rs.m[i].mode, cells[k][0]) && !strcmp(rs.m[i].bench, cells[k][1]) &&
				rs.m[i].status != MS_OK && strstr(rs.m[i].reason, cells[k][2]);
		if (!seen)
			fail_msg("%s %s is not stored as '%s'", cells[k][0], cells[k][1], cells[k][2]);
	}
	results_free(&rs);
	unlink_db(db);
}

static void hw_run_goes_on_after_a_hang(void **state)
{
	(void)state;
	hw_or_skip();
	run_survives_a_dying_guest("hang", "watchdog");
}

static void hw_run_goes_on_after_a_crash(void **state)
{
	(void)state;
	hw_or_skip();
	char detail[160];
	bool pvm = !strcmp(host_kvm_backend(detail, sizeof(detail)), "pvm");
	run_survives_a_dying_guest("crash", pvm ? "emulation failed" : "triple fault");
}

static void emulate_boot_semantics(void **state)
{
	(void)state;
	const struct mode *emu = mode_find("emulate");
	struct session_result r = boot_tiny(emu, tiny_kernel("eexit", exit_code, sizeof(exit_code)), 30000);
	assert_int_equal(r.out.end, RUN_EXITED);
	assert_int_equal(r.out.exit_status, (0x21 << 1) | 1);
	assert_string_equal(r.last_line, "hi");

	/* triple faults in 32-bit protected mode and in long mode */
	static const uint8_t tf32[] = { 0x0f, 0x01, 0x1d, 0x40, 0x00, 0x10, 0x00, 0xcc, 0xeb, 0xfe };
	r = boot_tiny(emu, tiny_kernel("etf32", tf32, sizeof(tf32)), 30000);
	assert_int_equal(r.out.end, RUN_FAILED);
	assert_non_null(strstr(r.out.reason, "triple fault"));
	static const uint8_t tf64[] = { 0x0f, 0x01, 0x1d, 0x03, 0x00, 0x00, 0x00, 0xcc, 0xeb, 0xfe,
					0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	r = boot_tiny(emu, tiny_elf64("etf64", tf64, sizeof(tf64)), 30000);
	assert_int_equal(r.out.end, RUN_FAILED);
	assert_non_null(strstr(r.out.reason, "triple fault"));

	/* a spinning guest meets the watchdog; a halted one with interrupts off ends at once */
	static const uint8_t spin[] = { 0xeb, 0xfe };
	r = boot_tiny(emu, tiny_kernel("espin", spin, sizeof(spin)), 1000);
	assert_int_equal(r.out.end, RUN_TIMEOUT);
	static const uint8_t dead[] = { 0xfa, 0xf4, 0xeb, 0xfd };
	r = boot_tiny(emu, tiny_kernel("edead", dead, sizeof(dead)), 30000);
	assert_int_equal(r.out.end, RUN_FAILED);
	assert_non_null(strstr(r.out.reason, "interrupts off"));
}

/* 32-bit kernels that turn on paging themselves, and one that rewrites an instruction it
 * has already executed (the block cache must notice). Each ends with debug-exit. */
static void emulate_paging_kernels_and_smc(void **state)
{
	(void)state;
	const struct mode *emu = mode_find("emulate");
	static const uint8_t paging32[] = {
		0xb8, 0x83, 0, 0, 0, 0xa3, 0x00, 0x20, 0x10, 0x00,   /* PD[0] = 4 MiB page at 0 */
		0x0f, 0x20, 0xe0, 0x83, 0xc8, 0x10, 0x0f, 0x22, 0xe0, /* CR4.PSE */
		0xb8, 0x00, 0x20, 0x10, 0x00, 0x0f, 0x22, 0xd8,       /* CR3 */
		0x0f, 0x20, 0xc0, 0x0d, 0, 0, 0, 0x80, 0x0f, 0x22, 0xc0, /* CR0.PG */
		0xb0, 0x21, 0xe6, 0xf4, 0xf4,
	};
	struct session_result r = boot_tiny(emu, tiny_kernel("pg32", paging32, sizeof(paging32)), 30000);
	if (r.out.end != RUN_EXITED)
		fail_msg("32-bit paging kernel: %s", r.out.reason);
	assert_int_equal(r.out.exit_status, 0x43);
	static const uint8_t pae[] = {
		0xb8, 0x83, 0, 0, 0, 0xa3, 0x00, 0x20, 0x10, 0x00,   /* PD[0] = 2 MiB page at 0 */
		0xb8, 0x01, 0x20, 0x10, 0x00, 0xa3, 0x00, 0x30, 0x10, 0x00, /* PDPT[0] = PD */
		0x0f, 0x20, 0xe0, 0x83, 0xc8, 0x20, 0x0f, 0x22, 0xe0, /* CR4.PAE */
		0xb8, 0x00, 0x30, 0x10, 0x00, 0x0f, 0x22, 0xd8,
		0x0f, 0x20, 0xc0, 0x0d, 0, 0, 0, 0x80, 0x0f, 0x22, 0xc0,
		0xb0, 0x22, 0xe6, 0xf4, 0xf4,
	};
	r = boot_tiny(emu, tiny_kernel("pae", pae, sizeof(pae)), 30000);
	if (r.out.end != RUN_EXITED)
		fail_msg("PAE kernel: %s", r.out.reason);
	assert_int_equal(r.out.exit_status, 0x45);
	static const uint8_t smc[] = {
		0xb9, 0x02, 0, 0, 0,                         /* mov ecx, 2 */
		0xb0, 0x21,                                  /* 0x100025: mov al, 0x21 */
		0xc6, 0x05, 0x26, 0x00, 0x10, 0x00, 0x42,    /* mov byte [0x100026], 0x42 */
		0x49, 0x75, 0xf4,                            /* dec ecx; jnz 0x100025 */
		0xe6, 0xf4, 0xf4,
	};
	r = boot_tiny(emu, tiny_kernel("smc", smc, sizeof(smc)), 30000);
	if (r.out.end != RUN_EXITED)
		fail_msg("self-modifying kernel: %s", r.out.reason);
	assert_int_equal(r.out.exit_status, (0x42 << 1) | 1);
}

/* tests/kernels/NAME.S assembled (with the cc options defs) to flat code at 0x100020,
 * where tiny_kernel puts it; a NAME ending in 64 has 64-bit code after its 32-bit start
 * (an ELF64 object, then). */
static size_t assemble_flat(const char *name, const char *defs, uint8_t *buf, size_t cap)
{
	char cmd[640];
	size_t l = strlen(name);
	bool code64 = l > 2 && !strcmp(name + l - 2, "64");
	snprintf(cmd, sizeof(cmd), "gcc %s %s -c tests/kernels/%s.S -o /tmp/pvbench-%s-%d.o && "
		 "ld -m %s -Ttext=0x100020 --oformat binary /tmp/pvbench-%s-%d.o -o /tmp/pvbench-%s-%d.bin",
		 code64 ? "-m64" : "-m32", defs, name, name, getpid(), code64 ? "elf_x86_64" : "elf_i386", name, getpid(),
		 name, getpid());
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "/tmp/pvbench-%s-%d.bin", name, getpid());
	FILE *f = fopen(cmd, "rb");
	assert_non_null(f);
	size_t n = fread(buf, 1, cap, f);
	fclose(f);
	unlink(cmd);
	snprintf(cmd, sizeof(cmd), "/tmp/pvbench-%s-%d.o", name, getpid());
	unlink(cmd);
	assert_true(n > 0 && n < cap);
	return n;
}

/* The status QEMU's isa-debug-exit gives for the kernel at path, or -1 without QEMU. */
static int qemu_exit_status(const char *path)
{
	if (system("command -v qemu-system-x86_64 >/dev/null 2>&1") != 0)
		return -1;
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "timeout 60 qemu-system-x86_64 -accel tcg -m 16 -display none -nodefaults -no-reboot"
		 " -device isa-debug-exit,iobase=0xf4,iosize=4 -kernel %s >/dev/null 2>&1", path);
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -2;
}

/* 64-bit code under the interpreter and the translator alike: an instruction rewritten
 * after it ran (the translation must go with the decode), a triple fault, a spin that
 * only the watchdog ends. */
static void long_mode_smc_fault_and_spin(void **state)
{
	(void)state;
	static const uint8_t smc[] = {
		0xb9, 0x02, 0, 0, 0,                         /* mov ecx, 2 */
		0xb0, 0x21,                                  /* L: mov al, 0x21 */
		0xc6, 0x05, 0xf8, 0xff, 0xff, 0xff, 0x42,    /* mov byte [rip - 8], 0x42: L's immediate */
		0xff, 0xc9, 0x75, 0xf3,                      /* dec ecx; jnz L */
		0xe6, 0xf4, 0xf4,                            /* out 0xf4, al; hlt */
	};
	static const uint8_t tf64[] = { 0x0f, 0x01, 0x1d, 0x03, 0x00, 0x00, 0x00, 0xcc, 0xeb, 0xfe,
					0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t spin[] = { 0x48, 0x83, 0xc0, 0x01, 0xeb, 0xfa }; /* add rax, 1; jmp back */
	const char *modes[] = { "emulate", "bt" };
	for (int k = 0; k < 2; k++) {
		const struct mode *m = mode_find(modes[k]);
		struct session_result r = boot_tiny(m, tiny_elf64("smc64", smc, sizeof(smc)), 30000);
		if (r.out.end != RUN_EXITED)
			fail_msg("%s: self-modifying kernel: %s", modes[k], r.out.reason);
		assert_int_equal(r.out.exit_status, (0x42 << 1) | 1);
		r = boot_tiny(m, tiny_elf64("tf64", tf64, sizeof(tf64)), 30000);
		assert_int_equal(r.out.end, RUN_FAILED);
		assert_non_null(strstr(r.out.reason, "triple fault"));
		r = boot_tiny(m, tiny_elf64("spin64", spin, sizeof(spin)), 1000);
		assert_int_equal(r.out.end, RUN_TIMEOUT);
	}
}

/* How QEMU TCG (7.2) checks a test kernel: as built; built with -DQEMU_TCG, where the
 * kernel expects what TCG is known to do differently (the RSVD #PF's P bit); or not at
 * all, where what the kernel checks is what TCG gets wrong (the SDM is the oracle; not hw
 * either: the host's vendor decides some of it, and KVM turns a fetch from unbacked memory
 * into an emulation failure). */
enum oracle { QEMU_AS_BUILT, QEMU_TCG_BUILD, SDM_ONLY };

/* A storm of self-modifying code (a loop that rewrites its own page 20,000 times) gets
 * the right result under both engines, with one decode per write and no translation
 * per write: bt interprets a block until it runs a second time unchanged. */
static void a_self_modifying_storm_is_not_translated_per_write(void **state)
{
	(void)state;
	static const uint8_t storm[] = {
		0xb9, 0x20, 0x4e, 0, 0,                      /* mov ecx, 20000 */
		0xb0, 0x21,                                  /* L: mov al, 0x21 */
		0xc6, 0x05, 0xf8, 0xff, 0xff, 0xff, 0x42,    /* mov byte [rip - 8], 0x42: L's immediate */
		0xff, 0xc9, 0x75, 0xf3,                      /* dec ecx; jnz L */
		0xe6, 0xf4, 0xf4,                            /* out 0xf4, al; hlt */
	};
	static const char *const modes[] = { "emulate", "bt" };
	for (int k = 0; k < 2; k++) {
		struct session_result r = boot_tiny(mode_find(modes[k]), tiny_elf64("storm", storm, sizeof(storm)), 60000);
		if (r.out.end != RUN_EXITED)
			fail_msg("%s: %s", modes[k], r.out.reason);
		assert_int_equal(r.out.exit_status, (0x42 << 1) | 1);
		assert_true(mode_stat_value(&r.stats, "code_flushes") >= 20000);
		if (k == 1 && mode_stat_value(&r.stats, "bt.blocks_translated") > 100)
			fail_msg("bt translated %llu blocks for 20,000 rewrites",
				 (unsigned long long)mode_stat_value(&r.stats, "bt.blocks_translated"));
	}
}

/* tests/kernels/NAME.S (assembled with defs), a flat 32-bit kernel that checks itself and
 * exits 0x31, under QEMU TCG (the oracle, when installed), the interpreter and the
 * translator with each MMU strategy; *shadow (when given) the bt boot's result, for its
 * shadow MMU's counters. */
static void flat_kernel_checks(const char *name, const char *defs, enum oracle oracle, struct session_result *shadow)
{
	static const char *const modes[] = { "emulate", "bt", "bt:softmmu" };
	const int nmodes = 3;
	static uint8_t code[65536];
	int want = (0x31 << 1) | 1;
	size_t n;
	char all[128];
	if (oracle != SDM_ONLY) {
		snprintf(all, sizeof(all), "%s%s", defs, oracle == QEMU_TCG_BUILD ? " -DQEMU_TCG" : "");
		n = assemble_flat(name, all, code, sizeof(code));
		int q = qemu_exit_status(tiny_kernel(name, code, n));
		if (q != -1)
			assert_int_equal(q, want);
		else
			print_message("qemu-system-x86_64 not installed: no oracle run\n");
	}
	n = assemble_flat(name, defs, code, sizeof(code));
	for (int k = 0; k < nmodes; k++) {
		struct session_result r = boot_tiny(mode_find(modes[k]), tiny_kernel(name, code, n), 30000);
		if (r.out.end != RUN_EXITED)
			fail_msg("%s: kernel %s %s: %s", modes[k], name, defs, r.out.reason);
		if (r.out.exit_status != want)
			fail_msg("%s: kernel %s %s: check failed (exit 0x%x; COM1 names the check)", modes[k], name, defs,
				 r.out.exit_status);
		if (shadow && !strcmp(modes[k], "bt"))
			*shadow = r;
	}
	/* and on the host CPU through KVM where it can run them: kvm_pvm emulates a 32-bit
	 * guest's kernel code, fails at its first IRET, cannot page in 32-bit or PAE modes
	 * and loses ring-3 round trips (measured: an internal error, a shutdown, a failed
	 * check at the first int $0x80 from ring 3); VT-x and AMD-V must pass */
	const struct mode *hw = mode_find("hw");
	char why[256];
	if (oracle != SDM_ONLY && !hw->engine->probe(why, sizeof(why))) {
		struct session_result r = boot_tiny(hw, tiny_kernel(name, code, n), 30000);
		bool pvm = !strcmp(host_kvm_backend(why, sizeof(why)), "pvm");
		bool passed = r.out.end == RUN_EXITED && r.out.exit_status == want;
		if (pvm && !passed)
			print_message("hw (kvm:pvm) cannot run kernel %s: %s (exit 0x%x)\n", name,
				      r.out.end == RUN_EXITED ? "a check failed" : r.out.reason, r.out.exit_status);
		else if (!passed)
			fail_msg("hw: kernel %s: %s (exit 0x%x)", name, r.out.reason, r.out.exit_status);
	}
}

static void flat_kernel_passes(const char *name, enum oracle oracle) { flat_kernel_checks(name, "", oracle, NULL); }

/* tests/kernels/NAME.S in 32-bit and PAE paging (flat_kernel_checks), bt's shadow MMU
 * having gone through each of the n paths named (a counter above 0). */
static void shadow_kernel_passes(const char *name, const char *const *paths, unsigned n)
{
	static const char *const defs[] = { "", "-DPAE" };
	for (int k = 0; k < 2; k++) {
		struct session_result r;
		flat_kernel_checks(name, defs[k], QEMU_AS_BUILT, &r);
		for (unsigned p = 0; p < n; p++)
			if (!mode_stat_value(&r.stats, paths[p]))
				fail_msg("%s %s: %s is 0 under bt", name, defs[k], paths[p]);
	}
}

/* Shadow paging's coherence (tests/kernels/shadow32.S) in 32-bit and PAE paging: the
 * translator on the shadow agrees with QEMU and the interpreter, and went through every
 * path of it -- hidden faults, true faults from translated code, traces of page-table
 * stores, stores to code -- with the two cached address spaces (WP on and off) reused. */
static void shadow_paging_stays_coherent(void **state)
{
	(void)state;
	static const char *const paths[] = { "shadow.hidden_faults", "shadow.true_faults", "shadow.traces",
					     "shadow.code_traces", "shadow.windows_reused", "shadow.invalidated" };
	shadow_kernel_passes("shadow32", paths, sizeof(paths) / sizeof(paths[0]));
}

/* U/S x R/W x CR0.WP at CPL 3 and 0, and NX under PAE (tests/kernels/user32.S): the shadow's
 * user and supervisor views agree with QEMU and the interpreter, its faults taken from
 * translated code at both privileges. */
static void the_page_access_matrix_at_cpl_3_and_0(void **state)
{
	(void)state;
	static const char *const paths[] = { "shadow.true_faults" };
	shadow_kernel_passes("user32", paths, 1);
}

/* 32-bit protected mode: iret out to ring 3, int 0x80 back in through a DPL-3 gate with
 * the TSS stack switch; the kernel checks the frame itself. */
static void privilege_change_in_32bit_mode(void **state)
{
	(void)state;
	flat_kernel_passes("priv32", QEMU_AS_BUILT);
}

/* 32-bit (non-PAE) paging: a #PF on a not-present PTE and on a not-present 4 MiB PDE,
 * and on a fetch from a not-present page, each fixed by the handler (same privilege,
 * interrupt gate, entered through pushal) and retried; the kernel checks the error code
 * and CR2 itself. */
static void page_fault_and_retry_in_32bit_paging(void **state)
{
	(void)state;
	flat_kernel_passes("pf32", QEMU_AS_BUILT);
}

/* Segment loads (SS and the data segments: null, RPL, DPL, type, presence, limit). */
static void segment_loads_check_what_the_sdm_says(void **state)
{
	(void)state;
	flat_kernel_passes("seg32", QEMU_AS_BUILT);
}

/* Page walks in 32-bit, PAE and 4-level paging: the permission check before the
 * accessed and dirty bits, U/S at CPL 0 and 3, WP, NX and the I bit, reserved bits. */
static void page_walks_check_before_they_set_accessed_and_dirty(void **state)
{
	(void)state;
	flat_kernel_passes("walk32", QEMU_TCG_BUILD);
	flat_kernel_passes("walkpae", QEMU_TCG_BUILD);
	flat_kernel_passes("walk64", QEMU_TCG_BUILD);
}

/* DR0-DR3 breakpoints, DR6/DR7, DR4/DR5, RF, TF single-step with MOV SS. */
static void debug_registers_and_single_step(void **state)
{
	(void)state;
	flat_kernel_passes("dbg32", QEMU_AS_BUILT);
}

/* LAPIC IPIs to the one CPU (shorthands, physical destinations), NMI through the ICR,
 * TPR/PPR holding a vector back. */
static void ipis_reach_the_one_cpu(void **state)
{
	(void)state;
	flat_kernel_passes("ipi32", QEMU_AS_BUILT);
}

/* What TCG gets wrong: RF in fault frames, ICEBP, DR7.GD, illegal IPI vectors. */
static void rf_icebp_and_general_detect(void **state)
{
	(void)state;
	flat_kernel_passes("sdm32", SDM_ONLY);
}

/* Debian's Xen hypervisor (bin/xen/xen, fetched by the build), a Multiboot kernel pvbench
 * did not write: through its 32-bit start (the BIOS data area places its trampoline),
 * the 16550 loopback probe and the switch to long mode to its start-of-day banner on
 * COM1, then the panic it owes a boot without a dom0 module, and its reboot. no-real-mode:
 * pvbench has no BIOS for Xen's real-mode calls. */
#define XEN "bin/xen/xen"

static void xen_reaches_its_banner(void **state)
{
	(void)state;
	if (access(XEN, R_OK)) {
		if (getenv("CI"))
			fail_msg("%s missing: the build did not fetch Xen", XEN);
		print_message("%s missing (run make): skipped\n", XEN);
		skip();
	}
	const char *modes[] = { "emulate", "bt" };
	for (int k = 0; k < 2; k++) {
		char path[] = "/tmp/pvbench-xen-XXXXXX";
		int fd = mkstemp(path);
		assert_true(fd >= 0);
		struct session s = { .mode = mode_find(modes[k]), .kernel = XEN, .format = IMAGE_AUTO,
				     .cmdline = "no-real-mode console=com1 com1=115200,8n1", /* the path comes first */
				     .mem_bytes = 256 << 20, .echo_fd = fd, .timeout_ms = 60000 };
		struct session_result r;
		session_boot(&s, &r);
		char out[16384] = { 0 };
		ssize_t n = pread(fd, out, sizeof(out) - 1, 0);
		close(fd);
		unlink(path);
		assert_true(n > 0);
		if (!strstr(out, "(XEN) Xen version 4."))
			fail_msg("%s: no banner on COM1: %s", modes[k], out);
		assert_non_null(strstr(out, "Command line: no-real-mode"));
		assert_non_null(strstr(out, "dom0 kernel not specified"));
		assert_int_equal(r.out.end, RUN_FAILED);
		assert_non_null(strstr(r.out.reason, "reset the machine"));
	}
}

/* The guest's own Multiboot path: 32-bit entry, page tables, the switch to long mode. */
/* and with the VMI ROM, whose doorbell (near 4 GiB) the guest's probe rings before kmain
 * builds its own tables: the Multiboot trampoline maps the low 4 GiB, not 1 */
static void emulate_boots_the_guest_through_multiboot(void **state)
{
	(void)state;
	static const char *const modes[] = { "emulate", "vmi" };
	for (int k = 0; k < 2; k++) {
		struct seen s = { 0 };
		struct session ses = { .mode = mode_find(modes[k]), .kernel = GUEST, .format = IMAGE_MULTIBOOT,
				       .cmdline = "bench=compute reps=1 rep_us=500", .mem_bytes = 64 << 20, .echo_fd = -1,
				       .timeout_ms = 60000, .on_msg = record, .opaque = &s };
		struct session_result r;
		session_boot(&ses, &r);
		if (r.out.end != RUN_EXITED)
			fail_msg("%s: %s", modes[k], r.out.reason);
		assert_true(s.done);
		assert_int_equal(s.compute_value, native_checksum());
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(qemu_tcg_runs_every_benchmark),
		cmocka_unit_test(hw_runs_every_supported_benchmark),
		cmocka_unit_test(emulate_runs_every_benchmark),
		cmocka_unit_test(vmi_runs_every_benchmark_on_each_engine),
		cmocka_unit_test(bt_runs_every_benchmark),
		cmocka_unit_test(the_32bit_guest_runs_every_benchmark),
		cmocka_unit_test(long_mode_smc_fault_and_spin),
		cmocka_unit_test(a_self_modifying_storm_is_not_translated_per_write),
		cmocka_unit_test(emulate_boot_semantics),
		cmocka_unit_test(emulate_paging_kernels_and_smc),
		cmocka_unit_test(privilege_change_in_32bit_mode),
		cmocka_unit_test(page_fault_and_retry_in_32bit_paging),
		cmocka_unit_test(segment_loads_check_what_the_sdm_says),
		cmocka_unit_test(page_walks_check_before_they_set_accessed_and_dirty),
		cmocka_unit_test(shadow_paging_stays_coherent),
		cmocka_unit_test(the_page_access_matrix_at_cpl_3_and_0),
		cmocka_unit_test(debug_registers_and_single_step),
		cmocka_unit_test(ipis_reach_the_one_cpu),
		cmocka_unit_test(rf_icebp_and_general_detect),
		cmocka_unit_test(xen_reaches_its_banner),
		cmocka_unit_test(emulate_boots_the_guest_through_multiboot),
		cmocka_unit_test(hw_boot_reports_exit_status_and_serial),
		cmocka_unit_test(hw_triple_fault_is_a_failure),
		cmocka_unit_test(hw_hang_is_stopped_by_the_watchdog),
		cmocka_unit_test(ctrl_c_stops_the_run_and_keeps_what_finished),
		cmocka_unit_test(a_killed_run_keeps_the_modes_it_finished),
		cmocka_unit_test(rep_strings_cannot_outrun_the_watchdog),
		cmocka_unit_test(faults_are_precise),
		cmocka_unit_test(multiboot_modules_and_argv0),
		cmocka_unit_test(a_low_kernel_boots),
		cmocka_unit_test(fw_cfg_answers),
		cmocka_unit_test(the_cpu_refuses_what_it_lacks),
		cmocka_unit_test(strict_stops_at_an_unimplemented_instruction),
		cmocka_unit_test(a_message_flood_is_bounded),
		cmocka_unit_test(hw_run_goes_on_after_a_hang),
		cmocka_unit_test(hw_run_goes_on_after_a_crash),
	};
	return cmocka_run_group_tests_name("guest", tests, NULL, NULL);
}
