/*
 * Block devices: what a disk driver registers and what the block cache
 * (kernel/fs/bcache.h) and /dev/vdX use.  Sizes are in 512-byte sectors.
 *
 * A request (struct bio) is asynchronous: blkdev_submit queues it and
 * returns; the driver calls bio->done from its interrupt handler (on the
 * syscall cpu, interrupts off) with bio->status 0 or -EIO.  blkdev_rw
 * wraps that for a caller that waits: its thread parks in the waker table
 * until the completion wakes it, so the cpu runs other work meanwhile.
 *
 * Buffers must be physically contiguous (pages from page_alloc or the
 * direct map), never on a kernel stack (those are mapped page by page).
 */
#pragma once
#include <stdint.h>
#include <stddef.h>
#include <stdatomic.h>

#define SECTOR_SIZE 512

enum bio_op { BIO_READ, BIO_WRITE, BIO_FLUSH };

struct bio {
	enum bio_op op;
	uint64_t sector;	/* device sector (partitions add their start) */
	void *buf;		/* kernel virtual, physically contiguous */
	uint32_t len;		/* bytes, a multiple of SECTOR_SIZE; 0 for FLUSH */
	int status;		/* set before done: 0 or -EIO */
	void (*done)(struct bio *b);	/* interrupt context: keep it short */
	void *ctx;		/* the submitter's */
};

struct blkdev;
struct blkdev_ops {
	/* queue b; may park the caller while the device queue is full */
	void (*submit)(struct blkdev *d, struct bio *b);
	/* complete what the device has finished (boot only: see blkdev_booting) */
	void (*poll)(struct blkdev *d);
};

struct blkdev {
	char name[16];		/* "vda", "vda1" */
	uint32_t rdev;		/* VFS_MKDEV(major, minor) */
	uint64_t nsectors;
	int readonly;
	const struct blkdev_ops *ops;	/* NULL for a partition: see parent */
	struct blkdev *parent;	/* a partition's disk */
	uint64_t start;		/* a partition's first sector on its disk */
	void *priv;		/* the driver's */
	/* counters (syscall cpu) */
	uint64_t reads, writes, flushes;
	unsigned inflight_max;	/* most requests the device held at once */
};

#define BLKDEV_MAX   16
#define VIRTBLK_MAJOR 254	/* what Linux usually gives virtblk */

/* Register a disk (boot hart, before blkdev_make_nodes). 0 or -ENOSPC. */
int blkdev_register(struct blkdev *d);
struct blkdev *blkdev_by_rdev(uint32_t rdev);
struct blkdev *blkdev_by_index(int i);	/* NULL past the last */
/* Boot: register the MBR/GPT partitions of every disk (vda1, vda2, ...). */
void blkdev_scan_all(void);
/* /dev/<name> for every registered device (after the root is ready). */
void blkdev_make_nodes(void);

/*
 * Before the executors run (mounting the root, loading init) there is no
 * thread to park and the interrupt's cpu may not be up: requests made then
 * are completed by scanning the device's used ring (blkdev_poll).  Every
 * request after boot completes by interrupt.
 */
int blkdev_booting(void);
void blkdev_poll(struct blkdev *d);

/* Queue b on d (sector relative to d; bounds already checked). */
void blkdev_submit(struct blkdev *d, struct bio *b);
/* Submit and park until done: 0 or -EIO; -EINVAL outside the device. Thread context. */
int blkdev_rw(struct blkdev *d, enum bio_op op, uint64_t sector, void *buf, uint32_t len);

/* /dev/vdX files (drivers/blkdev.c) */
struct file_ops;
extern const struct file_ops blkdev_fops;
/* Before power-off (syscall cpu, thread context): write back and flush every disk. */
void blkdev_shutdown(void);
/* fsync on a block device: write back its cached blocks, then flush. */
int blkdev_fsync(uint32_t rdev);
