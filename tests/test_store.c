/* The results store: round trip, forward migration, and the files it must refuse
 * without touching (locked, corrupt, from a newer pvbench). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "../collect/store.h"
#include "../lab/runner.h"
#include "helpers.h"

static char path[64];
static char err[512];

static int setup(void **state)
{
	(void)state;
	snprintf(path, sizeof(path), "/tmp/pvbench-test-%d.db", getpid());
	unlink(path);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink_db(path);
	return 0;
}

static void fill(struct result_set *rs, struct host_info *h, struct run_meta *meta)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->vendor, sizeof(h->vendor), "GenuineIntel");
	snprintf(h->kvm_backend, sizeof(h->kvm_backend), "pvm");
	h->family = 6;
	h->tsc_hz = 2000000000;
	memset(meta, 0, sizeof(*meta));
	snprintf(meta->started, sizeof(meta->started), "2026-01-01T00:00:00Z");
	snprintf(meta->revision, sizeof(meta->revision), "abc123");
	struct measurement *m = results_add_measurement(rs);
	snprintf(m->mode, sizeof(m->mode), "hw");
	snprintf(m->bench, sizeof(m->bench), "cpuid");
	snprintf(m->backend, sizeof(m->backend), "kvm:pvm");
	m->rep = 3;
	m->iters = 1000;
	m->ticks = -5;
	m->tsc_hz = 2000000000;
	m->ns_per_op = 123.25;
	m = results_add_measurement(rs);
	snprintf(m->mode, sizeof(m->mode), "hw");
	snprintf(m->bench, sizeof(m->bench), "syscall_int80");
	m->status = MS_UNSUPPORTED;
	snprintf(m->reason, sizeof(m->reason), "no ring 3 here");
	struct value_rec *v = results_add_value(rs);
	snprintf(v->mode, sizeof(v->mode), "hw");
	snprintf(v->bench, sizeof(v->bench), "compute");
	v->value = 0xfedcba9876543210ull;
	struct counter_rec *c = results_add_counter(rs);
	snprintf(c->name, sizeof(c->name), "instructions");
	snprintf(c->source, sizeof(c->source), "unavailable: perf_event_open: ENOENT");
	struct figure_rec *f = results_add_figure(rs);
	snprintf(f->mode, sizeof(f->mode), "vmi");
	snprintf(f->bench, sizeof(f->bench), "pte_batch");
	snprintf(f->name, sizeof(f->name), "vmi.calls");
	f->count = 3;
	f->ops = 512;
	f->exact = true;
}

static void round_trip(void **state)
{
	(void)state;
	struct store s;
	struct result_set rs = { 0 }, back = { 0 };
	struct host_info h, hb;
	struct run_meta meta, mb;
	fill(&rs, &h, &meta);
	assert_int_equal(store_open(&s, path, 100, err, sizeof(err)), 0);
	assert_int_equal(store_schema_version(&s), store_latest_version());
	assert_int_equal(store_save_run(&s, &h, &meta, &rs, err, sizeof(err)), 0);
	assert_int_equal(meta.id, 1);
	assert_int_equal(store_save_run(&s, &h, &meta, &rs, err, sizeof(err)), 0);
	assert_int_equal(meta.id, 2);
	assert_int_equal(store_load_run(&s, 0, &mb, &hb, &back, err, sizeof(err)), 0);
	assert_int_equal(mb.id, 2);
	assert_string_equal(mb.revision, "abc123");
	assert_string_equal(hb.kvm_backend, "pvm");
	assert_int_equal(back.nm, 2);
	assert_int_equal(back.m[0].ticks, -5);
	assert_true(back.m[0].ns_per_op == 123.25);
	assert_int_equal(back.m[1].status, MS_UNSUPPORTED);
	assert_string_equal(back.m[1].reason, "no ring 3 here");
	assert_int_equal(back.nv, 1);
	assert_int_equal(back.v[0].value, 0xfedcba9876543210ull);
	assert_int_equal(back.nf, 1);
	assert_string_equal(back.f[0].name, "vmi.calls");
	assert_true(back.f[0].count == 3 && back.f[0].ops == 512 && back.f[0].exact);
	/* two runs, one host row: the host is deduplicated */
	sqlite3_stmt *st;
	sqlite3_prepare_v2(s.db, "SELECT count(*) FROM hosts", -1, &st, NULL);
	sqlite3_step(st);
	assert_int_equal(sqlite3_column_int(st, 0), 1);
	sqlite3_finalize(st);
	sqlite3_prepare_v2(s.db, "SELECT value IS NULL, source FROM counters", -1, &st, NULL);
	sqlite3_step(st);
	assert_int_equal(sqlite3_column_int(st, 0), 1); /* an unavailable counter stores no number */
	sqlite3_finalize(st);
	assert_int_equal(store_load_run(&s, 99, &mb, &hb, &back, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no run 99"));
	results_free(&rs);
	results_free(&back);
	store_close(&s);
}

/* Durations stored by earlier runs give the next run's ETA: the median of the last three
 * on the same host, none from another host or from the run itself; and the ETA adds the
 * expectations of the cells to come, this run's pace for those without one. */
static void durations_give_the_next_runs_eta(void **state)
{
	(void)state;
	struct store s;
	assert_int_equal(store_open(&s, path, 100, err, sizeof(err)), 0);
	struct host_info h;
	struct run_meta meta;
	const double ms[] = { 100, 300, 200, 999 };
	int64_t ids[4];
	for (int k = 0; k < 4; k++) {
		struct result_set rs = { 0 };
		fill(&rs, &h, &meta);
		if (k == 3) /* another host */
			snprintf(h.brand, sizeof(h.brand), "Another CPU");
		struct duration_rec *d = results_add_duration(&rs);
		snprintf(d->mode, sizeof(d->mode), "bt");
		snprintf(d->bench, sizeof(d->bench), "ptemod");
		d->ms = ms[k];
		assert_int_equal(store_save_run(&s, &h, &meta, &rs, err, sizeof(err)), 0);
		ids[k] = meta.id;
		results_free(&rs);
	}
	assert_true(store_expected_ms(&s, ids[2], "bt", "ptemod") == 300.0); /* runs 1 and 2 before it: the latest */
	struct result_set rs = { 0 };
	fill(&rs, &h, &meta);
	snprintf(h.brand, sizeof(h.brand), "%s", "");
	assert_int_equal(store_save_run(&s, &h, &meta, &rs, err, sizeof(err)), 0);
	assert_true(store_expected_ms(&s, meta.id, "bt", "ptemod") == 200.0); /* median of 100, 300, 200 */
	assert_true(store_expected_ms(&s, ids[3], "bt", "ptemod") < 0);      /* only its own on that host */
	assert_true(store_expected_ms(&s, meta.id, "emulate", "ptemod") < 0);
	results_free(&rs);
	store_close(&s);

	struct run_opts o = { .nmodes = 2 };
	memset(o.plan.want, 0, sizeof(o.plan.want));
	o.plan.want[0] = o.plan.want[1] = true;
	struct run_progress p = { 0 };
	p.expect_ms[0][0] = 1000;
	p.expect_ms[0][1] = p.expect_ms[1][0] = p.expect_ms[1][1] = -1;
	p.cell_done[0][1] = true;
	assert_true(runner_eta_s(&o, &p, 2.0) == 1.0 + 2.0 + 2.0);
}

static void migrates_an_older_schema_keeping_its_rows(void **state)
{
	(void)state;
	struct store s = { 0 };
	/* build a version-1 database as an older pvbench left it */
	assert_int_equal(sqlite3_open(path, &s.db), SQLITE_OK);
	assert_int_equal(store_migrate(&s, 1, err, sizeof(err)), 0);
	assert_int_equal(store_schema_version(&s), 1);
	assert_int_equal(sqlite3_exec(s.db,
		"INSERT INTO hosts(id, vendor) VALUES(1, 'old');"
		"INSERT INTO runs(id, host_id, revision) VALUES(1, 1, 'v1');"
		"INSERT INTO measurements(run_id, mode, benchmark, rep, iters, ticks, tsc_hz, ns_per_op, status)"
		" VALUES(1, 'hw', 'cpuid', 0, 10, 100, 1000000000, 10.0, 'ok');", NULL, NULL, NULL), SQLITE_OK);
	store_close(&s);

	assert_int_equal(store_open(&s, path, 100, err, sizeof(err)), 0);
	assert_int_equal(store_schema_version(&s), store_latest_version());
	struct run_meta mb;
	struct host_info hb;
	struct result_set back = { 0 };
	assert_int_equal(store_load_run(&s, 1, &mb, &hb, &back, err, sizeof(err)), 0);
	assert_string_equal(mb.revision, "v1");
	assert_int_equal(back.nm, 1);
	assert_true(back.m[0].ns_per_op == 10.0);
	assert_string_equal(back.m[0].backend, ""); /* the column added by version 2 */
	results_free(&back);
	store_close(&s);
}

static void locked_database_is_an_error(void **state)
{
	(void)state;
	struct store s, other;
	assert_int_equal(store_open(&other, path, 100, err, sizeof(err)), 0);
	assert_int_equal(sqlite3_exec(other.db, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
	struct result_set rs = { 0 };
	struct host_info h;
	struct run_meta meta;
	fill(&rs, &h, &meta);
	/* opening reads through WAL; saving needs the write lock and must give up cleanly */
	if (store_open(&s, path, 50, err, sizeof(err)) == 0) {
		assert_int_equal(store_save_run(&s, &h, &meta, &rs, err, sizeof(err)), -1);
		store_close(&s);
	}
	assert_non_null(strstr(err, "locked"));
	sqlite3_exec(other.db, "ROLLBACK", NULL, NULL, NULL);
	/* released: the same save goes through */
	assert_int_equal(store_open(&s, path, 50, err, sizeof(err)), 0);
	assert_int_equal(store_save_run(&s, &h, &meta, &rs, err, sizeof(err)), 0);
	store_close(&s);
	store_close(&other);
	results_free(&rs);
}

static void corrupt_file_is_refused_untouched(void **state)
{
	(void)state;
	char junk[4096];
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(i * 7 + 3);
	FILE *f = fopen(path, "wb");
	fwrite(junk, 1, sizeof(junk), f);
	fclose(f);
	struct store s;
	assert_int_equal(store_open(&s, path, 50, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a database"));
	char back[4096];
	f = fopen(path, "rb");
	assert_int_equal(fread(back, 1, sizeof(back), f), sizeof(back));
	fclose(f);
	assert_memory_equal(junk, back, sizeof(junk));
}

static void newer_schema_is_refused(void **state)
{
	(void)state;
	sqlite3 *db;
	sqlite3_open(path, &db);
	sqlite3_exec(db, "PRAGMA user_version = 999", NULL, NULL, NULL);
	sqlite3_close(db);
	struct store s;
	assert_int_equal(store_open(&s, path, 50, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "newer"));
}

/* Four writers starting at once on a database that does not exist yet: the creation is
 * one exclusive transaction, so all four store their run (before, 2-3 of 4 failed with
 * "table hosts already exists"); a stored negative schema version is refused, saying so. */
static void concurrent_first_writers_all_store(void **state)
{
	(void)state;
	pid_t pid[4];
	for (int k = 0; k < 4; k++) {
		pid[k] = fork();
		assert_true(pid[k] >= 0);
		if (!pid[k]) {
			struct store s;
			struct result_set rs = { 0 };
			struct host_info h;
			struct run_meta meta;
			char err[256];
			fill(&rs, &h, &meta);
			int bad = store_open(&s, path, 10000, err, sizeof(err)) || store_save_run(&s, &h, &meta, &rs, err, sizeof(err));
			if (bad)
				fprintf(stderr, "writer %d: %s\n", k, err);
			_exit(bad);
		}
	}
	for (int k = 0; k < 4; k++) {
		int st;
		assert_int_equal(waitpid(pid[k], &st, 0), pid[k]);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	struct store s;
	char err[256];
	assert_int_equal(store_open(&s, path, 1000, err, sizeof(err)), 0);
	sqlite3_stmt *st;
	sqlite3_prepare_v2(s.db, "SELECT count(*) FROM runs", -1, &st, NULL);
	sqlite3_step(st);
	assert_int_equal(sqlite3_column_int(st, 0), 4);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_exec(s.db, "PRAGMA user_version = -5", NULL, NULL, NULL), SQLITE_OK);
	store_close(&s);
	assert_int_equal(store_open(&s, path, 1000, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "-5 is not one pvbench writes"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(durations_give_the_next_runs_eta, setup, teardown),
		cmocka_unit_test_setup_teardown(migrates_an_older_schema_keeping_its_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(locked_database_is_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(corrupt_file_is_refused_untouched, setup, teardown),
		cmocka_unit_test_setup_teardown(newer_schema_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(concurrent_first_writers_all_store, setup, teardown),
	};
	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
