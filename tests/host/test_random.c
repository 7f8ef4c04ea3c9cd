/*
 * Host tests of kernel/chacha20.c (the generator's primitive, against
 * RFC 8439's test vectors) and kernel/calendar.c (against the host libc's
 * gmtime_r/timegm).
 *
 *   rfc8439_block_2_3_2   the block function, section 2.3.2
 *   rfc8439_a1_zero_key   appendix A.1 test vector #1 (all zero)
 *   rfc8439_encrypt_2_4_2 the "sunscreen" encryption, section 2.4.2
 *   crng_split_erases     the split key differs from the old one, and the
 *                         old key cannot be got back by splitting again
 *   crng_mix_depends      mixing depends on every input byte and the length
 *   crng_stream_counter   the stream continues across calls
 *   calendar_vs_libc      2 million timestamps, 1900..2400, both directions
 *   calendar_valid        the ranges RTC_SET_TIME accepts
 * and kernel/random.c (the pool and its reseeding), each case in a fresh
 * child process so each starts from an unseeded generator:
 *   pool_uncredited_never_seeds   random_mix of 4 KiB does not seed
 *   pool_seeds_at_32_credited     31 credited bytes do not, the 32nd does
 *   pool_rng_seed_at_init         a 32-byte /chosen/rng-seed seeds at boot
 *                                 and is wiped from the blob
 *   pool_seed_changes_output      the same state with a different seed byte
 *                                 gives different bytes; the same, the same
 *   pool_jitter_seeds             jitter seeding ends seeded, with 1024 changes
 */
#define _GNU_SOURCE
#include "kernel/chacha20.h"
#include "kernel/calendar.h"
#include "kernel/random.h"
#include "kernel/platform.h"
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int npass, nfail;

#define CHECK(name, cond, ...) do {						\
	if (cond) { npass++; printf("PASS %s\n", name); }			\
	else { nfail++; printf("FAIL %s: ", name); printf(__VA_ARGS__); printf("\n"); } \
} while (0)

static void le_words(uint32_t *w, const uint8_t *b, int n)
{
	for (int i = 0; i < n; i++)
		w[i] = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 |
		       (uint32_t)b[4 * i + 2] << 16 | (uint32_t)b[4 * i + 3] << 24;
}

static int first_diff(const uint8_t *a, const uint8_t *b, int n)
{
	for (int i = 0; i < n; i++)
		if (a[i] != b[i])
			return i;
	return -1;
}

static void test_block(void)
{
	static const uint8_t want[64] = {
		0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15, 0x50, 0x0f, 0xdd, 0x1f, 0xa3, 0x20, 0x71, 0xc4,
		0xc7, 0xd1, 0xf4, 0xc7, 0x33, 0xc0, 0x68, 0x03, 0x04, 0x22, 0xaa, 0x9a, 0xc3, 0xd4, 0x6c, 0x4e,
		0xd2, 0x82, 0x64, 0x46, 0x07, 0x9f, 0xaa, 0x09, 0x14, 0xc2, 0xd7, 0x05, 0xd9, 0x8b, 0x02, 0xa2,
		0xb5, 0x12, 0x9c, 0xd1, 0xde, 0x16, 0x4e, 0xb9, 0xcb, 0xd0, 0x83, 0xe8, 0xa2, 0x50, 0x3c, 0x4e };
	uint8_t kb[32], nb[12] = { 0, 0, 0, 0x09, 0, 0, 0, 0x4a, 0, 0, 0, 0 }, out[64];
	uint32_t key[8], nonce[3];
	for (int i = 0; i < 32; i++)
		kb[i] = (uint8_t)i;
	le_words(key, kb, 8);
	le_words(nonce, nb, 3);
	chacha20_block(key, 1, nonce, out);
	int d = first_diff(out, want, 64);
	CHECK("rfc8439_block_2_3_2", d < 0, "byte %d: expected %02x, got %02x", d, want[d < 0 ? 0 : d], out[d < 0 ? 0 : d]);
}

static void test_zero(void)
{
	static const uint8_t want[64] = {
		0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90, 0x40, 0x5d, 0x6a, 0xe5, 0x53, 0x86, 0xbd, 0x28,
		0xbd, 0xd2, 0x19, 0xb8, 0xa0, 0x8d, 0xed, 0x1a, 0xa8, 0x36, 0xef, 0xcc, 0x8b, 0x77, 0x0d, 0xc7,
		0xda, 0x41, 0x59, 0x7c, 0x51, 0x57, 0x48, 0x8d, 0x77, 0x24, 0xe0, 0x3f, 0xb8, 0xd8, 0x4a, 0x37,
		0x6a, 0x43, 0xb8, 0xf4, 0x15, 0x18, 0xa1, 0x1c, 0xc3, 0x87, 0xb6, 0x69, 0xb2, 0xee, 0x65, 0x86 };
	uint32_t key[8] = { 0 }, nonce[3] = { 0 };
	uint8_t out[64];
	chacha20_block(key, 0, nonce, out);
	int d = first_diff(out, want, 64);
	CHECK("rfc8439_a1_zero_key", d < 0, "byte %d: expected %02x, got %02x", d, want[d < 0 ? 0 : d], out[d < 0 ? 0 : d]);
}

static void test_encrypt(void)
{
	static const char plain[] = "Ladies and Gentlemen of the class of '99: If I could offer you "
				    "only one tip for the future, sunscreen would be it.";
	static const uint8_t want[114] = {
		0x6e, 0x2e, 0x35, 0x9a, 0x25, 0x68, 0xf9, 0x80, 0x41, 0xba, 0x07, 0x28, 0xdd, 0x0d, 0x69, 0x81,
		0xe9, 0x7e, 0x7a, 0xec, 0x1d, 0x43, 0x60, 0xc2, 0x0a, 0x27, 0xaf, 0xcc, 0xfd, 0x9f, 0xae, 0x0b,
		0xf9, 0x1b, 0x65, 0xc5, 0x52, 0x47, 0x33, 0xab, 0x8f, 0x59, 0x3d, 0xab, 0xcd, 0x62, 0xb3, 0x57,
		0x16, 0x39, 0xd6, 0x24, 0xe6, 0x51, 0x52, 0xab, 0x8f, 0x53, 0x0c, 0x35, 0x9f, 0x08, 0x61, 0xd8,
		0x07, 0xca, 0x0d, 0xbf, 0x50, 0x0d, 0x6a, 0x61, 0x56, 0xa3, 0x8e, 0x08, 0x8a, 0x22, 0xb6, 0x5e,
		0x52, 0xbc, 0x51, 0x4d, 0x16, 0xcc, 0xf8, 0x06, 0x81, 0x8c, 0xe9, 0x1a, 0xb7, 0x79, 0x37, 0x36,
		0x5a, 0xf9, 0x0b, 0xbf, 0x74, 0xa3, 0x5b, 0xe6, 0xb4, 0x0b, 0x8e, 0xed, 0xf2, 0x78, 0x5e, 0x42,
		0x87, 0x4d };
	uint8_t kb[32], nb[12] = { 0, 0, 0, 0, 0, 0, 0, 0x4a, 0, 0, 0, 0 }, ks[64], out[114];
	uint32_t key[8], nonce[3];
	for (int i = 0; i < 32; i++)
		kb[i] = (uint8_t)i;
	le_words(key, kb, 8);
	le_words(nonce, nb, 3);
	for (int i = 0; i < 114; i++) {
		if (i % 64 == 0)
			chacha20_block(key, 1 + (uint32_t)i / 64, nonce, ks);
		out[i] = (uint8_t)plain[i] ^ ks[i % 64];
	}
	int d = first_diff(out, want, 114);
	CHECK("rfc8439_encrypt_2_4_2", d < 0, "byte %d: expected %02x, got %02x", d, want[d < 0 ? 0 : d], out[d < 0 ? 0 : d]);
}

static void test_crng(void)
{
	uint32_t key[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, old[8], a[8], b[8];
	memcpy(old, key, sizeof key);
	crng_split(key, a);
	crng_split(key, b);
	CHECK("crng_split_erases", memcmp(key, old, 32) && memcmp(a, b, 32) && memcmp(a, old, 32) && memcmp(a, key, 32),
	      "split keys repeat or equal the old key");

	uint32_t k1[8] = { 0 }, k2[8] = { 0 }, k3[8] = { 0 }, k4[8] = { 0 };
	uint8_t in[100] = { 0 };
	crng_mix(k1, in, sizeof in);
	in[99] = 1;
	crng_mix(k2, in, sizeof in);
	in[99] = 0;
	crng_mix(k3, in, 99);
	crng_mix(k4, in, 0);
	CHECK("crng_mix_depends", memcmp(k1, k2, 32) && memcmp(k1, k3, 32) && memcmp(k1, k4, 32) && memcmp(k3, k4, 32),
	      "two different inputs mixed to the same key");

	uint8_t one[200], two[200];
	uint32_t c1 = 0, c2 = 0;
	crng_stream(key, &c1, one, 200);
	crng_stream(key, &c2, two, 64);
	crng_stream(key, &c2, two + 64, 136);
	CHECK("crng_stream_counter", !memcmp(one, two, 200) && c1 == 4 && c2 == 4 && memcmp(one, one + 64, 64),
	      "streams differ or counters %u %u, expected 4", c1, c2);
}

static bool tm_equal(const struct rtc_time *a, const struct tm *b)
{
	return a->tm_sec == b->tm_sec && a->tm_min == b->tm_min && a->tm_hour == b->tm_hour &&
	       a->tm_mday == b->tm_mday && a->tm_mon == b->tm_mon && a->tm_year == b->tm_year &&
	       a->tm_wday == b->tm_wday && a->tm_yday == b->tm_yday;
}

static void test_calendar(void)
{
	uint64_t s = 88172645463325252ull;
	const int64_t lo = -2208988800LL, hi = 13569465600LL;	/* 1900-01-01 .. 2400-01-01 */
	long bad = 0;
	int64_t first_bad = 0;
	for (long i = 0; i < 2000000; i++) {
		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		int64_t t = i < 1000 ? (int64_t)i * 86400 - 500 * 86400 : lo + (int64_t)(s % (uint64_t)(hi - lo));
		struct rtc_time r;
		struct tm g;
		time_t tt = (time_t)t;
		calendar_from_secs(t, &r);
		gmtime_r(&tt, &g);
		if (!tm_equal(&r, &g) || calendar_to_secs(&r) != t || calendar_valid(&r) != (t >= 0 ? 0 : -1)) {
			if (!bad++)
				first_bad = t;
		}
	}
	CHECK("calendar_vs_libc", bad == 0, "%ld mismatches with gmtime_r/round trip, first at %lld", bad, (long long)first_bad);

	struct rtc_time ok = { 59, 59, 23, 29, 1, 124, 0, 0, 0 };	/* 2024-02-29 23:59:59 */
	struct rtc_time feb = ok, mon = ok, hour = ok, old = ok;
	feb.tm_year = 123;	/* 2023: no Feb 29 */
	mon.tm_mon = 12;
	hour.tm_hour = 24;
	old.tm_year = 69;
	CHECK("calendar_valid", !calendar_valid(&ok) && calendar_valid(&feb) && calendar_valid(&mon) &&
	      calendar_valid(&hour) && calendar_valid(&old), "accepted an invalid date or refused 2024-02-29");
}

/* ---- stand-ins for what kernel/random.c uses ---- */
struct platform plat;
static uint64_t fake_time, jitter_state = 1;
static int log_seeded_jitter;

uint64_t time_now(void)
{
	/* a clock that advances 20..27 ticks per call: durations that vary */
	jitter_state = jitter_state * 6364136223846793005ull + 1442695040888963407ull;
	return fake_time += 20 + (jitter_state >> 61);
}

int printk(int level, const char *fmt, ...)
{
	(void)level;
	char line[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (strstr(line, "timer jitter (") && atoi(strstr(line, "(") + 1) >= 1024)
		log_seeded_jitter = 1;
	return 0;
}

/* Runs fn in a child; the child's exit status is the verdict (0 = pass). */
static void in_child(const char *name, int (*fn)(char *why))
{
	int fds[2];
	char why[200] = "";
	if (pipe(fds) != 0)
		return;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		int r = fn(why);
		if (write(fds[1], why, sizeof why) < 0)
			r = 2;
		_exit(r);
	}
	close(fds[1]);
	if (read(fds[0], why, sizeof why) < 0)
		strcpy(why, "no answer from the child");
	close(fds[0]);
	int st;
	waitpid(pid, &st, 0);
	CHECK(name, WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s (status %d)", why, st);
}

static int uncredited(char *why)
{
	unsigned char junk[4096] = { 1 };
	random_mix(junk, sizeof junk);
	if (random_ready())
		return sprintf(why, "seeded by uncredited input"), 1;
	return 0;
}

static int credited(char *why)
{
	unsigned char dev[32] = { 7 };
	random_add_entropy(dev, 31);
	if (random_ready())
		return sprintf(why, "seeded by 31 credited bytes"), 1;
	random_add_entropy(dev + 31, 1);
	if (!random_ready())
		return sprintf(why, "not seeded after 32 credited bytes"), 1;
	return 0;
}

static int rng_seed(char *why)
{
	static uint8_t blob_seed[32] = { 1, 2, 3, 4, 5 };
	plat.rng_seed = blob_seed;
	plat.rng_seed_len = 32;
	random_init();
	if (!random_ready())
		return sprintf(why, "a 32-byte rng-seed did not seed"), 1;
	for (int i = 0; i < 32; i++)
		if (blob_seed[i])
			return sprintf(why, "the seed is still in the blob"), 1;
	return 0;
}

/* The bytes after seeding with `byte`, from a fixed clock. */
static void bytes_after_seed(uint8_t byte, uint8_t out[64])
{
	uint8_t seed[32] = { 0 };
	seed[31] = byte;
	fake_time = 0, jitter_state = 1;
	random_add_entropy(seed, sizeof seed);
	random_bytes(out, 64);
}

static int seed_changes_output(char *why)
{
	uint8_t a[64], b[64], c[64];
	int p1[2], p2[2];	/* three fresh generators: this process and two children */
	if (pipe(p1) || pipe(p2))
		return sprintf(why, "pipe"), 1;
	if (fork() == 0) {
		bytes_after_seed(1, a);
		_exit(write(p1[1], a, 64) == 64 ? 0 : 1);
	}
	if (fork() == 0) {
		bytes_after_seed(2, b);
		_exit(write(p2[1], b, 64) == 64 ? 0 : 1);
	}
	bytes_after_seed(1, c);
	if (read(p1[0], a, 64) != 64 || read(p2[0], b, 64) != 64)
		return sprintf(why, "children gave no bytes"), 1;
	while (wait(NULL) > 0)
		;
	if (memcmp(a, c, 64) != 0)
		return sprintf(why, "the same inputs gave different bytes"), 1;
	if (memcmp(a, b, 64) == 0)
		return sprintf(why, "one seed byte changed nothing"), 1;
	random_bytes(b, 64);
	if (memcmp(b, c, 64) == 0)
		return sprintf(why, "two requests gave the same bytes"), 1;
	return 0;
}

static int jitter(char *why)
{
	random_seed_from_jitter();
	if (!random_ready() || !log_seeded_jitter)
		return sprintf(why, "not seeded, or fewer than 1024 changes logged"), 1;
	return 0;
}

int main(void)
{
	in_child("pool_uncredited_never_seeds", uncredited);
	in_child("pool_seeds_at_32_credited", credited);
	in_child("pool_rng_seed_at_init", rng_seed);
	in_child("pool_seed_changes_output", seed_changes_output);
	in_child("pool_jitter_seeds", jitter);
	test_block();
	test_zero();
	test_encrypt();
	test_crng();
	test_calendar();
	printf("%d passed, %d failed\n", npass, nfail);
	return nfail != 0;
}
