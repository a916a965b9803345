/* The Linux boot protocol in the loader, on generated images (a bzImage's setup header
 * and payload, a vmlinux's ELF notes) and malformed ones, and on Debian's kernel when the
 * build fetched it. */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../vmm/linux_boot.h"
#include "../vmm/loader.h"
#include "../vmm/mptable.h"

#define MEM (256u << 20)
#define SETUP_SECTS 4
#define BODY 0x3000

struct fx {
	struct guest_mem mem;
	struct boot_state bs;
	char err[256];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_int_equal(mem_init(&f->mem, MEM), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	mem_free(&f->mem);
	free(f);
	return 0;
}

static void w16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void w32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void w64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static uint32_t r32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

/* A bzImage of boot protocol 2.15: 4 setup sectors, then BODY bytes of "kernel". */
static uint8_t *bzimage(size_t *len, uint32_t init_size, uint16_t xloadflags)
{
	*len = (SETUP_SECTS + 1) * 512 + BODY;
	uint8_t *img = calloc(1, *len);
	img[0x1f1] = SETUP_SECTS;
	w16(img + 0x1fe, 0xaa55);
	img[0x201] = 0x6a; /* header through 0x26b */
	memcpy(img + 0x202, "HdrS", 4);
	w16(img + 0x206, 0x20f);
	img[0x211] = 1;
	w32(img + 0x214, 0x100000);
	w32(img + 0x22c, 0x7fffffff);
	w32(img + 0x230, 0x200000);
	img[0x234] = 1;
	w16(img + 0x236, xloadflags);
	w32(img + 0x238, 2047);
	w64(img + 0x258, 0x1000000);
	w32(img + 0x260, init_size);
	for (unsigned k = 0; k < BODY; k++)
		img[(SETUP_SECTS + 1) * 512 + k] = (uint8_t)(k * 7);
	return img;
}

static int load(struct fx *f, const uint8_t *img, size_t len, enum image_format fmt, const uint8_t *initrd, size_t ilen)
{
	struct load_opts o = { .fmt = fmt, .cmdline = "console=ttyS0 quiet", .initrd = initrd, .initrd_len = ilen };
	f->err[0] = 0;
	return loader_load(&f->mem, img, len, &o, &f->bs, f->err, sizeof(f->err));
}

static void rejects(struct fx *f, const uint8_t *img, size_t len, enum image_format fmt, const uint8_t *initrd,
		    size_t ilen, const char *needle)
{
	assert_int_equal(load(f, img, len, fmt, initrd, ilen), -1);
	if (!strstr(f->err, needle))
		fail_msg("error '%s' does not mention '%s'", f->err, needle);
}

static void bzimage_enters_at_its_64_bit_entry(void **state)
{
	struct fx *f = *state;
	size_t len;
	uint8_t *img = bzimage(&len, 0x400000, 1);
	uint8_t initrd[5000];
	memset(initrd, 0xab, sizeof(initrd));
	assert_int_equal(load(f, img, len, IMAGE_AUTO, initrd, sizeof(initrd)), 0);
	assert_int_equal(f->bs.kind, BOOT_LONG64);
	assert_int_equal(f->bs.rip, 0x1000000 + 0x200);
	assert_int_equal(f->bs.rsi, LINUX_BOOT_PARAMS);
	assert_int_equal(f->bs.cs, 0x10);
	/* the protected-mode part at pref_address, the rest of init_size zeroed */
	assert_memory_equal(mem_ptr(&f->mem, 0x1000000, BODY), img + (SETUP_SECTS + 1) * 512, BODY);
	assert_int_equal(*(uint8_t *)mem_ptr(&f->mem, 0x1000000 + BODY, 1), 0);
	const uint8_t *bp = mem_ptr(&f->mem, LINUX_BOOT_PARAMS, 0x1000);
	assert_memory_equal(bp + 0x202, "HdrS", 4);
	assert_int_equal(bp[0x210], 0xff);            /* type_of_loader */
	assert_int_equal(r32(bp + 0x228), LINUX_CMDLINE);
	assert_string_equal((const char *)mem_ptr(&f->mem, LINUX_CMDLINE, 1), "console=ttyS0 quiet");
	/* the initrd at the top of RAM, page-aligned, above the kernel */
	uint32_t rd = r32(bp + 0x218);
	assert_int_equal(r32(bp + 0x21c), sizeof(initrd));
	assert_int_equal(rd & 0xfff, 0);
	assert_true(rd >= 0x1000000 + 0x400000 && rd + sizeof(initrd) <= MEM);
	assert_memory_equal(mem_ptr(&f->mem, rd, sizeof(initrd)), initrd, sizeof(initrd));
	/* e820: low RAM, the legacy hole, RAM from 1 MiB to the end */
	assert_int_equal(bp[0x1e8], 3);
	uint64_t end;
	memcpy(&end, bp + 0x2d0 + 2 * 20 + 8, 8);
	assert_int_equal(0x100000 + end, MEM);
	/* and an MP table for the LAPIC, in the EBDA the BIOS data area names, below the base
	 * memory it reports */
	assert_memory_equal(mem_ptr(&f->mem, MPTABLE_BASE, 4), "_MP_", 4);
	uint16_t com1, ebda, base_kb;
	memcpy(&com1, mem_ptr(&f->mem, 0x400, 2), 2);
	memcpy(&ebda, mem_ptr(&f->mem, 0x40e, 2), 2);
	memcpy(&base_kb, mem_ptr(&f->mem, 0x413, 2), 2);
	assert_int_equal(com1, 0x3f8);
	assert_int_equal((uint32_t)ebda << 4, MPTABLE_BASE);
	assert_int_equal(base_kb, MPTABLE_BASE >> 10);
	free(img);
}

static void bzimage_32_bit_entry(void **state)
{
	struct fx *f = *state;
	size_t len;
	uint8_t *img = bzimage(&len, 0x400000, 0); /* no XLF_KERNEL_64: a 32-bit kernel */
	assert_int_equal(load(f, img, len, IMAGE_AUTO, NULL, 0), 0);
	assert_int_equal(f->bs.kind, BOOT_PROT32);
	assert_int_equal(f->bs.rip, 0x1000000);
	assert_int_equal(f->bs.rsi, LINUX_BOOT_PARAMS);
	assert_int_equal(f->bs.cr0 & 0x80000001, 1); /* protected mode, paging off */
	rejects(f, img, len, IMAGE_LINUX, NULL, 0, "no 64-bit entry");
	free(img);
}

static void malformed_bzimages(void **state)
{
	struct fx *f = *state;
	size_t len;
	uint8_t *img = bzimage(&len, 0x400000, 1);
	rejects(f, img, 600, IMAGE_AUTO, NULL, 0, "truncated");  /* inside the header */
	rejects(f, img, 1500, IMAGE_AUTO, NULL, 0, "truncated"); /* inside the setup sectors */
	uint8_t *big = bzimage(&len, MEM, 1); /* init_size beyond RAM */
	rejects(f, big, len, IMAGE_AUTO, NULL, 0, "--mem");
	uint8_t *huge = calloc(1, MEM);
	rejects(f, img, len, IMAGE_AUTO, huge, MEM - 0x100000, "initrd");
	w16(img + 0x206, 0x204); /* an old protocol */
	rejects(f, img, len, IMAGE_AUTO, NULL, 0, "2.10 or later");
	memcpy(img + 0x202, "HdrX", 4); /* no longer a bzImage */
	rejects(f, img, len, IMAGE_AUTO, NULL, 0, "not a kernel image");
	rejects(f, (const uint8_t *)"\x1f\x8b\x08\x00zzzz", 8, IMAGE_AUTO, NULL, 0, "gzip-compressed");
	free(img);
	free(big);
	free(huge);
}

/* An ELF64 vmlinux: one segment at physical 16 MiB (virtual in the kernel's half), the
 * entry physical, a "Linux" note and a PVH entry note. */
static uint8_t *vmlinux(size_t *len, bool notes)
{
	*len = 0x3000;
	uint8_t *img = calloc(1, *len);
	Elf64_Ehdr eh = { .e_type = ET_EXEC, .e_machine = EM_X86_64, .e_version = EV_CURRENT, .e_entry = 0x1000000,
			  .e_phoff = sizeof(eh), .e_ehsize = sizeof(eh), .e_phentsize = sizeof(Elf64_Phdr), .e_phnum = 2 };
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	Elf64_Phdr ph[2] = {
		{ .p_type = PT_LOAD, .p_offset = 0x1000, .p_vaddr = 0xffffffff81000000ull, .p_paddr = 0x1000000,
		  .p_filesz = 0x1000, .p_memsz = 0x2000 },
		{ .p_type = PT_NOTE, .p_offset = 0x200, .p_filesz = notes ? 44 : 0 },
	};
	memcpy(img, &eh, sizeof(eh));
	memcpy(img + sizeof(eh), ph, sizeof(ph));
	/* "Linux" type 0x100 (name padded to 8), then "Xen" XEN_ELFNOTE_PHYS32_ENTRY */
	uint8_t *n = img + 0x200;
	w32(n, 6);
	w32(n + 4, 4);
	w32(n + 8, 0x100);
	memcpy(n + 12, "Linux", 6);
	n += 24;
	w32(n, 4);
	w32(n + 4, 4);
	w32(n + 8, 18);
	memcpy(n + 12, "Xen", 4);
	w32(n + 16, 0x1000040);
	memset(img + 0x1000, 0xc3, 0x1000);
	return img;
}

static void vmlinux_by_its_notes(void **state)
{
	struct fx *f = *state;
	size_t len;
	uint8_t *img = vmlinux(&len, true);
	assert_int_equal(load(f, img, len, IMAGE_AUTO, NULL, 0), 0);
	assert_int_equal(f->bs.kind, BOOT_LONG64);
	assert_int_equal(f->bs.rip, 0x1000000);
	assert_int_equal(f->bs.rsi, LINUX_BOOT_PARAMS);
	assert_int_equal(*(uint8_t *)mem_ptr(&f->mem, 0x1000000, 1), 0xc3); /* placed by physical address */
	assert_int_equal(load(f, img, len, IMAGE_PVH, NULL, 0), 0);
	assert_int_equal(f->bs.kind, BOOT_PROT32);
	assert_int_equal(f->bs.rip, 0x1000040);
	assert_int_equal(f->bs.rbx, LINUX_START_INFO);
	assert_int_equal(r32(mem_ptr(&f->mem, LINUX_START_INFO, 4)), 0x336ec578);
	free(img);
	img = vmlinux(&len, false); /* no notes: a plain ELF64 kernel, Multiboot info in rsi */
	assert_int_equal(load(f, img, len, IMAGE_AUTO, NULL, 0), 0);
	assert_int_equal(f->bs.rdi, 0x2badb002);
	rejects(f, img, len, IMAGE_LINUX, NULL, 0, "not a vmlinux");
	rejects(f, img, len, IMAGE_AUTO, (const uint8_t *)"x", 1, "initrd is for Linux");
	free(img);
}

static void debian_kernel_headers(void **state)
{
	struct fx *f = *state;
	char err[256];
	size_t len;
	uint8_t *img = loader_read_file("bin/linux/vmlinuz", &len, err, sizeof(err));
	if (!img) {
		if (getenv("CI"))
			fail_msg("bin/linux/vmlinuz: %s", err);
		skip();
	}
	assert_true(linux_is_bzimage(img, len));
	assert_int_equal(load(f, img, len, IMAGE_AUTO, NULL, 0), 0);
	assert_int_equal(f->bs.kind, BOOT_LONG64);
	assert_int_equal(f->bs.rip & 0xfff, 0x200);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(bzimage_enters_at_its_64_bit_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(bzimage_32_bit_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(malformed_bzimages, setup, teardown),
		cmocka_unit_test_setup_teardown(vmlinux_by_its_notes, setup, teardown),
		cmocka_unit_test_setup_teardown(debian_kernel_headers, setup, teardown),
	};
	return cmocka_run_group_tests_name("linux boot protocol", tests, NULL, NULL);
}
