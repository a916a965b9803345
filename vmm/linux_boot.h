/* The Linux x86 boot protocol (Documentation/x86/boot.rst, header 2.12+) and the PVH
 * entry: a bzImage entered at its 64-bit or 32-bit entry, an uncompressed vmlinux at its
 * physical entry, or a vmlinux's XEN_ELFNOTE_PHYS32_ENTRY with an hvm_start_info. */
#ifndef VMM_LINUX_BOOT_H
#define VMM_LINUX_BOOT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "loader.h"

/* Where the loader puts Linux's structures (inside its own area). */
#define LINUX_BOOT_PARAMS 0xa000 /* the zero page (struct boot_params) */
#define LINUX_CMDLINE     0xb000 /* up to LINUX_CMDLINE_MAX bytes */
#define LINUX_CMDLINE_MAX 0x1000
#define LINUX_START_INFO  0xc000 /* PVH: hvm_start_info, its memory map and module list */

/* True when img is a bzImage (boot sector signature and "HdrS"). */
bool linux_is_bzimage(const uint8_t *img, size_t len);
/* True when an ELF64 image carries Linux's or Xen's ELF notes: a vmlinux. *pvh_entry
 * gets XEN_ELFNOTE_PHYS32_ENTRY, 0 when absent. */
bool linux_is_vmlinux(const uint8_t *img, size_t len, uint32_t *pvh_entry);

int linux_load_bzimage(struct guest_mem *m, const uint8_t *img, size_t len, const struct load_opts *o,
		       struct boot_state *bs, char *err, size_t n);
/* After the ELF loader placed the segments (by physical address): boot_params and the
 * 64-bit entry at e_entry, or the PVH entry when asked for and present. */
int linux_enter_vmlinux(struct guest_mem *m, uint64_t entry, uint64_t kernel_end, uint32_t pvh_entry,
			const struct load_opts *o, struct boot_state *bs, char *err, size_t n);

#endif
