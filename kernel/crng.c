/*
 * ChaCha20 used as a keyed PRF: both mixing and extraction replace the key
 * with output of the block function under the current key, so each step is
 * one-way (see kernel/crng.h and docs/DEVICES.md).
 */
#include "kernel/crng.h"
#include <string.h>

/*
 * Domain separation: an extraction uses block counter 0, a mixing step the
 * chunk length (1..32), so the two never compute the same block.
 */
static const uint8_t mix_nonce[CHACHA20_NONCE_SIZE] = "duet-mix";
static const uint8_t out_nonce[4] = "out";

void crng_wipe(void *p, size_t len)
{
	memset(p, 0, len);
	__asm__ volatile("" :: "r"(p) : "memory");	/* the stores are observable */
}

/*
 * Each 32-byte chunk is XORed into the key, then the key is replaced by a
 * block under it.  The chunk length is the block counter, so inputs that
 * differ only in trailing zeros still give different keys.  Whoever does
 * not know the old key learns nothing from known input; whoever knows it
 * loses it as soon as unknown input goes in.
 */
void crng_mix(struct crng *c, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint8_t block[CHACHA20_BLOCK_SIZE];
	do {
		size_t n = len < CHACHA20_KEY_SIZE ? len : CHACHA20_KEY_SIZE;
		for (size_t i = 0; i < n; i++)
			c->key[i] ^= p[i];
		chacha20_block(c->key, (uint32_t)n, mix_nonce, block);
		memcpy(c->key, block, CHACHA20_KEY_SIZE);
		p += n;
		len -= n;
	} while (len);
	crng_wipe(block, sizeof block);
}

void crng_begin(struct crng *c, struct crng_stream *s)
{
	uint8_t block[CHACHA20_BLOCK_SIZE], nonce[CHACHA20_NONCE_SIZE];
	memcpy(nonce, out_nonce, sizeof out_nonce);
	for (int i = 0; i < 8; i++)
		nonce[4 + i] = (uint8_t)(c->requests >> (8 * i));
	c->requests++;
	chacha20_block(c->key, 0, nonce, block);
	memcpy(c->key, block, CHACHA20_KEY_SIZE);	/* fast key erasure */
	memcpy(s->key, block + CHACHA20_KEY_SIZE, CHACHA20_KEY_SIZE);
	memset(s->nonce, 0, sizeof s->nonce);
	s->counter = 0;
	crng_wipe(block, sizeof block);
}

void crng_read(struct crng_stream *s, void *out, size_t len)
{
	chacha20_keystream(s->key, &s->counter, s->nonce, out, len);
}

void crng_end(struct crng_stream *s)
{
	crng_wipe(s, sizeof *s);
}
