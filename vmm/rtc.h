/* The MC146818 CMOS clock at 0x70/0x71: the host's UTC time in BCD, 24-hour mode, the
 * status registers a driver polls (UIP clear, valid RAM and time) and 114 bytes of CMOS
 * RAM. A guest that sets the clock moves an offset. No periodic or alarm interrupt. */
#ifndef VMM_RTC_H
#define VMM_RTC_H
#include <stdint.h>
#include "bus.h"

struct rtc {
	uint8_t index;
	uint8_t ram[128];
	int64_t offset_s; /* guest time minus host time */
};

int rtc_init(struct rtc *r, struct bus *b);

#endif
