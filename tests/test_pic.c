/* The legacy devices through the bus, as a guest programs them: the 8259A pair (Linux's
 * init sequence, edge and level lines, priorities, EOI, cascade, spurious IRQ 7), the
 * 16550's THRE interrupt and the CMOS clock. (test_linux has a kernel take them through
 * LINT0.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <time.h>
#include "../vmm/bus.h"
#include "../vmm/pic.h"
#include "../vmm/rtc.h"
#include "../vmm/uart.h"

static struct bus bus;
static struct pic pic;
static int kicks;

static void kick(void *o) { (void)o; kicks++; }
static void out8(uint16_t port, uint8_t v) { bus_write(&bus, BUS_PIO, port, v, 1); }
static uint8_t in8(uint16_t port)
{
	uint64_t v;
	bus_read(&bus, BUS_PIO, port, 1, &v);
	return (uint8_t)v;
}

static int setup(void **state)
{
	(void)state;
	memset(&bus, 0, sizeof(bus));
	assert_int_equal(pic_init(&pic, &bus), 0);
	pic.kick = kick;
	kicks = 0;
	/* Linux's init_8259A: ICW1 edge cascade ICW4, vectors 0x30/0x38, slave on IR2, 8086 mode */
	out8(0x20, 0x11), out8(0x21, 0x30), out8(0x21, 0x04), out8(0x21, 0x01);
	out8(0xa0, 0x11), out8(0xa1, 0x38), out8(0xa1, 0x02), out8(0xa1, 0x01);
	out8(0x21, 0x00), out8(0xa1, 0x00); /* everything unmasked */
	return 0;
}

static void edge_irq_is_delivered_once(void **state)
{
	(void)state;
	assert_false(pic_intr(&pic));
	pic_set_irq(&pic, 4, true);
	assert_true(pic_intr(&pic));
	assert_int_equal(kicks, 1);
	assert_int_equal(pic_ack(&pic), 0x34);
	assert_false(pic_intr(&pic)); /* in service, the edge consumed */
	out8(0x20, 0x0b);             /* OCW3: read ISR */
	assert_int_equal(in8(0x20), 0x10);
	pic_set_irq(&pic, 4, false);
	out8(0x20, 0x20);             /* non-specific EOI */
	assert_int_equal(in8(0x20), 0);
	assert_false(pic_intr(&pic));
}

static void priority_mask_and_cascade(void **state)
{
	(void)state;
	pic_set_irq(&pic, 4, true);
	pic_set_irq(&pic, 1, true);
	assert_int_equal(pic_ack(&pic), 0x31); /* IR1 above IR4 */
	assert_false(pic_intr(&pic));          /* IR4 waits below the IR1 in service */
	out8(0x20, 0x61);                      /* specific EOI of IR1 */
	assert_int_equal(pic_ack(&pic), 0x34);
	out8(0x20, 0x20);
	out8(0xa1, 0xff);                      /* mask the slave */
	pic_set_irq(&pic, 8 + 5, true);
	assert_false(pic_intr(&pic));
	out8(0xa1, 0x00);
	assert_true(pic_intr(&pic));
	assert_int_equal(pic_ack(&pic), 0x3d); /* through IR2 */
	out8(0xa0, 0x20), out8(0x20, 0x20);
	assert_false(pic_intr(&pic));
}

static void level_lines_and_spurious(void **state)
{
	(void)state;
	out8(0x4d0, 0x20); /* ELCR: IRQ 5 level-triggered */
	pic_set_irq(&pic, 5, true);
	assert_int_equal(pic_ack(&pic), 0x35);
	out8(0x20, 0x20);
	assert_true(pic_intr(&pic)); /* still asserted: requested again */
	pic_set_irq(&pic, 5, false);
	assert_false(pic_intr(&pic));
	/* a request that goes away before INTA: spurious IR7, nothing in service */
	assert_int_equal(pic_ack(&pic), 0x37);
	out8(0x20, 0x0b);
	assert_int_equal(in8(0x20), 0);
	assert_int_equal(pic.spurious, 1);
	out8(0x4d0, 0xff);
	assert_int_equal(in8(0x4d0), 0xf8); /* IRQ 0-2 are edge on every PC */
}

static void line(void *o, unsigned irq, bool level) { pic_set_irq(o, irq, level); }

static void uart_thre_interrupt(void **state)
{
	(void)state;
	struct uart u;
	assert_int_equal(uart_init(&u, &bus, 0x3f8, -1, (struct irq_line){ line, &pic, 4 }), 0);
	out8(0x3fc, 0x08);                  /* MCR: OUT2 */
	out8(0x3f9, 0x02);                  /* IER: THRI, THR empty: raised at once */
	assert_true(pic_intr(&pic));
	assert_int_equal(pic_ack(&pic), 0x34);
	assert_int_equal(in8(0x3fa) & 0x0f, 0x02); /* the handler: IIR says THRE, and reading it clears it */
	assert_int_equal(in8(0x3fa) & 0x0f, 0x01);
	out8(0x20, 0x20);
	out8(0x3f8, 'x');                   /* sent at once: THRE again */
	assert_true(pic_intr(&pic));
	out8(0x3fc, 0x00);                  /* without OUT2 the line stays low */
	assert_int_equal(pic_ack(&pic), 0x37);
	assert_string_equal(u.out, "x");
	uart_free(&u);
}

/* The modem status register: a connected line, and in loopback the modem outputs (CTS
 * from RTS, DSR from DTR, RI from OUT1, DCD from OUT2: the probe Xen makes), with
 * nothing sent on the line. */
static void uart_loopback_probe(void **state)
{
	(void)state;
	struct uart u;
	assert_int_equal(uart_init(&u, &bus, 0x3f8, -1, (struct irq_line){ line, &pic, 4 }), 0);
	assert_int_equal(in8(0x3fe) & 0xf0, 0xb0);
	out8(0x3f9, 0x00);
	assert_int_equal(in8(0x3f9) & 0x0f, 0x00);
	out8(0x3f9, 0x0f);
	assert_int_equal(in8(0x3f9) & 0x0f, 0x0f);
	out8(0x3f9, 0x00);
	out8(0x3fc, 0x10 | 0x0a);           /* loop, OUT2, RTS */
	assert_int_equal(in8(0x3fe) & 0xf0, 0x90);
	out8(0x3fc, 0x10 | 0x05);           /* loop, OUT1, DTR */
	assert_int_equal(in8(0x3fe) & 0xf0, 0x60);
	out8(0x3f8, 'x');
	out8(0x3fc, 0x03);
	assert_true(!u.out || !*u.out); /* nothing captured */
	uart_free(&u);
}

static void cmos_clock(void **state)
{
	(void)state;
	struct rtc r;
	assert_int_equal(rtc_init(&r, &bus), 0);
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	out8(0x70, 0x0d);
	assert_int_equal(in8(0x71), 0x80);  /* valid RAM and time */
	out8(0x70, 0x0a);
	assert_int_equal(in8(0x71) & 0x80, 0);
	out8(0x70, 0x09);
	uint8_t y = in8(0x71);
	assert_int_equal((y >> 4) * 10 + (y & 15), tm.tm_year % 100);
	out8(0x70, 0x30), out8(0x71, 0x5a);  /* CMOS RAM keeps what is written */
	out8(0x70, 0x30);
	assert_int_equal(in8(0x71), 0x5a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(edge_irq_is_delivered_once, setup),
		cmocka_unit_test_setup(priority_mask_and_cascade, setup),
		cmocka_unit_test_setup(level_lines_and_spurious, setup),
		cmocka_unit_test_setup(uart_thre_interrupt, setup),
		cmocka_unit_test_setup(uart_loopback_probe, setup),
		cmocka_unit_test_setup(cmos_clock, setup),
	};
	return cmocka_run_group_tests_name("legacy devices", tests, NULL, NULL);
}
