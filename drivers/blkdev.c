/*
 * Block device registry, the synchronous request helper, and the /dev/vdX
 * files: reads and writes go through the block cache (kernel/fs/bcache.c),
 * fsync writes the device's dirty blocks and flushes it.
 */
#include "drivers/blkdev.h"
#include "kernel/errno.h"
#include "kernel/file.h"
#include "kernel/fs/bcache.h"
#include "kernel/fs/mount.h"
#include "kernel/printk.h"
#include "kernel/proc.h"
#include "kernel/uvm.h"
#include "kernel/vfs.h"
#include "sched/thread.h"

static struct blkdev *devs[BLKDEV_MAX];
static int ndevs;

int blkdev_register(struct blkdev *d)
{
	if (ndevs == BLKDEV_MAX)
		return -ENOSPC;
	devs[ndevs++] = d;
	return 0;
}

struct blkdev *blkdev_by_rdev(uint32_t rdev)
{
	for (int i = 0; i < ndevs; i++)
		if (devs[i]->rdev == rdev)
			return devs[i];
	return NULL;
}

struct blkdev *blkdev_by_index(int i)
{
	return i >= 0 && i < ndevs ? devs[i] : NULL;
}

void blkdev_make_nodes(void)
{
	struct inode *dir, *ip;
	if (vfs_lookup(vfs_root(), "/dev", 1, &dir) != 0)
		return;
	for (int i = 0; i < ndevs; i++)
		if (vfs_create(dir, devs[i]->name, S_IFBLK | 0660, devs[i]->rdev, &ip) == 0) {
			ip->size = devs[i]->nsectors * SECTOR_SIZE;	/* lseek SEEK_END */
			inode_put(ip);
		}
	inode_put(dir);
}

int blkdev_booting(void)
{
	return current() == NULL;
}

void blkdev_poll(struct blkdev *d)
{
	while (d->parent)
		d = d->parent;
	d->ops->poll(d);
}

void blkdev_submit(struct blkdev *d, struct bio *b)
{
	if (b->op == BIO_READ)
		d->reads++;
	else if (b->op == BIO_WRITE)
		d->writes++;
	else
		d->flushes++;
	while (d->parent) {
		if (b->op != BIO_FLUSH)
			b->sector += d->start;
		d = d->parent;
	}
	d->ops->submit(d, b);
}

/* done for blkdev_rw: interrupt context on this cpu */
static char boot_waiter;	/* ctx of a request made at boot: nobody to wake */

static void wake_submitter(struct bio *b)
{
	struct thread *t = b->ctx;
	/* release: status is visible to the parked thread that sees ctx == NULL */
	__atomic_store_n(&b->ctx, NULL, __ATOMIC_RELEASE);
	if ((void *)t != &boot_waiter)
		thread_wake(t);
}

int blkdev_rw(struct blkdev *d, enum bio_op op, uint64_t sector, void *buf, uint32_t len)
{
	if (op != BIO_FLUSH && (len % SECTOR_SIZE || sector > d->nsectors ||
				len / SECTOR_SIZE > d->nsectors - sector))
		return -EINVAL;
	int boot = blkdev_booting();
	struct bio b = { .op = op, .sector = sector, .buf = buf, .len = len,
			 .done = wake_submitter, .ctx = boot ? (void *)&boot_waiter : current() };
	blkdev_submit(d, &b);
	/* acquire: pairs with the release in wake_submitter. A wake before the
	 * park leaves our waker bit set, so the park returns at once. */
	while (__atomic_load_n(&b.ctx, __ATOMIC_ACQUIRE)) {
		if (boot)
			blkdev_poll(d);
		else
			thread_park();
	}
	return b.status;
}

/* ---- /dev/vdX ---- */

static struct blkdev *dev_of(struct file *f)
{
	return blkdev_by_rdev(f->ip->rdev);
}

/* Copy between user memory and the device at f->off, block by block. */
static long blk_xfer(struct file *f, uint64_t ubuf, size_t n, int write)
{
	struct blkdev *d = dev_of(f);
	if (!d)
		return -ENXIO;
	uint64_t size = d->nsectors * SECTOR_SIZE;
	if (f->off >= size)
		return write && n ? -ENOSPC : 0;
	if (n > size - f->off)
		n = size - f->off;
	long done = 0;
	while ((size_t)done < n) {
		uint64_t blk = f->off / BCACHE_BLOCK, o = f->off % BCACHE_BLOCK;
		size_t c = BCACHE_BLOCK - o < n - (size_t)done ? BCACHE_BLOCK - o : n - (size_t)done;
		int err = 0, whole = write && o == 0 && c == BCACHE_BLOCK;
		struct buf *b = whole ? bcache_get_noread(d, blk, &err) : bcache_read(d, blk, &err);
		if (!b)
			return done ? done : err;
		long r = write ? copy_from_user(curproc()->mm, b->data + o, ubuf + (uint64_t)done, c)
			       : copy_to_user(curproc()->mm, ubuf + (uint64_t)done, b->data + o, c);
		if (write && !r)
			bcache_dirty(b);
		bcache_put(b);
		if (r)
			return done ? done : -EFAULT;
		f->off += c;
		done += (long)c;
	}
	return done;
}

static long blk_read(struct file *f, uint64_t ubuf, size_t n) { return blk_xfer(f, ubuf, n, 0); }
static long blk_write(struct file *f, uint64_t ubuf, size_t n) { return blk_xfer(f, ubuf, n, 1); }
static int blk_poll(struct file *f) { (void)f; return 3; }

const struct file_ops blkdev_fops = { .read = blk_read, .write = blk_write, .poll = blk_poll };

int blkdev_fsync(uint32_t rdev)
{
	struct blkdev *d = blkdev_by_rdev(rdev);
	return d ? bcache_sync(d) : -ENXIO;
}

void blkdev_shutdown(void)
{
	if (!ndevs)
		return;
	int err = disk_sync_all();
	for (int i = 0; i < ndevs; i++)
		pr_info("%s: %lu reads, %lu writes, %lu flushes, at most %u in flight\n",
			devs[i]->name, devs[i]->reads, devs[i]->writes, devs[i]->flushes,
			devs[i]->inflight_max);
	if (err)
		pr_err("disks: write-back before power-off failed (%d)\n", err);
	else
		pr_info("disks: synced before power-off\n");
}
