/* pvbench show, and the run table that `run` prints too. */
#include <getopt.h>
#include <math.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "../collect/export.h"
#include "../collect/figures.h"
#include "../collect/table.h"
#include "../abi/plan.h"
#include "../modes/mode.h"

#define MAX_NOTES 64

struct notes {
	const char *mode[MAX_NOTES], *reason[MAX_NOTES];
	int n;
};

/* printf pads by bytes; pad by characters so "±" keeps the columns straight. */
static int pad(char *out, size_t n, const char *s, int width)
{
	int chars = 0;
	for (const char *p = s; *p; p++)
		chars += (*p & 0xc0) != 0x80;
	return snprintf(out, n, "  %s%*s", s, width > chars ? width - chars : 0, "");
}

static int note_ref(struct notes *ns, const char *mode, const char *reason)
{
	for (int i = 0; i < ns->n; i++)
		if (!strcmp(ns->mode[i], mode) && !strcmp(ns->reason[i], reason))
			return i + 1;
	if (ns->n == MAX_NOTES)
		return 0;
	ns->mode[ns->n] = mode;
	ns->reason[ns->n] = reason;
	return ++ns->n;
}

/* One cell: failures win over results, results over "unsupported". */
static void cell_text(const struct cell *c, const char *mode, struct notes *ns, char *out, size_t n)
{
	if (!c)
		snprintf(out, n, "-");
	else if (c->status == MS_FAILED)
		snprintf(out, n, "FAILED [%d]", note_ref(ns, mode, c->reason));
	else if (c->status == MS_OK) {
		int len = snprintf(out, n, "%.1f ±%.1f%%", c->s.median,
				   c->s.median ? 50.0 * (c->s.q3 - c->s.q1) / fabs(c->s.median) : 0.0);
		if (c->s.outliers)
			snprintf(out + len, n - (size_t)len, " %zu!", c->s.outliers);
	} else
		snprintf(out, n, "unsupported [%d]", note_ref(ns, mode, c->reason));
}

#define STATS_WIDTH 100

/* a over b, with the range the two medians' confidence intervals allow */
static void ratio_text(const struct cell *a, const struct cell *b, char *out, size_t n)
{
	double r = a->s.median / b->s.median, lo = a->s.ci_lo / b->s.ci_hi, hi = a->s.ci_hi / b->s.ci_lo;
	snprintf(out, n, "%.3g (%.3g-%.3g)", r, lo, hi);
}

/* After the table, as hyperfine's "A ran 2.3 times faster than B": each mode against
 * native where native measured the benchmark, and each interface against the other on the
 * same engine (vmi:bt against bt). */
static void print_relative(FILE *f, const struct table *t)
{
	bool header = false;
	for (int b = 0; b < bench_count; b++) {
		const char *bench = bench_table[b].name;
		const struct cell *nat = table_cell(t, "native", bench);
		for (int j = 0; j < t->nmodes; j++) {
			const struct cell *c = table_cell(t, t->modes[j], bench);
			const struct mode *m = mode_find(t->modes[j]);
			const struct cell *ref = nat;
			const char *against = "native";
			if (m && m->iface == IFACE_VMI) { /* vmi:ENGINE against ENGINE */
				const struct mode *plain = mode_with(m->engine, IFACE_NATIVE);
				ref = plain ? table_cell(t, plain->name, bench) : NULL;
				against = plain ? plain->name : "";
			}
			if (!c || !ref || c == ref || c->status != MS_OK || ref->status != MS_OK || !c->n || !ref->n ||
			    !(ref->s.median > 0) || !(ref->s.ci_lo > 0))
				continue;
			char r[64];
			ratio_text(c, ref, r, sizeof(r));
			if (!header) {
				fputs("\nrelative (median over median, and the range the confidence intervals allow):\n", f);
				header = true;
			}
			fprintf(f, "  %-16s %-12s %s x %s\n", bench, t->modes[j], r, against);
		}
	}
}

/* One line per mode x benchmark that has figures. */
static void print_figures(FILE *f, const struct table *t, const struct result_set *r)
{
	bool header = false;
	for (int j = 0; j < t->nmodes; j++)
		for (int b = 0; b < bench_count; b++) {
			int shown = 0;
			for (size_t i = 0; i < r->nf; i++) {
				const struct figure_rec *g = &r->f[i];
				if (strcmp(g->mode, t->modes[j]) || strcmp(g->bench, bench_table[b].name))
					continue;
				if (!header) {
					fputs("\ndeterministic figures per operation (~: differed between the guest's repeated passes):\n", f);
					header = true;
				}
				if (!shown++)
					fprintf(f, "  %-8s %-16s", g->mode, g->bench);
				fprintf(f, " %s=%.6g%s", g->name, figure_per_op(g), g->exact ? "" : "~");
			}
			if (shown)
				fputc('\n', f);
		}
}

void print_run(FILE *f, const struct run_meta *meta, const struct host_info *h, const struct result_set *r)
{
	struct table t;
	if (table_build(r, &t)) {
		fputs("pvbench: out of memory printing the run\n", stderr);
		return;
	}
	fprintf(f, "run %lld  %s .. %s  pvbench %s\n", (long long)meta->id, meta->started,
		meta->finished[0] ? meta->finished : "(did not finish: killed or still running)", meta->revision);
	fprintf(f, "host: %s %s (family %d model %d stepping %d), %s\n", h->vendor, h->brand, h->family, h->model,
		h->stepping, h->kernel);
	fprintf(f, "kvm backend: %s (%s)\n", h->kvm_backend, h->kvm_detail);
	fprintf(f, "guest: %s, sha256 %s\n\nmedian ns per operation, ± half the interquartile range as %% of the median;"
		" N! = N outlying repetitions (kept)\n\n", meta->guest[0] ? meta->guest : "unrecorded", meta->guest_sha256);
	fprintf(f, "%-16s", "benchmark");
	int width[TABLE_MAX_MODES];
	for (int j = 0; j < t.nmodes; j++) {
		char head[64];
		const struct cell *any = NULL;
		for (size_t i = 0; i < t.n && !any; i++)
			any = !strcmp(t.c[i].mode, t.modes[j]) ? &t.c[i] : NULL;
		snprintf(head, sizeof(head), "%s (%s)", t.modes[j], any ? any->backend : "");
		width[j] = strlen(head) > 22 ? (int)strlen(head) : 22; /* a long backend widens its column */
		fprintf(f, "  %-*s", width[j], head);
	}
	fputc('\n', f);
	struct notes ns = { .n = 0 };
	for (int b = 0; b < bench_count; b++) {
		char line[512];
		int len = snprintf(line, sizeof(line), "%-16s", bench_table[b].name), any = 0;
		for (int j = 0; j < t.nmodes && len < (int)sizeof(line); j++) {
			char c[64];
			const struct cell *cl = table_cell(&t, t.modes[j], bench_table[b].name);
			cell_text(cl, t.modes[j], &ns, c, sizeof(c));
			any |= cl != NULL;
			len += pad(line + len, sizeof(line) - (size_t)len, c, width[j]);
		}
		if (any)
			fprintf(f, "%s\n", line);
	}
	if (ns.n)
		fputc('\n', f);
	for (int i = 0; i < ns.n; i++)
		fprintf(f, "[%d] %s: %s\n", i + 1, ns.mode[i], ns.reason[i]);
	print_relative(f, &t);
	for (size_t i = 0; i < r->nv; i++)
		fprintf(f, "%s %s value: 0x%016llx\n", r->v[i].mode, r->v[i].bench, (unsigned long long)r->v[i].value);
	print_figures(f, &t, r);
	for (int j = 0, header = 0; j < t.nmodes; j++) {
		int shown = 0, column = 0;
		for (size_t i = 0; i < r->ns; i++) {
			if (strcmp(r->s[i].mode, t.modes[j]) || !r->s[i].value)
				continue;
			if (!header++)
				fputs("\nengine statistics, summed over boots:\n", f);
			bool reg = !strncmp(r->s[i].name, "cpuid.", 6); /* a register the guest read: hex */
			char item[96];
			int len = snprintf(item, sizeof(item), reg ? "%s=0x%llx" : "%s=%llu", r->s[i].name,
					   (unsigned long long)r->s[i].value);
			if (!shown || column + len + 2 > STATS_WIDTH) { /* lines of at most STATS_WIDTH columns */
				fprintf(f, shown ? ",\n    %s" : "  %s: %s", shown ? item : t.modes[j], item);
				column = 4 + len + (shown ? 0 : (int)strlen(t.modes[j]) - 2);
			} else {
				fprintf(f, ", %s", item);
				column += len + 2;
			}
			shown++;
		}
		if (shown)
			fputc('\n', f);
	}
	table_free(&t);
}

static const char show_help[] =
	"usage: pvbench show [RUN] [--db FILE] [--json]\n"
	"  RUN         run id (default: the latest), or a JSON export\n"
	"  --db FILE   results database (default results/pvbench.db)\n"
	"  --json      the run as JSON (the export's format) instead of the table\n";

int cmd_show(int argc, char **argv)
{
	static const struct option opts[] = { { "db", 1, 0, 'd' }, { "json", 0, 0, 'j' }, { "help", 0, 0, 'h' },
					      { 0, 0, 0, 0 } };
	const char *db = STORE_DEFAULT_PATH;
	bool json = false;
	optind = 1;
	opterr = 0; /* our own one-line message instead of getopt's */
	for (int ch; (ch = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
		if (ch == 'd')
			db = optarg;
		else if (ch == 'j')
			json = true;
		else if (ch == 'h')
			return fputs(show_help, stdout), 0;
		else
			return cli_error("unknown option or missing value: '%s' (see 'pvbench show --help')", argv[optind - 1]);
	}
	struct run_meta meta;
	struct host_info h;
	struct result_set rs = { 0 };
	if (cli_load_run(argc, argv, db, &meta, &h, &rs))
		return EXIT_USAGE;
	char err[256];
	int rc = 0;
	if (!json)
		print_run(stdout, &meta, &h, &rs);
	else if (export_run(stdout, EXPORT_JSON, &meta, &h, &rs, err, sizeof(err)))
		rc = cli_error("%s", err);
	results_free(&rs);
	return rc;
}
