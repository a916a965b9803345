/* Exits (port, cpuid, MMIO, the task priority), a fault's round trip, system calls from
 * ring 3, indirect calls, and pure computation. */
#include "kernel.h"
#include "cpu.h"
#include "bench.h"
#include "pvops.h"
#include "lapic.h"
#include "../compute.h"
#include "../compute_mix.h"
#include "../callret.h"

static int64_t io_in_run(uint64_t *n)
{
	uint64_t t0 = rdtsc();
	for (uint64_t i = 0; i < *n; i++)
		(void)inl(PVB_NULL_PORT);
	return (int64_t)(rdtsc() - t0);
}

const struct bench bench_io_in = { .run = io_in_run };

static int64_t cpuid_run(uint64_t *n)
{
	uint32_t r[4];
	uint64_t t0 = rdtsc();
	for (uint64_t i = 0; i < *n; i++)
		cpuid(0, 0, r);
	return (int64_t)(rdtsc() - t0);
}

const struct bench bench_cpuid = { .run = cpuid_run };

static int64_t mmio_run(uint64_t *n)
{
	uint64_t t0 = rdtsc();
	for (uint64_t i = 0; i < *n; i++)
		(void)mmio_read32(PVB_MMIO_BASE);
	return (int64_t)(rdtsc() - t0);
}

const struct bench bench_mmio_read = { .run = mmio_run };

static int64_t tpr_run(uint64_t *n)
{
	uint64_t t0 = rdtsc();
	for (uint64_t i = 0; i < *n; i++)
		pv.write_tpr(i & 1); /* priority classes 0 and 1: nothing of ours is masked */
	int64_t t = (int64_t)(rdtsc() - t0);
	pv.write_tpr(1);
#ifdef __x86_64__
	uint64_t tpr = read_cr8();
#else
	uint64_t tpr = lapic_read(LAPIC_TPR) >> 4;
#endif
	pv.write_tpr(0);
	BENCH_CHECK(tpr == 1, "tpr_write: the task priority reads %lu after a write of 1", tpr);
	return t;
}

const struct bench bench_tpr_write = { .run = tpr_run };

/* divzero: the handler resumes after the div, as a kernel's fixup table would. */
extern char divzero_insn[], divzero_resume[];
static volatile uint64_t de_count;

static __attribute__((noinline)) void divide_by_zero(void)
{
	uint32_t a = 1, d = 0;
	__asm__ volatile(".globl divzero_insn, divzero_resume\n"
			 "divzero_insn: divl %2\n"
			 "divzero_resume:"
			 : "+a"(a), "+d"(d) : "r"(0u));
}

static int de_hook(struct trap_frame *f)
{
	if (FRAME_PC(f) != (uintptr_t)divzero_insn)
		return 0;
	FRAME_PC(f) = (uintptr_t)divzero_resume;
	de_count++;
	return 1;
}

static const char *divzero_setup(void)
{
	trap_set_hook(0, de_hook);
	return 0;
}

static int64_t divzero_run(uint64_t *n)
{
	de_count = 0;
	uint64_t t0 = rdtsc();
	for (uint64_t i = 0; i < *n; i++)
		divide_by_zero();
	int64_t t = (int64_t)(rdtsc() - t0);
	BENCH_CHECK(de_count == *n, "divzero: %lu #DE for %lu divisions by zero", de_count, *n);
	return t;
}

static void divzero_teardown(void) { trap_set_hook(0, 0); }

const struct bench bench_divzero = { .setup = divzero_setup, .run = divzero_run, .teardown = divzero_teardown };

static volatile uint64_t callret_sink;

static int64_t callret_run(uint64_t *n)
{
	uint64_t t0 = rdtsc();
	callret_sink = callret_loop(*n, 1);
	return (int64_t)(rdtsc() - t0);
}

const struct bench bench_callret = { .run = callret_run, .value = callret_checksum };

static const char *null_setup(void)
{
	return pv.null_call ? 0 : "the guest runs the native interface: no VMI ROM, no hook to call";
}

static int64_t null_run(uint64_t *n)
{
	uint64_t t0 = rdtsc();
	for (uint64_t i = 0; i < *n; i++)
		pv.null_call();
	return (int64_t)(rdtsc() - t0);
}

const struct bench bench_vmi_null = { .setup = null_setup, .run = null_run };

extern char user_int80_loop[], user_syscall_loop[];

static int64_t int80_run(uint64_t *n)
{
	uint64_t t0 = rdtsc();
	user_run(mm_user_va(user_int80_loop), mm_user_stack_top(), *n);
	return (int64_t)(rdtsc() - t0);
}

const struct bench bench_syscall_int80 = { .run = int80_run };

static int64_t sysret_run(uint64_t *n)
{
	uint64_t t0 = rdtsc();
	user_run(mm_user_va(user_syscall_loop), mm_user_stack_top(), *n);
	return (int64_t)(rdtsc() - t0);
}

const struct bench bench_syscall_sysret = { .run = sysret_run };

static struct compute_state cs;

static const char *compute_setup(void)
{
	compute_init(&cs, 2);
	return 0;
}

static int64_t compute_run(uint64_t *n)
{
	compute_restart(&cs, 2);
	uint64_t t0 = rdtsc();
	for (uint64_t i = 0; i < *n; i++)
		compute_pass(&cs);
	return (int64_t)(rdtsc() - t0);
}

static uint64_t compute_value(void)
{
	static struct compute_state check;
	return compute_checksum(&check);
}

const struct bench bench_compute = { .setup = compute_setup, .run = compute_run, .value = compute_value };

static struct mix_state ms;

static int64_t mix_run(uint64_t *n)
{
	mix_restart(&ms, 2);
	uint64_t t0 = rdtsc();
	for (uint64_t i = 0; i < *n; i++)
		mix_pass(&ms);
	return (int64_t)(rdtsc() - t0);
}

static uint64_t mix_value(void)
{
	static struct mix_state check;
	return mix_checksum(&check);
}

const struct bench bench_compute_mix = { .run = mix_run, .value = mix_value };
