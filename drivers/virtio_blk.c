/*
 * virtio-blk (virtio spec 5.2): read, write and flush requests, as many in
 * flight as the queue has entries.  With VIRTIO_F_INDIRECT_DESC each
 * request takes one ring descriptor pointing at its own three-entry table
 * (header, data, status); without it, a chain of three.  Every request
 * owns the slot of its head descriptor: header, status byte, indirect
 * table and the bio to complete.
 *
 * Completion is by interrupt only (the device is never polled): the
 * handler, on the syscall cpu, takes each used entry, frees its
 * descriptors, and calls the bio's done; a submitter that found the queue
 * full is parked on `room` and woken there.
 */
#include "drivers/virtio.h"
#include "drivers/blkdev.h"
#include "kernel/errno.h"
#include "kernel/memlayout.h"
#include "kernel/page_alloc.h"
#include "kernel/printk.h"
#include "kernel/fs/vfs.h"
#include "sched/thread.h"
#include <string.h>

#define VIRTIO_BLK_F_RO        5
#define VIRTIO_BLK_F_BLK_SIZE  6
#define VIRTIO_BLK_F_FLUSH     9

#define VIRTIO_BLK_T_IN    0
#define VIRTIO_BLK_T_OUT   1
#define VIRTIO_BLK_T_FLUSH 4

#define VIRTIO_BLK_S_OK    0

#define BLK_QUEUE_MAX 128

struct blk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

/* One per head descriptor; lives in page_alloc memory (the device reads it). */
struct blk_slot {
	struct virtq_desc ind[3];
	struct blk_hdr hdr;
	volatile uint8_t status;
	struct bio *bio;
};

struct vblk {
	struct virtio_dev *vd;
	struct virtq q;
	struct blk_slot *slots;
	int indirect;		/* VIRTIO_F_INDIRECT_DESC negotiated */
	int can_flush;
	unsigned inflight;	/* under q.lock */
	struct waitq room;	/* submitters waiting for descriptors */
	struct blkdev bd;
};

static struct vblk vblks[8];	/* QEMU virt has 8 transports */
static int nvblk;

/* Header, data (none for a flush), status; `next` links table entries i -> i+1. */
static int fill_descs(struct virtq_desc *t, struct blk_slot *s, struct bio *b)
{
	int n = 0;
	t[n++] = (struct virtq_desc){ VA2PA(&s->hdr), sizeof(s->hdr), VIRTQ_DESC_F_NEXT, 1 };
	if (b->op != BIO_FLUSH) {
		uint16_t w = b->op == BIO_READ ? VIRTQ_DESC_F_WRITE : 0;
		t[n] = (struct virtq_desc){ VA2PA(b->buf), b->len, w | VIRTQ_DESC_F_NEXT, (uint16_t)(n + 1) };
		n++;
	}
	t[n++] = (struct virtq_desc){ VA2PA(&s->status), 1, VIRTQ_DESC_F_WRITE, 0 };
	return n;
}

/* Under q.lock with room checked: build request b and publish it. */
static void queue_request(struct vblk *v, struct bio *b)
{
	int ndesc = v->indirect ? 1 : (b->op == BIO_FLUSH ? 2 : 3);
	int ids[3];
	for (int i = 0; i < ndesc; i++)
		ids[i] = virtq_alloc_desc(&v->q);
	struct blk_slot *s = &v->slots[ids[0]];
	s->hdr = (struct blk_hdr){
		.type = b->op == BIO_READ ? VIRTIO_BLK_T_IN
		      : b->op == BIO_WRITE ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_FLUSH,
		.sector = b->op == BIO_FLUSH ? 0 : b->sector,
	};
	s->status = 0xff;	/* a device that writes nothing fails the request */
	s->bio = b;
	if (v->indirect) {
		int n = fill_descs(s->ind, s, b);
		v->q.desc[ids[0]] = (struct virtq_desc){
			VA2PA(s->ind), (uint32_t)(n * sizeof(struct virtq_desc)), VIRTQ_DESC_F_INDIRECT, 0,
		};
	} else {
		struct virtq_desc t[3];
		fill_descs(t, s, b);
		for (int i = 0; i < ndesc; i++) {
			t[i].next = i + 1 < ndesc ? (uint16_t)ids[i + 1] : 0;
			v->q.desc[ids[i]] = t[i];
		}
	}
	if (++v->inflight > v->bd.inflight_max)
		v->bd.inflight_max = v->inflight;
	virtq_submit(&v->q, (uint16_t)ids[0]);
}

static int has_room(struct vblk *v, struct bio *b)
{
	unsigned need = v->indirect ? 1 : (b->op == BIO_FLUSH ? 2 : 3);
	return v->q.nfree >= need;
}

static void vblk_intr(struct virtio_dev *vd);

static void vblk_submit(struct blkdev *d, struct bio *b)
{
	struct vblk *v = d->priv;
	if (b->op == BIO_FLUSH && !v->can_flush) {
		b->status = 0;	/* no volatile cache to flush: writes are durable */
		b->done(b);
		return;
	}
	for (;;) {
		spin_lock(&v->q.lock);
		if (has_room(v, b)) {
			queue_request(v, b);
			spin_unlock(&v->q.lock);
			return;
		}
		spin_unlock(&v->q.lock);
		/* the interrupt frees descriptors, then wakes `room` */
		if (blkdev_booting())
			vblk_intr(v->vd);
		else
			wait_event(&v->room, has_room(v, b), 0);
	}
}

static void vblk_intr(struct virtio_dev *vd)
{
	struct vblk *v = vd->priv;
	struct bio *done[BLK_QUEUE_MAX];
	int n = 0;
	uint32_t id, len;
	spin_lock(&v->q.lock);
	while (n < BLK_QUEUE_MAX && virtq_next_used(&v->q, &id, &len)) {
		if (id >= v->q.num || !v->slots[id].bio) {
			pr_err("virtio-blk %s: bad used id %u\n", v->bd.name, id);
			continue;
		}
		struct blk_slot *s = &v->slots[id];
		s->bio->status = s->status == VIRTIO_BLK_S_OK ? 0 : -EIO;
		done[n++] = s->bio;
		s->bio = NULL;
		virtq_free_chain(&v->q, (uint16_t)id);
		v->inflight--;
	}
	spin_unlock(&v->q.lock);
	for (int i = 0; i < n; i++) {
		if (done[i]->status)
			pr_warn("virtio-blk %s: I/O error, sector %lu\n", v->bd.name, done[i]->sector);
		done[i]->done(done[i]);
	}
	if (n)
		waitq_wake_all(&v->room);
	if (n == BLK_QUEUE_MAX)
		vblk_intr(vd);	/* more may be waiting: the ack was already written */
}

/* Boot only (blkdev_booting): complete finished requests without the interrupt. */
static void vblk_poll(struct blkdev *d)
{
	struct vblk *v = d->priv;
	vblk_intr(v->vd);
}

static const struct blkdev_ops vblk_ops = { .submit = vblk_submit, .poll = vblk_poll };

static int vblk_probe(struct virtio_dev *vd)
{
	if (nvblk == (int)(sizeof(vblks) / sizeof(vblks[0])))
		return -ENOSPC;
	struct vblk *v = &vblks[nvblk];
	uint64_t want = 1ULL << VIRTIO_BLK_F_RO | 1ULL << VIRTIO_BLK_F_FLUSH |
			1ULL << VIRTIO_BLK_F_BLK_SIZE | 1ULL << VIRTIO_F_INDIRECT_DESC;
	int err = virtio_negotiate(vd, want);
	if (err)
		return err;
	if ((err = virtio_queue_init(vd, &v->q, 0, BLK_QUEUE_MAX)) != 0)
		return err;
	size_t pages = (v->q.num * sizeof(struct blk_slot) + 4095) / 4096;
	if (!(v->slots = page_alloc_n(pages)))
		return -ENOMEM;
	memset(v->slots, 0, pages * 4096);
	v->vd = vd;
	v->indirect = !!(vd->features & (1ULL << VIRTIO_F_INDIRECT_DESC));
	v->can_flush = !!(vd->features & (1ULL << VIRTIO_BLK_F_FLUSH));
	waitq_init(&v->room);
	v->bd = (struct blkdev){
		.rdev = VFS_MKDEV(VIRTBLK_MAJOR, 16 * nvblk),
		.nsectors = virtio_config64(vd, 0),	/* capacity */
		.readonly = !!(vd->features & (1ULL << VIRTIO_BLK_F_RO)),
		.ops = &vblk_ops, .priv = v,
	};
	v->bd.name[0] = 'v';
	v->bd.name[1] = 'd';
	v->bd.name[2] = (char)('a' + nvblk);
	vd->priv = v;
	if ((err = blkdev_register(&v->bd)) != 0)
		return err;
	nvblk++;
	virtio_ready(vd);
	pr_info("virtio-blk %s: %lu sectors (%lu MiB)%s, queue %u%s%s\n", v->bd.name,
		v->bd.nsectors, v->bd.nsectors >> 11, v->bd.readonly ? " read-only" : "",
		v->q.num, v->indirect ? ", indirect" : "", v->can_flush ? ", flush" : "");
	return 0;
}

const struct virtio_driver virtio_blk_driver = {
	.device_id = VIRTIO_ID_BLOCK, .name = "virtio-blk", .probe = vblk_probe, .intr = vblk_intr,
};
