/*
 * The virtio-mmio transport: device discovery from the DTB, the status
 * handshake, feature negotiation, split virtqueues in both the legacy
 * (version 1, one page-aligned block given by page number) and the modern
 * (version 2, three addresses) register layouts, and interrupt dispatch.
 */
#include "drivers/virtio.h"
#include "drivers/plic.h"
#include "kernel/cpu.h"
#include "kernel/errno.h"
#include "kernel/fdt.h"
#include "kernel/memlayout.h"
#include "kernel/page_alloc.h"
#include "kernel/platform.h"
#include "kernel/printk.h"
#include <string.h>

/* register offsets (spec 4.2.2, legacy 4.2.4) */
#define MMIO_MAGIC		0x000
#define MMIO_VERSION		0x004
#define MMIO_DEVICE_ID		0x008
#define MMIO_DEVICE_FEATURES	0x010
#define MMIO_DEVICE_FEATURES_SEL 0x014
#define MMIO_DRIVER_FEATURES	0x020
#define MMIO_DRIVER_FEATURES_SEL 0x024
#define MMIO_GUEST_PAGE_SIZE	0x028	/* legacy */
#define MMIO_QUEUE_SEL		0x030
#define MMIO_QUEUE_NUM_MAX	0x034
#define MMIO_QUEUE_NUM		0x038
#define MMIO_QUEUE_ALIGN	0x03c	/* legacy */
#define MMIO_QUEUE_PFN		0x040	/* legacy */
#define MMIO_QUEUE_READY	0x044
#define MMIO_QUEUE_NOTIFY	0x050
#define MMIO_INTERRUPT_STATUS	0x060
#define MMIO_INTERRUPT_ACK	0x064
#define MMIO_STATUS		0x070
#define MMIO_QUEUE_DESC_LOW	0x080
#define MMIO_QUEUE_DESC_HIGH	0x084
#define MMIO_QUEUE_DRIVER_LOW	0x090
#define MMIO_QUEUE_DRIVER_HIGH	0x094
#define MMIO_QUEUE_DEVICE_LOW	0x0a0
#define MMIO_QUEUE_DEVICE_HIGH	0x0a4
#define MMIO_CONFIG		0x100

#define VIRTIO_MAGIC		0x74726976	/* "virt" */

/* device status bits */
#define STATUS_ACKNOWLEDGE	1
#define STATUS_DRIVER		2
#define STATUS_DRIVER_OK	4
#define STATUS_FEATURES_OK	8
#define STATUS_FAILED		128

#define VIRTIO_MAX_DEVS	16
#define QUEUE_ALIGN	4096	/* legacy used-ring alignment, also our page size */

static struct virtio_dev devs[VIRTIO_MAX_DEVS];
static int ndevs;

/*
 * Device registers are I/O, the rings are memory: RISC-V orders the two
 * only with the I/O bits of a fence.  One full I/O+memory fence is used
 * wherever ring memory and a register access must not pass each other.
 */
static inline void fence_io_mem(void)
{
	__asm__ volatile("fence iorw, iorw" ::: "memory");
}

static uint32_t rd(struct virtio_dev *d, unsigned off)
{
	return d->regs[off / 4];
}

static void wr(struct virtio_dev *d, unsigned off, uint32_t v)
{
	d->regs[off / 4] = v;
}

static void set_status(struct virtio_dev *d, uint32_t bits)
{
	wr(d, MMIO_STATUS, rd(d, MMIO_STATUS) | bits);
}

uint32_t virtio_config32(struct virtio_dev *d, unsigned off)
{
	return rd(d, MMIO_CONFIG + off);
}

uint64_t virtio_config64(struct virtio_dev *d, unsigned off)
{
	/* two 32-bit reads; retry if the device changed them in between */
	uint32_t lo, hi;
	do {
		hi = rd(d, MMIO_CONFIG + off + 4);
		lo = rd(d, MMIO_CONFIG + off);
	} while (hi != rd(d, MMIO_CONFIG + off + 4));
	return (uint64_t)hi << 32 | lo;
}

int virtio_negotiate(struct virtio_dev *d, uint64_t wanted)
{
	if (d->version >= 2)
		wanted |= 1ULL << VIRTIO_F_VERSION_1;
	else
		wanted &= 0xffffffffULL;	/* legacy has one feature word */
	wr(d, MMIO_DEVICE_FEATURES_SEL, 0);
	uint64_t have = rd(d, MMIO_DEVICE_FEATURES);
	if (d->version >= 2) {
		wr(d, MMIO_DEVICE_FEATURES_SEL, 1);
		have |= (uint64_t)rd(d, MMIO_DEVICE_FEATURES) << 32;
	}
	d->features = have & wanted;
	if (d->version >= 2 && !(d->features & (1ULL << VIRTIO_F_VERSION_1)))
		return -EIO;	/* a modern transport must offer VERSION_1 */
	wr(d, MMIO_DRIVER_FEATURES_SEL, 0);
	wr(d, MMIO_DRIVER_FEATURES, (uint32_t)d->features);
	if (d->version < 2)
		return 0;	/* legacy: no FEATURES_OK handshake */
	wr(d, MMIO_DRIVER_FEATURES_SEL, 1);
	wr(d, MMIO_DRIVER_FEATURES, (uint32_t)(d->features >> 32));
	set_status(d, STATUS_FEATURES_OK);
	return (rd(d, MMIO_STATUS) & STATUS_FEATURES_OK) ? 0 : -EIO;
}

/* Bytes of one queue in the legacy layout, which modern devices accept too. */
static size_t ring_bytes(unsigned num, size_t *used_off)
{
	size_t front = 16 * num + 6 + 2 * num;	/* descriptors, avail ring */
	*used_off = (front + QUEUE_ALIGN - 1) & ~(size_t)(QUEUE_ALIGN - 1);
	return *used_off + 6 + 8 * num;
}

static void queue_publish(struct virtio_dev *d, uint64_t pa, size_t used_off, struct virtq *q)
{
	if (d->version < 2) {
		wr(d, MMIO_QUEUE_ALIGN, QUEUE_ALIGN);
		wr(d, MMIO_QUEUE_PFN, (uint32_t)(pa / QUEUE_ALIGN));
		return;
	}
	uint64_t avail = pa + 16 * q->num, used = pa + used_off;
	wr(d, MMIO_QUEUE_DESC_LOW, (uint32_t)pa);
	wr(d, MMIO_QUEUE_DESC_HIGH, (uint32_t)(pa >> 32));
	wr(d, MMIO_QUEUE_DRIVER_LOW, (uint32_t)avail);
	wr(d, MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(avail >> 32));
	wr(d, MMIO_QUEUE_DEVICE_LOW, (uint32_t)used);
	wr(d, MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(used >> 32));
	wr(d, MMIO_QUEUE_READY, 1);
}

int virtio_queue_init(struct virtio_dev *d, struct virtq *q, unsigned index, unsigned max)
{
	wr(d, MMIO_QUEUE_SEL, index);
	unsigned num = rd(d, MMIO_QUEUE_NUM_MAX);
	if (num == 0)
		return -ENODEV;
	if (d->version >= 2 && rd(d, MMIO_QUEUE_READY))
		return -EBUSY;
	if (num > max)
		num = max;
	while (num & (num - 1))	/* split rings need a power of two */
		num &= num - 1;
	size_t used_off, bytes = ring_bytes(num, &used_off);
	size_t pages = (bytes + 4095) / 4096;
	char *mem = page_alloc_n(pages);
	uint16_t *links = page_alloc_n((num * sizeof(uint16_t) + 4095) / 4096);
	if (!mem || !links) {
		if (mem)
			page_free_n(mem, pages);
		return -ENOMEM;
	}
	memset(mem, 0, pages * 4096);
	*q = (struct virtq){
		.dev = d, .index = index, .num = num,
		.desc = (struct virtq_desc *)mem,
		.avail = (struct virtq_avail *)(mem + 16 * num),
		.used = (struct virtq_used *)(mem + used_off),
		.next_free = links, .nfree = (uint16_t)num,
	};
	spin_init(&q->lock, "virtq");
	for (unsigned i = 0; i < num; i++)
		links[i] = (uint16_t)(i + 1);
	wr(d, MMIO_QUEUE_NUM, num);
	queue_publish(d, VA2PA(mem), used_off, q);
	return 0;
}

int virtq_alloc_desc(struct virtq *q)
{
	if (q->nfree == 0)
		return -1;
	uint16_t i = q->free_head;
	q->free_head = q->next_free[i];
	q->nfree--;
	return i;
}

void virtq_free_chain(struct virtq *q, uint16_t head)
{
	for (;;) {
		struct virtq_desc *dp = &q->desc[head];
		uint16_t flags = dp->flags, next = dp->next;
		q->next_free[head] = q->free_head;
		q->free_head = head;
		q->nfree++;
		if (!(flags & VIRTQ_DESC_F_NEXT))
			break;
		head = next;
	}
}

void virtq_submit(struct virtq *q, uint16_t head)
{
	uint16_t idx = q->avail->idx;
	q->avail->ring[idx & (q->num - 1)] = head;
	/* the descriptors and the ring slot before the index the device polls */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	*(volatile uint16_t *)&q->avail->idx = (uint16_t)(idx + 1);
	/* the new index is in memory before the device hears the notify */
	fence_io_mem();
	wr(q->dev, MMIO_QUEUE_NOTIFY, q->index);
}

int virtq_next_used(struct virtq *q, uint32_t *id, uint32_t *len)
{
	uint16_t idx = *(volatile uint16_t *)&q->used->idx;
	if (q->last_used == idx)
		return 0;
	/* the used element is read after the index that published it */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	struct virtq_used_elem *e = &q->used->ring[q->last_used & (q->num - 1)];
	*id = e->id;
	*len = e->len;
	q->last_used++;
	return 1;
}

static struct virtio_dev *dev_of_irq(unsigned irq)
{
	for (int i = 0; i < ndevs; i++)
		if (devs[i].irq == irq)
			return &devs[i];
	return NULL;
}

/* PLIC handler on the syscall cpu: ack first, then let the driver scan. */
static void virtio_irq(unsigned irq)
{
	struct virtio_dev *d = dev_of_irq(irq);
	if (!d)
		return;
	uint32_t st = rd(d, MMIO_INTERRUPT_STATUS);
	wr(d, MMIO_INTERRUPT_ACK, st);
	/* the ack reaches the device before we read the used index */
	fence_io_mem();
	if (d->drv && d->drv->intr)
		d->drv->intr(d);
}

void virtio_ready(struct virtio_dev *d)
{
	set_status(d, STATUS_DRIVER_OK);
	if (d->irq)
		plic_route(d->irq, offload ? 1 : 0, virtio_irq);
}

void virtio_fail(struct virtio_dev *d)
{
	set_status(d, STATUS_FAILED);
}

static const struct virtio_driver *driver_for(uint32_t id)
{
	for (int i = 0; virtio_drivers[i]; i++)
		if (virtio_drivers[i]->device_id == id)
			return virtio_drivers[i];
	return NULL;
}

static void probe_one(struct virtio_dev *d)
{
	wr(d, MMIO_STATUS, 0);	/* reset */
	set_status(d, STATUS_ACKNOWLEDGE);
	const struct virtio_driver *drv = driver_for(d->device_id);
	pr_info("virtio%d: mmio %#lx irq %u version %u device %u (%s)\n", d->index,
		d->pa, d->irq, d->version, d->device_id, drv ? drv->name : "no driver");
	if (!drv)
		return;
	if (d->version < 2)
		wr(d, MMIO_GUEST_PAGE_SIZE, QUEUE_ALIGN);
	set_status(d, STATUS_DRIVER);
	d->drv = drv;
	int err = drv->probe(d);
	if (err) {
		pr_warn("virtio%d: %s probe failed (%d)\n", d->index, drv->name, err);
		d->drv = NULL;
		virtio_fail(d);
	}
}

/* A virtio,mmio node with a device behind it, or -1 (empty slot, bad node). */
static int add_node(const struct fdt *f, int node)
{
	uint64_t base, size;
	if (ndevs == VIRTIO_MAX_DEVS || fdt_reg(f, node, 0, &base, &size) != 0)
		return -1;
	volatile uint32_t *regs = PA2VA(base);
	if (regs[MMIO_MAGIC / 4] != VIRTIO_MAGIC || regs[MMIO_DEVICE_ID / 4] == 0)
		return -1;
	uint32_t version = regs[MMIO_VERSION / 4];
	if (version != 1 && version != 2)
		return -1;
	devs[ndevs] = (struct virtio_dev){
		.pa = base, .regs = regs, .version = version,
		.device_id = regs[MMIO_DEVICE_ID / 4],
		.irq = fdt_prop_u32(f, node, "interrupts", 0),
	};
	return ndevs++;
}

void virtio_init(void)
{
	struct fdt f;
	if (!plat.dtb || fdt_open(&f, plat.dtb) != 0)
		return;
	for (int n = fdt_find_compatible(&f, -1, "virtio,mmio"); n >= 0;
	     n = fdt_find_compatible(&f, n, "virtio,mmio"))
		add_node(&f, n);	/* DTB order, as Linux: QEMU's first -device is vda */
	for (int i = 0; i < ndevs; i++) {
		devs[i].index = i;
		probe_one(&devs[i]);
	}
}
