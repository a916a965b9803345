/* compare, check, baseline, export and history on synthetic runs: a 20% slowdown is a
 * regression, noise within the threshold is not, nor is a change with p >= 0.01; exports
 * parse and keep their shapes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>
#include "../cli/cli.h"
#include "helpers.h"
#include "../util/proc.h"
#include "../collect/compare.h"
#include "../collect/export.h"
#include "../collect/figures.h"

#define GUEST "bin/pvbench-guest.elf"

static char db[64], base_json[64], out[64];

/* n samples around centre, a deterministic +-1% wobble */
static void add(struct result_set *rs, const char *mode, const char *bench, double centre, int n)
{
	for (int i = 0; i < n; i++) {
		struct measurement *m = results_add_measurement(rs);
		snprintf(m->mode, sizeof(m->mode), "%s", mode);
		snprintf(m->bench, sizeof(m->bench), "%s", bench);
		snprintf(m->backend, sizeof(m->backend), "interpreter");
		m->rep = i;
		m->iters = 1000;
		m->tsc_hz = 1000000000;
		m->ns_per_op = centre * (1 + 0.01 * ((i * 7 % 11) - 5) / 5.0);
		m->ticks = (int64_t)(m->ns_per_op * 1000);
		m->status = MS_OK;
	}
}

static void add_status(struct result_set *rs, const char *mode, const char *bench, enum mstatus st, const char *why)
{
	struct measurement *m = results_add_measurement(rs);
	snprintf(m->mode, sizeof(m->mode), "%s", mode);
	snprintf(m->bench, sizeof(m->bench), "%s", bench);
	m->status = st;
	snprintf(m->reason, sizeof(m->reason), "%s", why);
}

static void add_value(struct result_set *rs, const char *mode, uint64_t v)
{
	struct value_rec *r = results_add_value(rs);
	snprintf(r->mode, sizeof(r->mode), "%s", mode);
	snprintf(r->bench, sizeof(r->bench), "compute");
	r->value = v;
}

/* A: the base. B: ptemod 20% slower, cpuid 2% slower (noise within 5%), pgfault 30%
 * slower on three repetitions (p = 0.1), mmio_read failing, compute's checksum changed,
 * io_in 20% faster, timer_oneshot the same. */
static void runs(struct result_set *a, struct result_set *b)
{
	memset(a, 0, sizeof(*a));
	memset(b, 0, sizeof(*b));
	const char *benches[] = { "ptemod", "cpuid", "io_in", "mmio_read", "compute" };
	for (int i = 0; i < 5; i++)
		add(a, "emulate", benches[i], 100, 11);
	add(a, "emulate", "pgfault", 100, 3);
	add(a, "emulate", "timer_oneshot", 1000, 11);
	add(b, "emulate", "ptemod", 120, 11);
	add(b, "emulate", "cpuid", 102, 11);
	add(b, "emulate", "io_in", 80, 11);
	add_status(b, "emulate", "mmio_read", MS_FAILED, "guest failed: watchdog");
	add(b, "emulate", "compute", 100, 11);
	add(b, "emulate", "pgfault", 130, 3);
	add(b, "emulate", "timer_oneshot", 1000, 11);
	add_value(a, "emulate", 0x1234);
	add_value(b, "emulate", 0x1235);
	for (int i = 0; i < 2; i++) {
		struct figure_rec *f = results_add_figure(i ? b : a);
		snprintf(f->mode, sizeof(f->mode), "emulate");
		snprintf(f->bench, sizeof(f->bench), "ptemod");
		snprintf(f->name, sizeof(f->name), "insns");
		f->count = i ? 23 : 22;
		f->ops = 1;
		f->exact = true;
	}
}

static const struct compare_row *row(const struct compare_row *r, size_t n, const char *bench)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(r[i].bench, bench))
			return &r[i];
	fail_msg("no row for %s", bench);
	return NULL;
}

static void verdicts_follow_p_and_threshold(void **state)
{
	(void)state;
	struct result_set a, b;
	struct compare_opts o;
	struct compare_row *r;
	size_t n;
	runs(&a, &b);
	compare_opts_default(&o);
	assert_int_equal(compare_runs(&a, &b, &o, &r, &n), 0);
	assert_int_equal(n, 7);
	const struct compare_row *p = row(r, n, "ptemod");
	assert_true(p->verdict == V_SLOWER && p->regression && p->test.p < 0.01);
	assert_true(p->change_pct > 19.9 && p->change_pct < 20.1);
	p = row(r, n, "cpuid");
	assert_true(p->verdict == V_SAME && !p->regression && p->test.p < 0.01); /* real, but within 5% */
	p = row(r, n, "pgfault");
	assert_true(p->verdict == V_SAME && !p->regression && p->test.p >= 0.01); /* 30%, but p = 0.1 */
	p = row(r, n, "io_in");
	assert_true(p->verdict == V_FASTER && !p->regression);
	p = row(r, n, "mmio_read");
	assert_true(p->verdict == V_BROKEN && p->regression && strstr(p->why, "watchdog"));
	p = row(r, n, "compute");
	assert_true(p->verdict == V_CHANGED && p->regression && strstr(p->why, "0x0000000000001235"));
	free(r);
	/* a per-benchmark threshold of 25% lets ptemod's 20% pass */
	char err[128];
	assert_int_equal(compare_opts_threshold(&o, "ptemod=25", err, sizeof(err)), 0);
	assert_int_equal(compare_opts_threshold(&o, "ptemod=x", err, sizeof(err)), -1);
	assert_int_equal(compare_opts_threshold(&o, "-3", err, sizeof(err)), -1);
	compare_runs(&a, &b, &o, &r, &n);
	assert_true(row(r, n, "ptemod")->verdict == V_SAME);
	free(r);
	results_free(&a);
	results_free(&b);
}

static int setup(void **state)
{
	(void)state;
	snprintf(db, sizeof(db), "/tmp/pvbench-cmp-%d.db", getpid());
	snprintf(base_json, sizeof(base_json), "/tmp/pvbench-cmp-%d.json", getpid());
	snprintf(out, sizeof(out), "/tmp/pvbench-cmp-%d.out", getpid());
	struct result_set a, b;
	struct host_info h = { .vendor = "Test", .brand = "Synthetic CPU", .kvm_backend = "none" };
	struct run_meta ma = { .started = "2026-01-01T00:00:00Z", .revision = "v1" },
			mb = { .started = "2026-01-02T00:00:00Z", .revision = "v2" };
	struct store st;
	char err[256];
	runs(&a, &b);
	unlink(db);
	assert_int_equal(store_open(&st, db, 1000, err, sizeof(err)), 0);
	assert_int_equal(store_save_run(&st, &h, &ma, &a, err, sizeof(err)), 0);
	assert_int_equal(store_save_run(&st, &h, &mb, &b, err, sizeof(err)), 0);
	store_close(&st);
	results_free(&a);
	results_free(&b);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink_db(db);
	unlink(base_json);
	unlink(out);
	return 0;
}

static void check_gates_on_the_baseline(void **state)
{
	(void)state;
	assert_int_equal(call(cmd_baseline, "baseline", "save", "1", "--db", db, "--out", base_json, NULL), 0);
	assert_int_equal(call(cmd_check, "check", "--baseline", base_json, "1", "--db", db, NULL), 0);  /* unchanged */
	assert_int_equal(call(cmd_check, "check", "--baseline", base_json, "--db", db, NULL), 1);       /* the latest: 2 */
	assert_int_equal(call(cmd_compare, "compare", "1", "2", "--db", db, NULL), 0);
	assert_int_equal(call(cmd_compare, "compare", base_json, "1", "--db", db, "--json", NULL), 0);
	assert_int_equal(call(cmd_check, "check", "--db", db, NULL), EXIT_USAGE);
	assert_int_equal(call(cmd_check, "check", "--baseline", "/nonexistent.json", "--db", db, NULL), EXIT_USAGE);
	assert_int_equal(call(cmd_check, "check", "--baseline", db, "--db", db, NULL), EXIT_USAGE); /* not JSON */
	assert_int_equal(call(cmd_compare, "compare", "1", "--db", db, NULL), EXIT_USAGE);
	assert_int_equal(call(cmd_compare, "compare", "1", "9", "--db", db, NULL), EXIT_USAGE);
	assert_int_equal(call(cmd_check, "check", "--baseline", base_json, "--threshold", "x", "--db", db, NULL), EXIT_USAGE);
	/* a run lacking a benchmark the baseline measured fails the gate, unless allowed */
	struct store st;
	struct run_meta m1, m3 = { .started = "2026-01-03T00:00:00Z", .revision = "v3" };
	struct host_info h1;
	struct result_set one = { 0 }, part = { 0 };
	char err[256];
	assert_int_equal(store_open(&st, db, 1000, err, sizeof(err)), 0);
	assert_int_equal(store_load_run(&st, 1, &m1, &h1, &one, err, sizeof(err)), 0);
	for (size_t i = 0; i < one.nm; i++)
		if (strcmp(one.m[i].bench, one.m[0].bench))
			*results_add_measurement(&part) = one.m[i];
	assert_true(part.nm > 0 && part.nm < one.nm);
	assert_int_equal(store_save_run(&st, &h1, &m3, &part, err, sizeof(err)), 0);
	store_close(&st);
	assert_int_equal(call(cmd_check, "check", "--baseline", base_json, "3", "--db", db, NULL), 1);
	assert_int_equal(call(cmd_check, "check", "--baseline", base_json, "3", "--allow-missing", "--db", db, NULL), 0);
	assert_int_equal(call(cmd_compare, "compare", "1", "3", "--allow-missing", "--db", db, NULL), EXIT_USAGE);
	results_free(&one);
	results_free(&part);
	/* --out never follows a symlink or replaces a device: refused, the target untouched */
	char link_path[96], target[96];
	snprintf(link_path, sizeof(link_path), "%s.link", base_json);
	snprintf(target, sizeof(target), "%s.target", base_json);
	FILE *t = fopen(target, "w");
	assert_non_null(t);
	fputs("keep", t);
	fclose(t);
	unlink(link_path);
	assert_int_equal(symlink(target, link_path), 0);
	assert_int_equal(call(cmd_export, "export", "1", "--format", "json", "--out", link_path, "--db", db, NULL), EXIT_USAGE);
	assert_int_equal(call(cmd_export, "export", "1", "--format", "json", "--out", "/dev/null", "--db", db, NULL), EXIT_USAGE);
	char kept[8] = "";
	t = fopen(target, "r");
	assert_non_null(fgets(kept, sizeof(kept), t));
	fclose(t);
	assert_string_equal(kept, "keep");
	unlink(link_path);
	unlink(target);
	assert_int_equal(call(cmd_history, "history", "--bench", "ptemod", "--mode", "emulate", "--db", db, NULL), 0);
	assert_int_equal(call(cmd_history, "history", "--bench", "ptemod", "--mode", "warp", "--db", db, NULL), EXIT_USAGE);
	assert_int_equal(call(cmd_history, "history", "--bench", "nope", "--mode", "emulate", "--db", db, NULL), EXIT_USAGE);
}

/* The JSON export read back is the run: same cells, same samples, same values. */
static void json_round_trips(void **state)
{
	(void)state;
	struct run_meta meta;
	struct host_info h;
	struct result_set rs;
	char err[256];
	assert_int_equal(call(cmd_baseline, "baseline", "save", "2", "--db", db, "--out", base_json, NULL), 0);
	assert_int_equal(import_run(base_json, &meta, &h, &rs, err, sizeof(err)), 0);
	assert_int_equal(meta.id, 2);
	assert_string_equal(meta.revision, "v2");
	assert_string_equal(h.brand, "Synthetic CPU");
	assert_int_equal(rs.nm, 11 * 5 + 3 + 1);
	assert_int_equal(rs.nv, 1);
	assert_true(rs.v[0].value == 0x1235);
	assert_int_equal(rs.nf, 1);
	assert_true(rs.f[0].count == 23 && rs.f[0].ops == 1 && rs.f[0].exact && !strcmp(rs.f[0].name, "insns"));
	struct result_set a, b;
	runs(&a, &b);
	for (size_t i = 0; i < rs.nm; i++) {
		assert_string_equal(rs.m[i].bench, b.m[i].bench);
		assert_true(rs.m[i].status == b.m[i].status);
		assert_true(rs.m[i].ns_per_op == b.m[i].ns_per_op || fabs(rs.m[i].ns_per_op / b.m[i].ns_per_op - 1) < 1e-14);
	}
	results_free(&rs);
	results_free(&a);
	results_free(&b);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char *buf = calloc(1, 1 << 20);
	size_t n = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	buf[n] = 0;
	return buf;
}

static long long sql_int(const char *sql, const char *json)
{
	sqlite3 *d;
	sqlite3_stmt *st;
	sqlite3_open(":memory:", &d);
	assert_int_equal(sqlite3_prepare_v2(d, sql, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, json, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	long long v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(d);
	return v;
}

static void exports_keep_their_shapes(void **state)
{
	(void)state;
	/* gab: an array of {name, unit, value}, one per measured cell (6 in run 2) */
	assert_int_equal(call(cmd_export, "export", "2", "--format", "gab", "--db", db, "--out", out, NULL), 0);
	char *j = slurp(out);
	assert_int_equal(sql_int("SELECT json_valid(?1) AND json_type(?1) = 'array'", j), 1);
	assert_int_equal(sql_int("SELECT count(*) FROM json_each(?1) WHERE json_extract(value, '$.unit') = 'ns/op'"
				 " AND json_type(value, '$.value') = 'real' AND json_extract(value, '$.name') LIKE '% (emulate)'", j), 6);
	free(j);
	/* bmf: {"bench/mode": {"latency": {value, lower_value, upper_value}}} */
	assert_int_equal(call(cmd_export, "export", "2", "--format", "bmf", "--db", db, "--out", out, NULL), 0);
	j = slurp(out);
	assert_int_equal(sql_int("SELECT count(*) FROM json_each(?1) WHERE key LIKE '%/emulate' AND"
				 " json_extract(value, '$.latency.lower_value') <= json_extract(value, '$.latency.value') AND"
				 " json_extract(value, '$.latency.value') <= json_extract(value, '$.latency.upper_value')", j), 6);
	free(j);
	/* json: every sample, outliers flagged */
	assert_int_equal(call(cmd_export, "export", "1", "--format", "json", "--db", db, "--out", out, NULL), 0);
	j = slurp(out);
	assert_int_equal(sql_int("SELECT sum(json_array_length(value, '$.samples')) FROM json_each(?1, '$.results')", j), 69);
	assert_int_equal(sql_int("SELECT json_extract(?1, '$.format') = '" EXPORT_JSON_FORMAT "'", j), 1);
	free(j);
	/* csv: a header and one row per cell, every row with the header's 16 columns */
	assert_int_equal(call(cmd_export, "export", "2", "--format", "csv", "--db", db, "--out", out, NULL), 0);
	FILE *f = fopen(out, "r");
	char line[1024];
	int rows = 0;
	while (fgets(line, sizeof(line), f)) {
		int commas = 0;
		for (char *p = line; *p; p++)
			commas += *p == ',';
		assert_int_equal(commas, 15);
		rows++;
	}
	fclose(f);
	assert_int_equal(rows, 1 + 7);
	assert_int_equal(call(cmd_export, "export", "2", "--format", "markdown", "--db", db, "--out", out, NULL), 0);
	j = slurp(out);
	assert_non_null(strstr(j, "| ptemod | 120 ["));
	assert_non_null(strstr(j, "| mmio_read | failed [1] |"));
	free(j);
	assert_int_equal(call(cmd_export, "export", "2", "--format", "xml", "--db", db, NULL), EXIT_USAGE);
	assert_int_equal(call(cmd_export, "export", "2", "--db", db, NULL), EXIT_USAGE);
	assert_int_equal(call(cmd_export, "export", "2", "--format", "csv", "--db", db, "--out", "/nonexistent/x", NULL),
			 EXIT_USAGE);
}

static long file_size(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fclose(f);
	return n;
}

/* The fixture's plots render to non-empty PNG and SVG, and the report inlines them. */
static void plots_and_report_render(void **state)
{
	(void)state;
	if (system("command -v gnuplot >/dev/null 2>&1") != 0)
		skip(); /* CI installs gnuplot, so there it always runs */
	char dir[80], p[160];
	snprintf(dir, sizeof(dir), "/tmp/pvbench-plots-%d", getpid());
	assert_int_equal(call(cmd_plot, "plot", "2", "--db", db, "--out", dir, NULL), 0);
	static const char *const drawn[] = { "bars", "timer_cdf", "history" };
	for (int i = 0; i < 3; i++)
		for (int e = 0; e < 2; e++) {
			snprintf(p, sizeof(p), "%s/%s.%s", dir, drawn[i], e ? "svg" : "png");
			assert_true(file_size(p) > 1000);
			unlink(p);
		}
	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	assert_int_equal(system(p), 0);
	assert_int_equal(call(cmd_report, "report", "2", "--db", db, "--out", out, NULL), 0);
	char *html = slurp(out);
	assert_non_null(strstr(html, "<svg"));
	assert_non_null(strstr(html, "Synthetic CPU"));
	assert_non_null(strstr(html, "guest failed: watchdog"));
	/* the paper's table, its ptemod row with the paper's cycles, and a conclusion this
	 * fixture (emulate alone) cannot decide, said so */
	assert_non_null(strstr(html, "Adams &amp; Agesen"));
	assert_non_null(strstr(html, "<td class=ok>12733</td>"));
	assert_non_null(strstr(html, "page-table writes (ptemod): cannot be told from this run (bt: not in this run)"));
	free(html);
	assert_int_equal(call(cmd_report, "report", "2", "--db", db, NULL), EXIT_USAGE);
}

/* Run id of the database, 0 for the latest. */

/* A peer that is not installed is unsupported with the reason, every benchmark stored,
 * and the run goes on. */
static void absent_peers_are_skipped_cleanly(void **state)
{
	(void)state;
	const char *old = getenv("PATH");
	char *saved = strdup(old ? old : "");
	setenv("PATH", "/nonexistent", 1);
	assert_int_equal(call(cmd_run, "run", "--modes", "qemu-tcg,bochs", "--bench", "cpuid,compute", "--db", db, "--quiet",
			      "--guest", GUEST, NULL), 0);
	setenv("PATH", saved, 1);
	free(saved);
	struct result_set rs;
	load_stored_run(db, 0, &rs);
	assert_int_equal(rs.nm, 4);
	for (size_t i = 0; i < rs.nm; i++) {
		assert_int_equal(rs.m[i].status, MS_UNSUPPORTED);
		assert_non_null(strstr(rs.m[i].reason, "is not installed"));
	}
	results_free(&rs);
}

/* Installed peers run the same image into the same tables, compute's checksum included. */
static void installed_peers_report_into_the_same_tables(void **state)
{
	(void)state;
	if (system("command -v qemu-system-x86_64 >/dev/null && command -v bochs >/dev/null"
		   " && command -v grub-mkrescue >/dev/null") != 0)
		skip(); /* CI installs both, so there it always runs */
	assert_int_equal(call(cmd_run, "run", "--modes", "qemu-tcg,bochs", "--bench", "cpuid,compute", "--reps", "3",
			      "--rep-us", "2000", "--db", db, "--quiet", "--guest", GUEST, NULL), 0);
	struct result_set rs;
	load_stored_run(db, 0, &rs);
	int ok[2] = { 0, 0 };
	for (size_t i = 0; i < rs.nm; i++) {
		assert_int_equal(rs.m[i].status, MS_OK);
		assert_true(rs.m[i].ns_per_op > 0);
		ok[!strcmp(rs.m[i].mode, "bochs")]++;
	}
	assert_int_equal(ok[0], 2 * 3);
	assert_int_equal(ok[1], 2 * 2); /* Bochs's first repetition has no start to time it from */
	assert_int_equal(rs.nv, 2);
	for (size_t i = 0; i < rs.nv; i++)
		assert_true(rs.v[i].value == 0x7453f65a1dcb2e87ull);
	results_free(&rs);
}

/* The gate end to end on real runs: a benchmark made twice as slow in the guest
 * (inject=ptemod:slow) fails the check against a baseline of the unchanged guest, and
 * its instructions per operation are exactly twice as many. */
/* ab: two builds (here the same one) in interleaved rounds; the head with a doubled
 * ptemod is caught by its exact figures whatever the timings did; bad input is exit 2. */
static void ab_rounds_and_catches_an_injected_slowdown(void **state)
{
	(void)state;
	char keep[64], base_db[128];
	snprintf(keep, sizeof(keep), "/tmp/pvbench-ab-test-%d", getpid());
	mkdir(keep, 0700);
	assert_int_equal(call(cmd_ab, "ab", "--base", "bin/pvbench", "--head", "bin/pvbench", "--rounds", "2", "--keep", keep,
			      "--head-args", "--guest-args inject=ptemod:slow", "--", "--modes", "emulate", "--bench", "ptemod",
			      "--reps", "3", "--rep-us", "500", NULL), 1);
	snprintf(base_db, sizeof(base_db), "%s/base.db", keep);
	struct store st;
	char err[256];
	assert_int_equal(store_open(&st, base_db, 1000, err, sizeof(err)), 0);
	struct run_meta m;
	struct host_info h;
	struct result_set rs = { 0 };
	assert_int_equal(store_load_run(&st, 2, &m, &h, &rs, err, sizeof(err)), 0); /* both rounds stored */
	results_free(&rs);
	store_close(&st);
	remove_tree(keep);
	assert_int_equal(call(cmd_ab, "ab", "--head", "bin/pvbench", NULL), EXIT_USAGE);
	assert_int_equal(call(cmd_ab, "ab", "--base", "/nonexistent", "--head", "bin/pvbench", NULL), EXIT_USAGE);
	assert_int_equal(call(cmd_ab, "ab", "--base", "bin/pvbench", "--head", "bin/pvbench", "--rounds", "99", NULL),
			 EXIT_USAGE);
	assert_int_equal(call(cmd_ab, "ab", "--base", "bin/pvbench", "--head", "bin/pvbench", "--", "--modes", "nosuch", NULL),
			 EXIT_USAGE);
}

static void check_fails_on_an_injected_slowdown(void **state)
{
	(void)state;
	assert_int_equal(call(cmd_run, "run", "--modes", "emulate", "--bench", "ptemod", "--rep-us", "2000", "--db", db,
			      "--quiet", "--guest", GUEST, NULL), 0);
	assert_int_equal(call(cmd_baseline, "baseline", "save", "--db", db, "--out", base_json, NULL), 0);
	assert_int_equal(call(cmd_run, "run", "--modes", "emulate", "--bench", "ptemod", "--rep-us", "2000", "--db", db,
			      "--quiet", "--guest", GUEST, "--guest-args", "inject=ptemod:slow", NULL), 0);
	assert_int_equal(call(cmd_check, "check", "--baseline", base_json, "--db", db, NULL), 1);
	struct result_set a, b;
	struct figure_row *r;
	size_t n, same;
	load_stored_run(db, 3, &a);
	load_stored_run(db, 4, &b);
	assert_int_equal(figures_compare(&a, &b, &r, &n, &same), 0);
	const struct figure_rec *fa = figure_find(&a, "emulate", "ptemod", "insns");
	bool doubled = false;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(r[i].name, "insns"))
			doubled = r[i].regression && fa && r[i].b.count * (int64_t)r[i].a.ops == 2 * fa->count * (int64_t)r[i].b.ops;
	assert_true(doubled);
	free(r);
	results_free(&a);
	results_free(&b);
}

/* The translator executes the guest's instructions, not others: every deterministic
 * figure of the interpreter (instructions, faults, TLB misses, device accesses per
 * operation) is the translator's too. */
static void bt_counts_what_emulate_counts(void **state)
{
	(void)state;
	assert_int_equal(call(cmd_run, "run", "--modes", "emulate,bt", "--bench", "ptemod,pgfault,cr3_switch,cpuid,io_in,compute",
			      "--reps", "3", "--rep-us", "2000", "--db", db, "--quiet", "--guest", GUEST, NULL), 0);
	struct result_set rs;
	load_stored_run(db, 0, &rs);
	size_t compared = 0;
	for (size_t i = 0; i < rs.nf; i++) {
		const struct figure_rec *e = &rs.f[i];
		if (strcmp(e->mode, "emulate") || !e->exact)
			continue;
		const struct figure_rec *b = figure_find(&rs, "bt", e->bench, e->name);
		if (!b)
			fail_msg("%s %s: %lld/%llu under emulate, none under bt", e->bench, e->name, (long long)e->count,
				 (unsigned long long)e->ops);
		assert_true(b->exact && b->count * (int64_t)e->ops == e->count * (int64_t)b->ops);
		compared++;
	}
	assert_true(compared >= 6);
	results_free(&rs);
}

/* The figures say what each benchmark does, exactly: one device access per port or MMIO
 * read, one VMI call per null call, a page fault per pgfault. */
static void figures_count_what_the_benchmarks_do(void **state)
{
	(void)state;
	assert_int_equal(call(cmd_run, "run", "--modes", "emulate,vmi", "--bench", "io_in,mmio_read,vmi_null,pgfault",
			      "--reps", "3", "--rep-us", "2000", "--db", db, "--quiet", "--guest", GUEST, NULL), 0);
	struct result_set rs;
	load_stored_run(db, 0, &rs);
	static const struct { const char *mode, *bench, *name; double per_op; } want[] = {
		{ "emulate", "io_in", "dev.pvbench-ctl", 1 },
		{ "emulate", "mmio_read", "dev.pvbench-mmio", 1 },
		{ "emulate", "pgfault", "exception.14", 1 },
		{ "vmi", "io_in", "dev.pvbench-ctl", 1 },
		{ "vmi", "vmi_null", "vmi.calls", 1 },
		{ "vmi", "pgfault", "exception.14", 1 },
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct figure_rec *f = figure_find(&rs, want[i].mode, want[i].bench, want[i].name);
		assert_non_null(f);
		assert_true(f->exact && figure_per_op(f) == want[i].per_op);
	}
	assert_null(figure_find(&rs, "emulate", "io_in", "exception.14"));
	const struct figure_rec *e = figure_find(&rs, "emulate", "pgfault", "insns"), *v = figure_find(&rs, "vmi", "pgfault", "insns");
	assert_true(e && v && e->exact && v->exact && e->count > 0 && v->count > 0);
	results_free(&rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(verdicts_follow_p_and_threshold),
		cmocka_unit_test_setup_teardown(check_gates_on_the_baseline, setup, teardown),
		cmocka_unit_test_setup_teardown(json_round_trips, setup, teardown),
		cmocka_unit_test_setup_teardown(exports_keep_their_shapes, setup, teardown),
		cmocka_unit_test_setup_teardown(plots_and_report_render, setup, teardown),
		cmocka_unit_test_setup_teardown(absent_peers_are_skipped_cleanly, setup, teardown),
		cmocka_unit_test_setup_teardown(installed_peers_report_into_the_same_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(check_fails_on_an_injected_slowdown, setup, teardown),
		cmocka_unit_test(ab_rounds_and_catches_an_injected_slowdown),
		cmocka_unit_test_setup_teardown(figures_count_what_the_benchmarks_do, setup, teardown),
		cmocka_unit_test_setup_teardown(bt_counts_what_emulate_counts, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
