#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "sql.h"

static int bind_step(sqlite3_stmt *st, const char *types, va_list ap)
{
	for (int i = 0; types[i]; i++) {
		if (types[i] == 'i')
			sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
		else if (types[i] == 'd')
			sqlite3_bind_double(st, i + 1, va_arg(ap, double));
		else if (types[i] == 't')
			sqlite3_bind_text(st, i + 1, va_arg(ap, const char *), -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_null(st, i + 1);
	}
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int sql_row(sqlite3_stmt *st, const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	int rc = bind_step(st, types, ap);
	va_end(ap);
	return rc;
}

int sql_exec_row(sqlite3 *db, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	va_list ap;
	va_start(ap, types);
	int rc = bind_step(st, types, ap);
	va_end(ap);
	sqlite3_finalize(st);
	return rc;
}
