/* Constants shared by the 32-bit guest's C and assembly. SYSENTER_CS is SEL_KCODE:
 * sysenter takes SS from it + 8, sysexit CS and SS from it + 16 and + 24. */
#ifndef GUEST_LAYOUT_H
#define GUEST_LAYOUT_H

#define SEL_KCODE  0x08
#define SEL_KDATA  0x10
#define SEL_UCODE  0x18
#define SEL_UDATA  0x20
#define SEL_TSS    0x28

#include "vectors.h"

#define GUEST_WORD      .long /* a pointer in assembly */
#define GUEST_WORD_SIZE 4

/* Offsets into struct pv_ops of the two operations that assembly jumps through. */
#define PV_OFF_IRET   0
#define PV_OFF_SYSRET 4

#endif
