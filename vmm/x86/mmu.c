#include <string.h>
#include "fault.h"
#include "debug.h"
#include "mmu.h"

#define PTE_P  0x1ull
#define PTE_W  0x2ull
#define PTE_U  0x4ull
#define PTE_A  0x20ull
#define PTE_D  0x40ull
#define PTE_PS 0x80ull
#define PTE_G  0x100ull
#define PTE_NX (1ull << 63)
#define ADDR_MASK 0x000ffffffffff000ull

#define IO_TAG 0x1 /* in place of 0xfff: a device page, which no address matches */

#define PF_P 0x1
#define PF_W 0x2
#define PF_U 0x4
#define PF_RSVD 0x8
#define PF_I 0x10

#define CR0_PG (1ull << 31)
#define CR0_WP (1ull << 16)
#define CR4_PSE 0x10
#define CR4_PAE 0x20
#define CR4_PGE 0x80
#define EFER_LMA 0x400
#define EFER_NXE 0x800

static bool user_mode(const struct x86_cpu *c) { return c->user_access; }

void mmu_flush(struct x86_cpu *c, bool keep_global)
{
	c->tlb_epoch++;
	c->shadow.stale = true;
	for (int u = 0; u < 2; u++)
		for (int i = 0; i < TLB_SIZE; i++)
			if (!keep_global || !c->tlb[u][i].global)
				memset(&c->tlb[u][i], 0, sizeof(c->tlb[u][i]));
}

void mmu_invlpg(struct x86_cpu *c, uint64_t lin)
{
	c->tlb_epoch++;
	uint64_t page = lin & ~0xfffull;
	for (int u = 0; u < 2; u++) {
		struct tlb_entry *e = &c->tlb[u][tlb_index(lin)];
		/* an entry's valid tags all name the same linear page */
		if (((e->tag_read | e->tag_write | e->tag_exec) & ~0xfffull) == page)
			memset(e, 0, sizeof(*e));
	}
}

void mmu_watch(struct x86_cpu *c, uint64_t phys, unsigned bits)
{
	uint64_t pg = phys >> 12;
	if (pg >= c->code.pages || (c->code.watch[pg] & bits) == bits)
		return;
	bool was = c->code.watch[pg];
	c->code.watch[pg] |= (uint8_t)bits;
	if (was)
		return;
	/* drop write tags that point at this page, so the next write comes through here */
	for (int u = 0; u < 2; u++)
		for (int i = 0; i < TLB_SIZE; i++)
			if (c->tlb[u][i].phys == (phys & ~0xfffull))
				c->tlb[u][i].tag_write = 0;
	if (c->shadow.opaque)
		c->shadow.watched(c->shadow.opaque, phys & ~0xfffull);
}

void mmu_note_code(struct x86_cpu *c, uint64_t phys) { mmu_watch(c, phys, WATCH_CODE); }

void mmu_phys_stored(struct x86_cpu *c, uint64_t phys, unsigned len)
{
	uint64_t pg = phys >> 12;
	if (pg < c->code.pages && (c->code.watch[pg] & WATCH_PTABLE) && c->shadow.opaque)
		c->shadow.written(c->shadow.opaque, phys, len, true);
}

/* A write to page pg, which holds decoded code: its decodes go */
static void code_written(struct x86_cpu *c, uint64_t pg)
{
	if (!(c->code.watch[pg] & WATCH_CODE))
		return;
	c->code.watch[pg] &= (uint8_t)~WATCH_CODE;
	c->tlb_epoch++;
	x86_forget_code_page(c, pg << 12);
}

void mmu_phys_written(struct x86_cpu *c, uint64_t phys, unsigned len)
{
	uint64_t pg = phys >> 12;
	if (pg >= c->code.pages || !c->code.watch[pg])
		return;
	if ((c->code.watch[pg] & WATCH_PTABLE) && c->shadow.opaque)
		c->shadow.written(c->shadow.opaque, phys, len, false);
	code_written(c, pg);
}

void mmu_vmm_wrote(struct x86_cpu *c, uint64_t phys, unsigned len)
{
	uint64_t pg = phys >> 12;
	if (pg >= c->code.pages)
		return;
	if (c->shadow.opaque)
		c->shadow.written(c->shadow.opaque, phys, len, true);
	code_written(c, pg);
}

static _Noreturn void page_fault(struct x86_cpu *c, uint64_t lin, enum access a, uint32_t err)
{
	c->cr2 = lin;
	/* I/D reports a fetch only where execute permission exists: PAE or 4-level paging
	 * with EFER.NXE (no SMEP here); 32-bit paging ignores NXE */
	bool nx_paging = (c->efer & EFER_NXE) && (c->cr4 & CR4_PAE);
	err |= (a == ACC_WRITE ? PF_W : 0) | (user_mode(c) ? PF_U : 0) | (a == ACC_EXEC && nx_paging ? PF_I : 0);
	x86_raise(c, EXC_PF, (int)err);
}

static uint64_t *pte_ptr(struct x86_cpu *c, uint64_t phys, unsigned size)
{
	return mem_ptr(c->mem, phys, size);
}

/* Reserved bits (CPUID: MAXPHYADDR 36, no 1 GiB pages, no PSE-36): address bits above 35
 * in PAE and 4-level entries, PS in a PML4E and (no 1 GiB pages) in a 4-level PDPTE,
 * bits 20:13 of a 2 MiB PDE, bits 21:13 of a 4 MiB one. A present entry with one set is
 * a #PF with RSVD, before any permission check. */
#define RSVD_PHYS   0x000ffff000000000ull
#define RSVD_2M     0x00000000001fe000ull
#define RSVD_4M     0x00000000003fe000ull

/* The access allowed by the combined rights: user pages for CPL 3 (and never a
 * supervisor fetch or write restriction beyond WP: no SMEP/SMAP here). */
static bool allowed(const struct x86_cpu *c, enum access a, bool w, bool u, bool x)
{
	bool user = user_mode(c);
	if (user && !u)
		return false;
	if (a == ACC_WRITE && !w && (user || (c->cr0 & CR0_WP)))
		return false;
	return a != ACC_EXEC || x;
}

static void visited(struct mmu_walk *w, uint64_t table, unsigned level)
{
	w->table[w->ntables] = table;
	w->level[w->ntables++] = (uint8_t)level;
}

/* A walk's success: the leaf entry e mapped lin to phys with these combined rights */
static bool found(struct mmu_walk *out, uint64_t phys, bool w, bool u, bool x, uint64_t e)
{
	out->phys = phys;
	out->writable = w;
	out->user = u;
	out->exec_ok = x;
	out->global = (e & PTE_G) != 0;
	out->dirty = (e & PTE_D) != 0;
	return true;
}

/* Fails with the #PF error code's P and RSVD bits in *err */
static bool fail(uint32_t *err, uint32_t e)
{
	*err = e;
	return false;
}

/* Walks the tables for lin: false where an entry is missing, malformed (RSVD) or does
 * not allow the access -- then without setting any accessed or dirty bit, which are set
 * only by a walk that succeeds (A on every level, D on the leaf for a write). */
static bool walk(struct x86_cpu *c, uint64_t lin, enum access a, struct mmu_walk *out, uint32_t *err, bool peek)
{
	bool nxe = c->efer & EFER_NXE;
	bool w = true, u = true, x = true;
	uint64_t *touched[4];
	int n = 0;
	out->ntables = 0;
	if (!(c->cr0 & CR0_PG)) /* paging off (so long mode too): everything allowed, nothing global */
		return found(out, lin & 0xffffffffull, true, true, true, PTE_D);
	if (c->efer & EFER_LMA || c->cr4 & CR4_PAE) {
		int levels = (c->efer & EFER_LMA) ? 4 : 3;
		uint64_t table = (c->efer & EFER_LMA) ? c->cr3 & ADDR_MASK : c->cr3 & 0xffffffe0ull;
		for (int lvl = levels; lvl >= 1; lvl--) {
			unsigned shift = 12 + 9 * (lvl - 1);
			unsigned idx = levels == 3 && lvl == 3 ? (lin >> 30) & 3 : (lin >> shift) & 511;
			visited(out, table, (unsigned)lvl);
			uint64_t *ep = pte_ptr(c, table + idx * 8, 8);
			if (!ep) /* beyond RAM: open bus reads all ones, present with reserved bits */
				return fail(err, PF_P | PF_RSVD);
			uint64_t e = *ep;
			if (!(e & PTE_P))
				return fail(err, 0);
			bool pdpte = levels == 3 && lvl == 3; /* PAE's: no permission bits, no A */
			bool leaf = lvl == 1 || (lvl == 2 && (e & PTE_PS));
			if ((e & RSVD_PHYS) || ((e & PTE_NX) && !nxe) || (lvl >= 3 && !pdpte && (e & PTE_PS)) ||
			    (lvl == 2 && leaf && (e & RSVD_2M)))
				return fail(err, PF_P | PF_RSVD);
			if (!pdpte) {
				w &= (e & PTE_W) != 0;
				u &= (e & PTE_U) != 0;
				x &= !(nxe && (e & PTE_NX));
				touched[n++] = ep;
			}
			if (leaf) {
				if (!allowed(c, a, w, u, x))
					return fail(err, PF_P);
				for (int i = 0; i < n; i++)
					if (peek && !(*touched[i] & PTE_A))
						return fail(err, 0);
				for (int i = 0; i < n && !peek; i++)
					*touched[i] |= PTE_A;
				if (a == ACC_WRITE && !peek)
					*ep |= PTE_D;
				uint64_t size = 1ull << shift;
				return found(out, (e & ADDR_MASK & ~(size - 1)) | (lin & (size - 1)), w, u, x, *ep);
			}
			table = e & ADDR_MASK;
		}
	}
	uint64_t root = c->cr3 & 0xfffff000u;
	visited(out, root, 2);
	uint32_t *pde = mem_ptr(c->mem, root + ((lin >> 22) & 1023) * 4, 4);
	if (!pde || !(*pde & PTE_P))
		return fail(err, 0);
	w = *pde & PTE_W;
	u = *pde & PTE_U;
	if ((*pde & PTE_PS) && (c->cr4 & CR4_PSE)) {
		if (*pde & RSVD_4M)
			return fail(err, PF_P | PF_RSVD);
		if (!allowed(c, a, w, u, true) || (peek && !(*pde & PTE_A)))
			return fail(err, PF_P);
		if (!peek)
			*pde |= PTE_A | (a == ACC_WRITE ? PTE_D : 0);
		return found(out, (*pde & 0xffc00000u) | (lin & 0x3fffff), w, u, true, *pde);
	}
	visited(out, *pde & 0xfffff000u, 1);
	uint32_t *pte = mem_ptr(c->mem, (*pde & 0xfffff000u) + ((lin >> 12) & 1023) * 4, 4);
	if (!pte || !(*pte & PTE_P))
		return fail(err, 0);
	w = w && (*pte & PTE_W);
	u = u && (*pte & PTE_U);
	if (!allowed(c, a, w, u, true) || (peek && !(*pde & *pte & PTE_A)))
		return fail(err, PF_P);
	if (!peek) {
		*pde |= PTE_A;
		*pte |= PTE_A | (a == ACC_WRITE ? PTE_D : 0);
	}
	return found(out, (*pte & 0xfffff000u) | (lin & 0xfff), w, u, true, *pte);
}

bool mmu_walk(struct x86_cpu *c, uint64_t lin, enum access a, bool peek, struct mmu_walk *w)
{
	uint32_t err;
	return walk(c, lin, a, w, &err, peek);
}

uint8_t *mmu_translate(struct x86_cpu *c, uint64_t lin, enum access a, uint64_t *phys)
{
	int u = user_mode(c);
	struct tlb_entry *e = &c->tlb[u][tlb_index(lin)];
	uint64_t page = lin | 0xfff, io_page = (lin & ~0xfffull) | IO_TAG;
	uint64_t tag = tlb_tag(e, a);
	if (tag == page) {
		*phys = e->phys | (lin & 0xfff);
		return (uint8_t *)(uintptr_t)(e->addend + lin);
	}
	if (tag == io_page) { /* device memory: translation cached, access by the bus */
		*phys = e->phys | (lin & 0xfff);
		return NULL;
	}
	if ((c->efer & EFER_LMA) && !x86_canonical(lin))
		x86_raise(c, EXC_GP, 0); /* never in the TLB, so the fast paths need no check */
	c->count.tlb_misses++;
	struct mmu_walk w;
	uint32_t err;
	if (!walk(c, lin, a, &w, &err, false))
		page_fault(c, lin, a, err);
	/* the walk allowed this access (user rights included); what it says of writes: */
	bool write_ok = w.writable || (!u && !(c->cr0 & CR0_WP));
	uint64_t p = w.phys;
	*phys = p;
	uint8_t *host = mem_ptr(c->mem, p & ~0xfffull, 4096);
	if (!host) {
		/* device memory: tags that the inline hit path never matches, so accesses come
		 * here and go to the bus without another walk (never for execution) */
		memset(e, 0, sizeof(*e));
		e->phys = p & ~0xfffull;
		e->tag_read = io_page;
		if (write_ok && w.dirty)
			e->tag_write = io_page;
		return NULL;
	}
	if (a == ACC_WRITE) /* 8: the widest store that comes here (wider ones come in pieces) */
		mmu_phys_written(c, p, 8);
	if (c->debugging && x86_debug_watched(c, lin))
		return host + (lin & 0xfff); /* no entry: every access comes here, to be checked */
	/* a write tag only where a write needs no walk: permitted, D already set, no decoded code */
	memset(e, 0, sizeof(*e));
	e->phys = p & ~0xfffull;
	e->addend = (uint64_t)(uintptr_t)host - (lin & ~0xfffull);
	e->global = w.global && (c->cr4 & CR4_PGE);
	e->tag_read = page;
	if (write_ok && w.dirty && !c->code.watch[p >> 12])
		e->tag_write = page;
	if (w.exec_ok)
		e->tag_exec = page;
	return host + (lin & 0xfff);
}
