/* The loader on the real guest image (both formats) and on malformed images. */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "../vmm/loader.h"
#include "../abi/proto.h"

#define GUEST "bin/pvbench-guest.elf"

struct fixture {
	struct guest_mem mem;
	uint8_t *img;
	size_t len;
	struct boot_state bs;
	char err[256];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_int_equal(mem_init(&f->mem, 64 << 20), 0);
	f->img = loader_read_file(GUEST, &f->len, f->err, sizeof(f->err));
	assert_non_null(f->img);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	mem_free(&f->mem);
	free(f->img);
	free(f);
	return 0;
}

static int load(struct fixture *f, const uint8_t *img, size_t len, enum image_format fmt)
{
	f->err[0] = 0;
	struct load_opts o = { .fmt = fmt, .cmdline = "bench=cpuid reps=3" };
	return loader_load(&f->mem, img, len, &o, &f->bs, f->err, sizeof(f->err));
}

struct mb_info_head { uint32_t flags, mem_lower, mem_upper, boot_device, cmdline; };

static void check_mbinfo(struct fixture *f, uint64_t addr)
{
	struct mb_info_head *mi = mem_ptr(&f->mem, addr, sizeof(*mi));
	assert_non_null(mi);
	assert_true(mi->flags & 0x5);
	assert_int_equal(mi->mem_upper, (64 << 10) - 1024);
	assert_string_equal((char *)mem_ptr(&f->mem, mi->cmdline, 1), "bench=cpuid reps=3");
}

static void elf64_enters_long_mode(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(load(f, f->img, f->len, IMAGE_AUTO), 0);
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f->img;
	assert_int_equal(f->bs.kind, BOOT_LONG64);
	assert_int_equal(f->bs.rip, eh->e_entry);
	assert_int_equal(f->bs.rdi, PVB_MULTIBOOT_MAGIC);
	assert_int_equal(f->bs.efer & 0x500, 0x500);
	assert_int_equal(f->bs.cr0 & 0x80000001, 0x80000001);
	check_mbinfo(f, f->bs.rsi);
	/* the identity map covers the LAPIC page with a 2 MiB entry */
	uint64_t *pd = mem_ptr(&f->mem, LOADER_AREA + LOADER_PD, 4 * 4096);
	assert_int_equal(pd[0xfee00000ull >> 21], (0xfee00000ull & ~0x1fffffull) | 0x83);
	/* the first loaded byte is the Multiboot header at 1 MiB */
	assert_int_equal(*(uint32_t *)mem_ptr(&f->mem, 0x100000, 4), 0x1badb002);
}

static void multiboot_enters_protected_mode(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(load(f, f->img, f->len, IMAGE_MULTIBOOT), 0);
	assert_int_equal(f->bs.kind, BOOT_PROT32);
	assert_int_equal(f->bs.rax, 0x2badb002);
	assert_int_equal(f->bs.cr0 & 0x80000001, 1);
	assert_true(f->bs.rip > 0x100000 && f->bs.rip < 0x200000);
	check_mbinfo(f, f->bs.rbx);
}

/* An ELF64 segment at 0x8000 (a low kernel) moves the loader's tables out of its way:
 * the page tables, the GDT, the stack and the Multiboot information lie outside it and
 * still identity-map RAM. */
static void a_low_kernel_moves_the_loaders_area(void **state)
{
	struct fixture *f = *state;
	uint8_t *copy = malloc(f->len);
	memcpy(copy, f->img, f->len);
	Elf64_Phdr *ph = (Elf64_Phdr *)(copy + ((Elf64_Ehdr *)copy)->e_phoff);
	ph->p_paddr = 0x8000;
	ph->p_memsz = 0x10000;
	ph->p_filesz = ph->p_filesz < 0x10000 ? ph->p_filesz : 0x10000;
	assert_int_equal(load(f, copy, f->len, IMAGE_ELF64), 0);
	uint64_t ends[] = { f->bs.cr3, f->bs.gdt_base, f->bs.rsp - 1, f->bs.rsi };
	for (size_t k = 0; k < sizeof(ends) / sizeof(ends[0]); k++)
		assert_true(ends[k] >= 0x18000 || ends[k] < 0x8000);
	check_mbinfo(f, f->bs.rsi);
	uint64_t *pml4 = mem_ptr(&f->mem, f->bs.cr3, 8);
	uint64_t *pdpt = mem_ptr(&f->mem, pml4[0] & ~0xfffull, 8);
	uint64_t *pd = mem_ptr(&f->mem, pdpt[0] & ~0xfffull, 8);
	assert_int_equal(pd[0], 0x83);
	free(copy);
}

static void rejects(struct fixture *f, const uint8_t *img, size_t len, enum image_format fmt, const char *needle)
{
	assert_int_equal(load(f, img, len, fmt), -1);
	if (!strstr(f->err, needle))
		fail_msg("error '%s' does not mention '%s'", f->err, needle);
}

static void malformed_images_get_one_line_errors(void **state)
{
	struct fixture *f = *state;
	uint8_t *copy = malloc(f->len);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)copy;
	Elf64_Phdr *ph = (Elf64_Phdr *)(copy + ((Elf64_Ehdr *)f->img)->e_phoff);

	rejects(f, f->img, 3000, IMAGE_ELF64, "truncated");     /* segment data cut off */
	rejects(f, f->img, 40, IMAGE_ELF64, "not an ELF64");    /* header cut off */
	rejects(f, (const uint8_t *)"hello, world", 12, IMAGE_AUTO, "not a kernel image");

	memcpy(copy, f->img, f->len);
	eh->e_entry = 0;
	rejects(f, copy, f->len, IMAGE_ELF64, "no entry point");

	memcpy(copy, f->img, f->len);
	eh->e_entry = 0x50000000;
	rejects(f, copy, f->len, IMAGE_ELF64, "in no loaded segment");

	memcpy(copy, f->img, f->len);
	ph->p_paddr = 0x7ff0000; /* runs past 64 MiB */
	ph->p_memsz = 0x100000;
	rejects(f, copy, f->len, IMAGE_ELF64, "outside guest RAM");

	memcpy(copy, f->img, f->len);
	ph->p_paddr = 0x9f000;
	rejects(f, copy, f->len, IMAGE_ELF64, "overlaps the firmware's tables");

	memcpy(copy, f->img, f->len);
	eh->e_machine = EM_AARCH64;
	rejects(f, copy, f->len, IMAGE_ELF64, "not for x86-64");

	memcpy(copy, f->img, f->len);
	copy[EI_CLASS] = ELFCLASS32; /* wrong class and (once the header is broken) no Multiboot */
	((uint32_t *)(copy + 0x1000))[2] ^= 1;
	rejects(f, copy, f->len, IMAGE_AUTO, "without a Multiboot header");
	rejects(f, copy, f->len, IMAGE_ELF64, "not an ELF64");

	memcpy(copy, f->img, f->len);
	((uint32_t *)(copy + 0x1000))[2] ^= 1; /* checksum */
	rejects(f, copy, f->len, IMAGE_MULTIBOOT, "no Multiboot v1 header");
	free(copy);
}

static void missing_and_empty_files(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(loader_load_file(&f->mem, "/nonexistent/kernel", NULL, &(struct load_opts){ 0 }, &f->bs, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "cannot open"));
	assert_int_equal(loader_load_file(&f->mem, "/dev/null", NULL, &(struct load_opts){ 0 }, &f->bs, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "empty"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(elf64_enters_long_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(multiboot_enters_protected_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(a_low_kernel_moves_the_loaders_area, setup, teardown),
		cmocka_unit_test_setup_teardown(malformed_images_get_one_line_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(missing_and_empty_files, setup, teardown),
	};
	return cmocka_run_group_tests_name("loader", tests, NULL, NULL);
}
