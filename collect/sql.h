/* Rows into SQLite statements by type letters, for the store and the exports:
 * 'i' int64_t, 'd' double, 't' text (copied), '-' NULL (no argument). */
#ifndef COLLECT_SQL_H
#define COLLECT_SQL_H
#include <sqlite3.h>

/* Binds the arguments to st in order, steps it to its end and resets it for the next
 * row: 0, or -1 (sqlite3_errmsg says why). */
int sql_row(sqlite3_stmt *st, const char *types, ...);
/* The same on sql, prepared for this one row. */
int sql_exec_row(sqlite3 *db, const char *sql, const char *types, ...);

#endif
