/* Helpers every subcommand uses. */
#include <errno.h>
#include <sys/stat.h>
#include <getopt.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "../modes/mode.h"
#include "../collect/export.h"

int cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("pvbench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return EXIT_USAGE;
}

int cli_u64(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	if (!s || !*s || *s == '-')
		return cli_error("%s needs a number from %llu to %llu", opt, (unsigned long long)min, (unsigned long long)max);
	unsigned long long v = strtoull(s, &end, 10);
	if (*end || v < min || v > max)
		return cli_error("%s needs a number from %llu to %llu, not '%s'", opt, (unsigned long long)min,
				 (unsigned long long)max, s);
	*out = v;
	return 0;
}

/* file, in the directory of the pvbench binary */
static void beside_binary(const char *file, char *buf, size_t n)
{
	char exe[4096];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len <= 0) {
		snprintf(buf, n, "%s", file);
		return;
	}
	exe[len] = 0;
	snprintf(buf, n, "%s/%s", dirname(exe), file);
}

void cli_default_guest(char *buf, size_t n) { beside_binary("pvbench-guest.elf", buf, n); }
void cli_default_guest32(char *buf, size_t n) { beside_binary("pvbench-guest32.elf", buf, n); }

void cli_default_linux(bool i386, char *kernel, size_t kn, char *initrd, size_t in)
{
	beside_binary(i386 ? "linux32/vmlinuz" : "linux/vmlinux", kernel, kn);
	beside_binary(i386 ? "linux32/initramfs.cpio" : "linux/initramfs.cpio", initrd, in);
}

int cli_store_open(const char *db, struct store *st)
{
	char err[512];
	if (access(db, F_OK)) {
		cli_error("no database at %s (run 'pvbench run' first)", db);
		return -1;
	}
	if (store_open(st, db, STORE_BUSY_MS, err, sizeof(err))) {
		cli_error("%s", err);
		return -1;
	}
	return 0;
}

int cli_load(const char *which, const char *db, struct run_meta *meta, struct host_info *h, struct result_set *rs)
{
	char err[512];
	memset(rs, 0, sizeof(*rs));
	if (which && strspn(which, "0123456789") != strlen(which)) {
		if (access(which, F_OK))
			return cli_error("'%s' is neither a run id nor an export file (%s)", which, strerror(errno)), -1;
		if (import_run(which, meta, h, rs, err, sizeof(err)))
			return cli_error("%s", err), -1;
		return 0;
	}
	uint64_t run = 0;
	if (which && cli_u64("RUN", which, 1, INT64_MAX, &run))
		return -1;
	struct store st;
	if (cli_store_open(db, &st))
		return -1;
	int rc = store_load_run(&st, (int64_t)run, meta, h, rs, err, sizeof(err));
	store_close(&st);
	if (rc) {
		results_free(rs);
		return cli_error("%s", err), -1;
	}
	return 0;
}

int cli_load_run(int argc, char **argv, const char *db, struct run_meta *meta, struct host_info *h,
		 struct result_set *rs)
{
	const char *which = optind < argc ? argv[optind++] : NULL;
	if (optind < argc)
		return cli_error("unexpected argument '%s'", argv[optind]), -1;
	return cli_load(which, db, meta, h, rs);
}

int cli_parse_outputs(int argc, char **argv, const char *help, const char **db, const char **out, const char **format,
		      const char **reference, const char **which)
{
	static const struct option opts[] = { { "db", 1, 0, 'd' }, { "out", 1, 0, 'o' }, { "format", 1, 0, 'f' },
					      { "reference", 1, 0, 'r' }, { "help", 0, 0, 'h' }, { 0, 0, 0, 0 } };
	optind = 1;
	opterr = 0;
	for (int ch; (ch = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
		if (ch == 'd')
			*db = optarg;
		else if (ch == 'o')
			*out = optarg;
		else if (ch == 'f' && format)
			*format = optarg;
		else if (ch == 'r' && reference) {
			if (!mode_find(optarg))
				return cli_error("--reference: unknown mode '%s' (see 'pvbench list')", optarg);
			*reference = optarg;
		}
		else if (ch == 'h') {
			fputs(help, stdout);
			return CLI_HELP_SHOWN;
		} else
			return cli_error("unknown option or missing value: '%s' (see 'pvbench %s --help')", argv[optind - 1], argv[0]);
	}
	*which = optind < argc ? argv[optind++] : NULL;
	return optind < argc ? cli_error("unexpected argument '%s'", argv[optind]) : 0;
}

void cli_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

int cli_out_open(struct cli_out *o, const char *path)
{
	struct stat st;
	o->path = path;
	o->f = NULL;
	if (!lstat(path, &st) && !S_ISREG(st.st_mode))
		return cli_error("%s exists and is not a regular file: not replacing it", path);
	/* the temporary beside the target (rename stays within one file system), made with
	 * O_EXCL under a name of its own, so nothing planted there is followed */
	snprintf(o->tmp, sizeof(o->tmp), "%s.XXXXXX", path);
	int fd = mkstemp(o->tmp);
	if (fd < 0 || !(o->f = fdopen(fd, "w"))) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return cli_error("cannot write beside %s: %s", path, strerror(e));
	}
	fchmod(fd, 0644);
	return 0;
}

int cli_out_commit(struct cli_out *o, int rc)
{
	if (!o->f)
		return rc;
	bool bad = fflush(o->f) != 0 || ferror(o->f) || fsync(fileno(o->f)) != 0;
	int e = errno;
	if (fclose(o->f) && !bad) {
		bad = true;
		e = errno;
	}
	o->f = NULL;
	if (!rc && bad)
		rc = cli_error("writing %s: %s", o->path, strerror(e));
	if (!rc && rename(o->tmp, o->path))
		rc = cli_error("cannot write %s: %s", o->path, strerror(errno));
	if (rc)
		unlink(o->tmp);
	return rc;
}
