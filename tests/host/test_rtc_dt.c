/*
 * The device-tree side of issue 9 (kernel/platform_dt.c): on QEMU virt's
 * DTB the goldfish RTC is found at 0x101000 and /chosen/rng-seed holds 32
 * bytes; on sifive_u's there is neither.  Usage: test_rtc_dt VIRT.dtb SIFIVE_U.dtb
 */
#include "kernel/platform.h"
#include <stdio.h>
#include <stdlib.h>

static int npass, nfail;

#define CHECK(name, cond, ...) do {						\
	if (cond) { npass++; printf("PASS %s\n", name); }			\
	else { nfail++; printf("FAIL %s: ", name); printf(__VA_ARGS__); printf("\n"); } \
} while (0)

static void *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	void *buf = calloc(1, 1 << 20);
	size_t n = buf ? fread(buf, 1, 1 << 20, f) : 0;
	fclose(f);
	return n ? buf : NULL;
}

int main(int argc, char **argv)
{
	static struct platform p;
	void *virt = argc > 2 ? slurp(argv[1]) : NULL, *su = argc > 2 ? slurp(argv[2]) : NULL;
	CHECK("dt_blobs_read", virt && su, "usage: test_rtc_dt VIRT.dtb SIFIVE_U.dtb");
	if (!virt || !su)
		return 1;
	CHECK("dt_virt_parses", platform_parse(&p, virt) == 0, "platform_parse failed");
	CHECK("dt_virt_rtc", p.rtc_base == 0x101000, "expected rtc_base 0x101000, got %#lx", (unsigned long)p.rtc_base);
	CHECK("dt_virt_rng_seed", p.rng_seed && p.rng_seed_len == 32, "expected a 32-byte rng-seed, got %d bytes",
	      p.rng_seed ? p.rng_seed_len : -1);
	CHECK("dt_sifive_u_parses", platform_parse(&p, su) == 0, "platform_parse failed");
	CHECK("dt_sifive_u_no_rtc", p.rtc_base == 0, "expected no RTC, got %#lx", (unsigned long)p.rtc_base);
	CHECK("dt_sifive_u_no_seed", !p.rng_seed, "expected no rng-seed, got %d bytes", p.rng_seed_len);
	printf("%d passed, %d failed\n", npass, nfail);
	return nfail != 0;
}
