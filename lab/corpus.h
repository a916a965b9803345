/* Random instruction streams for the lockstep checker: each seed gives a bootable ELF64
 * guest that sets every register at random, runs n random instructions (arithmetic,
 * shifts, multiply and divide, bit scans, moves and exchanges, conditions, forward
 * branches, the stack, loads and stores, and accesses that fault on purpose) and ends
 * the machine through isa-debug-exit. A fault handler resumes after the faulting
 * instruction, so faults are part of the stream. */
#ifndef WORKLOADS_CORPUS_H
#define WORKLOADS_CORPUS_H
#include <stddef.h>
#include <stdint.h>

/* A malloc'd image in *img; -1 when out of memory (or the generator is broken). */
int corpus_build(uint64_t seed, unsigned n, uint8_t **img, size_t *len);
/* The same in 32-bit protected mode (a Multiboot image) with 2-level paging on: its
 * accesses go through the translator's shadow MMU; edi points at a page that is not
 * present, ebp at a read-only one. */
int corpus_build32(uint64_t seed, unsigned n, uint8_t **img, size_t *len);
/* The same guest around n given bytes of code instead of a random stream (a fuzzer's):
 * registers from seed, then the bytes, then the end; -1 when out of memory or n is more
 * than the stream's room. */
int corpus_wrap(uint64_t seed, const uint8_t *code, size_t n, uint8_t **img, size_t *len);

#endif
