/* 128-by-64 division and the product-quotient the clocks use, on the CPU's own divq. */
#include "kernel.h"

static uint64_t udiv128(uint64_t hi, uint64_t lo, uint64_t d)
{
	uint64_t q, r;
	__asm__("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(d));
	return q;
}

uint64_t muldiv(uint64_t a, uint64_t b, uint64_t d)
{
	uint64_t hi, lo;
	__asm__("mulq %3" : "=a"(lo), "=d"(hi) : "a"(a), "rm"(b));
	return udiv128(hi, lo, d);
}
