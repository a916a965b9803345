#include <string.h>
#include "benches.h"
#include "proto.h"

const struct bench_info bench_table[] = {
#define BENCH(name, needs, desc) { #name, needs, desc, GUEST_PVBENCH },
#include "benches.def"
#undef BENCH
#define BENCH(name, needs, desc) { #name, needs, desc, GUEST_LINUX },
#include "linux_benches.def"
#undef BENCH
};
const int bench_count = sizeof(bench_table) / sizeof(bench_table[0]);

_Static_assert(sizeof(bench_table) / sizeof(bench_table[0]) <= BENCH_MAX, "raise BENCH_MAX");

const struct bench_info *bench_find(const char *name)
{
	for (int i = 0; i < bench_count; i++)
		if (!strcmp(bench_table[i].name, name))
			return &bench_table[i];
	return NULL;
}
