/* pvbench ab: two builds measured in alternating rounds in one job (base, head, head, base,
 * ...; each round a fresh `run`, so a fresh guest boot per mode) and judged in pairs: a
 * regression is a paired change significant by the signed-rank test and beyond both the
 * threshold and the base's own spread across the rounds; the deterministic figures are
 * compared exactly on the first round. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "../collect/figures.h"
#include "../collect/paired.h"
#include "../collect/table.h"
#include "../util/proc.h"

#define AB_DEFAULT_ROUNDS 8  /* the fewest whose exact signed-rank p can go below 0.01 */
#define AB_ALPHA 0.01
#define AB_MAX_ARGS 64

struct ab_side {
	const char *bin, *label;
	char db[4200];
	char *extra;                       /* its own run arguments (the split copy) */
	struct result_set rs[PAIRED_MAX_ROUNDS];
};

/* Splits s on spaces into argv from *n on; false when too many. */
static bool split_args(char *s, const char **argv, int *n)
{
	for (char *save = NULL, *t = strtok_r(s, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		if (*n >= AB_MAX_ARGS - 1)
			return false;
		argv[(*n)++] = t;
	}
	return true;
}

/* One round of side s: its binary's `run` into its own database. 0, or the failing status. */
static int round_of(struct ab_side *s, int argc, char **argv)
{
	const char *args[AB_MAX_ARGS];
	int n = 0;
	args[n++] = s->bin;
	args[n++] = "run";
	args[n++] = "--quiet";
	args[n++] = "--db";
	args[n++] = s->db;
	for (int i = 0; i < argc && n < AB_MAX_ARGS - 1; i++)
		args[n++] = argv[i];
	char copy[1024];
	snprintf(copy, sizeof(copy), "%s", s->extra ? s->extra : "");
	if (!split_args(copy, args, &n))
		return cli_error("%s: too many run arguments", s->label), EXIT_USAGE;
	args[n] = NULL;
	int rc = run_program_stderr(args, true);
	if (rc == 0 || rc == 1) /* 1: a benchmark failed, stored as such */
		return 0;
	return cli_error("%s (%s) run failed with status %d", s->label, s->bin, rc), EXIT_USAGE;
}

static const char ab_help[] =
	"usage: pvbench ab --base BIN --head BIN [--rounds N] [--threshold PCT] [--allow-missing]\n"
	"                  [--base-args S] [--head-args S] [--keep DIR] [-- RUN-OPTIONS...]\n"
	"  --base, --head  the two pvbench binaries (each finds its guest beside itself)\n"
	"  --rounds N      rounds per side, alternating base head head base ... (default 8, at most 24)\n"
	"  --threshold PCT a paired change counts only beyond PCT% (default 5), and beyond the base's\n"
	"                  own spread across its rounds, whichever is larger\n"
	"  --base-args S, --head-args S  run options for one side only (e.g. --guest-args inject=ptemod:slow)\n"
	"  --keep DIR      keep both sides' databases there (base.db, head.db)\n"
	"  -- RUN-OPTIONS  options for every round's `run` (e.g. --modes emulate,bt --bench ptemod --reps 5)\n"
	"A benchmark x mode is slower when head/base, paired round by round, is above 1 with an exact\n"
	"two-sided Wilcoxon signed-rank p < 0.01 and by more than the threshold and the noise floor; more\n"
	"of a deterministic figure per operation in the first round, or a benchmark the base measured that\n"
	"the head failed or lacked (unless --allow-missing), is a regression too.\n"
	"Exit status: 0 no regression, 1 a regression, 2 bad input.\n";

int cmd_ab(int argc, char **argv)
{
	static const struct option opts[] = { { "base", 1, 0, 'b' }, { "head", 1, 0, 'H' }, { "rounds", 1, 0, 'r' },
					      { "threshold", 1, 0, 't' }, { "allow-missing", 0, 0, 'm' },
					      { "base-args", 1, 0, 'B' }, { "head-args", 1, 0, 'A' }, { "keep", 1, 0, 'k' },
					      { "help", 0, 0, 'h' }, { 0, 0, 0, 0 } };
	struct ab_side *side = calloc(2, sizeof(*side));
	if (!side)
		return cli_error("out of memory");
	side[0].label = "base";
	side[1].label = "head";
	uint64_t rounds = AB_DEFAULT_ROUNDS;
	double threshold = 5;
	bool allow_missing = false;
	const char *keep = NULL;
	int rc = 0;
	optind = 1;
	opterr = 0;
	for (int ch; !rc && (ch = getopt_long(argc, argv, "+", opts, NULL)) != -1;) {
		switch (ch) {
		case 'b': side[0].bin = optarg; break;
		case 'H': side[1].bin = optarg; break;
		case 'r': rc = cli_u64("--rounds", optarg, 2, PAIRED_MAX_ROUNDS, &rounds); break;
		case 't': {
			char *end;
			threshold = strtod(optarg, &end);
			if (*end || !(threshold >= 0))
				rc = cli_error("--threshold: '%s' is not a percentage", optarg);
			break;
		}
		case 'm': allow_missing = true; break;
		case 'B': side[0].extra = optarg; break;
		case 'A': side[1].extra = optarg; break;
		case 'k': keep = optarg; break;
		case 'h': fputs(ab_help, stdout); free(side); return 0;
		default: rc = cli_error("unknown option or missing value: '%s' (see 'pvbench ab --help')", argv[optind - 1]);
		}
	}
	if (!rc && (!side[0].bin || !side[1].bin))
		rc = cli_error("ab needs --base BIN and --head BIN");
	for (int s = 0; !rc && s < 2; s++)
		if (access(side[s].bin, X_OK))
			rc = cli_error("%s binary %s is not executable", side[s].label, side[s].bin);
	char dir[64] = "/tmp/pvbench-ab-XXXXXX";
	bool made_dir = !rc && !keep && mkdtemp(dir);
	if (!rc && !keep && !made_dir)
		rc = cli_error("cannot make a temporary directory");
	for (int s = 0; !rc && s < 2; s++) {
		snprintf(side[s].db, sizeof(side[s].db), "%s/%s.db", keep ? keep : dir, side[s].label);
		unlink(side[s].db);
	}
	int run_argc = argc - optind;
	char **run_argv = argv + optind;
	for (uint64_t r = 0; !rc && r < rounds; r++) /* ABBA: drift in time weighs on both alike */
		for (int k = 0; !rc && k < 2; k++) {
			int s = (r & 1) ? 1 - k : k;
			fprintf(stderr, "  round %llu/%llu: %s\n", (unsigned long long)r + 1, (unsigned long long)rounds,
				side[s].label);
			rc = round_of(&side[s], run_argc, run_argv);
		}
	for (int s = 0; !rc && s < 2; s++)
		for (uint64_t r = 0; !rc && r < rounds; r++) {
			char which[24];
			struct run_meta meta;
			struct host_info h;
			snprintf(which, sizeof(which), "%llu", (unsigned long long)r + 1);
			if (cli_load(which, side[s].db, &meta, &h, &side[s].rs[r]))
				rc = EXIT_USAGE;
		}
	size_t regressions = 0;
	if (!rc) {
		struct table t[2][PAIRED_MAX_ROUNDS];
		for (int s = 0; s < 2; s++)
			for (uint64_t r = 0; r < rounds; r++)
				if (table_build(&side[s].rs[r], &t[s][r]))
					return cli_error("out of memory");
		printf("%-16s %-12s %12s %12s %8s %7s %9s  %s\n", "benchmark", "mode", "base ns", "head ns", "change",
		       "noise", "p", "verdict");
		for (size_t i = 0; i < t[0][0].n; i++) {
			const struct cell *c0 = &t[0][0].c[i];
			double b[PAIRED_MAX_ROUNDS], hd[PAIRED_MAX_ROUNDS];
			size_t n = 0;
			const char *lost = NULL;
			for (uint64_t r = 0; r < rounds; r++) {
				const struct cell *cb = table_cell(&t[0][r], c0->mode, c0->bench);
				const struct cell *ch = table_cell(&t[1][r], c0->mode, c0->bench);
				if (!cb || cb->status != MS_OK)
					continue; /* the base did not measure it: nothing to hold the head to */
				if (!ch || ch->status != MS_OK) {
					lost = !ch ? "missing in the head" : mstatus_name(ch->status);
					continue;
				}
				b[n] = cb->s.median;
				hd[n++] = ch->s.median;
			}
			struct paired_result pr;
			if (lost && !allow_missing) {
				printf("%-16s %-12s %12s %12s %8s %7s %9s  REGRESSION: %s\n", c0->bench, c0->mode, "", "", "", "",
				       "", lost);
				regressions++;
				continue;
			}
			if (n < 2 || paired_judge(b, hd, n, threshold, AB_ALPHA, &pr))
				continue;
			regressions += pr.slower;
			printf("%-16s %-12s %12.1f %12.1f %+7.1f%% %6.1f%% %9.2g  %s%s\n", c0->bench, c0->mode, pr.base, pr.head,
			       pr.change_pct, pr.noise_pct, pr.p, pr.slower ? "REGRESSION: slower" : pr.faster ? "faster" : "same",
			       n < rounds ? " (fewer rounds measured)" : "");
		}
		struct figure_row *fr = NULL;
		size_t nf = 0, same = 0;
		if (figures_compare(&side[0].rs[0], &side[1].rs[0], &fr, &nf, &same))
			return cli_error("out of memory");
		printf("\ndeterministic figures per operation, first round, compared exactly: %zu equal, %zu differ\n", same, nf);
		for (size_t i = 0; i < nf; i++) {
			printf("  %-16s %-12s %-24s %.6g -> %.6g  %s%s\n", fr[i].bench, fr[i].mode, fr[i].name,
			       figure_per_op(&fr[i].a), figure_per_op(&fr[i].b), fr[i].regression ? "REGRESSION: " : "",
			       fr[i].verdict);
			regressions += fr[i].regression;
		}
		free(fr);
		printf("\n%zu regression%s in %llu interleaved rounds\n", regressions, regressions == 1 ? "" : "s",
		       (unsigned long long)rounds);
		for (int s = 0; s < 2; s++)
			for (uint64_t r = 0; r < rounds; r++)
				table_free(&t[s][r]);
		rc = regressions ? 1 : 0;
	}
	for (int s = 0; s < 2; s++)
		for (uint64_t r = 0; r < rounds; r++)
			results_free(&side[s].rs[r]);
	if (made_dir)
		remove_tree(dir);
	free(side);
	return rc;
}
