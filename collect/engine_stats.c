#include <stdio.h>
#include <string.h>
#include "engine_stats.h"

static void stat_add(struct mode_stats *st, const char *name, uint64_t value, bool host, bool fact)
{
	if (st->n == MODE_MAX_STATS)
		return;
	snprintf(st->s[st->n].name, sizeof(st->s[st->n].name), "%s", name);
	st->s[st->n].host = host;
	st->s[st->n].fact = fact;
	st->s[st->n++].value = value;
}

void mode_stat_add(struct mode_stats *st, const char *name, uint64_t value) { stat_add(st, name, value, false, false); }
void mode_stat_host(struct mode_stats *st, const char *name, uint64_t value) { stat_add(st, name, value, true, false); }
void mode_stat_fact(struct mode_stats *st, const char *name, uint64_t value) { stat_add(st, name, value, false, true); }

void mode_stat_cpuid(struct mode_stats *st, void (*cpuid)(void *opaque, uint32_t leaf, uint32_t out[4]), void *opaque)
{
	static const struct { uint32_t leaf; int reg; const char *name; } kept[] = {
		{ 0, 1, "cpuid.0.ebx" }, { 0, 3, "cpuid.0.edx" }, { 0, 2, "cpuid.0.ecx" },
		{ 1, 0, "cpuid.1.eax" }, { 1, 2, "cpuid.1.ecx" }, { 1, 3, "cpuid.1.edx" },
		{ 7, 1, "cpuid.7.ebx" }, { 7, 2, "cpuid.7.ecx" }, { 7, 3, "cpuid.7.edx" },
		{ 0x80000001, 2, "cpuid.80000001.ecx" }, { 0x80000001, 3, "cpuid.80000001.edx" },
	};
	for (size_t k = 0; k < sizeof(kept) / sizeof(kept[0]); k++) {
		uint32_t out[4] = { 0 };
		cpuid(opaque, kept[k].leaf, out);
		mode_stat_fact(st, kept[k].name, out[kept[k].reg]);
	}
}

uint64_t mode_stat_value(const struct mode_stats *st, const char *name)
{
	for (int i = 0; i < st->n; i++)
		if (!strcmp(st->s[i].name, name))
			return st->s[i].value;
	return 0;
}
