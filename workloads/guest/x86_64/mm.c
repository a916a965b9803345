/* 4-level page tables: the kernel's identity map (4 GiB in 2 MiB pages, shared by every
 * address space) and, in PML4 slot 1, 4 KiB-paged test windows that differ per address
 * space. Every page-table write goes through pv.set_pte. */
#include "kernel.h"
#include "pvops.h"

#define IDENTITY_GIB 4
#define USER_CODE_OFF  0x100000ull
#define USER_STACK_OFF 0x1ff000ull

extern char __bss_end[], __user_start[], __user_end[];

static uint64_t *pml4[2];

static uint64_t *table_below(uint64_t *entry, uint64_t level, uint64_t flags)
{
	if (!(*entry & PTE_P))
		pv.set_pte(frame_alloc() | flags, entry, level);
	return (uint64_t *)(uintptr_t)PTE_ADDR(*entry);
}

static uint64_t *pte_in(uint64_t *top, uint64_t va)
{
	const uint64_t dir = PTE_P | PTE_W | PTE_U;
	uint64_t *pdpt = table_below(&top[(va >> 39) & 511], VMI_PAGE_PML4, dir);
	uint64_t *pd = table_below(&pdpt[(va >> 30) & 511], VMI_PAGE_PDP, dir);
	uint64_t *pt = table_below(&pd[(va >> 21) & 511], VMI_PAGE_PD, dir);
	return &pt[(va >> 12) & 511];
}

pte_slot *mm_pte(int as, uintptr_t va) { return (pte_slot *)pte_in(pml4[as], va); }
uint64_t mm_pte_get(const pte_slot *p) { return *(const volatile uint64_t *)p; }
void mm_pte_set(pte_slot *p, uint64_t val) { pv.set_pte(val, p, VMI_PAGE_PT); }
uintptr_t mm_cr3(int as) { return (uintptr_t)pml4[as]; }
uintptr_t mm_user_va(void *kaddr) { return WINDOW_VA + USER_CODE_OFF + ((uintptr_t)kaddr - (uintptr_t)__user_start); }
uintptr_t mm_user_stack_top(void) { return WINDOW_VA + USER_STACK_OFF + PAGE_SIZE; }

/* A process's address space: its own PML4 with the kernel's slot 0 shared; the tables
 * below its other slots are its own, freed with it. */
struct mm_space {
	uint64_t *pml4;
};

struct mm_space *mm_space_new(void)
{
	static struct mm_space spaces[1]; /* one at a time: proc_lifecycle's */
	struct mm_space *s = &spaces[0];
	s->pml4 = (uint64_t *)frame_alloc();
	pv.set_pte(pml4[0][0], &s->pml4[0], VMI_PAGE_PML4);
	return s;
}

void mm_space_map(struct mm_space *s, uintptr_t va, uintptr_t frame)
{
	pv.set_pte(frame | PTE_P | PTE_W | PTE_U | PTE_A, pte_in(s->pml4, va), VMI_PAGE_PT);
}

uintptr_t mm_space_cr3(const struct mm_space *s) { return (uintptr_t)s->pml4; }

/* Every present entry below level's table at t, unmapped and its frame freed, leaves too. */
static void free_below(uint64_t *t, int level)
{
	static const uint64_t kind[] = { VMI_PAGE_PT, VMI_PAGE_PD, VMI_PAGE_PDP, VMI_PAGE_PML4 };
	for (int i = 0; i < 512; i++) {
		if (!(t[i] & PTE_P))
			continue;
		uint64_t below = PTE_ADDR(t[i]);
		if (level > 1)
			free_below((uint64_t *)below, level - 1);
		pv.set_pte(0, &t[i], kind[level - 1]);
		frame_free(below);
	}
}

void mm_space_free(struct mm_space *s)
{
	pv.set_pte(0, &s->pml4[0], VMI_PAGE_PML4); /* the kernel's, not freed */
	free_below(s->pml4, 4);
	frame_free((uintptr_t)s->pml4);
}

const char *mm_init(uint64_t mem_bytes, const struct config *c)
{
	(void)c; /* long mode has one paging mode */
	uint64_t top = (uint64_t)IDENTITY_GIB << 30;
	frames_init(((uintptr_t)__bss_end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1), mem_bytes < top ? mem_bytes : top);

	uint64_t *pdpt = (uint64_t *)frame_alloc();
	for (int g = 0; g < IDENTITY_GIB; g++) {
		uint64_t *pd = (uint64_t *)frame_alloc();
		for (uint64_t i = 0; i < 512; i++)
			pv.set_pte((((uint64_t)g << 30) + (i << 21)) | PTE_P | PTE_W | PTE_PS, &pd[i], VMI_PAGE_PD);
		pv.set_pte((uint64_t)pd | PTE_P | PTE_W, &pdpt[g], VMI_PAGE_PDP);
	}
	for (int as = 0; as < 2; as++) {
		pml4[as] = (uint64_t *)frame_alloc();
		pv.set_pte((uint64_t)pdpt | PTE_P | PTE_W, &pml4[as][0], VMI_PAGE_PML4);
	}
	for (char *p = __user_start; p < __user_end; p += PAGE_SIZE)
		mm_pte_set(mm_pte(0, mm_user_va(p)), (uintptr_t)p | PTE_P | PTE_U);
	mm_pte_set(mm_pte(0, WINDOW_VA + USER_STACK_OFF), frame_alloc() | PTE_P | PTE_W | PTE_U);
	pv.write_cr3(mm_cr3(0));
	return "4-level";
}
