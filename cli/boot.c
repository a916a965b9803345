/* pvbench boot: any Multiboot v1, ELF64 or Linux kernel, COM1 on stdout, the guest's debug-exit
 * status as ours, the way `qemu-system-x86_64 -kernel` is used in scripts. */
#include <getopt.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "../lab/session.h"

static const char boot_help[] =
	"usage: pvbench boot --kernel FILE [options]\n"
	"  --kernel FILE     Multiboot v1, ELF64 or Linux (bzImage, vmlinux) kernel\n"
	"  --mode M          guest engine (default hw)\n"
	"  --append S        kernel command line (also --cmdline)\n"
	"  --initrd FILE     initial ramdisk for a Linux kernel\n"
	"  --module FILE[,ARGS]  a Multiboot module (GRUB's module, QEMU's -initrd): loaded after the\n"
	"                    kernel, its string 'FILE ARGS'; the kernel's command line starts with\n"
	"                    the kernel's path, as GRUB and QEMU pass it\n"
	"  --format F        auto (bzImage, else ELF64 -- a vmlinux by its ELF notes -- else Multiboot),\n"
	"                    elf64, multiboot, linux (64-bit entry), linux32 (a bzImage's 32-bit\n"
	"                    entry) or pvh (a vmlinux's PVH entry)\n"
	"  --mem MB          guest memory (default 64; a Linux kernel wants 256 or more)\n"
	"  --timeout S       watchdog (default 600)\n"
	"  --stats           print the engine's and the devices' counters on stderr at the end\n"
	"  --strict          an instruction the CPU model does not implement fails the boot\n"
	"                    (named, with its rip and bytes) instead of being a #UD to the guest\n"
	"exit status: the guest's isa-debug-exit status ((value << 1) | 1, as QEMU);\n"
	"2 when the kernel cannot be loaded or the guest fails (triple fault, watchdog).\n";

int cmd_boot(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", 1, 0, 'k' }, { "mode", 1, 0, 'm' }, { "cmdline", 1, 0, 'c' }, { "append", 1, 0, 'c' },
		{ "initrd", 1, 0, 'i' }, { "module", 1, 0, 'o' }, { "format", 1, 0, 'f' },
		{ "mem", 1, 0, 'M' }, { "timeout", 1, 0, 't' }, { "stats", 0, 0, 's' }, { "strict", 0, 0, 'S' },
		{ "help", 0, 0, 'h' }, { 0, 0, 0, 0 },
	};
	const char *kernel = NULL, *mode_name = "hw", *cmdline = "", *initrd = NULL, *module = NULL;
	enum image_format fmt = IMAGE_AUTO;
	uint64_t mem_mb = MEM_DEFAULT_MB, timeout_s = 600;
	bool stats = false, strict = false;
	optind = 1;
	opterr = 0; /* our own one-line message instead of getopt's */
	for (int ch; (ch = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
		switch (ch) {
		case 'k': kernel = optarg; break;
		case 'm': mode_name = optarg; break;
		case 'c': cmdline = optarg; break;
		case 'i': initrd = optarg; break;
		case 'o': module = optarg; break;
		case 's': stats = true; break;
		case 'S': strict = true; break;
		case 'f': {
			int f = loader_format_parse(optarg);
			if (f < 0)
				return cli_error("--format takes auto, elf64, multiboot, linux, linux32 or pvh, not '%s'", optarg);
			fmt = (enum image_format)f;
			break;
		}
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
	const struct mode *mode = mode_find(mode_name);
	if (!mode)
		return cli_error("unknown mode '%s' (see 'pvbench list')", mode_name);
	char why[256];
	if (mode->engine->kind != ENGINE_GUEST)
		return cli_error("mode %s runs no guest kernel", mode_name);
	if (mode->engine->probe(why, sizeof(why)))
		return cli_error("mode %s is unavailable here: %s", mode_name, why);
	fflush(stdout);
	if (module && initrd)
		return cli_error("--module is a Multiboot kernel's, --initrd a Linux kernel's: not both");
	char module_file[4096] = "", module_string[1024] = "";
	if (module) { /* FILE[,ARGS] as QEMU's -initrd: the string is "FILE ARGS" */
		snprintf(module_file, sizeof(module_file), "%.*s", (int)strcspn(module, ","), module);
		const char *args = strchr(module, ',');
		snprintf(module_string, sizeof(module_string), "%s%s%s", module_file, args ? " " : "", args ? args + 1 : "");
		initrd = module_file;
	}
	struct session s = { .mode = mode, .kernel = kernel, .format = fmt, .cmdline = cmdline, .initrd = initrd,
			     .module_string = module ? module_string : NULL,
			     .mem_bytes = mem_mb << 20, .echo_fd = STDOUT_FILENO, .timeout_ms = timeout_s * 1000,
			     .strict = strict };
	struct session_result r;
	session_boot(&s, &r);
	for (int k = 0; stats && k < r.stats.n; k++)
		fprintf(stderr, "%-28s %llu\n", r.stats.s[k].name, (unsigned long long)r.stats.s[k].value);
	if (r.setup_failed)
		return cli_error("%s", r.error);
	if (r.out.end != RUN_EXITED)
		return cli_error("guest did not exit: %s", r.out.reason);
	return r.out.exit_status;
}
