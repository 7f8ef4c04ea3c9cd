/* SD cards on an SPI bus (`mmc-spi-slot` under a `sifive,spi0` node): /dev/mmcblk0. */
#pragma once

#define MMC_BLOCK_MAJOR 179	/* Linux's */

/* Boot hart, after virtio_init: probe every slot of the DTB, register the cards. */
void mmc_spi_init(void);
