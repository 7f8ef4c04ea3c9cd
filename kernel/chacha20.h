/*
 * ChaCha20 (RFC 8439): the block function and its keystream.  Pure logic:
 * it builds for the host too (tests/host/test_random.c checks the RFC's
 * test vectors).
 */
#pragma once
#include <stdint.h>
#include <stddef.h>

#define CHACHA20_KEY_SIZE   32
#define CHACHA20_NONCE_SIZE 12
#define CHACHA20_BLOCK_SIZE 64

/* One 64-byte block of keystream for (key, counter, nonce). */
void chacha20_block(const uint8_t key[CHACHA20_KEY_SIZE], uint32_t counter,
		    const uint8_t nonce[CHACHA20_NONCE_SIZE], uint8_t out[CHACHA20_BLOCK_SIZE]);

/*
 * `len` bytes of keystream from block *counter on; *counter moves past the
 * blocks used (a partial last block is consumed whole, never reused).
 */
void chacha20_keystream(const uint8_t key[CHACHA20_KEY_SIZE], uint32_t *counter,
			const uint8_t nonce[CHACHA20_NONCE_SIZE], void *out, size_t len);
