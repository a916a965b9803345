/* The results store: SQLite (WAL), schema versioned with PRAGMA user_version and
 * migrated forward on open, one transaction per run. A locked or corrupt file is an
 * error that leaves the file as it was. */
#ifndef COLLECT_STORE_H
#define COLLECT_STORE_H
#include <stddef.h>
#include <stdint.h>
#include "host.h"
#include "results.h"

#define STORE_DEFAULT_PATH "results/pvbench.db"
#define STORE_BUSY_MS 3000

struct sqlite3;
struct sqlite3_stmt;

struct store {
	struct sqlite3 *db;
};

struct run_meta {
	int64_t id;
	char started[32], finished[32];
	char revision[64];
	char cmdline[1024];
	char guest_sha256[72];
	char guest[48];        /* the benchmark guest: architecture and paging ("i386 PAE") */
};

int store_open(struct store *s, const char *path, int busy_ms, char *err, size_t n);
void store_close(struct store *s);
int store_schema_version(struct store *s);
/* The schema version this pvbench writes. */
int store_latest_version(void);
/* Brings an open database from version `from` to `to` (used on open; tests use it to
 * build older schemas). */
int store_migrate(struct store *s, int to, char *err, size_t n);
/* A whole run in one transaction (imports, tests). */
int store_save_run(struct store *s, const struct host_info *h, struct run_meta *meta,
		   const struct result_set *r, char *err, size_t n);
/* A run stored as it goes, so that a run killed or crashed keeps what it measured: its
 * row first (finished NULL until store_finish_run), then each batch of results past the
 * mark, each batch in its own transaction; a batch that fails leaves the mark where it
 * was, for the next call to try again. */
#define STORE_TABLES 7
struct store_mark {
	size_t n[STORE_TABLES]; /* measurements, counters, stats, checked values, profiles, figures, durations */
};
int store_begin_run(struct store *s, const struct host_info *h, struct run_meta *meta, char *err, size_t n);
int store_add_results(struct store *s, const struct run_meta *meta, const struct result_set *r,
		      struct store_mark *mark, char *err, size_t n);
int store_finish_run(struct store *s, const struct run_meta *meta, char *err, size_t n);
/* How long mode x bench took (ms) in the latest earlier run on run's host, the median of
 * its last three; negative when none ran it. */
double store_expected_ms(struct store *s, int64_t run, const char *mode, const char *bench);
/* run_id <= 0: the latest run. */
int store_load_run(struct store *s, int64_t run_id, struct run_meta *meta, struct host_info *h,
		   struct result_set *r, char *err, size_t n);

/* One run's measurements of one benchmark in one mode. */
struct history_run {
	struct run_meta meta;   /* id, started and revision */
	struct result_set rs;
};

/* Every run that measured bench in mode, oldest first; *runs is malloc'd. */
int store_history(struct store *s, const char *mode, const char *bench, struct history_run **runs, size_t *nruns,
		  char *err, size_t n);
void history_free(struct history_run *runs, size_t n);

/* Column c of the current row as text ("" for NULL), truncated to n. */
void store_col_text(struct sqlite3_stmt *st, int c, char *dst, size_t n);
/* A figure from columns 0-5: mode, benchmark, name, count, ops, exact. */
void store_col_figure(struct sqlite3_stmt *st, struct figure_rec *f);

#endif
