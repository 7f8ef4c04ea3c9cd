/*
 * The block cache (contract in kernel/fs/bcache.h).  A fixed table of
 * buffer headers, each with a page while in use, found through a hash of
 * (device, block).  The number of pages is capped at a quarter of the
 * memory free at boot (at most BCACHE_MAX); when a page cannot be had, or
 * at the cap, the least recently used clean buffer is evicted, and if every
 * unheld buffer is dirty, the oldest is written back first.
 */
#include "kernel/fs/bcache.h"
#include "kernel/errno.h"
#include "kernel/page_alloc.h"
#include "kernel/printk.h"
#include <string.h>

#define BCACHE_MAX  2048	/* 8 MiB of 4 KiB blocks */
#define HASH_SIZE   512
#define READAHEAD   16		/* blocks read ahead of a sequential reader */

static struct buf bufs[BCACHE_MAX];
static int hash_head[HASH_SIZE];
static uint64_t lru_clock;
static unsigned cap;
struct bcache_stats bcache_stats;

/* the last block each device was asked for, to spot sequential readers */
static struct { struct blkdev *dev; uint64_t last; } seq[BLKDEV_MAX];

void bcache_init(void)
{
	for (int i = 0; i < HASH_SIZE; i++)
		hash_head[i] = -1;
	for (int i = 0; i < BCACHE_MAX; i++) {
		bufs[i].hnext = -1;
		waitq_init(&bufs[i].wait);
	}
	size_t quarter = pool_free_pages(&kpool) / 4;
	cap = quarter < BCACHE_MAX ? (unsigned)quarter : BCACHE_MAX;
	bcache_stats.max_bufs = cap;
}

static unsigned hash_of(struct blkdev *d, uint64_t blkno)
{
	return (unsigned)(((uintptr_t)d >> 6) * 31 + blkno) % HASH_SIZE;
}

static struct buf *lookup(struct blkdev *d, uint64_t blkno)
{
	for (int i = hash_head[hash_of(d, blkno)]; i >= 0; i = bufs[i].hnext)
		if (bufs[i].dev == d && bufs[i].blkno == blkno)
			return &bufs[i];
	return NULL;
}

static void unhash(struct buf *b)
{
	int *p = &hash_head[hash_of(b->dev, b->blkno)];
	while (*p >= 0 && &bufs[*p] != b)
		p = &bufs[*p].hnext;
	if (*p >= 0)
		*p = b->hnext;
	b->hnext = -1;
}

static int idle(struct buf *b)
{
	/* acquire: pairs with the release in io_done; the I/O's results are seen */
	return atomic_load_explicit(&b->io, memory_order_acquire) == 0;
}

static void wait_io(struct buf *b)
{
	if (blkdev_booting()) {
		while (!idle(b))
			blkdev_poll(b->dev);	/* no thread to park yet */
		return;
	}
	wait_event(&b->wait, idle(b), 0);
}

/* Interrupt context (the disk's, on this cpu). */
static void io_done(struct bio *bio)
{
	struct buf *b = bio->ctx;
	b->error = bio->status;
	if (bio->op == BIO_READ && !bio->status)
		b->valid = 1;
	/* release: valid and error are visible to whoever sees io == 0 */
	atomic_store_explicit(&b->io, 0, memory_order_release);
	waitq_wake_all(&b->wait);
}

/* Bytes of block b that lie on the device (the last block may be short). */
static uint32_t block_len(struct buf *b)
{
	uint64_t first = b->blkno * BCACHE_SECTORS;
	uint64_t left = b->dev->nsectors - first;
	return (uint32_t)(left < BCACHE_SECTORS ? left : BCACHE_SECTORS) * SECTOR_SIZE;
}

static void start_io(struct buf *b, enum bio_op op)
{
	atomic_store_explicit(&b->io, 1, memory_order_relaxed);
	b->bio = (struct bio){
		.op = op, .sector = b->blkno * BCACHE_SECTORS, .buf = b->data,
		.len = block_len(b), .done = io_done, .ctx = b,
	};
	blkdev_submit(b->dev, &b->bio);
}

/* Write b back and wait; the caller holds it. */
static int write_back(struct buf *b)
{
	b->dirty = 0;
	bcache_stats.writebacks++;
	start_io(b, BIO_WRITE);
	wait_io(b);
	if (b->error)
		b->dirty = 1;	/* keep the data: a later sync retries */
	return b->error;
}

static struct buf *lru_victim(int want_dirty)
{
	struct buf *v = NULL;
	for (int i = 0; i < BCACHE_MAX; i++) {
		struct buf *b = &bufs[i];
		if (!b->data || b->refs || !idle(b) || b->dirty != want_dirty)
			continue;
		if (!v || b->used < v->used)
			v = b;
	}
	return v;
}

static void evict(struct buf *b)
{
	unhash(b);
	page_free(b->data);
	b->data = NULL;
	b->dev = NULL;
	bcache_stats.nbufs--;
	bcache_stats.evictions++;
}

/*
 * A free header with a page.  may_write: write a dirty buffer back to make
 * room (parks); read-ahead passes 0 and just gives up.
 */
static struct buf *take_slot(int may_write)
{
	for (;;) {
		if (bcache_stats.nbufs < cap) {
			void *page = page_alloc();
			if (page)
				for (int i = 0; i < BCACHE_MAX; i++)
					if (!bufs[i].data) {
						bufs[i].data = page;
						bcache_stats.nbufs++;
						return &bufs[i];
					}
			if (page)
				page_free(page);
		}
		struct buf *v = lru_victim(0);
		if (v) {
			evict(v);
			continue;	/* its page went back to the pool */
		}
		if (!may_write || !(v = lru_victim(1)))
			return NULL;
		v->refs++;
		write_back(v);
		v->refs--;
		if (v->dirty)
			return NULL;	/* the disk refuses: no room */
	}
}

static struct buf *install(struct blkdev *d, uint64_t blkno, int may_write)
{
	struct buf *b = take_slot(may_write);
	if (!b)
		return NULL;
	/* another thread may have brought the block in while we wrote back */
	struct buf *o = lookup(d, blkno);
	if (o) {
		page_free(b->data);
		b->data = NULL;
		bcache_stats.nbufs--;
		return o;
	}
	memset(b->data, 0, BCACHE_BLOCK);
	b->dev = d;
	b->blkno = blkno;
	b->valid = b->dirty = 0;
	b->error = 0;
	b->refs = 0;
	unsigned h = hash_of(d, blkno);
	b->hnext = hash_head[h];
	hash_head[h] = (int)(b - bufs);
	return b;
}

static int seq_slot(struct blkdev *d)
{
	for (int i = 0; i < BLKDEV_MAX; i++)
		if (seq[i].dev == d || !seq[i].dev) {
			seq[i].dev = d;
			return i;
		}
	return 0;
}

/* Start reads of the blocks after blkno that are not cached: no waiting. */
static void read_ahead(struct blkdev *d, uint64_t blkno)
{
	uint64_t nblocks = (d->nsectors + BCACHE_SECTORS - 1) / BCACHE_SECTORS;
	for (uint64_t n = blkno + 1; n <= blkno + READAHEAD && n < nblocks; n++) {
		if (lookup(d, n))
			continue;
		struct buf *b = install(d, n, 0);
		if (!b)
			return;
		b->used = ++lru_clock;
		bcache_stats.readahead++;
		start_io(b, BIO_READ);
	}
}

static struct buf *get(struct blkdev *d, uint64_t blkno, int read, int *err)
{
	int s = seq_slot(d);
	int sequential = blkno == seq[s].last + 1;
	seq[s].last = blkno;
	struct buf *b = lookup(d, blkno);
	if (b) {
		bcache_stats.hits++;
	} else {
		bcache_stats.misses++;
		if (!(b = install(d, blkno, 1))) {
			*err = -ENOMEM;
			return NULL;
		}
	}
	b->refs++;
	b->used = ++lru_clock;
	if (read && !b->valid && idle(b))
		start_io(b, BIO_READ);
	if (read && sequential)
		read_ahead(d, blkno);
	if (read || !b->valid)
		wait_io(b);	/* a read in flight: the caller's data would be overwritten */
	if (read && !b->valid) {
		*err = b->error ? b->error : -EIO;
		b->refs--;
		return NULL;
	}
	b->valid = 1;
	return b;
}

struct buf *bcache_read(struct blkdev *d, uint64_t blkno, int *err)
{
	return get(d, blkno, 1, err);
}

struct buf *bcache_get_noread(struct blkdev *d, uint64_t blkno, int *err)
{
	return get(d, blkno, 0, err);
}

void bcache_dirty(struct buf *b)
{
	b->dirty = 1;
	b->valid = 1;
}

void bcache_put(struct buf *b)
{
	if (b->refs <= 0)
		panic("bcache_put: block %lu not held", b->blkno);
	b->refs--;
}

static int flush_dev(struct blkdev *d)
{
	if (d->readonly)
		return 0;
	return blkdev_rw(d, BIO_FLUSH, 0, NULL, 0);
}

int bcache_sync(struct blkdev *d)
{
	uint64_t mine[BCACHE_MAX / 64] = { 0 };
	int err = 0;
	/* every dirty block goes out at once: the disk queues them */
	for (int i = 0; i < BCACHE_MAX; i++) {
		struct buf *b = &bufs[i];
		if (!b->data || (d && b->dev != d))
			continue;
		if (b->dirty && idle(b)) {
			b->dirty = 0;
			bcache_stats.writebacks++;
			start_io(b, BIO_WRITE);
		}
		if (!idle(b)) {
			b->refs++;
			mine[i / 64] |= 1ULL << (i % 64);
		}
	}
	for (int i = 0; i < BCACHE_MAX; i++) {
		if (!(mine[i / 64] & (1ULL << (i % 64))))
			continue;
		struct buf *b = &bufs[i];
		wait_io(b);
		if (b->error && b->bio.op == BIO_WRITE) {
			b->dirty = 1;
			if (!err)
				err = b->error;
		}
		b->refs--;
	}
	struct blkdev *disk = d;
	while (disk && disk->parent)
		disk = disk->parent;	/* a partition: its disk has the cache to flush */
	for (int i = 0; i < BLKDEV_MAX; i++) {
		struct blkdev *x = blkdev_by_index(i);
		if (!x)
			break;
		if ((!disk || x == disk) && !x->parent) {
			int e = flush_dev(x);
			if (e && !err)
				err = e;
		}
	}
	return err;
}

size_t bcache_shrink(void)
{
	size_t freed = 0;
	for (int i = 0; i < BCACHE_MAX; i++) {
		struct buf *b = &bufs[i];
		if (b->data && !b->refs && !b->dirty && idle(b)) {
			evict(b);
			freed++;
		}
	}
	return freed;
}

void bcache_invalidate(struct blkdev *d)
{
	for (int i = 0; i < BCACHE_MAX; i++) {
		struct buf *b = &bufs[i];
		if (b->data && b->dev == d && !b->refs && !b->dirty && idle(b))
			evict(b);
	}
}
