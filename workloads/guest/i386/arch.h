/* The 32-bit guest: its trap frame (entry.S builds it: pushal under the vector and error
 * code) and where its test windows lie, above the identity map of RAM. */
#ifndef GUEST_ARCH_H
#define GUEST_ARCH_H
#include <stdint.h>

#define GUEST_ARCH "i386"

struct trap_frame {
	uint32_t edi, esi, ebp, esp_at_pusha, ebx, edx, ecx, eax;
	uint32_t vector, error;
	uint32_t eip, cs, eflags;
	uint32_t esp, ss; /* only from ring 3 */
};
#define FRAME_PC(f) ((f)->eip)

#define WINDOW_VA   0xc0000000u /* the last GiB: 4 KiB-paged test windows */
#define WINDOW_SPAN 0x400000u   /* a 2-level page table's worth (two in PAE) */
#define PTE_ADDR(e) ((e) & 0x000ffffffffff000ull)

/* How the guest calls the VMI ROM: regparm(3), as Linux's i386 kernel did */
#define VMI_CALLCONV __attribute__((regparm(3)))

#endif
