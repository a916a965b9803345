/* pvbench run: options, the guest check, the store; runner.c does the running. */
#include <errno.h>
#include <getopt.h>
#include <sha2.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "../lab/runner.h"
#include "../collect/export.h"
#include "../collect/host.h"
#include "../util/clock.h"
#include "../util/interrupt.h"

static void add_mode(struct run_opts *o, const struct mode *m)
{
	for (int j = 0; j < o->nmodes; j++)
		if (o->modes[j] == m)
			return;
	if (o->nmodes < MAX_MODES)
		o->modes[o->nmodes++] = m;
}

static int parse_modes(struct run_opts *o, const char *list)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", list);
	o->nmodes = 0;
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		const struct mode *const *group = !strcmp(t, "all") ? mode_all : !strcmp(t, "matrix") ? mode_matrix : NULL;
		const struct mode *m = mode_find(t);
		for (int i = 0; group && group[i]; i++)
			add_mode(o, group[i]);
		if (m)
			add_mode(o, m);
		if (!group && !m) {
			char names[256] = "";
			for (int i = 0; mode_list[i]; i++)
				snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s, ", mode_list[i]->name);
			return cli_error("unknown mode '%s' (modes: %snative:ENGINE, all, matrix)", t, names);
		}
	}
	return o->nmodes ? 0 : cli_error("--modes selects no mode");
}

#define LINUX_MEM_MB 512 /* the kernel's init_size, its page cache and the initramfs */
#define LOCKSTEP_REPS 2
#define LOCKSTEP_REP_US 100
#define LOCKSTEP_TIMEOUT_S 1200

static const char run_help[] =
	"usage: pvbench run [options]\n"
	"  --modes LIST    comma-separated modes; all = hw, emulate, bt, native, vmi (the default);\n"
	"                  matrix = every engine with each interface (hw, vmi:hw, emulate,\n"
	"                  vmi:emulate, bt, vmi:bt)\n"
	"  --bench LIST    comma-separated benchmarks, or all (default: all)\n"
	"  --reps R        timed repetitions per benchmark (default 11)\n"
	"  --warmup W      untimed repetitions first (default 1)\n"
	"  --rep-us US     target length of one repetition in microseconds (default 10000)\n"
	"  --iters N       fixed operations per repetition instead of sizing by --rep-us\n"
	"  --db FILE       results database (default results/pvbench.db)\n"
	"  --mem MB        guest memory (default 64)\n"
	"  --timeout S     watchdog per guest boot (default: sized from the plan)\n"
	"  --guest FILE    benchmark guest image (default, or --guest pvbench: pvbench's own\n"
	"                  64-bit guest next to the pvbench binary)\n"
	"  --guest linux   the Linux guest instead: a stock kernel and an initramfs whose /init\n"
	"                  runs the OS-level benchmarks (see 'pvbench list'); memory default 512\n"
	"  --guest linux32 the same on Debian's 32-bit (686) kernel and i386 userspace\n"
	"  --guest pvbench32 pvbench's guest built for i386 (bin/pvbench-guest32.elf): the same\n"
	"                  benchmarks, 2-level paging unless --paging pae\n"
	"  --paging MODE   the 32-bit guest's paging: 2-level (default) or pae\n"
	"  --kernel FILE   the Linux guest's kernel, bzImage or vmlinux (default: bin/linux/vmlinux,\n"
	"                  bin/linux32/vmlinuz for linux32, which 'make' fetches from Debian)\n"
	"  --initrd FILE   the Linux guest's initramfs (default: bin/linux/initramfs.cpio, or\n"
	"                  bin/linux32/initramfs.cpio)\n"
	"  --append S      added to the Linux guest's kernel command line\n"
	"  --guest-args S  appended to the guest command line (e.g. inject=ptemod:hang)\n"
	"  --serial        echo the guest's COM1 to stdout\n"
	"  --quiet         no progress lines\n"
	"  --json          the run as JSON on stdout (the format of 'pvbench export --format json')\n"
	"  --strict        an instruction the CPU model does not implement fails the mode's boot\n"
	"                  (named, with its rip and bytes), not a #UD to the guest\n"
	"  --profile       per-hook profiles (VMI calls, exits, sensitive instructions, devices):\n"
	"                  see 'pvbench profile'; timing every hook slows what it measures\n"
	"  --check-against REF  no measurement: run each mode in lockstep with engine REF\n"
	"                  (e.g. --modes bt --check-against emulate) on virtual time, compare\n"
	"                  the architectural state after every block and memory periodically,\n"
	"                  and report the first divergence with the block's disassembly.\n"
	"                  Repetitions default to %d of %d us; nothing is stored\n"
	"  --corpus N      with --check-against: N random instruction streams instead of the\n"
	"                  benchmark guest, from seed --seed S (default 1); 64-bit, or with\n"
	"                  --guest pvbench32 32-bit with paging on (bt's shadow MMU)\n";

static void iso_now(char *buf, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The benchmark guest's architecture, by its ELF class, and the paging mode it is to use
 * (--paging: the 32-bit guest's choice, given to it as paging=): desc says both. */
static int guest_arch(struct run_opts *o, const char *paging, char *desc, size_t n)
{
	unsigned char ident[5] = { 0 };
	FILE *f = fopen(o->guest, "rb");
	if (!f)
		return cli_error("guest image %s: %s%s", o->guest, strerror(errno),
				 errno == ENOENT ? " (run 'make' to build it)" : "");
	size_t got = fread(ident, 1, sizeof(ident), f);
	fclose(f);
	o->paging32 = got == sizeof(ident) && !memcmp(ident, "\177ELF", 4) && ident[4] == 1;
	if (!o->paging32) {
		if (paging)
			return cli_error("--paging is for the 32-bit guest (--guest pvbench32): long mode has one paging mode");
		snprintf(desc, n, "x86_64 4-level");
		return 0;
	}
	bool pae = paging && !strcmp(paging, "pae");
	if (paging && !pae && strcmp(paging, "2-level"))
		return cli_error("--paging: unknown paging mode '%s' (2-level or pae)", paging);
	if (pae) {
		size_t len = strlen(o->plan.extra);
		if (len + 12 >= sizeof(o->plan.extra))
			return cli_error("--guest-args leaves no room for --paging");
		snprintf(o->plan.extra + len, sizeof(o->plan.extra) - len, "%spaging=pae", len ? " " : "");
	}
	snprintf(desc, n, "i386 %s", pae ? "PAE" : "2-level");
	return 0;
}

/* A missing or broken guest is bad input: refuse before anything runs. */
static int check_guest(const struct run_opts *o)
{
	bool linux_guest = o->plan.guest == GUEST_LINUX;
	if (linux_guest && access(o->guest, R_OK))
		return cli_error("Linux guest kernel %s: %s%s", o->guest, strerror(errno),
				 errno == ENOENT ? " (run 'make' to fetch Debian's kernel, or give --kernel FILE)" : "");
	if (linux_guest && access(o->initrd, R_OK))
		return cli_error("Linux guest initramfs %s: %s%s", o->initrd, strerror(errno),
				 errno == ENOENT ? " (run 'make' to build it, or give --initrd FILE)" : "");
	struct guest_mem mem;
	struct boot_state bs;
	char err[256];
	if (mem_init(&mem, o->mem_mb << 20))
		return cli_error("cannot allocate %llu MiB of guest memory", (unsigned long long)o->mem_mb);
	struct load_opts lo = { .fmt = IMAGE_AUTO, .cmdline = "" };
	int r = loader_load_file(&mem, o->guest, linux_guest ? o->initrd : NULL, &lo, &bs, err, sizeof(err));
	mem_free(&mem);
	return r ? cli_error("guest image %s: %s", o->guest, err) : 0;
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "modes", 1, 0, 'm' }, { "bench", 1, 0, 'b' }, { "reps", 1, 0, 'r' }, { "warmup", 1, 0, 'w' },
		{ "rep-us", 1, 0, 'u' }, { "iters", 1, 0, 'i' }, { "db", 1, 0, 'd' }, { "mem", 1, 0, 'M' },
		{ "timeout", 1, 0, 't' }, { "guest", 1, 0, 'g' }, { "guest-args", 1, 0, 'a' },
		{ "serial", 0, 0, 's' }, { "quiet", 0, 0, 'q' }, { "profile", 0, 0, 'p' }, { "json", 0, 0, 'j' },
		{ "check-against", 1, 0, 'c' }, { "corpus", 1, 0, 'C' }, { "seed", 1, 0, 'S' },
		{ "kernel", 1, 0, 'k' }, { "initrd", 1, 0, 'I' }, { "append", 1, 0, 'A' }, { "paging", 1, 0, 'P' },
		{ "strict", 0, 0, 'T' }, { "help", 0, 0, 'h' }, { 0, 0, 0, 0 },
	};
	struct run_opts o = { .db = STORE_DEFAULT_PATH, .mem_mb = MEM_DEFAULT_MB };
	const char *modes = "all", *against = NULL, *bench = NULL, *kernel = NULL, *initrd = NULL, *append = "";
	const char *paging = NULL;
	bool linux_guest = false, i386 = false, mem_given = false, guest_given = false;
	bool json = false, sized = false;
	uint64_t corpus = 0, seed = 1;
	char err[512];
	uint64_t v;
	plan_defaults(&o.plan, GUEST_PVBENCH);
	cli_default_guest(o.guest, sizeof(o.guest));
	optind = 1;
	opterr = 0; /* our own one-line message instead of getopt's */
	for (int ch; (ch = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
		switch (ch) {
		case 'm': modes = optarg; break;
		case 'b': bench = optarg; break;
		case 'r': if (cli_u64("--reps", optarg, 1, 1000, &v)) return EXIT_USAGE; o.plan.reps = (uint32_t)v; sized = true; break;
		case 'w': if (cli_u64("--warmup", optarg, 0, 100, &v)) return EXIT_USAGE; o.plan.warmup = (uint32_t)v; sized = true; break;
		case 'u': if (cli_u64("--rep-us", optarg, 10, 10000000, &o.plan.rep_us)) return EXIT_USAGE; sized = true; break;
		case 'i': if (cli_u64("--iters", optarg, 1, 1ull << 32, &o.plan.iters)) return EXIT_USAGE; break;
		case 'd': o.db = optarg; break;
		case 'M': if (cli_u64("--mem", optarg, MEM_MIN_MB, MEM_MAX_MB, &o.mem_mb)) return EXIT_USAGE; mem_given = true; break;
		case 't': if (cli_u64("--timeout", optarg, 1, 86400, &o.timeout_s)) return EXIT_USAGE; break;
		case 'g':
			guest_given = true;
			i386 = !strcmp(optarg, "linux32");
			linux_guest = i386 || !strcmp(optarg, "linux");
			if (!strcmp(optarg, "pvbench32"))
				cli_default_guest32(o.guest, sizeof(o.guest));
			else if (!strcmp(optarg, "pvbench"))
				cli_default_guest(o.guest, sizeof(o.guest));
			else if (!linux_guest)
				snprintf(o.guest, sizeof(o.guest), "%s", optarg);
			break;
		case 'P': paging = optarg; break;
		case 'k': kernel = optarg; break;
		case 'I': initrd = optarg; break;
		case 'A': append = optarg; break;
		case 'a':
			if (strlen(optarg) >= sizeof(o.plan.extra))
				return cli_error("--guest-args is longer than %zu bytes", sizeof(o.plan.extra) - 1);
			snprintf(o.plan.extra, sizeof(o.plan.extra), "%s", optarg);
			break;
		case 's': o.serial = true; break;
		case 'q': o.quiet = true; break;
		case 'p': o.profile = true; break;
		case 'T': o.strict = true; break;
		case 'j': json = true; break;
		case 'c': against = optarg; break;
		case 'C': if (cli_u64("--corpus", optarg, 1, 1000000, &corpus)) return EXIT_USAGE; break;
		case 'S': if (cli_u64("--seed", optarg, 0, UINT64_MAX / 2, &seed)) return EXIT_USAGE; break;
		case 'h': printf(run_help, LOCKSTEP_REPS, LOCKSTEP_REP_US); return 0;
		default: return cli_error("unknown option or missing value: '%s' (see 'pvbench run --help')", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_error("unexpected argument '%s' (see 'pvbench run --help')", argv[optind]);
	if ((kernel || initrd || *append) && !linux_guest)
		return cli_error("--kernel, --initrd and --append are for the Linux guest (--guest linux)");
	if (linux_guest) {
		plan_set_guest(&o.plan, GUEST_LINUX);
		cli_default_linux(i386, o.guest, sizeof(o.guest), o.initrd, sizeof(o.initrd));
		if (kernel)
			snprintf(o.guest, sizeof(o.guest), "%s", kernel);
		if (initrd)
			snprintf(o.initrd, sizeof(o.initrd), "%s", initrd);
		if (strlen(append) >= sizeof(o.append) - 200)
			return cli_error("--append is longer than %zu bytes", sizeof(o.append) - 201);
		plan_linux_cmdline(host_tsc_hz() / 1000, append, o.append, sizeof(o.append));
		if (!mem_given)
			o.mem_mb = LINUX_MEM_MB;
	}
	if (bench && plan_select(&o.plan, bench, err, sizeof(err)))
		return cli_error("%s", err);
	char guest_desc[48] = "";
	/* a corpus needs no image, only the guest's architecture when one is named */
	if (!linux_guest && (!corpus || guest_given) && guest_arch(&o, paging, guest_desc, sizeof(guest_desc)))
		return EXIT_USAGE;
	if (parse_modes(&o, modes) || (!corpus && check_guest(&o)))
		return EXIT_USAGE;
	if (corpus && !against)
		return cli_error("--corpus needs --check-against");
	if (against) {
		if (!sized) { /* virtual time: small repetitions check the same code paths */
			o.plan.reps = LOCKSTEP_REPS;
			o.plan.warmup = 0;
			o.plan.rep_us = LOCKSTEP_REP_US;
		}
		if (!o.timeout_s)
			o.timeout_s = LOCKSTEP_TIMEOUT_S;
		return run_lockstep(&o, against, corpus, seed);
	}

	struct store st;
	if (store_open(&st, o.db, STORE_BUSY_MS, err, sizeof(err)))
		return cli_error("%s", err);

	struct host_info host;
	struct run_meta meta = { 0 };
	struct result_set rs = { 0 };
	host_collect(&host);
	iso_now(meta.started, sizeof(meta.started));
	snprintf(meta.revision, sizeof(meta.revision), "%s", pvbench_rev);
	for (int i = 0, len = 0; i < argc && len < (int)sizeof(meta.cmdline); i++)
		len += snprintf(meta.cmdline + len, sizeof(meta.cmdline) - (size_t)len, "%s%s", i ? " " : "pvbench ", argv[i]);
	snprintf(meta.guest, sizeof(meta.guest), "%s", linux_guest ? (i386 ? "linux i386" : "linux x86_64") : guest_desc);
	if (!SHA256File(o.guest, meta.guest_sha256))
		snprintf(meta.guest_sha256, sizeof(meta.guest_sha256), "unreadable");

	/* stored as it goes: a run that is killed keeps every mode it finished */
	if (store_begin_run(&st, &host, &meta, err, sizeof(err))) {
		store_close(&st);
		return cli_error("%s", err);
	}
	interrupt_install(); /* Ctrl-C stops the whole run; what finished is stored */
	struct run_progress prog = { .start_ns = host_ns(), .tty = isatty(STDERR_FILENO) };
	prog.last_ns = prog.start_ns;
	for (int b = 0; b < bench_count; b++) {
		prog.total += o.plan.want[b] ? o.nmodes : 0;
		for (int i = 0; i < o.nmodes; i++)
			prog.expect_ms[i][b] = o.plan.want[b] ? store_expected_ms(&st, meta.id, o.modes[i]->name, bench_table[b].name) : -1;
	}
	o.progress = &prog;
	struct store_mark stored = { { 0 } };
	for (int i = 0; i < o.nmodes; i++) {
		runner_run_mode(&o, o.modes[i], &rs);
		if (i + 1 < o.nmodes && store_add_results(&st, &meta, &rs, &stored, err, sizeof(err)))
			fprintf(stderr, "pvbench: warning: %s; trying again after the next mode\n", err);
	}
	iso_now(meta.finished, sizeof(meta.finished));
	if (prog.tty && !o.quiet)
		fputc('\n', stderr);

	int rc = 0;
	if (store_add_results(&st, &meta, &rs, &stored, err, sizeof(err)) ||
	    store_finish_run(&st, &meta, err, sizeof(err))) {
		cli_error("results not all stored (run %lld holds what was): %s", (long long)meta.id, err);
		rc = EXIT_USAGE;
	}
	if (!json)
		print_run(stdout, &meta, &host, &rs);
	else if (export_run(stdout, EXPORT_JSON, &meta, &host, &rs, err, sizeof(err)))
		rc = cli_error("%s", err);
	for (size_t i = 0; i < rs.nm && !rc; i++)
		if (rs.m[i].status == MS_FAILED)
			rc = 1;
	if (user_interrupted) {
		fprintf(stderr, "pvbench: interrupted: what finished is stored%s, the rest marked interrupted\n",
			rc == EXIT_USAGE ? " (no: see above)" : "");
		rc = 130;
	}
	results_free(&rs);
	store_close(&st);
	return rc;
}
