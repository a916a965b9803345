/* The 64-bit guest: its trap frame (entry.S builds it) and where its test windows lie. */
#ifndef GUEST_ARCH_H
#define GUEST_ARCH_H
#include <stdint.h>

#define GUEST_ARCH "x86_64"

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};
#define FRAME_PC(f) ((f)->rip)

#define WINDOW_VA   0x0000008000000000ull /* PML4 slot 1: 4 KiB-paged test windows */
#define WINDOW_SPAN 0x200000ull           /* one page table's worth */
#define PTE_ADDR(e) ((e) & 0x000ffffffffff000ull)

/* How the guest calls the VMI ROM: System V */
#define VMI_CALLCONV

#endif
