#include <string.h>
#include <time.h>
#include "rtc.h"

enum { SEC = 0, MIN = 2, HOUR = 4, WDAY = 6, MDAY = 7, MON = 8, YEAR = 9, REG_A = 0xa, REG_B = 0xb, REG_C = 0xc,
       REG_D = 0xd, CENTURY = 0x32 };

#define B_24H    0x02
#define D_VRT    0x80

static uint8_t bcd(int v) { return (uint8_t)(((v / 10) << 4) | (v % 10)); }
static int unbcd(uint8_t v) { return (v >> 4) * 10 + (v & 15); }

static struct tm guest_time(const struct rtc *r)
{
	time_t t = time(NULL) + r->offset_s;
	struct tm tm;
	gmtime_r(&t, &tm);
	return tm;
}

static uint64_t rtc_read(void *opaque, uint64_t off, unsigned size)
{
	struct rtc *r = opaque;
	(void)size;
	if (off == 0)
		return 0xff; /* the index port reads back nothing useful on most chipsets */
	struct tm tm = guest_time(r);
	switch (r->index) {
	case SEC: return bcd(tm.tm_sec > 59 ? 59 : tm.tm_sec);
	case MIN: return bcd(tm.tm_min);
	case HOUR: return bcd(tm.tm_hour);
	case WDAY: return bcd(tm.tm_wday + 1);
	case MDAY: return bcd(tm.tm_mday);
	case MON: return bcd(tm.tm_mon + 1);
	case YEAR: return bcd(tm.tm_year % 100);
	case CENTURY: return bcd(19 + tm.tm_year / 100);
	case REG_A: return r->ram[REG_A] & 0x7f; /* never mid-update */
	case REG_C: return 0;                     /* no interrupt flags */
	case REG_D: return D_VRT;
	default: return r->ram[r->index];
	}
}

static void set_field(struct rtc *r, uint8_t index, uint8_t v)
{
	struct tm tm = guest_time(r);
	int x = unbcd(v);
	switch (index) {
	case SEC: tm.tm_sec = x; break;
	case MIN: tm.tm_min = x; break;
	case HOUR: tm.tm_hour = x; break;
	case MDAY: tm.tm_mday = x; break;
	case MON: tm.tm_mon = x - 1; break;
	case YEAR: tm.tm_year = (tm.tm_year / 100) * 100 + x; break;
	default: return;
	}
	r->offset_s = (int64_t)(timegm(&tm) - time(NULL));
}

static void rtc_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	struct rtc *r = opaque;
	(void)size;
	if (off == 0) {
		r->index = v & 0x7f; /* bit 7 masks NMI: there is none to mask */
		return;
	}
	if (r->index <= YEAR && r->index != WDAY)
		set_field(r, r->index, (uint8_t)v);
	else if (r->index == REG_B)
		r->ram[REG_B] = ((uint8_t)v & ~0x04) | B_24H; /* BCD, 24 hours: the only format modelled */
	else if (r->index != REG_C && r->index != REG_D)
		r->ram[r->index] = (uint8_t)v;
}

static const struct dev_ops rtc_ops = { "rtc", rtc_read, rtc_write };

int rtc_init(struct rtc *r, struct bus *b)
{
	memset(r, 0, sizeof(*r));
	r->ram[REG_A] = 0x26; /* 32.768 kHz time base, 1024 Hz rate */
	r->ram[REG_B] = B_24H;
	return bus_register(b, BUS_PIO, 0x70, 2, &rtc_ops, r);
}
