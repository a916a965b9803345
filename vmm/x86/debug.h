/* The debug architecture: DR0-DR3 breakpoints (execute, write, read/write, I/O with
 * CR4.DE; lengths 1, 2, 4, 8) enabled by DR7, status in DR6, TF single-step, RF. While any of it is armed
 * (c->debugging) the CPU runs one instruction at a time in the interpreter, and pages
 * holding a data breakpoint stay out of the soft TLB, so that every access to them
 * takes the slow path, which checks it. */
#ifndef X86_DEBUG_H
#define X86_DEBUG_H
#include "cpu.h"
#include "insn.h"

#define DR6_FIXED 0xffff0ff0ull /* reserved bits that read as ones (no RTM) */
#define DR6_BD    0x2000ull
#define DR6_BS    0x4000ull
#define DR7_FIXED 0x400ull
#define DR7_GD    0x2000ull

/* Recomputes c->debugging from TF, RF and DR7 (the run loop looks again when it moves). */
void x86_debug_update(struct x86_cpu *c);
/* MOV from/to DR0-7 (DR4/5 alias DR6/7 unless CR4.DE), at CPL 0. */
uint64_t x86_read_dr(struct x86_cpu *c, unsigned r);
void x86_write_dr(struct x86_cpu *c, unsigned r, uint64_t v);
/* A data access of size bytes at lin, from the slow path: breakpoints it hits are noted
 * for the trap after the instruction. */
void x86_debug_access(struct x86_cpu *c, uint64_t lin, unsigned size, bool write);
/* An I/O access of size bytes at port: I/O breakpoints (R/W 10, with CR4.DE) it hits. */
void x86_debug_io(struct x86_cpu *c, uint16_t port, unsigned size);
/* Whether the page at lin holds an armed data breakpoint (then it stays out of the TLB). */
bool x86_debug_watched(const struct x86_cpu *c, uint64_t lin);
/* Around one instruction the interpreter runs: before it, its instruction breakpoint (a
 * fault) and what after needs; after it (i), data breakpoints and TF as one #DB trap,
 * held past a MOV SS / POP SS, and RF cleared unless it was IRET. */
struct debug_step {
	bool tf;         /* TF as the instruction began */
	uint64_t events; /* software interrupts delivered before it */
};
struct debug_step x86_debug_before(struct x86_cpu *c);
void x86_debug_after(struct x86_cpu *c, const struct x86_insn *i, struct debug_step s);

#endif
