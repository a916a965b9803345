/* Kernel loader: ELF64 (entered in long mode on loader-built page tables, like minimal
 * KVM VMMs), Multiboot v1 (32-bit protected mode, EAX = 0x2BADB002, EBX -> info) and
 * Linux (bzImage, vmlinux, PVH: linux_boot.c), so pvbench boots what
 * `qemu-system-x86_64 -kernel` boots. */
#ifndef VMM_LOADER_H
#define VMM_LOADER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mem.h"

enum image_format {
	IMAGE_AUTO,      /* bzImage, then ELF64 (a vmlinux by its notes), then Multiboot */
	IMAGE_ELF64,     /* a plain ELF64 kernel, even a vmlinux: Multiboot info in rsi */
	IMAGE_MULTIBOOT,
	IMAGE_LINUX,     /* the boot protocol's 64-bit entry (bzImage or vmlinux) */
	IMAGE_LINUX32,   /* a bzImage's 32-bit entry (code32_start, paging off) */
	IMAGE_PVH,       /* a vmlinux's PVH entry (XEN_ELFNOTE_PHYS32_ENTRY) */
};

/* What to boot the kernel with. */
struct load_opts {
	enum image_format fmt;
	const char *cmdline;
	const uint8_t *initrd;     /* Linux's initrd, Multiboot's module: NULL for none */
	size_t initrd_len;
	/* Multiboot: the kernel's name, which starts its command line as GRUB and QEMU pass
	 * it (argv[0]); the module's string (its name and arguments). NULL for none. */
	const char *name, *module_string;
};

enum boot_kind { BOOT_LONG64, BOOT_PROT32 };

/* The architectural state at the first guest instruction; each engine loads it its way. */
struct boot_state {
	enum boot_kind kind;
	uint64_t rip, rsp, rax, rbx, rsi, rdi;
	uint64_t cr0, cr3, cr4, efer;
	uint64_t gdt_base;
	uint16_t gdt_limit;
	uint16_t cs, ds; /* selectors into the loader's GDT */
};

/* Loader-owned memory: GDT, Multiboot info and command line, boot page tables, the
 * stack, at offsets from the area's base -- LOADER_AREA unless the kernel's own
 * segments are there (a kernel may load at 0x8000), then the first free candidate. */
#define LOADER_AREA       0x1000
#define LOADER_AREA_SIZE  0x1f000
#define LOADER_GDT        0x0000
#define LOADER_MBINFO     0x1000
#define LOADER_CMDLINE    0x2000
#define LOADER_CMDLINE_MAX 0x1000
#define LOADER_PML4       0x3000
#define LOADER_PDPT       0x4000
#define LOADER_PD         0x5000 /* four pages: 4 GiB of 2 MiB pages */
#define LOADER_STACK_TOP  0x1e000
#define LOADER_SEL_CODE64 0x08
#define LOADER_SEL_CODE32 0x10
#define LOADER_SEL_DATA   0x18

int loader_load(struct guest_mem *m, const uint8_t *img, size_t len, const struct load_opts *o,
		struct boot_state *bs, char *err, size_t errlen);
/* Reads the kernel (and the initrd, when initrd_path is not NULL), then loader_load. */
int loader_load_file(struct guest_mem *m, const char *path, const char *initrd_path, const struct load_opts *o,
		     struct boot_state *bs, char *err, size_t errlen);
/* The format's name (auto, elf64, ...) and back; -1 for an unknown name. */
const char *loader_format_name(enum image_format f);
int loader_format_parse(const char *name);

/* For linux_boot.c: copy a segment to gpa (zero-filled to memsz), checked against RAM
 * and the BIOS's tables; identity-map the low 4 GiB with 2 MiB pages at LOADER_PML4 of
 * the area at base;
 * the loader's GDT, with 64-bit code at selector 0x10 when code64 (the Linux 64-bit
 * boot protocol's __BOOT_CS), 32-bit code there otherwise; err formatted. */
int loader_place(struct guest_mem *m, const uint8_t *img, size_t len, uint64_t off, uint64_t filesz,
		 uint64_t gpa, uint64_t memsz, char *err, size_t n);
void loader_identity_map(struct guest_mem *m, uint64_t base);
void loader_gdt(struct guest_mem *m, uint64_t base, struct boot_state *bs, bool code64);
int loader_fail(char *err, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The ELF64 header and one PT_LOAD program header (img[file_off, file_off + size) loaded
 * at vaddr = paddr, entry at entry) at the start of img: generated guests (the random
 * corpus, tests' tiny kernels). */
#define ELF64_HEADERS_SIZE 120
void loader_elf64_headers(uint8_t *img, uint64_t entry, uint64_t vaddr, uint64_t file_off, uint64_t size);
/* Reads a whole file into malloc'd memory; NULL with err set on failure. */
uint8_t *loader_read_file(const char *path, size_t *len, char *err, size_t errlen);

#endif
