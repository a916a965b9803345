/* A 16550 on COM1, output only: the transmitter is always empty (THRE and TEMT set) so
 * polling guests never wait; what the guest sends is captured and optionally echoed. */
#ifndef VMM_UART_H
#define VMM_UART_H
#include <stddef.h>
#include <stdint.h>
#include "bus.h"

#define UART_CAPTURE_MAX (1u << 20)

struct uart {
	uint8_t ier, lcr, mcr, scr, dll, dlm;
	int echo_fd;      /* -1: capture only */
	char *out;        /* NUL-terminated capture */
	size_t len, cap;
	size_t dropped;   /* bytes past UART_CAPTURE_MAX */
};

int uart_init(struct uart *u, struct bus *b, uint16_t port, int echo_fd);
void uart_free(struct uart *u);
/* The last line the guest wrote, for failure reasons; "" if none. */
void uart_last_line(const struct uart *u, char *buf, size_t n);

#endif
