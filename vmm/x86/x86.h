/* The CPU model's public face: create, load a boot state, run. */
#ifndef X86_X86_H
#define X86_X86_H
#include "cpu.h"
#include "../loader.h"
#include "../vmi/vmi.h"

/* A CPU at reset over mem and bus, with no interrupt controllers (c->intc) until the
 * engine wires the machine's. */
int x86_cpu_init(struct x86_cpu *c, struct guest_mem *mem, struct bus *bus);
void x86_cpu_free(struct x86_cpu *c);
void x86_load_boot_state(struct x86_cpu *c, const struct boot_state *bs);
/* Runs up to max instructions (rep-string elements count too: c->work); returns early after a fault (delivered), on hlt, on
 * shutdown, or when *stop becomes true. A halted CPU resumes when a LAPIC interrupt is
 * deliverable. Returns the number of instructions executed. */
uint64_t x86_run(struct x86_cpu *c, uint64_t max, const volatile bool *stop);
/* A translator of decoded blocks into host code (modes/bt). translate returns the code
 * for the n instructions of a 64-bit block, run as x86_tb_fn, and in *chain the point
 * where other translations may jump into it; or NULL to interpret the block. The code
 * adds the instructions it completes to c->count.insns. At a direct branch it goes on
 * into the next block's translation once linked there, while the epoch and the block
 * generation are those of the link and the instructions stay within c->tb_limit; where
 * it returns instead it leaves the exit in c->tb_patch, and link() points that exit at
 * the translation of the block at c->rip (n instructions) if it is the exit's target.
 * Translations belong to blocks: a block dropped (its page written, the cache full)
 * drops its translation. */
struct x86_insn;
typedef void x86_tb_fn(struct x86_cpu *c);
struct x86_jit {
	void *(*translate)(struct x86_jit *j, struct x86_cpu *c, const struct x86_insn *insn, unsigned n, void **tb);
	void (*link)(struct x86_jit *j, const struct x86_cpu *c, void *exit, void *tb, unsigned n);
};
/* Every block's translation forgotten (the translator's code cache is being reset). */
void x86_forget_translations(struct x86_cpu *c);

/* The code segment's mode (16, 32 or 64 bits) and the linear address of rip in it. */
unsigned x86_code_bits(const struct x86_cpu *c);
uint64_t x86_code_linear(const struct x86_cpu *c, uint64_t rip);

/* Lines "  field  0xA  vs  0xB" into out for every architectural field in which a and b
 * differ (registers, RFLAGS, control, segment, descriptor-table and debug registers,
 * MSRs, CPL, the run state); returns how many. */
int x86_state_diff(const struct x86_cpu *a, const struct x86_cpu *b, char *out, size_t n);

/* The arguments, CR3 and TSC a VMI call reads. */
void x86_vmi_regs(const struct x86_cpu *c, struct vmi_regs *r);

#endif
