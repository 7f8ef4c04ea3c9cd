/*
 * virtio over MMIO (virtio spec 1.1 section 4.2), version 2 (modern) and
 * the legacy version 1 that QEMU 7.2 gives by default.  The transport finds
 * the `virtio,mmio` nodes of the DTB, resets each device, and hands it to
 * the driver registered for its device id (drivers/virtio_drivers.c).
 * Drivers see split virtqueues (struct virtq) and never the register layout.
 *
 * Interrupts: each device's PLIC source goes to the cpu that runs system
 * calls (the server with offload=1), so a request parked in a handler there
 * is woken by an interrupt on its own cpu.  The transport acknowledges the
 * interrupt before the driver scans its used rings: a completion that lands
 * after the scan raises a new interrupt, so none is lost.
 */
#pragma once
#include <stdint.h>
#include <stddef.h>
#include "kernel/spinlock.h"

/* device ids */
#define VIRTIO_ID_BLOCK   2
#define VIRTIO_ID_RNG     4

/* feature bits common to every device */
#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_VERSION_1     32

/* split virtqueue layout (spec 2.6) */
#define VIRTQ_DESC_F_NEXT     1
#define VIRTQ_DESC_F_WRITE    2	/* the device writes this buffer */
#define VIRTQ_DESC_F_INDIRECT 4

struct virtq_desc {
	uint64_t addr;		/* physical */
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

struct virtq_used_elem {
	uint32_t id;		/* head of the completed chain */
	uint32_t len;		/* bytes the device wrote */
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];
};

struct virtio_dev;

/*
 * One split virtqueue.  `lock` covers the free list and the avail ring
 * (submitters on any cpu) and last_used (the interrupt handler): both sides
 * take it, and spin_lock disables interrupts, so the handler on the same
 * cpu cannot interrupt a submitter holding it.
 */
struct virtq {
	struct virtio_dev *dev;
	unsigned index, num;
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint16_t free_head, nfree, last_used;
	uint16_t *next_free;	/* free list links, one per descriptor */
	struct spinlock lock;
};

struct virtio_driver {
	uint32_t device_id;
	const char *name;
	/* the device is reset and acknowledged; 0 or a negative errno */
	int (*probe)(struct virtio_dev *d);
	/* interrupt (on the syscall cpu, interrupts off): scan used rings */
	void (*intr)(struct virtio_dev *d);
};

struct virtio_dev {
	uint64_t pa;		/* MMIO base */
	volatile uint32_t *regs;
	uint32_t version;	/* 1 legacy, 2 modern */
	uint32_t device_id;
	unsigned irq;
	int index;		/* n-th virtio,mmio node with a device behind it */
	uint64_t features;	/* negotiated */
	const struct virtio_driver *drv;
	void *priv;		/* the driver's */
};

/* The drivers the transport knows (drivers/virtio_drivers.c), NULL-terminated. */
extern const struct virtio_driver *const virtio_drivers[];

/* Boot hart, after plic_init: probe every virtio,mmio node. */
void virtio_init(void);

/*
 * Feature negotiation: offer the driver's wanted bits that the device has
 * (VERSION_1 is added for modern devices); sets d->features.  0, or -EIO if
 * the device refused (FEATURES_OK not kept).
 */
int virtio_negotiate(struct virtio_dev *d, uint64_t wanted);
/* Set up queue `index` with at most `max` entries (power of two). 0 or -errno. */
int virtio_queue_init(struct virtio_dev *d, struct virtq *q, unsigned index, unsigned max);
/* DRIVER_OK: the device may now use its queues, then route its interrupt. */
void virtio_ready(struct virtio_dev *d);
/* Mark the device broken (status FAILED) after a failed probe. */
void virtio_fail(struct virtio_dev *d);
/* Device configuration space, byte offset off (little-endian reads). */
uint32_t virtio_config32(struct virtio_dev *d, unsigned off);
uint64_t virtio_config64(struct virtio_dev *d, unsigned off);

/* Queue use: the caller holds q->lock for all of these. */
int virtq_alloc_desc(struct virtq *q);		/* -1 when none is free */
void virtq_free_chain(struct virtq *q, uint16_t head);
/* Publish chain `head` in the avail ring and notify the device. */
void virtq_submit(struct virtq *q, uint16_t head);
/* Next completed chain: 1 with its id and length, or 0 when the used ring is drained. */
int virtq_next_used(struct virtq *q, uint32_t *id, uint32_t *len);
