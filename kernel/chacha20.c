/* ChaCha20 block function, written from RFC 8439 sections 2.1-2.3. */
#include "kernel/chacha20.h"
#include <string.h>

static inline uint32_t rotl32(uint32_t x, int n) { return x << n | x >> (32 - n); }

static inline uint32_t load_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void store_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

/* tests/host/run-random.sh builds a broken copy to show the RFC vectors catch it */
#ifdef BROKEN_CHACHA
#define ROT_FIRST 15
#else
#define ROT_FIRST 16
#endif

#define QUARTER_ROUND(x, a, b, c, d) do {				\
	x[a] += x[b]; x[d] = rotl32(x[d] ^ x[a], ROT_FIRST);		\
	x[c] += x[d]; x[b] = rotl32(x[b] ^ x[c], 12);			\
	x[a] += x[b]; x[d] = rotl32(x[d] ^ x[a], 8);			\
	x[c] += x[d]; x[b] = rotl32(x[b] ^ x[c], 7);			\
} while (0)

/* The initial state: "expand 32-byte k", key, counter, nonce (RFC 8439 2.3). */
static void chacha20_init_state(uint32_t s[16], const uint8_t *key, uint32_t counter,
				const uint8_t *nonce)
{
	s[0] = 0x61707865, s[1] = 0x3320646e, s[2] = 0x79622d32, s[3] = 0x6b206574;
	for (int i = 0; i < 8; i++)
		s[4 + i] = load_le32(key + 4 * i);
	s[12] = counter;
	for (int i = 0; i < 3; i++)
		s[13 + i] = load_le32(nonce + 4 * i);
}

void chacha20_block(const uint8_t key[CHACHA20_KEY_SIZE], uint32_t counter,
		    const uint8_t nonce[CHACHA20_NONCE_SIZE], uint8_t out[CHACHA20_BLOCK_SIZE])
{
	uint32_t s[16], x[16];
	chacha20_init_state(s, key, counter, nonce);
	memcpy(x, s, sizeof x);
	for (int i = 0; i < 10; i++) {		/* 20 rounds: column then diagonal */
		QUARTER_ROUND(x, 0, 4, 8, 12);
		QUARTER_ROUND(x, 1, 5, 9, 13);
		QUARTER_ROUND(x, 2, 6, 10, 14);
		QUARTER_ROUND(x, 3, 7, 11, 15);
		QUARTER_ROUND(x, 0, 5, 10, 15);
		QUARTER_ROUND(x, 1, 6, 11, 12);
		QUARTER_ROUND(x, 2, 7, 8, 13);
		QUARTER_ROUND(x, 3, 4, 9, 14);
	}
	for (int i = 0; i < 16; i++)
		store_le32(out + 4 * i, x[i] + s[i]);
	/* the state holds the key: do not leave it on the stack */
	memset(s, 0, sizeof s);
	memset(x, 0, sizeof x);
	__asm__ volatile("" ::: "memory");
}

void chacha20_keystream(const uint8_t key[CHACHA20_KEY_SIZE], uint32_t *counter,
			const uint8_t nonce[CHACHA20_NONCE_SIZE], void *out, size_t len)
{
	uint8_t *p = out, block[CHACHA20_BLOCK_SIZE];
	while (len >= CHACHA20_BLOCK_SIZE) {
		chacha20_block(key, (*counter)++, nonce, p);
		p += CHACHA20_BLOCK_SIZE;
		len -= CHACHA20_BLOCK_SIZE;
	}
	if (len) {
		chacha20_block(key, (*counter)++, nonce, block);
		memcpy(p, block, len);
		memset(block, 0, sizeof block);
		__asm__ volatile("" ::: "memory");
	}
}
