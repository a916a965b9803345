/* The Linux guests end to end: Debian's stock amd64 kernel (the vmlinux the build fetched)
 * under emulate and bt (and under bt with nolapic, on the PIT), and its 686 kernel (the bzImage, 32-bit entry, 32-bit paging, an
 * i386 userspace with x87 code) under emulate, boot with their initramfs to the
 * benchmarks, report them as result lines, compute user_compute's checksum as pvbench
 * itself does, and end the run through isa-debug-exit. In CI a missing kernel fails;
 * elsewhere it is skipped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../collect/host.h"
#include "../lab/session.h"
#include "../workloads/compute.h"

struct guest_files {
	const char *kernel, *initrd;
};
static const struct guest_files AMD64 = { "bin/linux/vmlinux", "bin/linux/initramfs.cpio" };
static const struct guest_files I386 = { "bin/linux32/vmlinuz", "bin/linux32/initramfs.cpio" };

struct seen {
	bool hello, done;
	int getppid_results, compute_results;
	uint64_t getppid_iters, checksum;
};

static void record(void *opaque, const struct pvb_msg *m)
{
	struct seen *s = opaque;
	switch (m->type) {
	case PVB_MSG_HELLO: s->hello = true; break;
	case PVB_MSG_DONE: s->done = true; break;
	case PVB_MSG_VALUE:
		if (!strcmp(m->bench, "user_compute"))
			s->checksum = m->value;
		break;
	case PVB_MSG_RESULT:
		if (!strcmp(m->bench, "getppid")) {
			s->getppid_results++;
			s->getppid_iters += m->iters;
		} else if (!strcmp(m->bench, "user_compute")) {
			s->compute_results++;
		}
		break;
	default: break;
	}
}

static void need_linux(const struct guest_files *g)
{
	if (!access(g->kernel, R_OK) && !access(g->initrd, R_OK))
		return;
	if (getenv("CI"))
		fail_msg("%s or %s missing: the build did not fetch the Linux guest", g->kernel, g->initrd);
	print_message("%s or %s missing (run make): skipped\n", g->kernel, g->initrd);
	skip();
}

/* One boot: a guest, the engine, what the command line adds. */
struct boot_case {
	const struct guest_files *g;
	const char *mode_name, *append;
	bool shadow; /* the 32-bit kernel under bt: on the shadow MMU, which must have worked */
};

static void boots_to_its_benchmarks(void **state)
{
	const struct boot_case *bc = *state;
	const struct guest_files *g = bc->g;
	const char *mode_name = bc->mode_name, *append = bc->append;
	need_linux(g);
	char cmdline[512], plan[256];
	snprintf(plan, sizeof(plan), "%s bench=getppid,user_compute reps=2 warmup=0 rep_us=1000", append);
	plan_linux_cmdline(host_tsc_hz() / 1000, plan, cmdline, sizeof(cmdline));
	struct seen s = { 0 };
	struct session ses = { .mode = mode_find(mode_name), .kernel = g->kernel, .initrd = g->initrd, .format = IMAGE_AUTO,
			       .cmdline = cmdline, .result_lines = true, .mem_bytes = 512ull << 20, .echo_fd = -1,
			       .timeout_ms = 600000, .on_msg = record, .opaque = &s };
	struct session_result r;
	session_boot(&ses, &r);
	assert_false(r.setup_failed);
	if (r.out.end != RUN_EXITED)
		fail_msg("%s: %s (last line: %s)", mode_name, r.out.reason, r.last_line);
	assert_int_equal(r.out.exit_status, 1); /* pvbench-linux's debug-exit of 0 */
	assert_true(s.hello && s.done);
	assert_int_equal(s.getppid_results, 2);
	assert_true(s.getppid_iters > 0);
	assert_int_equal(s.compute_results, 2);
	struct compute_state check;
	assert_int_equal(s.checksum, compute_checksum(&check));
	/* the kernel took the 8259A (the console's IRQ 4) and the LAPIC timer */
	assert_true(mode_stat_value(&r.stats, "interrupts") > 0);
	assert_int_equal(mode_stat_value(&r.stats, "unimplemented"), 0);
	/* hidden faults and traces as VMware's monitor took them: the kernel's and its
	 * processes' page tables written through translated code */
	if (bc->shadow) {
		static const char *const paths[] = { "shadow.hidden_faults", "shadow.true_faults", "shadow.traces",
						     "shadow.windows_reused" };
		for (unsigned p = 0; p < sizeof(paths) / sizeof(paths[0]); p++)
			if (!mode_stat_value(&r.stats, paths[p]))
				fail_msg("linux 686 under bt: %s is 0", paths[p]);
	}
}

static const struct boot_case AMD64_EMULATE = { &AMD64, "emulate", "", false }, AMD64_BT = { &AMD64, "bt", "", false },
	/* nolapic: the kernel's timer is the PIT's channel 0 on IRQ 0 through the 8259A */
	AMD64_BT_PIT = { &AMD64, "bt", "nolapic", false }, I386_EMULATE = { &I386, "emulate", "", false },
	I386_BT = { &I386, "bt", "", true };

int main(void)
{
	const struct CMUnitTest tests[] = {
		{ "emulate_boots_linux", boots_to_its_benchmarks, NULL, NULL, (void *)&AMD64_EMULATE },
		{ "bt_boots_linux", boots_to_its_benchmarks, NULL, NULL, (void *)&AMD64_BT },
		{ "bt_boots_linux_on_the_pit", boots_to_its_benchmarks, NULL, NULL, (void *)&AMD64_BT_PIT },
		{ "emulate_boots_linux_686", boots_to_its_benchmarks, NULL, NULL, (void *)&I386_EMULATE },
		{ "bt_boots_linux_686_on_the_shadow", boots_to_its_benchmarks, NULL, NULL, (void *)&I386_BT },
	};
	return cmocka_run_group_tests_name("linux", tests, NULL, NULL);
}
