/*
 * The generator behind getrandom and /dev/urandom: one ChaCha20 key that
 * input is folded into and every request is derived from, with fast key
 * erasure (the key that produced an output is overwritten before the output
 * is used, so a later compromise of the kernel cannot reconstruct it).
 * Pure logic, no locking: kernel/random.c serialises calls on `struct crng`.
 * Host-tested by tests/host/test_random.c.  Design: docs/DEVICES.md.
 */
#pragma once
#include <stdint.h>
#include <stddef.h>
#include "kernel/chacha20.h"

struct crng {
	uint8_t key[CHACHA20_KEY_SIZE];
	uint64_t requests;		/* requests served: part of the next derivation's nonce */
};

/* One request's private stream: its own key, never the base key. */
struct crng_stream {
	uint8_t key[CHACHA20_KEY_SIZE];
	uint8_t nonce[CHACHA20_NONCE_SIZE];
	uint32_t counter;
};

/* Fold `len` bytes of input into the key (any length, any quality). */
void crng_mix(struct crng *c, const void *buf, size_t len);
/* Start a request: one block under the base key gives a new base key and the stream's key. */
void crng_begin(struct crng *c, struct crng_stream *s);
/* Next `len` bytes of the request's stream. */
void crng_read(struct crng_stream *s, void *out, size_t len);
/* End a request: wipe its key. */
void crng_end(struct crng_stream *s);
/* Overwrite `len` bytes in a way the compiler cannot drop. */
void crng_wipe(void *p, size_t len);
