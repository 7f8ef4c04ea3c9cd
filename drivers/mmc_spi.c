/*
 * SD cards in SPI mode (SD Physical Layer Simplified Specification, ch. 7)
 * behind an `mmc-spi-slot` node, on the SiFive SPI controller
 * (drivers/spi_sifive.c): the HiFive Unmatched's microSD slot, and QEMU
 * sifive_u's `-drive if=sd`.  Registered as block device mmcblk0 (Linux's
 * name, major 179); partitions come from the MBR/GPT code of blkdev.c
 * (mmcblk0p1, ...).
 *
 * Where a request runs: the controller has no DMA and no useful interrupt,
 * so every byte is moved by the cpu.  blkdev_submit is called by the block
 * cache, which runs only on the cpu that executes system calls (the server
 * hart with offload=1); the request is carried out right there, inside
 * submit, and completed before submit returns (done is called with
 * interrupts off, as a virtio completion would be).  Unlike virtio-blk --
 * where the submitter parks and the server runs other system calls until
 * the device's interrupt -- the server hart is busy for the whole transfer:
 * the client hart still runs user code meanwhile (that is the offload), but
 * other system calls on the server wait.  No lock is needed: one cpu, and
 * nothing parks between the first and the last byte of a request.
 *
 * CRC is off (the SPI-mode default; CMD59 0 says so again): commands other
 * than CMD0 and CMD8, which are sent before CRC can be turned off, carry a
 * dummy CRC byte; data blocks' CRC16 is sent as 0xffff and read and dropped.
 */
#include "drivers/mmc_spi.h"
#include "drivers/spi_sifive.h"
#include "drivers/blkdev.h"
#include "arch/riscv/riscv.h"
#include "kernel/errno.h"
#include "kernel/fdt.h"
#include "kernel/fs/vfs.h"
#include "kernel/kmalloc.h"
#include "kernel/platform.h"
#include "kernel/printk.h"
#include "kernel/timer.h"
#include <stdio.h>
#include <string.h>

#define R1_IDLE        0x01
#define R1_ILLEGAL     0x04
#define TOKEN_START    0xfe	/* single block read/write, multi read */
#define TOKEN_MULTI_WR 0xfc
#define TOKEN_STOP_WR  0xfd
#define DATA_RESP_MASK 0x1f
#define DATA_ACCEPTED  0x05
#define OCR_POWERED_UP (1u << 31)
#define OCR_CCS        (1u << 30)	/* high capacity: addressed in blocks */
#define ACMD41_HCS     (1u << 30)
#define BLOCK          512

/* Timeouts (spec 4.6.2: read 100 ms, write 250 ms; init 1 s), with room. */
#define READ_TIMEOUT_MS  200
#define WRITE_TIMEOUT_MS 500
#define INIT_TIMEOUT_MS  1000
#define INIT_HZ          400000

struct mmc_card {
	struct blkdev bd;
	struct spi_sifive spi;
	int block_addr;		/* SDHC/SDXC: CMD17.. take block numbers, not bytes */
	uint32_t max_hz;
};

static int ncards;

static uint64_t deadline_ms(unsigned ms) { return time_now() + ns_to_ticks((uint64_t)ms * 1000000); }
static int expired(uint64_t d) { return time_now() > d; }

static uint8_t rx(struct mmc_card *c) { return spi_sifive_byte(&c->spi, 0xff); }

/* Wait until the card stops holding MISO low (busy), 0 or -EIO. */
static int wait_ready(struct mmc_card *c, unsigned ms)
{
	uint64_t d = deadline_ms(ms);
	while (rx(c) != 0xff)
		if (expired(d))
			return -EIO;
	return 0;
}

/*
 * One command frame, then its R1 (the first byte with bit 7 clear, within
 * Ncr = 8 bytes).  Returns R1, or -1 if none came (no card, or it hangs).
 */
static int command(struct mmc_card *c, uint8_t idx, uint32_t arg)
{
	uint8_t f[6] = { 0x40 | idx, arg >> 24, arg >> 16, arg >> 8, arg, 0x01 };
	if (idx == 0)
		f[5] = 0x95;	/* the only CRCs needed: sent before CRC is off */
	else if (idx == 8)
		f[5] = 0x87;
	if (idx != 0 && idx != 12 && wait_ready(c, WRITE_TIMEOUT_MS))
		return -1;
	spi_sifive_xfer(&c->spi, f, NULL, sizeof f);
	if (idx == 12)
		rx(c);	/* the stuff byte after CMD12 */
	for (int i = 0; i < 16; i++) {
		uint8_t r = rx(c);
		if (!(r & 0x80))
			return r;
	}
	return -1;
}

static int app_command(struct mmc_card *c, uint8_t idx, uint32_t arg)
{
	int r = command(c, 55, 0);
	return r < 0 || (r & ~R1_IDLE) ? r : command(c, idx, arg);
}

/* A data block from the card: start token, n bytes, CRC16 (dropped). */
static int read_data(struct mmc_card *c, uint8_t *buf, size_t n)
{
	uint64_t d = deadline_ms(READ_TIMEOUT_MS);
	uint8_t t;
	while ((t = rx(c)) == 0xff)
		if (expired(d))
			return -EIO;
	if (t != TOKEN_START)
		return -EIO;	/* a data error token (0000xxxx) */
	spi_sifive_xfer(&c->spi, NULL, buf, n);
	rx(c), rx(c);
	return 0;
}

/* A data block to the card: token, 512 bytes, dummy CRC, data response, busy. */
static int write_data(struct mmc_card *c, uint8_t token, const uint8_t *buf)
{
	rx(c);		/* Nwr: at least one byte before the token */
	spi_sifive_byte(&c->spi, token);
	spi_sifive_xfer(&c->spi, buf, NULL, BLOCK);
	rx(c), rx(c);
	uint8_t r;
	for (int i = 0; (r = rx(c)) == 0xff; i++)
		if (i == 8)
			return -EIO;
	if ((r & DATA_RESP_MASK) != DATA_ACCEPTED)
		return -EIO;	/* CRC error (0x0b) or write error (0x0d) */
	return wait_ready(c, WRITE_TIMEOUT_MS);
}

static uint32_t card_addr(struct mmc_card *c, uint64_t sector)
{
	return c->block_addr ? (uint32_t)sector : (uint32_t)(sector * BLOCK);
}

static int do_read(struct mmc_card *c, uint64_t sector, uint8_t *buf, uint32_t count)
{
	int r = command(c, count == 1 ? 17 : 18, card_addr(c, sector));
	if (r != 0)
		return -EIO;
	int err = 0;
	for (uint32_t i = 0; i < count && !err; i++)
		err = read_data(c, buf + (size_t)i * BLOCK, BLOCK);
	if (count > 1) {
		r = command(c, 12, 0);
		if (r < 0 || (r & ~R1_IDLE) || wait_ready(c, WRITE_TIMEOUT_MS))
			err = -EIO;
	}
	return err;
}

static int do_write(struct mmc_card *c, uint64_t sector, const uint8_t *buf, uint32_t count)
{
	if (command(c, count == 1 ? 24 : 25, card_addr(c, sector)) != 0)
		return -EIO;
	int err = 0;
	for (uint32_t i = 0; i < count && !err; i++)
		err = write_data(c, count == 1 ? TOKEN_START : TOKEN_MULTI_WR,
				 buf + (size_t)i * BLOCK);
	if (count > 1) {
		/* the stop token ends the transfer even after a rejected block */
		rx(c);
		spi_sifive_byte(&c->spi, TOKEN_STOP_WR);
		rx(c);
		if (wait_ready(c, WRITE_TIMEOUT_MS))
			err = -EIO;
	}
	return err;
}

static void mmc_submit(struct blkdev *d, struct bio *b)
{
	struct mmc_card *c = d->priv;
	uint32_t count = b->len / BLOCK;
	int err = 0;
	d->inflight_max = 1;
	if (b->op != BIO_FLUSH) {
		spi_sifive_select(&c->spi, 1);
		err = b->op == BIO_READ ? do_read(c, b->sector, b->buf, count)
					: do_write(c, b->sector, b->buf, count);
		spi_sifive_select(&c->spi, 0);
		rx(c);	/* a clock with CS high lets the card release MISO */
	}
	/* FLUSH: nothing to do, a write is on the card once its busy ends */
	if (err)
		pr_warn("%s: %s of %u sectors at %lu failed: -EIO\n", d->name,
			b->op == BIO_READ ? "read" : "write", count, b->sector);
	b->status = err ? -EIO : 0;
	uint64_t was = intr_off();	/* done runs as if from an interrupt */
	b->done(b);
	intr_restore(was);
}

/* Every request completes inside submit: nothing is ever outstanding. */
static void mmc_poll(struct blkdev *d) { (void)d; }

static const struct blkdev_ops mmc_ops = { .submit = mmc_submit, .poll = mmc_poll };

/* Capacity in sectors from the CSD (spec 5.3.2 version 1.0, 5.3.3 version 2.0). */
static uint64_t csd_sectors(const uint8_t *csd)
{
	if (csd[0] >> 6 == 1) {
		uint32_t c_size = (csd[7] & 0x3fu) << 16 | csd[8] << 8 | csd[9];
		return (uint64_t)(c_size + 1) * 1024;
	}
	uint32_t bl_len = csd[5] & 0xf;
	uint32_t c_size = (csd[6] & 3u) << 10 | csd[7] << 2 | csd[8] >> 6;
	uint32_t mult = (csd[9] & 3u) << 1 | csd[10] >> 7;
	return ((uint64_t)(c_size + 1) << (mult + 2 + bl_len)) / BLOCK;
}

/* The SPI-mode initialisation (spec 7.2.1, figure 7-2).  0, or why not. */
static const char *card_init(struct mmc_card *c, uint64_t *sectors)
{
	/* >= 74 clocks with CS high, at <= 400 kHz, before the first command */
	spi_sifive_set_speed(&c->spi, INIT_HZ);
	spi_sifive_select(&c->spi, 0);
	for (int i = 0; i < 10; i++)
		rx(c);
	spi_sifive_select(&c->spi, 1);
	int r = -1;
	for (int i = 0; i < 10 && r != R1_IDLE; i++)
		r = command(c, 0, 0);
	if (r != R1_IDLE)
		return "no card (no answer to CMD0)";
	/* CMD8: a version 2 card echoes the check pattern; an old one says illegal */
	r = command(c, 8, 0x1aa);
	if (r < 0)
		return "no answer to CMD8";
	int v2 = !(r & R1_ILLEGAL);
	if (v2) {
		uint8_t r7[4];
		spi_sifive_xfer(&c->spi, NULL, r7, 4);
		if (r7[3] != 0xaa)	/* QEMU 7.2's ssi-sd sends only R1: go on as v2 */
			pr_info("mmc_spi: CMD8 check pattern not echoed (%#x)\n", r7[3]);
	}
	uint64_t d = deadline_ms(INIT_TIMEOUT_MS);
	do {
		r = app_command(c, 41, v2 ? ACMD41_HCS : 0);
		if (r < 0 || (r & ~R1_IDLE))
			return "ACMD41 refused";
	} while (r == R1_IDLE && !expired(d));
	if (r != 0)
		return "still idle after ACMD41 for 1 s";
	/* CMD58: the OCR; CCS (valid once powered up) says block addressing */
	if ((r = command(c, 58, 0)) < 0 || (r & ~R1_IDLE))
		return "CMD58 refused";
	uint8_t ocr[4];
	spi_sifive_xfer(&c->spi, NULL, ocr, 4);
	uint32_t o = (uint32_t)ocr[0] << 24 | ocr[1] << 16 | ocr[2] << 8 | ocr[3];
	c->block_addr = v2 && (o & OCR_POWERED_UP) && (o & OCR_CCS);
	if (command(c, 59, 0) < 0)	/* CRC off */
		return "CMD59 refused";
	if (!c->block_addr && command(c, 16, BLOCK) != 0)
		return "CMD16 (block length 512) refused";
	spi_sifive_set_speed(&c->spi, c->max_hz);
	uint8_t csd[16];
	if (command(c, 9, 0) != 0 || read_data(c, csd, sizeof csd))
		return "CSD unreadable";
	*sectors = csd_sectors(csd);
	return *sectors ? NULL : "CSD gives no capacity";
}

static void probe_slot(const struct fdt *f, int spi_node, int slot)
{
	uint64_t base, size;
	if (fdt_reg(f, spi_node, 0, &base, &size) != 0)
		return;
	struct mmc_card *c = kzalloc(sizeof *c);
	if (!c)
		return;
	c->max_hz = fdt_prop_u32(f, slot, "spi-max-frequency", 20000000);
	spi_sifive_init(&c->spi, base, fdt_prop_u32(f, slot, "reg", 0), INIT_HZ);
	uint64_t sectors = 0;
	const char *why = card_init(c, &sectors);
	spi_sifive_select(&c->spi, 0);
	rx(c);
	if (why) {
		pr_info("mmc_spi: spi %#lx cs %u: %s\n", base, c->spi.cs, why);
		kfree(c);
		return;
	}
	snprintf(c->bd.name, sizeof c->bd.name, "mmcblk%d", ncards);
	c->bd.rdev = VFS_MKDEV(MMC_BLOCK_MAJOR, 8 * ncards);	/* 8 minors a card, as Linux */
	c->bd.nsectors = sectors;
	c->bd.ops = &mmc_ops;
	c->bd.priv = c;
	if (blkdev_register(&c->bd)) {
		kfree(c);
		return;
	}
	ncards++;
	pr_info("%s: SD%s card on spi %#lx cs %u, %lu MiB, %s addressing\n", c->bd.name,
		c->block_addr ? "HC" : "SC", base, c->spi.cs, sectors / 2048,
		c->block_addr ? "block" : "byte");
}

void mmc_spi_init(void)
{
	struct fdt f;
	if (!plat.dtb || fdt_open(&f, plat.dtb) != 0)
		return;
	for (int n = fdt_find_compatible(&f, -1, "sifive,spi0"); n >= 0;
	     n = fdt_find_compatible(&f, n, "sifive,spi0"))
		for (int s = fdt_first_child(&f, n); s >= 0; s = fdt_next_sibling(&f, s))
			if (fdt_is_compatible(&f, s, "mmc-spi-slot"))
				probe_slot(&f, n, s);
}
