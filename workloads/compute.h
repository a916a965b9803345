/* The mixed integer workload. The same source is built into the guest and into pvbench
 * (the native mode), so their checksums must agree. */
#ifndef PVB_COMPUTE_H
#define PVB_COMPUTE_H
#include <stdint.h>

#define COMPUTE_WORDS 512
#define COMPUTE_CHECK_PASSES 16 /* passes behind the reported checksum */

struct compute_state {
	uint32_t buf[COMPUTE_WORDS];
	uint32_t crc_table[256];
	uint64_t seed;
	uint64_t acc;
};

void compute_init(struct compute_state *s, uint64_t seed);
/* Back to the first pass from seed: every repetition then does the same work, which
 * makes its instruction count per pass a deterministic figure. */
void compute_restart(struct compute_state *s, uint64_t seed);
/* One pass: refill from an LCG, CRC32 it, sort it, hash it; folds into s->acc. */
void compute_pass(struct compute_state *s);
/* The checksum of COMPUTE_CHECK_PASSES passes from the standard seed. */
uint64_t compute_checksum(struct compute_state *s);

#endif
