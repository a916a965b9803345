/* The hostile guests (tests/hostile/NAME.S: each says what it must come to on its first
 * line, `expect: timeout`, `failed` or `any`) under every engine: the outcome asserted,
 * and the boot over within a bound of the watchdog -- never a hang, never a crash of the
 * host process. The time past the watchdog is printed per engine (the measured figure);
 * the bound asserted is generous (a hang is minutes), so that a busy host cannot fail it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../collect/host.h"
#include "../lab/session.h"
#include "../util/clock.h"

#define DIR_HOSTILE "tests/hostile"
#define TIMEOUT_MS 1000
#define SLACK_MS 5000 /* asserted; the figure printed is what a user would wait */

enum outcome { WANT_TIMEOUT, WANT_FAILED, WANT_ANY };

static enum outcome expected(const char *path)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char line[256] = "";
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	if (strstr(line, "expect: timeout"))
		return WANT_TIMEOUT;
	if (strstr(line, "expect: failed"))
		return WANT_FAILED;
	if (!strstr(line, "expect: any"))
		fail_msg("%s: the first line says no 'expect:'", path);
	return WANT_ANY;
}

/* tests/hostile/NAME.S linked as an ELF64 kernel at 1 MiB; its path */
static const char *build(const char *name, char *out, size_t n)
{
	char cmd[1536];
	snprintf(out, n, "/tmp/pvbench-hostile-%s-%d.elf", name, getpid());
	snprintf(cmd, sizeof(cmd), "gcc -m64 -I" DIR_HOSTILE " -c " DIR_HOSTILE "/%s.S -o %s.o && "
		 "ld -m elf_x86_64 -Ttext=0x100000 -e _start %s.o -o %s && rm -f %s.o", name, out, out, out, out);
	assert_int_equal(system(cmd), 0);
	return out;
}

static void every_hostile_guest_in_every_engine(void **state)
{
	(void)state;
	const char *engines[] = { "emulate", "bt", "vmi", "hw" };
	uint64_t worst[4] = { 0 };
	int ran[4] = { 0 }, guests = 0;
	DIR *d = opendir(DIR_HOSTILE);
	assert_non_null(d);
	for (struct dirent *e; (e = readdir(d));) {
		size_t l = strlen(e->d_name);
		if (l < 3 || strcmp(e->d_name + l - 2, ".S"))
			continue;
		char name[128], src[300], elf[256];
		snprintf(name, sizeof(name), "%.*s", (int)(l - 2), e->d_name);
		snprintf(src, sizeof(src), DIR_HOSTILE "/%s", e->d_name);
		enum outcome want = expected(src);
		build(name, elf, sizeof(elf));
		guests++;
		for (int k = 0; k < 4; k++) {
			const struct mode *m = mode_find(engines[k]);
			char why[256];
			if (m->engine->probe(why, sizeof(why)))
				continue;
			struct session s = { .mode = m, .kernel = elf, .format = IMAGE_AUTO, .cmdline = "",
					     .mem_bytes = 16 << 20, .echo_fd = -1, .timeout_ms = TIMEOUT_MS };
			struct session_result r;
			uint64_t t0 = host_ns();
			session_boot(&s, &r);
			uint64_t ms = (host_ns() - t0) / 1000000;
			ran[k]++;
			if (ms > TIMEOUT_MS && ms - TIMEOUT_MS > worst[k])
				worst[k] = ms - TIMEOUT_MS;
			if (r.setup_failed)
				fail_msg("%s under %s: %s", name, engines[k], r.error);
			if (ms > TIMEOUT_MS + SLACK_MS)
				fail_msg("%s under %s took %llu ms with a %d ms watchdog", name, engines[k],
					 (unsigned long long)ms, TIMEOUT_MS);
			/* under hw KVM decides: kvm_pvm fails what a CPU would spin in (its emulation gives
			 * up), and a halt with interrupts off waits for the NMI a CPU could still get;
			 * there a failure with the reason and the watchdog are both a good end */
			bool hw = k == 3, stopped = r.out.end == RUN_TIMEOUT || r.out.end == RUN_FAILED;
			bool ok = want == WANT_ANY || (hw && stopped) ||
				  (want == WANT_TIMEOUT && r.out.end == RUN_TIMEOUT) ||
				  (want == WANT_FAILED && r.out.end == RUN_FAILED);
			if (!ok)
				fail_msg("%s under %s: ended %d (%s), not as its first line says", name, engines[k],
					 (int)r.out.end, r.out.reason);
			if (r.out.end == RUN_FAILED && !r.out.reason[0])
				fail_msg("%s under %s failed without a reason", name, engines[k]);
		}
		unlink(elf);
	}
	closedir(d);
	assert_true(guests >= 10);
	for (int k = 0; k < 4; k++)
		if (ran[k])
			print_message("%s: %d hostile guests, at most %llu ms past a %d ms watchdog\n", engines[k], ran[k],
				      (unsigned long long)worst[k], TIMEOUT_MS);
		else
			print_message("%s: unavailable here, not run\n", engines[k]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_hostile_guest_in_every_engine),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
