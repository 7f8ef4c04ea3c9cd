/*
 * Block device registry, the synchronous request helper, and the /dev/vdX
 * files: reads and writes go through the block cache (kernel/fs/bcache.c),
 * fsync writes the device's dirty blocks and flushes it.
 */
#include "drivers/blkdev.h"
#include "kernel/errno.h"
#include "kernel/fs/file.h"
#include "kernel/fs/bcache.h"
#include "kernel/fs/mount.h"
#include "kernel/printk.h"
#include "kernel/kmalloc.h"
#include "kernel/page_alloc.h"
#include <stdio.h>
#include <string.h>
#include "kernel/proc.h"
#include "kernel/uvm.h"
#include "kernel/fs/vfs.h"
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

/* ---- partitions: MBR primary entries and GPT ---- */

struct mbr_entry {
	uint8_t status, chs_first[3], type, chs_last[3];
	uint8_t lba[4], sectors[4];	/* little-endian, unaligned */
};

static uint32_t le32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

static void add_partition(struct blkdev *disk, int n, uint64_t start, uint64_t count)
{
	if (start == 0 || count == 0 || start >= disk->nsectors || count > disk->nsectors - start ||
	    n > 15 || ndevs == BLKDEV_MAX) {
		if (count)
			pr_warn("%s: partition %d outside the disk: ignored\n", disk->name, n);
		return;
	}
	struct blkdev *p = kzalloc(sizeof *p);
	if (!p)
		return;
	/* Linux's rule: a disk name ending in a digit takes a "p" (mmcblk0p1) */
	size_t len = strlen(disk->name);
	int digit = len && disk->name[len - 1] >= '0' && disk->name[len - 1] <= '9';
	snprintf(p->name, sizeof p->name, digit ? "%sp%d" : "%s%d", disk->name, n);
	p->rdev = disk->rdev + (uint32_t)n;	/* minors disk+1..disk+15, as Linux's virtblk */
	p->nsectors = count;
	p->readonly = disk->readonly;
	p->parent = disk;
	p->start = start;
	devs[ndevs++] = p;
	pr_info("%s: sectors %lu-%lu\n", p->name, start, start + count - 1);
}

/* GPT (UEFI spec 5.3): header at LBA 1, 128-byte entries. */
static void scan_gpt(struct blkdev *d, uint8_t *buf)
{
	if (blkdev_rw(d, BIO_READ, 1, buf, SECTOR_SIZE) || memcmp(buf, "EFI PART", 8))
		return;
	uint64_t lba = le64(buf + 72);
	uint32_t count = le32(buf + 80), esize = le32(buf + 84);
	if (esize < 128 || esize > SECTOR_SIZE || SECTOR_SIZE % esize || count > 128) {
		pr_warn("%s: GPT header not understood\n", d->name);
		return;
	}
	uint32_t per = SECTOR_SIZE / esize;
	for (uint32_t i = 0; i < count; i++) {
		if (i % per == 0 && blkdev_rw(d, BIO_READ, lba + i / per, buf, SECTOR_SIZE))
			return;
		const uint8_t *e = buf + (i % per) * esize;
		static const uint8_t unused[16];
		if (!memcmp(e, unused, 16))
			continue;
		uint64_t first = le64(e + 32), last = le64(e + 40);
		if (last >= first)
			add_partition(d, (int)i + 1, first, last - first + 1);
	}
}

static void scan_partitions(struct blkdev *d)
{
	uint8_t *buf = page_alloc();	/* the device writes it: not on the stack */
	if (!buf)
		return;
	if (blkdev_rw(d, BIO_READ, 0, buf, SECTOR_SIZE) == 0 && buf[510] == 0x55 && buf[511] == 0xaa) {
		const struct mbr_entry *e = (const struct mbr_entry *)(buf + 446);
		int gpt = 0;
		for (int i = 0; i < 4; i++)
			gpt |= e[i].type == 0xee;
		if (gpt) {
			scan_gpt(d, buf);
		} else {
			struct mbr_entry copy[4];
			memcpy(copy, e, sizeof copy);
			for (int i = 0; i < 4; i++)
				if (copy[i].type && copy[i].type != 0x05 && copy[i].type != 0x0f)
					add_partition(d, i + 1, le32(copy[i].lba), le32(copy[i].sectors));
		}
	}
	page_free(buf);
}

/* Boot: every disk's partition table (before the /dev nodes are made). */
void blkdev_scan_all(void)
{
	int disks = ndevs;
	for (int i = 0; i < disks; i++)
		if (!devs[i]->parent)
			scan_partitions(devs[i]);
}
