/* Guest-physical memory and the machine's memory map. */
#ifndef VMM_MEM_H
#define VMM_MEM_H
#include <stddef.h>
#include <stdint.h>

#define MEM_DEFAULT_MB 64
#define MEM_MIN_MB 8
#define MEM_MAX_MB 3072          /* RAM stays below the 32-bit device hole */
#define OPTROM_BASE 0xc0000      /* option-ROM window, reserved for the VMI ROM */
#define OPTROM_END  0xe0000

struct guest_mem {
	uint8_t *host;
	uint64_t size;
	int fd;                  /* the memfd behind host, for other mappings of its frames */
};

int mem_init(struct guest_mem *m, uint64_t size);
void mem_free(struct guest_mem *m);
/* Host pointer to [gpa, gpa + len) if it lies wholly in RAM, else NULL. */
void *mem_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len);

#endif
