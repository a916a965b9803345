/* The device ABI: routing by range, offsets relative to the base, byte order, and what
 * an access nobody claims does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "../vmm/bus.h"

struct fake {
	uint64_t last_off, last_val;
	unsigned last_size;
	int writes;
};

static uint64_t fake_read(void *o, uint64_t off, unsigned size)
{
	(void)o;
	(void)size;
	return 0x1122334455667788ull + off;
}

static void fake_write(void *o, uint64_t off, uint64_t v, unsigned size)
{
	struct fake *f = o;
	f->last_off = off;
	f->last_val = v;
	f->last_size = size;
	f->writes++;
}

static const struct dev_ops fake_ops = { "fake", fake_read, fake_write };

static void routes_by_range_with_relative_offsets(void **state)
{
	(void)state;
	struct bus b = { 0 };
	struct fake a = { 0 }, c = { 0 };
	assert_int_equal(bus_register(&b, BUS_PIO, 0x3f8, 8, &fake_ops, &a), 0);
	assert_int_equal(bus_register(&b, BUS_MMIO, 0xfee00000, 0x1000, &fake_ops, &c), 0);
	uint8_t data[8] = { 0x41, 0, 0, 0 };
	assert_true(bus_access(&b, BUS_PIO, 0x3fb, data, 1, true));
	assert_int_equal(a.last_off, 3);
	assert_int_equal(a.last_val, 0x41);
	assert_int_equal(a.last_size, 1);
	assert_int_equal(c.writes, 0);
	/* the same address in the other space reaches nobody */
	assert_false(bus_access(&b, BUS_MMIO, 0x3fb, data, 1, true));
	assert_int_equal(b.unclaimed[BUS_MMIO], 1);
	uint8_t w[4] = { 0x78, 0x56, 0x34, 0x12 };
	assert_true(bus_access(&b, BUS_MMIO, 0xfee000b0, w, 4, true));
	assert_int_equal(c.last_off, 0xb0);
	assert_int_equal(c.last_val, 0x12345678);
	assert_int_equal(bus_find(&b, BUS_MMIO, 0xfee00fff)->accesses, 1);
}

static void reads_are_little_endian_and_sized(void **state)
{
	(void)state;
	struct bus b = { 0 };
	struct fake a = { 0 };
	bus_register(&b, BUS_MMIO, 0x1000, 0x100, &fake_ops, &a);
	uint8_t d[8];
	memset(d, 0xee, sizeof(d));
	assert_true(bus_access(&b, BUS_MMIO, 0x1000, d, 2, false));
	assert_int_equal(d[0], 0x88);
	assert_int_equal(d[1], 0x77);
	assert_int_equal(d[2], 0xee); /* untouched beyond the access size */
	assert_true(bus_access(&b, BUS_MMIO, 0x1010, d, 8, false));
	uint64_t v;
	memcpy(&v, d, 8);
	assert_int_equal(v, 0x1122334455667788ull + 0x10);
}

static void unclaimed_reads_float_high(void **state)
{
	(void)state;
	struct bus b = { 0 };
	uint8_t d[4] = { 0 };
	assert_false(bus_access(&b, BUS_PIO, 0x80, d, 4, false));
	assert_int_equal(d[0] & d[1] & d[2] & d[3], 0xff);
	assert_int_equal(b.unclaimed[BUS_PIO], 1);
}

static void refuses_overlaps_and_empty_ranges(void **state)
{
	(void)state;
	struct bus b = { 0 };
	struct fake a = { 0 };
	assert_int_equal(bus_register(&b, BUS_PIO, 0x40, 4, &fake_ops, &a), 0);
	assert_int_equal(bus_register(&b, BUS_PIO, 0x43, 2, &fake_ops, &a), -1);
	assert_int_equal(bus_register(&b, BUS_PIO, 0x3c, 5, &fake_ops, &a), -1);
	assert_int_equal(bus_register(&b, BUS_PIO, 0x44, 1, &fake_ops, &a), 0);
	assert_int_equal(bus_register(&b, BUS_PIO, 0x50, 0, &fake_ops, &a), -1);
	assert_int_equal(bus_register(&b, BUS_MMIO, UINT64_MAX - 1, 4, &fake_ops, &a), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(routes_by_range_with_relative_offsets),
		cmocka_unit_test(reads_are_little_endian_and_sized),
		cmocka_unit_test(unclaimed_reads_float_high),
		cmocka_unit_test(refuses_overlaps_and_empty_ranges),
	};
	return cmocka_run_group_tests_name("bus", tests, NULL, NULL);
}
