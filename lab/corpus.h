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

#endif
