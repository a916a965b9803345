/* pvbench export and pvbench baseline save: a stored run written out. */
#include <errno.h>
#include <getopt.h>
#include <string.h>
#include "cli.h"
#include "../collect/export.h"

#define BASELINE_DEFAULT_PATH "results/baseline.json"

/* Written to a temporary file and renamed, so a failed write leaves no half file. */
static int write_run(const char *which, const char *db, enum export_format f, const char *out)
{
	struct run_meta meta;
	struct host_info h;
	struct result_set rs;
	char err[512];
	if (cli_load(which, db, &meta, &h, &rs))
		return EXIT_USAGE;
	struct cli_out o = { .f = stdout };
	if (out && cli_out_open(&o, out)) {
		results_free(&rs);
		return EXIT_USAGE;
	}
	int rc = export_run(o.f, f, &meta, &h, &rs, err, sizeof(err)) ? cli_error("%s", err) : 0;
	results_free(&rs);
	return out ? cli_out_commit(&o, rc) : rc;
}

static const char export_help[] =
	"usage: pvbench export [RUN] --format json|csv|markdown|gab|bmf [--db FILE] [--out FILE]\n"
	"  RUN        run id (default: the latest) or a JSON export\n"
	"  --format   json: the run, host, per benchmark x mode statistics and raw samples (what\n"
	"             'baseline save' writes and 'compare' reads); csv: one row per benchmark x mode;\n"
	"             markdown: the table; gab: github-action-benchmark customSmallerIsBetter;\n"
	"             bmf: Bencher Metric Format (measure 'latency', ns, bounds the CI of the median, at least 95%: 98.8% for 11 repetitions)\n"
	"  --out FILE write there instead of stdout\n";

static const char baseline_help[] =
	"usage: pvbench baseline save [RUN] [--db FILE] [--out FILE]\n"
	"  writes RUN (default: the latest) as a JSON baseline for 'pvbench check --baseline FILE'\n"
	"  (default " BASELINE_DEFAULT_PATH ")\n";

int cmd_export(int argc, char **argv)
{
	const char *db = STORE_DEFAULT_PATH, *out = NULL, *format = NULL, *which;
	enum export_format f;
	int rc = cli_parse_outputs(argc, argv, export_help, &db, &out, &format, NULL, &which);
	if (rc)
		return rc == CLI_HELP_SHOWN ? 0 : rc;
	if (!format)
		return cli_error("export needs --format json|csv|markdown|gab|bmf");
	if (export_format_parse(format, &f))
		return cli_error("unknown export format '%s' (json, csv, markdown, gab, bmf)", format);
	return write_run(which, db, f, out);
}

int cmd_baseline(int argc, char **argv)
{
	const char *db = STORE_DEFAULT_PATH, *out = BASELINE_DEFAULT_PATH, *which;
	if (argc >= 2 && !strcmp(argv[1], "--help")) {
		fputs(baseline_help, stdout);
		return 0;
	}
	if (argc < 2 || strcmp(argv[1], "save"))
		return cli_error("usage: pvbench baseline save [RUN] [--db FILE] [--out FILE]");
	int rc = cli_parse_outputs(argc - 1, argv + 1, baseline_help, &db, &out, NULL, NULL, &which);
	if (rc)
		return rc == CLI_HELP_SHOWN ? 0 : rc;
	rc = write_run(which, db, EXPORT_JSON, out);
	if (!rc)
		fprintf(stderr, "baseline written to %s\n", out);
	return rc;
}
