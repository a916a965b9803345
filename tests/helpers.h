/* What several test files need: calling a subcommand with a literal argument list, and
 * removing a test database with its WAL files. Header-only: each test is one binary. */
#ifndef TESTS_HELPERS_H
#define TESTS_HELPERS_H
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

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

#endif
