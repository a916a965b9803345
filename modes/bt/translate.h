/* What translate.c gives the code cache (cache.c): one block's translation, and the
 * layout of a direct exit's patchable link. */
#ifndef BT_TRANSLATE_H
#define BT_TRANSLATE_H
#include <stdbool.h>
#include <stdint.h>
#include "bt.h"

#define BT_MAX_INSNS 64    /* more than a decoded block holds */
#define BLOCK_ROOM 32768   /* host bytes one block may take */

struct translation {
	uint8_t *entry;        /* the prologue: where the run loop calls in */
	uint8_t *chain_entry;  /* after it: where linked exits jump in */
	uint8_t *end;          /* the first byte after the block's code and stubs */
	unsigned native, callouts; /* instructions of each kind */
};

/* A direct exit's link, kept in the code cache after the exit's code (the run loop finds
 * it in tb_patch): where bt_link writes the block
 * generation and the target's length that the exit checks (no length for a forward
 * link), and the jump into the target. */
struct chain_site {
	uint8_t *gen, *n, *jump;
	uint64_t target;
};

/* The n instructions at c->rip into the code cache from bt->next; false when they did
 * not fit in BLOCK_ROOM (or the cache's end). */
bool tr_block(struct bt *bt, struct x86_cpu *c, const struct x86_insn *ins, unsigned n, struct translation *out);
/* The translator's working state (bt->tr). */
struct tr *tr_alloc(void);

#endif
