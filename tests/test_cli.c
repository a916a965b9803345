/* Command-line parsing and the small pure pieces behind it: the plan, statistics and
 * COM1 result lines. Every bad input must end in exit status 2 before anything runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include "../cli/cli.h"
#include "helpers.h"
#include "../collect/resultline.h"
#include "../abi/plan.h"

static void bad_input_exits_2(void **state)
{
	(void)state;
	assert_int_equal(call(cmd_run, "run", "--modes", "warp", NULL), EXIT_USAGE);
	assert_int_equal(call(cmd_run, "run", "--bench", "cpuid,nope", NULL), EXIT_USAGE);
	assert_int_equal(call(cmd_run, "run", "--reps", "0", NULL), EXIT_USAGE);
	assert_int_equal(call(cmd_run, "run", "--reps", "12x", NULL), EXIT_USAGE);
	assert_int_equal(call(cmd_run, "run", "--mem", "1", NULL), EXIT_USAGE);
	assert_int_equal(call(cmd_run, "run", "--frobnicate", NULL), EXIT_USAGE);
	assert_int_equal(call(cmd_run, "run", "extra", NULL), EXIT_USAGE);
	assert_int_equal(call(cmd_run, "run", "--guest", "/nonexistent.elf", NULL), EXIT_USAGE);
	assert_int_equal(call(cmd_run, "run", "--guest", "/dev/null", NULL), EXIT_USAGE);
	assert_int_equal(call(cmd_run, "run", "--guest", "linux", "--kernel", "/nonexistent", NULL), EXIT_USAGE);
	assert_int_equal(call(cmd_run, "run", "--guest", "linux", "--kernel", "/dev/null", "--initrd", "/dev/null", NULL),
			 EXIT_USAGE);
	assert_int_equal(call(cmd_run, "run", "--kernel", "/boot/vmlinuz", NULL), EXIT_USAGE); /* not the Linux guest */
	assert_int_equal(call(cmd_run, "run", "--guest", "linux", "--bench", "cpuid", NULL), EXIT_USAGE);
	assert_int_equal(call(cmd_boot, "boot", NULL), EXIT_USAGE);
	assert_int_equal(call(cmd_boot, "boot", "--kernel", "x", "--mode", "warp", NULL), EXIT_USAGE);
	assert_int_equal(call(cmd_boot, "boot", "--kernel", "x", "--format", "pe", NULL), EXIT_USAGE);
	assert_int_equal(call(cmd_boot, "boot", "--kernel", "x", "--mode", "native", NULL), EXIT_USAGE);
	assert_int_equal(call(cmd_show, "show", "--db", "/nonexistent/db", NULL), EXIT_USAGE);
	assert_int_equal(call(cmd_show, "show", "zero", NULL), EXIT_USAGE);
	assert_int_equal(call(cmd_list, "list", "extra", NULL), EXIT_USAGE);
}

static void help_exits_0(void **state)
{
	(void)state;
	assert_int_equal(call(cmd_run, "run", "--help", NULL), 0);
	assert_int_equal(call(cmd_boot, "boot", "--help", NULL), 0);
	assert_int_equal(call(cmd_show, "show", "--help", NULL), 0);
	assert_int_equal(call(cmd_list, "list", "--help", NULL), 0);
}

static void plan_selects_and_renders(void **state)
{
	(void)state;
	struct bench_plan p;
	char err[128], line[1024];
	plan_defaults(&p, GUEST_PVBENCH);
	assert_int_equal(p.reps, 11);
	assert_int_equal(plan_select(&p, "cpuid,ptemod", err, sizeof(err)), 0);
	plan_cmdline(&p, -1, line, sizeof(line));
	/* benches.def order, not the order asked */
	assert_string_equal(line, "bench=ptemod,cpuid reps=11 warmup=1 rep_us=10000 iters=0");
	plan_cmdline(&p, (int)(bench_find("compute") - bench_table), line, sizeof(line));
	assert_non_null(strstr(line, "bench=compute "));
	assert_int_equal(plan_select(&p, "cpuid,bogus", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'bogus'"));
	assert_int_equal(plan_select(&p, "all", err, sizeof(err)), 0);
	for (int i = 0; i < bench_count; i++)
		assert_int_equal(p.want[i], bench_table[i].guest == GUEST_PVBENCH);
	/* the Linux guest's benchmarks belong to its plan only */
	assert_int_equal(plan_select(&p, "getppid", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--guest linux"));
	plan_set_guest(&p, GUEST_LINUX);
	assert_int_equal(plan_select(&p, "getppid,user_compute", err, sizeof(err)), 0);
	plan_cmdline(&p, -1, line, sizeof(line));
	assert_string_equal(line, "bench=getppid,user_compute reps=11 warmup=1 rep_us=10000 iters=0");
	assert_int_equal(plan_select(&p, "cpuid", err, sizeof(err)), -1);
}

static void result_lines_parse(void **state)
{
	(void)state;
	struct pvb_msg m;
	assert_int_equal(resultline_parse("PVB result bench=ptemod rep=3 iters=4096 ticks=-12 tsc_hz=2600000000\r\n", &m), 0);
	assert_int_equal(m.type, PVB_MSG_RESULT);
	assert_string_equal(m.bench, "ptemod");
	assert_int_equal(m.rep, 3);
	assert_int_equal(m.iters, 4096);
	assert_int_equal(m.ticks, -12);
	assert_int_equal(m.tsc_hz, 2600000000ull);
	assert_int_equal(resultline_parse("PVB value bench=compute value=0x7453f65a1dcb2e87", &m), 0);
	assert_int_equal(m.value, 0x7453f65a1dcb2e87ull);
	assert_int_equal(resultline_parse("PVB unsupported bench=timer_deadline reason=no TSC-deadline: CPUID says so", &m), 0);
	assert_string_equal(m.text, "no TSC-deadline: CPUID says so");
	assert_int_equal(resultline_parse("PVB done", &m), 0);
	assert_int_equal(m.type, PVB_MSG_DONE);
	assert_int_equal(resultline_parse("booting...", &m), -1);
	assert_int_equal(resultline_parse("PVB bogus bench=x", &m), -1);
	assert_int_equal(resultline_parse("PVB result bench=x iters=12z", &m), -1);
}

/* The gate's script as the workflow runs it, here on HEAD against HEAD: it builds the base in
 * a worktree, runs ab, and leaves a verdict with no regression (two rounds cannot make a
 * timing significant, and the same commit's exact figures are equal). */
static void the_gate_script_runs_locally(void **state)
{
	(void)state;
	if (system("git rev-parse --verify -q HEAD >/dev/null 2>&1") != 0)
		skip(); /* not a git checkout: nothing to take the base from */
	char out[64], cmd[512];
	snprintf(out, sizeof(out), "/tmp/pvbench-gate-test-%d", getpid());
	snprintf(cmd, sizeof(cmd), "PVBENCH_GATE_ROUNDS=2 PVBENCH_GATE_RUN='--modes emulate --bench cpuid,ptemod --reps 3"
		 " --rep-us 500' .github/pvbench-gate.sh HEAD %s 2>&1", out);
	int rc = system(cmd);
	assert_true(WIFEXITED(rc));
	assert_int_equal(WEXITSTATUS(rc), 0);
	char path[128], text[4096];
	snprintf(path, sizeof(path), "%s/summary.md", out);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = 0;
	assert_non_null(strstr(text, "No regression"));
	assert_non_null(strstr(text, "0 differ"));
	snprintf(cmd, sizeof(cmd), "rm -rf %s", out);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_input_exits_2),
		cmocka_unit_test(help_exits_0),
		cmocka_unit_test(plan_selects_and_renders),
		cmocka_unit_test(result_lines_parse),
		cmocka_unit_test(the_gate_script_runs_locally),
	};
	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
