#include <elf.h>
#include <string.h>
#include "linux_boot.h"

/* struct boot_params offsets (arch/x86/include/uapi/asm/bootparam.h) */
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_E820_ENTRIES      0x1e8
#define BP_HDR               0x1f1 /* the setup header, as in the bzImage */
#define BP_E820_TABLE        0x2d0
#define BP_E820_MAX          128
/* setup header fields, at their offsets in the image and in boot_params */
#define HDR_SETUP_SECTS      0x1f1
#define HDR_BOOT_FLAG        0x1fe
#define HDR_JUMP             0x200 /* its second byte: the header's length past 0x202 */
#define HDR_MAGIC            0x202
#define HDR_VERSION          0x206
#define HDR_TYPE_OF_LOADER   0x210
#define HDR_LOADFLAGS        0x211
#define HDR_CODE32_START     0x214
#define HDR_RAMDISK_IMAGE    0x218
#define HDR_RAMDISK_SIZE     0x21c
#define HDR_CMD_LINE_PTR     0x228
#define HDR_INITRD_ADDR_MAX  0x22c
#define HDR_KERNEL_ALIGNMENT 0x230
#define HDR_RELOCATABLE      0x234
#define HDR_XLOADFLAGS       0x236
#define HDR_CMDLINE_SIZE     0x238
#define HDR_PREF_ADDRESS     0x258
#define HDR_INIT_SIZE        0x260
#define HDR_END_MIN          0x264 /* the fields above are all there from 2.10 on */

#define LOADED_HIGH          0x01
#define XLF_KERNEL_64        0x01
#define E820_RAM             1
#define E820_RESERVED        2
#define TYPE_OF_LOADER_OTHER 0xff
#define BOOT_PROTOCOL_MIN    0x20a /* pref_address and init_size */
#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define HVM_START_MAGIC      0x336ec578

static uint16_t rd16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static void wr16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void wr32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

bool linux_is_bzimage(const uint8_t *img, size_t len)
{
	return len >= HDR_MAGIC + 4 && rd16(img + HDR_BOOT_FLAG) == 0xaa55 && !memcmp(img + HDR_MAGIC, "HdrS", 4);
}

#define NOTE_ANY 0xffffffffu

/* Walks the notes of every PT_NOTE segment for name/type; the descriptor or NULL. */
static const uint8_t *find_note(const uint8_t *img, size_t len, const char *name, uint32_t type, uint32_t *dsz)
{
	Elf64_Ehdr eh;
	memcpy(&eh, img, sizeof(eh));
	if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phoff > len ||
	    (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) > len - eh.e_phoff)
		return NULL;
	size_t nlen = strlen(name) + 1;
	for (int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		memcpy(&ph, img + eh.e_phoff + (size_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_NOTE || ph.p_offset > len || ph.p_filesz > len - ph.p_offset)
			continue;
		for (uint64_t o = 0; o + 12 <= ph.p_filesz;) {
			const uint8_t *n = img + ph.p_offset + o;
			uint32_t ns = rd32(n), ds = rd32(n + 4), t = rd32(n + 8);
			uint64_t desc = 12 + (((uint64_t)ns + 3) & ~3ull), next = desc + (((uint64_t)ds + 3) & ~3ull);
			if (o + next > ph.p_filesz)
				break;
			if ((t == type || type == NOTE_ANY) && ns == nlen && !memcmp(n + 12, name, nlen)) {
				*dsz = ds;
				return n + desc;
			}
			o += next;
		}
	}
	return NULL;
}

bool linux_is_vmlinux(const uint8_t *img, size_t len, uint32_t *pvh_entry)
{
	uint32_t ds = 0;
	const uint8_t *d = find_note(img, len, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, &ds);
	*pvh_entry = d && ds >= 4 ? rd32(d) : 0;
	/* Linux's own notes (build salt, LTO info) are named "Linux" */
	return *pvh_entry || find_note(img, len, "Linux", NOTE_ANY, &ds);
}

/* The map the kernel is given: low RAM, the legacy hole (BIOS area, option ROMs: the
 * VMI ROM), RAM from 1 MiB. */
struct e820 { uint64_t addr, size; uint32_t type; } __attribute__((packed));

static int memory_map(const struct guest_mem *m, struct e820 *e)
{
	e[0] = (struct e820){ 0, 0x9fc00, E820_RAM };
	e[1] = (struct e820){ 0x9fc00, 0x100000 - 0x9fc00, E820_RESERVED };
	e[2] = (struct e820){ 0x100000, m->size - 0x100000, E820_RAM };
	return 3;
}

/* The initrd at the top of RAM below the kernel's limit, page-aligned, above the
 * kernel's end: its address, 0 for none; -1 with err when it does not fit. */
static int64_t place_initrd(struct guest_mem *m, const struct load_opts *o, uint64_t kernel_end, uint64_t max,
			    char *err, size_t n)
{
	if (!o->initrd)
		return 0;
	uint64_t top = m->size < max ? m->size : max;
	uint64_t at = top > o->initrd_len ? (top - o->initrd_len) & ~0xfffull : 0;
	if (at < kernel_end)
		return loader_fail(err, n, "initrd of %zu MiB does not fit between the kernel's end (0x%llx) and 0x%llx: "
			    "give the guest more memory (--mem)", o->initrd_len >> 20, (unsigned long long)kernel_end,
			    (unsigned long long)top);
	memcpy(mem_ptr(m, at, o->initrd_len), o->initrd, o->initrd_len);
	return (int64_t)at;
}

static int write_cmdline(struct guest_mem *m, const struct load_opts *o, uint32_t max, char *err, size_t n)
{
	const char *cl = o->cmdline ? o->cmdline : "";
	if (strlen(cl) >= max || strlen(cl) >= LINUX_CMDLINE_MAX)
		return loader_fail(err, n, "kernel command line of %zu bytes: this kernel takes at most %u", strlen(cl),
			    (max < LINUX_CMDLINE_MAX ? max : LINUX_CMDLINE_MAX) - 1);
	char *dst = mem_ptr(m, LINUX_CMDLINE, LINUX_CMDLINE_MAX);
	memset(dst, 0, LINUX_CMDLINE_MAX);
	memcpy(dst, cl, strlen(cl));
	return 0;
}

/* The zero page: hdr (the image's setup header, or NULL to make one for a vmlinux), the
 * command line, the initrd and the memory map. */
static int write_boot_params(struct guest_mem *m, const uint8_t *hdr, size_t hdr_len, uint64_t kernel_end,
			     const struct load_opts *o, char *err, size_t n)
{
	uint8_t *bp = mem_ptr(m, LINUX_BOOT_PARAMS, 0x1000);
	memset(bp, 0, 0x1000);
	if (hdr) {
		memcpy(bp + BP_HDR, hdr, hdr_len);
	} else {
		wr16(bp + HDR_BOOT_FLAG, 0xaa55);
		memcpy(bp + HDR_MAGIC, "HdrS", 4);
		wr16(bp + HDR_VERSION, 0x20f);
		bp[HDR_LOADFLAGS] = LOADED_HIGH;
		wr32(bp + HDR_KERNEL_ALIGNMENT, 0x1000000);
		wr32(bp + HDR_INITRD_ADDR_MAX, 0x7fffffff);
		wr32(bp + HDR_CMDLINE_SIZE, LINUX_CMDLINE_MAX - 1);
	}
	uint32_t cmax = rd16(bp + HDR_VERSION) >= 0x206 ? rd32(bp + HDR_CMDLINE_SIZE) + 1 : 256;
	if (write_cmdline(m, o, cmax, err, n))
		return -1;
	int64_t rd = place_initrd(m, o, kernel_end, (uint64_t)rd32(bp + HDR_INITRD_ADDR_MAX) + 1, err, n);
	if (rd < 0)
		return -1;
	bp[HDR_TYPE_OF_LOADER] = TYPE_OF_LOADER_OTHER;
	wr32(bp + HDR_CMD_LINE_PTR, LINUX_CMDLINE);
	wr32(bp + HDR_RAMDISK_IMAGE, (uint32_t)rd);
	wr32(bp + HDR_RAMDISK_SIZE, rd ? (uint32_t)o->initrd_len : 0);
	wr32(bp + BP_EXT_RAMDISK_IMAGE, (uint32_t)((uint64_t)rd >> 32));
	struct e820 e[BP_E820_MAX];
	int ne = memory_map(m, e);
	bp[BP_E820_ENTRIES] = (uint8_t)ne;
	memcpy(bp + BP_E820_TABLE, e, (size_t)ne * sizeof(e[0]));
	return 0;
}

static void enter64(struct boot_state *bs, struct guest_mem *m, uint64_t rip)
{
	loader_identity_map(m, LOADER_AREA);
	loader_gdt(m, LOADER_AREA, bs, true);
	bs->kind = BOOT_LONG64;
	bs->cs = 0x10; /* __BOOT_CS */
	bs->rip = rip;
	bs->rsp = LOADER_AREA + LOADER_STACK_TOP;
	bs->rsi = LINUX_BOOT_PARAMS;
	bs->cr0 = 0x80050033; /* PG WP NE ET MP PE */
	bs->cr3 = LOADER_AREA + LOADER_PML4;
	bs->cr4 = 0x20;       /* PAE */
	bs->efer = 0x500;     /* LMA LME */
}

/* Flat 32-bit protected mode, paging off: the 32-bit boot protocol and PVH. */
static void enter32(struct boot_state *bs, struct guest_mem *m, uint64_t eip)
{
	loader_gdt(m, LOADER_AREA, bs, false);
	bs->kind = BOOT_PROT32;
	bs->cs = 0x10; /* __BOOT_CS */
	bs->rip = eip;
	bs->rsp = 0;
	bs->cr0 = 0x11; /* PE ET */
}

int linux_load_bzimage(struct guest_mem *m, const uint8_t *img, size_t len, const struct load_opts *o,
		       struct boot_state *bs, char *err, size_t n)
{
	if (len < HDR_END_MIN)
		return loader_fail(err, n, "bzImage of %zu bytes ends inside its setup header (truncated?)", len);
	uint16_t ver = rd16(img + HDR_VERSION);
	if (ver < BOOT_PROTOCOL_MIN)
		return loader_fail(err, n, "bzImage with boot protocol %u.%02u: pvbench needs 2.10 or later",
			    ver >> 8, ver & 0xff);
	size_t hdr_end = 0x202 + img[HDR_JUMP + 1];
	if (hdr_end < HDR_END_MIN || hdr_end > len)
		return loader_fail(err, n, "bzImage setup header runs past the end of the file (truncated?)");
	unsigned sects = img[HDR_SETUP_SECTS] ? img[HDR_SETUP_SECTS] : 4;
	uint64_t off = ((uint64_t)sects + 1) * 512;
	if (off >= len)
		return loader_fail(err, n, "bzImage of %zu bytes ends inside its %u setup sectors (truncated?)", len, sects);
	bool want64 = o->fmt != IMAGE_LINUX32;
	uint16_t xlf = ver >= 0x20c ? rd16(img + HDR_XLOADFLAGS) : 0;
	if (want64 && !(xlf & XLF_KERNEL_64)) {
		if (o->fmt == IMAGE_LINUX)
			return loader_fail(err, n, "this bzImage has no 64-bit entry (XLF_KERNEL_64): a 32-bit kernel (use --format linux32)");
		want64 = false;
	}
	uint64_t load = rd64(img + HDR_PREF_ADDRESS), align = rd32(img + HDR_KERNEL_ALIGNMENT);
	uint64_t init = rd32(img + HDR_INIT_SIZE), body = len - off;
	if (img[HDR_RELOCATABLE] && align && (load & (align - 1)))
		load = (load + align - 1) & ~(align - 1);
	if (init < body)
		init = body;
	if (load + init > m->size)
		return loader_fail(err, n, "this kernel needs RAM up to 0x%llx (loaded at 0x%llx, init_size %llu MiB) and the guest has %llu MiB: "
			    "give it more (--mem)", (unsigned long long)(load + init), (unsigned long long)load,
			    (unsigned long long)(init >> 20), (unsigned long long)(m->size >> 20));
	if (load < LOADER_AREA + LOADER_AREA_SIZE)
		return loader_fail(err, n, "this bzImage loads at 0x%llx, over the boot protocol's tables at 0x%x-0x%x",
				   (unsigned long long)load, LOADER_AREA, LOADER_AREA + LOADER_AREA_SIZE);
	if (loader_place(m, img, len, off, body, load, init, err, n) ||
	    write_boot_params(m, img + BP_HDR, hdr_end - BP_HDR, load + init, o, err, n))
		return -1;
	uint8_t *bp = mem_ptr(m, LINUX_BOOT_PARAMS, 0x1000);
	wr32(bp + HDR_CODE32_START, (uint32_t)load);
	if (want64) {
		enter64(bs, m, load + 0x200);
	} else {
		enter32(bs, m, load);
		bs->rsi = LINUX_BOOT_PARAMS;
	}
	return 0;
}

/* PVH: hvm_start_info (xen/include/public/arch-x86/hvm/start_info.h, version 1) with
 * the command line, the initrd as module 0 and the memory map. */
struct hvm_start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
	uint32_t memmap_entries, reserved;
};
struct hvm_modlist_entry { uint64_t paddr, size, cmdline_paddr, reserved; };
struct hvm_memmap_entry { uint64_t addr, size; uint32_t type, reserved; };

static int write_start_info(struct guest_mem *m, uint64_t kernel_end, const struct load_opts *o, char *err, size_t n)
{
	if (write_cmdline(m, o, LINUX_CMDLINE_MAX, err, n))
		return -1;
	int64_t rd = place_initrd(m, o, kernel_end, 0x100000000ull, err, n);
	if (rd < 0)
		return -1;
	uint8_t *p = mem_ptr(m, LINUX_START_INFO, 0x1000);
	memset(p, 0, 0x1000);
	struct hvm_start_info si = { .magic = HVM_START_MAGIC, .version = 1, .cmdline_paddr = LINUX_CMDLINE };
	struct hvm_modlist_entry mod = { .paddr = (uint64_t)rd, .size = o->initrd_len };
	struct e820 e[8];
	int ne = memory_map(m, e);
	struct hvm_memmap_entry mm[8];
	for (int k = 0; k < ne; k++)
		mm[k] = (struct hvm_memmap_entry){ e[k].addr, e[k].size, e[k].type, 0 };
	si.memmap_paddr = LINUX_START_INFO + 0x100;
	si.memmap_entries = (uint32_t)ne;
	memcpy(p + 0x100, mm, (size_t)ne * sizeof(mm[0]));
	if (rd) {
		si.nr_modules = 1;
		si.modlist_paddr = LINUX_START_INFO + 0x80;
		memcpy(p + 0x80, &mod, sizeof(mod));
	}
	memcpy(p, &si, sizeof(si));
	return 0;
}

int linux_enter_vmlinux(struct guest_mem *m, uint64_t entry, uint64_t kernel_end, uint32_t pvh_entry,
			const struct load_opts *o, struct boot_state *bs, char *err, size_t n)
{
	if (o->fmt == IMAGE_PVH) {
		if (!pvh_entry)
			return loader_fail(err, n, "this vmlinux has no PVH entry (XEN_ELFNOTE_PHYS32_ENTRY): use --format linux");
		if (write_start_info(m, kernel_end, o, err, n))
			return -1;
		enter32(bs, m, pvh_entry);
		bs->rbx = LINUX_START_INFO;
		return 0;
	}
	if (write_boot_params(m, NULL, 0, kernel_end, o, err, n))
		return -1;
	enter64(bs, m, entry);
	return 0;
}
