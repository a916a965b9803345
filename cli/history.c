/* pvbench history: one benchmark in one mode across every stored run, step changes marked. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "../collect/compare.h"
#include "../collect/table.h"
#include "../abi/plan.h"

static const char history_help[] =
	"usage: pvbench history --bench B --mode M [--db FILE] [--threshold PCT]\n"
	"  every stored run of benchmark B in mode M, oldest first, with its pvbench revision; a step\n"
	"  (the Mann-Whitney test against the previous measured run at p < 0.01 and beyond the\n"
	"  threshold, default 5%) is marked ^ slower or v faster\n";

int cmd_history(int argc, char **argv)
{
	static const struct option opts[] = { { "db", 1, 0, 'd' }, { "bench", 1, 0, 'b' }, { "mode", 1, 0, 'm' },
					      { "threshold", 1, 0, 't' }, { "help", 0, 0, 'h' }, { 0, 0, 0, 0 } };
	const char *db = STORE_DEFAULT_PATH, *bench = NULL, *mode = NULL;
	struct compare_opts co;
	char err[512];
	compare_opts_default(&co);
	optind = 1;
	opterr = 0;
	for (int ch; (ch = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
		switch (ch) {
		case 'd': db = optarg; break;
		case 'b': bench = optarg; break;
		case 'm': mode = optarg; break;
		case 't':
			if (compare_opts_threshold(&co, optarg, err, sizeof(err)))
				return cli_error("%s", err);
			break;
		case 'h': fputs(history_help, stdout); return 0;
		default: return cli_error("unknown option or missing value: '%s' (see 'pvbench history --help')", argv[optind - 1]);
		}
	}
	if (!bench || !mode)
		return cli_error("history needs --bench B and --mode M");
	if (optind < argc)
		return cli_error("unexpected argument '%s'", argv[optind]);
	if (!bench_find(bench))
		return cli_error("unknown benchmark '%s' (see 'pvbench list')", bench);
	struct history_run *runs;
	size_t n;
	struct store st;
	if (cli_store_open(db, &st))
		return EXIT_USAGE;
	int rc = store_history(&st, mode, bench, &runs, &n, err, sizeof(err));
	store_close(&st);
	if (rc)
		return cli_error("%s", err);
	if (!n) {
		history_free(runs, n);
		return cli_error("no stored run measured %s in mode %s", bench, mode);
	}
	struct compare_row *rows = calloc(n, sizeof(*rows));
	if (!rows || compare_history(runs, n, &co, rows)) {
		free(rows);
		history_free(runs, n);
		return cli_error("out of memory");
	}
	printf("%s in mode %s, median ns per operation\n\n%6s  %-20s  %-22s %4s %14s  %-27s %8s  %s\n", bench, mode, "run",
	       "started", "revision", "n", "median", "CI of the median (>=95%)", "change", "step");
	for (size_t i = 0; i < n; i++) {
		struct table t;
		if (table_build(&runs[i].rs, &t))
			break;
		const struct cell *c = t.n ? &t.c[0] : NULL;
		char med[24] = "", ci[48] = "", change[16] = "", step[200] = "";
		if (c && c->status == MS_OK) {
			snprintf(med, sizeof(med), "%.1f", c->s.median);
			snprintf(ci, sizeof(ci), "%.1f .. %.1f", c->s.ci_lo, c->s.ci_hi);
		} else if (c) {
			snprintf(med, sizeof(med), "%s", mstatus_name(c->status));
		}
		if (rows[i].nb && rows[i].na)
			snprintf(change, sizeof(change), "%+.1f%%", rows[i].change_pct);
		if (rows[i].verdict == V_SLOWER || rows[i].verdict == V_FASTER || rows[i].verdict == V_BROKEN ||
		    rows[i].verdict == V_FIXED)
			snprintf(step, sizeof(step), "%s %s: %s", rows[i].verdict == V_FASTER || rows[i].verdict == V_FIXED ? "v" : "^",
				 verdict_name(rows[i].verdict), rows[i].why);
		printf("%6lld  %-20s  %-22s %4zu %14s  %-27s %8s  %s\n", (long long)runs[i].meta.id, runs[i].meta.started,
		       runs[i].meta.revision, c ? c->n : 0, med, ci, change, step);
		table_free(&t);
	}
	free(rows);
	history_free(runs, n);
	return 0;
}
