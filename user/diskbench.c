/*
 * diskbench MODE DEV [ARG] - disk throughput through duet's block cache.
 * Prints one line: "diskbench MODE VALUE UNIT".  Run on a fresh boot (cold
 * cache); scripts/bench-disk.sh compares offload=1 with offload=0.
 *
 *   seqwrite DEV MiB   write MiB in 64 KiB writes, then fsync: MB/s
 *   seqread  DEV MiB   read MiB in 64 KiB reads: MB/s
 *   randread DEV N     N reads of 4 KiB at pseudo-random 4 KiB offsets: reads/s
 *   overlap  DEV N [R] 4 tasks, each N times: read a random 4 KiB block, then
 *                      compute on it (R rounds over the block, default 24):
 *                      blocks/s overall
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char buf[65536];

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static uint64_t rng = 88172645463325252ull;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void fail(const char *what)
{
	perror(what);
	exit(1);
}

static double seq(int fd, long mib, int write_it)
{
	int64_t t0 = now_ns();
	for (long i = 0; i < mib * 16; i++)
		if ((write_it ? write(fd, buf, sizeof buf) : read(fd, buf, sizeof buf)) != sizeof buf)
			fail("io");
	if (write_it && fsync(fd))
		fail("fsync");
	return mib * 1048576.0 / ((now_ns() - t0) / 1e9) / 1e6;
}

static void one_random(int fd, long blocks)
{
	off_t off = (off_t)(next() % (uint64_t)blocks) * 4096;
	if (pread(fd, buf, 4096, off) != 4096)
		fail("pread");
}

/* R rounds of FNV over the block (24: about 0.25 ms under QEMU on a quiet host) */
static uint32_t compute(int rounds)
{
	uint32_t h = 2166136261u;
	for (int r = 0; r < rounds; r++)
		for (int i = 0; i < 4096; i++)
			h = (h ^ (uint8_t)buf[i]) * 16777619u;
	return h;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	const char *mode = argv[1];
	long arg = argc > 3 ? atol(argv[3]) : 64;
	int fd = open(argv[2], strcmp(mode, "seqwrite") ? O_RDONLY : O_WRONLY);
	if (fd < 0)
		fail(argv[2]);
	long blocks = lseek(fd, 0, SEEK_END) / 4096;
	lseek(fd, 0, SEEK_SET);
	memset(buf, 0x5a, sizeof buf);
	if (!strcmp(mode, "seqwrite") || !strcmp(mode, "seqread")) {
		printf("diskbench %s %.1f MB/s\n", mode, seq(fd, arg, mode[3] == 'w'));
	} else if (!strcmp(mode, "randread")) {
		int64_t t0 = now_ns();
		for (long i = 0; i < arg; i++)
			one_random(fd, blocks);
		printf("diskbench randread %.0f reads/s\n", arg / ((now_ns() - t0) / 1e9));
	} else if (!strcmp(mode, "overlap")) {
		int rounds = argc > 4 ? atoi(argv[4]) : 24;
		int64_t t0 = now_ns();
		for (int t = 0; t < 4; t++)
			if (fork() == 0) {
				rng += (uint64_t)t * 0x9e3779b97f4a7c15ull;
				uint32_t h = 0;
				for (long i = 0; i < arg; i++) {
					one_random(fd, blocks);
					h += compute(rounds);
				}
				_exit(h == 1);
			}
		while (wait(NULL) > 0)
			;
		printf("diskbench overlap %.0f blocks/s\n", 4 * arg / ((now_ns() - t0) / 1e9));
	} else {
		return 2;
	}
	return 0;
}
