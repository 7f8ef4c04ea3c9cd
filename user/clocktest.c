/*
 * clocktest HOST_EPOCH_SECONDS: the wall clock, /dev/rtc0, setting the
 * clock, and the random number generator (getrandom, /dev/urandom,
 * /dev/random, AT_RANDOM), as a user sees them.  tests/qemu/clock.sh runs
 * it (through tests/busybox/clock.sh) in both offload modes and compares
 * the "random-hex"/"atrandom-hex" lines of two boots.
 *
 * clocktest rtc-secs: print the RTC's seconds (RTC_RD_TIME) and nothing else.
 * clocktest random: only the generator checks (safe to run on a Linux host
 * under qemu-riscv64, which the clock-setting checks are not).
 * clocktest no-rtc: a machine without an RTC or a seed (QEMU sifive_u): the
 * clock starts at the epoch, and a blocking getrandom still returns.
 */
#include "ut.h"
#include <fcntl.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

struct rtc_tm { int sec, min, hour, mday, mon, year, wday, yday, isdst; };
#define RTC_RD_TIME  0x80247009u
#define RTC_SET_TIME 0x4024700au
#define GRND_NONBLOCK 1
#define GRND_RANDOM   2
#define GRND_INSECURE 4
#define BADPTR 0x10UL

static int64_t realtime_s(void)
{
	struct timespec ts;
	SYS2(SYS_clock_gettime, CLOCK_REALTIME, &ts);
	return ts.tv_sec;
}

static int64_t tm_to_secs(const struct rtc_tm *t)
{
	struct tm g = { .tm_sec = t->sec, .tm_min = t->min, .tm_hour = t->hour,
			.tm_mday = t->mday, .tm_mon = t->mon, .tm_year = t->year };
	return (int64_t)timegm(&g);
}

static void hex(const char *label, const unsigned char *b, int n)
{
	printf("%s ", label);
	for (int i = 0; i < n; i++)
		printf("%02x", b[i]);
	printf("\n");
}

static void test_wall_clock(int64_t host)
{
	int64_t now = realtime_s();
	/* the host's time was taken just before QEMU started: boot takes seconds */
	UT_CHECK("realtime_near_host", now >= host - 5 && now <= host + 120,
		 "host %lld, duet %lld (diff %lld s)", (long long)host, (long long)now, (long long)(now - host));

	int fd = open("/dev/rtc0", O_RDONLY);
	UT_CHECK("rtc0_open", fd >= 0, "open /dev/rtc0: errno %d", errno);
	struct rtc_tm tm;
	long r = SYS3(SYS_ioctl, fd, RTC_RD_TIME, &tm);
	ut_check_ret("rtc_rd_time", r, 0);
	UT_CHECK("rtc_matches_realtime", r == 0 && llabs(tm_to_secs(&tm) - realtime_s()) <= 2,
		 "rtc %lld realtime %lld", (long long)tm_to_secs(&tm), (long long)realtime_s());
	ut_check_ret("rtc_rd_time_efault", SYS3(SYS_ioctl, fd, RTC_RD_TIME, BADPTR), -EFAULT);
	struct rtc_tm bad = tm;
	bad.mon = 12;
	ut_check_ret("rtc_set_time_einval", SYS3(SYS_ioctl, fd, RTC_SET_TIME, &bad), -EINVAL);
	bad = tm;
	bad.year = 69;
	ut_check_ret("rtc_set_time_1969_einval", SYS3(SYS_ioctl, fd, RTC_SET_TIME, &bad), -EINVAL);
	ut_check_ret("rtc_unknown_ioctl_enotty", SYS3(SYS_ioctl, fd, 0x7001 /* RTC_AIE_ON */, 0), -ENOTTY);
	close(fd);
	fd = open("/dev/misc/rtc", O_RDONLY);
	UT_CHECK("misc_rtc_open", fd >= 0 && SYS3(SYS_ioctl, fd, RTC_RD_TIME, &tm) == 0,
		 "/dev/misc/rtc: errno %d", errno);
	close(fd);
}

static void test_set_clock(void)
{
	int64_t before = realtime_s();
	struct timespec ts = { 2000000000, 0 };		/* 2033-05-18 */
	ut_check_ret("clock_settime", SYS2(SYS_clock_settime, CLOCK_REALTIME, &ts), 0);
	int64_t now = realtime_s();
	UT_CHECK("clock_settime_reads_back", now >= 2000000000 && now <= 2000000002, "got %lld", (long long)now);
	ut_check_ret("clock_settime_monotonic_einval", SYS2(SYS_clock_settime, CLOCK_MONOTONIC, &ts), -EINVAL);
	ut_check_ret("clock_settime_efault", SYS2(SYS_clock_settime, CLOCK_REALTIME, BADPTR), -EFAULT);
	struct timespec badns = { 2000000000, 1000000000 };
	ut_check_ret("clock_settime_nsec_einval", SYS2(SYS_clock_settime, CLOCK_REALTIME, &badns), -EINVAL);
	struct timespec neg = { -1, 0 };
	ut_check_ret("clock_settime_negative_einval", SYS2(SYS_clock_settime, CLOCK_REALTIME, &neg), -EINVAL);
	struct timespec zero = { 0, 0 };	/* before boot: CLOCK_REALTIME < CLOCK_MONOTONIC */
	ut_check_ret("clock_settime_before_boot_einval", SYS2(SYS_clock_settime, CLOCK_REALTIME, &zero), -EINVAL);

	struct { long sec, usec; } tv = { before + 1, 0 };
	struct { int west, dst; } tz = { -60, 0 }, tz2 = { 99, 99 }, badtz = { 16 * 60, 0 };
	ut_check_ret("settimeofday", SYS2(SYS_settimeofday, &tv, 0), 0);
	now = realtime_s();
	UT_CHECK("settimeofday_reads_back", now >= before + 1 && now <= before + 3, "set %lld got %lld",
		 (long long)before + 1, (long long)now);
	ut_check_ret("settimeofday_tz_only", SYS2(SYS_settimeofday, 0, &tz), 0);
	SYS2(SYS_gettimeofday, &tv, &tz2);
	UT_CHECK("gettimeofday_returns_tz", tz2.west == -60 && tz2.dst == 0, "got %d %d", tz2.west, tz2.dst);
	ut_check_ret("settimeofday_bad_tz_einval", SYS2(SYS_settimeofday, 0, &badtz), -EINVAL);
	struct { long sec, usec; } badtv = { before, 1000000 };
	ut_check_ret("settimeofday_usec_einval", SYS2(SYS_settimeofday, &badtv, 0), -EINVAL);
	ut_check_ret("settimeofday_efault", SYS2(SYS_settimeofday, BADPTR, 0), -EFAULT);
	tz.west = 0;
	SYS2(SYS_settimeofday, 0, &tz);
}

static int all_equal(const unsigned char *b, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (b[i] != b[0])
			return 0;
	return 1;
}

static void test_getrandom(void)
{
	unsigned char a[32], b[32];
	ut_check_ret("getrandom_32", SYS3(SYS_getrandom, a, 32, 0), 32);
	ut_check_ret("getrandom_nonblock_seeded", SYS3(SYS_getrandom, b, 32, GRND_NONBLOCK), 32);
	UT_CHECK("getrandom_differs", memcmp(a, b, 32) != 0, "two calls gave the same bytes");
	hex("random-hex", a, 32);
	ut_check_ret("getrandom_random", SYS3(SYS_getrandom, b, 32, GRND_RANDOM), 32);
	ut_check_ret("getrandom_insecure", SYS3(SYS_getrandom, b, 32, GRND_INSECURE), 32);
	ut_check_ret("getrandom_all_flags_einval", SYS3(SYS_getrandom, b, 32, 7), -EINVAL);
	ut_check_ret("getrandom_insecure_random_einval", SYS3(SYS_getrandom, b, 32, GRND_INSECURE | GRND_RANDOM), -EINVAL);
	ut_check_ret("getrandom_unknown_flag_einval", SYS3(SYS_getrandom, b, 32, 8), -EINVAL);
	ut_check_ret("getrandom_high_flag_einval", SYS3(SYS_getrandom, b, 32, 0x80000000L), -EINVAL);
	/* flags is an unsigned int: bits above 31 never reach the check */
	ut_check_ret("getrandom_flags_are_32bit", SYS3(SYS_getrandom, b, 32, 1L << 40), 32);
	ut_check_ret("getrandom_zero_len", SYS3(SYS_getrandom, b, 0, 0), 0);
	ut_check_ret("getrandom_efault", SYS3(SYS_getrandom, BADPTR, 16, 0), -EFAULT);

	/* 1 MiB in one call, and the bytes look uniform: each value 4096 +- 600 times */
	size_t n = 1 << 20;
	unsigned char *big = malloc(n);
	long r = SYS3(SYS_getrandom, big, n, 0);
	ut_check_ret("getrandom_1mib", r, (long)n);
	unsigned count[256] = { 0 }, lo = ~0u, hi = 0;
	for (size_t i = 0; r == (long)n && i < n; i++)
		count[big[i]]++;
	for (int i = 0; i < 256; i++)
		lo = count[i] < lo ? count[i] : lo, hi = count[i] > hi ? count[i] : hi;
	UT_CHECK("getrandom_1mib_uniform", lo >= 3496 && hi <= 4696, "byte counts from %u to %u, expected 4096 +- 600", lo, hi);
	free(big);

	/*
	 * a fault part-way: the bytes before it are returned (Linux's
	 * get_random_bytes_user: a short count; qemu-riscv64 user mode says
	 * EFAULT instead, as it checks the whole buffer first)
	 */
	unsigned char *pg = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(pg + 4096, 4096);
	ut_check_ret("getrandom_partial_fault", SYS3(SYS_getrandom, pg, 8192, 0), 4096);
	ut_check_ret("getrandom_partial_fault_unaligned", SYS3(SYS_getrandom, pg + 100, 8192, 0), 3996);
	munmap(pg, 4096);

	/*
	 * More than 33554431 bytes in one call: getrandom(2) still names that
	 * limit, Linux dropped it in 5.18 (MAX_RW_COUNT, 2 GiB - 4 KiB, now).
	 */
	size_t want = 33554431 + 4097;
	unsigned char *huge = mmap(0, want, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	UT_CHECK("getrandom_32mib_mmap", huge != MAP_FAILED, "mmap %zu bytes: errno %d", want, errno);
	if (huge != MAP_FAILED) {
		ut_check_ret("getrandom_over_32mib", SYS3(SYS_getrandom, huge, want, 0), (long)want);
		UT_CHECK("getrandom_over_32mib_tail_written", !all_equal(huge + want - 64, 64), "the last 64 bytes are constant");
		munmap(huge, want);
	}
}

/*
 * A long getrandom (256 MiB: about 30 s under QEMU) neither holds the cpu
 * that serves system calls nor outlives a SIGKILL: the parent's own calls
 * are served meanwhile and the child is gone soon after the kill.
 */
static void test_getrandom_killable(void)
{
	size_t len = 256UL << 20;
	unsigned char *m = mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		ut_fail("getrandom_killable", "mmap 256 MiB: errno %d", errno);
		return;
	}
	pid_t p = fork();
	if (p == 0) {
		SYS3(SYS_getrandom, m, len, 0);
		_exit(0);
	}
	usleep(300000);
	int64_t t0 = ut_now_ns();
	kill(p, SIGKILL);
	int st = 0;
	waitpid(p, &st, 0);
	int64_t ms = (ut_now_ns() - t0) / 1000000;
	UT_CHECK("getrandom_killable", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL && ms < 2000,
		 "status %#x, %lld ms from kill to reaped (expected SIGKILL within 2000 ms)", st, (long long)ms);
	munmap(m, len);
}

/*
 * Only root (CAP_SYS_TIME) sets the clocks: a child that gave up root gets
 * Linux's EPERM from the syscalls and EACCES from RTC_SET_TIME, and can
 * still read the clocks and the generator.
 */
static void test_not_root(void)
{
	int fd = open("/dev/rtc0", O_RDONLY);
	pid_t p = fork();
	if (p == 0) {
		int bad = 0;
		struct timespec ts = { 2000000000, 0 };
		struct { long sec, usec; } tv = { 2000000000, 0 };
		struct { int west, dst; } tz = { 0, 0 };
		struct rtc_tm tm;
		unsigned char b[16];
		if (SYS1(SYS_setuid, 1000) != 0) {
			ut_fail("not_root_setuid", "setuid(1000) failed");
			_exit(1);
		}
		bad += !ut_check_ret("not_root_clock_settime_eperm", SYS2(SYS_clock_settime, CLOCK_REALTIME, &ts), -EPERM);
		bad += !ut_check_ret("not_root_settimeofday_eperm", SYS2(SYS_settimeofday, &tv, 0), -EPERM);
		bad += !ut_check_ret("not_root_settimeofday_tz_eperm", SYS2(SYS_settimeofday, 0, &tz), -EPERM);
		bad += !ut_check_ret("not_root_rtc_rd_time", SYS3(SYS_ioctl, fd, RTC_RD_TIME, &tm), 0);
		bad += !ut_check_ret("not_root_rtc_set_time_eacces", SYS3(SYS_ioctl, fd, RTC_SET_TIME, &tm), -EACCES);
		bad += !ut_check_ret("not_root_open_rtc0_eacces", SYS4(SYS_openat, AT_FDCWD, "/dev/rtc0", O_RDONLY, 0), -EACCES);
		bad += !ut_check_ret("not_root_getrandom", SYS3(SYS_getrandom, b, 16, 0), 16);
		_exit(bad);
	}
	int st = 0;
	waitpid(p, &st, 0);
	UT_CHECK("not_root_all", WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %#x", st);
	close(fd);
}

static void test_dev_random(void)
{
	unsigned char a[4096], b[4096];
	int fd = open("/dev/urandom", O_RDONLY);
	UT_CHECK("urandom_read", fd >= 0 && read(fd, a, sizeof a) == (long)sizeof a && read(fd, b, sizeof b) == (long)sizeof b,
		 "open/read /dev/urandom: errno %d", errno);
	UT_CHECK("urandom_differs", memcmp(a, b, sizeof a) != 0 && !all_equal(a, sizeof a), "same or constant bytes");
	ut_check_ret("urandom_efault", SYS3(SYS_read, fd, BADPTR, 16), -EFAULT);
	close(fd);
	fd = open("/dev/random", O_RDWR | O_NONBLOCK);
	UT_CHECK("random_read_seeded", fd >= 0 && read(fd, a, 64) == 64, "read /dev/random: errno %d", errno);
	ut_check_ret("random_write_mixed", write(fd, "not secret", 10), 10);
	close(fd);
	unsigned char *at = (unsigned char *)getauxval(AT_RANDOM);
	UT_CHECK("at_random", at && !all_equal(at, 16), "AT_RANDOM missing or constant");
	if (at)
		hex("atrandom-hex", at, 16);
}

static void test_no_rtc(void)
{
	int64_t now = realtime_s();
	UT_CHECK("realtime_from_epoch", now >= 0 && now < 600, "expected seconds since boot, got %lld", (long long)now);
	UT_CHECK("no_rtc0", open("/dev/rtc0", O_RDONLY) < 0 && errno == ENOENT, "/dev/rtc0 exists or errno %d", errno);
	unsigned char a[32], b[32];
	long r = SYS3(SYS_getrandom, a, 32, GRND_NONBLOCK);
	UT_CHECK("getrandom_nonblock_unseeded", r == -EAGAIN || r == 32, "got %ld", r);
	ut_check_ret("getrandom_insecure_never_waits", SYS3(SYS_getrandom, a, 32, GRND_INSECURE), 32);
	ut_check_ret("getrandom_blocking_returns", SYS3(SYS_getrandom, a, 32, 0), 32);
	ut_check_ret("getrandom_nonblock_after", SYS3(SYS_getrandom, b, 32, GRND_NONBLOCK), 32);
	UT_CHECK("getrandom_differs", memcmp(a, b, 32) != 0, "two calls gave the same bytes");
	hex("random-hex", a, 32);
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "random") == 0) {
		setvbuf(stdout, NULL, _IONBF, 0);
		test_getrandom();
		test_dev_random();
		return ut_summary();
	}
	if (argc == 2 && strcmp(argv[1], "no-rtc") == 0) {
		setvbuf(stdout, NULL, _IONBF, 0);
		test_no_rtc();
		return ut_summary();
	}
	if (argc == 2 && strcmp(argv[1], "rtc-secs") == 0) {
		struct rtc_tm tm;
		int fd = open("/dev/rtc0", O_RDONLY);
		if (fd < 0 || ioctl(fd, RTC_RD_TIME, &tm) != 0)
			return 1;
		printf("%lld\n", (long long)tm_to_secs(&tm));
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: clocktest HOST_EPOCH_SECONDS | rtc-secs | random | no-rtc\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	test_wall_clock(atoll(argv[1]));
	test_getrandom();
	test_getrandom_killable();
	test_dev_random();
	test_not_root();
	test_set_clock();
	return ut_summary();
}
