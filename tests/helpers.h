/* What several test files need: calling a subcommand with a literal argument list,
 * loading a stored run and removing a test database with its WAL files. Header-only:
 * each test is one binary. Include after <cmocka.h>. */
#ifndef TESTS_HELPERS_H
#define TESTS_HELPERS_H
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "../collect/store.h"

/* fn(argc, argv) for the NULL-terminated arguments a0, ... */
static inline int call(int (*fn)(int, char **), const char *a0, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;
	va_start(ap, a0);
	for (const char *a = a0; a && argc < 31; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	return fn(argc, argv);
}

static inline void unlink_db(const char *path)
{
	char p[4200];
	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

/* Run id (0: the latest) of the database at path into rs, or the test fails. */
static inline void load_stored_run(const char *path, int64_t id, struct result_set *rs)
{
	struct store st;
	struct run_meta meta;
	struct host_info h;
	char err[256];
	memset(rs, 0, sizeof(*rs));
	assert_int_equal(store_open(&st, path, 1000, err, sizeof(err)), 0);
	assert_int_equal(store_load_run(&st, id, &meta, &h, rs, err, sizeof(err)), 0);
	store_close(&st);
}

#endif
