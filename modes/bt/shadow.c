/* The shadow MMU (shadow.h). One reservation holds every window: SH_WINDOWS address
 * spaces x 2 privilege views, each 4 GiB and a guard (an access that wraps past 4 GiB
 * faults in the guard and takes its callout). Per view, the frame mapped at each linear
 * page and a count per 4 MiB (so that dropping a range costs a syscall only where
 * something is mapped). Per guest frame, a list of references (KVM's rmap): where the
 * frame is mapped as data, and where it serves as a page table (window, level, the
 * linear region its entries cover). A reference is live while its window's generation
 * holds; a table reference is checked against the guest's tables before use, so a table
 * unlinked from its directory stops being one without any bookkeeping at the unlink. */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include "shadow.h"
#include "../../vmm/x86/mmu.h"

#define SH_WINDOWS 8                   /* address spaces kept */
#define SPAN      (1ull << 32)
#define STRIDE    (SPAN + (1ull << 21)) /* a view and its guard */
#define PAGES     (1u << 20)
#define REGIONS   1024                 /* of 4 MiB */
#define PG_RW     0x80000000u          /* in a view's page[]: mapped writable */
/* Mapped pages over all windows before everything is dropped: each can be a host VMA,
 * and Linux allows 65,530 per process by default. */
#define MAX_MAPPED 32768u
#define MAX_REFS  (1u << 20)
#define ADAPT_TRAPS 8                  /* traces (or device accesses) before an instruction adapts */

#define CR0_PG  (1ull << 31)
#define CR0_WP  (1ull << 16)
#define CR4_PSE 0x10ull
#define CR4_PAE 0x20ull
#define EFER_NXE 0x800ull
#define PTE_P   0x1ull
#define PTE_PS  0x80ull
#define ADDR_MASK 0x000ffffffffff000ull

struct view {
	uint8_t *base;             /* host address of linear 0 */
	uint32_t *page;            /* per linear page: frame + 1 (0: nothing), PG_RW */
	uint16_t *count;           /* pages mapped per 4 MiB */
};

struct window {
	bool used;
	uint64_t cr3, mode, last;  /* the address space; when last entered */
	uint32_t gen;              /* moves when the window is reset: its references die */
	struct view v[2];
};

enum { REF_MAP, REF_TABLE };
struct ref {
	uint32_t next;             /* index + 1, 0: the end */
	uint32_t gen;
	uint32_t where;            /* REF_MAP: the linear page; REF_TABLE: region base >> 12 */
	uint8_t win, kind, sub;    /* sub: the view (REF_MAP) or the table's level */
};

struct shadow {
	struct x86_cpu *c;
	struct bt *bt;
	int fd;
	uint8_t *reserve;
	size_t reserve_len;
	uint32_t *pages;           /* every view's page[] */
	size_t pages_len;
	struct window win[SH_WINDOWS];
	int cur;                   /* the window translated code uses now, -1 none */
	uint64_t clock;
	uint64_t frames;
	uint32_t *head;            /* per frame: its first reference + 1 */
	uint8_t *announced;        /* per frame: VMI's AllocatePage said it is a page table */
	struct ref *refs;
	uint32_t nrefs, free_ref;  /* free_ref: a freed one + 1 */
	uint64_t mapped;
	/* pages of the window in use that the latest write's drop unmapped (view << 31 |
	 * page): the write done, those map again at once, others fault in on use */
	uint32_t dropped[16];
	unsigned ndropped;
	bool noting_drops;
	/* walking a frame's references (sh_written): a reset the pool or the mapping limit
	 * calls for waits until the walk is over */
	bool walking, must_reset;
	struct shadow_stats st;
};

static uint64_t paging_mode(const struct x86_cpu *c)
{
	return (c->cr0 & (CR0_PG | CR0_WP)) | (c->cr4 & (CR4_PSE | CR4_PAE)) | (c->efer & EFER_NXE);
}

static bool pae(const struct window *w) { return w->mode & CR4_PAE; }

/* --- mappings ------------------------------------------------------------------- */

static void unmap_run(struct shadow *s, uint8_t *at, size_t len)
{
	mmap(at, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
	s->st.host_unmap++;
}

static void note_drop(struct shadow *s, const struct view *v, uint32_t page)
{
	for (uint32_t view = 0; view < 2 && s->cur >= 0; view++)
		if (v == &s->win[s->cur].v[view] && s->ndropped < sizeof(s->dropped) / sizeof(s->dropped[0]))
			s->dropped[s->ndropped++] = view << 31 | page;
}

static bool was_dropped(const struct shadow *s, uint32_t view, uint32_t page)
{
	for (unsigned k = 0; k < s->ndropped; k++)
		if (s->dropped[k] == (view << 31 | page))
			return true;
	return false;
}

/* Pages [p, p + n) of a view out of the host MMU. */
static void drop_pages(struct shadow *s, struct view *v, uint32_t p, uint32_t n)
{
	uint32_t end = p + n;
	while (p < end) {
		uint32_t region_end = (p | (PAGES / REGIONS - 1)) + 1;
		if (region_end > end)
			region_end = end;
		if (v->count[p / (PAGES / REGIONS)]) {
			uint32_t first = UINT32_MAX, last = 0;
			for (uint32_t q = p; q < region_end; q++)
				if (v->page[q]) {
					if (s->noting_drops)
						note_drop(s, v, q);
					if (first == UINT32_MAX)
						first = q;
					last = q;
					v->page[q] = 0;
					v->count[q / (PAGES / REGIONS)]--;
					s->mapped--;
					s->st.invalidated++;
				}
			if (first != UINT32_MAX)
				unmap_run(s, v->base + ((uint64_t)first << 12), (uint64_t)(last - first + 1) << 12);

		}
		p = region_end;
	}
}

static void drop_range(struct shadow *s, struct window *w, uint64_t lin, uint64_t size)
{
	uint32_t p = (uint32_t)(lin >> 12), n = (uint32_t)(size >> 12);
	for (int v = 0; v < 2; v++)
		drop_pages(s, &w->v[v], p, n);
}

static void reset_window(struct shadow *s, struct window *w)
{
	for (int v = 0; v < 2; v++) {
		struct view *vw = &w->v[v];
		uint64_t n = 0;
		for (unsigned r = 0; r < REGIONS; r++)
			n += vw->count[r];
		if (!n)
			continue;
		unmap_run(s, vw->base, SPAN);
		madvise(vw->page, PAGES * sizeof(uint32_t), MADV_DONTNEED); /* zero again */
		memset(vw->count, 0, REGIONS * sizeof(uint16_t));
		s->mapped -= n;
	}
	w->gen++;
}

/* --- references (the rmap) -------------------------------------------------------- */

static bool live(const struct shadow *s, const struct ref *r) { return s->win[r->win].gen == r->gen; }

static void reset_all(struct shadow *s);

/* Everything unmapped and forgotten now, or once the walk of a reference list is over;
 * true when done now */
static bool request_reset(struct shadow *s)
{
	if (s->walking) {
		s->must_reset = true;
		return false;
	}
	reset_all(s);
	return true;
}

/* The reference *link names goes to the free list; *link then names the next */
static void unlink_ref(struct shadow *s, uint32_t *link)
{
	uint32_t dead = *link;
	struct ref *r = &s->refs[dead - 1];
	*link = r->next;
	r->next = s->free_ref;
	s->free_ref = dead;
}

/* A reference to frame f, unless an equal live one is there (dead ones met go) */
static void add_ref(struct shadow *s, uint64_t f, uint8_t kind, int win, uint8_t sub, uint32_t where)
{
	if (f >= s->frames)
		return;
	uint32_t *link = &s->head[f];
	while (*link) {
		struct ref *r = &s->refs[*link - 1];
		if (!live(s, r)) {
			unlink_ref(s, link);
			continue;
		}
		if (r->kind == kind && r->win == win && r->sub == sub && r->where == where)
			return;
		link = &r->next;
	}
	uint32_t k;
	if (s->free_ref) {
		k = s->free_ref;
		s->free_ref = s->refs[k - 1].next;
	} else if (s->nrefs < MAX_REFS) {
		k = ++s->nrefs;
	} else {
		request_reset(s); /* every window goes: their references with them */
		return;
	}
	s->refs[k - 1] = (struct ref){ .next = s->head[f], .gen = s->win[win].gen, .where = where, .win = (uint8_t)win,
				       .kind = kind, .sub = sub };
	s->head[f] = k;
}

static void reset_all(struct shadow *s)
{
	for (int w = 0; w < SH_WINDOWS; w++)
		reset_window(s, &s->win[w]);
	memset(s->head, 0, s->frames * sizeof(*s->head));
	s->nrefs = 0;
	s->free_ref = 0;
	for (uint64_t f = 0; f < s->c->code.pages; f++)
		s->c->code.watch[f] &= (uint8_t)~WATCH_PTABLE;
}

/* The table that serves at level for region in window w's tables now (its physical
 * address; PAE's PDPT at its 32-byte address), or ~0 when none does. */
static uint64_t table_at(struct shadow *s, const struct window *w, unsigned level, uint64_t region)
{
	const struct guest_mem *m = s->c->mem;
	if (pae(w)) {
		uint64_t pdpt = w->cr3 & 0xffffffe0ull;
		if (level == 3)
			return pdpt;
		const uint64_t *e = mem_ptr(m, pdpt + ((region >> 30) & 3) * 8, 8);
		if (!e || !(*e & PTE_P))
			return ~0ull;
		if (level == 2)
			return *e & ADDR_MASK;
		const uint64_t *pde = mem_ptr(m, (*e & ADDR_MASK) + ((region >> 21) & 511) * 8, 8);
		return pde && (*pde & PTE_P) && !(*pde & PTE_PS) ? *pde & ADDR_MASK : ~0ull;
	}
	uint64_t root = w->cr3 & 0xfffff000ull;
	if (level == 2)
		return root;
	const uint32_t *pde = mem_ptr(m, root + ((region >> 22) & 1023) * 4, 4);
	return pde && (*pde & PTE_P) && !((*pde & PTE_PS) && (w->mode & CR4_PSE)) ? *pde & 0xfffff000u : ~0ull;
}

/* Entries [o0, o1) of the table at level for region changed: what they mapped goes. */
static void drop_entries(struct shadow *s, struct window *w, unsigned level, uint64_t region, uint64_t table,
			 unsigned o0, unsigned o1)
{
	unsigned esize = pae(w) ? 8 : 4, shift;
	if (level == 3) { /* the PDPT: four entries from its 32-byte address */
		unsigned at = (unsigned)(table & 0xfe0);
		if (o1 <= at || o0 >= at + 32)
			return;
		o0 = o0 < at ? 0 : o0 - at;
		o1 = o1 > at + 32 ? 32 : o1 - at;
		shift = 30;
	} else {
		shift = level == 1 ? 12 : pae(w) ? 21 : 22;
	}
	for (unsigned i = o0 / esize; i <= (o1 - 1) / esize; i++)
		drop_range(s, w, (region + ((uint64_t)i << shift)) & 0xffffffffull, 1ull << shift);
}

/* --- the CPU model's hooks ------------------------------------------------------- */

static void refresh_entries(struct shadow *s, uint64_t region, unsigned o0, unsigned o1);

static void sh_written(void *opaque, uint64_t phys, unsigned len, bool done)
{
	struct shadow *s = opaque;
	uint64_t f = phys >> 12;
	if (f >= s->frames)
		return;
	unsigned o0 = (unsigned)(phys & 0xfff), o1 = o0 + len > 4096 ? 4096 : o0 + len;
	bool table = false;
	if (!done)
		s->ndropped = 0;
	s->noting_drops = !done;
	s->walking = true;
	uint32_t *link = &s->head[f];
	while (*link) {
		struct ref *r = &s->refs[*link - 1];
		struct window *w = &s->win[r->win];
		uint64_t region = (uint64_t)r->where << 12, at;
		bool still = live(s, r);
		if (still && r->kind == REF_TABLE) {
			at = table_at(s, w, r->sub, region);
			still = (at >> 12) == f;
			if (still) {
				table = true;
				/* once written, a page table's entries in the window in use map at
				 * once where they may; anything else goes, to fault in on use */
				if (done && r->sub == 1 && r->win == s->cur && !s->c->shadow.stale)
					refresh_entries(s, region, o0, o1);
				else
					drop_entries(s, w, r->sub, region, at, o0, o1);
			}
		}
		if (!still) {
			unlink_ref(s, link);
			continue;
		}
		link = &r->next;
	}
	s->noting_drops = false;
	s->walking = false;
	/* no window uses it as a table any more (freed, reused as data): writes to it are
	 * plain stores again once its mappings are made writable on their next write */
	if (!table)
		s->c->code.watch[f] &= (uint8_t)~WATCH_PTABLE;
	if (s->must_reset) {
		s->must_reset = false;
		reset_all(s);
	}
}

static void sh_watched(void *opaque, uint64_t phys)
{
	struct shadow *s = opaque;
	uint64_t f = phys >> 12;
	if (f >= s->frames)
		return;
	for (uint32_t k = s->head[f]; k; k = s->refs[k - 1].next) {
		const struct ref *r = &s->refs[k - 1];
		if (r->kind != REF_MAP || !live(s, r))
			continue;
		struct view *v = &s->win[r->win].v[r->sub];
		if (v->page[r->where] == ((uint32_t)(f + 1) | PG_RW)) {
			mprotect(v->base + ((uint64_t)r->where << 12), 4096, PROT_READ);
			s->st.host_mprotect++;
			v->page[r->where] &= ~PG_RW;
		}
	}
}

/* VMI's AllocatePage: stop write-protecting the frame (its mappings become writable
 * on their next write); ReleasePage: watched again, like any frame, where a walk finds it
 * serving as a table (its references are checked against the tables when used). */
static void sh_announce(void *opaque, uint64_t phys, bool table)
{
	struct shadow *s = opaque;
	uint64_t f = phys >> 12;
	if (f >= s->frames)
		return;
	s->announced[f] = table;
	if (table) {
		s->st.announced++;
		s->c->code.watch[f] &= (uint8_t)~WATCH_PTABLE;
	}
}

static void sh_sync(void *opaque)
{
	struct shadow *s = opaque;
	struct x86_cpu *c = s->c;
	c->shadow.stale = false;
	uint64_t mode = paging_mode(c), cr3 = (mode & CR0_PG) ? c->cr3 & 0xffffffffull : 0;
	int pick = -1;
	for (int w = 0; w < SH_WINDOWS; w++) {
		struct window *win = &s->win[w];
		if (win->used && win->cr3 == cr3 && win->mode == mode) {
			pick = w;
			break;
		}
		if (pick < 0 || !win->used || (s->win[pick].used && win->last < s->win[pick].last))
			pick = w;
	}
	struct window *w = &s->win[pick];
	if (w->used && w->cr3 == cr3 && w->mode == mode) {
		if (pick != s->cur)
			s->st.windows_reused++;
	} else {
		if (w->used) {
			s->st.windows_evicted++;
			reset_window(s, w);
		}
		*w = (struct window){ .used = true, .cr3 = cr3, .mode = mode, .gen = w->gen, .v = { w->v[0], w->v[1] } };
		s->st.windows_built++;
	}
	w->last = ++s->clock;
	s->cur = pick;
	c->window[0] = (uint64_t)(uintptr_t)w->v[0].base;
	c->window[1] = (uint64_t)(uintptr_t)w->v[1].base;
}

/* --- faults ---------------------------------------------------------------------- */

enum outcome { RESUMED, SLOW_FAULT, SLOW_TRACE, SLOW_CODE, SLOW_DEVICE };

/* n pages from page on, frames from f on, into a view: one host mapping; false when
 * they could not be mapped (then the caller drops what was there) */
static bool map_run(struct shadow *s, int win, int view, uint32_t page, uint64_t f, uint32_t n, bool rw)
{
	struct view *v = &s->win[win].v[view];
	uint8_t *at = v->base + ((uint64_t)page << 12);
	uint32_t rw_bit = rw ? PG_RW : 0;
	int prot = rw ? PROT_READ | PROT_WRITE : PROT_READ;
	if (n == 1 && v->page[page] == ((uint32_t)(f + 1) | rw_bit))
		return true; /* there already, as it is to be */
	if (n == 1 && (v->page[page] & ~PG_RW) == (uint32_t)(f + 1)) { /* there already: its rights change */
		mprotect(at, 4096, prot);
		s->st.host_mprotect++;
		v->page[page] = (uint32_t)(f + 1) | rw_bit;
		return true;
	}
	if (s->mapped + n > MAX_MAPPED && !request_reset(s)) /* keeps the windows' keys: this one maps on */
		return false;
	if (mmap(at, (uint64_t)n << 12, prot, MAP_SHARED | MAP_FIXED | MAP_POPULATE, s->fd, (off_t)(f << 12)) == MAP_FAILED)
		return false; /* the access faults again and goes to its callout */
	s->st.host_mmap++;
	for (uint32_t k = 0; k < n; k++) {
		if (!v->page[page + k]) {
			v->count[(page + k) / (PAGES / REGIONS)]++;
			s->mapped++;
		}
		v->page[page + k] = (uint32_t)(f + k + 1) | rw_bit;
		add_ref(s, f + k, REF_MAP, win, (uint8_t)view, page + k);
	}
	return true;
}

/* The tables a walk read serve in window win from now: watched (a write to them is a
 * trace), referenced with the region they cover for lin. */
static void note_tables(struct shadow *s, int win, const struct mmu_walk *w, uint64_t lin)
{
	bool p = pae(&s->win[win]);
	for (unsigned k = 0; k < w->ntables; k++) {
		unsigned level = w->level[k];
		uint64_t span = level == 1 ? (p ? 1ull << 21 : 1ull << 22) : level == 2 && p ? 1ull << 30 : SPAN;
		uint32_t region = (uint32_t)((lin & ~(span - 1)) >> 12);
		uint64_t f = w->table[k] >> 12;
		add_ref(s, f, REF_TABLE, win, (uint8_t)level, region);
		/* a table VMI announced is updated through its calls: no trace needed */
		if (f < s->frames && !s->announced[f])
			mmu_watch(s->c, w->table[k], WATCH_PTABLE);
	}
}

/* Mapped writable: the guest's rights allow a write, its D is set (so a first write
 * still faults, to set it) and no one watches the frame's writes. */
static bool writable(const struct x86_cpu *c, const struct mmu_walk *w, uint8_t watch)
{
	return (w->writable || (!c->user_access && !(c->cr0 & CR0_WP))) && w->dirty && !watch;
}

/* After a hidden fault, the rest of its aligned group of pages whose entries say they
 * have been accessed already (KVM's pte prefetch: no architectural state changes), in
 * runs of consecutive frames, one host mapping each: a kernel's linear map comes in
 * with a fault per group instead of a fault per page. */
#define AROUND 8
static void fault_around(struct shadow *s, int win, int view, uint64_t lin)
{
	struct x86_cpu *c = s->c;
	const struct view *v = &s->win[win].v[view];
	uint32_t first = (uint32_t)(lin >> 12) & ~(uint32_t)(AROUND - 1), run = 0, at = 0;
	uint64_t run_f = 0;
	bool run_rw = false;
	for (uint32_t p = first; p <= first + AROUND; p++) {
		struct mmu_walk w;
		bool ok = p < first + AROUND && !v->page[p] && mmu_walk(c, (uint64_t)p << 12, ACC_READ, true, &w) &&
			  mem_ptr(c->mem, w.phys & ~0xfffull, 4096);
		uint64_t f = ok ? w.phys >> 12 : 0;
		bool rw = ok && writable(c, &w, c->code.watch[f]);
		if (run && (!ok || f != run_f + run || rw != run_rw)) {
			map_run(s, win, view, at, run_f, run, run_rw);
			s->st.prefetched += run;
			run = 0;
		}
		if (!ok)
			continue;
		note_tables(s, win, &w, (uint64_t)p << 12);
		if (!run)
			at = p, run_f = f, run_rw = rw;
		run++;
	}
}

/* Page-table entries [o0, o1) of the table for region in the window in use were just
 * written: a page they mapped (mapped still, or dropped just before the write) maps again
 * in each view as the entry says now, where a walk that writes nothing succeeds (its
 * accessed bits set, as the kernel's own protections set them: VMware's monitor updated
 * the shadow in its trace handler and at VMI's SetPxE, KVM updates a shadow entry that
 * exists); else it goes. A page nothing mapped stays out, to fault in on use. */
static void refresh_entries(struct shadow *s, uint64_t region, unsigned o0, unsigned o1)
{
	struct x86_cpu *c = s->c;
	unsigned esize = pae(&s->win[s->cur]) ? 8 : 4;
	uint8_t user = c->user_access;
	for (unsigned i = o0 / esize; i <= (o1 - 1) / esize; i++) {
		uint64_t lin = (region + ((uint64_t)i << 12)) & 0xffffffffull;
		for (int view = 0; view < 2; view++) {
			struct mmu_walk w;
			uint32_t page = (uint32_t)(lin >> 12);
			if (!s->win[s->cur].v[view].page[page] && !was_dropped(s, (uint32_t)view, page))
				continue;
			c->user_access = (uint8_t)view; /* the walk's privilege: the view's */
			bool ok = mmu_walk(c, lin, ACC_READ, true, &w) && mem_ptr(c->mem, w.phys & ~0xfffull, 4096);
			if (ok) {
				note_tables(s, s->cur, &w, lin);
				ok = map_run(s, s->cur, view, page, w.phys >> 12, 1, writable(c, &w, c->code.watch[w.phys >> 12]));
				s->st.prefetched += ok;
			}
			if (!ok)
				drop_pages(s, &s->win[s->cur].v[view], page, 1);
		}
		c->user_access = user;
	}
}

static enum outcome fault(struct shadow *s, uint64_t off, bool write)
{
	struct x86_cpu *c = s->c;
	int win = (int)(off / STRIDE / 2), view = (int)(off / STRIDE % 2);
	uint64_t lin = off % STRIDE;
	if (win != s->cur || view != c->user_access || lin >= SPAN || c->shadow.stale)
		return SLOW_FAULT; /* the callout finds out what it is */
	struct mmu_walk w;
	if (!mmu_walk(c, lin, write ? ACC_WRITE : ACC_READ, false, &w))
		return SLOW_FAULT;
	note_tables(s, win, &w, lin);
	uint64_t f = w.phys >> 12;
	if (!mem_ptr(c->mem, w.phys & ~0xfffull, 4096))
		return SLOW_DEVICE;
	uint8_t watch = c->code.watch[f];
	if (write && watch)
		return watch & WATCH_PTABLE ? SLOW_TRACE : SLOW_CODE;
	map_run(s, win, view, (uint32_t)(lin >> 12), f, 1, writable(c, &w, watch));
	s->st.hidden_faults++;
	fault_around(s, win, view, lin);
	return RESUMED;
}

/* --- the host's SIGSEGV ---------------------------------------------------------- */

#define REGISTRY 8
static struct shadow *_Atomic registry[REGISTRY];
static struct sigaction previous;

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	const uint8_t *rip = (const uint8_t *)uc->uc_mcontext.gregs[REG_RIP];
	const uint8_t *addr = si->si_addr;
	for (int k = 0; k < REGISTRY; k++) {
		struct shadow *s = atomic_load(&registry[k]);
		if (!s || addr < s->reserve || addr >= s->reserve + s->reserve_len || !bt_runs(s->bt, rip))
			continue;
		struct bt_site *site = bt_site_at(s->bt, rip);
		if (!site)
			break;
		enum outcome o = fault(s, (uint64_t)(addr - s->reserve), uc->uc_mcontext.gregs[REG_ERR] & 2);
		if (o == RESUMED)
			return;
		uint64_t *count[] = { [SLOW_FAULT] = &s->st.true_faults, [SLOW_TRACE] = &s->st.traces,
				      [SLOW_CODE] = &s->st.code_traces, [SLOW_DEVICE] = &s->st.device };
		++*count[o];
		/* VMware's adaptation: an instruction that keeps trapping calls out from now on */
		if (o != SLOW_FAULT && ++site->traps == ADAPT_TRAPS && site->start) {
			bt_adapt(site->start, site->slow, s->bt);
			s->st.adapted++;
		}
		uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(uintptr_t)site->slow;
		return;
	}
	/* not translated code on a window: whoever handled it before (a sanitizer), or the
	 * default action when the instruction faults again */
	if ((previous.sa_flags & SA_SIGINFO) && previous.sa_sigaction)
		previous.sa_sigaction(sig, si, ctx);
	else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN)
		previous.sa_handler(sig);
	else
		signal(SIGSEGV, SIG_DFL);
}

/* Ours in front of whatever handles SIGSEGV now, at every shadow's creation: a test
 * harness (cmocka) or a sanitizer may have put its own in since. */
static int install(struct shadow *s)
{
	struct sigaction now;
	if (sigaction(SIGSEGV, NULL, &now))
		return -1;
	if (!((now.sa_flags & SA_SIGINFO) && now.sa_sigaction == on_segv)) {
		struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO | SA_NODEFER };
		sigemptyset(&sa.sa_mask);
		previous = now;
		if (sigaction(SIGSEGV, &sa, NULL))
			return -1;
	}
	for (int k = 0; k < REGISTRY; k++) {
		struct shadow *none = NULL;
		if (atomic_compare_exchange_strong(&registry[k], &none, s))
			return 0;
	}
	errno = EBUSY;
	return -1;
}

/* --- life ------------------------------------------------------------------------ */

struct shadow *shadow_create(struct x86_cpu *c, struct bt *bt)
{
	struct shadow *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->c = c;
	s->bt = bt;
	s->fd = c->mem->fd;
	s->cur = -1;
	s->frames = c->mem->size >> 12;
	s->reserve_len = SH_WINDOWS * 2 * STRIDE;
	s->pages_len = SH_WINDOWS * 2 * (size_t)PAGES * sizeof(uint32_t);
	s->reserve = mmap(NULL, s->reserve_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	s->pages = mmap(NULL, s->pages_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	s->refs = mmap(NULL, MAX_REFS * sizeof(struct ref), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	s->head = calloc(s->frames ? s->frames : 1, sizeof(*s->head));
	s->announced = calloc(s->frames ? s->frames : 1, 1);
	uint16_t *counts = calloc(SH_WINDOWS * 2 * REGIONS, sizeof(uint16_t));
	if (s->fd < 0 || s->reserve == MAP_FAILED || s->pages == MAP_FAILED || s->refs == MAP_FAILED || !s->head ||
	    !s->announced || !counts || install(s)) {
		int err = errno ? errno : ENOMEM;
		free(counts);
		if (s->reserve == MAP_FAILED)
			s->reserve = NULL;
		if (s->pages == MAP_FAILED)
			s->pages = NULL;
		if (s->refs == MAP_FAILED)
			s->refs = NULL;
		shadow_destroy(s);
		errno = err;
		return NULL;
	}
	for (int w = 0; w < SH_WINDOWS; w++)
		for (int v = 0; v < 2; v++) {
			size_t k = (size_t)w * 2 + (size_t)v;
			s->win[w].v[v] = (struct view){ .base = s->reserve + k * STRIDE, .page = s->pages + k * PAGES,
							.count = counts + k * REGIONS };
		}
	c->shadow = (struct x86_shadow){ .written = sh_written, .watched = sh_watched,
					 .sync = sh_sync, .announce = sh_announce, .opaque = s, .stale = true };
	return s;
}

void shadow_destroy(struct shadow *s)
{
	if (!s)
		return;
	for (int k = 0; k < REGISTRY; k++) {
		struct shadow *me = s;
		atomic_compare_exchange_strong(&registry[k], &me, NULL);
	}
	if (s->c && s->c->shadow.opaque == s)
		memset(&s->c->shadow, 0, sizeof(s->c->shadow));
	if (s->reserve)
		munmap(s->reserve, s->reserve_len);
	if (s->pages)
		munmap(s->pages, s->pages_len);
	if (s->refs)
		munmap(s->refs, MAX_REFS * sizeof(struct ref));
	free(s->win[0].v[0].count);
	free(s->head);
	free(s->announced);
	free(s);
}

const struct shadow_stats *shadow_stats(const struct shadow *s) { return &s->st; }
