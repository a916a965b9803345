#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "linux_boot.h"
#include "loader.h"
#include "bda.h"
#include "mptable.h"
#include "x86/cpuid.h"
#include "../abi/proto.h"

#define MB_HEADER_MAGIC   0x1badb002
#define MB_SEARCH         8192
#define MB_FLAG_AOUT      0x10000
#define MB_INFO_MEM       0x1
#define MB_INFO_CMDLINE   0x4
#define MB_INFO_MODS      0x8
#define MB_INFO_MMAP      0x40
#define MB_INFO_LOADER    0x200
#define LOADER_NAME_OFF   0x800 /* within the cmdline page */
#define MMAP_OFF          0x400 /* within the info page */
#define MODS_OFF          0x800 /* within the info page: the module list */
#define MODSTR_OFF        0x900 /* within the cmdline page: the module's string */

struct mb_module {
	uint32_t start, end, string, reserved;
};

struct mb_header {
	uint32_t magic, flags, checksum;
	uint32_t header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
};

struct mb_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
	uint32_t syms[4], mmap_length, mmap_addr, drives_length, drives_addr, config_table;
	uint32_t boot_loader_name;
};

struct mb_mmap {
	uint32_t size;
	uint64_t addr, len;
	uint32_t type;
} __attribute__((packed));

int loader_fail(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
	return -1;
}

/* What the firmware leaves in low memory that a kernel must not load over: the BIOS
 * data area (COM1's port, the EBDA's segment) and the EBDA holding the MP table. */
static const struct span { uint64_t lo, hi; } firmware_tables[] = { { 0x400, 0x500 }, { MPTABLE_BASE, 0xa0000 } };

static bool overlap(uint64_t a, uint64_t len, struct span s) { return a < s.hi && a + len > s.lo; }

#define fail loader_fail

int loader_place(struct guest_mem *m, const uint8_t *img, size_t len, uint64_t off, uint64_t filesz,
		 uint64_t gpa, uint64_t memsz, char *err, size_t n)
{
	if (filesz > memsz || off > len || filesz > len - off)
		return fail(err, n, "segment at file offset 0x%llx runs past the end of the file (truncated?)",
			    (unsigned long long)off);
	uint8_t *dst = mem_ptr(m, gpa, memsz);
	if (!dst)
		return fail(err, n, "segment 0x%llx-0x%llx lies outside guest RAM (%llu MiB)",
			    (unsigned long long)gpa, (unsigned long long)(gpa + memsz),
			    (unsigned long long)(m->size >> 20));
	for (size_t k = 0; k < sizeof(firmware_tables) / sizeof(firmware_tables[0]); k++)
		if (overlap(gpa, memsz, firmware_tables[k]))
			return fail(err, n, "segment 0x%llx-0x%llx overlaps the firmware's tables at 0x%llx-0x%llx",
				    (unsigned long long)gpa, (unsigned long long)(gpa + memsz),
				    (unsigned long long)firmware_tables[k].lo, (unsigned long long)firmware_tables[k].hi);
	memcpy(dst, img + off, filesz);
	memset(dst + filesz, 0, memsz - filesz);
	return 0;
}

/* The loader's area: the usual one, else the top of conventional memory below the EBDA,
 * else the page after the kernel -- the first no segment of the kernel's covers. 0 when
 * none fits (a kernel filling low memory and the top of RAM). */
static uint64_t pick_area(const struct guest_mem *m, const struct span *seg, int nseg, uint64_t kernel_end)
{
	const uint64_t cand[] = { LOADER_AREA, (MPTABLE_BASE - LOADER_AREA_SIZE) & ~0xfffull, (kernel_end + 0xfff) & ~0xfffull };
	for (size_t c = 0; c < sizeof(cand) / sizeof(cand[0]); c++) {
		bool free = cand[c] + LOADER_AREA_SIZE <= m->size && cand[c] + LOADER_AREA_SIZE <= 0xffffffffull;
		for (int i = 0; free && i < nseg; i++)
			free = !overlap(cand[c], LOADER_AREA_SIZE, seg[i]);
		if (free)
			return cand[c];
	}
	return 0;
}

/* Multiboot information, shared by both entry paths so the kernel finds its memory size
 * and command line the same way. */
static uint64_t write_mbinfo(struct guest_mem *m, uint64_t base, const char *name, const char *cmdline)
{
	struct mb_info *mi = mem_ptr(m, base + LOADER_MBINFO, 0x1000);
	char *cl = mem_ptr(m, base + LOADER_CMDLINE, LOADER_CMDLINE_MAX);
	memset(mi, 0, 0x1000);
	memset(cl, 0, LOADER_CMDLINE_MAX);
	snprintf(cl, LOADER_NAME_OFF, "%s%s%s", name ? name : "", name && cmdline && *cmdline ? " " : "",
		 cmdline ? cmdline : "");
	snprintf(cl + LOADER_NAME_OFF, 64, "pvbench");
	struct mb_mmap *mm = (struct mb_mmap *)((uint8_t *)mi + MMAP_OFF);
	mm[0] = (struct mb_mmap){ sizeof(mm[0]) - 4, 0, 0x9fc00, 1 };
	mm[1] = (struct mb_mmap){ sizeof(mm[0]) - 4, 0x100000, m->size - 0x100000, 1 };
	mi->flags = MB_INFO_MEM | MB_INFO_CMDLINE | MB_INFO_MMAP | MB_INFO_LOADER;
	mi->mem_lower = 639;
	mi->mem_upper = (uint32_t)((m->size - 0x100000) >> 10);
	mi->cmdline = (uint32_t)(base + LOADER_CMDLINE);
	mi->mmap_addr = (uint32_t)(base + LOADER_MBINFO + MMAP_OFF);
	mi->mmap_length = 2 * sizeof(mm[0]);
	mi->boot_loader_name = (uint32_t)(base + LOADER_CMDLINE + LOADER_NAME_OFF);
	return base + LOADER_MBINFO;
}

void loader_gdt(struct guest_mem *m, uint64_t base, struct boot_state *bs, bool code64)
{
	uint64_t *gdt = mem_ptr(m, base + LOADER_GDT, 32);
	gdt[0] = 0;
	gdt[1] = 0x00af9a000000ffffull; /* 64-bit code */
	gdt[2] = code64 ? gdt[1] : 0x00cf9a000000ffffull; /* 32-bit code */
	gdt[3] = 0x00cf92000000ffffull; /* data */
	bs->gdt_base = base + LOADER_GDT;
	bs->gdt_limit = 4 * 8 - 1;
	bs->ds = LOADER_SEL_DATA;
}

void loader_identity_map(struct guest_mem *m, uint64_t base)
{
	uint64_t *pml4 = mem_ptr(m, base + LOADER_PML4, 0x1000), *pdpt = mem_ptr(m, base + LOADER_PDPT, 0x1000);
	uint64_t *pd = mem_ptr(m, base + LOADER_PD, 4 * 0x1000);
	memset(pml4, 0, 0x1000);
	memset(pdpt, 0, 0x1000);
	pml4[0] = (base + LOADER_PDPT) | 3;
	for (uint64_t i = 0; i < 4 * 512; i++)
		pd[i] = (i << 21) | 0x83;
	for (uint64_t g = 0; g < 4; g++)
		pdpt[g] = (base + LOADER_PD + g * 0x1000) | 3;
}

/* The physical address of the entry point: e_entry itself when a segment's physical
 * range holds it (a vmlinux's is physical), else through the segment whose virtual
 * range does; 0 when none does. */
static uint64_t entry_phys(const Elf64_Ehdr *eh, const Elf64_Phdr *ph)
{
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && eh->e_entry - ph[i].p_paddr < ph[i].p_memsz)
			return eh->e_entry;
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && eh->e_entry - ph[i].p_vaddr < ph[i].p_memsz)
			return ph[i].p_paddr + (eh->e_entry - ph[i].p_vaddr);
	return 0;
}

static int load_elf64(struct guest_mem *m, const uint8_t *img, size_t len, const struct load_opts *o,
		      struct boot_state *bs, char *err, size_t n)
{
	Elf64_Ehdr eh;
	memcpy(&eh, img, sizeof(eh));
	if (eh.e_machine != EM_X86_64)
		return fail(err, n, "ELF64 image is not for x86-64 (e_machine %u)", eh.e_machine);
	if (!eh.e_entry)
		return fail(err, n, "ELF64 image has no entry point");
	if (eh.e_phentsize != sizeof(Elf64_Phdr) || !eh.e_phnum || eh.e_phoff > len ||
	    (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) > len - eh.e_phoff)
		return fail(err, n, "ELF64 program headers lie outside the file (truncated?)");
	/* a copy: e_phoff need not be aligned in the file */
	Elf64_Phdr ph[eh.e_phnum];
	memcpy(ph, img + eh.e_phoff, sizeof(ph));
	int loaded = 0;
	uint64_t end = 0;
	struct span seg[eh.e_phnum];
	for (int i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD || !ph[i].p_memsz)
			continue;
		if (loader_place(m, img, len, ph[i].p_offset, ph[i].p_filesz, ph[i].p_paddr, ph[i].p_memsz, err, n))
			return -1;
		seg[loaded++] = (struct span){ ph[i].p_paddr, ph[i].p_paddr + ph[i].p_memsz };
		if (ph[i].p_paddr + ph[i].p_memsz > end)
			end = ph[i].p_paddr + ph[i].p_memsz;
	}
	if (!loaded)
		return fail(err, n, "ELF64 image has no loadable segment");
	uint64_t entry = entry_phys(&eh, ph);
	if (!entry)
		return fail(err, n, "ELF64 entry point 0x%llx is in no loaded segment (by physical or virtual address)",
			    (unsigned long long)eh.e_entry);
	uint64_t base = pick_area(m, seg, loaded, end);
	uint32_t pvh;
	if (o->fmt != IMAGE_ELF64 && linux_is_vmlinux(img, len, &pvh)) {
		if (base != LOADER_AREA)
			return fail(err, n, "this vmlinux loads over 0x%x-0x%x, where the boot protocol's tables go",
				    LOADER_AREA, LOADER_AREA + LOADER_AREA_SIZE);
		loader_identity_map(m, base);
		return linux_enter_vmlinux(m, entry, end, pvh, o, bs, err, n);
	}
	if (o->fmt == IMAGE_LINUX || o->fmt == IMAGE_PVH)
		return fail(err, n, "this ELF64 image has no Linux or Xen ELF notes: not a vmlinux (use --format elf64)");
	if (o->initrd)
		return fail(err, n, "an initrd is for Linux kernels; this is a plain ELF64 image");
	if (!base)
		return fail(err, n, "the kernel's segments leave no room for the loader's %u KiB", LOADER_AREA_SIZE >> 10);
	loader_identity_map(m, base);
	loader_gdt(m, base, bs, false);
	bs->kind = BOOT_LONG64;
	bs->cs = LOADER_SEL_CODE64;
	bs->rip = eh.e_entry;
	bs->rsp = base + LOADER_STACK_TOP;
	bs->rdi = PVB_MULTIBOOT_MAGIC;
	bs->rsi = write_mbinfo(m, base, NULL, o->cmdline); /* pvbench's own ELF64 entry: the arguments alone */
	bs->cr0 = 0x80050033; /* PG WP NE ET MP PE */
	bs->cr3 = base + LOADER_PML4;
	bs->cr4 = 0x20;       /* PAE */
	bs->efer = 0x500;     /* LMA LME */
	return 0;
}

/* Places the segments, each's range into seg (room for e_phnum), their count into *nseg. */
static int load_elf32_segments(struct guest_mem *m, const uint8_t *img, size_t len, struct span *seg, int *nseg,
			       uint64_t *end, char *err, size_t n)
{
	const Elf32_Ehdr *eh = (const Elf32_Ehdr *)img;
	int loaded = 0;
	for (int i = 0; i < eh->e_phnum; i++) {
		Elf32_Phdr ph;
		memcpy(&ph, img + eh->e_phoff + (size_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD || !ph.p_memsz)
			continue;
		if (loader_place(m, img, len, ph.p_offset, ph.p_filesz, ph.p_paddr, ph.p_memsz, err, n))
			return -1;
		seg[loaded++] = (struct span){ ph.p_paddr, (uint64_t)ph.p_paddr + ph.p_memsz };
		if ((uint64_t)ph.p_paddr + ph.p_memsz > *end)
			*end = (uint64_t)ph.p_paddr + ph.p_memsz;
	}
	*nseg = loaded;
	return loaded ? 0 : fail(err, n, "ELF32 image has no loadable segment");
}

static int check_elf32(const uint8_t *img, size_t len, char *err, size_t n)
{
	const Elf32_Ehdr *eh = (const Elf32_Ehdr *)img;
	if (eh->e_machine != EM_386)
		return fail(err, n, "ELF32 image is not for i386 (e_machine %u)", eh->e_machine);
	if (eh->e_phentsize != sizeof(Elf32_Phdr) || !eh->e_phnum || eh->e_phoff > len ||
	    (uint64_t)eh->e_phnum * sizeof(Elf32_Phdr) > len - eh->e_phoff)
		return fail(err, n, "ELF32 program headers lie outside the file (truncated?)");
	return 0;
}

static const struct mb_header *find_mb_header(const uint8_t *img, size_t len, size_t *off)
{
	for (size_t o = 0; o + sizeof(struct mb_header) <= len && o < MB_SEARCH; o += 4) {
		const struct mb_header *h = (const struct mb_header *)(img + o);
		if (h->magic == MB_HEADER_MAGIC && (uint32_t)(h->magic + h->flags + h->checksum) == 0) {
			*off = o;
			return h;
		}
	}
	return NULL;
}

/* The module at the first page after the kernel's image, as GRUB places it, listed in the
 * Multiboot information with its string. */
static int place_module(struct guest_mem *m, uint64_t base, uint64_t kernel_end, const struct load_opts *o, char *err,
			size_t n)
{
	uint64_t start = (kernel_end + 0xfff) & ~0xfffull;
	uint8_t *dst = mem_ptr(m, start, o->initrd_len ? o->initrd_len : 1);
	if (!dst || start + o->initrd_len > 0xffffffffull)
		return fail(err, n, "the module (%zu bytes) does not fit in guest RAM after the kernel", o->initrd_len);
	memcpy(dst, o->initrd, o->initrd_len);
	struct mb_info *mi = mem_ptr(m, base + LOADER_MBINFO, 0x1000);
	struct mb_module *mod = (struct mb_module *)((uint8_t *)mi + MODS_OFF);
	char *str = (char *)mem_ptr(m, base + LOADER_CMDLINE, LOADER_CMDLINE_MAX) + MODSTR_OFF;
	snprintf(str, LOADER_CMDLINE_MAX - MODSTR_OFF, "%s", o->module_string ? o->module_string : "");
	*mod = (struct mb_module){ (uint32_t)start, (uint32_t)(start + o->initrd_len),
				   (uint32_t)(base + LOADER_CMDLINE + MODSTR_OFF), 0 };
	mi->flags |= MB_INFO_MODS;
	mi->mods_count = 1;
	mi->mods_addr = (uint32_t)(base + LOADER_MBINFO + MODS_OFF);
	return 0;
}

static int load_multiboot(struct guest_mem *m, const uint8_t *img, size_t len, const struct load_opts *o,
			  struct boot_state *bs, char *err, size_t n)
{
	uint64_t kernel_end = 0;
	if (len < 4) /* Multiboot headers are read in whole words */
		return fail(err, n, "no Multiboot v1 header in the first 8 KiB");
	size_t hoff;
	const struct mb_header *h = find_mb_header(img, len, &hoff);
	if (!h)
		return fail(err, n, "no Multiboot v1 header in the first 8 KiB");
	bool aout = h->flags & MB_FLAG_AOUT;
	bool elf = !aout && len >= sizeof(Elf32_Ehdr) && !memcmp(img, ELFMAG, SELFMAG) && img[EI_CLASS] == ELFCLASS32;
	if (!aout && !elf)
		return fail(err, n, "Multiboot image is neither ELF32 nor has load addresses (a.out kludge)");
	if (elf && check_elf32(img, len, err, n))
		return -1;
	struct span seg[elf ? ((const Elf32_Ehdr *)img)->e_phnum : 1];
	int nseg = 1;
	uint32_t entry;
	if (aout) {
		if (h->load_addr > h->header_addr || hoff < h->header_addr - h->load_addr)
			return fail(err, n, "Multiboot header's load address is inconsistent with its position");
		uint64_t file_off = hoff - (h->header_addr - h->load_addr);
		uint64_t end = h->load_end_addr ? h->load_end_addr : h->load_addr + (len - file_off);
		uint64_t bss = h->bss_end_addr > end ? h->bss_end_addr : end;
		if (end < h->load_addr)
			return fail(err, n, "Multiboot header's load_end_addr precedes load_addr");
		if (loader_place(m, img, len, file_off, end - h->load_addr, h->load_addr, bss - h->load_addr, err, n))
			return -1;
		seg[0] = (struct span){ h->load_addr, bss };
		kernel_end = bss;
		entry = h->entry_addr;
	} else {
		if (load_elf32_segments(m, img, len, seg, &nseg, &kernel_end, err, n))
			return -1;
		entry = ((const Elf32_Ehdr *)img)->e_entry;
	}
	if (!entry || !mem_ptr(m, entry, 1))
		return fail(err, n, "Multiboot entry point 0x%x is outside guest RAM", entry);
	uint64_t base = pick_area(m, seg, nseg, kernel_end);
	if (!base)
		return fail(err, n, "the kernel's segments leave no room for the loader's %u KiB", LOADER_AREA_SIZE >> 10);
	loader_gdt(m, base, bs, false);
	bs->kind = BOOT_PROT32;
	bs->cs = LOADER_SEL_CODE32;
	bs->rip = entry;
	bs->rsp = 0;
	bs->rax = PVB_MULTIBOOT_MAGIC;
	bs->rbx = write_mbinfo(m, base, o->name, o->cmdline);
	/* the module after the kernel, or after the loader's area when that follows the kernel */
	uint64_t after = base >= kernel_end ? base + LOADER_AREA_SIZE : kernel_end;
	if (o->initrd && place_module(m, base, after, o, err, n))
		return -1;
	bs->cr0 = 0x11; /* PE ET */
	bs->cr3 = bs->cr4 = bs->efer = 0;
	return 0;
}

/* Compressed files people pass by mistake: say what they are. */
static const char *compressed_kind(const uint8_t *img, size_t len)
{
	static const struct { const char *magic; size_t n; const char *name; } kinds[] = {
		{ "\x1f\x8b", 2, "gzip" }, { "\xfd" "7zXZ", 6, "xz" }, { "\x28\xb5\x2f\xfd", 4, "zstd" },
		{ "BZh", 3, "bzip2" }, { "\x02\x21\x4c\x18", 4, "lz4" }, { "\x89LZO", 4, "lzo" },
	};
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (len >= kinds[k].n && !memcmp(img, kinds[k].magic, kinds[k].n))
			return kinds[k].name;
	return NULL;
}

#define SUPPORTED "pvbench boots ELF64, Multiboot v1 (ELF32 or a.out kludge), Linux bzImage and vmlinux (64-bit, 32-bit and PVH entries)"

static int load(struct guest_mem *m, const uint8_t *img, size_t len, const struct load_opts *o,
		struct boot_state *bs, char *err, size_t errlen)
{
	if (m->size < LOADER_AREA + LOADER_AREA_SIZE + 0x100000)
		return fail(err, errlen, "guest RAM too small to load a kernel");
	if (o->cmdline && strlen(o->cmdline) >= LOADER_NAME_OFF)
		return fail(err, errlen, "kernel command line longer than %d bytes", LOADER_NAME_OFF - 1);
	const char *z = compressed_kind(img, len);
	if (z)
		return fail(err, errlen, "a %s-compressed file: decompress it first (" SUPPORTED ")", z);
	bool bz = linux_is_bzimage(img, len);
	if (bz && (o->fmt == IMAGE_AUTO || o->fmt == IMAGE_LINUX || o->fmt == IMAGE_LINUX32))
		return linux_load_bzimage(m, img, len, o, bs, err, errlen);
	if (o->fmt == IMAGE_LINUX32)
		return fail(err, errlen, "--format linux32 takes a bzImage, and this is none");
	int is_elf = len >= EI_NIDENT && !memcmp(img, ELFMAG, SELFMAG);
	int is_elf64 = is_elf && img[EI_CLASS] == ELFCLASS64 && len >= sizeof(Elf64_Ehdr);
	if (o->fmt == IMAGE_ELF64 || o->fmt == IMAGE_LINUX || o->fmt == IMAGE_PVH ||
	    (o->fmt == IMAGE_AUTO && is_elf64)) {
		if (!is_elf64)
			return fail(err, errlen, bz ? "a bzImage is not an ELF64 image (use --format auto or linux)"
					: is_elf ? "not an ELF64 image (wrong ELF class or truncated header)"
						 : "not an ELF image");
		return load_elf64(m, img, len, o, bs, err, errlen);
	}
	size_t off;
	if (o->fmt == IMAGE_AUTO && !find_mb_header(img, len, &off))
		return fail(err, errlen, is_elf ? "ELF32 image without a Multiboot header: not bootable (" SUPPORTED ")"
					      : "not a kernel image pvbench knows: " SUPPORTED);
	return load_multiboot(m, img, len, o, bs, err, errlen);
}

int loader_load(struct guest_mem *m, const uint8_t *img, size_t len, const struct load_opts *o,
		struct boot_state *bs, char *err, size_t errlen)
{
	memset(bs, 0, sizeof(*bs));
	if (load(m, img, len, o, bs, err, errlen))
		return -1;
	mptable_write(m, X86_CPUID_SIGNATURE, X86_CPUID_L1_EDX);
	bda_write(m);
	return 0;
}

static const char *const format_names[] = {
	[IMAGE_AUTO] = "auto", [IMAGE_ELF64] = "elf64", [IMAGE_MULTIBOOT] = "multiboot",
	[IMAGE_LINUX] = "linux", [IMAGE_LINUX32] = "linux32", [IMAGE_PVH] = "pvh",
};

const char *loader_format_name(enum image_format f) { return format_names[f]; }

int loader_format_parse(const char *name)
{
	for (size_t k = 0; k < sizeof(format_names) / sizeof(format_names[0]); k++)
		if (!strcmp(name, format_names[k]))
			return (int)k;
	return -1;
}

void loader_elf64_headers(uint8_t *img, uint64_t entry, uint64_t vaddr, uint64_t file_off, uint64_t size)
{
	_Static_assert(sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr) == ELF64_HEADERS_SIZE, "ELF64 header sizes");
	Elf64_Ehdr eh = { .e_type = ET_EXEC, .e_machine = EM_X86_64, .e_version = EV_CURRENT, .e_entry = entry,
			  .e_phoff = sizeof(eh), .e_ehsize = sizeof(eh), .e_phentsize = sizeof(Elf64_Phdr), .e_phnum = 1 };
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	Elf64_Phdr ph = { .p_type = PT_LOAD, .p_flags = PF_R | PF_W | PF_X, .p_offset = file_off, .p_vaddr = vaddr,
			  .p_paddr = vaddr, .p_filesz = size, .p_memsz = size, .p_align = 0x1000 };
	memcpy(img, &eh, sizeof(eh));
	memcpy(img + sizeof(eh), &ph, sizeof(ph));
}

uint8_t *loader_read_file(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fail(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 1 << 20;
			uint8_t *p = realloc(buf, cap);
			if (!p || cap > (256u << 20)) {
				free(p ? p : buf);
				fclose(f);
				fail(err, errlen, "%s is too large for a kernel image", path);
				return NULL;
			}
			buf = p;
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad || !n) {
		free(buf);
		fail(err, errlen, bad ? "cannot read %s" : "%s is empty", path);
		return NULL;
	}
	*len = n;
	return buf;
}

int loader_load_file(struct guest_mem *m, const char *path, const char *initrd_path, const struct load_opts *o,
		     struct boot_state *bs, char *err, size_t errlen)
{
	size_t len, ilen = 0;
	uint8_t *img = loader_read_file(path, &len, err, errlen), *initrd = NULL;
	if (!img)
		return -1;
	if (initrd_path && !(initrd = loader_read_file(initrd_path, &ilen, err, errlen))) {
		free(img);
		return -1;
	}
	struct load_opts lo = *o;
	if (!lo.name)
		lo.name = path;
	if (initrd) {
		lo.initrd = initrd;
		lo.initrd_len = ilen;
	}
	int r = loader_load(m, img, len, &lo, bs, err, errlen);
	free(img);
	free(initrd);
	return r;
}
