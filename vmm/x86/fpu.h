/* The checks x87 and SSE instructions make before touching their state (fpu.c). */
#ifndef X86_FPU_H
#define X86_FPU_H
#include "cpu.h"

/* x87: #NM with CR0.EM or CR0.TS */
void fpu_check_x87(struct x86_cpu *c);
/* SSE: #UD with CR0.EM or without CR4.OSFXSR, #NM with CR0.TS */
void fpu_check_sse(struct x86_cpu *c);

/* the physical register that is ST(0) */
static inline unsigned fpu_top(const struct fpu *f) { return (f->fsw >> 11) & 7; }

#endif
