/*
 * The generator's state and its sources.  One `struct crng` behind a
 * spinlock: a request holds the lock only to derive its own stream key
 * (crng_begin), then generates and copies to user space without it.
 */
#include "kernel/random.h"
#include "kernel/crng.h"
#include "kernel/spinlock.h"
#include "kernel/platform.h"
#include "kernel/printk.h"
#include "kernel/proc.h"
#include "kernel/file.h"
#include "kernel/errno.h"
#include "kernel/param.h"
#include "kernel/uvm.h"
#include "kernel/cpu.h"
#include "drivers/tty.h"
#include "sched/thread.h"
#include "arch/riscv/riscv.h"
#include <stdatomic.h>
#include <string.h>

#define READY_BITS	256
#define JITTER_SAMPLES	64	/* per mixing round */
#define EVENT_BATCH	32	/* request timings mixed in at once */

static struct spinlock random_lock = SPINLOCK_INIT("random");
static struct crng crng;		/* under random_lock */
static unsigned credited_bits;		/* under random_lock */
static uint64_t event_batch[EVENT_BATCH];	/* under random_lock */
static unsigned nevents;		/* under random_lock */
/*
 * Set once, under random_lock, when credited_bits reaches READY_BITS; read
 * without the lock.  Release/acquire: a reader that sees it set also sees
 * the key the crediting mix wrote (it then takes the lock anyway).
 */
static atomic_bool ready;

static void mix_credit(const void *buf, size_t len, unsigned bits)
{
	spin_lock(&random_lock);
	crng_mix(&crng, buf, len);
	credited_bits = credited_bits + bits > READY_BITS ? READY_BITS : credited_bits + bits;
	if (credited_bits >= READY_BITS && !atomic_load_explicit(&ready, memory_order_relaxed))
		atomic_store_explicit(&ready, true, memory_order_release);
	spin_unlock(&random_lock);
}

void random_add_entropy(const void *buf, size_t len)
{
	mix_credit(buf, len, len > READY_BITS / 8 ? READY_BITS : (unsigned)len * 8);
}

void random_mix(const void *buf, size_t len) { mix_credit(buf, len, 0); }

bool random_ready(void) { return atomic_load_explicit(&ready, memory_order_acquire); }

static inline uint64_t r_cycle(void) { return csr_read(cycle); }

/*
 * Timing jitter: the cycle counter around a little memory work, sampled
 * JITTER_SAMPLES times and mixed in.  Credit is one bit per eight samples
 * whose duration differs from the one before; a counter that does not move
 * (or moves in lockstep) credits nothing.
 */
static void collect_jitter(void)
{
	uint64_t samples[JITTER_SAMPLES], prev = 0;
	volatile uint64_t work[16] = { 0 };
	unsigned changes = 0;
	for (int i = 0; i < JITTER_SAMPLES; i++) {
		uint64_t c0 = r_cycle();
		for (int j = 0; j < 16; j++)
			work[(j * 7 + i) & 15] += c0 >> j;
		uint64_t c1 = r_cycle(), d = c1 - c0;
		samples[i] = c1 ^ r_time() << 40;
		changes += d != prev;
		prev = d;
	}
	mix_credit(samples, sizeof samples, changes / 8);
	crng_wipe(samples, sizeof samples);
}

/* Mix the DTB's seed, then wipe it in the blob so nothing can read it later. */
static void mix_dtb_seed(void)
{
	if (!plat.rng_seed_len)
		return;
	mix_credit(plat.rng_seed, plat.rng_seed_len, plat.rng_seed_len * 8);
	crng_wipe((void *)plat.rng_seed, plat.rng_seed_len);	/* the blob is ours (direct map, RW) */
}

void random_init(void)
{
	uint64_t boot[4] = { r_time(), r_cycle(), (uint64_t)plat.nharts, plat.dtb_pa };
	random_mix(boot, sizeof boot);
	uint32_t seed_len = plat.rng_seed_len;
	mix_dtb_seed();
	/*
	 * Bounded (~16k samples, a few hundred ms under QEMU at worst): a
	 * machine whose cycle counter never moves stays unready, and getrandom
	 * then collects more jitter while it waits.  Under QEMU TCG about half
	 * the samples differ, so 64 rounds were sometimes not quite enough.
	 */
	for (int round = 0; round < 256 && !random_ready(); round++)
		collect_jitter();
	pr_info("random: ChaCha20 generator, %u bytes of DTB rng-seed, %u bits credited, %s\n",
		seed_len, credited_bits, random_ready() ? "ready" : "NOT ready yet");
}

int random_wait_ready(bool nonblock)
{
	while (!random_ready()) {
		if (nonblock)
			return -EAGAIN;
		if (signal_pending_now())
			return -EINTR;
		collect_jitter();	/* as Linux does: make the entropy we wait for */
		thread_yield();
	}
	return 0;
}

/*
 * Every request records the cycle counter; each full batch of 32 is mixed
 * in at once (never credited).  One sample at a time would let someone who
 * learned the key follow each few-bit reseed by guessing; a whole batch at
 * once is out of reach, so the generator recovers from such a compromise
 * (the "catastrophic reseeding" argument of Fortuna and Linux).
 */
static void stream_begin(struct crng_stream *s)
{
	spin_lock(&random_lock);
	event_batch[nevents++] = r_cycle();
	if (nevents == EVENT_BATCH) {
		crng_mix(&crng, event_batch, sizeof event_batch);
		crng_wipe(event_batch, sizeof event_batch);
		nevents = 0;
	}
	crng_begin(&crng, s);
	spin_unlock(&random_lock);
}

void random_bytes(void *buf, size_t len)
{
	struct crng_stream s;
	stream_begin(&s);
	crng_read(&s, buf, len);
	crng_end(&s);
}

long random_read_user(uint64_t ubuf, size_t len)
{
	uint8_t buf[512];
	struct crng_stream s;
	size_t done = 0;
	stream_begin(&s);
	while (done < len) {
		size_t n = len - done < sizeof buf ? len - done : sizeof buf;
		crng_read(&s, buf, n);
		if (copy_to_user(curproc()->mm, ubuf + done, buf, n))
			break;
		done += n;
		if (done < len && done % PGSIZE == 0) {
			/* a long read stops early for a signal, with a partial count (as Linux) */
			if (signal_pending_now())
				break;
			/* ~5 ms of work under QEMU: let the cpu's other threads (the
			 * server's other workers) run, as Linux's cond_resched() */
			if (done % (64 * 1024) == 0)
				thread_yield();
		}
	}
	crng_end(&s);
	crng_wipe(buf, sizeof buf);
	return done || !len ? (long)done : -EFAULT;
}

/* ---- /dev/random (1:8) and /dev/urandom (1:9) ---- */

static long random_dev_read(struct file *f, uint64_t ubuf, size_t n)
{
	int err = random_wait_ready(f->flags & O_NONBLOCK);
	return err ? err : random_read_user(ubuf, n);
}

/* /dev/urandom never waits (Linux warns once and reads anyway). */
static long urandom_dev_read(struct file *f, uint64_t ubuf, size_t n)
{
	(void)f;
	return random_read_user(ubuf, n);
}

/* Writes are mixed in and never credited: anyone may write. */
static long random_dev_write(struct file *f, uint64_t ubuf, size_t n)
{
	(void)f;
	uint8_t buf[256];
	size_t done = 0;
	while (done < n) {
		size_t c = n - done < sizeof buf ? n - done : sizeof buf;
		if (copy_from_user(curproc()->mm, buf, ubuf + done, c))
			break;
		random_mix(buf, c);
		done += c;
	}
	crng_wipe(buf, sizeof buf);
	return done || !n ? (long)done : -EFAULT;
}

static int random_dev_poll(struct file *f)
{
	(void)f;
	return (random_ready() ? 1 : 0) | 2;
}

const struct file_ops random_ops = {
	.read = random_dev_read, .write = random_dev_write, .poll = random_dev_poll,
};
const struct file_ops urandom_ops = {
	.read = urandom_dev_read, .write = random_dev_write, .poll = random_dev_poll,
};
