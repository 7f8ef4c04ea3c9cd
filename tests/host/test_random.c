/*
 * Host tests of the pure parts of the clock and entropy code:
 *  - kernel/chacha20.c against RFC 8439's test vectors (2.3.2 block,
 *    2.4.2 keystream XOR plaintext, A.1 #1 all-zero block);
 *  - kernel/crng.c: determinism from a seed, fast key erasure, mixing;
 *  - kernel/calendar.c against the C library's gmtime/timegm.
 * Prints PASS/FAIL lines.  A deliberately broken build (-DBROKEN_CHACHA: one
 * rotation wrong) must fail the RFC vectors (tests/host/run-random.sh).
 */
#define _GNU_SOURCE
#include "tests/host/harness.h"
#include "kernel/chacha20.h"
#include "kernel/crng.h"
#include "kernel/calendar.h"
#include <string.h>
#include <stdlib.h>

static int hexval(char c) { return c <= '9' ? c - '0' : (c | 32) - 'a' + 10; }

/* Parse hex (spaces ignored) into out; returns the byte count. */
static size_t unhex(const char *s, uint8_t *out)
{
	size_t n = 0;
	while (*s) {
		if (*s == ' ' || *s == '\n') { s++; continue; }
		out[n++] = (uint8_t)(hexval(s[0]) << 4 | hexval(s[1]));
		s += 2;
	}
	return n;
}

static void seq_key(uint8_t k[32]) { for (int i = 0; i < 32; i++) k[i] = (uint8_t)i; }

static bool rfc_block_2_3_2(void)
{
	uint8_t key[32], nonce[12], out[64], want[64];
	seq_key(key);
	unhex("000000090000004a00000000", nonce);
	unhex("10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e"
	      "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e", want);
	chacha20_block(key, 1, nonce, out);
	CHECK(memcmp(out, want, 64) == 0, "RFC 8439 2.3.2 block differs (first byte %02x, want %02x)",
	      out[0], want[0]);
	return true;
}

static bool rfc_encrypt_2_4_2(void)
{
	static const char pt[] = "Ladies and Gentlemen of the class of '99: If I could offer you "
				 "only one tip for the future, sunscreen would be it.";
	uint8_t key[32], nonce[12], ks[sizeof pt], want[sizeof pt];
	seq_key(key);
	unhex("000000000000004a00000000", nonce);
	size_t n = unhex("6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0b"
			 "f91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d8"
			 "07ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab7793736"
			 "5af90bbf74a35be6b40b8eedf2785e42874d", want);
	CHECK(n == sizeof pt - 1, "vector length %zu, plaintext %zu", n, sizeof pt - 1);
	uint32_t ctr = 1;
	chacha20_keystream(key, &ctr, nonce, ks, n);
	for (size_t i = 0; i < n; i++)
		CHECK((uint8_t)(pt[i] ^ ks[i]) == want[i], "RFC 8439 2.4.2 ciphertext byte %zu: %02x, want %02x",
		      i, (uint8_t)(pt[i] ^ ks[i]), want[i]);
	CHECK(ctr == 3, "114 bytes should use blocks 1 and 2, counter now %u", ctr);
	return true;
}

static bool rfc_zero_block(void)
{
	uint8_t key[32] = { 0 }, nonce[12] = { 0 }, out[64], want[64];
	unhex("76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
	      "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586", want);
	chacha20_block(key, 0, nonce, out);
	CHECK(memcmp(out, want, 64) == 0, "RFC 8439 A.1 #1 block differs");
	return true;
}

static void crng_seeded(struct crng *c, const char *seed)
{
	memset(c, 0, sizeof *c);
	crng_mix(c, seed, strlen(seed));
}

static void crng_get(struct crng *c, void *out, size_t n)
{
	struct crng_stream s;
	crng_begin(c, &s);
	crng_read(&s, out, n);
	crng_end(&s);
}

static bool crng_behaviour(void)
{
	struct crng a, b;
	uint8_t x[100], y[100], z[100];
	crng_seeded(&a, "seed one");
	crng_seeded(&b, "seed one");
	crng_get(&a, x, sizeof x);
	crng_get(&b, y, sizeof y);
	CHECK(memcmp(x, y, sizeof x) == 0, "same seed, different output");
	crng_get(&a, z, sizeof z);
	CHECK(memcmp(x, z, sizeof x) != 0, "two requests gave the same bytes");
	crng_seeded(&b, "seed two");
	crng_get(&b, y, sizeof y);
	CHECK(memcmp(x, y, sizeof x) != 0, "different seeds, same output");

	/* fast key erasure: the base key changes with every request, and the
	 * request's key is neither the old nor the new base key */
	uint8_t before[32];
	struct crng_stream s;
	memcpy(before, a.key, 32);
	crng_begin(&a, &s);
	CHECK(memcmp(before, a.key, 32) != 0, "base key unchanged by a request");
	CHECK(memcmp(s.key, a.key, 32) != 0 && memcmp(s.key, before, 32) != 0,
	      "request key equals a base key");
	crng_end(&s);
	static const uint8_t zero[sizeof s] = { 0 };
	CHECK(memcmp(&s, zero, sizeof s) == 0, "crng_end left the request key behind");

	/* mixing: inputs differing only in a trailing zero give different keys */
	crng_seeded(&a, "x");
	memcpy(&b, &a, sizeof a);
	crng_mix(&a, "ab", 2);
	crng_mix(&b, "ab\0", 3);
	CHECK(memcmp(a.key, b.key, 32) != 0, "trailing zero not mixed in");
	/* a long input (several chunks) all counts: change its last byte */
	char big[200];
	memset(big, 'q', sizeof big);
	memcpy(&b, &a, sizeof a);
	crng_mix(&a, big, sizeof big);
	big[199] = 'r';
	crng_mix(&b, big, sizeof big);
	CHECK(memcmp(a.key, b.key, 32) != 0, "last byte of a 200-byte input not mixed in");

	/* a stream read in pieces is the same stream (blocks are never reused:
	 * a piece that ends mid-block skips the block's rest) */
	crng_seeded(&a, "pieces");
	memcpy(&b, &a, sizeof a);
	crng_get(&a, x, 64);
	struct crng_stream p;
	crng_begin(&b, &p);
	crng_read(&p, y, 10);
	crng_read(&p, y + 10, 64);
	crng_end(&p);
	CHECK(memcmp(x, y, 10) == 0, "first piece differs from the stream");
	CHECK(memcmp(x + 10, y + 10, 54) != 0, "second piece reused the first block");
	return true;
}

static bool calendar_matches_libc(void)
{
	uint64_t st = 12345;
	for (int i = 0; i < 200000; i++) {
		uint64_t secs;
		if (i < 4) {
			static const uint64_t fixed[] = { 0, 951782400 /* 2000-02-29 */, 4107542399, 253402300799 };
			secs = fixed[i];
		} else {
			secs = rng_next(&st) % 253402300800ULL;	/* up to 9999-12-31 */
		}
		struct rtc_time tm;
		calendar_from_secs(secs, &tm);
		time_t t = (time_t)secs;
		struct tm g;
		gmtime_r(&t, &g);
		CHECK(tm.tm_year == g.tm_year && tm.tm_mon == g.tm_mon && tm.tm_mday == g.tm_mday &&
		      tm.tm_hour == g.tm_hour && tm.tm_min == g.tm_min && tm.tm_sec == g.tm_sec &&
		      tm.tm_wday == g.tm_wday && tm.tm_yday == g.tm_yday,
		      "%llu: got %d-%d-%d %d:%d:%d w%d y%d, gmtime %d-%d-%d %d:%d:%d w%d y%d",
		      (unsigned long long)secs, tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min,
		      tm.tm_sec, tm.tm_wday, tm.tm_yday, g.tm_year, g.tm_mon, g.tm_mday, g.tm_hour,
		      g.tm_min, g.tm_sec, g.tm_wday, g.tm_yday);
		CHECK(calendar_valid(&tm), "%llu: own output not valid", (unsigned long long)secs);
		CHECK(calendar_to_secs(&tm) == secs, "%llu: round trip gave %llu", (unsigned long long)secs,
		      (unsigned long long)calendar_to_secs(&tm));
	}
	struct rtc_time bad[] = {
		{ .tm_year = 69, .tm_mday = 1 },			/* 1969 */
		{ .tm_year = 123, .tm_mon = 12, .tm_mday = 1 },		/* month 13 */
		{ .tm_year = 123, .tm_mon = 1, .tm_mday = 29 },		/* 2023-02-29 */
		{ .tm_year = 100, .tm_mon = 1, .tm_mday = 30 },		/* 2000-02-30 */
		{ .tm_year = 123, .tm_mday = 0 },
		{ .tm_year = 123, .tm_mday = 1, .tm_hour = 24 },
		{ .tm_year = 123, .tm_mday = 1, .tm_min = -1 },
		{ .tm_year = 123, .tm_mday = 1, .tm_sec = 60 },
	};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK(!calendar_valid(&bad[i]), "bad date %u accepted", i);
	struct rtc_time leap = { .tm_year = 100, .tm_mon = 1, .tm_mday = 29 };
	CHECK(calendar_valid(&leap), "2000-02-29 refused");
	return true;
}

int main(void)
{
	(void)now;	/* harness.h's clock: not needed here */
	struct { const char *name; bool (*fn)(void); } tests[] = {
		{ "chacha20_rfc8439_block_2.3.2", rfc_block_2_3_2 },
		{ "chacha20_rfc8439_encrypt_2.4.2", rfc_encrypt_2_4_2 },
		{ "chacha20_rfc8439_a1_zero_block", rfc_zero_block },
		{ "crng_seed_erasure_mixing", crng_behaviour },
		{ "calendar_vs_gmtime_200k", calendar_matches_libc },
	};
	for (unsigned i = 0; i < sizeof tests / sizeof tests[0]; i++)
		if (tests[i].fn())
			printf("PASS %s\n", tests[i].name);
	return failures ? 1 : 0;
}
