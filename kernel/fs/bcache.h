/*
 * The block cache shared by every disk filesystem and /dev/vdX: 4 KiB
 * blocks of a block device, write-back, with read-ahead and eviction.
 *
 * Concurrency: like the VFS, it runs only on the cpu that serves system
 * calls, one thread at a time; threads switch only where one parks (disk
 * I/O, a full queue), so nothing here needs a lock.  The completion of a
 * read or write runs in the disk's interrupt on that same cpu and touches
 * only the buffer's I/O state (`io`, `error`) and its wait queue.
 *
 * A buffer is held (refs > 0) between bcache_get/bcache_read and
 * bcache_put; only unheld, clean, idle buffers are evicted.
 */
#pragma once
#include <stdint.h>
#include <stddef.h>
#include <stdatomic.h>
#include "drivers/blkdev.h"
#include "sched/thread.h"

#define BCACHE_BLOCK 4096
#define BCACHE_SECTORS (BCACHE_BLOCK / SECTOR_SIZE)

struct buf {
	struct blkdev *dev;	/* the whole disk (partitions are offsets into it) */
	uint64_t blkno;		/* in BCACHE_BLOCK units */
	uint8_t *data;		/* one page, NULL while the slot is free */
	int refs;
	uint8_t valid;		/* data holds the disk's (or newer) contents */
	uint8_t dirty;		/* newer than the disk */
	_Atomic int io;		/* a read or write is in flight */
	int error;		/* the last I/O's result */
	uint64_t used;		/* LRU clock at the last hold */
	int hnext;		/* hash chain (slot index, -1 ends) */
	struct bio bio;
	struct waitq wait;	/* threads waiting for io to end */
};

void bcache_init(void);
/* Held buffer for block blkno of d, read from disk if needed: NULL and *err (-EIO, -ENOMEM). */
struct buf *bcache_read(struct blkdev *d, uint64_t blkno, int *err);
/* Held buffer whose contents the caller will overwrite entirely: no read. */
struct buf *bcache_get_noread(struct blkdev *d, uint64_t blkno, int *err);
void bcache_dirty(struct buf *b);
void bcache_put(struct buf *b);
/*
 * Write every dirty block of d (NULL: every device), wait for the writes,
 * then flush each device's volatile cache.  0 or the first error.
 */
int bcache_sync(struct blkdev *d);
/* Memory is short: drop every clean unheld buffer of every disk; how many went. */
size_t bcache_shrink(void);
/* Drop every clean unheld buffer of d (after sync, for umount). */
void bcache_invalidate(struct blkdev *d);

struct bcache_stats {
	uint64_t hits, misses, readahead, writebacks, evictions;
	unsigned nbufs, max_bufs;
};
extern struct bcache_stats bcache_stats;
