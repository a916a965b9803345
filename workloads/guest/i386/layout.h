/* Constants shared by the 32-bit guest's C and assembly. SYSENTER_CS is SEL_KCODE:
 * sysenter takes SS from it + 8, sysexit CS and SS from it + 16 and + 24. */
#ifndef GUEST_LAYOUT_H
#define GUEST_LAYOUT_H

#define SEL_KCODE  0x08
#define SEL_KDATA  0x10
#define SEL_UCODE  0x18
#define SEL_UDATA  0x20
#define SEL_TSS    0x28

#define VEC_TIMER    0x40
#define VEC_SYSCALL  0x80
#define VEC_SPURIOUS 0xff

#define SYS_NULL 0
#define SYS_EXIT 1

#define STACK_SIZE 16384

/* Offsets into struct pv_ops of the two operations that assembly jumps through. */
#define PV_OFF_IRET   0
#define PV_OFF_SYSRET 4

#endif
