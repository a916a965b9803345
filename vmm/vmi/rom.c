/* The ROM image: the VMI 3.0 header, a PCI data structure and license, the code from
 * rom_code.S, the relocation tables get_reloc reads (64-bit and 32-bit), and the checksum. */
#include <string.h>
#include "vmi.h"

extern const uint8_t vmi_rom_code[], vmi_rom_code_end[];

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* jmp rel32 from an image offset to a slot of the code */
static void jump(uint8_t *img, unsigned at, unsigned slot)
{
	img[at] = 0xe9;
	put32(img + at + 1, (uint32_t)(VMI_CODE_OFF + slot * VMI_SLOT - (at + 5)));
}

void vmi_rom_checksum(uint8_t *img)
{
	uint8_t sum = 0;
	img[VMI_ROM_SIZE - 1] = 0;
	for (unsigned i = 0; i < VMI_ROM_SIZE; i++)
		sum = (uint8_t)(sum + img[i]);
	img[VMI_ROM_SIZE - 1] = (uint8_t)-sum;
}

void vmi_rom_install(struct guest_mem *mem, unsigned withdraw)
{
	uint8_t *img = mem_ptr(mem, VMI_ROM_BASE, VMI_DATA_END - VMI_ROM_BASE);
	memset(img, 0, VMI_DATA_END - VMI_ROM_BASE);
	put16(img + VMI_H_SIGNATURE, 0xaa55);
	img[VMI_H_LENGTH] = VMI_ROM_UNITS;
	img[0x03] = 0xcb; /* a BIOS calling the legacy entry gets a far return */
	put32(img + VMI_H_VMI_SIG, VMI_SIGNATURE);
	img[VMI_H_API_MIN] = VMI_API_MINOR;
	img[VMI_H_API_MAJ] = VMI_API_MAJOR;
	img[VMI_H_JUMP_SLOTS] = VMI_NCALLS;
	put16(img + VMI_H_LICENSE, VMI_LICENSE_OFF);
	put16(img + VMI_H_PCI, VMI_PCI_OFF);

	uint8_t *pci = img + VMI_PCI_OFF; /* PCI firmware spec's data structure */
	memcpy(pci, "PCIR", 4);
	put16(pci + 4, VMI_PCI_VENDOR);
	put16(pci + 6, VMI_PCI_DEVICE);
	put16(pci + 10, 0x18);
	pci[15] = 0x08; /* class 0x088000: other system peripheral */
	pci[14] = 0x80;
	put16(pci + 16, VMI_ROM_UNITS);
	pci[21] = 0x80; /* last image */
	strcpy((char *)img + VMI_LICENSE_OFF, "GPL v2");

	jump(img, VMI_H_INIT, VMI_NCALLS);
	jump(img, VMI_H_GET_RELOC, VMI_NCALLS + 1);
	memcpy(img + VMI_CODE_OFF, vmi_rom_code, (size_t)(vmi_rom_code_end - vmi_rom_code));
	for (unsigned n = 0; n < VMI_NCALLS; n++) {
		bool offered = vmi_call_offered(n, withdraw);
		/* 2-level entries are 32-bit code's: 64-bit code has only the Long forms */
		bool offered64 = offered && n != VMI_CALL_SetPxE && n != VMI_CALL_UpdatePxE;
		put64(img + VMI_RELOC_OFF + 16 * n, offered64 ? VMI_SLOT_ADDR(n) : 0);
		put64(img + VMI_RELOC_OFF + 16 * n + 8, offered64 ? VMI_RELOC_CALL_REL : VMI_RELOC_NONE);
		put32(img + VMI_RELOC32_OFF + 8 * n, offered ? VMI_SLOT32_ADDR(n) : 0);
		put32(img + VMI_RELOC32_OFF + 8 * n + 4, offered ? VMI_RELOC_CALL_REL : VMI_RELOC_NONE);
	}
	vmi_rom_checksum(img);
}
