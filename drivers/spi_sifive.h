/*
 * The SiFive SPI controller (`sifive,spi0`: FU540/FU740 manual, chapter
 * "Serial Peripheral Interface"), as a byte pipe for one device behind one
 * chip select.  Programmed I/O: every byte goes through TXDATA and comes
 * back through RXDATA; no interrupt, no DMA (the controller has neither a
 * DMA engine nor an interrupt worth a context switch at these sizes).
 */
#pragma once
#include <stdint.h>
#include <stddef.h>

struct spi_sifive {
	volatile uint32_t *regs;
	uint64_t pa;
	uint32_t cs;		/* chip select of the device (its reg) */
	uint32_t input_hz;	/* controller input clock (the SCKDIV base) */
};

/* Reset to mode 0, MSB first, 8-bit frames, CS high; SCK at most max_hz. */
void spi_sifive_init(struct spi_sifive *s, uint64_t pa, uint32_t cs, uint32_t max_hz);
void spi_sifive_set_speed(struct spi_sifive *s, uint32_t max_hz);
/* Chip select: 1 asserts it (held across frames), 0 releases it. */
void spi_sifive_select(struct spi_sifive *s, int on);
/* Full duplex: sends tx[i] (0xff if tx is NULL), stores what came back in rx[i] (if rx). */
void spi_sifive_xfer(struct spi_sifive *s, const uint8_t *tx, uint8_t *rx, size_t n);
uint8_t spi_sifive_byte(struct spi_sifive *s, uint8_t tx);
