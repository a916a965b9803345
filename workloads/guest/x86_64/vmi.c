/* The 64-bit guest's side of VMI: get_reloc's answer {address, type} in rax:rdx, and the
 * MMU calls, whose System V signatures are pv's own, routed straight to the ROM. */
#include "kernel.h"
#include "pvops.h"

struct reloc {
	uint64_t addr, type;
};

void *vmi_arch_entry(uintptr_t base, unsigned call)
{
	struct reloc r = ((struct reloc (*)(uint64_t))(base + VMI_H_GET_RELOC))(call);
	return r.type == VMI_RELOC_CALL_REL && r.addr ? (void *)r.addr : 0;
}

unsigned vmi_arch_route_mmu(void)
{
	unsigned used = 0;
	void *e;
#define ROUTE(field, call) if ((e = vmi_rom_entry(VMI_CALL_##call))) pv.field = e, used++
	ROUTE(set_pte, SetPxELong);
	ROUTE(invlpg, InvalPage);
	ROUTE(flush_tlb, FlushTLB);
	ROUTE(write_cr3, SetCR3);
	ROUTE(lazy_mmu, SetLazyMode);
#undef ROUTE
	return used;
}
