/* pvbench boot: any Multiboot v1 or ELF64 kernel, COM1 on stdout, the guest's debug-exit
 * status as ours, the way `qemu-system-x86_64 -kernel` is used in scripts. */
#include <getopt.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "../modes/session.h"

static const char boot_help[] =
	"usage: pvbench boot --kernel FILE [options]\n"
	"  --kernel FILE     Multiboot v1 or ELF64 kernel\n"
	"  --mode M          guest engine (default hw)\n"
	"  --cmdline S       kernel command line\n"
	"  --format F        auto (ELF64 if the file is ELF64, else Multiboot), elf64 or multiboot\n"
	"  --mem MB          guest memory (default 64)\n"
	"  --timeout S       watchdog (default 600)\n"
	"exit status: the guest's isa-debug-exit status ((value << 1) | 1, as QEMU);\n"
	"2 when the kernel cannot be loaded or the guest fails (triple fault, watchdog).\n";

int cmd_boot(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", 1, 0, 'k' }, { "mode", 1, 0, 'm' }, { "cmdline", 1, 0, 'c' }, { "format", 1, 0, 'f' },
		{ "mem", 1, 0, 'M' }, { "timeout", 1, 0, 't' }, { "help", 0, 0, 'h' }, { 0, 0, 0, 0 },
	};
	const char *kernel = NULL, *mode_name = "hw", *cmdline = "";
	enum image_format fmt = IMAGE_AUTO;
	uint64_t mem_mb = MEM_DEFAULT_MB, timeout_s = 600;
	optind = 1;
	opterr = 0; /* our own one-line message instead of getopt's */
	for (int ch; (ch = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
		switch (ch) {
		case 'k': kernel = optarg; break;
		case 'm': mode_name = optarg; break;
		case 'c': cmdline = optarg; break;
		case 'f':
			if (!strcmp(optarg, "auto"))
				fmt = IMAGE_AUTO;
			else if (!strcmp(optarg, "elf64"))
				fmt = IMAGE_ELF64;
			else if (!strcmp(optarg, "multiboot"))
				fmt = IMAGE_MULTIBOOT;
			else
				return cli_error("--format takes auto, elf64 or multiboot, not '%s'", optarg);
			break;
		case 'M': if (cli_u64("--mem", optarg, MEM_MIN_MB, MEM_MAX_MB, &mem_mb)) return EXIT_USAGE; break;
		case 't': if (cli_u64("--timeout", optarg, 1, 86400, &timeout_s)) return EXIT_USAGE; break;
		case 'h': fputs(boot_help, stdout); return 0;
		default: return cli_error("unknown option or missing value: '%s' (see 'pvbench boot --help')", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_error("unexpected argument '%s'", argv[optind]);
	if (!kernel)
		return cli_error("boot needs --kernel FILE");
	const struct mode_ops *mode = mode_find(mode_name);
	if (!mode)
		return cli_error("unknown mode '%s' (see 'pvbench list')", mode_name);
	char why[256];
	if (!mode_engine(mode)->create)
		return cli_error("mode %s runs no guest kernel", mode_name);
	if (mode_engine(mode)->probe(why, sizeof(why)))
		return cli_error("mode %s is unavailable here: %s", mode_name, why);
	fflush(stdout);
	struct session s = { .mode = mode, .kernel = kernel, .format = fmt, .cmdline = cmdline,
			     .mem_bytes = mem_mb << 20, .echo_fd = STDOUT_FILENO, .timeout_ms = timeout_s * 1000 };
	struct session_result r;
	session_boot(&s, &r);
	if (r.setup_failed)
		return cli_error("%s", r.error);
	if (r.out.end != RUN_EXITED)
		return cli_error("guest did not exit: %s", r.out.reason);
	return r.out.exit_status;
}
