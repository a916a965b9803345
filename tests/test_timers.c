/* LAPIC timer and PIT arithmetic (channel 2 for calibration, channel 0 and its IRQ 0
 * through the 8259A), driven by a hand-set clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "../vmm/lapic.h"
#include "../vmm/pic.h"
#include "../vmm/pit.h"
#include "../abi/lapic_regs.h"

static uint64_t now;
static uint64_t fake_now(void *o) { (void)o; return now; }
static const struct clock fake_clock = { fake_now, NULL };

static uint32_t rd(struct bus *b, uint64_t reg)
{
	uint8_t d[4];
	bus_access(b, BUS_MMIO, LAPIC_BASE + reg, d, 4, false);
	return d[0] | d[1] << 8 | d[2] << 16 | (uint32_t)d[3] << 24;
}

static void wr(struct bus *b, uint64_t reg, uint32_t v)
{
	uint8_t d[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	bus_access(b, BUS_MMIO, LAPIC_BASE + reg, d, 4, true);
}

static void setup_lapic(struct bus *b, struct lapic *l)
{
	*b = (struct bus){ 0 };
	now = 1000;
	assert_int_equal(lapic_init(l, b, &fake_clock, 2000000000ull), 0);
	wr(b, LAPIC_SVR, SVR_ENABLE | 0xff);
}

static void divide_register_decodes(void **state)
{
	(void)state;
	static const struct { uint32_t code; unsigned div; } t[] = {
		{ 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 }, { 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 }, { 0xb, 1 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(lapic_divisor(t[i].code), t[i].div);
}

static void oneshot_counts_down_and_fires_once(void **state)
{
	(void)state;
	struct bus b;
	struct lapic l;
	setup_lapic(&b, &l);
	wr(&b, LAPIC_TIMER_DIV, 0x0); /* divide by 2: one count per 2 ns */
	wr(&b, LAPIC_LVT_TIMER, 0x40 | LVT_TIMER_ONESHOT);
	wr(&b, LAPIC_TIMER_INIT, 1000);
	assert_int_equal(rd(&b, LAPIC_TIMER_CUR), 1000);
	now += 500;
	assert_int_equal(rd(&b, LAPIC_TIMER_CUR), 750);
	assert_int_equal(lapic_take_interrupt(&l), -1);
	now += 1500;
	assert_int_equal(rd(&b, LAPIC_TIMER_CUR), 0);
	assert_int_equal(lapic_take_interrupt(&l), 0x40);
	assert_int_equal(rd(&b, LAPIC_ISR0 + 0x20), 1); /* vector 0x40 in ISR word 2 */
	assert_int_equal(lapic_take_interrupt(&l), -1);
	wr(&b, LAPIC_EOI, 0);
	assert_int_equal(rd(&b, LAPIC_ISR0 + 0x20), 0);
	now += 100000;
	assert_int_equal(lapic_take_interrupt(&l), -1); /* one-shot: no second event */
	assert_int_equal(l.timer_fires, 1);
}

static void periodic_reloads_and_coalesces(void **state)
{
	(void)state;
	struct bus b;
	struct lapic l;
	setup_lapic(&b, &l);
	wr(&b, LAPIC_TIMER_DIV, TIMER_DIV_1);
	wr(&b, LAPIC_LVT_TIMER, 0x41 | LVT_TIMER_PERIODIC);
	wr(&b, LAPIC_TIMER_INIT, 100);
	now += 130;
	assert_int_equal(rd(&b, LAPIC_TIMER_CUR), 70);
	assert_int_equal(lapic_update(&l), 1000 + 200);
	assert_int_equal(lapic_take_interrupt(&l), 0x41);
	lapic_eoi(&l);
	now += 1000; /* ten periods while the CPU was busy: one interrupt, next on the grid */
	assert_int_equal(lapic_update(&l), 1000 + 1200);
	assert_int_equal(lapic_take_interrupt(&l), 0x41);
	assert_int_equal(l.timer_fires, 2);
}

static void masked_timer_raises_nothing(void **state)
{
	(void)state;
	struct bus b;
	struct lapic l;
	setup_lapic(&b, &l);
	wr(&b, LAPIC_TIMER_DIV, TIMER_DIV_1);
	wr(&b, LAPIC_LVT_TIMER, 0x40 | LVT_MASKED);
	wr(&b, LAPIC_TIMER_INIT, 10);
	now += 20;
	assert_int_equal(lapic_take_interrupt(&l), -1);
	assert_int_equal(l.timer_fires, 1);
}

static void tpr_and_isr_gate_delivery(void **state)
{
	(void)state;
	struct bus b;
	struct lapic l;
	setup_lapic(&b, &l);
	wr(&b, LAPIC_TPR, 0x50);
	wr(&b, LAPIC_TIMER_DIV, TIMER_DIV_1);
	wr(&b, LAPIC_LVT_TIMER, 0x45);
	wr(&b, LAPIC_TIMER_INIT, 1);
	now += 5;
	assert_int_equal(lapic_take_interrupt(&l), -1); /* class 4 <= TPR class 5 */
	wr(&b, LAPIC_TPR, 0x30);
	assert_int_equal(lapic_take_interrupt(&l), 0x45);
}

static void tsc_deadline_fires_at_its_time(void **state)
{
	(void)state;
	struct bus b;
	struct lapic l;
	setup_lapic(&b, &l);
	/* the MSR does nothing outside TSC-deadline mode */
	lapic_write_tsc_deadline(&l, 5000, 1000);
	assert_int_equal(l.expiry_ns, LAPIC_NO_EVENT);
	wr(&b, LAPIC_LVT_TIMER, 0x42 | LVT_TIMER_TSC_DEADLINE);
	lapic_write_tsc_deadline(&l, 3000, 1000); /* 2000 ticks at 2 GHz = 1000 ns */
	assert_int_equal(l.expiry_ns, now + 1000);
	now += 999;
	assert_int_equal(lapic_take_interrupt(&l), -1);
	now += 1;
	assert_int_equal(lapic_take_interrupt(&l), 0x42);
	assert_int_equal(l.tsc_deadline, 0);
	/* a deadline in the past fires at once; zero disarms */
	lapic_write_tsc_deadline(&l, 10, 1000);
	assert_int_equal(lapic_update(&l), LAPIC_NO_EVENT);
	lapic_write_tsc_deadline(&l, 0, 1000);
	assert_int_equal(l.expiry_ns, LAPIC_NO_EVENT);
}

static void pio(struct bus *b, uint16_t port, uint8_t *v, bool write)
{
	bus_access(b, BUS_PIO, port, v, 1, write);
}

static void pit_channel2_mode0_for_calibration(void **state)
{
	(void)state;
	struct bus b = { 0 };
	struct pit p;
	now = 0;
	assert_int_equal(pit_init(&p, &b, &fake_clock, (struct irq_line){ 0 }), 0);
	uint8_t v = 0x01; /* gate on, speaker off */
	pio(&b, 0x61, &v, true);
	v = 0xb0; /* channel 2, lobyte/hibyte, mode 0 */
	pio(&b, 0x43, &v, true);
	v = 0x9b; /* 11931 = 0x2e9b: 10 ms */
	pio(&b, 0x42, &v, true);
	v = 0x2e;
	pio(&b, 0x42, &v, true);
	pio(&b, 0x61, &v, false);
	assert_int_equal(v & 0x20, 0);
	now = 5000000; /* 5 ms: 5965 ticks gone */
	assert_int_equal(pit_count(&p, 2), 11931 - 5965);
	/* latch then read low, high */
	v = 0x80;
	pio(&b, 0x43, &v, true);
	now = 6000000;
	uint8_t lo, hi;
	pio(&b, 0x42, &lo, false);
	pio(&b, 0x42, &hi, false);
	assert_int_equal(lo | hi << 8, 11931 - 5965);
	now = 9999000;
	pio(&b, 0x61, &v, false);
	assert_int_equal(v & 0x20, 0);
	now = 10000000;
	pio(&b, 0x61, &v, false);
	assert_int_equal(v & 0x21, 0x21);
}

static void pit_gate_low_pauses_mode0(void **state)
{
	(void)state;
	struct bus b = { 0 };
	struct pit p;
	now = 0;
	pit_init(&p, &b, &fake_clock, (struct irq_line){ 0 });
	uint8_t v = 0x01;
	pio(&b, 0x61, &v, true);
	v = 0xb0;
	pio(&b, 0x43, &v, true);
	v = 0xe8; /* 1000 */
	pio(&b, 0x42, &v, true);
	v = 0x03;
	pio(&b, 0x42, &v, true);
	now = 419000; /* 499 ticks */
	v = 0x00;
	pio(&b, 0x61, &v, true);
	now = 5000000;
	assert_int_equal(pit_count(&p, 2), 1000 - 499);
	v = 0x01;
	pio(&b, 0x61, &v, true);
	now = 5000000 + 420000; /* 501 more */
	assert_true(pit_out(&p, 2));
}

/* IRQ 0's rising edges, as the 8259A sees them */
static unsigned irq0_rises;
static bool irq0_level;
static void irq0_set(void *o, unsigned irq, bool level)
{
	(void)o;
	assert_int_equal(irq, 0);
	irq0_rises += level && !irq0_level;
	irq0_level = level;
}

static void pit_program(struct bus *b, uint8_t control, uint16_t count)
{
	uint8_t v = control;
	pio(b, 0x43, &v, true);
	v = (uint8_t)count;
	pio(b, 0x40, &v, true);
	v = (uint8_t)(count >> 8);
	pio(b, 0x40, &v, true);
}

/* Modes 2 and 3: an edge at the end of every period, pit_update says when the next one
 * comes; edges missed between updates are one request (the 8259A is edge-triggered). */
static void pit_channel0_periodic_irq0(void **state)
{
	(void)state;
	for (int mode = 2; mode <= 3; mode++) {
		struct bus b = { 0 };
		struct pit p;
		now = 1000;
		irq0_rises = 0;
		irq0_level = false;
		assert_int_equal(pit_init(&p, &b, &fake_clock, (struct irq_line){ irq0_set, NULL, 0 }), 0);
		assert_int_equal(pit_update(&p), PIT_NO_EVENT);
		pit_program(&b, (uint8_t)(0x30 | mode << 1), 11932); /* channel 0, lobyte/hibyte: 100 Hz */
		unsigned after_load = irq0_rises; /* OUT went high with the control word */
		uint64_t next = pit_update(&p);
		assert_int_equal(irq0_rises, after_load);
		assert_true(next >= 1000 + 10000150 && next <= 1000 + 10000151); /* 11932 ticks = 10.00015 ms */
		now = next - 1;
		assert_int_equal(pit_update(&p), next);
		assert_int_equal(irq0_rises, after_load);
		now = next;
		uint64_t next2 = pit_update(&p);
		assert_int_equal(irq0_rises, after_load + 1);
		assert_true(next2 >= next + 10000149 && next2 <= next + 10000151);
		now = next + 35000000; /* three and a half periods later: one request */
		pit_update(&p);
		assert_int_equal(irq0_rises, after_load + 2);
		/* the count reads back through the latch */
		uint8_t v = 0x00, lo, hi;
		pio(&b, 0x43, &v, true);
		pio(&b, 0x40, &lo, false);
		pio(&b, 0x40, &hi, false);
		assert_true((lo | hi << 8) > 0 && (lo | hi << 8) <= 11932);
	}
}

/* Mode 0 and 4 (what Linux's PIT clockevent uses for one shot): one edge, then none. */
static void pit_channel0_oneshot_irq0(void **state)
{
	(void)state;
	static const uint8_t modes[] = { 0, 4 };
	for (int k = 0; k < 2; k++) {
		struct bus b = { 0 };
		struct pit p;
		now = 0;
		irq0_rises = 0;
		irq0_level = false;
		pit_init(&p, &b, &fake_clock, (struct irq_line){ irq0_set, NULL, 0 });
		pit_program(&b, (uint8_t)(0x30 | modes[k] << 1), 1193); /* ~1 ms */
		unsigned base = irq0_rises;
		uint64_t next = pit_update(&p);
		assert_true(next >= 999000 && next <= 1001000);
		now = next;
		assert_int_equal(pit_update(&p), PIT_NO_EVENT);
		assert_int_equal(irq0_rises, base + 1);
		now = next + 100000000;
		assert_int_equal(pit_update(&p), PIT_NO_EVENT);
		assert_int_equal(irq0_rises, base + 1);
	}
}

static void to_pic(void *o, unsigned irq, bool level) { pic_set_irq(o, irq, level); }

/* Channel 0 through the real 8259A: IRQ 0 becomes INTR and its vector at INTA. */
static void pit_irq0_reaches_the_8259a(void **state)
{
	(void)state;
	struct bus b = { 0 };
	struct pic pic;
	struct pit p;
	now = 0;
	assert_int_equal(pic_init(&pic, &b), 0);
	static const uint8_t init[][2] = { { 0x20, 0x11 }, { 0x21, 0x20 }, { 0x21, 0x04 }, { 0x21, 0x01 },
					   { 0xa0, 0x11 }, { 0xa1, 0x28 }, { 0xa1, 0x02 }, { 0xa1, 0x01 },
					   { 0x21, 0xfe }, { 0xa1, 0xff } }; /* vectors 0x20/0x28, only IRQ 0 unmasked */
	for (unsigned k = 0; k < sizeof(init) / sizeof(init[0]); k++) {
		uint8_t v = init[k][1];
		pio(&b, init[k][0], &v, true);
	}
	assert_int_equal(pit_init(&p, &b, &fake_clock, (struct irq_line){ to_pic, &pic, 0 }), 0);
	pit_program(&b, 0x34, 1193); /* mode 2, ~1 kHz */
	if (pic_intr(&pic)) /* the control word's rising OUT: acknowledge it first */
		assert_int_equal(pic_ack(&pic), 0x20);
	uint8_t eoi = 0x20;
	pio(&b, 0x20, &eoi, true);
	now = pit_update(&p);
	assert_false(pic_intr(&pic));
	pit_update(&p);
	assert_true(pic_intr(&pic));
	assert_int_equal(pic_ack(&pic), 0x20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(divide_register_decodes),
		cmocka_unit_test(oneshot_counts_down_and_fires_once),
		cmocka_unit_test(periodic_reloads_and_coalesces),
		cmocka_unit_test(masked_timer_raises_nothing),
		cmocka_unit_test(tpr_and_isr_gate_delivery),
		cmocka_unit_test(tsc_deadline_fires_at_its_time),
		cmocka_unit_test(pit_channel2_mode0_for_calibration),
		cmocka_unit_test(pit_gate_low_pauses_mode0),
		cmocka_unit_test(pit_channel0_periodic_irq0),
		cmocka_unit_test(pit_channel0_oneshot_irq0),
		cmocka_unit_test(pit_irq0_reaches_the_8259a),
	};
	return cmocka_run_group_tests_name("timers", tests, NULL, NULL);
}
