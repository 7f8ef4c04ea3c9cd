/* NS16550A UART (QEMU virt): polled output, receive interrupt for input. */
#include "drivers/console.h"
#include "kernel/memlayout.h"
#include <stdint.h>

#define RBR 0	/* receive buffer (read) */
#define THR 0	/* transmit holding (write) */
#define IER 1	/* interrupt enable */
#define FCR 2	/* FIFO control */
#define LCR 3
#define MCR 4
#define LSR 5
#define LSR_DR   0x01
#define LSR_THRE 0x20
#define IER_RDA  0x01
#define MCR_OUT2 0x08	/* gates the interrupt line on PC-style boards */

static volatile uint8_t *regs;
static uint32_t shift;

static uint8_t rd(int r) { return regs[r << shift]; }
static void wr(int r, uint8_t v) { regs[r << shift] = v; }

static int ns16550_init(const struct uart_info *u)
{
	regs = PA2VA(u->base);
	shift = u->reg_shift;
	wr(FCR, 0x07);		/* enable and clear FIFOs */
	wr(MCR, MCR_OUT2 | 0x03);
	return 0;
}

static void ns16550_putc(int c)
{
	for (int spin = 0; !(rd(LSR) & LSR_THRE); spin++)
		if (spin > 1000000)
			return;	/* a wedged UART must not hang the kernel */
	wr(THR, (uint8_t)c);
}

static int ns16550_getc(void)
{
	return (rd(LSR) & LSR_DR) ? rd(RBR) : -1;
}

static void ns16550_rx_irq(int on)
{
	wr(IER, on ? IER_RDA : 0);
}

const struct uart_driver uart_ns16550 = {
	.compat = "ns16550a",
	.init = ns16550_init,
	.putc = ns16550_putc,
	.getc = ns16550_getc,
	.rx_irq = ns16550_rx_irq,
};
