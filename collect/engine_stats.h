/* An engine's statistics after a boot (exits, instructions, callouts, device accesses,
 * the CPUID the guest saw): what every engine fills and the results store keeps. */
#ifndef COLLECT_ENGINE_STATS_H
#define COLLECT_ENGINE_STATS_H
#include <stdbool.h>
#include <stdint.h>

struct mode_stat {
	char name[48];
	uint64_t value;
	/* what the host did (time, caches, signals), not work the guest caused: never a
	 * deterministic figure */
	bool host;
	/* a fact about the machine the guest saw (cpuid.*), the same every boot: kept, not
	 * summed over boots */
	bool fact;
};

#define MODE_MAX_STATS 96

struct mode_stats {
	int n;
	struct mode_stat s[MODE_MAX_STATS];
};

void mode_stat_add(struct mode_stats *st, const char *name, uint64_t value);
void mode_stat_host(struct mode_stats *st, const char *name, uint64_t value);
void mode_stat_fact(struct mode_stats *st, const char *name, uint64_t value);
/* The CPUID leaves that say what the guest was told (vendor, signature, features) as
 * facts cpuid.LEAF.REG; cpuid(leaf, out) gives them. */
void mode_stat_cpuid(struct mode_stats *st, void (*cpuid)(void *opaque, uint32_t leaf, uint32_t out[4]), void *opaque);
/* The value of the statistic called name, 0 when st has none. */
uint64_t mode_stat_value(const struct mode_stats *st, const char *name);

#endif
