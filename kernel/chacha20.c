/*
 * ChaCha20 block function (RFC 8439 section 2.3) and three small operations
 * the generator of kernel/random.c is made of.  Each use of the block
 * function has its own nonce ("domain"), so no two uses can ever produce the
 * same keystream block from the same key.
 */
#include "kernel/chacha20.h"
#include <string.h>

#define ROTL(v, n) ((v) << (n) | (v) >> (32 - (n)))
/* tests/host/run-random.sh builds a broken copy (one rotation wrong) to show the RFC vectors catch it */
#ifdef BROKEN_CHACHA
#define ROT_FIRST 15
#else
#define ROT_FIRST 16
#endif
#define QR(a, b, c, d) (				\
	a += b, d ^= a, d = ROTL(d, ROT_FIRST),		\
	c += d, b ^= c, b = ROTL(b, 12),		\
	a += b, d ^= a, d = ROTL(d, 8),			\
	c += d, b ^= c, b = ROTL(b, 7))

/* Domains (the first nonce word): mixing input, splitting keys, output. */
enum { DOMAIN_MIX = 0x78696d, DOMAIN_SPLIT = 0x74696c70, DOMAIN_STREAM = 0x6d727473 };

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void chacha20_block(const uint32_t key[8], uint32_t counter, const uint32_t nonce[3],
		    uint8_t out[CHACHA20_BLOCK_SIZE])
{
	uint32_t in[16] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574,	/* "expand 32-byte k" */
			    key[0], key[1], key[2], key[3], key[4], key[5], key[6], key[7],
			    counter, nonce[0], nonce[1], nonce[2] };
	uint32_t x[16];
	memcpy(x, in, sizeof x);
	for (int i = 0; i < 10; i++) {		/* 20 rounds: column, then diagonal */
		QR(x[0], x[4], x[8], x[12]);
		QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]);
		QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]);
		QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]);
		QR(x[3], x[4], x[9], x[14]);
	}
	for (int i = 0; i < 16; i++)
		put_le32(out + 4 * i, x[i] + in[i]);
	wipe(x, sizeof x);
	wipe(in, sizeof in);
}

void wipe(void *p, size_t n)
{
	memset(p, 0, n);
	__asm__ volatile("" :: "r"(p) : "memory");	/* the zeroes must reach memory */
}

static void key_from_block(uint32_t key[8], const uint8_t *b)
{
	for (int i = 0; i < 8; i++)
		key[i] = get_le32(b + 4 * i);
}

/*
 * Each 32-byte chunk of input is XORed into the key and the result keyed
 * into one block, whose first half is the new key: someone who knows the
 * old key but not the input, or the input but not the old key, cannot
 * predict the new key.  The length goes into the nonce so that inputs that
 * differ only by trailing zeroes mix differently.
 */
void crng_mix(uint32_t key[8], const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t nonce[3] = { DOMAIN_MIX, (uint32_t)len, (uint32_t)((uint64_t)len >> 32) };
	uint8_t chunk[32], block[CHACHA20_BLOCK_SIZE];
	uint32_t counter = 0;
	do {
		size_t c = len < sizeof chunk ? len : sizeof chunk;
		memset(chunk, 0, sizeof chunk);
		if (c)
			memcpy(chunk, p, c);
		uint32_t k[8];
		for (int i = 0; i < 8; i++)
			k[i] = key[i] ^ get_le32(chunk + 4 * i);
		chacha20_block(k, counter++, nonce, block);
		key_from_block(key, block);
		wipe(k, sizeof k);
		p += c;
		len -= c;
	} while (len);
	wipe(chunk, sizeof chunk);
	wipe(block, sizeof block);
}

void crng_split(uint32_t key[8], uint32_t out_key[8])
{
	static const uint32_t nonce[3] = { DOMAIN_SPLIT, 0, 0 };
	uint8_t block[CHACHA20_BLOCK_SIZE];
	chacha20_block(key, 0, nonce, block);
	key_from_block(key, block);
	key_from_block(out_key, block + 32);
	wipe(block, sizeof block);
}

void crng_stream(const uint32_t key[8], uint32_t *counter, void *out, size_t n)
{
	static const uint32_t nonce[3] = { DOMAIN_STREAM, 0, 0 };
	uint8_t block[CHACHA20_BLOCK_SIZE];
	uint8_t *o = out;
	while (n) {
		size_t c = n < sizeof block ? n : sizeof block;
		chacha20_block(key, (*counter)++, nonce, block);
		memcpy(o, block, c);
		o += c;
		n -= c;
	}
	wipe(block, sizeof block);
}
