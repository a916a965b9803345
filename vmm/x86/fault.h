/* Raising an exception from inside an instruction: unwind to the step loop, which
 * restores rip to the faulting instruction and delivers it. */
#ifndef X86_FAULT_H
#define X86_FAULT_H
#include "cpu.h"

#define NO_ERROR_CODE (-1)

enum {
	EXC_DE = 0, EXC_DB = 1, EXC_BP = 3, EXC_OF = 4, EXC_BR = 5, EXC_UD = 6, EXC_NM = 7, EXC_DF = 8,
	EXC_TS = 10, EXC_NP = 11, EXC_SS = 12, EXC_GP = 13, EXC_PF = 14, EXC_MF = 16, EXC_AC = 17, EXC_XM = 19,
};

/* the step loop (x86_run) set c->fault_jmp */
static inline _Noreturn void x86_raise(struct x86_cpu *c, int vector, int error)
{
	c->fault_vector = vector;
	c->fault_error = error;
	longjmp(c->fault_jmp, 1);
}

#endif
