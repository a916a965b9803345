/* pvbench plot: a run's figures drawn by gnuplot, each as PNG (pngcairo) and SVG. The
 * data go to .dat files next to the pictures, so every plot can be redrawn or checked. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli.h"
#include "plot.h"
#include "../modes/mode.h"
#include "../collect/compare.h"
#include "../collect/table.h"
#include "../util/proc.h"
#include "../abi/plan.h"

/* One colour and one point type per series, the same for a mode in every plot (its place
 * in the registry), distinct for the 16 a plot can hold (Okabe-Ito's colours, then darker). */
static const char *const palette[] = { "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
				       "#000000", "#004C7A", "#9A6B00", "#006B4F", "#8C4F75", "#2F7FAF", "#8F3F00",
				       "#9A9000", "#666666" };
#define NSTYLES ((int)(sizeof(palette) / sizeof(palette[0])))

static int mode_index(const char *mode)
{
	for (int i = 0; mode_list[i]; i++)
		if (!strcmp(mode_list[i]->name, mode))
			return i;
	return NSTYLES - 1;
}

/* "lc rgb '#...' pt N" for series k; bars (histograms) take the colour only */
static const char *style(int k, char *buf, size_t n)
{
	snprintf(buf, n, "lc rgb '%s' pt %d", palette[k % NSTYLES], 1 + k % 13);
	return buf;
}

static const char *colour(int k, char *buf, size_t n)
{
	snprintf(buf, n, "lc rgb '%s'", palette[k % NSTYLES]);
	return buf;
}

/* The legend of a mode: its name and what it ran on, as the table's header. */
static const char *mode_title(const struct table *t, int j, char *buf, size_t n)
{
	const struct cell *any = NULL;
	for (size_t i = 0; i < t->n && !any; i++)
		any = !strcmp(t->c[i].mode, t->modes[j]) ? &t->c[i] : NULL;
	snprintf(buf, n, "%s (%s)", t->modes[j], any ? any->backend : "?");
	for (char *p = buf; *p; p++)
		if (*p == '\'')
			*p = '`'; /* inside a gnuplot string */
	return buf;
}

/* The cells a run stored as unsupported, for a caption: "mode/bench, ..." */
static void unsupported_list(const struct table *t, char *buf, size_t n)
{
	size_t len = 0;
	buf[0] = 0;
	for (size_t i = 0; i < t->n && len < n; i++)
		if (t->c[i].status == MS_UNSUPPORTED)
			len += (size_t)snprintf(buf + len, n - len, "%s%s/%s", len ? ", " : "", t->c[i].mode, t->c[i].bench);
}

static bool table_has_mode(const struct table *t, const char *mode)
{
	for (int j = 0; j < t->nmodes; j++)
		if (!strcmp(t->modes[j], mode))
			return true;
	return false;
}

static FILE *open_in(const char *dir, const char *name, char *path, size_t n)
{
	snprintf(path, n, "%s/%s", dir, name);
	return fopen(path, "w");
}

static int cannot_write(const char *path, char *err, size_t n)
{
	snprintf(err, n, "cannot write %s: %s", path, strerror(errno));
	return -1;
}

/* The script once per terminal; gnuplot reads it on stdin. */
static int draw(const char *dir, const char *name, const char *script, char *err, size_t n)
{
	static const struct {
		const char *ext, *term;
	} terms[] = { { "png", "pngcairo size 1400,800 font 'Sans,11'" }, { "svg", "svg size 1400,800 dynamic font 'Sans,11'" } };
	for (int i = 0; i < 2; i++) {
		char cmd[4400];
		snprintf(cmd, sizeof(cmd), "cd '%s' && gnuplot 2>&1", dir);
		FILE *g = popen(cmd, "w");
		if (!g) {
			snprintf(err, n, "cannot run gnuplot: %s", strerror(errno));
			return -1;
		}
		fprintf(g, "set terminal %s\nset output '%s.%s'\nset encoding utf8\n%s\n", terms[i].term, name, terms[i].ext, script);
		if (pclose(g) != 0) {
			snprintf(err, n, "gnuplot failed drawing %s.%s", name, terms[i].ext);
			return -1;
		}
	}
	return 0;
}

/* Grouped bars, benchmark x mode, on a log scale, the error bars spanning the IQR. */
static int plot_bars(const char *dir, const struct table *t, struct plot_list *made, char *err, size_t n)
{
	char path[4200];
	FILE *f = open_in(dir, "bars.dat", path, sizeof(path));
	if (!f)
		return cannot_write(path, err, n);
	fputs("# benchmark, then per mode: median q1 q3 (ns per operation; ? = no result)\n", f);
	for (int b = 0; b < bench_count; b++) {
		if (!table_has_bench(t, bench_table[b].name))
			continue;
		fprintf(f, "%s", bench_table[b].name);
		for (int j = 0; j < t->nmodes; j++) {
			const struct cell *c = table_cell(t, t->modes[j], bench_table[b].name);
			if (c && c->status == MS_OK)
				fprintf(f, " %.6g %.6g %.6g", c->s.median, c->s.q1, c->s.q3);
			else
				fputs(" ? ? ?", f);
		}
		fputc('\n', f);
	}
	fclose(f);
	char script[8192];
	int len = snprintf(script, sizeof(script),
			   "set title 'median ns per operation by benchmark and mode (error bars: interquartile range; no bar: not measured or unsupported, as the caption lists)'\n"
			   "set logscale y\nset ylabel 'ns per operation (log scale)'\nset grid ytics\n"
			   "set style data histogram\nset style histogram errorbars gap 2 lw 1\nset style fill solid 0.8 border -1\n"
			   "set boxwidth 0.9\nset xtics rotate by -35 noenhanced\nset key outside right top noenhanced\n"
			   "set datafile missing '?'\nset bmargin 8\nplot ");
	for (int j = 0; j < t->nmodes; j++) {
		char st[64], title[96];
		len += snprintf(script + len, sizeof(script) - (size_t)len, "%s'bars.dat' using %d:%d:%d%s %s title '%s'",
				j ? ", " : "", 2 + 3 * j, 3 + 3 * j, 4 + 3 * j, j ? "" : ":xtic(1)",
				colour(mode_index(t->modes[j]), st, sizeof(st)), mode_title(t, j, title, sizeof(title)));
	}
	static char caption[1024], none[900];
	unsupported_list(t, none, sizeof(none));
	snprintf(caption, sizeof(caption), "Median per benchmark and mode with the interquartile range, log scale%s%s",
		 none[0] ? "; no bar where unsupported: " : "", none);
	plot_list_add(made, "bars", caption);
	return draw(dir, "bars", script, err, n);
}

/* Each mode's median over the reference's: native's where native measured the benchmark,
 * else the reference mode's (--reference; by default emulate). */
static int plot_slowdown(const char *dir, const struct table *t, const char *reference, struct plot_list *made, char *err,
			 size_t n)
{
	char path[4200];
	FILE *f = open_in(dir, "slowdown.dat", path, sizeof(path));
	if (!f)
		return cannot_write(path, err, n);
	fputs("# benchmark, reference mode, then per mode: median / the reference's median (? = not measured)\n", f);
	int rows = 0;
	static char caption[512];
	int clen = snprintf(caption, sizeof(caption), "Slowdown against native where it ran the benchmark, else %s", reference);
	const char *sep = "; left out, with no reference measured: ";
	for (int b = 0; b < bench_count; b++) {
		const char *name = bench_table[b].name;
		const struct cell *ref = table_cell(t, "native", name);
		if (!ref || ref->status != MS_OK)
			ref = table_cell(t, reference, name);
		if (!ref || ref->status != MS_OK) {
			if (table_has_bench(t, name) && clen < (int)sizeof(caption)) {
				clen += snprintf(caption + clen, sizeof(caption) - (size_t)clen, "%s%s", sep, name);
				sep = ", ";
			}
			continue;
		}
		fprintf(f, "%s %s", name, ref->mode);
		for (int j = 0; j < t->nmodes; j++) {
			const struct cell *c = table_cell(t, t->modes[j], name);
			if (c && c->status == MS_OK && ref->s.median > 0)
				fprintf(f, " %.6g", c->s.median / ref->s.median);
			else
				fputs(" ?", f);
		}
		fputc('\n', f);
		rows++;
	}
	fclose(f);
	if (!rows) {
		plot_list_skip(made, "slowdown", "no benchmark was measured in native or in the reference mode");
		return 0;
	}
	char script[8192];
	int len = snprintf(script, sizeof(script),
			   "set title 'slowdown: median over native where it ran the benchmark, else over %s; 1 = as fast'\n"
			   "set logscale y\nset ylabel 'times the reference (log scale)'\nset grid ytics\n"
			   "set style data histogram\nset style histogram clustered gap 2\nset style fill solid 0.8 border -1\n"
			   "set xtics rotate by -35 noenhanced\nset key outside right top noenhanced\nset datafile missing '?'\n"
			   "set bmargin 8\nplot ", reference);
	for (int j = 0; j < t->nmodes; j++) {
		char st[64], title[96];
		len += snprintf(script + len, sizeof(script) - (size_t)len, "%s'slowdown.dat' using %d%s %s title '%s'",
				j ? ", " : "", 3 + j, j ? "" : ":xtic(stringcolumn(1).' vs '.stringcolumn(2))",
				colour(mode_index(t->modes[j]), st, sizeof(st)), mode_title(t, j, title, sizeof(title)));
	}
	plot_list_add(made, "slowdown", caption);
	return draw(dir, "slowdown", script, err, n);
}

/* The repetitions of the timer benchmarks as cumulative distributions, one line per mode. */
static int plot_timer_cdf(const char *dir, const struct table *t, struct plot_list *made, char *err, size_t n)
{
	static const char *const timers[] = { "timer_oneshot", "timer_deadline" };
	char path[4200], script[8192];
	int len = snprintf(script, sizeof(script),
			   "set title 'timer event latency: cumulative distribution of the repetitions (ns per event)'\n"
			   "set logscale x\nset xlabel 'ns per timer event (log scale)'\nset ylabel 'fraction of repetitions'\n"
			   "set yrange [0:1.05]\nset grid\nset key outside right top noenhanced\nplot ");
	int lines = 0;
	for (int k = 0; k < 2; k++)
		for (int j = 0; j < t->nmodes; j++) {
			const struct cell *c = table_cell(t, t->modes[j], timers[k]);
			if (!c || c->status != MS_OK)
				continue;
			char name[80];
			snprintf(name, sizeof(name), "cdf-%s-%s.dat", timers[k], t->modes[j]);
			FILE *f = open_in(dir, name, path, sizeof(path));
			if (!f)
				return cannot_write(path, err, n);
			for (size_t i = 0; i < c->n; i++)
				fprintf(f, "%.6g %.6g\n", c->v[i], (double)(i + 1) / (double)c->n);
			fclose(f);
			char st[64], title[96];
			len += snprintf(script + len, sizeof(script) - (size_t)len, "%s'%s' using 1:2 with steps lw 2 %s dt %d title '%s %s'",
					lines++ ? ", " : "", name, colour(mode_index(t->modes[j]), st, sizeof(st)), 1 + k, timers[k],
					mode_title(t, j, title, sizeof(title)));
		}
	if (!lines) {
		plot_list_skip(made, "timer_cdf", "no timer benchmark was measured in this run");
		return 0;
	}
	plot_list_add(made, "timer_cdf", "Timer event latency, cumulative distribution of the repetitions");
	return draw(dir, "timer_cdf", script, err, n);
}

/* Per mode and benchmark, where the benchmark's host time went, by hook kind (profiled
 * runs only); the remainder is the guest's own execution. */
static int plot_hooks(const char *dir, const struct result_set *r, struct plot_list *made, char *err, size_t n)
{
	static const char *const kinds[] = { "vmi", "exit", "insn", "device" };
	char path[4200];
	FILE *f = NULL;
	int rows = 0;
	for (size_t i = 0; i < r->np; i++) {
		const struct prof_rec *tot = &r->p[i];
		if (strcmp(tot->kind, "total") || tot->host_ns <= 0)
			continue;
		if (!f && !(f = open_in(dir, "hooks.dat", path, sizeof(path))))
			return cannot_write(path, err, n);
		if (!rows)
			fputs("# mode/benchmark, then % of the benchmark's host time in vmi, exit, insn, device hooks, the rest\n", f);
		double share[4] = { 0 }, sum = 0;
		for (size_t k = 0; k < r->np; k++) {
			const struct prof_rec *p = &r->p[k];
			if (strcmp(p->mode, tot->mode) || strcmp(p->bench, tot->bench))
				continue;
			for (int j = 0; j < 4; j++)
				if (!strcmp(p->kind, kinds[j]))
					share[j] += 100 * p->host_ns / tot->host_ns;
		}
		fprintf(f, "%s/%s", tot->mode, tot->bench);
		for (int j = 0; j < 4; j++) {
			fprintf(f, " %.4g", share[j]);
			sum += share[j];
		}
		/* hooks nest (a device access inside a VMI call), so shares can overlap: clamp */
		fprintf(f, " %.4g\n", sum < 100 ? 100 - sum : 0);
		rows++;
	}
	if (f)
		fclose(f);
	if (!rows) {
		plot_list_skip(made, "hooks", "the run has no per-hook profiles (pvbench run --profile)");
		return 0;
	}
	plot_list_add(made, "hooks", "Where each benchmark's host time went, by hook kind (profiled run)");
	return draw(dir, "hooks",
		    "set title 'share of each benchmark''s host time in VMM hooks (nested hooks counted in each)'\n"
		    "set ylabel '% of the benchmark''s host time'\nset yrange [0:100]\nset grid ytics\n"
		    "set style data histogram\nset style histogram rowstacked\nset style fill solid 0.8 border -1\n"
		    "set boxwidth 0.7\nset xtics rotate by -35 noenhanced\nset key outside right top\nset bmargin 10\n"
		    "plot 'hooks.dat' using 2:xtic(1) title 'VMI calls', '' using 3 title 'KVM exits',"
		    " '' using 4 title 'sensitive instructions', '' using 5 title 'device accesses', '' using 6 title 'the rest (guest code)'",
		    err, n);
}

/* Each benchmark of one mode across stored runs, as its median over its first, with the
 * step changes compare_history finds marked. */
static int plot_history(const char *dir, const char *db, const char *mode, struct plot_list *made, char *err, size_t n)
{
	struct store st;
	char path[4200], script[16384];
	if (!db || store_open(&st, db, STORE_BUSY_MS, err, n)) {
		plot_list_skip(made, "history", "no results database to read the history from");
		return 0;
	}
	struct compare_opts co;
	compare_opts_default(&co);
	int len = snprintf(script, sizeof(script),
			   "set title 'mode %s across stored runs: median over the first run''s (marks: step changes, p < 0.01 beyond 5%%)'\n"
			   "set logscale y\nset ylabel 'median / first median (log scale)'\nset xlabel 'run id'\nset grid\n"
			   "set xtics 1 format '%%.0f'\n"
			   "set key outside right top noenhanced\nplot ", mode);
	int lines = 0, rc = 0;
	for (int b = 0; b < bench_count && !rc; b++) {
		struct history_run *runs;
		size_t nr;
		if (store_history(&st, mode, bench_table[b].name, &runs, &nr, err, n)) {
			rc = -1;
			break;
		}
		struct compare_row *rows = calloc(nr ? nr : 1, sizeof(*rows));
		if (rows && nr > 1 && !compare_history(runs, nr, &co, rows)) {
			char name[64];
			snprintf(name, sizeof(name), "history-%s.dat", bench_table[b].name);
			FILE *f = open_in(dir, name, path, sizeof(path));
			double first = 0;
			bool steps = false;
			int points = 0;
			for (size_t i = 0; f && i < nr; i++) {
				struct table t;
				if (table_build(&runs[i].rs, &t))
					break;
				if (t.n && t.c[0].status == MS_OK) {
					first = first ? first : t.c[0].s.median;
					bool step = rows[i].verdict == V_SLOWER || rows[i].verdict == V_FASTER;
					steps |= step;
					points++;
					fprintf(f, "%lld %.6g %s\n", (long long)runs[i].meta.id, t.c[0].s.median / first, step ? (rows[i].verdict == V_SLOWER ? "1" : "-1") : "0");
				}
				table_free(&t);
			}
			if (f)
				fclose(f);
			if (f && !points)
				remove(path);
			else if (f) {
				char st[64], lc[48];
				style(lines, st, sizeof(st));
				colour(lines, lc, sizeof(lc));
				/* a step: the series' own colour, a large hollow square around its point */
				len += snprintf(script + len, sizeof(script) - (size_t)len, "%s'%s' using 1:2 with linespoints %s title '%s'%s%s%s",
						lines ? ", " : "", name, st, bench_table[b].name,
						steps ? ", '' using 1:($3 != 0 ? $2 : 1/0) with points pt 4 ps 3 " : "", steps ? lc : "",
						steps ? " notitle" : "");
				lines++;
			}
		}
		free(rows);
		history_free(runs, nr);
	}
	store_close(&st);
	if (rc)
		return -1;
	if (!lines) {
		plot_list_skip(made, "history", "fewer than two stored runs measured this mode");
		return 0;
	}
	plot_list_add(made, "history", "History of this mode across stored runs, step changes in large squares");
	return draw(dir, "history", script, err, n);
}

void plot_list_add(struct plot_list *l, const char *name, const char *caption)
{
	if (l->n < PLOT_MAX)
		l->p[l->n++] = (struct plot_entry){ name, caption, NULL };
}

void plot_list_skip(struct plot_list *l, const char *name, const char *why)
{
	if (l->n < PLOT_MAX)
		l->p[l->n++] = (struct plot_entry){ name, NULL, why };
}

int plot_run(const struct result_set *r, const char *db, const char *dir, const char *reference, struct plot_list *made,
	     char *err, size_t n)
{
	char why[128];
	memset(made, 0, sizeof(*made));
	if (!have_program("gnuplot", why, sizeof(why))) {
		snprintf(err, n, "%s (Debian: gnuplot-nox)", why);
		return -1;
	}
	if (mkdir(dir, 0755) && errno != EEXIST) {
		snprintf(err, n, "cannot make %s: %s", dir, strerror(errno));
		return -1;
	}
	struct table t;
	if (table_build(r, &t)) {
		snprintf(err, n, "out of memory");
		return -1;
	}
	if (!reference) /* emulate when it ran, else the run's first mode */
		reference = table_has_mode(&t, "emulate") || !t.nmodes ? "emulate" : t.modes[0];
	int rc = plot_bars(dir, &t, made, err, n) || plot_slowdown(dir, &t, reference, made, err, n) ||
		 plot_timer_cdf(dir, &t, made, err, n) || plot_hooks(dir, r, made, err, n) ||
		 (t.nmodes && plot_history(dir, db, t.modes[0], made, err, n)) ? -1 : 0;
	table_free(&t);
	return rc;
}

static const char plot_help[] =
	"usage: pvbench plot [RUN] [--out DIR] [--db FILE] [--reference MODE]\n"
	"  draws RUN (default: the latest; or a JSON export) with gnuplot, PNG and SVG of each, into DIR\n"
	"  (default plots/): bars (benchmark x mode, IQR error bars, log scale), slowdown (against\n"
	"  native where it ran, else --reference, default emulate), timer_cdf, hooks (per-hook\n"
	"  breakdown of a profiled run) and history (the run's\n"
	"  first mode across stored runs, step changes marked), with the data beside them (.dat)\n";

int cmd_plot(int argc, char **argv)
{
	const char *db = STORE_DEFAULT_PATH, *out = "plots", *which, *reference = NULL;
	int rc = cli_parse_outputs(argc, argv, plot_help, &db, &out, NULL, &reference, &which);
	if (rc)
		return rc == CLI_HELP_SHOWN ? 0 : rc;
	struct run_meta meta;
	struct host_info h;
	struct result_set rs;
	struct plot_list made;
	char err[512];
	if (cli_load(which, db, &meta, &h, &rs))
		return EXIT_USAGE;
	rc = plot_run(&rs, db, out, reference, &made, err, sizeof(err));
	results_free(&rs);
	if (rc)
		return cli_error("%s", err);
	for (int i = 0; i < made.n; i++)
		if (made.p[i].caption)
			printf("%s/%s.png %s/%s.svg: %s\n", out, made.p[i].name, out, made.p[i].name, made.p[i].caption);
		else
			printf("%s: not drawn: %s\n", made.p[i].name, made.p[i].skipped);
	return 0;
}
