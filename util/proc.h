/* Child processes and temporary trees: the peers' VMMs, gnuplot, the report's files. */
#ifndef UTIL_PROC_H
#define UTIL_PROC_H
#include <stdbool.h>
#include <stddef.h>

/* Whether prog is on PATH; else why in why. */
bool have_program(const char *prog, char *why, size_t n);
/* In a forked child: stdin and stderr on /dev/null, stdout on out_fd (-1: /dev/null),
 * a process group of its own (so that it can be stopped whole), then argv. */
void exec_program(const char *const argv[], int out_fd) __attribute__((noreturn));
/* The same with stderr on err_fd (-1: /dev/null). */
void exec_program_fds(const char *const argv[], int out_fd, int err_fd) __attribute__((noreturn));
/* Runs a helper program to completion, output discarded; its exit status, or -1. */
int run_program(const char *const argv[]);
/* The same, its stderr kept when keep_stderr (a child whose errors are the user's). */
int run_program_stderr(const char *const argv[], bool keep_stderr);
/* A temporary directory and everything in it (a peer's or a report's), removed. */
void remove_tree(const char *dir);

#endif
