/* Adams & Agesen, "A Comparison of Software and Hardware Techniques for x86
 * Virtualization" (ASPLOS 2006), reproduced: their nanobenchmarks by pvbench's
 * benchmark for each, the modes they compared (native, VMware's BT monitor, first-
 * generation VT-x) and the two they did not (bt with VMI, the interpreter), and which of
 * their conclusions hold in this run. The paper's Pentium 4 cycles appear where this
 * project quotes them (docs/bt.md); a dash elsewhere, never a guess. */
#include <string.h>
#include "paper.h"
#include "../abi/benches.h"
#include "../collect/figures.h"

static const struct paper_row {
	const char *name, *bench;
	unsigned native, bt, hw; /* the paper's P4 cycles, 0 where not quoted */
} rows[] = {
	{ "syscall", "syscall_int80", 0, 0, 0 },   { "in", "io_in", 0, 0, 0 },
	{ "cr8wr", "tpr_write", 0, 0, 0 },         { "call/ret", "callret", 0, 0, 0 },
	{ "pgfault", "pgfault", 1093, 3927, 11242 }, { "divzero", "divzero", 0, 0, 0 },
	{ "ptemod", "ptemod", 0, 391, 12733 },      { "forkwait", "proc_lifecycle", 0, 0, 0 },
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

static const char *const columns[] = { "native", "bt", "vmi", "emulate", "hw" };
#define NCOLS (sizeof(columns) / sizeof(columns[0]))

static const struct cell *ok_cell(const struct table *t, const char *mode, const char *bench)
{
	const struct cell *c = table_cell(t, mode, bench);
	return c && c->status == MS_OK && c->n && c->s.median > 0 ? c : NULL;
}

static void cycles(FILE *f, unsigned v)
{
	if (v)
		fprintf(f, "<td class=ok>%u</td>", v);
	else
		fputs("<td>—</td>", f);
}

/* Why a cell has no median: unsupported or failed with its reason, or not run. */
static const char *absent(const struct table *t, const char *mode, const char *bench)
{
	const struct cell *c = table_cell(t, mode, bench);
	return c ? (c->reason ? c->reason : "no measurement") : "not in this run";
}

/* "a beats b on bench": holds, does not, or cannot be told from this run */
static void verdict(FILE *f, const struct table *t, const char *claim, const char *a, const char *b,
		    const char *bench)
{
	const struct cell *x = ok_cell(t, a, bench), *y = ok_cell(t, b, bench);
	fprintf(f, "<li>%s: ", claim);
	if (x && y)
		fprintf(f, "<b>%s</b> (%s %.4g ns, %s %.4g ns, %.3g×)", x->s.median < y->s.median ? "holds" : "does not hold",
			a, x->s.median, b, y->s.median, y->s.median / x->s.median);
	else
		fprintf(f, "cannot be told from this run (%s: %s)", x ? b : a, absent(t, x ? b : a, bench));
	fputs("</li>\n", f);
}

/* Traces per operation the shadow took, summed over the table's benchmarks */
static double traces(const struct result_set *r, const char *mode, bool *any)
{
	double sum = 0;
	for (unsigned k = 0; k < NROWS; k++) {
		const struct figure_rec *g = figure_find(r, mode, rows[k].bench, "shadow.traces");
		const struct figure_rec *h = figure_find(r, mode, rows[k].bench, "shadow.hidden_faults");
		if (g)
			sum += figure_per_op(g);
		*any |= g || h;
	}
	return sum;
}

void paper_table(FILE *f, const struct table *t, const struct result_set *r)
{
	bool shown = false;
	for (unsigned k = 0; k < NROWS && !shown; k++)
		shown = table_has_bench(t, rows[k].bench);
	if (!shown)
		return;
	fputs("<h2>Adams &amp; Agesen (ASPLOS 2006), reproduced</h2>\n<p>Their nanobenchmarks, median ns per "
	      "operation in this run (bt: the translator, on shadow page tables for a 32-bit guest; vmi: the same "
	      "with the VMI interface), beside the paper's Pentium 4 cycles where this project quotes them.</p>\n"
	      "<table class=results><tr><th>paper</th><th>pvbench</th>", f);
	for (unsigned j = 0; j < NCOLS; j++)
		fprintf(f, "<th>%s</th>", columns[j]);
	fputs("<th>paper: native</th><th>BT</th><th>VT-x</th></tr>\n", f);
	for (unsigned k = 0; k < NROWS; k++) {
		fprintf(f, "<tr><th>%s</th><td>%s</td>", rows[k].name, rows[k].bench);
		for (unsigned j = 0; j < NCOLS; j++) {
			const struct cell *c = ok_cell(t, columns[j], rows[k].bench);
			if (c)
				fprintf(f, "<td class=ok>%.4g</td>", c->s.median);
			else
				fputs("<td>—</td>", f);
		}
		cycles(f, rows[k].native);
		cycles(f, rows[k].bt);
		cycles(f, rows[k].hw);
		fputs("</tr>\n", f);
	}
	fputs("</table>\n<p>Their conclusions, here:</p>\n<ul>\n", f);
	verdict(f, t, "adaptive binary translation beats first-generation hardware virtualization on page-table "
		      "writes (ptemod)", "bt", "hw", "ptemod");
	verdict(f, t, "and on page faults (pgfault)", "bt", "hw", "pgfault");
	verdict(f, t, "hardware virtualization beats binary translation on system calls", "hw", "bt", "syscall_int80");
	bool any = false;
	double bt = traces(r, "bt", &any), vmi = traces(r, "vmi", &any);
	fputs("<li>VMI removes traces: ", f);
	if (!any)
		fputs("cannot be told from this run (no shadow-MMU figures: bt and vmi on a 32-bit guest show them)", f);
	else if (bt > 0)
		fprintf(f, "<b>%s</b> (traces per operation over these benchmarks: bt %.3g, vmi %.3g)",
			vmi < bt ? "holds" : "does not hold", bt, vmi);
	else
		fprintf(f, "no trace was left for it to remove in the measured passes (bt %.3g, vmi %.3g per "
			   "operation: bt's tracing stores adapted into callouts during the warm-up)", bt, vmi);
	fputs("</li>\n</ul>\n", f);
}
