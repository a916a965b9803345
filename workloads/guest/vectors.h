/* The benchmark guest's own ABI, the same in both architectures: its interrupt vectors,
 * system-call numbers and stack size. Each architecture's layout.h adds its selectors. */
#ifndef GUEST_VECTORS_H
#define GUEST_VECTORS_H

#define VEC_TIMER    0x40
#define VEC_SYSCALL  0x80
#define VEC_SPURIOUS 0xff

#define SYS_NULL 0
#define SYS_EXIT 1

#define STACK_SIZE 16384

/* Multiboot v1: page-aligned modules, memory info, the load addresses in the header
 * (the a.out kludge, which QEMU requires of an ELF64 image). */
#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0x00010003

#endif
