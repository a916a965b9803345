/* The 8254 PIT as far as TSC calibration needs it: channel 2 with its gate and OUT on
 * port 0x61. Channels 0 and 1 accept programming and stay silent (no IRQ0 source). */
#ifndef VMM_PIT_H
#define VMM_PIT_H
#include <stdbool.h>
#include <stdint.h>
#include "bus.h"
#include "clock.h"

#define PIT_HZ 1193182ull

struct pit {
	const struct clock *clock;
	uint8_t mode, access;    /* channel 2 */
	uint32_t reload;         /* 1..65536 */
	bool write_hi_next, read_hi_next, latched;
	uint16_t latch;
	bool counting;
	uint64_t start_ns;       /* when the current count was loaded */
	uint64_t frozen_ticks;   /* ticks counted before the gate last fell */
	uint8_t port61;          /* bit 0 gate, bit 1 speaker */
};

int pit_init(struct pit *p, struct bus *b, const struct clock *clk);
/* Channel 2 state at the clock's present time: current count and OUT. */
uint16_t pit_count(const struct pit *p);
bool pit_out(const struct pit *p);

#endif
