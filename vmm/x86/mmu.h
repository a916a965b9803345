/* Linear to physical: the page walk (32-bit, PAE, 4-level) with A/D updates and U/S,
 * R/W, NX and WP checks, behind a soft TLB whose entries carry a host addend. Pages that
 * hold decoded code get no write tag, so a write to them takes the slow path and drops
 * their decoded instructions (self-modifying code). */
#ifndef X86_MMU_H
#define X86_MMU_H
#include "cpu.h"

enum access { ACC_READ, ACC_WRITE, ACC_EXEC };

/* Host pointer for the page bytes at lin, or NULL for device memory (the physical address
 * is then in *phys). Raises #PF through the fault path. */
uint8_t *mmu_translate(struct x86_cpu *c, uint64_t lin, enum access a, uint64_t *phys);

/* Direct-mapped by page number (QEMU's): no two adjacent pages share an entry, so an
 * access that crosses into the next page misses on the tag of its last byte (the
 * translator's probe relies on it). */
static inline unsigned tlb_index(uint64_t lin) { return (unsigned)(lin >> 12) % TLB_SIZE; }

/* The TLB hit path, inline: the entry that maps lin for access a, or NULL (then call
 * mmu_translate). */
static inline uint64_t tlb_tag(const struct tlb_entry *e, enum access a)
{
	return a == ACC_READ ? e->tag_read : a == ACC_WRITE ? e->tag_write : e->tag_exec;
}

static inline const struct tlb_entry *tlb_lookup(const struct x86_cpu *c, uint64_t lin, enum access a)
{
	const struct tlb_entry *e = &c->tlb[c->user_access][tlb_index(lin)];
	return tlb_tag(e, a) == (lin | 0xfff) ? e : NULL;
}

static inline uint8_t *tlb_hit(const struct x86_cpu *c, uint64_t lin, enum access a)
{
	const struct tlb_entry *e = tlb_lookup(c, lin, a);
	return e ? (uint8_t *)(uintptr_t)(e->addend + lin) : NULL;
}

static inline bool tlb_phys(const struct x86_cpu *c, uint64_t lin, enum access a, uint64_t *phys)
{
	const struct tlb_entry *e = tlb_lookup(c, lin, a);
	if (e)
		*phys = e->phys | (lin & 0xfff);
	return e;
}
void mmu_flush(struct x86_cpu *c, bool keep_global);
void mmu_invlpg(struct x86_cpu *c, uint64_t lin);

/* What a successful walk found: the physical address, the rights over every level, and
 * the tables it read (their physical addresses, PAE's PDPT at its 32-byte address, and
 * level: 1 for a page table, up to 4 for a PML4). */
struct mmu_walk {
	uint64_t phys;
	bool writable, user, exec_ok, global;
	bool dirty;            /* the leaf's D bit (set by this walk on a write) */
	uint8_t ntables, level[4];
	uint64_t table[4];
};
/* The walk mmu_translate makes on a TLB miss, for the CPU's privilege (user_access) and
 * paging state, for another MMU over the same tables (the shadow): true with *w (A and D
 * set as the walk sets them), false where the access would #PF (nothing set). peek: a
 * walk that writes nothing and succeeds only where every entry's A is set already (a
 * prefetch that changes no architectural state, as KVM's shadow MMU prefetches). */
bool mmu_walk(struct x86_cpu *c, uint64_t lin, enum access a, bool peek, struct mmu_walk *w);

/* The page at phys gets watch bits (WATCH_*): its writes come through mmu_phys_written. */
void mmu_watch(struct x86_cpu *c, uint64_t phys, unsigned bits);
/* The decoder marks a page as holding code; the next write to it retires its decodes. */
void mmu_note_code(struct x86_cpu *c, uint64_t phys);
/* len bytes of physical memory at phys are about to be (or were just) written: a page of
 * code loses its decodes, a page table's shadow mappings go. */
void mmu_phys_written(struct x86_cpu *c, uint64_t phys, unsigned len);
/* ... and once the bytes are there: a page table's shadow maps what they map now. */
void mmu_phys_stored(struct x86_cpu *c, uint64_t phys, unsigned len);
/* The VMM wrote len bytes at phys behind the vCPU's back (VMI's SetPxE), to any frame: a
 * shadow maps what they map now, watched or not (a table AllocatePage announced is not), and
 * a page of code loses its decodes. */
void mmu_vmm_wrote(struct x86_cpu *c, uint64_t phys, unsigned len);
/* Drops every cached decode of a physical page (step.c owns the cache). */
void x86_forget_code_page(struct x86_cpu *c, uint64_t page);

#endif
