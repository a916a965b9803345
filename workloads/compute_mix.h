/* The second integer workload, of another shape than compute's (in the spirit of
 * CoreMark): a linked list walked and merge-sorted by pointer, a small matrix
 * multiply, a state machine over a byte string, a CRC-16 over what they produced. Built
 * into the guest and into pvbench (native) from this one source, checksum-checked, so
 * that a translator fitted to compute's loops shows. */
#ifndef PVB_COMPUTE_MIX_H
#define PVB_COMPUTE_MIX_H
#include <stdint.h>

#define MIX_NODES 256
#define MIX_N 8
#define MIX_TEXT 256
#define MIX_CHECK_PASSES 16 /* passes behind the reported checksum */

struct mix_node {
	struct mix_node *next;
	uint32_t key, data;
};

struct mix_state {
	struct mix_node nodes[MIX_NODES];
	int32_t a[MIX_N][MIX_N], b[MIX_N][MIX_N], c[MIX_N][MIX_N];
	uint8_t text[MIX_TEXT];
	uint64_t seed, acc;
};

/* Back to the first pass from seed: every repetition does the same work. */
void mix_restart(struct mix_state *s, uint64_t seed);
/* One pass: refill from an LCG, walk and sort the list, multiply, scan, CRC; folds into
 * s->acc. */
void mix_pass(struct mix_state *s);
/* The checksum of MIX_CHECK_PASSES passes from the standard seed. */
uint64_t mix_checksum(struct mix_state *s);

#endif
