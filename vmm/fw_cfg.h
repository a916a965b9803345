/* QEMU's fw_cfg, the traditional I/O interface (selector at port 0x510, data at 0x511),
 * with the items firmware and test kernels ask for: the signature, the interface ID, the
 * number of CPUs, the RAM size, the kernel command line, and an empty file directory. A
 * kernel that probes for fw_cfg finds one that answers truthfully instead of 0xff bytes
 * (65534 CPUs to wait for). */
#ifndef VMM_FW_CFG_H
#define VMM_FW_CFG_H
#include <stdint.h>
#include "bus.h"

#define FW_CFG_PORT 0x510

struct fw_cfg {
	uint16_t selector;
	uint32_t offset;         /* into the selected item */
	uint64_t ram_bytes;
	uint16_t cpus;
	char cmdline[2048];      /* what the loader gave the kernel */
};

int fw_cfg_init(struct fw_cfg *f, struct bus *b, uint64_t ram_bytes, uint16_t cpus);

#endif
