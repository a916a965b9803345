/* Page tables: the kernel's identity map (4 GiB in 2 MiB pages, shared by both address
 * spaces) and, in PML4 slot 1, 4 KiB-paged test windows that differ per address space.
 * Every page-table write goes through pv.set_pte. */
#include "kernel.h"
#include "pvops.h"

#define IDENTITY_GIB 4
#define USER_CODE_OFF  0x100000ull
#define USER_STACK_OFF 0x1ff000ull

extern char __bss_end[], __user_start[], __user_end[];

static uint64_t next_frame, frames_end, free_frames; /* free_frames: a list through each frame's first word */
static uint64_t *pml4[2];

uint64_t frame_alloc(void)
{
	uint64_t f = free_frames;
	if (f) {
		free_frames = *(uint64_t *)f;
	} else {
		if (next_frame + PAGE_SIZE > frames_end)
			panic("out of guest memory for page frames");
		f = next_frame;
		next_frame += PAGE_SIZE;
	}
	memset((void *)f, 0, PAGE_SIZE);
	return f;
}

void frame_free(uint64_t f)
{
	*(uint64_t *)f = free_frames;
	free_frames = f;
}

static uint64_t *table_below(uint64_t *entry, uint64_t level, uint64_t flags)
{
	if (!(*entry & PTE_P))
		pv.set_pte(frame_alloc() | flags, entry, level);
	return (uint64_t *)PTE_ADDR(*entry);
}

uint64_t *mm_pte(int as, uint64_t va)
{
	const uint64_t dir = PTE_P | PTE_W | PTE_U;
	uint64_t *pdpt = table_below(&pml4[as][(va >> 39) & 511], VMI_PAGE_PML4, dir);
	uint64_t *pd = table_below(&pdpt[(va >> 30) & 511], VMI_PAGE_PDP, dir);
	uint64_t *pt = table_below(&pd[(va >> 21) & 511], VMI_PAGE_PD, dir);
	return &pt[(va >> 12) & 511];
}

uint64_t mm_cr3(int as) { return (uint64_t)pml4[as]; }
uint64_t mm_user_va(void *kaddr) { return WINDOW_VA + USER_CODE_OFF + ((uint64_t)kaddr - (uint64_t)__user_start); }
uint64_t mm_user_stack_top(void) { return WINDOW_VA + USER_STACK_OFF + PAGE_SIZE; }

void mm_init(uint64_t mem_bytes)
{
	uint64_t top = (uint64_t)IDENTITY_GIB << 30;
	next_frame = ((uint64_t)__bss_end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	frames_end = (mem_bytes < top ? mem_bytes : top) & ~(PAGE_SIZE - 1);

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
		pv.set_pte((uint64_t)p | PTE_P | PTE_U, mm_pte(0, mm_user_va(p)), VMI_PAGE_PT);
	pv.set_pte(frame_alloc() | PTE_P | PTE_W | PTE_U, mm_pte(0, WINDOW_VA + USER_STACK_OFF), VMI_PAGE_PT);
	pv.write_cr3(mm_cr3(0));
}
