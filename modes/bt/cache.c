/* The code cache (QEMU's tb lifecycle): translations appended from bt->next, their
 * metadata from bt->meta_next, until either is full, then all of it dropped at once and
 * every block translated again on use; direct exits linked to their targets by patching
 * the exit's jump (chain_site), and the indirect-branch table filled from the run loop's
 * exits. translate.c writes the code. The cache is one memfd mapped twice, writable and
 * executable, so that no page is both (W^X) and no write needs an mprotect. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "bt.h"
#include "translate.h"

void *bt_translate(struct x86_jit *j, struct x86_cpu *c, const struct x86_insn *ins, unsigned n, void **tb)
{
	struct bt *bt = (struct bt *)j;
	if (n > BT_MAX_INSNS)
		return NULL;
	uint64_t t0 = host_ns();
	for (int attempt = 0; attempt < 2; attempt++) {
		if (attempt || (size_t)(bt->cache + bt->size - bt->next) < BLOCK_ROOM ||
		    (size_t)(bt->meta + bt->meta_size - bt->meta_next) < META_ROOM) {
			/* full: start over, as QEMU does; every block translates again on use */
			x86_forget_translations(c);
			bt->next = bt->cache;
			bt->meta_next = bt->meta;
			bt->nsites = 0;
			bt->flushes++;
		}
		uint8_t *code = bt->next;
		struct bt_tb *t = tr_block(bt, c, ins, n);
		if (t) {
			bt->next = t->end;
			bt->blocks++;
			bt->native_insns += t->native;
			bt->callout_insns += t->callouts;
			bt->bytes += (uint64_t)(bt->next - code);
			bt->translate_ns += host_ns() - t0;
			*tb = t;
			return t->entry;
		}
	}
	return NULL;
}

void bt_link(struct x86_jit *j, const struct x86_cpu *c, void *exit, void *tb, unsigned n)
{
	struct bt *bt = (struct bt *)j;
	const struct bt_tb *to = tb;
	if (exit == bt->ind) { /* an indirect exit: its table entry for c->rip */
		struct bt_ind *e = &bt->ind[bt_ind_slot(c->rip)];
		*e = (struct bt_ind){ .rip = c->rip, .epoch = c->tlb_epoch, .gen = c->tb_gen, .n = (uint16_t)n,
				      .tclass = c->user_access, .chain = bt_exec(bt, to->chain) };
		bt->ind_fills++;
		return;
	}
	struct chain_site *site = exit;
	if (site->target != c->rip)
		return; /* something came between (an interrupt, a fault) */
	uint32_t gen = c->tb_gen, len = n;
	if (site->linked == to && !memcmp(site->gen, &gen, 4) && (!site->n || !memcmp(site->n, &len, 4)))
		return; /* linked already, and left for want of budget: writing code costs the host a flush */
	if (site->linked != to) {
		uint8_t *dest = tr_glue(bt, site->from, to);
		if (!dest)
			return; /* no room for the glue: the cache starts over at the next translation */
		int32_t rel = (int32_t)(dest - (site->jump + 4));
		memcpy(site->jump, &rel, 4);
		site->linked = to;
	}
	memcpy(site->gen, &gen, 4);
	if (site->n) /* a backward link's budget check */
		memcpy(site->n, &len, 4);
	bt->chain_links++;
}

struct bt_site *bt_site_at(struct bt *t, const void *rip)
{
	const uint8_t *p = rip;
	size_t lo = 0, hi = t->nsites;
	while (lo < hi) { /* the last site that starts at or before p */
		size_t mid = lo + (hi - lo) / 2;
		if (t->sites[mid].lo <= p)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && p < t->sites[lo - 1].hi ? &t->sites[lo - 1] : NULL;
}

int bt_init(struct bt *t, size_t cache_bytes)
{
	memset(t, 0, sizeof(*t));
	for (unsigned k = 0; k < BT_IND_SIZE; k++)
		t->ind[k].epoch = ~0ull; /* no epoch: empty */
	t->jit.translate = bt_translate;
	t->jit.link = bt_link;
	t->tr = tr_alloc();
	t->size = cache_bytes;
	t->meta_size = cache_bytes / 4;
	t->cache = t->exec = t->meta = MAP_FAILED;
	int fd = memfd_create("pvbench-code-cache", MFD_CLOEXEC);
	if (t->tr && fd >= 0 && !ftruncate(fd, (off_t)cache_bytes)) {
		t->cache = mmap(NULL, cache_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		t->exec = mmap(NULL, cache_bytes, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
		t->meta = mmap(NULL, t->meta_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	}
	int err = errno;
	if (fd >= 0)
		close(fd);
	if (t->cache == MAP_FAILED || t->exec == MAP_FAILED || t->meta == MAP_FAILED) {
		bt_free(t);
		errno = err ? err : ENOMEM;
		return -1;
	}
	t->next = t->cache;
	t->meta_next = t->meta;
	return 0;
}

void bt_free(struct bt *t)
{
	if (t->cache && t->cache != MAP_FAILED)
		munmap(t->cache, t->size);
	if (t->exec && t->exec != MAP_FAILED)
		munmap(t->exec, t->size);
	if (t->meta && t->meta != MAP_FAILED)
		munmap(t->meta, t->meta_size);
	free(t->tr);
	free(t->sites);
	t->sites = NULL;
	t->cache = t->exec = t->meta = NULL;
	t->tr = NULL;
}
