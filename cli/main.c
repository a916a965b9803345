#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

int cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("pvbench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return EXIT_USAGE;
}

int cli_u64(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	if (!s || !*s || *s == '-')
		return cli_error("%s needs a number from %llu to %llu", opt, (unsigned long long)min, (unsigned long long)max);
	unsigned long long v = strtoull(s, &end, 10);
	if (*end || v < min || v > max)
		return cli_error("%s needs a number from %llu to %llu, not '%s'", opt, (unsigned long long)min,
				 (unsigned long long)max, s);
	*out = v;
	return 0;
}

void cli_default_guest(char *buf, size_t n)
{
	char exe[4096];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len <= 0) {
		snprintf(buf, n, "pvbench-guest.elf");
		return;
	}
	exe[len] = 0;
	snprintf(buf, n, "%s/pvbench-guest.elf", dirname(exe));
}

static const char usage[] =
	"usage: pvbench <command> [options]\n"
	"\n"
	"  run     run benchmarks in modes, store them, print the table\n"
	"  list    modes (with availability here) and benchmarks\n"
	"  show    print a stored run\n"
	"  boot    boot any Multiboot v1 or ELF64 kernel with COM1 on stdout\n"
	"\n"
	"'pvbench <command> --help' for its options. Exit status: 0 success, 1 a benchmark\n"
	"failed, 2 bad input; 'boot' returns the guest's debug-exit status.\n";

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("pvbench %s\n", pvbench_rev);
		return 0;
	}
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = { { "run", cmd_run }, { "list", cmd_list }, { "show", cmd_show }, { "boot", cmd_boot } };
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	return cli_error("unknown command '%s' (try 'pvbench --help')", argv[1]);
}
