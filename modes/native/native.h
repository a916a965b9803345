/* What the native mode knows of the portable workloads. */
#ifndef MODES_NATIVE_H
#define MODES_NATIVE_H
#include <stdbool.h>
#include <stdint.h>

/* The checksum every engine must compute for bench, when it is a portable workload
 * (compute, user_compute, compute_mix, callret): false for any other benchmark. */
bool workload_checksum(const char *bench, uint64_t *value);

#endif
