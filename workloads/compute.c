#include "compute.h"

#define COMPUTE_SEED 0x9e3779b97f4a7c15ull

void compute_init(struct compute_state *s, uint64_t seed)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
		s->crc_table[i] = c;
	}
	compute_restart(s, seed);
}

void compute_restart(struct compute_state *s, uint64_t seed)
{
	s->seed = seed;
	s->acc = 0;
}

static uint32_t crc32_words(const struct compute_state *s)
{
	uint32_t crc = 0xffffffffu;
	for (int i = 0; i < COMPUTE_WORDS; i++) {
		uint32_t w = s->buf[i];
		for (int b = 0; b < 4; b++, w >>= 8)
			crc = s->crc_table[(crc ^ w) & 0xff] ^ (crc >> 8);
	}
	return ~crc;
}

/* Shell sort: branchy compares and strided loads, the shape of real kernel code. */
static void sort_words(uint32_t *a, int n)
{
	static const int gaps[] = { 301, 132, 57, 23, 10, 4, 1 };
	for (unsigned g = 0; g < sizeof(gaps) / sizeof(gaps[0]); g++) {
		int gap = gaps[g];
		for (int i = gap; i < n; i++) {
			uint32_t v = a[i];
			int j = i;
			while (j >= gap && a[j - gap] > v) {
				a[j] = a[j - gap];
				j -= gap;
			}
			a[j] = v;
		}
	}
}

/* FNV-1a over the sorted words, then a 64-bit mix (multiplies, rotates). */
static uint64_t hash_words(const uint32_t *a, int n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (int i = 0; i < n; i++) {
		h ^= a[i];
		h *= 0x100000001b3ull;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 29;
	return h;
}

void compute_pass(struct compute_state *s)
{
	uint64_t x = s->seed;
	for (int i = 0; i < COMPUTE_WORDS; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		s->buf[i] = (uint32_t)(x >> 33);
	}
	s->seed = x;
	uint32_t crc = crc32_words(s);
	sort_words(s->buf, COMPUTE_WORDS);
	uint64_t h = hash_words(s->buf, COMPUTE_WORDS);
	s->acc = ((s->acc << 7) | (s->acc >> 57)) ^ h ^ crc;
}

uint64_t compute_checksum(struct compute_state *s)
{
	compute_init(s, COMPUTE_SEED);
	for (int i = 0; i < COMPUTE_CHECK_PASSES; i++)
		compute_pass(s);
	return s->acc;
}
