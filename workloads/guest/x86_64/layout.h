/* Constants shared by the guest's C and assembly. */
#ifndef GUEST_LAYOUT_H
#define GUEST_LAYOUT_H

#define SEL_KCODE  0x08
#define SEL_KDATA  0x10
#define SEL_UCODE32 0x18 /* unused placeholder that sysret's selector arithmetic requires */
#define SEL_UDATA  0x20
#define SEL_UCODE  0x28
#define SEL_TSS    0x30

#include "vectors.h"

#define GUEST_WORD      .quad /* a pointer in assembly */
#define GUEST_WORD_SIZE 8

/* Offsets into struct pv_ops of the two operations that assembly jumps through. */
#define PV_OFF_IRET   0
#define PV_OFF_SYSRET 8

#endif
