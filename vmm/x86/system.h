/* System instructions and the pieces other handlers need from them. */
#ifndef X86_SYSTEM_H
#define X86_SYSTEM_H
#include "cpu.h"
#include "insn.h"

void mov_system(struct x86_cpu *c, const struct x86_insn *i);
void far_transfer(struct x86_cpu *c, const struct x86_insn *i, bool is_call);
void far_return(struct x86_cpu *c, const struct x86_insn *i);
/* The segment a data/stack register would hold after loading sel at privilege cpl,
 * faulting as the load would; load_segment installs it at the current CPL. */
struct segment check_segment(struct x86_cpu *c, unsigned seg, uint16_t sel, unsigned cpl);
void load_segment(struct x86_cpu *c, unsigned seg, uint16_t sel);
/* Descriptor at selector sel from the GDT (or LDT), read with supervisor rights; #GP(sel)
 * past the limit. hi (if not NULL) gets the next 8 bytes (system descriptors in long mode). */
uint64_t read_descriptor(struct x86_cpu *c, uint16_t sel, uint64_t *hi);
/* Loads CS for a transfer to privilege new_cpl, from the selector or from its
 * descriptor already read. */
void load_code_segment(struct x86_cpu *c, uint16_t sel, unsigned new_cpl);
void load_code_descriptor(struct x86_cpu *c, uint16_t sel, uint64_t d, unsigned new_cpl);
void io_permitted(struct x86_cpu *c, uint16_t port, unsigned size);
uint64_t port_in(struct x86_cpu *c, uint16_t port, unsigned size);
void port_out(struct x86_cpu *c, uint16_t port, uint64_t v, unsigned size);

/* interrupt.c */
enum event_kind { EV_EXCEPTION, EV_SOFTWARE, EV_EXTERNAL };
/* Delivers through the IDT; faults during delivery unwind through the fault path. */
void x86_deliver(struct x86_cpu *c, int vector, int error, enum event_kind kind);

#endif
