#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "sql.h"
#include "store.h"

/* Each entry takes the schema from version i to i + 1. Never edit a shipped entry. */
static const char *const migrations[] = {
	/* 1: hosts, runs, measurements */
	"CREATE TABLE hosts("
	"  id INTEGER PRIMARY KEY, vendor TEXT, brand TEXT, family INT, model INT, stepping INT,"
	"  vmx INT, svm INT, hypervisor INT, kernel TEXT, kvm_backend TEXT, kvm_detail TEXT, tsc_hz INT,"
	"  UNIQUE(vendor, brand, family, model, stepping, vmx, svm, hypervisor, kernel, kvm_backend, kvm_detail));"
	"CREATE TABLE runs("
	"  id INTEGER PRIMARY KEY, host_id INT NOT NULL REFERENCES hosts(id), started TEXT, finished TEXT,"
	"  revision TEXT, cmdline TEXT, guest_sha256 TEXT);"
	"CREATE TABLE measurements("
	"  id INTEGER PRIMARY KEY, run_id INT NOT NULL REFERENCES runs(id), mode TEXT NOT NULL,"
	"  benchmark TEXT NOT NULL, rep INT, iters INT, ticks INT, tsc_hz INT, ns_per_op REAL,"
	"  status TEXT NOT NULL CHECK(status IN ('ok', 'unsupported', 'failed')), reason TEXT);"
	"CREATE INDEX measurements_run ON measurements(run_id, mode, benchmark);",
	/* 2: the engine backend per measurement, host counters, engine statistics, checked values */
	"ALTER TABLE measurements ADD COLUMN backend TEXT;"
	"CREATE TABLE counters("
	"  id INTEGER PRIMARY KEY, run_id INT NOT NULL REFERENCES runs(id), mode TEXT, benchmark TEXT,"
	"  name TEXT, value INT, source TEXT);"
	"CREATE TABLE mode_stats("
	"  id INTEGER PRIMARY KEY, run_id INT NOT NULL REFERENCES runs(id), mode TEXT, name TEXT, value INT);"
	"CREATE TABLE check_values("
	"  id INTEGER PRIMARY KEY, run_id INT NOT NULL REFERENCES runs(id), mode TEXT, benchmark TEXT, value TEXT);",
	/* 3: per-hook profiles (pvbench run --profile) */
	"CREATE TABLE hook_profiles("
	"  id INTEGER PRIMARY KEY, run_id INT NOT NULL REFERENCES runs(id), mode TEXT, benchmark TEXT,"
	"  kind TEXT, hook TEXT, calls INT, host_ns REAL, events TEXT CHECK(json_valid(events)), event_source TEXT);"
	"CREATE INDEX hook_profiles_run ON hook_profiles(run_id, mode, benchmark);",
	/* 4: deterministic figures (collect/figures.h) */
	"CREATE TABLE figures("
	"  id INTEGER PRIMARY KEY, run_id INT NOT NULL REFERENCES runs(id), mode TEXT, benchmark TEXT,"
	"  name TEXT, count INT, ops INT CHECK(ops > 0), exact INT);"
	"CREATE INDEX figures_run ON figures(run_id, mode, benchmark);",
	/* 5: which benchmark guest ran (architecture and paging) */
	"ALTER TABLE runs ADD COLUMN guest TEXT;",
	/* 6: how long each benchmark x mode took, for the next runs' ETA */
	"CREATE TABLE durations("
	"  id INTEGER PRIMARY KEY, run_id INT NOT NULL REFERENCES runs(id), mode TEXT, benchmark TEXT, ms REAL);"
	"CREATE INDEX durations_cell ON durations(mode, benchmark);",
};

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

int store_latest_version(void) { return NMIGRATIONS; }

static int db_fail(struct store *s, char *err, size_t n, const char *what)
{
	int code = sqlite3_errcode(s->db);
	const char *hint = code == SQLITE_BUSY || code == SQLITE_LOCKED ? " (another process holds it; try again later)"
			 : code == SQLITE_NOTADB || code == SQLITE_CORRUPT ? " (the file is left untouched)"
			 : "";
	snprintf(err, n, "%s: %s%s", what, sqlite3_errmsg(s->db), hint);
	return -1;
}

static int exec(struct store *s, const char *sql, char *err, size_t n, const char *what)
{
	return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : db_fail(s, err, n, what);
}

/* PRAGMA user_version; -1 when it cannot be read (a stored negative version reads as
 * itself, which store_migrate refuses) */
int store_schema_version(struct store *s)
{
	sqlite3_stmt *st;
	int v = -1;
	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	return v;
}

/* The version read and the migration run under one write lock: two pvbench starting on
 * a new database at once would otherwise both see version 0 and both create the tables. */
int store_migrate(struct store *s, int to, char *err, size_t n)
{
	int from = store_schema_version(s);
	if (from >= to && from <= NMIGRATIONS)
		return 0; /* nothing to do: no lock needed */
	if (exec(s, "BEGIN IMMEDIATE", err, n, "locking the database for migration"))
		return -1;
	from = store_schema_version(s);
	const char *bad = NULL;
	char why[160];
	if (from < -1 || (from < 0 && !sqlite3_errcode(s->db)))
		bad = "is not one pvbench writes";
	if (from > NMIGRATIONS) {
		snprintf(why, sizeof(why), "is newer than this pvbench understands (%d)", NMIGRATIONS);
		bad = why;
	}
	if (bad || from < 0) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		if (!bad)
			return db_fail(s, err, n, "reading the schema version");
		snprintf(err, n, "database schema version %d %s", from, bad);
		return -1;
	}
	if (from >= to)
		return exec(s, "COMMIT", err, n, "committing the migration");
	for (int v = from; v < to; v++) {
		char sql[48];
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if (exec(s, migrations[v], err, n, "migrating the schema") || exec(s, sql, err, n, "migrating the schema")) {
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
	}
	return exec(s, "COMMIT", err, n, "committing the migration");
}

/* One attempt at opening; *code is SQLite's primary result code of what failed. */
static int open_once(struct store *s, const char *path, int busy_ms, const char *what, char *err, size_t n, int *code)
{
	s->db = NULL;
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		*code = s->db ? sqlite3_errcode(s->db) : SQLITE_NOMEM;
		db_fail(s, err, n, what);
		store_close(s);
		return -1;
	}
	sqlite3_busy_timeout(s->db, busy_ms);
	/* reading the schema fails fast on a file that is not a database */
	if (exec(s, "SELECT count(*) FROM sqlite_master", err, n, what) ||
	    exec(s, "PRAGMA journal_mode = WAL", err, n, what) ||
	    exec(s, "PRAGMA foreign_keys = ON", err, n, what) ||
	    store_migrate(s, NMIGRATIONS, err, n)) {
		*code = sqlite3_errcode(s->db) & 0xff;
		store_close(s);
		return -1;
	}
	return 0;
}

/* Processes that open a new database at the same moment race to switch it to WAL: SQLite
 * answers the losers BUSY, or an I/O error on the half-made WAL index, without waiting in
 * the busy handler. Those are tried again until busy_ms has passed; anything else (not a
 * database, a newer schema, no permission) fails at once. */
int store_open(struct store *s, const char *path, int busy_ms, char *err, size_t n)
{
	char what[300];
	snprintf(what, sizeof(what), "database %s", path);
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		int code = SQLITE_OK;
		if (!open_once(s, path, busy_ms, what, err, n, &code))
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long waited_ms = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
		if ((code != SQLITE_BUSY && code != SQLITE_LOCKED && code != SQLITE_IOERR) || waited_ms >= busy_ms)
			return -1;
		nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000000 }, NULL);
	}
}

void store_close(struct store *s)
{
	if (s->db)
		sqlite3_close(s->db);
	s->db = NULL;
}

static int64_t host_id(struct store *s, const struct host_info *h, char *err, size_t n)
{
	static const char *cols = "vendor, brand, family, model, stepping, vmx, svm, hypervisor, kernel, kvm_backend, kvm_detail";
	char sql[512];
	sqlite3_stmt *st;
	int64_t id = -1;
	for (int pass = 0; pass < 2 && id < 0; pass++) {
		if (pass == 0)
			snprintf(sql, sizeof(sql), "SELECT id FROM hosts WHERE (%s) IS (?,?,?,?,?,?,?,?,?,?,?)", cols);
		else
			snprintf(sql, sizeof(sql), "INSERT INTO hosts(%s, tsc_hz) VALUES(?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id", cols);
		if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
			return db_fail(s, err, n, "recording the host");
		sqlite3_bind_text(st, 1, h->vendor, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, h->brand, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, h->family);
		sqlite3_bind_int(st, 4, h->model);
		sqlite3_bind_int(st, 5, h->stepping);
		sqlite3_bind_int(st, 6, h->vmx);
		sqlite3_bind_int(st, 7, h->svm);
		sqlite3_bind_int(st, 8, h->hypervisor);
		sqlite3_bind_text(st, 9, h->kernel, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 10, h->kvm_backend, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 11, h->kvm_detail, -1, SQLITE_STATIC);
		if (pass == 1)
			sqlite3_bind_int64(st, 12, (int64_t)h->tsc_hz);
		int rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			id = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return db_fail(s, err, n, "recording the host");
	}
	return id;
}

/* Each table's rows of r, one prepared statement per table. */
/* The rows of r from those mark counts on (all of them: NULL mark). */
static int insert_rows(struct store *s, int64_t run, const struct result_set *r, const struct store_mark *mark,
		       char *err, size_t n)
{
	static const char *const sql[] = {
		"INSERT INTO measurements(run_id, mode, benchmark, rep, iters, ticks, tsc_hz, ns_per_op, status, reason,"
		" backend) VALUES(?,?,?,?,?,?,?,?,?,?,?)",
		"INSERT INTO counters(run_id, mode, benchmark, name, value, source) VALUES(?,?,?,?,?,?)",
		"INSERT INTO mode_stats(run_id, mode, name, value) VALUES(?,?,?,?)",
		"INSERT INTO check_values(run_id, mode, benchmark, value) VALUES(?,?,?,?)",
		"INSERT INTO hook_profiles(run_id, mode, benchmark, kind, hook, calls, host_ns, events, event_source)"
		" VALUES(?,?,?,?,?,?,?,json(?),?)",
		"INSERT INTO figures(run_id, mode, benchmark, name, count, ops, exact) VALUES(?,?,?,?,?,?,?)",
		"INSERT INTO durations(run_id, mode, benchmark, ms) VALUES(?,?,?,?)",
	};
	static const char *const what[] = { "storing measurements", "storing counters", "storing engine statistics",
					     "storing checked values", "storing profiles", "storing figures",
					     "storing durations" };
	const size_t rows[] = { r->nm, r->nc, r->ns, r->nv, r->np, r->nf, r->nd };
	for (int t = 0; t < STORE_TABLES; t++) {
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(s->db, sql[t], -1, &st, NULL) != SQLITE_OK)
			return db_fail(s, err, n, what[t]);
		int bad = 0;
		for (size_t i = mark ? mark->n[t] : 0; i < rows[t] && !bad; i++) {
			if (t == 0) {
				const struct measurement *m = &r->m[i];
				bad = m->status == MS_OK
					      ? sql_row(st, "ittiiiidt-t", run, m->mode, m->bench, (int64_t)m->rep, (int64_t)m->iters,
							m->ticks, (int64_t)m->tsc_hz, m->ns_per_op, mstatus_name(m->status), m->backend)
					      : sql_row(st, "itt-----ttt", run, m->mode, m->bench, mstatus_name(m->status), m->reason,
							m->backend);
			} else if (t == 1) {
				const struct counter_rec *c = &r->c[i];
				bad = strncmp(c->source, "unavailable", 11)
					      ? sql_row(st, "itttit", run, c->mode, c->bench, c->name, c->value, c->source)
					      : sql_row(st, "ittt-t", run, c->mode, c->bench, c->name, c->source);
			} else if (t == 2) {
				bad = sql_row(st, "itti", run, r->s[i].mode, r->s[i].name, (int64_t)r->s[i].value);
			} else if (t == 3) {
				char hex[24];
				snprintf(hex, sizeof(hex), "0x%016llx", (unsigned long long)r->v[i].value);
				bad = sql_row(st, "ittt", run, r->v[i].mode, r->v[i].bench, hex);
			} else if (t == 4) {
				const struct prof_rec *p = &r->p[i];
				bad = sql_row(st, "ittttidtt", run, p->mode, p->bench, p->kind, p->hook, (int64_t)p->calls,
					      p->host_ns, p->events[0] ? p->events : "{}", p->source);
			} else if (t == 5) {
				const struct figure_rec *f = &r->f[i];
				bad = sql_row(st, "itttiii", run, f->mode, f->bench, f->name, f->count, (int64_t)f->ops,
					      (int64_t)f->exact);
			} else {
				bad = sql_row(st, "ittd", run, r->d[i].mode, r->d[i].bench, r->d[i].ms);
			}
		}
		if (bad)
			db_fail(s, err, n, what[t]);
		sqlite3_finalize(st);
		if (bad)
			return -1;
	}
	return 0;
}

/* The run's row, inside the caller's transaction; an empty `finished` is stored NULL (a
 * run still going, or one that never finished). */
static int insert_run(struct store *s, const struct host_info *h, struct run_meta *meta, char *err, size_t n)
{
	int64_t hid = host_id(s, h, err, n);
	if (hid < 0)
		return -1;
	int bad = sql_exec_row(s->db, "INSERT INTO runs(host_id, started, finished, revision, cmdline, guest_sha256, guest)"
				      " VALUES(?,?,NULLIF(?,''),?,?,?,?)", "itttttt", hid, meta->started, meta->finished,
			       meta->revision, meta->cmdline, meta->guest_sha256, meta->guest);
	if (bad)
		return db_fail(s, err, n, "storing the run");
	meta->id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

/* fn inside one write transaction, rolled back when it fails */
static int transaction(struct store *s, int (*fn)(struct store *, void *, char *, size_t), void *arg, char *err,
		       size_t n)
{
	if (exec(s, "BEGIN IMMEDIATE", err, n, "locking the database"))
		return -1;
	if (fn(s, arg, err, n) || exec(s, "COMMIT", err, n, "committing the run")) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

struct save_args {
	const struct host_info *h;
	struct run_meta *meta;
	const struct result_set *r;
	const struct store_mark *mark;
};

static int save_all(struct store *s, void *arg, char *err, size_t n)
{
	struct save_args *a = arg;
	return insert_run(s, a->h, a->meta, err, n) || insert_rows(s, a->meta->id, a->r, NULL, err, n) ? -1 : 0;
}

static int save_begin(struct store *s, void *arg, char *err, size_t n)
{
	struct save_args *a = arg;
	return insert_run(s, a->h, a->meta, err, n);
}

static int save_rows(struct store *s, void *arg, char *err, size_t n)
{
	struct save_args *a = arg;
	return insert_rows(s, a->meta->id, a->r, a->mark, err, n);
}

static int save_finish(struct store *s, void *arg, char *err, size_t n)
{
	struct save_args *a = arg;
	if (sql_exec_row(s->db, "UPDATE runs SET finished = ? WHERE id = ?", "ti", a->meta->finished, a->meta->id))
		return db_fail(s, err, n, "finishing the run");
	return 0;
}

int store_save_run(struct store *s, const struct host_info *h, struct run_meta *meta,
		   const struct result_set *r, char *err, size_t n)
{
	return transaction(s, save_all, &(struct save_args){ h, meta, r, NULL }, err, n);
}

int store_begin_run(struct store *s, const struct host_info *h, struct run_meta *meta, char *err, size_t n)
{
	meta->finished[0] = 0;
	return transaction(s, save_begin, &(struct save_args){ h, meta, NULL, NULL }, err, n);
}

int store_add_results(struct store *s, const struct run_meta *meta, const struct result_set *r,
		      struct store_mark *mark, char *err, size_t n)
{
	if (transaction(s, save_rows, &(struct save_args){ NULL, (struct run_meta *)meta, r, mark }, err, n))
		return -1;
	*mark = (struct store_mark){ { r->nm, r->nc, r->ns, r->nv, r->np, r->nf, r->nd } };
	return 0;
}

double store_expected_ms(struct store *s, int64_t run, const char *mode, const char *bench)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT d.ms FROM durations d JOIN runs r ON r.id = d.run_id WHERE d.mode = ?1 AND"
			       " d.benchmark = ?2 AND d.run_id != ?3 AND r.host_id = (SELECT host_id FROM runs WHERE id = ?3)"
			       " ORDER BY d.id DESC LIMIT 3",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, mode, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, bench, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, run);
	double v[3];
	int k = 0;
	while (k < 3 && sqlite3_step(st) == SQLITE_ROW)
		v[k++] = sqlite3_column_double(st, 0);
	sqlite3_finalize(st);
	if (k < 3)
		return k ? v[0] : -1;
	/* the median of three */
	return v[0] > v[1] ? (v[1] > v[2] ? v[1] : v[0] > v[2] ? v[2] : v[0]) : (v[0] > v[2] ? v[0] : v[1] > v[2] ? v[2] : v[1]);
}

int store_finish_run(struct store *s, const struct run_meta *meta, char *err, size_t n)
{
	return transaction(s, save_finish, &(struct save_args){ NULL, (struct run_meta *)meta, NULL, NULL }, err, n);
}

void store_col_figure(struct sqlite3_stmt *st, struct figure_rec *f)
{
	store_col_text(st, 0, f->mode, sizeof(f->mode));
	store_col_text(st, 1, f->bench, sizeof(f->bench));
	store_col_text(st, 2, f->name, sizeof(f->name));
	f->count = sqlite3_column_int64(st, 3);
	f->ops = (uint64_t)sqlite3_column_int64(st, 4);
	f->exact = sqlite3_column_int(st, 5);
}

void store_col_text(struct sqlite3_stmt *st, int c, char *dst, size_t n)
{
	const unsigned char *t = sqlite3_column_text(st, c);
	snprintf(dst, n, "%s", t ? (const char *)t : "");
}

#define MEASUREMENT_COLS "mode, benchmark, rep, iters, ticks, tsc_hz, ns_per_op, status, reason, backend"

/* The columns MEASUREMENT_COLS from column `at` on, appended to r; -1 out of memory. */
static int read_measurement(sqlite3_stmt *st, int at, struct result_set *r)
{
	struct measurement *m = results_add_measurement(r);
	if (!m)
		return -1;
	char status[16];
	store_col_text(st, at, m->mode, sizeof(m->mode));
	store_col_text(st, at + 1, m->bench, sizeof(m->bench));
	m->rep = sqlite3_column_int(st, at + 2);
	m->iters = (uint64_t)sqlite3_column_int64(st, at + 3);
	m->ticks = sqlite3_column_int64(st, at + 4);
	m->tsc_hz = (uint64_t)sqlite3_column_int64(st, at + 5);
	m->ns_per_op = sqlite3_column_double(st, at + 6);
	store_col_text(st, at + 7, status, sizeof(status));
	m->status = mstatus_parse(status);
	store_col_text(st, at + 8, m->reason, sizeof(m->reason));
	store_col_text(st, at + 9, m->backend, sizeof(m->backend));
	return 0;
}

int store_load_run(struct store *s, int64_t run_id, struct run_meta *meta, struct host_info *h,
		   struct result_set *r, char *err, size_t n)
{
	sqlite3_stmt *st;
	const char *what = "reading the run";
	if (sqlite3_prepare_v2(s->db,
			       "SELECT r.id, r.started, r.finished, r.revision, r.cmdline, r.guest_sha256, r.guest,"
			       " h.vendor, h.brand, h.family, h.model, h.stepping, h.vmx, h.svm, h.hypervisor,"
			       " h.kernel, h.kvm_backend, h.kvm_detail, h.tsc_hz"
			       " FROM runs r JOIN hosts h ON h.id = r.host_id"
			       " WHERE r.id = ?1 OR (?1 <= 0 AND r.id = (SELECT max(id) FROM runs))", -1, &st, NULL))
		return db_fail(s, err, n, what);
	sqlite3_bind_int64(st, 1, run_id);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return db_fail(s, err, n, what);
		if (run_id > 0)
			snprintf(err, n, "no run %lld in the database", (long long)run_id);
		else
			snprintf(err, n, "the database holds no runs yet (try 'pvbench run')");
		return -1;
	}
	memset(meta, 0, sizeof(*meta));
	memset(h, 0, sizeof(*h));
	meta->id = sqlite3_column_int64(st, 0);
	store_col_text(st, 1, meta->started, sizeof(meta->started));
	store_col_text(st, 2, meta->finished, sizeof(meta->finished));
	store_col_text(st, 3, meta->revision, sizeof(meta->revision));
	store_col_text(st, 4, meta->cmdline, sizeof(meta->cmdline));
	store_col_text(st, 5, meta->guest_sha256, sizeof(meta->guest_sha256));
	store_col_text(st, 6, meta->guest, sizeof(meta->guest));
	store_col_text(st, 7, h->vendor, sizeof(h->vendor));
	store_col_text(st, 8, h->brand, sizeof(h->brand));
	h->family = sqlite3_column_int(st, 9);
	h->model = sqlite3_column_int(st, 10);
	h->stepping = sqlite3_column_int(st, 11);
	h->vmx = sqlite3_column_int(st, 12);
	h->svm = sqlite3_column_int(st, 13);
	h->hypervisor = sqlite3_column_int(st, 14);
	store_col_text(st, 15, h->kernel, sizeof(h->kernel));
	store_col_text(st, 16, h->kvm_backend, sizeof(h->kvm_backend));
	store_col_text(st, 17, h->kvm_detail, sizeof(h->kvm_detail));
	h->tsc_hz = (uint64_t)sqlite3_column_int64(st, 18);
	sqlite3_finalize(st);

	if (sqlite3_prepare_v2(s->db, "SELECT " MEASUREMENT_COLS " FROM measurements WHERE run_id = ? ORDER BY id", -1, &st, NULL))
		return db_fail(s, err, n, what);
	sqlite3_bind_int64(st, 1, meta->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && !read_measurement(st, 0, r))
		;
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(s, err, n, what);

	if (sqlite3_prepare_v2(s->db, "SELECT mode, name, value FROM mode_stats WHERE run_id = ? ORDER BY id", -1, &st, NULL))
		return db_fail(s, err, n, what);
	sqlite3_bind_int64(st, 1, meta->id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct stat_rec *sr = results_add_stat(r);
		if (!sr)
			break;
		store_col_text(st, 0, sr->mode, sizeof(sr->mode));
		store_col_text(st, 1, sr->name, sizeof(sr->name));
		sr->value = (uint64_t)sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);

	if (sqlite3_prepare_v2(s->db, "SELECT mode, benchmark, value FROM check_values WHERE run_id = ? ORDER BY id",
			       -1, &st, NULL))
		return db_fail(s, err, n, what);
	sqlite3_bind_int64(st, 1, meta->id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct value_rec *v = results_add_value(r);
		if (!v)
			break;
		char hex[24];
		store_col_text(st, 0, v->mode, sizeof(v->mode));
		store_col_text(st, 1, v->bench, sizeof(v->bench));
		store_col_text(st, 2, hex, sizeof(hex));
		sscanf(hex, "%llx", (unsigned long long *)&v->value);
	}
	sqlite3_finalize(st);

	if (sqlite3_prepare_v2(s->db, "SELECT mode, benchmark, kind, hook, calls, host_ns, events, event_source"
				      " FROM hook_profiles WHERE run_id = ? ORDER BY id", -1, &st, NULL))
		return db_fail(s, err, n, what);
	sqlite3_bind_int64(st, 1, meta->id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct prof_rec *p = results_add_prof(r);
		if (!p)
			break;
		store_col_text(st, 0, p->mode, sizeof(p->mode));
		store_col_text(st, 1, p->bench, sizeof(p->bench));
		store_col_text(st, 2, p->kind, sizeof(p->kind));
		store_col_text(st, 3, p->hook, sizeof(p->hook));
		p->calls = (uint64_t)sqlite3_column_int64(st, 4);
		p->host_ns = sqlite3_column_double(st, 5);
		store_col_text(st, 6, p->events, sizeof(p->events));
		store_col_text(st, 7, p->source, sizeof(p->source));
	}
	sqlite3_finalize(st);

	if (sqlite3_prepare_v2(s->db, "SELECT mode, benchmark, name, count, ops, exact FROM figures WHERE run_id = ? ORDER BY id",
			       -1, &st, NULL))
		return db_fail(s, err, n, what);
	sqlite3_bind_int64(st, 1, meta->id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct figure_rec *f = results_add_figure(r);
		if (!f)
			break;
		store_col_figure(st, f);
	}
	sqlite3_finalize(st);
	return 0;
}

void history_free(struct history_run *runs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		results_free(&runs[i].rs);
	free(runs);
}

int store_history(struct store *s, const char *mode, const char *bench, struct history_run **runs, size_t *nruns,
		  char *err, size_t n)
{
	sqlite3_stmt *st;
	*runs = NULL;
	*nruns = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT r.id, r.started, r.revision, " MEASUREMENT_COLS
				      " FROM measurements m JOIN runs r ON r.id = m.run_id"
				      " WHERE m.mode = ? AND m.benchmark = ? ORDER BY r.id, m.id", -1, &st, NULL))
		return db_fail(s, err, n, "reading the history");
	sqlite3_bind_text(st, 1, mode, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, bench, -1, SQLITE_STATIC);
	int rc;
	size_t cap = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		if (!*nruns || (*runs)[*nruns - 1].meta.id != id) {
			if (*nruns == cap) {
				struct history_run *g = realloc(*runs, (cap = cap ? cap * 2 : 16) * sizeof(**runs));
				if (!g)
					break;
				*runs = g;
			}
			struct history_run *h = &(*runs)[(*nruns)++];
			memset(h, 0, sizeof(*h));
			h->meta.id = id;
			store_col_text(st, 1, h->meta.started, sizeof(h->meta.started));
			store_col_text(st, 2, h->meta.revision, sizeof(h->meta.revision));
		}
		if (read_measurement(st, 3, &(*runs)[*nruns - 1].rs))
			break;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		history_free(*runs, *nruns);
		*runs = NULL;
		*nruns = 0;
		if (rc != SQLITE_ROW)
			return db_fail(s, err, n, "reading the history");
		snprintf(err, n, "out of memory reading the history");
		return -1;
	}
	return 0;
}
