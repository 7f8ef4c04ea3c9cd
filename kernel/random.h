/*
 * The kernel's entropy: one ChaCha20 generator (kernel/crng.c) shared by
 * all harts, fed at boot (the DTB's /chosen/rng-seed, counters, timing
 * jitter) and by devices; it serves getrandom, /dev/random, /dev/urandom
 * and AT_RANDOM.  Design: docs/DEVICES.md.
 */
#pragma once
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

/* Boot hart, before the first process: seed from everything the boot offers. */
void random_init(void);
/*
 * Bytes from a hardware entropy source (virtio-rng), credited in full.
 * Any hart, any context (takes a spinlock with interrupts off).
 */
void random_add_entropy(const void *buf, size_t len);
/* Input of unknown quality (user writes to /dev/random): mixed, not credited. */
void random_mix(const void *buf, size_t len);
/* Whether 256 bits have been credited. */
bool random_ready(void);
/* 0 once ready; -EAGAIN if `nonblock` and not ready; -EINTR on a signal. */
int random_wait_ready(bool nonblock);
/* Kernel consumers (AT_RANDOM): never block. */
void random_bytes(void *buf, size_t len);
/* Syscall cpu: `len` bytes to the calling process; a count, or -EFAULT if none were copied. */
long random_read_user(uint64_t ubuf, size_t len);
