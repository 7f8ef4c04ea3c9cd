/*
 * SiFive UART (sifive,uart0: QEMU sifive_u, the U740).  OpenSBI already set
 * the baud divisor; we only enable tx/rx and the receive watermark interrupt.
 */
#include "drivers/console.h"
#include "kernel/memlayout.h"
#include <stdint.h>

#define TXDATA 0x00	/* bit 31: FIFO full */
#define RXDATA 0x04	/* bit 31: FIFO empty */
#define TXCTRL 0x08
#define RXCTRL 0x0c
#define IE     0x10
#define IE_RXWM 0x2
#define FLAG   (1U << 31)

static volatile uint32_t *regs;

static uint32_t rd(int off) { return regs[off / 4]; }
static void wr(int off, uint32_t v) { regs[off / 4] = v; }

static int sifive_init(const struct uart_info *u)
{
	regs = PA2VA(u->base);
	wr(TXCTRL, rd(TXCTRL) | 1);		/* txen */
	wr(RXCTRL, (rd(RXCTRL) & ~(7U << 16)) | 1);	/* rxen, watermark 0: irq on any byte */
	return 0;
}

static void sifive_putc(int c)
{
	for (int spin = 0; rd(TXDATA) & FLAG; spin++)
		if (spin > 1000000)
			return;
	wr(TXDATA, (uint8_t)c);
}

static int sifive_getc(void)
{
	uint32_t v = rd(RXDATA);	/* one read both tests and pops */
	return (v & FLAG) ? -1 : (int)(v & 0xff);
}

static void sifive_rx_irq(int on)
{
	wr(IE, on ? IE_RXWM : 0);
}

const struct uart_driver uart_sifive = {
	.compat = "sifive,uart0",
	.init = sifive_init,
	.putc = sifive_putc,
	.getc = sifive_getc,
	.rx_irq = sifive_rx_irq,
};
