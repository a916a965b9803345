/* 32-bit page tables, 2-level or PAE (paging=pae): the kernel's identity map of RAM below
 * WINDOW_VA in large pages, the devices' last 32 MiB uncached where they are, and from WINDOW_VA on
 * 4 KiB-paged test windows that differ per address space. Every page-table write goes
 * through pv.set_pte. */
#include "kernel.h"
#include "cpu.h"
#include "pvops.h"

#define USER_CODE_OFF  0x100000u
#define USER_STACK_OFF 0x3ff000u
#define DEVICES        0xfe000000u /* to 4 GiB: the LAPIC, pvbench's MMIO register */
#define PTE_UNCACHED   0x18u       /* PCD | PWT */
#define CR4_PSE 0x10u
#define CR4_PAE 0x20u
#define CR0_PG  0x80000000u

extern char __bss_end[], __user_start[], __user_end[];

static int pae;
/* Per address space: the page directory (2-level), or the PDPT and the directory of the
 * last GiB, where the windows are (PAE); the first three directories are shared. */
struct mm_space {
	uint32_t *pd;          /* 2-level */
	uint64_t *pdpt, *pd3;  /* PAE */
};
static struct mm_space spaces[2];
static uint64_t *shared_pd[3]; /* PAE: the identity map's directories */
static uint64_t ram_top;

static void set(void *slot, uint64_t v, uint64_t level) { pv.set_pte(v, slot, level); }

/* A zeroed frame for a page table at level, announced (VMI's AllocatePage) */
static uintptr_t table_alloc(uint64_t level)
{
	uintptr_t f = frame_alloc();
	if (pv.alloc_pt)
		pv.alloc_pt(f, level | (pae ? VMI_PAGE_PAE : 0));
	return f;
}

/* A page table unlinked, back to the free frames (VMI's ReleasePage first) */
static void table_free(uintptr_t f, uint64_t level)
{
	if (pv.release_pt)
		pv.release_pt(f, level | (pae ? VMI_PAGE_PAE : 0));
	frame_free(f);
}

/* The table below a directory entry, made when missing. */
static void *table_below(void *entry)
{
	uint64_t e = pae ? *(volatile uint64_t *)entry : *(volatile uint32_t *)entry;
	if (!(e & PTE_P)) {
		e = table_alloc(VMI_PAGE_PT) | PTE_P | PTE_W | PTE_U;
		set(entry, e, VMI_PAGE_PD);
	}
	return (void *)(uintptr_t)PTE_ADDR(e);
}

static pte_slot *pte_in(const struct mm_space *s, uintptr_t va)
{
	if (!pae) {
		uint32_t *pt = table_below(&s->pd[va >> 22]);
		return (pte_slot *)&pt[(va >> 12) & 1023];
	}
	uint64_t *pt = table_below(&s->pd3[(va >> 21) & 511]);
	return (pte_slot *)&pt[(va >> 12) & 511];
}

pte_slot *mm_pte(int as, uintptr_t va) { return pte_in(&spaces[as], va); }
uint64_t mm_pte_get(const pte_slot *p) { return pae ? *(const volatile uint64_t *)p : *(const volatile uint32_t *)p; }
void mm_pte_set(pte_slot *p, uint64_t val) { set(p, val, VMI_PAGE_PT); }
uintptr_t mm_cr3(int as) { return pae ? (uintptr_t)spaces[as].pdpt : (uintptr_t)spaces[as].pd; }
uintptr_t mm_user_va(void *kaddr) { return WINDOW_VA + USER_CODE_OFF + ((uintptr_t)kaddr - (uintptr_t)__user_start); }
uintptr_t mm_user_stack_top(void) { return WINDOW_VA + USER_STACK_OFF + PAGE_SIZE; }

/* The kernel's half of a new address space: the identity map and the devices. */
static void space_init(struct mm_space *s)
{
	if (!pae) {
		s->pd = (uint32_t *)table_alloc(VMI_PAGE_PD);
		for (uint32_t i = 0; i < (uint32_t)(ram_top >> 22); i++)
			set(&s->pd[i], (i << 22) | PTE_P | PTE_W | PTE_PS, VMI_PAGE_PD);
		for (uint32_t i = DEVICES >> 22; i < 1024; i++)
			set(&s->pd[i], (i << 22) | PTE_P | PTE_W | PTE_PS | PTE_UNCACHED, VMI_PAGE_PD);
		return;
	}
	s->pdpt = (uint64_t *)table_alloc(VMI_PAGE_PDP); /* page-aligned, so 32-byte aligned */
	s->pd3 = (uint64_t *)table_alloc(VMI_PAGE_PD);
	for (int g = 0; g < 3; g++)
		set(&s->pdpt[g], (uintptr_t)shared_pd[g] | PTE_P, VMI_PAGE_PDP);
	set(&s->pdpt[3], (uintptr_t)s->pd3 | PTE_P, VMI_PAGE_PDP);
	for (uint32_t i = (DEVICES >> 21) & 511; i < 512; i++)
		set(&s->pd3[i], (0xc0000000u + (i << 21)) | PTE_P | PTE_W | PTE_PS | PTE_UNCACHED, VMI_PAGE_PD);
}

struct mm_space *mm_space_new(void)
{
	static struct mm_space s; /* one at a time: proc_lifecycle's */
	space_init(&s);
	return &s;
}

void mm_space_map(struct mm_space *s, uintptr_t va, uintptr_t frame)
{
	set(pte_in(s, va), frame | PTE_P | PTE_W | PTE_U | PTE_A, VMI_PAGE_PT);
}

uintptr_t mm_space_cr3(const struct mm_space *s) { return pae ? (uintptr_t)s->pdpt : (uintptr_t)s->pd; }

void mm_space_free(struct mm_space *s)
{
	if (!pae) {
		for (uint32_t i = WINDOW_VA >> 22; i < 1024; i++) {
			uint32_t e = s->pd[i];
			if (!(e & PTE_P) || (e & PTE_PS))
				continue;
			uint32_t *pt = (uint32_t *)(uintptr_t)PTE_ADDR(e);
			for (int j = 0; j < 1024; j++)
				if (pt[j] & PTE_P) {
					uintptr_t f = (uintptr_t)PTE_ADDR(pt[j]);
					set(&pt[j], 0, VMI_PAGE_PT);
					frame_free(f);
				}
			set(&s->pd[i], 0, VMI_PAGE_PD);
			table_free((uintptr_t)pt, VMI_PAGE_PT);
		}
		table_free((uintptr_t)s->pd, VMI_PAGE_PD);
		return;
	}
	for (int i = 0; i < 512; i++) {
		uint64_t e = s->pd3[i];
		if (!(e & PTE_P) || (e & PTE_PS))
			continue;
		uint64_t *pt = (uint64_t *)(uintptr_t)PTE_ADDR(e);
		for (int j = 0; j < 512; j++)
			if (pt[j] & PTE_P) {
				uintptr_t f = (uintptr_t)PTE_ADDR(pt[j]);
				set(&pt[j], 0, VMI_PAGE_PT);
				frame_free(f);
			}
		set(&s->pd3[i], 0, VMI_PAGE_PD);
		table_free((uintptr_t)pt, VMI_PAGE_PT);
	}
	table_free((uintptr_t)s->pd3, VMI_PAGE_PD);
	table_free((uintptr_t)s->pdpt, VMI_PAGE_PDP);
}

const char *mm_init(uint64_t mem_bytes, const struct config *c)
{
	pae = c->pae;
	pv_set_pte_size(pae ? 8 : 4);
	ram_top = mem_bytes < WINDOW_VA ? mem_bytes : WINDOW_VA;
	ram_top = (ram_top + 0x3fffffu) & ~0x3fffffull; /* whole large pages */
	frames_init(((uintptr_t)__bss_end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1), ram_top < mem_bytes ? ram_top : mem_bytes);
	if (pae)
		for (int g = 0; g < 3; g++) {
			shared_pd[g] = (uint64_t *)table_alloc(VMI_PAGE_PD);
			for (uint64_t i = 0; i < 512; i++) {
				uint64_t pa = ((uint64_t)g << 30) + (i << 21);
				if (pa < ram_top)
					set(&shared_pd[g][i], pa | PTE_P | PTE_W | PTE_PS, VMI_PAGE_PD);
			}
		}
	for (int as = 0; as < 2; as++)
		space_init(&spaces[as]);
	for (char *p = __user_start; p < __user_end; p += PAGE_SIZE)
		mm_pte_set(mm_pte(0, mm_user_va(p)), (uintptr_t)p | PTE_P | PTE_U);
	mm_pte_set(mm_pte(0, WINDOW_VA + USER_STACK_OFF), frame_alloc() | PTE_P | PTE_W | PTE_U);
	uintptr_t cr4 = read_cr4() | (pae ? CR4_PAE : CR4_PSE);
	__asm__ volatile("mov %0, %%cr4" :: "r"(cr4));
	pv.write_cr3(mm_cr3(0));
	uintptr_t cr0;
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("mov %0, %%cr0; jmp 1f; 1:" :: "r"(cr0 | CR0_PG) : "memory");
	return pae ? "PAE" : "2-level";
}
