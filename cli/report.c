/* pvbench report: one self-contained HTML page (the plots inlined as SVG) with the host,
 * the run, its table and its plots: something to attach to a paper or a pull request. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "paper.h"
#include "plot.h"
#include "../collect/compare.h"
#include "../collect/figures.h"
#include "../collect/table.h"
#include "../util/proc.h"
#include "../abi/plan.h"
#include "../modes/mode.h"

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
	snprintf(buf, sizeof(buf), "%s .. %s", m->started, m->finished[0] ? m->finished : "(did not finish)");
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

/* ns as the unit that keeps it readable: ns, µs, ms or s */
static const char *scaled(double ns, char *buf, size_t n)
{
	if (ns >= 1e9)
		snprintf(buf, n, "%.3g s", ns / 1e9);
	else if (ns >= 1e6)
		snprintf(buf, n, "%.3g ms", ns / 1e6);
	else if (ns >= 1e4)
		snprintf(buf, n, "%.3g µs", ns / 1e3);
	else
		snprintf(buf, n, "%.3g ns", ns);
	return buf;
}

static const struct cell *measured(const struct table *t, const char *mode, const char *bench)
{
	const struct cell *c = table_cell(t, mode, bench);
	return c && c->status == MS_OK && c->n && c->s.median > 0 ? c : NULL;
}

/* The headline ratios (each mode over native where native ran the benchmark), the engine x
 * interface matrix (each vmi:ENGINE over ENGINE), and what moved since the previous run of
 * this host in the database (prev, or NULL when there is none). */
static void findings(FILE *f, const struct table *t, const struct result_set *cur, const struct result_set *prev,
		     int64_t prev_id)
{
	char buf[32];
	fputs("<h2>Findings</h2>\n<ul>\n", f);
	for (int b = 0; b < bench_count; b++) {
		const struct cell *nat = measured(t, "native", bench_table[b].name);
		if (!nat)
			continue;
		fprintf(f, "<li><b>%s</b> (native %s): ", bench_table[b].name, scaled(nat->s.median, buf, sizeof(buf)));
		for (int j = 0, k = 0; j < t->nmodes; j++) {
			const struct cell *c = measured(t, t->modes[j], bench_table[b].name);
			if (c && c != nat)
				fprintf(f, "%s%s <b>%.3g×</b> native", k++ ? ", " : "", t->modes[j], c->s.median / nat->s.median);
		}
		fputs("</li>\n", f);
	}
	fputs("</ul>\n", f);
	const struct mode *vmi[TABLE_MAX_MODES], *plain[TABLE_MAX_MODES];
	int nv = 0;
	for (int j = 0; j < t->nmodes; j++) {
		const struct mode *m = mode_find(t->modes[j]);
		const struct mode *p = m && m->iface == IFACE_VMI ? mode_with(m->engine, IFACE_NATIVE) : NULL;
		bool ran = false;
		for (int i = 0; p && i < t->nmodes; i++)
			ran |= !strcmp(t->modes[i], p->name);
		if (ran) {
			vmi[nv] = m;
			plain[nv++] = p;
		}
	}
	if (nv) {
		fputs("<p>The VMI interface against the native one on the same engine (median over median; below 1: VMI "
		      "cheaper):</p>\n<table class=results><tr><th>benchmark</th>", f);
		for (int i = 0; i < nv; i++)
			fprintf(f, "<th>%s / %s</th>", vmi[i]->name, plain[i]->name);
		fputs("</tr>\n", f);
		for (int b = 0; b < bench_count; b++) {
			if (!table_has_bench(t, bench_table[b].name) || bench_table[b].needs == PVB_NEED_NONE)
				continue;
			fprintf(f, "<tr><th>%s</th>", bench_table[b].name);
			for (int i = 0; i < nv; i++) {
				const struct cell *v = measured(t, vmi[i]->name, bench_table[b].name);
				const struct cell *nn = measured(t, plain[i]->name, bench_table[b].name);
				if (v && nn)
					fprintf(f, "<td class=ok>%.3g</td>", v->s.median / nn->s.median);
				else
					fputs("<td>—</td>", f);
			}
			fputs("</tr>\n", f);
		}
		fputs("</table>\n", f);
	}
	if (!prev) {
		fputs("<p>No earlier run of this host in the database to compare with.</p>\n", f);
		return;
	}
	struct compare_row *rows;
	size_t n, moved = 0;
	struct compare_opts co;
	compare_opts_default(&co);
	if (compare_runs(prev, cur, &co, &rows, &n))
		return;
	fprintf(f, "<p>Since run %lld, the previous one of this host (Mann-Whitney p &lt; 0.01 and beyond %g%%):</p>\n<ul>\n",
		(long long)prev_id, co.threshold_pct);
	for (size_t i = 0; i < n; i++) {
		const struct compare_row *r = &rows[i];
		if (r->verdict == V_SAME || r->verdict == V_NEITHER || r->verdict == V_NEW || r->verdict == V_MISSING)
			continue;
		fprintf(f, "<li>%s %s: <b>%s</b> ", r->bench, r->mode, verdict_name(r->verdict));
		html(f, r->why);
		fputs("</li>\n", f);
		moved++;
	}
	if (!moved)
		fputs("<li>nothing moved</li>\n", f);
	fputs("</ul>\n", f);
	free(rows);
}

static void results(FILE *f, const struct table *t, const struct result_set *r)
{
	const struct cell *notes[64];
	int nn = 0;
	fputs("<h2>Results</h2>\n<p>Median time per operation; below it the confidence interval of the median (at least 95% coverage: 98.8% for 11 repetitions) "
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
			{
				char m[32], lo[32], hi[32];
				fprintf(f, "<td class=ok>%s%s<br><small>[%s, %s] ±%.1f%%, n=%zu</small></td>",
					scaled(c->s.median, m, sizeof(m)), c->s.outliers ? " <b>!</b>" : "",
					scaled(c->s.ci_lo, lo, sizeof(lo)), scaled(c->s.ci_hi, hi, sizeof(hi)),
					c->s.median ? 50 * (c->s.q3 - c->s.q1) / c->s.median : 0.0, c->n);
			}
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
	for (size_t i = 0; i < r->nv; i++) {
		fputs("<p>", f);
		html(f, r->v[i].mode);
		fputc(' ', f);
		html(f, r->v[i].bench);
		fprintf(f, " checked value: <code>0x%016llx</code></p>\n", (unsigned long long)r->v[i].value);
	}
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
	"  one self-contained HTML page for RUN (default: the latest; or a JSON export): findings (the\n"
	"  ratios to native, VMI against the native interface, what moved since the previous run of\n"
	"  this host), run and host facts, the table with confidence intervals, the plots (inline SVG)\n";

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
	char err[512], dir[] = "/tmp/pvbench-report-XXXXXX";
	if (cli_load(which, db, &meta, &h, &rs))
		return EXIT_USAGE;
	if (!mkdtemp(dir) || table_build(&rs, &t)) {
		results_free(&rs);
		return cli_error("cannot make a temporary directory or out of memory");
	}
	rc = plot_run(&rs, db, dir, reference, &made, err, sizeof(err)) ? cli_error("%s", err) : 0;
	/* the latest earlier run of the same host, for what moved */
	struct run_meta prev_meta = { 0 };
	struct host_info prev_h;
	struct result_set prev = { 0 };
	bool have_prev = false;
	struct store st;
	if (!rc && meta.id > 1 && !store_open(&st, db, STORE_BUSY_MS, err, sizeof(err))) {
		for (int64_t id = meta.id - 1; id >= 1 && !have_prev; id--) {
			if (store_load_run(&st, id, &prev_meta, &prev_h, &prev, err, sizeof(err)))
				continue;
			have_prev = !strcmp(prev_h.brand, h.brand) && !strcmp(prev_h.kvm_backend, h.kvm_backend) &&
				    !strcmp(prev_meta.guest, meta.guest);
			if (!have_prev)
				results_free(&prev);
		}
		store_close(&st);
	}
	struct cli_out o = { 0 };
	if (!rc)
		rc = cli_out_open(&o, out);
	FILE *f = o.f;
	if (f) {
		fprintf(f, "<!DOCTYPE html>\n<html><head><meta charset=utf-8><title>pvbench run %lld</title>\n"
			"<style>body{font-family:sans-serif;max-width:1500px;margin:auto;padding:1em}"
			"table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top}"
			"td.ok{text-align:right}td.failed{background:#fdd}td.unsupported{color:#777}"
			"small{color:#555}figure{margin:2em 0}svg{max-width:100%%;height:auto}</style></head><body>\n"
			"<h1>pvbench run %lld</h1>\n<p>What each way of virtualizing x86 costs, measured in one guest "
			"under every mode.</p>\n", (long long)meta.id, (long long)meta.id);
		findings(f, &t, &rs, have_prev ? &prev : NULL, prev_meta.id);
		paper_table(f, &t, &rs);
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
		rc = cli_out_commit(&o, rc);
	}
	remove_tree(dir);
	table_free(&t);
	results_free(&rs);
	if (have_prev)
		results_free(&prev);
	if (!rc)
		fprintf(stderr, "report written to %s\n", out);
	return rc;
}
