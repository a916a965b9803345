/* pvbench report: one self-contained HTML page (the plots inlined as SVG) with the host,
 * the run, its table and its plots: something to attach to a paper or a pull request. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "plot.h"
#include "../collect/figures.h"
#include "../collect/table.h"
#include "../util/proc.h"
#include "../abi/plan.h"

static void html(FILE *f, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
}

static void row(FILE *f, const char *key, const char *value)
{
	fputs("<tr><th>", f);
	html(f, key);
	fputs("</th><td>", f);
	html(f, value);
	fputs("</td></tr>\n", f);
}

static void facts(FILE *f, const struct run_meta *m, const struct host_info *h)
{
	char buf[256];
	fputs("<h2>Run and host</h2>\n<table class=facts>\n", f);
	snprintf(buf, sizeof(buf), "%lld", (long long)m->id);
	row(f, "run", buf);
	snprintf(buf, sizeof(buf), "%s .. %s", m->started, m->finished);
	row(f, "time (UTC)", buf);
	row(f, "pvbench revision", m->revision);
	row(f, "command", m->cmdline);
	row(f, "guest", m->guest[0] ? m->guest : "unrecorded");
	row(f, "guest image sha256", m->guest_sha256);
	snprintf(buf, sizeof(buf), "%s %s (family %d, model %d, stepping %d)", h->vendor, h->brand, h->family, h->model,
		 h->stepping);
	row(f, "CPU", buf);
	snprintf(buf, sizeof(buf), "vmx %s, svm %s, hypervisor %s", h->vmx ? "yes" : "no", h->svm ? "yes" : "no",
		 h->hypervisor ? "yes" : "no");
	row(f, "CPU virtualization", buf);
	row(f, "kernel", h->kernel);
	snprintf(buf, sizeof(buf), "%s (%s)", h->kvm_backend, h->kvm_detail);
	row(f, "KVM backend", buf);
	snprintf(buf, sizeof(buf), "%llu Hz", (unsigned long long)h->tsc_hz);
	row(f, "TSC", buf);
	fputs("</table>\n", f);
}

static void results(FILE *f, const struct table *t, const struct result_set *r)
{
	const struct cell *notes[64];
	int nn = 0;
	fputs("<h2>Results</h2>\n<p>Median ns per operation; below it the confidence interval of the median (at least 95% coverage: 98.8% for 11 repetitions) "
	      "(order statistics) and half the interquartile range; <b>!</b> marks repetitions beyond the outlier "
	      "fences (kept, never dropped).</p>\n<table class=results>\n<tr><th>benchmark</th>", f);
	for (int j = 0; j < t->nmodes; j++) {
		const struct cell *any = NULL;
		for (size_t i = 0; i < t->n && !any; i++)
			any = !strcmp(t->c[i].mode, t->modes[j]) ? &t->c[i] : NULL;
		fputs("<th>", f);
		html(f, t->modes[j]);
		fputs("<br><small>", f);
		html(f, any ? any->backend : "");
		fputs("</small></th>", f);
	}
	fputs("</tr>\n", f);
	for (int b = 0; b < bench_count; b++) {
		if (!table_has_bench(t, bench_table[b].name))
			continue;
		fprintf(f, "<tr><th title=\"%s\">%s</th>", bench_table[b].desc, bench_table[b].name);
		for (int j = 0; j < t->nmodes; j++) {
			const struct cell *c = table_cell(t, t->modes[j], bench_table[b].name);
			if (!c)
				fputs("<td>—</td>", f);
			else if (c->status == MS_OK)
				fprintf(f, "<td class=ok>%.1f%s<br><small>[%.1f, %.1f] ±%.1f%%, n=%zu</small></td>", c->s.median,
					c->s.outliers ? " <b>!</b>" : "", c->s.ci_lo, c->s.ci_hi,
					c->s.median ? 50 * (c->s.q3 - c->s.q1) / c->s.median : 0.0, c->n);
			else {
				int k = 0;
				while (k < nn && (notes[k]->status != c->status || strcmp(notes[k]->reason, c->reason)))
					k++;
				if (k == nn && nn < 64)
					notes[nn++] = c;
				fprintf(f, "<td class=%s>%s <sup>%d</sup></td>", mstatus_name(c->status), mstatus_name(c->status), k + 1);
			}
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n<ol class=notes>\n", f);
	for (int k = 0; k < nn; k++) {
		fprintf(f, "<li>%s: ", mstatus_name(notes[k]->status));
		html(f, notes[k]->reason);
		fputs("</li>\n", f);
	}
	fputs("</ol>\n", f);
	for (size_t i = 0; i < r->nv; i++)
		fprintf(f, "<p>%s %s checked value: <code>0x%016llx</code></p>\n", r->v[i].mode, r->v[i].bench,
			(unsigned long long)r->v[i].value);
}

/* benchmark x mode, each cell the figures of that pair */
static void figures(FILE *f, const struct table *t, const struct result_set *r)
{
	if (!r->nf)
		return;
	fputs("<h2>Deterministic figures</h2>\n<p>Per operation, counted by the engine over the guest's counting passes "
	      "(m and 2m operations, each twice); compared exactly between runs. <b>~</b> marks a figure that differed "
	      "between the repeated passes.</p>\n<table class=results>\n<tr><th>benchmark</th>", f);
	for (int j = 0; j < t->nmodes; j++) {
		fputs("<th>", f);
		html(f, t->modes[j]);
		fputs("</th>", f);
	}
	fputs("</tr>\n", f);
	for (int b = 0; b < bench_count; b++) {
		if (!table_has_bench(t, bench_table[b].name))
			continue;
		fprintf(f, "<tr><th>%s</th>", bench_table[b].name);
		for (int j = 0; j < t->nmodes; j++) {
			fputs("<td><small>", f);
			for (size_t i = 0, k = 0; i < r->nf; i++) {
				const struct figure_rec *g = &r->f[i];
				if (strcmp(g->mode, t->modes[j]) || strcmp(g->bench, bench_table[b].name))
					continue;
				fprintf(f, "%s", k++ ? "<br>" : "");
				html(f, g->name);
				fprintf(f, " %.6g%s", figure_per_op(g), g->exact ? "" : " <b>~</b>");
			}
			fputs("</small></td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

/* An SVG file inline, without its XML prologue. */
static int inline_svg(FILE *f, const char *path)
{
	FILE *in = fopen(path, "r");
	if (!in)
		return -1;
	char line[8192];
	while (fgets(line, sizeof(line), in))
		if (strncmp(line, "<?xml", 5) && strncmp(line, "<!DOCTYPE", 9) && strncmp(line, " \"http://www.w3.org", 19))
			fputs(line, f);
	fclose(in);
	return 0;
}

static const char report_help[] =
	"usage: pvbench report [RUN] --out FILE.html [--db FILE] [--reference MODE]\n"
	"  one self-contained HTML page for RUN (default: the latest; or a JSON export): run and host\n"
	"  facts, the benchmark x mode table with confidence intervals, and the plots (inline SVG)\n";

int cmd_report(int argc, char **argv)
{
	const char *db = STORE_DEFAULT_PATH, *out = NULL, *which, *reference = NULL;
	int rc = cli_parse_outputs(argc, argv, report_help, &db, &out, NULL, &reference, &which);
	if (rc)
		return rc == CLI_HELP_SHOWN ? 0 : rc;
	if (!out)
		return cli_error("report needs --out FILE.html");
	struct run_meta meta;
	struct host_info h;
	struct result_set rs;
	struct plot_list made;
	struct table t;
	char err[512], dir[] = "/tmp/pvbench-report-XXXXXX", tmp[4200];
	if (cli_load(which, db, &meta, &h, &rs))
		return EXIT_USAGE;
	if (!mkdtemp(dir) || table_build(&rs, &t)) {
		results_free(&rs);
		return cli_error("cannot make a temporary directory or out of memory");
	}
	rc = plot_run(&rs, db, dir, reference, &made, err, sizeof(err)) ? cli_error("%s", err) : 0;
	snprintf(tmp, sizeof(tmp), "%s.tmp", out);
	FILE *f = rc ? NULL : fopen(tmp, "w");
	if (!rc && !f)
		rc = cli_error("cannot write %s: %s", tmp, strerror(errno));
	if (f) {
		fprintf(f, "<!DOCTYPE html>\n<html><head><meta charset=utf-8><title>pvbench run %lld</title>\n"
			"<style>body{font-family:sans-serif;max-width:1500px;margin:auto;padding:1em}"
			"table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top}"
			"td.ok{text-align:right}td.failed{background:#fdd}td.unsupported{color:#777}"
			"small{color:#555}figure{margin:2em 0}svg{max-width:100%%;height:auto}</style></head><body>\n"
			"<h1>pvbench run %lld</h1>\n<p>What each way of virtualizing x86 costs, measured in one guest "
			"under every mode.</p>\n", (long long)meta.id, (long long)meta.id);
		facts(f, &meta, &h);
		results(f, &t, &rs);
		figures(f, &t, &rs);
		fputs("<h2>Plots</h2>\n", f);
		for (int i = 0; i < made.n; i++) {
			char svg[4300];
			if (!made.p[i].caption) {
				fprintf(f, "<p>%s: not drawn: ", made.p[i].name);
				html(f, made.p[i].skipped);
				fputs("</p>\n", f);
				continue;
			}
			snprintf(svg, sizeof(svg), "%s/%s.svg", dir, made.p[i].name);
			fputs("<figure>\n", f);
			if (inline_svg(f, svg))
				rc = cli_error("cannot read %s", svg);
			fprintf(f, "<figcaption>%s</figcaption></figure>\n", made.p[i].caption);
		}
		fputs("</body></html>\n", f);
		if (fclose(f) && !rc)
			rc = cli_error("writing %s: %s", tmp, strerror(errno));
		if (!rc && rename(tmp, out))
			rc = cli_error("cannot write %s: %s", out, strerror(errno));
		if (rc)
			unlink(tmp);
	}
	remove_tree(dir);
	table_free(&t);
	results_free(&rs);
	if (!rc)
		fprintf(stderr, "report written to %s\n", out);
	return rc;
}
