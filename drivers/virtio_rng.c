/*
 * virtio-rng (virtio spec 5.4): one request queue, the device fills the
 * buffers we give it with random bytes.  At probe one page-sized request
 * goes out; its completion (an interrupt on the syscall cpu) hands the bytes
 * to random_add_entropy.  Nothing waits for it: the generator works before
 * the bytes arrive and is reseeded when they do.
 */
#include "drivers/virtio.h"
#include "kernel/random.h"
#include "kernel/errno.h"
#include "kernel/memlayout.h"
#include "kernel/page_alloc.h"
#include "kernel/printk.h"
#include <string.h>

#define RNG_BYTES 64		/* one ChaCha20 key and nonce, and then some */

struct rng {
	struct virtq q;
	uint8_t *buf;		/* a page: physically contiguous */
	uint64_t total;		/* bytes received, for the log */
};

static struct rng rngs[2];
static int nrng;

static void rng_request(struct rng *r)
{
	spin_lock(&r->q.lock);
	int i = virtq_alloc_desc(&r->q);
	if (i >= 0) {
		r->q.desc[i] = (struct virtq_desc){
			.addr = VA2PA(r->buf), .len = RNG_BYTES, .flags = VIRTQ_DESC_F_WRITE,
		};
		virtq_submit(&r->q, (uint16_t)i);
	}
	spin_unlock(&r->q.lock);
}

static void rng_intr(struct virtio_dev *d)
{
	struct rng *r = d->priv;
	uint32_t id, len;
	spin_lock(&r->q.lock);
	while (virtq_next_used(&r->q, &id, &len)) {
		if (len > RNG_BYTES)
			len = RNG_BYTES;	/* never trust a device's length */
		random_add_entropy(r->buf, len);
		r->total += len;
		virtq_free_chain(&r->q, (uint16_t)id);
		pr_info("virtio-rng: %u bytes of entropy from virtio%d\n", len, d->index);
	}
	spin_unlock(&r->q.lock);
}

static int rng_probe(struct virtio_dev *d)
{
	if (nrng == (int)(sizeof(rngs) / sizeof(rngs[0])))
		return -ENOSPC;
	struct rng *r = &rngs[nrng];
	int err = virtio_negotiate(d, 0);
	if (err)
		return err;
	if ((err = virtio_queue_init(d, &r->q, 0, 8)) != 0)
		return err;
	if (!(r->buf = page_alloc()))
		return -ENOMEM;
	d->priv = r;
	nrng++;
	virtio_ready(d);
	rng_request(r);
	return 0;
}

const struct virtio_driver virtio_rng_driver = {
	.device_id = VIRTIO_ID_RNG, .name = "virtio-rng", .probe = rng_probe, .intr = rng_intr,
};
