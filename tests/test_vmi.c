/* VMI: the ROM image as the guest's probe reads it; the VMM's queue of page-table
 * updates (order, overflow, bad pointers); the guest's probe turning down damaged ROMs
 * and saying why; and the guest's own check of every operation (selftest=pvops), which
 * must pass through the native instructions and through the ROM alike, in every engine
 * this host has (and under QEMU, the native oracle). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../collect/host.h"
#include "../lab/session.h"

#define GUEST "bin/pvbench-guest.elf"
#define MEM (16ull << 20)

static uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static uint16_t rd16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

static void rom_layout(void **state)
{
	(void)state;
	struct guest_mem mem;
	assert_int_equal(mem_init(&mem, MEM), 0);
	for (int withdraw = 0; withdraw <= VMI_NEEDS_LAPIC; withdraw += VMI_NEEDS_LAPIC) {
		vmi_rom_install(&mem, (unsigned)withdraw);
		const uint8_t *r = mem_ptr(&mem, VMI_ROM_BASE, VMI_ROM_SIZE);
		assert_int_equal(rd16(r), 0xaa55);
		assert_memory_equal(r + VMI_H_VMI_SIG, "cVmi", 4);
		assert_int_equal(r[VMI_H_API_MAJ], 3);
		assert_int_equal(r[VMI_H_LENGTH] * 512, VMI_ROM_SIZE);
		uint8_t sum = 0;
		for (unsigned i = 0; i < VMI_ROM_SIZE; i++)
			sum = (uint8_t)(sum + r[i]);
		assert_int_equal(sum, 0);
		assert_memory_equal(r + rd16(r + VMI_H_PCI), "PCIR", 4);
		assert_int_equal(rd16(r + rd16(r + VMI_H_PCI) + 4), VMI_PCI_VENDOR);
		assert_int_equal(rd16(r + rd16(r + VMI_H_PCI) + 6), VMI_PCI_DEVICE);
		assert_string_equal((const char *)r + rd16(r + VMI_H_LICENSE), "GPL v2");
		assert_int_equal(r[VMI_H_INIT], 0xe9);      /* jmp rel32 into the code */
		assert_int_equal(r[VMI_H_GET_RELOC], 0xe9);
		for (unsigned n = 0; n < VMI_NCALLS; n++) {
			const uint8_t *e = r + VMI_RELOC_OFF + 16 * n, *e32 = r + VMI_RELOC32_OFF + 8 * n;
			bool offered = strcmp(vmi_call_name(n), "unknown") &&
				       !(vmi_call_needs(n) & (unsigned)withdraw);
			/* 2-level page-table entries are 32-bit code's alone */
			bool offered64 = offered && n != VMI_CALL_SetPxE && n != VMI_CALL_UpdatePxE;
			assert_int_equal(rd64(e + 8), offered64 ? VMI_RELOC_CALL_REL : VMI_RELOC_NONE);
			assert_int_equal(rd64(e), offered64 ? VMI_SLOT_ADDR(n) : 0);
			assert_int_equal(rd32(e32 + 4), offered ? VMI_RELOC_CALL_REL : VMI_RELOC_NONE);
			assert_int_equal(rd32(e32), offered ? VMI_SLOT32_ADDR(n) : 0);
			if (offered64) /* every offered slot holds code */
				assert_int_not_equal(r[VMI_CODE_OFF + n * VMI_SLOT], 0);
			if (offered)
				assert_int_not_equal(r[VMI_CODE32_OFF + n * VMI_SLOT], 0);
		}
		const uint8_t *alarm = r + VMI_RELOC_OFF + 16 * VMI_CALL_SetAlarm;
		assert_int_equal(rd64(alarm + 8), withdraw ? VMI_RELOC_NONE : VMI_RELOC_CALL_REL);
	}
	mem_free(&mem);
}

/* Identity-mapped first 2 MiB (one large page), page tables at 64 KiB. */
#define CR3 0x10000ull
static void identity_map(struct guest_mem *m)
{
	uint64_t *pml4 = mem_ptr(m, CR3, 0x3000);
	memset(pml4, 0, 0x3000);
	pml4[0] = (CR3 + 0x1000) | 3;
	pml4[512] = (CR3 + 0x2000) | 3;
	pml4[1024] = 0x83;
}

/* A machine with the VMI ROM, the first 2 MiB identity-mapped, VMI initialised; r holds
 * its CR3 */
static void vmi_machine(struct machine *m, struct vmi_regs *r)
{
	char err[128];
	struct machine_config mc = { .mem_bytes = MEM, .serial_echo_fd = -1, .vmi = true, .tsc_hz = 1000000000 };
	assert_int_equal(machine_init(m, &mc, err, sizeof(err)), 0);
	identity_map(&m->mem);
	*r = (struct vmi_regs){ .cr3 = CR3 };
	vmi_call(&m->vmi, VMI_INIT_CALL, r);
}

static void queue_keeps_order_and_survives_overflow(void **state)
{
	(void)state;
	struct machine m;
	struct vmi_regs r;
	vmi_machine(&m, &r);
	uint32_t *count = mem_ptr(&m.mem, VMI_D_QCOUNT, 4);
	uint64_t *q = mem_ptr(&m.mem, VMI_D_QUEUE, 16 * VMI_QUEUE_MAX);
	uint64_t *pt = mem_ptr(&m.mem, 0x40000, 0x1000);
	/* a full queue with each of 8 entries written 64 times, in order */
	for (unsigned i = 0; i < VMI_QUEUE_MAX; i++) {
		q[2 * i] = 0x40000 + 8 * (i % 8);
		q[2 * i + 1] = 0x1000ull * i | 1;
	}
	*count = VMI_QUEUE_MAX;
	/* the update that found the queue full: applied after everything queued */
	r.arg[0] = 0xabc001;
	r.arg[1] = 0x40000;
	vmi_call(&m.vmi, VMI_CALL_SetPxELong, &r);
	assert_int_equal(*count, 0);
	assert_int_equal(pt[0], 0xabc001);
	for (unsigned e = 1; e < 8; e++)
		assert_int_equal(pt[e], 0x1000ull * (VMI_QUEUE_MAX - 8 + e) | 1);
	/* leaving lazy mode applies what is queued; a pointer to nowhere is counted, not written */
	q[0] = 0x40010; q[1] = 7;
	q[2] = 0x7fff000000ull; q[3] = 9;
	q[4] = 0x40010; q[5] = 11;
	*count = 3;
	r.arg[0] = VMI_LAZY_NONE;
	vmi_call(&m.vmi, VMI_CALL_SetLazyMode, &r);
	assert_int_equal(pt[2], 11);
	assert_int_equal(m.vmi.bad_ptep, 1);
	assert_int_equal(*count, 0);
	machine_free(&m);
}

/* SetLinearMapping: a pointer in a slot's range names the frame the guest said, with no
 * walk (here a linear address no table maps); an emptied slot names nothing again.
 * AllocatePage and ReleasePage are counted. */
static void linear_mappings_and_page_announcements(void **state)
{
	(void)state;
	struct machine m;
	struct vmi_regs r;
	vmi_machine(&m, &r);
	uint64_t *pt = mem_ptr(&m.mem, 0x40000, 0x1000), far = 0x7fff0000000ull;
	r.arg[0] = 0, r.arg[1] = far, r.arg[2] = 1, r.arg[3] = 0x40; /* slot 0: one page at frame 0x40 */
	vmi_call(&m.vmi, VMI_CALL_SetLinearMapping, &r);
	r.arg[0] = 0x123001, r.arg[1] = far + 0x18, r.arg[2] = 0;
	vmi_call(&m.vmi, VMI_CALL_SetPxELong, &r);
	assert_int_equal(pt[3], 0x123001);
	assert_int_equal(m.vmi.linear_hits, 1);
	assert_int_equal(m.vmi.bad_ptep, 0);
	r.arg[0] = 0, r.arg[1] = far, r.arg[2] = 0, r.arg[3] = 0;
	vmi_call(&m.vmi, VMI_CALL_SetLinearMapping, &r);
	r.arg[0] = 0x456001, r.arg[1] = far + 0x18, r.arg[2] = 0;
	vmi_call(&m.vmi, VMI_CALL_SetPxELong, &r);
	assert_int_equal(pt[3], 0x123001);
	assert_int_equal(m.vmi.bad_ptep, 1);
	r.arg[0] = 0x40, r.arg[1] = VMI_PAGE_PT;
	vmi_call(&m.vmi, VMI_CALL_AllocatePage, &r);
	vmi_call(&m.vmi, VMI_CALL_ReleasePage, &r);
	assert_int_equal(m.vmi.tables_announced, 1);
	assert_int_equal(m.vmi.tables_released, 1);
	machine_free(&m);
}

static char hello[PVB_TEXT_LEN];
static void on_msg(void *opaque, const struct pvb_msg *msg)
{
	(void)opaque;
	if (msg->type == PVB_MSG_HELLO)
		snprintf(hello, sizeof(hello), "%s", msg->text);
}

/* The guest's self-check under emulate with the ROM edited first; its exit status. */
static int selftest_with_rom(void (*edit)(uint8_t *rom))
{
	struct machine m;
	char err[256];
	struct machine_config mc = { .mem_bytes = 64 << 20, .serial_echo_fd = -1, .on_msg = on_msg,
				     .tsc_hz = host_tsc_hz(), .vmi = true };
	assert_int_equal(machine_init(&m, &mc, err, sizeof(err)), 0);
	edit(mem_ptr(&m.mem, VMI_ROM_BASE, VMI_ROM_SIZE));
	struct boot_state bs;
	assert_int_equal(loader_load_file(&m.mem, GUEST, NULL, &(struct load_opts){ .fmt = IMAGE_ELF64, .cmdline = "selftest=pvops" }, &bs, err, sizeof(err)), 0);
	const struct engine_ops *emu = mode_find("emulate")->engine;
	void *vm = emu->create(&m, &bs, err, sizeof(err));
	assert_non_null(vm);
	struct run_outcome out;
	hello[0] = 0;
	emu->run(vm, 120000, &out);
	emu->destroy(vm);
	machine_free(&m);
	assert_int_equal(out.end, RUN_EXITED);
	return out.exit_status;
}

static void keep(uint8_t *r) { (void)r; }
static void bad_signature(uint8_t *r) { r[VMI_H_VMI_SIG + 3] = 'X'; vmi_rom_checksum(r); }
static void bad_version(uint8_t *r) { r[VMI_H_API_MAJ] = 2; vmi_rom_checksum(r); }
static void bad_checksum(uint8_t *r) { r[VMI_ROM_SIZE - 1] = (uint8_t)(r[VMI_ROM_SIZE - 1] + 0x5a); }
static void bad_license(uint8_t *r) { memcpy(r + VMI_LICENSE_OFF, "MIT", 4); vmi_rom_checksum(r); }

static void probe_turns_down_damaged_roms(void **state)
{
	(void)state;
	static const struct { void (*edit)(uint8_t *); const char *says; } cases[] = {
		{ keep, "vmi 3.0 (ROM at 0xc8000" },
		{ bad_signature, "native (no VMI ROM in 0xc0000-0xdffff)" },
		{ bad_version, "native (VMI ROM at 0xc8000 rejected: API version 2.0, not 3.x)" },
		{ bad_checksum, "native (VMI ROM at 0xc8000 rejected: checksum is off by 0x5a)" },
		{ bad_license, "native (VMI ROM at 0xc8000 rejected: license is not GPL)" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int status = selftest_with_rom(cases[i].edit);
		if (strncmp(hello, cases[i].says, strlen(cases[i].says)))
			fail_msg("case %zu: the guest says '%s', wanted '%s...'", i, hello, cases[i].says);
		assert_int_equal(status, 1); /* every check passed, through whichever interface it took */
	}
}

/* selftest=pvops in one mode; fails with the guest's FAIL lines. */
static void selftest_in(const char *mode_name)
{
	const struct mode *mode = mode_find(mode_name);
	char why[256];
	if (mode->engine->probe(why, sizeof(why))) {
		print_message("%s unavailable here: %s\n", mode_name, why);
		skip(); /* reported as skipped, not as passed */
	}
	FILE *log = tmpfile();
	assert_non_null(log);
	struct session s = { .mode = mode, .kernel = GUEST, .format = IMAGE_ELF64, .cmdline = "selftest=pvops",
			     .mem_bytes = 64 << 20, .echo_fd = fileno(log), .timeout_ms = 240000, .on_msg = on_msg };
	struct session_result r;
	hello[0] = 0;
	session_boot(&s, &r);
	assert_false(r.setup_failed);
	char line[256], fails[1024] = "";
	rewind(log);
	while (fgets(line, sizeof(line), log))
		if (strstr(line, "FAIL") || strstr(line, "PVB panic"))
			snprintf(fails + strlen(fails), sizeof(fails) - strlen(fails), "%s", line);
	fclose(log);
	if (r.out.end != RUN_EXITED || r.out.exit_status != 1)
		fail_msg("%s (%s): %s%s", mode_name, hello, r.out.end == RUN_EXITED ? "" : r.out.reason, fails);
	assert_int_equal(strncmp(hello, "vmi", 3) == 0, mode->iface == IFACE_VMI);
	print_message("%s: every check passed through: %s\n", mode_name, hello);
}

static void every_operation_through_each_interface(void **state)
{
	(void)state;
	selftest_in("emulate");
	selftest_in("vmi:emulate");
	selftest_in("vmi:bt");
}

static void every_operation_under_kvm(void **state)
{
	(void)state;
	selftest_in("hw");
	selftest_in("vmi:hw");
}

static void qemu_passes_the_same_checks(void **state)
{
	(void)state;
	if (system("command -v qemu-system-x86_64 >/dev/null 2>&1") != 0)
		skip();
	int rc = system("timeout 120 qemu-system-x86_64 -accel tcg -m 64 -display none -nodefaults -no-reboot"
			" -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=4 -kernel " GUEST
			" -append selftest=pvops > build/qemu-selftest.log 2>&1");
	if (!WIFEXITED(rc) || WEXITSTATUS(rc) != 1)
		fail_msg("QEMU TCG: the guest's checks did not all pass (see build/qemu-selftest.log)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rom_layout),
		cmocka_unit_test(queue_keeps_order_and_survives_overflow),
		cmocka_unit_test(linear_mappings_and_page_announcements),
		cmocka_unit_test(probe_turns_down_damaged_roms),
		cmocka_unit_test(every_operation_through_each_interface),
		cmocka_unit_test(every_operation_under_kvm),
		cmocka_unit_test(qemu_passes_the_same_checks),
	};
	return cmocka_run_group_tests_name("vmi", tests, NULL, NULL);
}
