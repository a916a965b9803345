/* Linear to physical: the page walk (32-bit, PAE, 4-level) with A/D updates and U/S,
 * R/W, NX and WP checks, behind a soft TLB whose entries carry a host addend. Pages that
 * hold decoded code get no write tag, so a write to them takes the slow path and drops
 * their decoded instructions (self-modifying code). */
#ifndef X86_MMU_H
#define X86_MMU_H
#include "cpu.h"

enum access { ACC_READ, ACC_WRITE, ACC_EXEC };

/* Host pointer for len bytes at lin (within one page), or NULL for device memory (the
 * physical address is then in *phys). Raises #PF through the fault path. */
uint8_t *mmu_translate(struct x86_cpu *c, uint64_t lin, enum access a, uint64_t *phys);
void mmu_flush(struct x86_cpu *c, bool keep_global);
void mmu_invlpg(struct x86_cpu *c, uint64_t lin);

/* The decoder marks a page as holding code; the next write to it retires its decodes. */
void mmu_note_code(struct x86_cpu *c, uint64_t phys);

#endif
