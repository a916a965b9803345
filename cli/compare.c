/* pvbench compare, check and baseline: two runs (or a run and a baseline file) judged
 * benchmark by benchmark. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "../collect/compare.h"
#include "../collect/export.h"
#include "../collect/figures.h"

struct side {
	struct run_meta meta;
	struct host_info h;
	struct result_set rs;
	const char *name;
};

static void describe(FILE *f, const char *label, const struct side *s)
{
	bool file = s->name && strspn(s->name, "0123456789") != strlen(s->name);
	fprintf(f, "%s: %s%srun %lld, %s, pvbench %s, %s, KVM backend %s\n", label, file ? s->name : "",
		file ? ": exported " : "", (long long)s->meta.id, s->meta.started, s->meta.revision, s->h.brand, s->h.kvm_backend);
}

static void figure_json(FILE *f, const char *key, const struct figure_rec *r)
{
	fprintf(f, ",\"%s\":{\"count\":%lld,\"ops\":%llu,\"per_op\":%.17g,\"exact\":%s}", key, (long long)r->count,
		(unsigned long long)r->ops, figure_per_op(r), r->exact ? "true" : "false");
}

static void print_json(FILE *f, const struct compare_row *rows, size_t n, const struct figure_row *fr, size_t nf)
{
	fputs("{\"rows\":[", f);
	for (size_t i = 0; i < n; i++) {
		const struct compare_row *r = &rows[i];
		fprintf(f, "%s{\"mode\":", i ? ",\n " : "");
		cli_json_str(f, r->mode);
		fputs(",\"benchmark\":", f);
		cli_json_str(f, r->bench);
		fprintf(f, ",\"verdict\":\"%s\",\"regression\":%s,\"n_a\":%zu,\"n_b\":%zu", verdict_name(r->verdict),
			r->regression ? "true" : "false", r->na, r->nb);
		if (r->na && r->nb && isfinite(r->ratio))
			fprintf(f, ",\"median_a\":%.17g,\"median_b\":%.17g,\"ratio\":%.17g,\"change_pct\":%.17g,\"u\":%g,"
				"\"p\":%.17g,\"p_exact\":%s", r->median_a, r->median_b, r->ratio, r->change_pct, r->test.u, r->test.p,
				r->test.exact ? "true" : "false");
		fprintf(f, ",\"threshold_pct\":%g,\"why\":", r->threshold_pct);
		cli_json_str(f, r->why);
		fputc('}', f);
	}
	fputs("],\n\"figures\":[", f);
	for (size_t i = 0; i < nf; i++) {
		fprintf(f, "%s{\"mode\":", i ? ",\n " : "");
		cli_json_str(f, fr[i].mode);
		fputs(",\"benchmark\":", f);
		cli_json_str(f, fr[i].bench);
		fputs(",\"figure\":", f);
		cli_json_str(f, fr[i].name);
		figure_json(f, "a", &fr[i].a);
		figure_json(f, "b", &fr[i].b);
		fprintf(f, ",\"verdict\":\"%s\",\"regression\":%s}", fr[i].verdict, fr[i].regression ? "true" : "false");
	}
	fputs("]}\n", f);
}

static void print_figures(FILE *f, const struct figure_row *fr, size_t n, size_t same)
{
	fprintf(f, "\nDeterministic figures per operation, compared exactly: %zu equal, %zu differ\n", same, n);
	if (!n)
		return;
	fprintf(f, "%-16s %-12s %-24s %12s  %12s   %s\n", "benchmark", "mode", "figure", "A", "B", "verdict");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%-16s %-12s %-24s %12.6g%s %12.6g%s  %s%s\n", fr[i].bench, fr[i].mode, fr[i].name,
			figure_per_op(&fr[i].a), fr[i].a.exact ? " " : "~", figure_per_op(&fr[i].b), fr[i].b.exact ? " " : "~",
			fr[i].regression ? "REGRESSION: " : "", fr[i].verdict);
}

static void print_table(FILE *f, const struct compare_row *rows, size_t n)
{
	fprintf(f, "\n%-16s %-12s %14s %14s %8s %9s  %s\n", "benchmark", "mode", "A median ns", "B median ns", "change",
		"p", "verdict");
	size_t neither = 0;
	for (size_t i = 0; i < n; i++) {
		const struct compare_row *r = &rows[i];
		if (r->verdict == V_NEITHER) {
			neither++;
			continue;
		}
		char change[16] = "", p[16] = "", ma[24] = "", mb[24] = "";
		if (r->na && r->nb && isfinite(r->ratio)) {
			snprintf(ma, sizeof(ma), "%.1f", r->median_a);
			snprintf(mb, sizeof(mb), "%.1f", r->median_b);
			snprintf(change, sizeof(change), "%+.1f%%", r->change_pct);
			snprintf(p, sizeof(p), "%.2g", r->test.p);
		}
		fprintf(f, "%-16s %-12s %14s %14s %8s %9s  %s%s%s%s\n", r->bench, r->mode, ma, mb, change, p,
			r->regression ? "REGRESSION: " : "", verdict_name(r->verdict), r->why[0] ? ": " : "", r->why);
	}
	if (neither)
		fprintf(f, "(%zu benchmark x mode pairs measured in neither run are not shown)\n", neither);
}

static const char compare_help[] =
	"usage: pvbench compare A B [--db FILE] [--threshold PCT|BENCH=PCT]... [--json]\n"
	"       pvbench check --baseline FILE [RUN] [--db FILE] [--threshold PCT|BENCH=PCT]... [--allow-missing] [--json]\n"
	"  A, B, RUN         a run id in the database, or a JSON export / baseline file (RUN: default the latest)\n"
	"  --threshold PCT   a change of the median counts only beyond PCT% (default 5); BENCH=PCT for one\n"
	"                    benchmark (repeatable)\n"
	"  --json            the comparison as JSON rows on stdout\n"
	"  --allow-missing   check: a benchmark measured in the baseline and absent from RUN is not a regression\n"
	"A benchmark is slower or faster when the Mann-Whitney U test gives p < 0.01 and its median moved\n"
	"beyond the threshold; a benchmark measured in A that fails in B, or a checked value that differs\n"
	"(compute's checksum), is a regression too. Deterministic figures (guest instructions, exits, device\n"
	"accesses, VMI callouts per operation) are compared exactly: more of one in B is a regression, with no\n"
	"threshold; '~' marks a figure that differed between the guest's repeated counting passes.\n"
	"check also fails on a benchmark the baseline measured that RUN lacks (unless --allow-missing).\n"
	"check exits 1 on any regression, 2 on bad input.\n";

/* compare and check: A and B, then the table; check's exit status says whether B regressed. */
static int compare_main(int argc, char **argv, bool check)
{
	static const struct option opts[] = { { "db", 1, 0, 'd' }, { "threshold", 1, 0, 't' }, { "baseline", 1, 0, 'b' },
					      { "json", 0, 0, 'j' }, { "allow-missing", 0, 0, 'm' }, { "help", 0, 0, 'h' },
					      { 0, 0, 0, 0 } };
	const char *db = STORE_DEFAULT_PATH, *baseline = NULL, *cmd = check ? "check" : "compare";
	struct compare_opts co;
	bool json = false;
	char err[256];
	compare_opts_default(&co);
	co.missing_fails = check;
	optind = 1;
	opterr = 0;
	for (int ch; (ch = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
		switch (ch) {
		case 'd': db = optarg; break;
		case 'b': baseline = optarg; break;
		case 'j': json = true; break;
		case 'm':
			if (!check)
				return cli_error("--allow-missing is for check");
			co.missing_fails = false;
			break;
		case 't':
			if (compare_opts_threshold(&co, optarg, err, sizeof(err)))
				return cli_error("%s", err);
			break;
		case 'h': fputs(compare_help, stdout); return 0;
		default: return cli_error("unknown option or missing value: '%s' (see 'pvbench %s --help')", argv[optind - 1], cmd);
		}
	}
	struct side a = { .name = baseline }, b = { .name = NULL };
	int want = check ? 1 : 2, have = argc - optind;
	if (check && !baseline)
		return cli_error("check needs --baseline FILE (write one with 'pvbench baseline save')");
	if (!check && baseline)
		return cli_error("compare takes A and B as arguments, not --baseline");
	if (have > want || (!check && have < want))
		return cli_error("%s takes %s (see 'pvbench %s --help')", cmd, check ? "at most one RUN" : "two runs, A and B", cmd);
	if (!check)
		a.name = argv[optind++];
	b.name = optind < argc ? argv[optind] : NULL;
	if (cli_load(a.name, db, &a.meta, &a.h, &a.rs))
		return EXIT_USAGE;
	if (cli_load(b.name, db, &b.meta, &b.h, &b.rs)) {
		results_free(&a.rs);
		return EXIT_USAGE;
	}
	struct compare_row *rows = NULL;
	struct figure_row *fr = NULL;
	size_t n = 0, nf = 0, same, regressions = 0;
	int rc = compare_runs(&a.rs, &b.rs, &co, &rows, &n) || figures_compare(&a.rs, &b.rs, &fr, &nf, &same)
		 ? cli_error("out of memory comparing the runs") : 0;
	for (size_t i = 0; !rc && i < n; i++)
		regressions += rows[i].regression;
	for (size_t i = 0; !rc && i < nf; i++)
		regressions += fr[i].regression;
	if (!rc && json)
		print_json(stdout, rows, n, fr, nf);
	else if (!rc) {
		describe(stdout, "A", &a);
		describe(stdout, "B", &b);
		print_table(stdout, rows, n);
		print_figures(stdout, fr, nf, same);
		printf("\n%zu regression%s (p < %g and beyond the threshold, or broken, or a checked value changed,\n"
		       "or more of a deterministic figure per operation)\n", regressions, regressions == 1 ? "" : "s",
		       COMPARE_ALPHA);
	}
	if (!rc && check && regressions) {
		fprintf(stderr, "pvbench check: %zu regression%s against %s:\n", regressions, regressions == 1 ? "" : "s", baseline);
		for (size_t i = 0; i < n; i++)
			if (rows[i].regression)
				fprintf(stderr, "  %s / %s: %s: %s\n", rows[i].bench, rows[i].mode, verdict_name(rows[i].verdict),
					rows[i].why);
		for (size_t i = 0; i < nf; i++)
			if (fr[i].regression)
				fprintf(stderr, "  %s / %s: %s per operation went from %.6g to %.6g (exact)\n", fr[i].bench,
					fr[i].mode, fr[i].name, figure_per_op(&fr[i].a), figure_per_op(&fr[i].b));
		rc = 1;
	}
	free(rows);
	free(fr);
	results_free(&a.rs);
	results_free(&b.rs);
	return rc;
}

int cmd_compare(int argc, char **argv) { return compare_main(argc, argv, false); }
int cmd_check(int argc, char **argv) { return compare_main(argc, argv, true); }
