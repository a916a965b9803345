#include "callret.h"

/* Not inlined, and reached through a table the compiler cannot see through, so that
 * every call stays an indirect call with its own return. */
static __attribute__((noinline)) uint64_t step_odd(uint64_t x) { return x * 3 + 1; }
static __attribute__((noinline)) uint64_t step_even(uint64_t x) { return x ^ (x >> 7); }
static uint64_t (*volatile const steps[2])(uint64_t) = { step_even, step_odd };

uint64_t callret_loop(uint64_t n, uint64_t acc)
{
	for (uint64_t i = 0; i < n; i++)
		acc = steps[i & 1](acc);
	return acc;
}

uint64_t callret_checksum(void) { return callret_loop(CALLRET_CHECK_CALLS, 1); }
