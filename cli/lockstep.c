/* pvbench run --check-against REF: each selected mode in lockstep with the reference
 * engine (lab/lockstep.c), over the benchmark guest or a corpus of random instruction
 * streams. A check, not a measurement: time is virtual and nothing is stored. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "../lab/runner.h"
#include "../lab/lockstep.h"
#include "../lab/corpus.h"

#define CORPUS_INSNS 600 /* random instructions per stream */
#define CORPUS_MEM_MB 16  /* a stream uses its first 3 MiB; less to compare */

/* One guest in lockstep; 0 when the engines agreed, 1 on a divergence or a stop short
 * of the guest's end, EXIT_USAGE when the pair cannot be set up. */
static int check_one(struct lockstep_config *cfg, const char *what, bool quiet, uint64_t *insns)
{
	char err[300];
	struct lockstep *ls = lockstep_open(cfg, err, sizeof(err));
	if (!ls)
		return cli_error("--check-against: %s", err);
	while (lockstep_step(ls))
		;
	*insns += ls->insns;
	int rc = ls->end == LS_AGREED ? 0 : 1;
	if (rc || !quiet)
		printf("%s vs %s, %s: %s", cfg->mode->name, cfg->ref->name, what, ls->report);
	lockstep_close(ls);
	return rc;
}

int run_lockstep(const struct run_opts *o, const char *against, uint64_t corpus, uint64_t seed)
{
	const struct mode *ref = mode_find(against);
	if (!ref)
		return cli_error("--check-against: unknown mode '%s'", against);
	if (!ref->engine->cpu)
		return cli_error("--check-against: %s has no CPU model state to compare against (emulate and bt do)", against);
	char cmdline[1024];
	plan_cmdline(&o->plan, -1, cmdline, sizeof(cmdline));
	int rc = 0;
	for (int i = 0; i < o->nmodes && rc != EXIT_USAGE; i++) {
		/* the reference with the checked mode's interface: vmi:bt against vmi:emulate */
		const struct mode *r = mode_with(ref->engine, o->modes[i]->iface);
		struct lockstep_config cfg = { .mode = o->modes[i], .ref = r ? r : ref, .mem_bytes = o->mem_mb << 20,
					       .timeout_ms = o->timeout_s * 1000, .echo_fd = o->serial ? 1 : -1 };
		uint64_t insns = 0, t0 = host_ns();
		int bad = 0;
		if (!corpus) {
			char err[300];
			bool linux_guest = o->plan.guest == GUEST_LINUX;
			uint8_t *img = loader_read_file(o->guest, &cfg.image_len, err, sizeof(err));
			if (!img)
				return cli_error("guest image %s: %s", o->guest, err);
			uint8_t *initrd = linux_guest ? loader_read_file(o->initrd, &cfg.initrd_len, err, sizeof(err)) : NULL;
			if (linux_guest && !initrd) {
				free(img);
				return cli_error("initramfs %s: %s", o->initrd, err);
			}
			char linux_cmdline[sizeof(o->append) + sizeof(cmdline) + 1];
			snprintf(linux_cmdline, sizeof(linux_cmdline), "%s %s", o->append, cmdline);
			cfg.image = img;
			cfg.initrd = initrd;
			cfg.cmdline = linux_guest ? linux_cmdline : cmdline;
			bad = check_one(&cfg, linux_guest ? "Linux guest" : "benchmark guest", false, &insns);
			free(img);
			free(initrd);
			cfg.initrd = NULL;
		}
		for (uint64_t s = seed; s < seed + corpus && bad != EXIT_USAGE; s++) {
			uint8_t *img;
			if ((o->paging32 ? corpus_build32 : corpus_build)(s, CORPUS_INSNS, &img, &cfg.image_len))
				return cli_error("cannot build the random stream of seed %llu", (unsigned long long)s);
			char what[64];
			snprintf(what, sizeof(what), "random stream (--corpus 1 --seed %llu)", (unsigned long long)s);
			cfg.image = img;
			cfg.cmdline = "";
			cfg.mem_bytes = CORPUS_MEM_MB << 20;
			int r = check_one(&cfg, what, true, &insns);
			bad = r > bad ? r : bad;
			free(img);
		}
		if (bad == EXIT_USAGE)
			return bad;
		if (corpus && !bad)
			printf("%s vs %s: %llu random %s streams (seeds %llu-%llu), %llu instructions, no divergence\n",
			       cfg.mode->name, r->name, (unsigned long long)corpus, o->paging32 ? "32-bit" : "64-bit",
			       (unsigned long long)seed,
			       (unsigned long long)(seed + corpus - 1), (unsigned long long)insns);
		if (!o->quiet)
			fprintf(stderr, "pvbench: lockstep %s vs %s took %.1f s\n", cfg.mode->name, r->name,
				(double)(host_ns() - t0) / 1e9);
		rc = bad > rc ? bad : rc;
	}
	return rc;
}
