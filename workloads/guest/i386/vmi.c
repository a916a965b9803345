/* The 32-bit guest and VMI: pvbench's ROM has 64-bit entry points only, so the guest
 * runs the native interface and says why (the 32-bit VMI ABI is not built yet). */
#include "kernel.h"
#include "pvops.h"

static char interface[96];

void *vmi_rom_entry(uint64_t call)
{
	(void)call;
	return 0;
}

void vmi_probe(void)
{
	for (uintptr_t base = VMI_SCAN_START; base < VMI_SCAN_END; base += VMI_SCAN_STEP) {
		const uint8_t *r = (const uint8_t *)base;
		if (r[0] == 0x55 && r[1] == 0xaa && *(const uint32_t *)(r + VMI_H_VMI_SIG) == VMI_SIGNATURE) {
			fmt(interface, sizeof(interface), "native (the VMI ROM at 0x%lx has no 32-bit entry points)",
			    (uint64_t)base);
			pv.name = interface;
			kprintf("pvbench guest: interface %s\n", interface);
			return;
		}
	}
	pv.name = "native (no VMI ROM in 0xc0000-0xdffff)";
	kprintf("pvbench guest: interface %s\n", pv.name);
}

int pv_selftest(void)
{
	kprintf("pvbench guest: selftest=pvops is not built for the 32-bit guest\n");
	return 1;
}
