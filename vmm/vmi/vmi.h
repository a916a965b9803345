/* The VMM side of VMI: the ROM in guest memory, the doorbell through which its calls
 * enter, and what each call does. Every engine routes calls here: the interpreter
 * directly from the doorbell instruction, KVM through the doorbell's MMIO exit. */
#ifndef VMM_VMI_H
#define VMM_VMI_H
#include <stdbool.h>
#include <stdint.h>
#include "../../abi/vmi.h"
#include "../bus.h"
#include "../lapic.h"
#include "../mem.h"
#include "../../collect/profile.h"

/* What a call's VMM side needs (vmi_calls.def's fourth column). */
#define VMI_NEEDS_LAPIC 1 /* the machine's LAPIC model */
#define VMI_NEEDS_ARGS  2 /* the arguments and CR3 */
#define VMI_NEEDS_TSC   4 /* the guest TSC */

/* The vCPU state a call reads: its arguments (a 64-bit call's registers; a 32-bit call's
 * decoded from eax, edx, ecx and the stack), CR3 and the paging mode (to find the PTE a
 * pointer names) and the guest TSC (alarms are in guest cycles). */
struct vmi_regs {
	uint64_t arg[6];
	uint64_t ax, dx, cx, sp; /* a 32-bit call's regparm(3) registers and its stack */
	uint64_t cr3, tsc;
	unsigned paging; /* VMI_PAGING_* */
};

/* What the VMM asks of the engine. */
struct vmi_engine {
	void *opaque;
	/* the vCPU's arguments and CR3 at a doorbell read that arrived as an MMIO access,
	 * and the guest TSC if tsc */
	void (*regs)(void *opaque, struct vmi_regs *r, bool tsc);
	/* guest memory at phys was written behind the vCPU's back (NULL: nothing to do) */
	void (*wrote)(void *opaque, uint64_t phys);
	/* AllocatePage (table true) or ReleasePage announced the frame at phys: it is a page
	 * table from now on, or no longer (NULL: nothing shadows page tables) */
	void (*page_type)(void *opaque, uint64_t phys, bool table);
};

struct vmi {
	struct guest_mem *mem;
	struct bus *bus;
	struct lapic *lapic;       /* NULL: the engine keeps the LAPIC (alarm calls withdrawn) */
	uint64_t tsc_hz;
	struct vmi_engine eng;
	struct profile *prof;      /* NULL unless profiling */
	/* SetLinearMapping's slots: linear pages [va, va + pages) map frames from pfn on, as
	 * the guest said; a pointer there needs no walk */
	struct { uint64_t va, pages, pfn; } linear[VMI_LINEAR_SLOTS];
	uint64_t calls, applied, drains, bad_ptep;
	uint64_t tables_announced, tables_released, linear_hits;
};

/* Builds the ROM (offering what this machine can serve) and claims the doorbell. */
int vmi_init(struct vmi *v, struct guest_mem *mem, struct bus *bus, struct lapic *lapic, uint64_t tsc_hz);
/* One call, by number; returns what the guest gets in rax. */
uint64_t vmi_call(struct vmi *v, unsigned n, const struct vmi_regs *r);
/* One call from 32-bit code: its arguments decoded from the registers and stack in r,
 * its result also into VMI_D_RESULT; returns what the guest gets in eax. */
uint32_t vmi_call32(struct vmi *v, unsigned n, struct vmi_regs *r);
/* The paging mode of a vCPU with these CR0, CR4 and EFER. */
unsigned vmi_paging_of(uint64_t cr0, uint64_t cr4, uint64_t efer);
/* Writes the ROM image into guest memory; `withdraw` calls whose needs are set in it get
 * RELOC_NONE. Exposed for tests that damage the image afterwards. */
void vmi_rom_install(struct guest_mem *mem, unsigned withdraw);
const char *vmi_call_name(unsigned n);
unsigned vmi_call_needs(unsigned n);
/* Whether the ROM offers call n when the calls needing `withdraw` are withdrawn. */
bool vmi_call_offered(unsigned n, unsigned withdraw);
/* The byte that makes an image's sum zero, recomputed after a test edits it. */
void vmi_rom_checksum(uint8_t *image);

#endif
