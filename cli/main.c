#include <errno.h>
#include <string.h>
#include "cli.h"

static const char usage[] =
	"usage: pvbench <command> [options]\n"
	"\n"
	"  run     run benchmarks in modes, store them, print the table\n"
	"  list    modes (with availability here) and benchmarks\n"
	"  show    print a stored run\n"
	"  profile print a stored run's per-hook profiles (run --profile), costliest first\n"
	"  compare two runs (ids or JSON exports): change, Mann-Whitney p, verdict per benchmark\n"
	"  check   compare a run with a baseline file; exit 1 on a regression (the CI gate)\n"
	"  baseline save: write a run as a baseline file\n"
	"  history one benchmark in one mode across stored runs, step changes marked\n"
	"  ab      two builds in interleaved rounds, judged in pairs against the noise floor\n"
	"  plot    draw a run with gnuplot (PNG and SVG)\n"
	"  report  one static HTML page: host, tables, plots\n"
	"  export  a run as json, csv, markdown, gab (github-action-benchmark) or bmf (Bencher)\n"
	"  boot    boot any Multiboot v1 or ELF64 kernel with COM1 on stdout\n"
	"\n"
	"'pvbench <command> --help' for its options, 'pvbench --version' the build's revision.\n"
	"Exit status: 0 success, 1 a benchmark\n"
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
	} cmds[] = { { "run", cmd_run }, { "list", cmd_list }, { "show", cmd_show }, { "profile", cmd_profile }, { "boot", cmd_boot },
		    { "compare", cmd_compare }, { "check", cmd_check }, { "baseline", cmd_baseline }, { "export", cmd_export },
		    { "history", cmd_history }, { "ab", cmd_ab },
		    { "plot", cmd_plot }, { "report", cmd_report } };
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name)) {
			int rc = cmds[i].fn(argc - 1, argv + 1);
			/* output that never arrived (a full disk, a closed pipe) is a failure too */
			if (fflush(stdout) || ferror(stdout))
				return cli_error("writing the output: %s", strerror(errno));
			return rc;
		}
	return cli_error("unknown command '%s' (try 'pvbench --help')", argv[1]);
}
