/*
 * SiFive SPI controller (sifive,spi0), FU540-C000 / FU740-C000 manual
 * register map.  Used by drivers/mmc_spi.c for the SD card slot; it knows
 * nothing of SD.
 *
 * Transfers are programmed I/O in bursts of at most the FIFO depth (8):
 * write the burst to TXDATA, then read as many bytes from RXDATA.  Once the
 * last byte of a burst has come back the transmit FIFO is empty (a byte is
 * received only after it was shifted out), so the next burst never finds
 * TXDATA full and the full flag need not be read: half the MMIO accesses.
 */
#include "drivers/spi_sifive.h"
#include "kernel/memlayout.h"

#define SCKDIV  0x00	/* f_sck = f_in / (2 * (div + 1)), div in [11:0] */
#define SCKMODE 0x04	/* pha [0], pol [1] */
#define CSID    0x10
#define CSDEF   0x14	/* inactive level of each CS */
#define CSMODE  0x18	/* 0 AUTO, 2 HOLD, 3 OFF */
#define FMT     0x40	/* proto [1:0], endian [2], dir [3], len [19:16] */
#define TXDATA  0x48	/* full [31] */
#define RXDATA  0x4c	/* empty [31] */
#define FCTRL   0x60	/* memory-mapped flash mode [0] (spi0 only) */
#define IE      0x70

#define CSMODE_AUTO 0
#define CSMODE_HOLD 2
#define RX_EMPTY (1u << 31)
#define FIFO_DEPTH 8
/*
 * The controller's input clock: the FU740's PCLK on the Unmatched (the DTB
 * names it by a PRCI phandle, and duet has no clock framework).  Only the
 * SCK divider depends on it; a wrong guess makes the bus slower or faster
 * than asked, never wrong in content.  QEMU ignores the divider.
 */
#define DEFAULT_INPUT_HZ 125000000u

static inline uint32_t rd(struct spi_sifive *s, unsigned off) { return s->regs[off / 4]; }
static inline void wr(struct spi_sifive *s, unsigned off, uint32_t v) { s->regs[off / 4] = v; }

void spi_sifive_set_speed(struct spi_sifive *s, uint32_t max_hz)
{
	uint32_t div = (s->input_hz / 2 + max_hz - 1) / max_hz;	/* round so that f_sck <= max */
	div = div ? div - 1 : 0;
	wr(s, SCKDIV, div > 0xfff ? 0xfff : div);
}

void spi_sifive_init(struct spi_sifive *s, uint64_t pa, uint32_t cs, uint32_t max_hz)
{
	s->pa = pa;
	s->regs = PA2VA(pa);	/* the direct map covers the MMIO range */
	s->cs = cs;
	s->input_hz = DEFAULT_INPUT_HZ;
	wr(s, IE, 0);			/* polled: no interrupt */
	wr(s, FCTRL, 0);		/* not in flash mode (only spi0 has it) */
	wr(s, SCKMODE, 0);		/* SD SPI mode 0: sample on the rising edge */
	wr(s, CSID, cs);
	wr(s, CSDEF, rd(s, CSDEF) | 1u << cs);	/* active low */
	wr(s, CSMODE, CSMODE_AUTO);
	wr(s, FMT, 8u << 16);		/* single lane, MSB first, rx on, 8-bit frames */
	spi_sifive_set_speed(s, max_hz);
	while (!(rd(s, RXDATA) & RX_EMPTY))	/* drop stale bytes */
		;
}

/*
 * HOLD keeps CS asserted from the first frame until CSMODE changes; AUTO
 * releases it once the FIFO is idle (Linux's spi-sifive set_cs does the same).
 */
void spi_sifive_select(struct spi_sifive *s, int on)
{
	wr(s, CSMODE, on ? CSMODE_HOLD : CSMODE_AUTO);
}

void spi_sifive_xfer(struct spi_sifive *s, const uint8_t *tx, uint8_t *rx, size_t n)
{
	while (n) {
		size_t burst = n < FIFO_DEPTH ? n : FIFO_DEPTH;
		for (size_t i = 0; i < burst; i++)
			wr(s, TXDATA, tx ? tx[i] : 0xff);
		/* the RXDATA reads below must not pass the TXDATA writes: device
		 * output before device input (RVWMO orders I/O only with fences) */
		__asm__ volatile("fence o,i" ::: "memory");
		for (size_t i = 0; i < burst; i++) {
			uint32_t v;
			while ((v = rd(s, RXDATA)) & RX_EMPTY)
				;	/* a byte time at most: 0.4 us at 20 MHz */
			if (rx)
				rx[i] = (uint8_t)v;
		}
		if (tx)
			tx += burst;
		if (rx)
			rx += burst;
		n -= burst;
	}
}

uint8_t spi_sifive_byte(struct spi_sifive *s, uint8_t tx)
{
	uint8_t rx;
	spi_sifive_xfer(s, &tx, &rx, 1);
	return rx;
}
