/* selftest=pvops: checks the effect of every operation of the interface in use, so the
 * same checks pass through the native instructions and through the VMI ROM (the tests
 * run both): page-table updates at each level, deferred and lazy ones (past the queue's
 * size, with repeated entries, so a lost or reordered update shows), TLB flushes, CR3,
 * interrupts on and off, halt, and timers that fire no earlier than asked. */
#include "kernel.h"
#include "cpu.h"
#include "pvops.h"

#define CHECK_VA (WINDOW_VA + 8 * WINDOW_SPAN)
#define LAZY_VA  (WINDOW_VA + 9 * WINDOW_SPAN)
#define LAZY_UPDATES 1500

static int failures;

static void result(const char *name, const char *why)
{
	if (why)
		failures++;
	kprintf("pvcheck %s %s%s\n", name, why ? "FAIL: " : "ok", why ? why : "");
}

static uint64_t marked_frame(void)
{
	uint64_t f = frame_alloc();
	*(uint64_t *)f = f;
	return f;
}

static uint64_t pick(uint64_t va) { return *(volatile uint64_t *)va; }

static uint64_t rflags(void)
{
	uint64_t f;
	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return f;
}

static const char *check_pte(void)
{
	uint64_t a = marked_frame(), b = marked_frame(), *pte = (uint64_t *)mm_pte(0, CHECK_VA);
	pv.set_pte(a | PTE_P | PTE_W, pte, VMI_PAGE_PT);
	pv.invlpg(CHECK_VA);
	if (pick(CHECK_VA) != a)
		return "a PTE write then invlpg does not map the new frame";
	pv.set_pte(b | PTE_P | PTE_W, pte, VMI_PAGE_PT);
	pv.invlpg(CHECK_VA);
	if (pick(CHECK_VA) != b)
		return "a second PTE write then invlpg does not map the new frame";
	pv.set_pte(a | PTE_P | PTE_W, pte, VMI_PAGE_PT | VMI_PAGE_DEFER);
	pv.invlpg(CHECK_VA);
	if (pick(CHECK_VA) != a)
		return "a deferred PTE write is not in force after invlpg";
	pv.set_pte(b | PTE_P | PTE_W, pte, VMI_PAGE_PT);
	pv.flush_tlb(VMI_FLUSH_TLB);
	if (pick(CHECK_VA) != b)
		return "a PTE write then a TLB flush does not map the new frame";
	return 0;
}

/* An entry at `level` (2: PDE ... 4: PML4E) pointing at a fresh chain of tables below
 * it that ends in a marked frame: the new frame must be what the address reads. */
static const char *check_level(int level)
{
	static const uint64_t flag[] = { 0, VMI_PAGE_PT, VMI_PAGE_PD, VMI_PAGE_PDP, VMI_PAGE_PML4 };
	static const uint64_t where[] = { 0, 0, WINDOW_VA + 11 * WINDOW_SPAN, WINDOW_VA + (2ull << 30), 3ull << 39 };
	uint64_t va = where[level], f = marked_frame(), below = f | PTE_P | PTE_W;
	for (int l = 1; l < level; l++) {
		uint64_t *t = (uint64_t *)frame_alloc();
		pv.set_pte(below, &t[(va >> (12 + 9 * (l - 1))) & 511], flag[l]);
		below = (uint64_t)t | PTE_P | PTE_W;
	}
	(void)mm_pte(0, va); /* the tables above the entry under test (the entry itself is replaced) */
	uint64_t *e = (uint64_t *)mm_cr3(0);
	for (int l = 4; l > level; l--)
		e = (uint64_t *)PTE_ADDR(e[(va >> (12 + 9 * (l - 1))) & 511]);
	pv.set_pte(below, &e[(va >> (12 + 9 * (level - 1))) & 511], flag[level]);
	pv.invlpg(va);
	return pick(va) == f ? 0 : "the address does not read the frame the new entry leads to";
}

static const char *check_cr3(void)
{
	uint64_t f[2];
	for (int as = 0; as < 2; as++) {
		f[as] = marked_frame();
		pv.set_pte(f[as] | PTE_P | PTE_W, mm_pte(as, CHECK_VA + PAGE_SIZE), VMI_PAGE_PT);
	}
	pv.write_cr3(mm_cr3(1));
	uint64_t in1 = pick(CHECK_VA + PAGE_SIZE);
	pv.write_cr3(mm_cr3(0));
	uint64_t in0 = pick(CHECK_VA + PAGE_SIZE);
	return in1 == f[1] && in0 == f[0] ? 0 : "a CR3 write does not switch to the other address space";
}

/* More updates than the VMI queue holds, to 384 entries in a scattered order, each
 * written several times within one queue's worth: the last write to each must stay. */
static const char *check_lazy(void)
{
	static uint64_t want[384];
	uint64_t fr[3] = { marked_frame(), marked_frame(), marked_frame() };
	uint64_t *pt = (uint64_t *)mm_pte(0, LAZY_VA);
	pv.lazy_mmu(VMI_LAZY_MMU);
	for (uint64_t j = 0; j < LAZY_UPDATES; j++) {
		uint64_t slot = (j * 37) % 384;
		want[slot] = fr[(j + slot) % 3] | PTE_P | PTE_W | (j / 384 & 7) << 9; /* bits 9-11, ignored by the MMU: which round */
		pv.set_pte(want[slot], &pt[slot], VMI_PAGE_PT);
	}
	pv.lazy_mmu(VMI_LAZY_NONE);
	pv.flush_tlb(VMI_FLUSH_TLB);
	for (int s = 0; s < 384; s++)
		if (pt[s] != want[s] || pick(LAZY_VA + (uint64_t)s * PAGE_SIZE) != PTE_ADDR(want[s]))
			return "after lazy mode an entry is not the last value written to it";
	/* UpdatePxE: the guest writes the entry itself and tells the ROM; queued behind an
	 * earlier SetPxE of the same entry, it must still win */
	void (*update)(uint64_t *ptep, uint64_t flags) = vmi_rom_entry(VMI_CALL_UpdatePxELong);
	if (update) {
		pv.lazy_mmu(VMI_LAZY_MMU);
		pv.set_pte(fr[0] | PTE_P | PTE_W, &pt[0], VMI_PAGE_PT);
		pt[0] = fr[1] | PTE_P | PTE_W;
		update(&pt[0], VMI_PAGE_PT);
		pv.lazy_mmu(VMI_LAZY_NONE);
		pv.invlpg(LAZY_VA);
		if (pick(LAZY_VA) != fr[1])
			return "UpdatePxELong queued after SetPxELong of the same entry lost to it";
	}
	return 0;
}

static const char *check_irq(void)
{
	pv.irq_disable();
	int off = !(rflags() & 0x200);
	pv.irq_enable();
	int on = !!(rflags() & 0x200);
	pv.irq_disable();
	return off && on ? 0 : "IF does not follow irq_disable/irq_enable";
}

static volatile uint64_t fired_at, ticks;
static void on_tick(void) { fired_at = rdtsc(); ticks++; }

static int wait_ticks(uint64_t n, uint64_t limit_tsc)
{
	uint64_t t0 = rdtsc();
	while (ticks < n)
		if (rdtsc() - t0 > limit_tsc)
			return 0;
	return 1;
}

static const char *check_timers(void)
{
	if (lapic_init())
		return "no local APIC timer answers";
	uint64_t us = tsc_hz / 1000000;
	trap_set_timer_hook(on_tick);
	pv.irq_enable();
	const char *why = 0;
	uint64_t armed = pv.read_cycles(), now = rdtsc();
	if (armed > now || now - armed > tsc_hz / 100)
		why = "read_cycles is not the TSC";
	ticks = 0;
	armed = rdtsc();
	pv.timer_oneshot(200000);
	if (!why && (!wait_ticks(1, tsc_hz) || fired_at - armed < 196 * us))
		why = "a 200 us one-shot timer fired early or not within 1 s";
	ticks = 0;
	uint64_t deadline = rdtsc() + 300 * us;
	if (has_tsc_deadline())
		pv.timer_deadline(deadline);
	if (!why && has_tsc_deadline() && (!wait_ticks(1, tsc_hz) || fired_at < deadline))
		why = "a TSC-deadline timer fired early or not within 1 s";
	/* from arming, not from the first tick: a late tick may be followed by ones that
	 * catch up with the schedule, but none may come before it. First 2 ms with the
	 * timers off, so that an interrupt still on its way from the tests above (a busy
	 * host delays them) is not counted as one of the ten */
	pv.timer_cancel();
	wait_ticks(~0ull, 2000 * us);
	ticks = 0;
	armed = rdtsc();
	pv.timer_periodic(1000000);
	/* 5% below 10 ms: what the TSC's calibration against the PIT can be off by on a busy
	 * host, not a tick early */
	static char took[128];
	if (!why && (!wait_ticks(10, tsc_hz) || fired_at - armed < 9500 * us)) {
		fmt(took, sizeof(took), "ten periods of a 1 ms periodic timer took %u us (%u ticks), not 9.5 ms to 1 s",
		    (unsigned)((fired_at - armed) / us), (unsigned)ticks);
		why = took;
	}
	pv.timer_cancel();
	uint64_t after = ticks; /* one tick may already have been pending */
	if (!why && wait_ticks(after + 2, 5000 * us))
		why = "the periodic timer still ticks after cancel";
	/* periodic, not one-shot: halt leaves IF as it is, so a tick can come between the
	 * arming and the hlt (a vCPU descheduled there, seen under QEMU TCG on a busy host),
	 * and a one-shot timer would then never wake it */
	ticks = 0;
	pv.timer_periodic(1000000);
	pv.halt();
	if (!why && !ticks)
		why = "halt returned before the timer interrupt";
	pv.irq_disable();
	pv.timer_cancel();
	trap_set_timer_hook(0);
	return why;
}

static const char *check_vmi_only(void)
{
	uint64_t (*freq)(void) = vmi_rom_entry(VMI_CALL_GetCycleFrequency);
	uint64_t (*wall)(void) = vmi_rom_entry(VMI_CALL_GetWallclockTime);
	if (!pv.null_call || !freq || !wall)
		return 0;
	pv.null_call();
	uint64_t f = freq();
	if (f < tsc_hz - tsc_hz / 20 || f > tsc_hz + tsc_hz / 20)
		return "GetCycleFrequency is more than 5% from the TSC rate the PIT gives";
	if (wall() < 1600000000ull * 1000000000ull)
		return "GetWallclockTime is before 2020";
	return 0;
}

int pv_selftest(void)
{
	result("set_pte", check_pte());
	result("set_pde", check_level(2));
	result("set_pdpte", check_level(3));
	result("set_pml4e", check_level(4));
	result("write_cr3", check_cr3());
	result("lazy_mmu", check_lazy());
	result("irq", check_irq());
	result("timers", check_timers());
	result("vmi_calls", check_vmi_only());
	kprintf("pvcheck %s: %d failed\n", pv.name, failures);
	return failures;
}
