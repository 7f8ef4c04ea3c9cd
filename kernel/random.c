/*
 * The random number generator.
 *
 * Two ChaCha20 keys (kernel/chacha20.c):
 *   - the input pool: every input is mixed into it (crng_mix);
 *   - the generator key: every request first splits it (crng_split: one
 *     block gives the next generator key and a per-request key, so the
 *     old key is gone, "fast key erasure"), then produces its bytes from
 *     the per-request key outside the lock and wipes it.
 * The pool reseeds the generator once 32 bytes of credited input (a
 * hardware source's word: the DTB's rng-seed, virtio-rng) have come in since
 * the last reseed, so a state compromise is not extended by small,
 * guessable inputs.  Uncredited inputs (the timer at boot, writes to
 * /dev/random) only ever help.  Without any credited source (QEMU
 * sifive_u) the first blocking reader seeds from timer jitter, as Linux
 * does.  docs/CLOCK_AND_RANDOM.md has the design.  User space reads it
 * through kernel/random_user.c.  Builds for the host too
 * (tests/host/test_random.c).
 */
#include "kernel/random.h"
#include "kernel/chacha20.h"
#include "kernel/spinlock.h"
#include "kernel/platform.h"
#include "kernel/printk.h"
#include "kernel/timer.h"
#include <string.h>

#define RESEED_BYTES 32		/* 256 bits of credited input per reseed */
#define JITTER_CHANGES (4 * 8 * RESEED_BYTES)	/* a quarter bit each */

static struct spinlock rng_lock = SPINLOCK_INIT("random");
static struct {				/* all under rng_lock */
	uint32_t pool[8];		/* the input pool */
	uint32_t key[8];		/* the generator key */
	size_t credit;			/* credited bytes in the pool since the last reseed */
	bool seeded;			/* the generator has had one full reseed */
} rng;

/* Pool -> generator.  The pool is split so what went in cannot be read back out. */
static void reseed_locked(void)
{
	uint32_t fresh[8];
	crng_split(rng.pool, fresh);
	crng_mix(rng.key, fresh, sizeof fresh);
	wipe(fresh, sizeof fresh);
	rng.credit = 0;
	rng.seeded = true;
}

static void mix_locked(const void *buf, size_t len, size_t credit)
{
	uint64_t t = time_now();	/* when it came is worth mixing too */
	crng_mix(rng.pool, &t, sizeof t);
	crng_mix(rng.pool, buf, len);
	rng.credit += credit;
	if (rng.credit >= RESEED_BYTES)
		reseed_locked();
}

void random_add_entropy(const void *buf, size_t len)
{
	spin_lock(&rng_lock);
	bool was = rng.seeded;
	mix_locked(buf, len, len);
	bool now = rng.seeded;
	spin_unlock(&rng_lock);
	if (!was && now)
		pr_info("random: seeded from a hardware source\n");
}

void random_mix(const void *buf, size_t len)
{
	spin_lock(&rng_lock);
	mix_locked(buf, len, 0);
	spin_unlock(&rng_lock);
}

bool random_ready(void)
{
	spin_lock(&rng_lock);
	bool s = rng.seeded;
	spin_unlock(&rng_lock);
	return s;
}

void random_request_key(uint32_t out[8])
{
	spin_lock(&rng_lock);
	crng_split(rng.key, out);
	spin_unlock(&rng_lock);
}

void random_bytes(void *buf, size_t n)
{
	uint32_t k[8], ctr = 0;
	random_request_key(k);
	crng_stream(k, &ctr, buf, n);
	wipe(k, sizeof k);
}

/*
 * Timer jitter: the time a ChaCha20 block takes, sampled many times.  Under
 * QEMU and on real cores it wanders with caches, host scheduling and
 * interrupts.  A quarter bit is credited per sample whose duration differs
 * from the one before, so seeding takes 1024 changes (a few hundred ms
 * under QEMU); the samples are all mixed in.
 */
void random_seed_from_jitter(void)
{
	if (random_ready())
		return;
	uint64_t samples[32], last = 0;
	uint32_t scratch[8] = { 0 }, changes = 0;
	for (int round = 0; round < 4096 && changes < JITTER_CHANGES; round++) {
		for (int i = 0; i < 32; i++) {
			uint64_t t0 = time_now();
			crng_split(scratch, scratch);
			uint64_t d = time_now() - t0;
			samples[i] = d ^ t0 << 20;
			changes += d != last;
			last = d;
		}
		random_mix(samples, sizeof samples);
	}
	spin_lock(&rng_lock);
	bool was = rng.seeded;
	if (!was)
		reseed_locked();
	spin_unlock(&rng_lock);
	if (!was && changes >= JITTER_CHANGES)
		pr_info("random: seeded from timer jitter (%u samples changed)\n", changes);
	else if (!was)	/* a clock too coarse or too regular: say so rather than wait forever */
		pr_warn("random: timer jitter gave only %u of %u changes; seeded anyway, weakly\n",
			changes, JITTER_CHANGES);
}

void random_init(void)
{
	uint64_t t = time_now();
	random_mix(&t, sizeof t);
	random_mix(plat.model, sizeof plat.model);
	if (plat.rng_seed && plat.rng_seed_len > 0) {
		random_add_entropy(plat.rng_seed, (size_t)plat.rng_seed_len);
		/* the DTB may be handed on or read by others: the seed is used up */
		wipe((void *)plat.rng_seed, (size_t)plat.rng_seed_len);
		pr_info("random: %d bytes from /chosen/rng-seed\n", plat.rng_seed_len);
	} else {
		pr_info("random: no /chosen/rng-seed; waiting for a hardware source or jitter\n");
	}
}
