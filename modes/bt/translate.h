/* What translate.c gives the code cache (cache.c): one block's translation and the
 * metadata kept apart from its code (QEMU's TranslationBlock): where it is entered, the
 * host register of each guest register, and each direct exit's patchable link. */
#ifndef BT_TRANSLATE_H
#define BT_TRANSLATE_H
#include <stdbool.h>
#include <stdint.h>
#include "bt.h"

#define BT_MAX_INSNS 64    /* more than a decoded block holds */
#define BLOCK_ROOM 32768   /* host bytes one block may take */
#define META_ROOM 16384    /* metadata bytes one block may take */
#define IN_CPU 0xff        /* a guest register in its slot in struct x86_cpu */

/* One translation. Addresses are in the cache's writable view (cache.c) but entry. */
struct bt_tb {
	uint8_t *entry;        /* the prologue, executable view: where the run loop calls in */
	uint8_t *chain;        /* every guest register from the CPU, then the body: where links
				  from blocks that hold them elsewhere land */
	uint8_t *body;         /* where a link from a block with the same map lands */
	uint8_t *end;          /* the first byte after the block's code and stubs */
	uint8_t map[16];       /* each guest register's host register, or IN_CPU */
	unsigned native, callouts; /* instructions of each kind */
};

/* A direct exit: what bt_link patches in the code (the block generation and the
 * target's length the exit checks, no length for a forward link, and its jump) and
 * what it last linked the exit to. */
struct chain_site {
	uint8_t *gen, *n, *jump;
	uint64_t target;
	const struct bt_tb *from, *linked;
};

/* The n instructions at c->rip into the code cache from bt->next, their metadata from
 * bt->meta_next; NULL when either did not fit (BLOCK_ROOM, META_ROOM, the cache's end). */
struct bt_tb *tr_block(struct bt *bt, struct x86_cpu *c, const struct x86_insn *ins, unsigned n);
/* Where a link from translation from to translation to jumps: to's body when both hold
 * the same registers in the same host registers, else glue appended to the cache that
 * moves the ones that differ through the CPU, then jumps there; NULL when the cache has
 * no room for it. */
uint8_t *tr_glue(struct bt *bt, const struct bt_tb *from, const struct bt_tb *to);
/* The translator's working state (bt->tr). */
struct tr *tr_alloc(void);
/* n bytes of metadata (8-aligned) from bt->meta_next, or NULL when the arena is full. */
void *tr_meta(struct bt *bt, size_t n);

#endif
