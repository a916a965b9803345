/* Page-table benchmarks. Each checks that the translation it just changed is the one the
 * CPU uses, so an engine with a stale TLB fails instead of looking fast. */
#include "kernel.h"
#include "cpu.h"
#include "pvops.h"
#include "bench.h"

#define PTEMOD_VA  (WINDOW_VA)
#define PGFAULT_VA (WINDOW_VA + PAGE_SIZE)
#define CR3_VA     (WINDOW_VA + 2 * PAGE_SIZE)
#define BATCH_VA   (WINDOW_VA + WINDOW_SPAN)
#define BATCH      512

static uint64_t pick(uintptr_t va) { return *(volatile uint64_t *)va; }

/* A frame whose first word is its own address, so a read names the frame it came from. */
static uint64_t marked_frame(void)
{
	uintptr_t f = frame_alloc();
	*(uint64_t *)f = f;
	return f;
}

/* ptemod ---------------------------------------------------------------------------- */
static uint64_t pm_frame[2];
static pte_slot *pm_pte;

static const char *ptemod_setup(void)
{
	if (!pm_pte) {
		pm_frame[0] = marked_frame();
		pm_frame[1] = marked_frame();
		pm_pte = mm_pte(0, PTEMOD_VA);
	}
	return 0;
}

static int64_t ptemod_run(uint64_t *n)
{
	uint64_t bad = 0, t0 = rdtsc();
	for (uint64_t i = 0; i < *n; i++) {
		uint64_t f = pm_frame[i & 1];
		mm_pte_set(pm_pte, f | PTE_P | PTE_W | PTE_A);
		pv.invlpg(PTEMOD_VA);
		bad += pick(PTEMOD_VA) != f;
	}
	int64_t t = (int64_t)(rdtsc() - t0);
	BENCH_CHECK(!bad, "ptemod: %lu reads through a stale translation after invlpg", bad);
	return t;
}

const struct bench bench_ptemod = { .setup = ptemod_setup, .run = ptemod_run };

/* pgfault --------------------------------------------------------------------------- */
static uint64_t pf_frame;
static pte_slot *pf_pte;
static volatile uint64_t pf_count;

static int pf_hook(struct trap_frame *f)
{
	(void)f;
	if ((read_cr2() & ~(PAGE_SIZE - 1)) != PGFAULT_VA || (mm_pte_get(pf_pte) & PTE_P))
		return 0;
	mm_pte_set(pf_pte, pf_frame | PTE_P | PTE_W | PTE_A);
	pf_count++;
	return 1;
}

static const char *pgfault_setup(void)
{
	if (!pf_pte) {
		pf_frame = marked_frame();
		pf_pte = mm_pte(0, PGFAULT_VA);
	}
	trap_set_hook(14, pf_hook);
	return 0;
}

static int64_t pgfault_run(uint64_t *n)
{
	uint64_t bad = 0;
	pf_count = 0;
	uint64_t t0 = rdtsc();
	for (uint64_t i = 0; i < *n; i++) {
		mm_pte_set(pf_pte, 0);
		pv.invlpg(PGFAULT_VA);
		bad += pick(PGFAULT_VA) != pf_frame;
	}
	int64_t t = (int64_t)(rdtsc() - t0);
	BENCH_CHECK(!bad && pf_count == *n, "pgfault: %lu faults for %lu touches, %lu bad reads",
		    pf_count, *n, bad);
	return t;
}

static void pgfault_teardown(void) { trap_set_hook(14, 0); }

const struct bench bench_pgfault = { .setup = pgfault_setup, .run = pgfault_run, .teardown = pgfault_teardown };

/* cr3_switch ------------------------------------------------------------------------ */
static uint64_t cr3_frame[2];

static const char *cr3_setup(void)
{
	if (!cr3_frame[0]) {
		for (int as = 0; as < 2; as++) {
			cr3_frame[as] = marked_frame();
			mm_pte_set(mm_pte(as, CR3_VA), cr3_frame[as] | PTE_P | PTE_W | PTE_A);
		}
	}
	return 0;
}

static int64_t cr3_run(uint64_t *n)
{
	uint64_t bad = 0, t0 = rdtsc();
	for (uint64_t i = 1; i <= *n; i++) {
		pv.write_cr3(mm_cr3(i & 1));
		bad += pick(CR3_VA) != cr3_frame[i & 1];
	}
	int64_t t = (int64_t)(rdtsc() - t0);
	pv.write_cr3(mm_cr3(0));
	BENCH_CHECK(!bad, "cr3_switch: %lu reads from the wrong address space", bad);
	return t;
}

const struct bench bench_cr3_switch = { .setup = cr3_setup, .run = cr3_run };

/* pte_batch ------------------------------------------------------------------------- */
static uint64_t batch_frame[BATCH];
static pte_slot *batch_pte[BATCH];

static const char *batch_setup(void)
{
	if (!batch_pte[0]) {
		for (int j = 0; j < BATCH; j++) {
			batch_frame[j] = marked_frame();
			batch_pte[j] = mm_pte(0, BATCH_VA + (uintptr_t)j * PAGE_SIZE);
		}
	}
	return 0;
}

static int64_t batch_run(uint64_t *n)
{
	uint64_t batches = (*n + BATCH - 1) / BATCH, bad = 0;
	*n = batches * BATCH;
	uint64_t t0 = rdtsc();
	for (uint64_t b = 0; b < batches; b++) {
		pv.lazy_mmu(VMI_LAZY_MMU);
		for (int j = 0; j < BATCH; j++)
			mm_pte_set(batch_pte[j], batch_frame[j] | PTE_P | PTE_W | PTE_A);
		pv.lazy_mmu(VMI_LAZY_NONE);
		/* the batch must be visible once lazy mode ends */
		bad += pick(BATCH_VA) != batch_frame[0];
		bad += pick(BATCH_VA + (BATCH - 1) * PAGE_SIZE) != batch_frame[BATCH - 1];
		pv.lazy_mmu(VMI_LAZY_MMU);
		for (int j = 0; j < BATCH; j++)
			mm_pte_set(batch_pte[j], 0);
		pv.lazy_mmu(VMI_LAZY_NONE);
		pv.flush_tlb(VMI_FLUSH_TLB);
	}
	int64_t t = (int64_t)(rdtsc() - t0);
	BENCH_CHECK(!bad, "pte_batch: %lu reads through a wrong translation", bad);
	return t;
}

const struct bench bench_pte_batch = { .setup = batch_setup, .run = batch_run };

/* proc_lifecycle: what fork, exec and exit do to page tables, as forkwait exercises them:
 * a new address space (its top table and the tables below one window; the kernel's
 * mappings shared), 16 pages mapped, entered and each touched, left, then every page and
 * table unmapped and freed. */
#define LIFE_PAGES 16
#define LIFE_VA    (WINDOW_VA + 4 * WINDOW_SPAN)

static uint64_t life_once(void)
{
	struct mm_space *s = mm_space_new();
	uint64_t page[LIFE_PAGES], bad = 0;
	for (int j = 0; j < LIFE_PAGES; j++) {
		page[j] = marked_frame();
		mm_space_map(s, LIFE_VA + (uintptr_t)j * PAGE_SIZE, (uintptr_t)page[j]);
	}
	pv.write_cr3(mm_space_cr3(s));
	for (int j = 0; j < LIFE_PAGES; j++)
		bad += pick(LIFE_VA + (uintptr_t)j * PAGE_SIZE) != page[j];
	pv.write_cr3(mm_cr3(0));
	mm_space_free(s);
	return bad;
}

static int64_t life_run(uint64_t *n)
{
	uint64_t bad = 0, t0 = rdtsc();
	for (uint64_t i = 0; i < *n; i++)
		bad += life_once();
	int64_t t = (int64_t)(rdtsc() - t0);
	BENCH_CHECK(!bad, "proc_lifecycle: %lu reads of a new address space's pages through a wrong translation", bad);
	return t;
}

const struct bench bench_proc_lifecycle = { .run = life_run };
