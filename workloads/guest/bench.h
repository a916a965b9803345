/* One benchmark as the harness drives it. */
#ifndef GUEST_BENCH_H
#define GUEST_BENCH_H
#include <stdint.h>

struct bench {
	/* NULL when ready, else why the benchmark cannot run on this machine */
	const char *(*setup)(void);
	/* Time *n operations (the benchmark may round *n up); TSC ticks. */
	int64_t (*run)(uint64_t *n);
	void (*teardown)(void);
	/* A value to check across engines (compute's checksum); NULL if none. */
	uint64_t (*value)(void);
	/* Its operations are defined by time (ticks of a periodic timer), so what an engine
	 * counts per operation is not a deterministic figure: no counting passes. */
	int time_defined;
};

#define BENCH(name, needs, desc) extern const struct bench bench_##name;
#include "../../abi/benches.def"
#undef BENCH

/* Fails the running benchmark unless cond holds: a wrong answer is never a timing. */
#define BENCH_CHECK(cond, ...) do { if (!(cond)) panic(__VA_ARGS__); } while (0)

#endif
