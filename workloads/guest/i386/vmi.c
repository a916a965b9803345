/* The 32-bit guest's side of VMI, as Linux's i386 vmi.c: get_reloc(call in eax) answers
 * {u32 address, u8 type} in edx:eax, and the MMU calls are regparm(3) (SetPxE for
 * 2-level entries, SetPxELong for PAE's), so pv's cdecl operations reach them through
 * these wrappers. */
#include "kernel.h"
#include "pvops.h"

#define REGPARM __attribute__((regparm(3)))

typedef uint64_t get_reloc_fn(unsigned long call) REGPARM;

void *vmi_arch_entry(uintptr_t base, unsigned call)
{
	uint64_t r = ((get_reloc_fn *)(base + VMI_H_GET_RELOC))(call);
	uint32_t addr = (uint32_t)r, type = (uint32_t)(r >> 32) & 0xff;
	return type == VMI_RELOC_CALL_REL && addr ? (void *)(uintptr_t)addr : 0;
}

static void (*rom_set_pxe)(unsigned long pte, void *ptep, unsigned long flags) REGPARM;
static void (*rom_set_pxe_long)(uint64_t pte, void *ptep, unsigned long flags) REGPARM;
static void (*rom_invlpg)(unsigned long va) REGPARM;
static void (*rom_flush_tlb)(unsigned long flags) REGPARM;
static void (*rom_set_cr3)(unsigned long cr3) REGPARM;
static void (*rom_lazy)(unsigned long mode) REGPARM;
static void (*rom_allocate_page)(unsigned long pfn, unsigned long flags, unsigned long clone_pfn, unsigned long base,
				 unsigned long count) REGPARM;
static void (*rom_release_page)(unsigned long pfn, unsigned long flags) REGPARM;

static void vmi_set_pte(uint64_t val, void *ptep, uint64_t flags)
{
	if (pv_pte_bytes() == 4)
		rom_set_pxe((unsigned long)val, ptep, (unsigned long)flags);
	else
		rom_set_pxe_long(val, ptep, (unsigned long)flags);
}
static void vmi_invlpg(uint64_t va) { rom_invlpg((unsigned long)va); }
static void vmi_flush_tlb(uint64_t flags) { rom_flush_tlb((unsigned long)flags); }
static void vmi_write_cr3(uint64_t cr3) { rom_set_cr3((unsigned long)cr3); }
static void vmi_lazy_mmu(uint64_t mode) { rom_lazy((unsigned long)mode); }
static void vmi_alloc_pt(uint64_t pa, uint64_t level)
{
	rom_allocate_page((unsigned long)(pa >> 12), (unsigned long)level | VMI_PAGE_ZEROED, 0, 0, 0);
}
static void vmi_release_pt(uint64_t pa, uint64_t level) { rom_release_page((unsigned long)(pa >> 12), (unsigned long)level); }

unsigned vmi_arch_route_mmu(void)
{
	unsigned used = 0;
#define ROUTE(rom, call, field, wrapper) if ((rom = vmi_rom_entry(VMI_CALL_##call))) pv.field = wrapper, used++
	ROUTE(rom_invlpg, InvalPage, invlpg, vmi_invlpg);
	ROUTE(rom_flush_tlb, FlushTLB, flush_tlb, vmi_flush_tlb);
	ROUTE(rom_set_cr3, SetCR3, write_cr3, vmi_write_cr3);
	ROUTE(rom_lazy, SetLazyMode, lazy_mmu, vmi_lazy_mmu);
	ROUTE(rom_allocate_page, AllocatePage, alloc_pt, vmi_alloc_pt);
	ROUTE(rom_release_page, ReleasePage, release_pt, vmi_release_pt);
#undef ROUTE
	rom_set_pxe = vmi_rom_entry(VMI_CALL_SetPxE);
	rom_set_pxe_long = vmi_rom_entry(VMI_CALL_SetPxELong);
	if (pv_pte_bytes() == 4 ? rom_set_pxe != 0 : rom_set_pxe_long != 0)
		pv.set_pte = vmi_set_pte, used++;
	return used;
}

int pv_selftest(void)
{
	kprintf("pvbench guest: selftest=pvops is not built for the 32-bit guest\n");
	return 1;
}
