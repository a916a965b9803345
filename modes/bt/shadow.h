/* The shadow MMU for translated 32-bit code (VMware's BT monitor, KVM's shadow MMU): guest
 * memory on the host MMU. Each guest address space (CR3 and paging mode) has a window
 * per privilege view, a reserved 4 GiB of host address space where linear address L is
 * window + L; pages are mapped there from the guest RAM's memfd on first touch (a hidden
 * page fault: a host SIGSEGV, the guest's tables walked, the frame mapped with the
 * guest's rights), and translated code reaches memory with no probe at all. Frames that
 * hold guest page tables or decoded code are mapped read-only wherever they appear (a
 * reverse map, KVM's rmap): a guest store to one faults and becomes a *trace*, the
 * instruction's callout doing the store through the interpreter, which tells the shadow
 * what to drop. An instruction that traces again and again is patched into that callout
 * for good (adaptive translation). Windows stay cached by address space, kept coherent by
 * the traces, so that switching back to a recent CR3 rebuilds nothing. */
#ifndef BT_SHADOW_H
#define BT_SHADOW_H
#include <stdbool.h>
#include <stdint.h>
#include "bt.h"

struct shadow;

struct shadow_stats {
	uint64_t hidden_faults;   /* resolved by mapping a page (or a write by setting D) */
	uint64_t prefetched;      /* pages mapped beside one, where the guest had accessed them */
	uint64_t true_faults;     /* the guest's tables say #PF: delivered by the callout */
	uint64_t traces;          /* stores to a page table the guest reached through a window */
	uint64_t code_traces;     /* stores to a page of decoded code (self-modifying code) */
	uint64_t device;          /* accesses to memory no RAM backs: device callouts */
	uint64_t adapted;         /* instructions patched into their callout after traces */
	uint64_t windows_built, windows_reused, windows_evicted;
	uint64_t host_mmap, host_unmap, host_mprotect;
	uint64_t invalidated;     /* pages dropped because an entry that mapped them changed */
	uint64_t announced;       /* page tables VMI's AllocatePage announced (not write-protected) */
};

/* A shadow for c's memory, on bt's code (its fault sites). NULL, with errno, when the
 * host cannot reserve the windows. Wires c->shadow. */
struct shadow *shadow_create(struct x86_cpu *c, struct bt *bt);
void shadow_destroy(struct shadow *s);
const struct shadow_stats *shadow_stats(const struct shadow *s);

#endif
