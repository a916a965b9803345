/* JSON, gab and BMF are built by SQLite's JSON functions from an in-memory copy of the
 * run, stored in the store's own schema, beside its cells summarized; CSV and Markdown
 * are rows written directly. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include "export.h"
#include "sql.h"
#include "table.h"
#include "../abi/benches.h"

static const char *const names[] = { "json", "csv", "markdown", "gab", "bmf" };

int export_format_parse(const char *name, enum export_format *f)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i])) {
			*f = (enum export_format)i;
			return 0;
		}
	return -1;
}

static int sql_fail(sqlite3 *db, char *err, size_t n, const char *what)
{
	snprintf(err, n, "%s: %s", what, sqlite3_errmsg(db));
	return -1;
}

/* The table's cells, beside the run's rows in the store's own schema: what the exports
 * are built from. A sample is an outlier beyond its cell's Tukey fences, as is_outlier()
 * has it. */
static int load_cells(sqlite3 *db, const struct table *t)
{
	if (sqlite3_exec(db, "CREATE TEMP TABLE cells(ord INTEGER PRIMARY KEY, mode, benchmark, backend, status, reason,"
			     " n, median, q1, q3, ci_lo, ci_hi, ci_level, min, max, outliers)", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	for (size_t i = 0; i < t->n; i++) {
		const struct cell *c = &t->c[i];
		const struct summary *s = &c->s;
		if (c->n ? sql_exec_row(db, "INSERT INTO cells VALUES(NULL,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", "tttttiddddddddi",
					c->mode, c->bench, c->backend, mstatus_name(c->status), c->reason, (int64_t)c->n,
					s->median, s->q1, s->q3, s->ci_lo, s->ci_hi, s->ci_level, s->min, s->max,
					(int64_t)s->outliers)
			 : sql_exec_row(db, "INSERT INTO cells(mode, benchmark, backend, status, reason, n) VALUES(?,?,?,?,?,0)",
					"ttttt", c->mode, c->bench, c->backend, mstatus_name(c->status), c->reason))
			return -1;
	}
	return 0;
}

static const char json_sql[] =
	"SELECT json_object('format', '" EXPORT_JSON_FORMAT "', 'unit', 'ns/op',"
	" 'run', (SELECT json_object('id', ?1, 'started', started, 'finished', finished, 'revision', revision,"
	"   'cmdline', cmdline, 'guest_sha256', guest_sha256, 'guest', guest) FROM runs),"
	" 'host', (SELECT json_object('vendor', vendor, 'brand', brand, 'family', family, 'model', model,"
	"   'stepping', stepping, 'vmx', json(iif(vmx, 'true', 'false')), 'svm', json(iif(svm, 'true', 'false')),"
	"   'hypervisor', json(iif(hypervisor, 'true', 'false')), 'kernel', kernel, 'kvm_backend', kvm_backend,"
	"   'kvm_detail', kvm_detail, 'tsc_hz', tsc_hz) FROM hosts),"
	" 'results', json((SELECT json_group_array(json_object('mode', mode, 'benchmark', benchmark,"
	"   'backend', backend, 'status', status, 'reason', reason, 'n', n, 'median', median, 'q1', q1, 'q3', q3,"
	"   'ci95_lo', ci_lo, 'ci95_hi', ci_hi, 'ci_level', ci_level, 'min', min, 'max', max, 'outliers', outliers,"
	"   'samples', json((SELECT json_group_array(json_object('rep', rep, 'iters', iters, 'ticks', ticks,"
	"     'tsc_hz', tsc_hz, 'ns_per_op', ns_per_op, 'outlier', json(iif(ns_per_op < c.q1 - 1.5 * (c.q3 - c.q1)"
	"       OR ns_per_op > c.q3 + 1.5 * (c.q3 - c.q1), 'true', 'false'))))"
	"     FROM (SELECT * FROM measurements m WHERE m.mode = c.mode AND m.benchmark = c.benchmark"
	"       AND m.status = 'ok' ORDER BY m.id))))) FROM cells c)),"
	" 'values', json((SELECT json_group_array(json_object('mode', mode, 'benchmark', benchmark, 'value', value))"
	"   FROM (SELECT * FROM check_values ORDER BY id))),"
	" 'figures', json((SELECT json_group_array(json_object('mode', mode, 'benchmark', benchmark, 'name', name,"
	"   'count', count, 'ops', ops, 'per_op', 1.0 * count / ops, 'exact', json(iif(exact, 'true', 'false'))))"
	"   FROM (SELECT * FROM figures ORDER BY id))))";

static const char gab_sql[] =
	"SELECT json_group_array(json_object('name', benchmark || ' (' || mode || ')', 'unit', 'ns/op',"
	" 'value', median, 'range', printf('± %.4g', (q3 - q1) / 2),"
	" 'extra', printf('%d repetitions, %.1f%% CI of the median %.6g..%.6g, %d outliers, backend %s',"
	"   n, 100 * ci_level, ci_lo, ci_hi, outliers, backend)))"
	" FROM cells WHERE status = 'ok'";

static const char bmf_sql[] =
	"SELECT json_group_object(benchmark || '/' || mode, json_object('latency',"
	" json_object('value', median, 'lower_value', ci_lo, 'upper_value', ci_hi)))"
	" FROM cells WHERE status = 'ok'";

static int export_sql(FILE *out, const char *sql, const struct run_meta *meta, const struct host_info *h,
		      const struct table *t, const struct result_set *r, char *err, size_t n)
{
	struct store s;
	if (store_open(&s, ":memory:", 0, err, n))
		return -1;
	struct run_meta copy = *meta; /* its id becomes the in-memory one; the export gives the run's */
	sqlite3_stmt *st = NULL;
	int rc = -1;
	if (store_save_run(&s, h, &copy, r, err, n))
		;
	else if (load_cells(s.db, t))
		sql_fail(s.db, err, n, "summarizing the run");
	else if (sqlite3_prepare_v2(s.db, sql, -1, &st, NULL) != SQLITE_OK ||
		 (sqlite3_bind_parameter_count(st) && sqlite3_bind_int64(st, 1, meta->id) != SQLITE_OK) ||
		 sqlite3_step(st) != SQLITE_ROW)
		sql_fail(s.db, err, n, "building the export");
	else {
		fprintf(out, "%s\n", (const char *)sqlite3_column_text(st, 0));
		rc = 0;
	}
	sqlite3_finalize(st);
	store_close(&s);
	return rc;
}

/* RFC 4180: quoted when it holds a comma, quote or line break. */
static void csv_field(FILE *out, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++)
		fputs(*s == '"' ? "\"\"" : (char[]){ *s, 0 }, out);
	fputc('"', out);
}

static void export_csv(FILE *out, const struct run_meta *meta, const struct table *t)
{
	fputs("run,mode,benchmark,backend,status,n,median_ns,q1_ns,q3_ns,ci95_lo_ns,ci95_hi_ns,ci_level,min_ns,max_ns,"
	      "outliers,reason\n", out);
	for (size_t i = 0; i < t->n; i++) {
		const struct cell *c = &t->c[i];
		fprintf(out, "%lld,", (long long)meta->id);
		csv_field(out, c->mode);
		fputc(',', out);
		csv_field(out, c->bench);
		fputc(',', out);
		csv_field(out, c->backend);
		fprintf(out, ",%s,%zu,", mstatus_name(c->status), c->n);
		if (c->n)
			fprintf(out, "%.6g,%.6g,%.6g,%.6g,%.6g,%.4f,%.6g,%.6g,%zu,", c->s.median, c->s.q1, c->s.q3, c->s.ci_lo,
				c->s.ci_hi, c->s.ci_level, c->s.min, c->s.max, c->s.outliers);
		else
			fputs(",,,,,,,,,", out);
		csv_field(out, c->status == MS_OK ? "" : c->reason);
		fputc('\n', out);
	}
}

/* Markdown cells cannot hold a bare '|'. */
static void md_text(FILE *out, const char *s)
{
	for (; *s; s++)
		fputs(*s == '|' ? "\\|" : (char[]){ *s, 0 }, out);
}

/* Whole nanoseconds from 100 up, three significant digits below. */
static const char *ns_text(double v, char *buf, size_t n)
{
	snprintf(buf, n, v >= 100 ? "%.0f" : "%.3g", v);
	return buf;
}

#define MD_MAX_NOTES 64

static void export_markdown(FILE *out, const struct run_meta *meta, const struct host_info *h, const struct table *t)
{
	const struct cell *notes[MD_MAX_NOTES];
	int nnotes = 0;
	fprintf(out, "pvbench run %lld (%s, pvbench %s) on %s, KVM backend %s: median ns per operation,"
		" the confidence interval of the median in brackets (at least 95%% coverage: 98.8%% for 11 repetitions), ! where repetitions lie beyond the"
		" outlier fences.\n\n| benchmark |", (long long)meta->id, meta->started, meta->revision, h->brand,
		h->kvm_backend);
	for (int j = 0; j < t->nmodes; j++)
		fprintf(out, " %s |", t->modes[j]);
	fputs("\n|---|", out);
	for (int j = 0; j < t->nmodes; j++)
		fputs("---:|", out);
	fputc('\n', out);
	for (int b = 0; b < bench_count; b++) {
		if (!table_has_bench(t, bench_table[b].name))
			continue;
		fprintf(out, "| %s |", bench_table[b].name);
		for (int j = 0; j < t->nmodes; j++) {
			const struct cell *c = table_cell(t, t->modes[j], bench_table[b].name);
			char m[32], lo[32], hi[32];
			if (!c)
				fputs(" — |", out);
			else if (c->status == MS_OK)
				fprintf(out, " %s [%s, %s]%s |", ns_text(c->s.median, m, sizeof(m)), ns_text(c->s.ci_lo, lo, sizeof(lo)),
					ns_text(c->s.ci_hi, hi, sizeof(hi)), c->s.outliers ? " !" : "");
			else {
				int k = 0;
				while (k < nnotes && (strcmp(notes[k]->reason, c->reason) || notes[k]->status != c->status))
					k++;
				if (k == nnotes && nnotes < MD_MAX_NOTES)
					notes[nnotes++] = c;
				fprintf(out, " %s [%d] |", mstatus_name(c->status), k + 1);
			}
		}
		fputc('\n', out);
	}
	if (nnotes)
		fputc('\n', out);
	for (int k = 0; k < nnotes; k++) {
		const char *status = mstatus_name(notes[k]->status); /* not twice: "unsupported: unsupported on this host" */
		if (strncmp(notes[k]->reason, status, strlen(status)))
			fprintf(out, "%s[%d] %s: ", k ? "<br>\n" : "", k + 1, status);
		else
			fprintf(out, "%s[%d] ", k ? "<br>\n" : "", k + 1);
		md_text(out, notes[k]->reason);
	}
	if (nnotes)
		fputc('\n', out);
}

int export_run(FILE *out, enum export_format f, const struct run_meta *meta, const struct host_info *h,
	       const struct result_set *r, char *err, size_t n)
{
	struct table t;
	if (table_build(r, &t)) {
		snprintf(err, n, "out of memory");
		return -1;
	}
	int rc = 0;
	switch (f) {
	case EXPORT_JSON: rc = export_sql(out, json_sql, meta, h, &t, r, err, n); break;
	case EXPORT_GAB: rc = export_sql(out, gab_sql, meta, h, &t, r, err, n); break;
	case EXPORT_BMF: rc = export_sql(out, bmf_sql, meta, h, &t, r, err, n); break;
	case EXPORT_CSV: export_csv(out, meta, &t); break;
	case EXPORT_MARKDOWN: export_markdown(out, meta, h, &t); break;
	}
	table_free(&t);
	return rc;
}

static char *read_file(const char *path, char *err, size_t n)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, n, "%s: %m", path);
		return NULL;
	}
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	for (size_t got; buf && (got = fread(buf + len, 1, cap - len - 1, f)) > 0;) {
		len += got;
		if (len + 1 == cap) {
			char *b = realloc(buf, cap *= 2);
			if (!b)
				free(buf);
			buf = b;
		}
	}
	fclose(f);
	if (!buf)
		snprintf(err, n, "%s: out of memory", path);
	else
		buf[len] = 0;
	return buf;
}

/* Runs sql with the export's text as ?1 (where it has parameters), fn on each row (NULL: a
 * statement with none). */
static int each_row(sqlite3 *db, const char *sql, const char *json, int (*fn)(sqlite3_stmt *, void *), void *arg)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, json, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn && fn(st, arg)) {
			rc = SQLITE_NOMEM;
			break;
		}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

struct import {
	struct run_meta *meta;
	struct host_info *h;
	struct result_set *r;
};

static int row_run(sqlite3_stmt *st, void *arg)
{
	struct import *im = arg;
	char *dst[] = { im->meta->started, im->meta->finished, im->meta->revision, im->meta->cmdline,
			im->meta->guest_sha256, im->h->vendor, im->h->brand, im->h->kernel, im->h->kvm_backend,
			im->h->kvm_detail };
	size_t len[] = { sizeof(im->meta->started), sizeof(im->meta->finished), sizeof(im->meta->revision),
			 sizeof(im->meta->cmdline), sizeof(im->meta->guest_sha256), sizeof(im->h->vendor),
			 sizeof(im->h->brand), sizeof(im->h->kernel), sizeof(im->h->kvm_backend), sizeof(im->h->kvm_detail) };
	im->meta->id = sqlite3_column_int64(st, 0);
	for (int i = 0; i < 10; i++)
		store_col_text(st, i + 1, dst[i], len[i]);
	store_col_text(st, 18, im->meta->guest, sizeof(im->meta->guest));
	im->h->family = sqlite3_column_int(st, 11);
	im->h->model = sqlite3_column_int(st, 12);
	im->h->stepping = sqlite3_column_int(st, 13);
	im->h->vmx = sqlite3_column_int(st, 14);
	im->h->svm = sqlite3_column_int(st, 15);
	im->h->hypervisor = sqlite3_column_int(st, 16);
	im->h->tsc_hz = (uint64_t)sqlite3_column_int64(st, 17);
	return 0;
}

/* One row per sample of an ok cell, one row with no sample for any other cell. */
static int row_measurement(sqlite3_stmt *st, void *arg)
{
	struct import *im = arg;
	struct measurement *m = results_add_measurement(im->r);
	if (!m)
		return -1;
	char status[16];
	store_col_text(st, 0, m->mode, sizeof(m->mode));
	store_col_text(st, 1, m->bench, sizeof(m->bench));
	store_col_text(st, 2, m->backend, sizeof(m->backend));
	store_col_text(st, 3, status, sizeof(status));
	m->status = mstatus_parse(status);
	store_col_text(st, 4, m->reason, sizeof(m->reason));
	m->rep = sqlite3_column_int(st, 5);
	m->iters = (uint64_t)sqlite3_column_int64(st, 6);
	m->ticks = sqlite3_column_int64(st, 7);
	m->tsc_hz = (uint64_t)sqlite3_column_int64(st, 8);
	m->ns_per_op = sqlite3_column_double(st, 9);
	return 0;
}

static int row_value(sqlite3_stmt *st, void *arg)
{
	struct import *im = arg;
	struct value_rec *v = results_add_value(im->r);
	if (!v)
		return -1;
	char hex[24];
	store_col_text(st, 0, v->mode, sizeof(v->mode));
	store_col_text(st, 1, v->bench, sizeof(v->bench));
	store_col_text(st, 2, hex, sizeof(hex));
	v->value = strtoull(hex, NULL, 16);
	return 0;
}

static int row_figure(sqlite3_stmt *st, void *arg)
{
	struct import *im = arg;
	struct figure_rec *f = results_add_figure(im->r);
	if (!f)
		return -1;
	store_col_figure(st, f);
	if (!f->ops)
		im->r->nf--; /* no operations: no figure */
	return 0;
}

static const char run_sql[] =
	"SELECT json_extract(?1, '$.run.id'), json_extract(?1, '$.run.started'), json_extract(?1, '$.run.finished'),"
	" json_extract(?1, '$.run.revision'), json_extract(?1, '$.run.cmdline'), json_extract(?1, '$.run.guest_sha256'),"
	" json_extract(?1, '$.host.vendor'), json_extract(?1, '$.host.brand'), json_extract(?1, '$.host.kernel'),"
	" json_extract(?1, '$.host.kvm_backend'), json_extract(?1, '$.host.kvm_detail'), json_extract(?1, '$.host.family'),"
	" json_extract(?1, '$.host.model'), json_extract(?1, '$.host.stepping'), json_extract(?1, '$.host.vmx'),"
	" json_extract(?1, '$.host.svm'), json_extract(?1, '$.host.hypervisor'), json_extract(?1, '$.host.tsc_hz'),"
	" json_extract(?1, '$.run.guest')";

/* The cells first, each with its samples' array, then the samples: a sample row that
 * read its cell's fields with json_extract(c.value, ...) parsed the whole cell again,
 * which made reading an export quadratic in its samples (6,000 in a cell: 28 s). */
static const char cells_sql[] =
	"CREATE TEMP TABLE cells AS SELECT c.id AS id, json_extract(c.value, '$.mode') AS mode,"
	" json_extract(c.value, '$.benchmark') AS bench, json_extract(c.value, '$.backend') AS backend,"
	" json_extract(c.value, '$.status') AS status, json_extract(c.value, '$.reason') AS reason,"
	" json_extract(c.value, '$.samples') AS samples FROM json_each(?1, '$.results') c";

static const char measurement_sql[] =
	"SELECT c.mode, c.bench, c.backend, c.status, c.reason, json_extract(s.value, '$.rep'),"
	" json_extract(s.value, '$.iters'), json_extract(s.value, '$.ticks'), json_extract(s.value, '$.tsc_hz'),"
	" json_extract(s.value, '$.ns_per_op')"
	" FROM cells c LEFT JOIN json_each(c.samples) s"
	" WHERE s.value IS NOT NULL OR c.status != 'ok'"
	" ORDER BY c.id, s.id";

static const char value_sql[] =
	"SELECT json_extract(value, '$.mode'), json_extract(value, '$.benchmark'), json_extract(value, '$.value')"
	" FROM json_each(?1, '$.values')";

/* an export from before figures has none: json_each of a missing path is empty */
static const char figure_sql[] =
	"SELECT json_extract(value, '$.mode'), json_extract(value, '$.benchmark'), json_extract(value, '$.name'),"
	" json_extract(value, '$.count'), json_extract(value, '$.ops'), json_extract(value, '$.exact')"
	" FROM json_each(?1, '$.figures')";

static bool is_export(sqlite3 *db, const char *json)
{
	sqlite3_stmt *st;
	bool yes = false;
	if (sqlite3_prepare_v2(db, "SELECT json_valid(?1) AND json_extract(?1, '$.format') = '" EXPORT_JSON_FORMAT "'",
			       -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(st, 1, json, -1, SQLITE_STATIC);
	yes = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return yes;
}

int import_run(const char *path, struct run_meta *meta, struct host_info *h, struct result_set *r, char *err,
	       size_t n)
{
	char *json = read_file(path, err, n);
	if (!json)
		return -1;
	memset(meta, 0, sizeof(*meta));
	memset(h, 0, sizeof(*h));
	memset(r, 0, sizeof(*r));
	sqlite3 *db;
	struct import im = { meta, h, r };
	int rc = -1;
	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		snprintf(err, n, "cannot open an in-memory database");
	else if (!is_export(db, json))
		snprintf(err, n, "%s is not a pvbench JSON export (format %s)", path, EXPORT_JSON_FORMAT);
	else if (each_row(db, run_sql, json, row_run, &im) || each_row(db, cells_sql, json, NULL, NULL) ||
		 each_row(db, measurement_sql, json, row_measurement, &im) ||
		 each_row(db, value_sql, json, row_value, &im) || each_row(db, figure_sql, json, row_figure, &im))
		sql_fail(db, err, n, path);
	else
		rc = 0;
	sqlite3_close(db);
	free(json);
	if (rc)
		results_free(r);
	return rc;
}
