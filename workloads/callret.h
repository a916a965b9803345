/* Indirect call and return (Adams & Agesen's call/ret): a loop that calls through a
 * table of function pointers, built into the guest and into pvbench (native) from this
 * one source. A translator pays for each through its indirect-branch lookup. */
#ifndef PVB_CALLRET_H
#define PVB_CALLRET_H
#include <stdint.h>

#define CALLRET_CHECK_CALLS 4096 /* calls behind the reported checksum */

/* n indirect calls and their returns, each folding into acc; returns acc. */
uint64_t callret_loop(uint64_t n, uint64_t acc);
/* What CALLRET_CHECK_CALLS calls from acc 1 leave. */
uint64_t callret_checksum(void);

#endif
