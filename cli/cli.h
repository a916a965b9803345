/* The pvbench command line: one file per subcommand. */
#ifndef CLI_CLI_H
#define CLI_CLI_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "../collect/host.h"
#include "../collect/results.h"
#include "../collect/store.h"

#ifndef PVBENCH_REV
#define PVBENCH_REV "unknown"
#endif
extern const char pvbench_rev[]; /* git describe of the built tree */

#define EXIT_USAGE 2   /* bad input: unknown option, mode, benchmark, image, database */

/* Prints "pvbench: <msg>" on stderr; returns EXIT_USAGE. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Parses an unsigned number in [min, max] for option opt. */
int cli_u64(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* The guest image installed next to the pvbench binary. */
void cli_default_guest(char *buf, size_t n);
void cli_default_guest32(char *buf, size_t n); /* its 32-bit form */
/* The Linux guest's kernel and initramfs that the build leaves in bin/linux/. */
void cli_default_linux(bool i386, char *kernel, size_t kn, char *initrd, size_t in);

/* An existing results database; a one-line error and -1 when it cannot be opened. */
int cli_store_open(const char *db, struct store *st);
/* A run by name: NULL the latest in db, a number that run, anything else a JSON export
 * (a baseline file). A one-line error and -1 when it cannot be read. */
int cli_load(const char *which, const char *db, struct run_meta *meta, struct host_info *h, struct result_set *rs);
#define CLI_HELP_SHOWN 1
/* The options of commands that write a run somewhere: --db, --out, --format and
 * --reference MODE (when format or reference is not NULL), --help, and an optional RUN
 * left in *which. 0, CLI_HELP_SHOWN, or
 * EXIT_USAGE after a one-line error. */
int cli_parse_outputs(int argc, char **argv, const char *help, const char **db, const char **out, const char **format,
		      const char **reference, const char **which);
/* The run named by the optional RUN argument left at argv[optind] (none: the latest),
 * read from db; a one-line error and -1 when it cannot be. */
int cli_load_run(int argc, char **argv, const char *db, struct run_meta *meta, struct host_info *h,
		 struct result_set *rs);

int cmd_run(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_boot(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_baseline(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_ab(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_report(int argc, char **argv);

struct run_opts;
/* --check-against (lockstep.c; run_opts: lab/runner.h): each of o's modes in lockstep with the reference
 * engine, over the benchmark guest or, when corpus > 0, that many random streams from
 * seed on. 0: no divergence; 1: a divergence (reported); EXIT_USAGE: bad input. */
int run_lockstep(const struct run_opts *o, const char *against, uint64_t corpus, uint64_t seed);


/* An output file written whole or not at all: a temporary beside path (mkstemp: nothing
 * planted under a guessable name is followed), renamed over path on commit; path is
 * refused when it exists and is not a regular file (a device, a directory, a symlink). */
struct cli_out {
	FILE *f;
	const char *path;
	char tmp[4200];
};
/* 0, or EXIT_USAGE after a one-line error. */
int cli_out_open(struct cli_out *o, const char *path);
/* Flushes, syncs and renames when rc is 0 and every write succeeded, else removes the
 * temporary; the status to return (rc, or EXIT_USAGE after a one-line error). */
int cli_out_commit(struct cli_out *o, int rc);

/* s as a JSON string, quoted and escaped. */
void cli_json_str(FILE *f, const char *s);

/* The benchmark x mode table of medians with spread, then reasons and checks. */
void print_run(FILE *f, const struct run_meta *meta, const struct host_info *h, const struct result_set *r);

#endif
