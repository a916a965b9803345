/* What every trap comes to, whatever the architecture's entry code and frame. */
#include "kernel.h"
#include "cpu.h"
#include "layout.h"
#include "pvops.h"

static trap_hook hooks[32];
static void (*timer_hook)(void);
volatile uint64_t ticks_seen;

/* Firmware leaves the 8259s delivering IRQ0 at vector 8, which would read as #DF: remap
 * them above the exceptions and mask every line (the LAPIC is the only timer used). */
void pic_mask_all(void)
{
	static const uint8_t icw[2][4] = { { 0x11, 0x20, 0x04, 0x01 }, { 0x11, 0x28, 0x02, 0x01 } };
	for (int c = 0; c < 2; c++) {
		uint16_t cmd = c ? 0xa0 : 0x20;
		for (int i = 0; i < 4; i++)
			outb(i ? cmd + 1 : cmd, icw[c][i]);
		outb(cmd + 1, 0xff);
	}
}

void trap_set_hook(unsigned vector, trap_hook h) { hooks[vector & 31] = h; }
void trap_set_timer_hook(void (*h)(void)) { timer_hook = h; }

static const char *const vec_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO", "#TS", "#NP",
	"#SS", "#GP", "#PF", "res", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

void trap_handle(struct trap_frame *f, uint64_t vector, uint64_t error, uintptr_t pc, uintptr_t cs)
{
	if (vector == VEC_TIMER) {
		ticks_seen++;
		if (timer_hook)
			timer_hook();
		pv.timer_ack();
		return;
	}
	if (vector == VEC_SPURIOUS)
		return;
	if (vector < 32 && hooks[vector] && hooks[vector](f))
		return;
	const char *name = vector < 32 && vec_names[vector] ? vec_names[vector] : "interrupt";
	panic("unexpected %s (vector %lu) error %lx at pc %lx cs %lx cr2 %lx", name, vector, error, (uint64_t)pc,
	      (uint64_t)cs, vector == 14 ? (uint64_t)read_cr2() : 0);
}
