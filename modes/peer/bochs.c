/* bochs: the same guest image under Bochs, booted by GRUB from an ISO that grub-mkrescue
 * makes per run. Bochs's guest clock is virtual (from its instruction count at a set
 * ips), so its rows are timed by the host's clock: the peer runner measures the gap
 * between two result lines and keeps the loop's share of it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "peer.h"

#define BOCHS_IPS 100000000  /* the virtual clock's rate: instructions per guest second */
#define GRUB_PC_DIR "/usr/lib/grub/i386-pc"
#define PATH_LEN 96 /* every path here is the short temporary directory plus a short name */
#define BOCHS_PLUGINS "/usr/lib/x86_64-linux-gnu/bochs/plugins"

static int bochs_probe(char *why, size_t n)
{
	static const char *const progs[] = { "bochs", "grub-mkrescue", "xorriso", "mformat" };
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++)
		if (!have_program(progs[i], why, n))
			return -1;
	if (access(GRUB_PC_DIR, R_OK)) {
		snprintf(why, n, "GRUB's BIOS modules are not installed (%s; Debian: grub-pc-bin)", GRUB_PC_DIR);
		return -1;
	}
	if (access(BOCHS_PLUGINS, R_OK) == 0 && access(BOCHS_PLUGINS "/libbx_term_gui.so", R_OK)) {
		snprintf(why, n, "Bochs has no text display library to run without X (Debian: bochs-term)");
		return -1;
	}
	return 0;
}

static const char *bochs_backend(void) { return "host-timed"; } /* its guest clock is virtual */

static const char *bochs_bench_unsupported(const char *bench, unsigned needs)
{
	(void)bench;
	return needs == PVB_NEED_LINUX ? "the Bochs peer boots the benchmark guest through GRUB; the Linux guest is not wired to it"
				       : NULL;
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	int rc = fputs(text, f) < 0;
	return fclose(f) || rc ? -1 : 0;
}

static int copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wb") : NULL;
	char buf[65536];
	size_t got;
	int rc = in && out ? 0 : -1;
	while (!rc && (got = fread(buf, 1, sizeof(buf), in)) > 0)
		rc = fwrite(buf, 1, got, out) == got ? 0 : -1;
	if (in)
		fclose(in);
	if (out && fclose(out))
		rc = -1;
	return rc;
}

static void failed(ctl_msg_fn *emit, void *opaque, const char *what, const char *dir)
{
	struct pvb_msg m = { .magic = PVB_MSG_MAGIC, .type = PVB_MSG_FAILED };
	snprintf(m.text, sizeof(m.text), "bochs: %s (in %s)", what, dir);
	emit(opaque, &m);
}

/* The ISO (GRUB, the guest, a menu entry with the plan's command line), the COM1 FIFO and
 * the configuration, all in dir. */
static int prepare(const struct host_run *hr, const char *dir, ctl_msg_fn *emit, void *opaque)
{
	char p[PATH_LEN * 2], cfg[2048], cmdline[1024], iso[PATH_LEN], tree[PATH_LEN];
	plan_cmdline(hr->plan, -1, cmdline, sizeof(cmdline));
	snprintf(tree, sizeof(tree), "%s/iso", dir);
	snprintf(iso, sizeof(iso), "%s/guest.iso", dir);
	static const char *const dirs[] = { "", "/boot", "/boot/grub" };
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", tree, dirs[i]);
		mkdir(p, 0700);
	}
	snprintf(cfg, sizeof(cfg),
		 "set timeout=0\nset default=0\nmenuentry pvbench {\n  multiboot /boot/guest.elf %s\n  boot\n}\n", cmdline);
	snprintf(p, sizeof(p), "%s/boot/grub/grub.cfg", tree);
	if (write_file(p, cfg)) {
		failed(emit, opaque, "cannot write the GRUB configuration", dir);
		return -1;
	}
	snprintf(p, sizeof(p), "%s/boot/guest.elf", tree);
	if (copy_file(hr->guest, p)) {
		failed(emit, opaque, "cannot copy the guest image", dir);
		return -1;
	}
	const char *mk[] = { "grub-mkrescue", "-o", iso, tree, NULL };
	if (run_program(mk) != 0 || access(iso, R_OK)) {
		failed(emit, opaque, "grub-mkrescue could not make the boot ISO", dir);
		return -1;
	}
	snprintf(p, sizeof(p), "%s/com1", dir);
	if (mkfifo(p, 0600)) {
		failed(emit, opaque, "cannot make the COM1 FIFO", dir);
		return -1;
	}
	/* Debian's Bochs is built with its debugger: the rc file's "c" starts the guest. */
	snprintf(p, sizeof(p), "%s/debugger.rc", dir);
	if (write_file(p, "c\n")) {
		failed(emit, opaque, "cannot write the debugger script", dir);
		return -1;
	}
	snprintf(cfg, sizeof(cfg),
		 "megs: %llu\n"
		 "romimage: file=/usr/share/bochs/BIOS-bochs-latest\n"
		 "vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest\n"
		 "ata0-master: type=cdrom, path=%s, status=inserted\n"
		 "boot: cdrom\n"
		 "display_library: term\n"
		 "com1: enabled=1, mode=file, dev=%s/com1\n"
		 "log: /dev/null\n"
		 "panic: action=fatal\n"
		 "cpu: model=corei7_skylake_x, ips=%d\n"
		 "clock: sync=none\n"
		 "speaker: enabled=0\n"
		 /* the default mixer thread aborts in Debian's 2.7 (a fortify check) */
		 "sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy\n",
		 (unsigned long long)hr->mem_mb, iso, dir, BOCHS_IPS);
	snprintf(p, sizeof(p), "%s/bochsrc", dir);
	if (write_file(p, cfg)) {
		failed(emit, opaque, "cannot write the Bochs configuration", dir);
		return -1;
	}
	return 0;
}

static void bochs_run(const struct host_run *hr, ctl_msg_fn *emit, void *opaque)
{
	char dir[] = "/tmp/pvbench-bochs-XXXXXX", rc[PATH_LEN], fifo[PATH_LEN], conf[PATH_LEN];
	if (!mkdtemp(dir)) {
		failed(emit, opaque, "cannot make a temporary directory", "/tmp");
		return;
	}
	if (!prepare(hr, dir, emit, opaque)) {
		snprintf(conf, sizeof(conf), "%s/bochsrc", dir);
		snprintf(rc, sizeof(rc), "%s/debugger.rc", dir);
		snprintf(fifo, sizeof(fifo), "%s/com1", dir);
		struct peer_cmd pc = {
			.argv = { "bochs", "-q", "-f", conf, "-rc", rc, NULL },
			.com1_fifo = fifo,
			.pty = true,
			.wall_clock = true,
			.timeout_ms = hr->timeout_ms,
			.echo_fd = hr->echo_fd,
		};
		peer_run(&pc, emit, opaque);
	}
	remove_tree(dir);
}

const struct engine_ops bochs_engine = {
	.name = "bochs",
	.kind = ENGINE_PEER,
	.probe = bochs_probe,
	.backend = bochs_backend,
	.bench_unsupported = bochs_bench_unsupported,
	.run_host = bochs_run,
};
