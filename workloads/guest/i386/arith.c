/* 64-bit division for 32-bit code, which has no instruction for it: the helpers gcc
 * calls (libgcc's names; the guest links no libgcc) and the clocks' product-quotient.
 * A 32-bit divisor takes divl digit by digit (base 2^32, as Linux's do_div); a wider
 * one, shift-and-subtract. */
#include "kernel.h"

/* (r:digit) / d with r < d: one divl */
static uint32_t divl(uint32_t *r, uint32_t digit, uint32_t d)
{
	uint32_t q;
	__asm__("divl %4" : "=a"(q), "=d"(*r) : "a"(digit), "d"(*r), "rm"(d));
	return q;
}

/* The base-2^32 digits of n (most significant first) divided by d; the low 64 bits of
 * the quotient, the remainder in *rem. */
static uint64_t divl_digits(const uint32_t *digit, int n, uint32_t d, uint64_t *rem)
{
	uint32_t r = 0;
	uint64_t q = 0;
	for (int i = 0; i < n; i++)
		q = (q << 32) | divl(&r, digit[i], d);
	*rem = r;
	return q;
}

static uint64_t udivmod(uint64_t n, uint64_t d, uint64_t *rem)
{
	if (!d)
		panic("64-bit division by zero");
	if (!(d >> 32)) {
		const uint32_t digit[2] = { (uint32_t)(n >> 32), (uint32_t)n };
		return divl_digits(digit, 2, (uint32_t)d, rem);
	}
	uint64_t q = 0, r = 0;
	for (int bit = 63; bit >= 0; bit--) {
		r = (r << 1) | ((n >> bit) & 1);
		if (r >= d) {
			r -= d;
			q |= 1ull << bit;
		}
	}
	*rem = r;
	return q;
}

uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem);
uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d);
int64_t __divdi3(int64_t n, int64_t d);
int64_t __moddi3(int64_t n, int64_t d);

uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem)
{
	uint64_t r, q = udivmod(n, d, &r);
	if (rem)
		*rem = r;
	return q;
}
uint64_t __udivdi3(uint64_t n, uint64_t d) { uint64_t r; return udivmod(n, d, &r); }
uint64_t __umoddi3(uint64_t n, uint64_t d) { uint64_t r; udivmod(n, d, &r); return r; }

static uint64_t magnitude(int64_t v) { return v < 0 ? 0 - (uint64_t)v : (uint64_t)v; }

int64_t __divdi3(int64_t n, int64_t d)
{
	uint64_t r, q = udivmod(magnitude(n), magnitude(d), &r);
	return (n < 0) != (d < 0) ? -(int64_t)q : (int64_t)q;
}

int64_t __moddi3(int64_t n, int64_t d)
{
	uint64_t r;
	udivmod(magnitude(n), magnitude(d), &r);
	return n < 0 ? -(int64_t)r : (int64_t)r;
}

/* a * b / d: the 128-bit product from 32-bit halves, then divided bit by bit; the
 * quotient must fit in 64 bits. */
uint64_t muldiv(uint64_t a, uint64_t b, uint64_t d)
{
	uint64_t al = (uint32_t)a, ah = a >> 32, bl = (uint32_t)b, bh = b >> 32;
	uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
	uint64_t mid = (ll >> 32) + (uint32_t)lh + (uint32_t)hl;
	uint64_t lo = (mid << 32) | (uint32_t)ll, hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
	if (!d)
		panic("muldiv by zero");
	if (!(d >> 32)) {
		const uint32_t digit[4] = { (uint32_t)(hi >> 32), (uint32_t)hi, (uint32_t)(lo >> 32), (uint32_t)lo };
		uint64_t r;
		return divl_digits(digit, 4, (uint32_t)d, &r);
	}
	uint64_t q = 0, r = 0;
	for (int bit = 127; bit >= 0; bit--) {
		uint64_t top = r >> 63;
		r = (r << 1) | ((bit >= 64 ? hi >> (bit - 64) : lo >> bit) & 1);
		if (top || r >= d) {
			r -= d;
			if (bit < 64)
				q |= 1ull << bit;
		}
	}
	return q;
}
