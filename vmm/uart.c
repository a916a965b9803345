#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "uart.h"

#define LCR_DLAB 0x80
#define LSR_DR   0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define IER_THRI 0x02
#define MCR_DTR  0x01
#define MCR_RTS  0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define MSR_CTS  0x10
#define MSR_DSR  0x20
#define MSR_RI   0x40
#define MSR_DCD  0x80
#define IIR_NONE 0x01
#define IIR_THRI 0x02
#define IIR_FIFO 0xc0 /* FIFOs enabled */

static void update_irq(struct uart *u)
{
	irq_line_set(&u->irq, (u->mcr & MCR_OUT2) && (u->ier & IER_THRI) && u->thre_pending);
}

static void line_char(struct uart *u, char c)
{
	if (c != '\n') {
		if (u->line_len + 1 < sizeof(u->line))
			u->line[u->line_len++] = c;
		return;
	}
	u->line[u->line_len] = 0;
	u->line_len = 0;
	u->on_line(u->line_opaque, u->line);
}

static void capture(struct uart *u, char c)
{
	if (u->echo_fd >= 0 && write(u->echo_fd, &c, 1) < 0)
		u->echo_fd = -1;
	if (c == '\r')
		return;
	if (u->on_line)
		line_char(u, c);
	if (u->len + 1 >= UART_CAPTURE_MAX) {
		u->dropped++;
		return;
	}
	if (u->len + 2 > u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 4096;
		char *p = realloc(u->out, cap);
		if (!p) {
			u->dropped++;
			return;
		}
		u->out = p;
		u->cap = cap;
	}
	u->out[u->len++] = c;
	u->out[u->len] = 0;
}

static uint64_t uart_read(void *opaque, uint64_t off, unsigned size)
{
	struct uart *u = opaque;
	(void)size;
	switch (off) {
	case 0: return (u->lcr & LCR_DLAB) ? u->dll : 0;
	case 1: return (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
	case 2: {
		uint64_t iir = (u->fcr & 1) ? IIR_FIFO : 0;
		if ((u->ier & IER_THRI) && u->thre_pending) {
			u->thre_pending = false; /* reading the IIR that reports it clears it */
			update_irq(u);
			return iir | IIR_THRI;
		}
		return iir | IIR_NONE;
	}
	case 3: return u->lcr;
	case 4: return u->mcr;
	case 5: return LSR_THRE | LSR_TEMT;
	case 6: /* a connected line (DCD, DSR, CTS); in loopback the modem outputs, which is
		 * how Xen and others probe for a UART */
		if (!(u->mcr & MCR_LOOP))
			return MSR_DCD | MSR_DSR | MSR_CTS;
		return ((u->mcr & MCR_RTS) ? MSR_CTS : 0) | ((u->mcr & MCR_DTR) ? MSR_DSR : 0) |
		       ((u->mcr & MCR_OUT1) ? MSR_RI : 0) | ((u->mcr & MCR_OUT2) ? MSR_DCD : 0);
	default: return u->scr;
	}
}

static void uart_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	struct uart *u = opaque;
	(void)size;
	switch (off) {
	case 0:
		if (u->lcr & LCR_DLAB) {
			u->dll = (uint8_t)v;
			break;
		}
		if (!(u->mcr & MCR_LOOP)) /* in loopback nothing reaches the line */
			capture(u, (char)v);
		u->thre_pending = true; /* sent at once: THR is empty again */
		break;
	case 1:
		if (u->lcr & LCR_DLAB) {
			u->dlm = (uint8_t)v;
			break;
		}
		/* enabling THRI with THR empty raises it at once, as a 16550 does */
		if ((v & IER_THRI) && !(u->ier & IER_THRI))
			u->thre_pending = true;
		u->ier = v & 0x0f;
		break;
	case 2: u->fcr = (uint8_t)v; break;
	case 3: u->lcr = (uint8_t)v; break;
	case 4: u->mcr = v & 0x1f; break;
	case 7: u->scr = (uint8_t)v; break;
	default: break; /* read-only LSR/MSR */
	}
	update_irq(u);
}

static const struct dev_ops uart_ops = { "uart", uart_read, uart_write };

int uart_init(struct uart *u, struct bus *b, uint16_t port, int echo_fd, struct irq_line irq)
{
	memset(u, 0, sizeof(*u));
	u->echo_fd = echo_fd;
	u->irq = irq;
	return bus_register(b, BUS_PIO, port, 8, &uart_ops, u);
}

void uart_free(struct uart *u)
{
	free(u->out);
	u->out = NULL;
	u->len = u->cap = 0;
}

void uart_last_line(const struct uart *u, char *buf, size_t n)
{
	size_t end = u->len;
	while (end && u->out[end - 1] == '\n')
		end--;
	size_t start = end;
	while (start && u->out[start - 1] != '\n')
		start--;
	size_t len = end - start < n - 1 ? end - start : n - 1;
	if (len)
		memcpy(buf, u->out + start, len);
	buf[len] = 0;
}
