/* The code cache (QEMU's tb lifecycle): translations appended from bt->next until the
 * cache is full, then all of it dropped at once and every block translated again on use;
 * direct exits linked to their targets by patching the exit's jump (chain_site), and the
 * indirect-branch table filled from the run loop's exits. translate.c writes the code. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "bt.h"
#include "translate.h"

void *bt_translate(struct x86_jit *j, struct x86_cpu *c, const struct x86_insn *ins, unsigned n, void **chain)
{
	struct bt *bt = (struct bt *)j;
	if (n > BT_MAX_INSNS)
		return NULL;
	uint64_t t0 = host_ns();
	for (int attempt = 0; attempt < 2; attempt++) {
		if (attempt || (size_t)(bt->cache + bt->size - bt->next) < BLOCK_ROOM) {
			/* full: start over, as QEMU does; every block translates again on use */
			x86_forget_translations(c);
			bt->next = bt->cache;
			bt->flushes++;
		}
		uint8_t *code = bt->next;
		struct translation tr;
		if (tr_block(bt, c, ins, n, &tr)) {
			bt->next = tr.end;
			bt->blocks++;
			bt->native_insns += tr.native;
			bt->callout_insns += tr.callouts;
			bt->bytes += (uint64_t)(bt->next - code);
			bt->translate_ns += host_ns() - t0;
			*chain = tr.chain_entry;
			return tr.entry;
		}
	}
	return NULL;
}

void bt_link(struct x86_jit *j, const struct x86_cpu *c, void *exit, void *chain, unsigned n)
{
	struct bt *bt = (struct bt *)j;
	if (exit == bt->ind) { /* an indirect exit: its table entry for c->rip */
		struct bt_ind *e = &bt->ind[bt_ind_slot(c->rip)];
		*e = (struct bt_ind){ .rip = c->rip, .epoch = c->tlb_epoch, .gen = c->tb_gen, .n = (uint16_t)n,
				      .tclass = c->user_access, .chain = chain };
		bt->ind_fills++;
		return;
	}
	struct chain_site site;
	memcpy(&site, exit, sizeof(site));
	if (site.target != c->rip)
		return; /* something came between (an interrupt, a fault) */
	int32_t rel = (int32_t)((uint8_t *)chain - (site.jump + 4));
	uint32_t gen = c->tb_gen, len = n;
	if (!memcmp(site.gen, &gen, 4) && (!site.n || !memcmp(site.n, &len, 4)) && !memcmp(site.jump, &rel, 4))
		return; /* linked already, and left for want of budget: writing code costs the host a flush */
	memcpy(site.gen, &gen, 4);
	if (site.n) /* a backward link's budget check */
		memcpy(site.n, &len, 4);
	memcpy(site.jump, &rel, 4);
	bt->chain_links++;
}

int bt_init(struct bt *t, size_t cache_bytes)
{
	memset(t, 0, sizeof(*t));
	for (unsigned k = 0; k < BT_IND_SIZE; k++)
		t->ind[k].epoch = ~0ull; /* no epoch: empty */
	t->jit.translate = bt_translate;
	t->jit.link = bt_link;
	t->tr = tr_alloc();
	t->cache = mmap(NULL, cache_bytes, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!t->tr || t->cache == MAP_FAILED) {
		free(t->tr);
		t->tr = NULL;
		t->cache = NULL;
		return -1;
	}
	t->next = t->cache;
	t->size = cache_bytes;
	return 0;
}

void bt_free(struct bt *t)
{
	if (t->cache)
		munmap(t->cache, t->size);
	free(t->tr);
	t->cache = NULL;
	t->tr = NULL;
}
