/* The x86 CPU model shared by the interpreter (emulate) and the translator (bt): one set
 * of semantics. State, the memory path (soft TLB over a page walk), exceptions. */
#ifndef X86_CPU_H
#define X86_CPU_H
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <x86intrin.h>
#include "../bus.h"
#include "../mem.h"

struct vmi;
struct profile;
struct x86_jit;

enum { R_AX, R_CX, R_DX, R_BX, R_SP, R_BP, R_SI, R_DI, R_R8, R_R9, R_R10, R_R11, R_R12, R_R13, R_R14, R_R15 };
enum { S_ES, S_CS, S_SS, S_DS, S_FS, S_GS, S_NONE = 7 };

#define F_CF 0x0001u
#define F_PF 0x0004u
#define F_AF 0x0010u
#define F_ZF 0x0040u
#define F_SF 0x0080u
#define F_TF 0x0100u
#define F_IF 0x0200u
#define F_DF 0x0400u
#define F_OF 0x0800u
#define F_IOPL 0x3000u
#define F_NT 0x4000u
#define F_RF 0x10000u
#define F_VM 0x20000u
#define F_AC 0x40000u
#define F_ID 0x200000u
#define F_ARITH (F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)

/* Lazy condition codes (QEMU's CC_OP): the last flag-setting operation and its inputs;
 * flags are computed only when something reads them. */
enum cc_op {
	CC_EFLAGS, /* cc_src holds the flags themselves */
	/* the host's flags as the translator saves them, lahf then seto al: cc_src bits 15-8
	 * are SF ZF 0 AF 0 PF 1 CF, bit 0 is OF (pushfq costs more than twice as much) */
	CC_HOST,
	CC_HOST_LOGIC, /* the same after a logic instruction: AF as the model leaves it,
			  clear, whatever the host did */
	CC_ADD, CC_ADC, CC_SUB, CC_SBB, CC_LOGIC, CC_INC, CC_DEC, CC_SHL, CC_SHR, CC_SAR,
};

struct lazy_flags {
	uint8_t op, size;      /* enum cc_op, operand size in bytes */
	uint64_t dst, src, res;
	uint32_t carry_in;     /* CF before ADC/SBB/INC/DEC (INC/DEC keep CF) */
};

struct segment {
	uint16_t sel;
	uint64_t base;
	uint32_t limit;
	uint8_t type, s, dpl, present, l, db, g;
};

struct dtable {
	uint64_t base;
	uint16_t limit;
};

#define TLB_SIZE 256

/* Physical pages whose writes must be seen (no write tag in the soft TLB, no writable
 * shadow mapping): those that hold decoded code, whose decodes a write drops (by the
 * page's generation), and those the shadow MMU found to hold page tables. */
#define WATCH_CODE   1u
#define WATCH_PTABLE 2u
struct code_map {
	uint8_t *watch;       /* per page: WATCH_* bits */
	uint32_t *gen;        /* per page: moves when its decodes are dropped (step.c) */
	uint64_t pages;
};

/* A second MMU over the guest's own tables: the translator's shadow windows for 32-bit
 * code (modes/bt/shadow.c). The CPU model tells it what can change a translation: a
 * write to a WATCH_PTABLE page, before the bytes change (done false: it drops what they
 * mapped) and after (done true: it maps what they map now where it may; the VMM's own
 * writes come only after), and a page newly watched. It is coherent by these alone, so an
 * invlpg or a CR3 reload costs it nothing; a flush (a CR0, CR3, CR4 or EFER write) marks
 * it stale, and the run loop has it sync (the windows of the paging state now into
 * c->window) before translated 32-bit code runs again. */
struct x86_shadow {
	void (*written)(void *opaque, uint64_t phys, unsigned len, bool done);
	void (*watched)(void *opaque, uint64_t phys);
	void (*sync)(void *opaque);
	/* VMI's AllocatePage (table) or ReleasePage: the guest says the frame at phys is a
	 * page table it updates only through VMI calls, or no longer one */
	void (*announce)(void *opaque, uint64_t phys, bool table);
	void *opaque;          /* NULL: no shadow */
	bool stale;
};

/* One soft-TLB entry: the linear page tag per kind of access, and the addend that turns
 * a linear address into a host pointer (QEMU's CPUTLBEntry). */
struct tlb_entry {
	/* valid for that access: the page's last address (page | 0xfff), which any address
	 * in the page or'ed with 0xfff matches; 0 when not */
	uint64_t tag_read, tag_write, tag_exec;
	uint64_t addend;
	uint64_t phys;                          /* physical page, for invalidating code */
	uint64_t global;                        /* a global page (0 or 1) */
	uint64_t pad[2];                        /* to 64 bytes: translated code indexes by a shift */
};
_Static_assert(sizeof(struct tlb_entry) == 64, "the translator's TLB probe shifts by 6");

enum x86_exit {
	X86_RUNNING,
	X86_HALTED,    /* hlt with no interrupt deliverable */
	X86_SHUTDOWN,  /* triple fault */
	X86_STOP,      /* a device asked the machine to end */
	X86_UNIMPLEMENTED, /* strict: an instruction the model does not implement (unimplemented_first) */
};

struct x86_counters {
	uint64_t insns, exceptions[32], interrupts, tlb_misses, blocks_built, insns_decoded, code_flushes;
	uint64_t unimplemented;   /* #UD raised for an instruction the model lacks */
};

/* x87, MMX-less SSE state: what FXSAVE stores. st holds the eight physical x87
 * registers as 80-bit images (the first 10 bytes), ftw a valid bit for each. */
union xmm {
	uint8_t b[16];
	uint16_t w[8];
	uint32_t d[4];
	uint64_t q[2];
	int8_t sb[16];
	int16_t sw[8];
	int32_t sd[4];
	int64_t sq[2];
	float f[4];
	double df[2];
};

struct fpu {
	uint16_t fcw, fsw, fop;
	uint8_t ftw;               /* abridged: one bit a register, 1 = valid */
	uint64_t fip, fdp;
	uint32_t mxcsr;
	uint8_t st[8][16];
	union xmm xmm[16];
};

#define FPU_FCW_INIT   0x37f
#define MXCSR_INIT     0x1f80
#define MXCSR_MASK     0xffff    /* every bit but the reserved ones, DAZ included */

/* What the CPU asks of the platform's interrupt controllers (the LAPIC, the 8259A behind
 * its LINT0 and the PIT on the 8259A's IRQ 0): an interrupt line and the next timer
 * event, and the two LAPIC registers the CPU reaches by its own instructions. A device
 * that changes what they would answer sets the CPU's attention and lapic_dirty (the
 * engine wires that), so the CPU asks again. take NULL: none. */
struct x86_intc {
	/* Whether an interrupt waits (no clock read); apic_base is IA32_APIC_BASE. */
	bool (*pending)(void *opaque, uint64_t apic_base);
	/* The timers that are due fired, the vector to deliver now, acknowledged, or -1; and
	 * *next_tsc the host TSC (tsc now) of the next timer event, UINT64_MAX for none. */
	int (*take)(void *opaque, uint64_t apic_base, uint64_t tsc, uint64_t *next_tsc);
	/* Takes a pending NMI: true once per NMI (NULL: none ever) */
	bool (*take_nmi)(void *opaque, uint64_t apic_base);
	uint32_t (*tpr)(void *opaque);                /* TPR, as CR8 << 4 */
	void (*set_tpr)(void *opaque, uint32_t tpr);
	uint64_t (*tsc_deadline)(void *opaque);       /* IA32_TSC_DEADLINE */
	void (*set_tsc_deadline)(void *opaque, uint64_t v, uint64_t guest_tsc);
	void *opaque;
};

struct x86_cpu {
	uint64_t r[16];
	uint64_t rip;
	uint64_t flags;            /* all but the arithmetic flags, which live in cc */
	struct lazy_flags cc;
	struct segment seg[6], ldtr, tr;
	struct dtable gdtr, idtr;
	uint64_t cr0, cr2, cr3, cr4, cr8, efer;
	uint64_t dr[8];
	uint64_t star, lstar, cstar, fmask, kernel_gs_base, tsc_aux;
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip, apic_base;
	uint64_t pat, misc_enable;
	struct fpu fpu;
	int64_t tsc_offset;
	uint64_t tsc_adjust;       /* IA32_TSC_ADJUST: what writes to the TSC (or to it) added */
	uint8_t cpl;
	uint8_t user_access;       /* CPL 3 and no implicit supervisor access: the TLB class in use */
	bool interrupt_shadow;     /* after sti / mov ss: no interrupt before the next insn */
	bool nmi_blocked;          /* from an NMI's delivery to the next IRET */
	bool strict;               /* an unimplemented instruction stops the CPU: X86_UNIMPLEMENTED */
	char unimplemented_first[160]; /* the first one: mnemonic, rip and bytes */
	uint64_t unimplemented_rip;
	bool attention;            /* leave the block: an interrupt may be deliverable, or CS changed */
	bool debugging;            /* TF, RF or a DR7 breakpoint armed: debug.c steps the CPU */
	uint16_t db_hits, db_pending; /* DR6 bits for the #DB trap after this instruction */
	bool lapic_dirty;          /* a device or an MSR changed: ask the interrupt controllers */
	uint64_t next_irq_tsc;     /* host TSC at their next timer event */
	/* rep-string elements done (page-at-a-time copies weighted down): x86_run's slice
	 * counts them with the instructions, since a rep instruction retires once after
	 * millions of device accesses and the watchdog is checked between slices */
	uint64_t work;
	enum x86_exit exit;
	/* the lockstep checker's: time that moves only between its steps (the TSC the guest
	 * and the run loop read), and x86_run returning after each block or chain of them */
	const uint64_t *virtual_tsc;
	bool one_block;
	/* how many times a block is interpreted after its decode before it is translated
	 * (the engine's choice; 0 on first use) */
	uint8_t translate_after;

	struct guest_mem *mem;
	struct bus *bus;
	struct x86_intc intc;      /* the interrupt controllers; none: no external interrupts */
	uint32_t apic_id;          /* CPUID.1:EBX[31:24] */
	uint64_t tsc_hz;           /* the TSC's rate, for CPUID's frequency leaf (0: unknown) */
	struct vmi *vmi;           /* the VMI ROM's calls, when the machine has one */
	struct profile *prof;      /* per-hook profile, when one is being taken */
	struct block *blocks;      /* decoded blocks (step.c) */
	struct x86_jit *jit;       /* the translator (bt mode), or NULL: interpret */
	uint32_t tb_done;          /* in translated code: instructions of the block completed
				      before the one that may fault now (the fault path counts them) */
	uint64_t tb_limit;         /* translated code takes a backward link or the indirect
				      table while count.insns stays below */
	void *tb_patch;            /* the direct exit translated code last returned by */
	uint32_t tb_gen;           /* moves whenever decoded blocks are dropped: voids links */
	struct x86_insn *pool;     /* their instructions */
	unsigned pool_used;
	struct tlb_entry tlb[2][TLB_SIZE]; /* [0] supervisor, [1] user (CPL 3) */
	struct x86_shadow shadow;
	/* the host address of linear address 0 for translated 32-bit code on the shadow:
	 * [0] supervisor, [1] user accesses (the shadow keeps them current at block entry) */
	uint64_t window[2];
	struct code_map code;
	/* moves when a translation may have changed (flush, invlpg, a write to code): a
	 * block stops there, since the rest of it may no longer be what rip maps to */
	uint64_t tlb_epoch;

	/* the fault path: a memory access that faults unwinds here (precise: the
	 * instruction has committed nothing) */
	jmp_buf fault_jmp;
	uint64_t insn_rip;         /* rip and rsp before the instruction being executed */
	uint64_t insn_rsp;
	int fault_vector, fault_error;
	/* > 0: descriptor, IDT and TSS accesses, supervisor at any CPL. Not next to cpl: a
	 * compiler reading both bytes at once stalls on the byte stores just made */
	unsigned implicit_sv;
	int first_vector, first_error; /* what started a shutdown cascade */

	struct x86_counters count;
};

/* A 64-bit linear address whose bits 63:47 are all equal (48-bit linear addresses). */
static inline bool x86_canonical(uint64_t lin) { return (uint64_t)((int64_t)(lin << 16) >> 16) == lin; }

/* Whether translated 32-bit code reaches memory through the shadow windows: there is a
 * shadow and long mode is off (compatibility-mode code keeps the soft TLB). */
static inline bool x86_on_shadow(const struct x86_cpu *c) { return c->shadow.opaque && !(c->efer & 0x400); }

/* The TSC before the guest's offset: the host's, or the lockstep checker's. */
static inline uint64_t x86_host_tsc(const struct x86_cpu *c) { return c->virtual_tsc ? *c->virtual_tsc : __rdtsc(); }

/* Arithmetic flags from the lazy state; the full RFLAGS image. */
uint32_t x86_arith_flags(const struct x86_cpu *c);
uint64_t x86_get_flags(const struct x86_cpu *c);
void x86_set_flags(struct x86_cpu *c, uint64_t v);

#endif
