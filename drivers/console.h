/* Console: the UART the DTB's stdout-path names, picked by compatible. */
#pragma once
#include "kernel/platform.h"

struct uart_driver {
	const char *compat;
	int (*init)(const struct uart_info *u);
	void (*putc)(int c);		/* bounded wait: drops the byte if the UART is stuck */
	int (*getc)(void);		/* -1 when the receive FIFO is empty */
	void (*rx_irq)(int on);
};

extern const struct uart_driver uart_ns16550;
extern const struct uart_driver uart_sifive;

void console_init(void);
void console_write(const char *s, unsigned long n);
int console_getc(void);
void console_rx_irq(int on);
unsigned console_irq(void);		/* the UART's PLIC source, 0 if none */
