/* pvbench profile: a stored run's per-hook profiles, per mode and benchmark, costliest
 * hook first, as perf report lists symbols. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const char profile_help[] =
	"usage: pvbench profile [RUN] [--mode M] [--bench B] [--db FILE]\n"
	"  the per-hook profiles of RUN (default: the latest run), recorded by 'pvbench run --profile':\n"
	"  for each VMI call, KVM exit reason, sensitive instruction (emulate) and device, its calls,\n"
	"  host time and perf events. Host time is inclusive: an MMIO exit holds the VMI call behind\n"
	"  it. The share is of the benchmark's wall time, warm-up and sizing included.\n";

static int by_time(const void *a, const void *b)
{
	double x = (*(const struct prof_rec *const *)a)->host_ns, y = (*(const struct prof_rec *const *)b)->host_ns;
	return x < y ? 1 : x > y ? -1 : 0;
}

/* The rows of one mode x benchmark, costliest first. */
static void print_one(const struct result_set *r, const struct prof_rec *total)
{
	const struct prof_rec **row = malloc(r->np * sizeof(*row));
	size_t n = 0;
	if (!row)
		return;
	for (size_t i = 0; i < r->np; i++)
		if (&r->p[i] != total && !strcmp(r->p[i].mode, total->mode) && !strcmp(r->p[i].bench, total->bench))
			row[n++] = &r->p[i];
	qsort(row, n, sizeof(*row), by_time);
	printf("\n%s / %s: %.3f ms of benchmark wall time\n", total->mode, total->bench, total->host_ns / 1e6);
	printf("  %7s %11s %11s %10s  %-6s %-20s %s\n", "share", "host ms", "calls", "ns/call", "kind", "hook", "events");
	for (size_t i = 0; i < n; i++)
		printf("  %6.2f%% %11.3f %11llu %10.1f  %-6s %-20s %s\n", total->host_ns ? 100.0 * row[i]->host_ns / total->host_ns : 0,
		       row[i]->host_ns / 1e6, (unsigned long long)row[i]->calls, row[i]->calls ? row[i]->host_ns / (double)row[i]->calls : 0,
		       row[i]->kind, row[i]->hook, row[i]->events);
	if (!n)
		puts("  (no hook was entered)");
	free(row);
}

int cmd_profile(int argc, char **argv)
{
	static const struct option opts[] = { { "db", 1, 0, 'd' }, { "mode", 1, 0, 'm' }, { "bench", 1, 0, 'b' },
					      { "help", 0, 0, 'h' }, { 0, 0, 0, 0 } };
	const char *db = STORE_DEFAULT_PATH, *mode = NULL, *bench = NULL;
	optind = 1;
	opterr = 0;
	for (int ch; (ch = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
		switch (ch) {
		case 'd': db = optarg; break;
		case 'm': mode = optarg; break;
		case 'b': bench = optarg; break;
		case 'h': fputs(profile_help, stdout); return 0;
		default: return cli_error("unknown option or missing value: '%s' (see 'pvbench profile --help')", argv[optind - 1]);
		}
	}
	struct run_meta meta;
	struct host_info h;
	struct result_set rs = { 0 };
	if (cli_load_run(argc, argv, db, &meta, &h, &rs))
		return EXIT_USAGE;
	int shown = 0;
	for (size_t i = 0; i < rs.np; i++) {
		const struct prof_rec *p = &rs.p[i];
		if (strcmp(p->kind, "total") || (mode && strcmp(p->mode, mode)) || (bench && strcmp(p->bench, bench)))
			continue;
		if (!shown++)
			printf("run %lld (%s), events from: %s\n", (long long)meta.id, meta.revision, p->source);
		print_one(&rs, p);
	}
	results_free(&rs);
	if (!shown)
		return cli_error("run %lld holds no profile%s%s%s%s (record one with 'pvbench run --profile')", (long long)meta.id,
				 mode ? " for mode " : "", mode ? mode : "", bench ? " for benchmark " : "", bench ? bench : "");
	return 0;
}
