/* Crash safety of the store: `pvbench run` killed with SIGKILL at twenty points of its
 * run (seeded points within the time a first run took) leaves a database that passes SQLite's
 * integrity check, in which the run stored before is shown byte for byte as it was; and a
 * database another writer holds for 2 s delays a run, it does not lose it; a full disk
 * fails a run and loses nothing stored before. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "helpers.h"

#define GUEST "bin/pvbench-guest.elf"
#define KILLS 20

static char db[64];

/* pvbench with argv (NULL-ended after the command's own arguments), its pid; files it
 * writes may not grow past fsize bytes (0: no limit) */
static pid_t start_limited(const char *const *args, off_t fsize, const char *err_path)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		if (fsize) { /* writes past it fail with EFBIG, as a full disk's with ENOSPC */
			signal(SIGXFSZ, SIG_IGN);
			struct rlimit rl = { (rlim_t)fsize, (rlim_t)fsize };
			setrlimit(RLIMIT_FSIZE, &rl);
		}
		const char *argv[32] = { "pvbench" };
		int n = 1;
		for (; args[n - 1] && n < 28; n++)
			argv[n] = args[n - 1];
		argv[n++] = "--db";
		argv[n++] = db;
		argv[n] = NULL;
		freopen("/dev/null", "w", stdout);
		freopen(err_path ? err_path : "/dev/null", "w", stderr);
		execv("bin/pvbench", (char *const *)argv);
		_exit(127);
	}
	return pid;
}

static pid_t start(const char *const *args) { return start_limited(args, 0, NULL); }

static int finish(pid_t pid)
{
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
}

/* `pvbench show 1`'s output */
static char *show_first(void)
{
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "bin/pvbench show 1 --db %s 2>&1", db);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t cap = 1 << 16, n = 0;
	char *out = malloc(cap);
	assert_non_null(out);
	n = fread(out, 1, cap - 1, p);
	out[n] = 0;
	assert_int_equal(pclose(p), 0);
	return out;
}

static void integrity_ok(void)
{
	sqlite3 *h;
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	sqlite3_close(h);
}

static const char *const first_run[] = { "run", "--modes", "native,emulate", "--bench", "compute,cpuid", "--reps", "2",
					 "--rep-us", "500", "--guest", GUEST, "--quiet", NULL };

/* A new database /tmp/pvbench-KIND-PID.db holding one complete run; how long it took (us) */
static int64_t database_with_a_run(const char *kind)
{
	snprintf(db, sizeof(db), "/tmp/pvbench-%s-%d.db", kind, getpid());
	unlink_db(db);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(finish(start(first_run)), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return ((int64_t)t1.tv_sec - t0.tv_sec) * 1000000 + ((int64_t)t1.tv_nsec - t0.tv_nsec) / 1000;
}

static void kill_9_anywhere_loses_nothing_stored(void **state)
{
	(void)state;
	/* the kills fall inside a run as long as this one took */
	int64_t run_us = database_with_a_run("crash");
	assert_true(run_us > 0 && run_us < 600 * 1000000ll);
	char *before = show_first();
	uint64_t rng = 0x2545f4914f6cdd1dull;
	int killed = 0;
	for (int k = 0; k < KILLS; k++) {
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		useconds_t at = (useconds_t)(rng % (uint64_t)(run_us + 1));
		pid_t pid = start(first_run);
		usleep(at);
		kill(pid, SIGKILL);
		killed += finish(pid) == -SIGKILL;
		integrity_ok();
		char *now = show_first();
		assert_string_equal(now, before);
		free(now);
	}
	print_message("%d runs killed with SIGKILL (%d before they ended): integrity ok, the earlier run unchanged\n",
		      KILLS, killed);
	free(before);
	unlink_db(db);
}

static void a_lock_held_for_2_s_delays_a_run(void **state)
{
	(void)state;
	database_with_a_run("lock");
	sqlite3 *h;
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
	static const char *const quick[] = { "run", "--modes", "native", "--bench", "compute", "--reps", "2", "--rep-us",
					     "500", "--quiet", NULL };
	pid_t pid = start(quick);
	sleep(2);
	sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(h);
	assert_int_equal(finish(pid), 0);
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "bin/pvbench show 2 --db %s >/dev/null 2>&1", db);
	assert_int_equal(system(cmd), 0); /* the second run is stored */
	unlink_db(db);
}

/* A full disk (stood in for by the file-size limit: the store's writes past it fail) fails
 * the run with a one-line error and a non-zero status, and what was stored before is
 * intact. */
static void a_full_disk_loses_nothing_stored(void **state)
{
	(void)state;
	database_with_a_run("full");
	char *before = show_first();
	struct stat a = { 0 }, b = { 0 };
	char wal[96], errs[96];
	snprintf(wal, sizeof(wal), "%s-wal", db);
	snprintf(errs, sizeof(errs), "/tmp/pvbench-full-%d.err", getpid());
	stat(db, &a);
	stat(wal, &b);
	off_t limit = a.st_size > b.st_size ? a.st_size : b.st_size;
	int rc = finish(start_limited(first_run, limit, errs));
	assert_true(rc != 0 && rc != -SIGKILL);
	FILE *e = fopen(errs, "r");
	assert_non_null(e);
	char line[512] = "";
	bool said = false;
	while (fgets(line, sizeof(line), e))
		said |= !strncmp(line, "pvbench: ", 9);
	fclose(e);
	unlink(errs);
	assert_true(said);
	integrity_ok();
	char *now = show_first();
	assert_string_equal(now, before);
	free(now);
	free(before);
	unlink_db(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kill_9_anywhere_loses_nothing_stored),
		cmocka_unit_test(a_lock_held_for_2_s_delays_a_run),
		cmocka_unit_test(a_full_disk_loses_nothing_stored),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
