/* The guest kernel's internal interfaces. */
#ifndef GUEST_KERNEL_H
#define GUEST_KERNEL_H
#include <stdint.h>
#include <stddef.h>
#include "../../abi/proto.h"
#include "arch.h"

#define PAGE_SIZE 4096ull
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* lib.c */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
size_t strlen(const char *s);
int strncmp(const char *a, const char *b, size_t n);
void strlcpy_(char *d, const char *s, size_t n);
/* A tiny formatter: %s %d %u %x (64-bit with l/ll), %c. Returns chars written. */
int vfmt(char *out, size_t n, const char *fmt, __builtin_va_list ap);
int fmt(char *out, size_t n, const char *fmt, ...);
uint64_t muldiv(uint64_t a, uint64_t b, uint64_t d);    /* a*b/d without overflow */

/* console.c: COM1 lines and the pvbench control port */
void console_init(void);
void kprintf(const char *fmt, ...);
int ctl_present(void);
void report(uint32_t type, const char *bench, uint32_t rep, uint64_t iters, int64_t ticks,
	    uint64_t value, const char *text);
extern const char *current_bench; /* what a panic is charged to */
void __attribute__((noreturn)) panic(const char *fmt, ...);
void __attribute__((noreturn)) guest_exit(uint32_t code);

/* cmdline.c */
struct config {
	char bench[512];   /* comma-separated names, or "all" */
	uint32_t reps;
	uint32_t warmup;
	uint64_t rep_us;   /* target duration of one repetition */
	uint64_t iters;    /* fixed iterations per repetition; 0 = size by rep_us */
	char inject[48];   /* "bench:hang", "bench:crash", "bench:flood", "bench:slow[=PCT]": deliberate failures, for tests */
	int selftest;      /* selftest=pvops: check the interface instead of benchmarking */
	int pae;           /* paging=pae: the 32-bit guest pages with PAE (else 2-level) */
};
void config_parse(struct config *c, const char *cmdline);
int list_has(const char *list, const char *name);

/* trap.c (per architecture: arch.h has struct trap_frame and FRAME_PC) */
struct trap_frame;
void trap_init(void);
typedef int (*trap_hook)(struct trap_frame *f); /* returns 1 if handled */
/* The hook for exception vector (0-31) before the panic; NULL to remove it. */
void trap_set_hook(unsigned vector, trap_hook h);
void trap_set_timer_hook(void (*h)(void));
extern volatile uint64_t ticks_seen;
/* The 8259s moved above the exceptions and every line masked (the LAPIC times). */
void pic_mask_all(void);
/* The common end of every trap: timer, spurious and hooked vectors, else a panic. */
void trap_handle(struct trap_frame *f, uint64_t vector, uint64_t error, uintptr_t pc, uintptr_t cs);

/* mm.c (per architecture and paging mode): page tables, frames and the test windows
 * (arch.h: WINDOW_VA, WINDOW_SPAN, the PTE bits). Every page-table write goes through
 * pv.set_pte. */
#define PTE_P  0x1ull
#define PTE_W  0x2ull
#define PTE_U  0x4ull
#define PTE_A  0x20ull  /* preset on the benchmarks' pages, as Linux's page protections carry it */
#define PTE_PS 0x80ull
/* A page-table entry of the paging mode in use (4 bytes in 2-level paging, else 8). */
typedef struct pte_slot pte_slot;
/* The kernel's page tables over mem_bytes of RAM, in the paging mode c asks for where the
 * architecture has a choice; the name of that mode (e.g. "2-level"). */
const char *mm_init(uint64_t mem_bytes, const struct config *c);
/* frames.c: the frames from start (page-aligned) to end */
void frames_init(uintptr_t start, uint64_t end);
uintptr_t frame_alloc(void);              /* zeroed 4 KiB frame; panics when out */
void frame_free(uintptr_t f);             /* back for frame_alloc to hand out again */
/* The PTE for va in address space `as` (0 or 1), creating the tables below it. */
pte_slot *mm_pte(int as, uintptr_t va);
uint64_t mm_pte_get(const pte_slot *p);
void mm_pte_set(pte_slot *p, uint64_t val);    /* through pv.set_pte, as a leaf */
uintptr_t mm_cr3(int as);
uintptr_t mm_user_va(void *kernel_addr);  /* where a .user symbol is mapped for ring 3 */
uintptr_t mm_user_stack_top(void);
/* A whole address space, as a process's: the kernel's mappings shared, pages of its own
 * mapped at va, every table and page freed by mm_space_free (through pv.set_pte). */
struct mm_space;
struct mm_space *mm_space_new(void);
void mm_space_map(struct mm_space *s, uintptr_t va, uintptr_t frame);
uintptr_t mm_space_cr3(const struct mm_space *s);
void mm_space_free(struct mm_space *s);

/* timer.c */
extern uint64_t tsc_hz;
extern uint64_t lapic_hz;
void tsc_calibrate(void);
int lapic_init(void);   /* 0 if a LAPIC answers */
int has_tsc_deadline(void);
uint64_t ticks_to_ns(uint64_t ticks);

/* user entry (entry.S): runs fn at CPL 3 until it makes SYS_EXIT. */
void user_run(uintptr_t user_pc, uintptr_t user_sp, uintptr_t arg);
void syscall_init(void);

#endif
