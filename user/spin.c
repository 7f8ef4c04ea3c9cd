/*
 * spin [SECONDS] - burn CPU for SECONDS (default 2, fractions allowed) as
 * measured by CLOCK_MONOTONIC, then exit 0. The loop makes no system call
 * except a clock read every few thousand iterations, so it only gives up the
 * CPU when the kernel preempts it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? strtod(argv[1], NULL) : 2.0;
	int64_t start = now_ns(), end = start + (int64_t)(secs * 1e9), t;
	uint64_t x = 88172645463325252ULL, rounds = 0;
	volatile uint64_t sink;

	if (secs < 0) {
		fprintf(stderr, "usage: spin [SECONDS]\n");
		return 2;
	}
	do {
		for (int i = 0; i < 20000; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
		}
		rounds++;
		t = now_ns();
	} while (t < end);
	sink = x;
	(void)sink;
	printf("spin: %.3f s, %llu rounds\n", (double)(t - start) / 1e9,
	       (unsigned long long)rounds);
	return 0;
}
