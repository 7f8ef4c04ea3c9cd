/*
 * ChaCha20 (RFC 8439) and the generator built on it (kernel/random.c holds
 * the locks and the sources).  Pure logic: it builds for the host too
 * (tests/host/test_random.c checks it against RFC 8439's test vectors).
 */
#pragma once
#include <stdint.h>
#include <stddef.h>

#define CHACHA20_KEY_WORDS 8
#define CHACHA20_BLOCK_SIZE 64

/* One 64-byte block of keystream: key, 32-bit block counter, 96-bit nonce. */
void chacha20_block(const uint32_t key[8], uint32_t counter, const uint32_t nonce[3],
		    uint8_t out[CHACHA20_BLOCK_SIZE]);

/* key := a function of (key, buf) that is unpredictable unless both are known. */
void crng_mix(uint32_t key[8], const void *buf, size_t len);

/*
 * Fast key erasure: one block from `key` gives a new `key` (replacing the
 * old one, which can then no longer be recovered) and a 32-byte `out_key`.
 */
void crng_split(uint32_t key[8], uint32_t out_key[8]);

/* Keystream of `key` from block *counter on; *counter advances. */
void crng_stream(const uint32_t key[8], uint32_t *counter, void *out, size_t n);

/* A memset the compiler may not drop: for wiping key material. */
void wipe(void *p, size_t n);
