/* The benchmark guest: bring the machine up, run what the command line asks, report, exit. */
#include "kernel.h"
#include "pvops.h"

struct mb_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
};
#define MB_INFO_MEM     0x1
#define MB_INFO_CMDLINE 0x4

void harness_run(const struct config *c);
void kmain(uintptr_t magic, uintptr_t info_addr);

void kmain(uintptr_t magic, uintptr_t info_addr)
{
	console_init();
	if (magic != PVB_MULTIBOOT_MAGIC)
		panic("not started by a Multiboot loader (magic %lx)", (uint64_t)magic);
	const struct mb_info *mb = (const struct mb_info *)info_addr;
	if (!(mb->flags & MB_INFO_MEM))
		panic("the loader gave no memory size");
	const char *cmdline = (mb->flags & MB_INFO_CMDLINE) ? (const char *)(uintptr_t)mb->cmdline : "";

	static struct config cfg;
	config_parse(&cfg, cmdline);
	vmi_probe();
	trap_init();
	const char *paging = mm_init(((uint64_t)mb->mem_upper + 1024) * 1024, &cfg);
	syscall_init();
	tsc_calibrate();
	char hello[PVB_TEXT_LEN];
	fmt(hello, sizeof(hello), "%s; guest %s, %s paging", pv.name, GUEST_ARCH, paging);
	report(PVB_MSG_HELLO, "", 0, 0, 0, 0, hello);
	if (cfg.selftest)
		guest_exit(pv_selftest() ? 1 : 0);
	harness_run(&cfg);
	report(PVB_MSG_DONE, "", 0, 0, 0, 0, 0);
	guest_exit(0);
}
