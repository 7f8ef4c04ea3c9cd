/* The virtio drivers the transport (drivers/virtio_mmio.c) matches by device id. */
#include "drivers/virtio.h"

extern const struct virtio_driver virtio_rng_driver;
extern const struct virtio_driver virtio_blk_driver;

const struct virtio_driver *const virtio_drivers[] = {
	&virtio_rng_driver,
	&virtio_blk_driver,
	NULL,
};
