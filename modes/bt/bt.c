/* bt: the interpreter's VM (modes/emulate) with the translator attached to its CPU:
 * 64-bit blocks and 32-bit blocks on flat segments run as host code from the code cache,
 * everything else (16-bit code, a block a slice would cut) as the interpreter runs it.
 * Two engines: `bt`, whose 32-bit code outside long mode reaches memory through shadow
 * windows on the host MMU (shadow.h, VMware's design), and `bt:softmmu`, whose code all
 * goes through the soft TLB (QEMU's), so that the two MMU strategies can be put side by
 * side on the same code. 64-bit code is on the soft TLB in both. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bt.h"
#include "shadow.h"
#include "../emulate/emulate.h"
#include "../../vmm/x86/decode.h"

#define CODE_CACHE_BYTES (256u << 20)

struct bt_vm {
	struct emu_vm *emu;
	struct shadow *shadow;       /* NULL under bt:softmmu */
	struct bt bt;
};

static const char *bt_backend(void) { return "translator"; }
static const char *softmmu_backend(void) { return "translator, soft MMU"; }

static void *create(struct machine *m, const struct boot_state *bs, char *err, size_t n, bool shadow)
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
	if (shadow && !(v->shadow = shadow_create(&v->emu->cpu, &v->bt))) {
		snprintf(err, n, "cannot reserve the shadow MMU's windows: %s", strerror(errno));
		emu_destroy(v->emu);
		bt_free(&v->bt);
		free(v);
		return NULL;
	}
	v->bt.shadow = shadow;
	/* a block is translated the second time it runs since it was decoded: code rewritten
	 * before it runs again (self-modifying code, a storm of it) is interpreted, and never
	 * pays a translation per write */
	v->emu->cpu.translate_after = 1;
	return v;
}

static void *bt_create(struct machine *m, const struct boot_state *bs, char *err, size_t n)
{
	return create(m, bs, err, n, true);
}

static void *softmmu_create(struct machine *m, const struct boot_state *bs, char *err, size_t n)
{
	return create(m, bs, err, n, false);
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
	if (v->shadow) {
		const struct shadow_stats *s = shadow_stats(v->shadow);
		mode_stat_add(st, "shadow.hidden_faults", s->hidden_faults);
		mode_stat_add(st, "shadow.true_faults", s->true_faults);
		mode_stat_add(st, "shadow.prefetched", s->prefetched);
		mode_stat_add(st, "shadow.traces", s->traces);
		mode_stat_add(st, "shadow.code_traces", s->code_traces);
		mode_stat_add(st, "shadow.device_callouts", s->device);
		mode_stat_add(st, "shadow.adapted", s->adapted);
		mode_stat_add(st, "shadow.invalidated", s->invalidated);
		mode_stat_add(st, "shadow.vmi_tables", s->announced);
		mode_stat_add(st, "shadow.windows_built", s->windows_built);
		mode_stat_add(st, "shadow.windows_reused", s->windows_reused);
		mode_stat_add(st, "shadow.windows_evicted", s->windows_evicted);
		mode_stat_add(st, "shadow.host_mmap", s->host_mmap);
		mode_stat_add(st, "shadow.host_unmap", s->host_unmap);
		mode_stat_add(st, "shadow.host_mprotect", s->host_mprotect);
	}
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
	shadow_destroy(v->shadow);
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

const struct engine_ops bt_softmmu_engine = {
	.name = "bt:softmmu",
	.kind = ENGINE_GUEST,
	.probe = emu_probe,
	.backend = softmmu_backend,
	.bench_unsupported = emu_bench_unsupported,
	.create = softmmu_create,
	.run = bt_run,
	.stats = bt_stats,
	.destroy = bt_destroy,
	.cpu = bt_cpu,
};
