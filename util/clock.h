/* Device models read time through a clock so that tests can drive it by hand. */
#ifndef UTIL_CLOCK_H
#define UTIL_CLOCK_H
#include <stdint.h>
#include <time.h>

struct clock {
	uint64_t (*now_ns)(void *opaque);
	void *opaque;
};

static inline uint64_t clock_now(const struct clock *c) { return c->now_ns(c->opaque); }

static inline uint64_t host_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

extern const struct clock host_clock;

#endif
