/* bt: the interpreter's VM (modes/emulate) with the translator attached to its CPU:
 * 64-bit blocks run as host code from the code cache, everything else (32-bit code, a
 * block a slice would cut) as the interpreter runs it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bt.h"
#include "../emulate/emulate.h"
#include "../../vmm/x86/decode.h"

#define CODE_CACHE_BYTES (256u << 20)

struct bt_vm {
	struct emu_vm *emu;
	struct bt bt;
};

static const char *bt_backend(void) { return "translator"; }

static void *bt_create(struct machine *m, const struct boot_state *bs, char *err, size_t n)
{
	struct bt_vm *v = calloc(1, sizeof(*v));
	if (!v) {
		snprintf(err, n, "out of memory for the translator");
		return NULL;
	}
	if (bt_init(&v->bt, CODE_CACHE_BYTES)) {
		snprintf(err, n, "cannot map a %u MiB executable code cache: %s", CODE_CACHE_BYTES >> 20, strerror(errno));
		free(v);
		return NULL;
	}
	if (!(v->emu = emu_create(m, bs, err, n))) {
		bt_free(&v->bt);
		free(v);
		return NULL;
	}
	v->emu->cpu.jit = &v->bt.jit;
	/* a block is translated the second time it runs since it was decoded: code rewritten
	 * before it runs again (self-modifying code, a storm of it) is interpreted, and never
	 * pays a translation per write */
	v->emu->cpu.translate_after = 1;
	return v;
}

static void bt_run(void *vm, uint64_t timeout_ms, struct run_outcome *out)
{
	emu_run(((struct bt_vm *)vm)->emu, timeout_ms, out);
}

static void bt_stats(void *vm, struct mode_stats *st)
{
	struct bt_vm *v = vm;
	const struct bt *t = &v->bt;
	emu_stats(v->emu, st);
	mode_stat_host(st, "bt.blocks_translated", t->blocks);
	mode_stat_host(st, "bt.code_bytes", t->bytes);
	mode_stat_host(st, "bt.translate_ns", t->translate_ns);
	mode_stat_host(st, "bt.cache_flushes", t->flushes);
	mode_stat_host(st, "bt.insns_native", t->native_insns);
	mode_stat_host(st, "bt.insns_callout", t->callout_insns);
	mode_stat_host(st, "bt.chain_links", t->chain_links);
	mode_stat_host(st, "bt.link_glues", t->glues);
	mode_stat_host(st, "bt.chain_hits", t->chain_hits);
	mode_stat_host(st, "bt.adapted", t->adapted);
	mode_stat_host(st, "bt.indirect_fills", t->ind_fills);
	/* callouts by instruction, in a fixed order (figures pair names across snapshots) */
	for (unsigned m = 1; m <= ZYDIS_MNEMONIC_MAX_VALUE; m++)
		if (t->callouts[m]) {
			char name[48];
			snprintf(name, sizeof(name), "bt.callout.%s", x86_mnemonic_name(m));
			mode_stat_add(st, name, t->callouts[m]);
		}
}

static void bt_destroy(void *vm)
{
	struct bt_vm *v = vm;
	emu_destroy(v->emu);
	bt_free(&v->bt);
	free(v);
}

static struct x86_cpu *bt_cpu(void *vm) { return emu_cpu(((struct bt_vm *)vm)->emu); }

const struct engine_ops bt_engine = {
	.name = "bt",
	.kind = ENGINE_GUEST,
	.probe = emu_probe,
	.backend = bt_backend,
	.bench_unsupported = emu_bench_unsupported,
	.create = bt_create,
	.run = bt_run,
	.stats = bt_stats,
	.destroy = bt_destroy,
	.cpu = bt_cpu,
};
