/* Host-side event counters around each benchmark, through libpfm4 and perf_event_open.
 * Each counter records where its number came from: the PMU, a software event, the TSC
 * as a stand-in for cycles, or unavailable with the reason. */
#ifndef COLLECT_COUNTERS_H
#define COLLECT_COUNTERS_H
#include <stdint.h>

#define COUNTERS_MAX 5

struct counter {
	const char *name;   /* as stored: cycles, instructions, task_clock_ns, ... */
	int fd;             /* -1 when not a perf event */
	int use_tsc;        /* cycles fallback */
	uint64_t tsc_start;
	char source[64];
};

struct counters {
	struct counter c[COUNTERS_MAX];
	int n;
};

/* Never fails: what cannot be opened is marked unavailable with the reason. */
void counters_open(struct counters *cs);
void counters_start(struct counters *cs);
/* Values since counters_start, in cs->c order; unavailable ones read 0. */
void counters_read(struct counters *cs, int64_t *values);
void counters_close(struct counters *cs);
/* One perf event by its libpfm4 name, for this thread; group_fd -1 opens a disabled
 * leader. -1 with the reason in why when it cannot be had. */
int counters_open_event(const char *event, int group_fd, uint64_t read_format, char *why, size_t n);

#endif
