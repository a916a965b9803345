/* Output: COM1 lines (readable under any VMM) and pvbench's control port (one exit per
 * message). Every report goes to both, in the format documented in README.md. */
#include <stdarg.h>
#include "kernel.h"
#include "cpu.h"
#include "pvops.h"

#define LSR 5
#define LSR_TEMT 0x40

static int have_ctl;
static struct pvb_msg msg; /* identity-mapped, so its address is its guest-physical one */

void console_init(void)
{
	outb(PVB_COM1_PORT + 1, 0x00); /* no interrupts */
	outb(PVB_COM1_PORT + 3, 0x80); /* DLAB */
	outb(PVB_COM1_PORT + 0, 0x01); /* 115200 baud */
	outb(PVB_COM1_PORT + 1, 0x00);
	outb(PVB_COM1_PORT + 3, 0x03); /* 8N1 */
	outb(PVB_COM1_PORT + 2, 0x07); /* FIFO on, cleared */
	have_ctl = inl(PVB_CTL_PORT) == PVB_CTL_ID;
}

int ctl_present(void) { return have_ctl; }

/* Wait for TEMT, not just THRE: Bochs's file-backed COM1 drops bytes otherwise. */
static void serial_putc(char c)
{
	for (int spins = 0; !(inb(PVB_COM1_PORT + LSR) & LSR_TEMT) && spins < 100000; spins++)
		cpu_relax();
	outb(PVB_COM1_PORT, (uint8_t)c);
}

static void serial_puts(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			serial_putc('\r');
		serial_putc(*s);
	}
}

void kprintf(const char *f, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, f);
	vfmt(buf, sizeof(buf), f, ap);
	va_end(ap);
	serial_puts(buf);
}

static const char *const type_names[] = {
	[PVB_MSG_HELLO] = "hello", [PVB_MSG_BEGIN] = "begin", [PVB_MSG_RESULT] = "result",
	[PVB_MSG_VALUE] = "value", [PVB_MSG_UNSUPPORTED] = "unsupported", [PVB_MSG_FAILED] = "failed",
	[PVB_MSG_END] = "end", [PVB_MSG_DONE] = "done", [PVB_MSG_MARK] = "mark", [PVB_MSG_COUNT] = "count",
};

void report(uint32_t type, const char *bench, uint32_t rep, uint64_t iters, int64_t ticks,
	    uint64_t value, const char *text)
{
	uint64_t now = rdtsc();
	switch (type) {
	case PVB_MSG_HELLO:
		kprintf("PVB hello tsc_hz=%lu iface=%s\n", tsc_hz, text);
		break;
	case PVB_MSG_RESULT:
		kprintf("PVB result bench=%s rep=%u iters=%lu ticks=%ld tsc_hz=%lu tsc=%lu\n",
			bench, rep, iters, ticks, tsc_hz, now);
		break;
	case PVB_MSG_VALUE:
		kprintf("PVB value bench=%s value=0x%lx\n", bench, value);
		break;
	case PVB_MSG_UNSUPPORTED:
	case PVB_MSG_FAILED:
		kprintf("PVB %s bench=%s reason=%s\n", type_names[type], bench, text);
		break;
	case PVB_MSG_DONE:
		kprintf("PVB done\n");
		break;
	case PVB_MSG_MARK:
	case PVB_MSG_COUNT:
		break; /* the bracket must cost the same every pass: no number printing */
	default:
		kprintf("PVB %s bench=%s\n", type_names[type], bench);
	}
	if (!have_ctl)
		return;
	memset(&msg, 0, sizeof(msg));
	msg.magic = PVB_MSG_MAGIC;
	msg.type = type;
	strlcpy_(msg.bench, bench ? bench : "", sizeof(msg.bench));
	msg.rep = rep;
	msg.iters = iters;
	msg.ticks = ticks;
	msg.tsc_hz = tsc_hz;
	msg.value = value;
	msg.tsc = now;
	strlcpy_(msg.text, text ? text : "", sizeof(msg.text));
	barrier();
	outl(PVB_CTL_PORT, (uint32_t)(uintptr_t)&msg);
}

void guest_exit(uint32_t code)
{
	outb(PVB_DEBUG_EXIT_PORT, (uint8_t)code);
	pv.irq_disable(); /* without a debug-exit device (bare QEMU, GRUB) the guest stops here */
	for (;;)
		pv.halt();
}

void panic(const char *f, ...)
{
	char buf[PVB_TEXT_LEN];
	va_list ap;
	va_start(ap, f);
	vfmt(buf, sizeof(buf), f, ap);
	va_end(ap);
	kprintf("PVB panic %s\n", buf);
	report(PVB_MSG_FAILED, current_bench, 0, 0, 0, 0, buf);
	guest_exit(3);
}
