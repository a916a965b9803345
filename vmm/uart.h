/* A 16550 on COM1, output only: the transmitter is always empty (THRE and TEMT set) so
 * polling guests never wait; what the guest sends is captured and optionally echoed. Its
 * THRE interrupt (IER bit 1, through MCR OUT2 as on a PC) drives an IRQ line: an
 * interrupt-driven driver (Linux's 8250) writes the next byte from it. Loopback (MCR bit
 * 4) answers the modem-status probe and sends nothing. */
#ifndef VMM_UART_H
#define VMM_UART_H
#include <stddef.h>
#include <stdint.h>
#include "bus.h"
#include "pic.h"

#define UART_CAPTURE_MAX (1u << 20)

struct uart {
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	bool thre_pending;  /* the THRE interrupt: set when THR empties, cleared by reading IIR or writing THR */
	struct irq_line irq;
	int echo_fd;      /* -1: capture only */
	char *out;        /* NUL-terminated capture */
	size_t len, cap;
	size_t dropped;   /* bytes past UART_CAPTURE_MAX */
	/* each whole line the guest writes, without its newline, when set */
	void (*on_line)(void *opaque, const char *line);
	void *line_opaque;
	char line[256];
	size_t line_len;
};

int uart_init(struct uart *u, struct bus *b, uint16_t port, int echo_fd, struct irq_line irq);
void uart_free(struct uart *u);
/* The last line the guest wrote, for failure reasons; "" if none. */
void uart_last_line(const struct uart *u, char *buf, size_t n);

#endif
