/*
 * kernel/platform_dt.c finds issue 9's devices: the goldfish RTC and the
 * /chosen/rng-seed, checked against fdtget's reading of the same blob.
 *
 *   test_dt_devices NAME BLOB RTC_BASE SEED_HEX
 *
 * RTC_BASE 0 and SEED_HEX "-" mean "none on this machine".
 */
#include "kernel/platform.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char blob[1 << 20];

int main(int argc, char **argv)
{
	if (argc != 5)
		return 2;
	const char *name = argv[1];
	FILE *f = fopen(argv[2], "rb");
	size_t n = f ? fread(blob, 1, sizeof blob, f) : 0;
	if (f)
		fclose(f);
	static struct platform p;
	if (!n || platform_parse(&p, blob) != 0) {
		printf("FAIL %s-parse: cannot parse %s\n", name, argv[2]);
		return 1;
	}
	int bad = 0;
	uint64_t want_rtc = strtoull(argv[3], NULL, 0);
	if (p.rtc_base == want_rtc)
		printf("PASS %s-rtc-base\n", name);
	else
		printf("FAIL %s-rtc-base: expected %#llx, got %#llx\n", name,
		       (unsigned long long)want_rtc, (unsigned long long)p.rtc_base), bad = 1;
	char got[256] = "-";
	if (p.rng_seed && p.rng_seed_len > 0 && p.rng_seed_len < 100)
		for (int i = 0; i < p.rng_seed_len; i++)
			sprintf(got + 2 * i, "%02x", p.rng_seed[i]);
	if (strcmp(got, argv[4]) == 0)
		printf("PASS %s-rng-seed\n", name);
	else
		printf("FAIL %s-rng-seed: expected %s, got %s (%d bytes)\n", name, argv[4], got,
		       p.rng_seed_len), bad = 1;
	return bad;
}
