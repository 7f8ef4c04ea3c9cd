#include "drivers/console.h"
#include "arch/riscv/sbi.h"
#include <string.h>

static const struct uart_driver *const drivers[] = { &uart_ns16550, &uart_sifive };
static const struct uart_driver *active;	/* NULL: early output through SBI */

void console_init(void)
{
	if (!plat.uart.compat)
		return;
	for (unsigned i = 0; i < sizeof drivers / sizeof drivers[0]; i++)
		if (strcmp(drivers[i]->compat, plat.uart.compat) == 0 &&
		    drivers[i]->init(&plat.uart) == 0)
			active = drivers[i];
}

void console_write(const char *s, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		if (s[i] == '\n')
			active ? active->putc('\r') : sbi_console_putchar('\r');
		active ? active->putc(s[i]) : sbi_console_putchar(s[i]);
	}
}

int console_getc(void)
{
	return active ? active->getc() : -1;
}

void console_rx_irq(int on)
{
	if (active)
		active->rx_irq(on);
}

unsigned console_irq(void)
{
	return active ? plat.uart.irq : 0;
}
