/*
 * The kernel's random number generator (kernel/random.c): a ChaCha20 key
 * with fast key erasure, reseeded from an input pool.  getrandom,
 * /dev/random, /dev/urandom and AT_RANDOM read it.
 */
#pragma once
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

struct mm;

/* Boot (boot hart, before other harts run): the DTB's /chosen/rng-seed and the timer. */
void random_init(void);
/*
 * Bytes from a hardware entropy source (virtio-rng, a bootloader seed):
 * mixed in and credited at full value.  Any cpu, any context but NMI-like
 * ones; takes a spinlock with interrupts off.
 */
void random_add_entropy(const void *buf, size_t len);
/* Bytes of unknown quality (timestamps, writes to /dev/random): mixed, never credited. */
void random_mix(const void *buf, size_t len);
/* True once 256 bits have been credited: the generator is seeded. */
bool random_ready(void);
/* Seed from timer jitter if not yet seeded; returns at once otherwise. */
void random_seed_from_jitter(void);
/* A fresh key for one request; the generator's key moves on (fast key erasure). */
void random_request_key(uint32_t out[8]);
/* Kernel consumers (AT_RANDOM): never blocks. */
void random_bytes(void *buf, size_t n);
/* kernel/random_user.c: n bytes to user memory: n, a short count, or -EFAULT if nothing was written. */
long random_to_user(struct mm *mm, uint64_t ubuf, size_t n);

/* /dev/random (waits until seeded) and /dev/urandom (never waits). */
extern const struct file_ops random_dev_ops, urandom_dev_ops;
