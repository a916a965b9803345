/* bt: guest blocks translated into host code (translate.c), kept in a code cache (cache.c). */
#ifndef BT_BT_H
#define BT_BT_H
#include <stddef.h>
#include <stdint.h>
#include <Zydis/Zydis.h>
#include "../../vmm/x86/x86.h"

struct tr;

/* The indirect-branch table: the translation for a rip, good for one TLB epoch and block
 * generation (exit_indirect in translate.c reads it inline). */
#define BT_IND_SIZE 1024
struct bt_ind {
	uint64_t rip, epoch;
	uint32_t gen;
	uint16_t n;              /* the target's instructions, for the budget */
	uint8_t tclass;          /* the TLB class its translation was made for */
	void *chain;
};
#define BT_IND_SHIFT 10      /* slot: (rip ^ rip >> BT_IND_SHIFT) % BT_IND_SIZE, here and emitted */
static inline unsigned bt_ind_slot(uint64_t rip) { return (unsigned)((rip ^ rip >> BT_IND_SHIFT) & (BT_IND_SIZE - 1)); }

/* A memory access of translated code on the shadow windows (shadow.h): a host fault with
 * rip in [lo, hi) (executable view) belongs to the instruction whose slow path (its
 * callout) is at slow; start (writable view, NULL when its code is too short) is where
 * bt_adapt patches the instruction into that path. Kept in code order: found by bisection. */
struct bt_site {
	const uint8_t *lo, *hi, *slow;
	uint8_t *start;
	uint32_t traps;              /* traces and device accesses so far */
};

struct bt {
	struct x86_jit jit;          /* first: the CPU's jit pointer is this struct's */
	/* The code cache, one memory object mapped twice (W^X): code is written through the
	 * writable view and runs from the executable one, exec - cache bytes on. */
	uint8_t *cache, *next;       /* the writable view and its first free byte */
	uint8_t *exec;
	size_t size;
	/* The metadata arena (translate.h): translations, chain sites, adaptation counters;
	 * dropped with the code. */
	uint8_t *meta, *meta_next;
	size_t meta_size;
	struct tr *tr;               /* the translator's working state */
	/* statistics */
	uint64_t blocks, bytes, translate_ns, flushes, native_insns, callout_insns, chain_links, chain_hits;
	uint64_t adapted;            /* instructions turned into plain callouts (translate.c) */
	uint64_t ind_fills;          /* indirect-branch table entries written */
	uint64_t glues;              /* links between blocks that hold different registers */
	struct bt_site *sites;       /* of every translation in the cache, in code order */
	size_t nsites, sites_cap;
	bool shadow;                 /* 32-bit code outside long mode reaches memory through the shadow */
	struct bt_ind ind[BT_IND_SIZE];
	uint64_t callouts[ZYDIS_MNEMONIC_MAX_VALUE + 1]; /* executed, by mnemonic */
};

/* 0, or -1 with errno when the code cache cannot be mapped */
int bt_init(struct bt *t, size_t cache_bytes);
void bt_free(struct bt *t);
/* The x86_jit calls: the translation of n decoded instructions starting at c->rip (or
 * NULL; *tb its struct bt_tb), and a direct exit linked to another translation. */
void *bt_translate(struct x86_jit *j, struct x86_cpu *c, const struct x86_insn *insn, unsigned n, void **tb);
void bt_link(struct x86_jit *j, const struct x86_cpu *c, void *exit, void *tb, unsigned n);
/* A writable-view address in the executable view. */
static inline void *bt_exec(const struct bt *t, const uint8_t *w) { return t->exec + (w - t->cache); }
/* The site whose range holds rip (an executable-view address), or NULL. */
struct bt_site *bt_site_at(struct bt *t, const void *rip);
/* Whether p lies in the executable view of the code cache. */
static inline bool bt_runs(const struct bt *t, const void *p)
{
	return (const uint8_t *)p >= t->exec && (const uint8_t *)p < t->exec + t->size;
}
/* Called from translated code: the instruction at start jumps to its slow path now. */
void bt_adapt(uint8_t *start, const uint8_t *slow, struct bt *bt);

#endif
