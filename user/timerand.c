/*
 * timerand - the wall clock and the entropy device, as a program sees them
 * (issue 9).  Run by tests/qemu/timerand.sh inside duet:
 *
 *   timerand rtc     QEMU virt: /dev/rtc0 must work, the clock starts from it
 *   timerand nortc   no RTC (QEMU sifive_u): no /dev/rtc0, the clock starts at 0
 *   timerand random  the entropy checks only: the mode to run on Linux under
 *                    qemu-riscv64 (the others set the system clock and the RTC).
 *                    Three checks differ there, knowingly: qemu-user locks the
 *                    whole buffer first, so getrandom_len0_nullbuf and
 *                    getrandom_partial_fault get its EFAULT (the kernel's own
 *                    get_random_bytes_user returns the partial count); and
 *                    getrandom_32mib_limit checks the man page's 33554431-byte
 *                    limit (kernels before 5.18), where newer kernels stop at
 *                    MAX_RW_COUNT (0x7ffff000).
 *
 * getrandom (flags, limits, partial counts, EFAULT), /dev/urandom and
 * /dev/random, AT_RANDOM, clock_settime, settimeofday, the RTC ioctls.
 * Prints "GETRANDOM_HEX <hex>" and "AT_RANDOM_HEX <hex>" so the host can
 * compare two boots, then PASS/FAIL lines and "N passed, N failed".
 */
#include "ut.h"
#include <fcntl.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

#define GRND_NONBLOCK 1
#define GRND_RANDOM   2
#define GRND_INSECURE 4
#define RTC_RD_TIME   0x80247009u
#define RTC_SET_TIME  0x4024700au
#define BADPTR        ((void *)16)

struct rtc_tm { int sec, min, hour, mday, mon, year, wday, yday, isdst; };

static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static void print_hex(const char *tag, const unsigned char *p, size_t n)
{
	printf("%s ", tag);
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
	printf("\n");
}

static void getrandom_flags(void)
{
	unsigned char b[64];
	ut_check_ret("getrandom_flags_0", SYS3(SYS_getrandom, b, 16, 0), 16);
	ut_check_ret("getrandom_nonblock", SYS3(SYS_getrandom, b, 16, GRND_NONBLOCK), 16);
	ut_check_ret("getrandom_random", SYS3(SYS_getrandom, b, 16, GRND_RANDOM), 16);
	ut_check_ret("getrandom_random_nonblock", SYS3(SYS_getrandom, b, 16, GRND_RANDOM | GRND_NONBLOCK), 16);
	ut_check_ret("getrandom_insecure", SYS3(SYS_getrandom, b, 16, GRND_INSECURE), 16);
	ut_check_ret("getrandom_insecure_random_einval",
		     SYS3(SYS_getrandom, b, 16, GRND_INSECURE | GRND_RANDOM), -EINVAL);
	ut_check_ret("getrandom_flag8_einval", SYS3(SYS_getrandom, b, 16, 8), -EINVAL);
	ut_check_ret("getrandom_highflag_einval", SYS3(SYS_getrandom, b, 16, 0x80000000u), -EINVAL);
	/* flags is an unsigned int in Linux: bits above 31 of the register are not looked at */
	ut_check_ret("getrandom_flags_upper_half_ignored", SYS3(SYS_getrandom, b, 16, 1UL << 32), 16);
	ut_check_ret("getrandom_len0", SYS3(SYS_getrandom, b, 0, 0), 0);
	ut_check_ret("getrandom_len0_nullbuf", SYS3(SYS_getrandom, NULL, 0, 0), 0);
	ut_check_ret("getrandom_efault", SYS3(SYS_getrandom, BADPTR, 16, 0), -EFAULT);
	memset(b, 0, sizeof b);
	ut_check_ret("getrandom_63", SYS3(SYS_getrandom, b, 63, 0), 63);
	UT_CHECK("getrandom_63_leaves_byte_64", b[63] == 0, "byte 64 written");
}

/* 1 MiB in one call: all of it, and bytes that look uniform. */
static void getrandom_1mib(void)
{
	size_t n = 1 << 20;
	unsigned char *p = malloc(n);
	if (!p) {
		ut_fail("getrandom_1mib", "malloc failed");
		return;
	}
	memset(p, 0, n);
	ut_check_ret("getrandom_1mib", SYS3(SYS_getrandom, p, n, 0), (long)n);
	unsigned count[256] = { 0 };
	for (size_t i = 0; i < n; i++)
		count[p[i]]++;
	/* chi-square with 255 degrees of freedom: mean 255, sd ~22.6; 400 is > 6 sd */
	double chi = 0, e = n / 256.0;
	for (int i = 0; i < 256; i++)
		chi += (count[i] - e) * (count[i] - e) / e;
	UT_CHECK("getrandom_1mib_uniform", chi < 400, "chi-square %.1f over 256 byte values", chi);
	UT_CHECK("getrandom_1mib_tail_written", !all_zero(p + n - 64, 64), "last 64 bytes are zero");
	UT_CHECK("getrandom_1mib_halves_differ", memcmp(p, p + n / 2, n / 2) != 0, "repeating stream");
	free(p);
}

/* More than the per-call limit: a partial count of 33554431 (the man page's limit). */
static void getrandom_limit(void)
{
	size_t n = 33554432 + 4096;
	unsigned char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		ut_fail("getrandom_32mib_limit", "mmap failed");
		return;
	}
	ut_check_ret("getrandom_32mib_limit", SYS3(SYS_getrandom, p, n, 0), 33554431);
	UT_CHECK("getrandom_32mib_limit_not_past", p[33554431] == 0, "byte past the limit written");
	munmap(p, n);
}

/* A buffer whose second page is unmapped: the first page's count (Linux's partial result). */
static void getrandom_partial_fault(void)
{
	unsigned char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		ut_fail("getrandom_partial_fault", "mmap failed");
		return;
	}
	munmap(p + 4096, 4096);
	ut_check_ret("getrandom_partial_fault", SYS3(SYS_getrandom, p, 8192, 0), 4096);
	munmap(p, 4096);
}

static void dev_random(void)
{
	unsigned char a[4096], b[4096];
	int fd = open("/dev/urandom", O_RDONLY);
	ut_check_ok("urandom_open", fd);
	memset(a, 0, sizeof a);
	ut_check_ret("urandom_read_4096", SYS3(SYS_read, fd, a, sizeof a), sizeof a);
	ut_check_ret("urandom_read_again", SYS3(SYS_read, fd, b, sizeof b), sizeof b);
	UT_CHECK("urandom_bytes", !all_zero(a, 64) && memcmp(a, b, sizeof a) != 0,
		 "zero or repeating output");
	ut_check_ret("urandom_read_efault", SYS3(SYS_read, fd, BADPTR, 16), -EFAULT);
	close(fd);
	fd = open("/dev/random", O_RDWR | O_NONBLOCK);
	ut_check_ok("random_open", fd);
	ut_check_ret("random_read_nonblock_ready", SYS3(SYS_read, fd, a, 100), 100);
	ut_check_ret("random_write_mixed", SYS3(SYS_write, fd, "some input", 10), 10);
	ut_check_ret("random_write_efault", SYS3(SYS_write, fd, BADPTR, 10), -EFAULT);
	close(fd);
}

static void at_random(void)
{
	const unsigned char *r = (const unsigned char *)getauxval(AT_RANDOM);
	UT_CHECK("at_random_present", r != NULL, "no AT_RANDOM");
	if (r) {
		UT_CHECK("at_random_nonzero", !all_zero(r, 16), "16 zero bytes");
		print_hex("AT_RANDOM_HEX", r, 16);
	}
}

static int64_t realtime_s(void)
{
	struct timespec ts;
	SYS2(SYS_clock_gettime, CLOCK_REALTIME, &ts);
	return ts.tv_sec;
}

/* clock_settime and settimeofday: errors first, then a real change, undone at the end. */
static void set_clock(void)
{
	struct timespec ts = { 1900000000, 0 }, bad = { 1900000000, 1000000000 };
	ut_check_ret("clock_settime_monotonic_einval", SYS2(SYS_clock_settime, CLOCK_MONOTONIC, &ts), -EINVAL);
	ut_check_ret("clock_settime_badclock_einval", SYS2(SYS_clock_settime, 99, &ts), -EINVAL);
	ut_check_ret("clock_settime_badnsec_einval", SYS2(SYS_clock_settime, CLOCK_REALTIME, &bad), -EINVAL);
	bad = (struct timespec){ -1, 0 };
	ut_check_ret("clock_settime_negative_einval", SYS2(SYS_clock_settime, CLOCK_REALTIME, &bad), -EINVAL);
	bad = (struct timespec){ 0, 0 };
	ut_check_ret("clock_settime_before_boot_einval", SYS2(SYS_clock_settime, CLOCK_REALTIME, &bad), -EINVAL);
	ut_check_ret("clock_settime_efault", SYS2(SYS_clock_settime, CLOCK_REALTIME, BADPTR), -EFAULT);

	struct timespec before;
	SYS2(SYS_clock_gettime, CLOCK_REALTIME, &before);
	int64_t t0 = ut_now_ns();
	ut_check_ret("clock_settime_realtime", SYS2(SYS_clock_settime, CLOCK_REALTIME, &ts), 0);
	int64_t now = realtime_s();
	UT_CHECK("clock_settime_takes", now >= 1900000000 && now <= 1900000005, "clock reads %lld", (long long)now);
	struct { long sec, usec; } tv;
	struct tz_k { int minuteswest, dsttime; } tz = { -60, 0 }, tz2 = { 99, 99 }, badtz = { 16 * 60, 0 };
	SYS2(SYS_gettimeofday, &tv, NULL);
	UT_CHECK("gettimeofday_follows", tv.sec >= 1900000000 && tv.sec <= 1900000005, "sec %ld", tv.sec);
	ut_check_ret("settimeofday_tz_only", SYS2(SYS_settimeofday, NULL, &tz), 0);
	SYS2(SYS_gettimeofday, &tv, &tz2);
	UT_CHECK("gettimeofday_tz", tz2.minuteswest == -60 && tz2.dsttime == 0, "tz %d %d",
		 tz2.minuteswest, tz2.dsttime);
	ut_check_ret("settimeofday_badtz_einval", SYS2(SYS_settimeofday, NULL, &badtz), -EINVAL);
	tv.sec = 1950000000, tv.usec = 1000000;
	ut_check_ret("settimeofday_badusec_einval", SYS2(SYS_settimeofday, &tv, NULL), -EINVAL);
	/* a call refused for its time leaves the timezone alone */
	struct tz_k tz3 = { 120, 0 };
	tv.sec = -1, tv.usec = 0;
	ut_check_ret("settimeofday_negative_einval", SYS2(SYS_settimeofday, &tv, &tz3), -EINVAL);
	SYS2(SYS_gettimeofday, &tv, &tz2);
	UT_CHECK("settimeofday_refused_keeps_tz", tz2.minuteswest == -60, "tz now %d", tz2.minuteswest);
	tv.sec = 1950000000, tv.usec = 0;
	ut_check_ret("settimeofday_tv", SYS2(SYS_settimeofday, &tv, NULL), 0);
	now = realtime_s();
	UT_CHECK("settimeofday_takes", now >= 1950000000 && now <= 1950000005, "clock reads %lld", (long long)now);
	ut_check_ret("settimeofday_efault", SYS2(SYS_settimeofday, BADPTR, NULL), -EFAULT);
	tz = (struct tz_k){ 0, 0 };
	SYS2(SYS_settimeofday, NULL, &tz);
	/* put the clock back where it was, plus the time spent here */
	/* 2 s late: without an RTC the clock equals the uptime, Linux refuses
	 * a wall-clock time below the uptime (EINVAL), and on a loaded host
	 * the uptime can move on by more than 10 ms before the call runs */
	int64_t back_ns = before.tv_sec * 1000000000LL + before.tv_nsec + (ut_now_ns() - t0) + 2000000000LL;
	ts.tv_sec = back_ns / 1000000000;
	ts.tv_nsec = back_ns % 1000000000;
	ut_check_ret("clock_settime_restore", SYS2(SYS_clock_settime, CLOCK_REALTIME, &ts), 0);
}

static void rtc_device(void)
{
	int fd = open("/dev/rtc0", O_RDWR);
	if (!ut_check_ok("rtc0_open", fd))
		return;
	struct rtc_tm tm, back;
	ut_check_ret("rtc_rd_time", SYS3(SYS_ioctl, fd, RTC_RD_TIME, &tm), 0);
	struct tm g = { .tm_year = tm.year, .tm_mon = tm.mon, .tm_mday = tm.mday,
			.tm_hour = tm.hour, .tm_min = tm.min, .tm_sec = tm.sec };
	int64_t rtc_s = timegm(&g), sys_s = realtime_s();
	UT_CHECK("rtc_matches_clock", rtc_s - sys_s <= 3 && sys_s - rtc_s <= 3,
		 "RTC %lld, CLOCK_REALTIME %lld", (long long)rtc_s, (long long)sys_s);
	UT_CHECK("rtc_wday_yday", tm.wday == g.tm_wday && tm.yday == g.tm_yday, "wday %d yday %d, want %d %d",
		 tm.wday, tm.yday, g.tm_wday, g.tm_yday);
	ut_check_ret("rtc_rd_time_efault", SYS3(SYS_ioctl, fd, RTC_RD_TIME, BADPTR), -EFAULT);
	ut_check_ret("rtc_bad_ioctl_enotty", SYS3(SYS_ioctl, fd, 0x7001, 0), -ENOTTY);
	char c;
	ut_check_ret("rtc_read_einval", SYS3(SYS_read, fd, &c, 1), -EINVAL);
	struct rtc_tm bad = { 0, 0, 0, 30, 1, 123, 0, 0, 0 };	/* 2023-02-30 */
	ut_check_ret("rtc_set_feb30_einval", SYS3(SYS_ioctl, fd, RTC_SET_TIME, &bad), -EINVAL);
	bad = (struct rtc_tm){ 0, 0, 0, 1, 0, 60, 0, 0, 0 };		/* 1960 */
	ut_check_ret("rtc_set_1960_einval", SYS3(SYS_ioctl, fd, RTC_SET_TIME, &bad), -EINVAL);
	ut_check_ret("rtc_set_efault", SYS3(SYS_ioctl, fd, RTC_SET_TIME, BADPTR), -EFAULT);

	struct rtc_tm set = { 9, 8, 7, 6, 4, 131, 0, 0, 0 };		/* 2031-05-06 07:08:09 */
	ut_check_ret("rtc_set_time", SYS3(SYS_ioctl, fd, RTC_SET_TIME, &set), 0);
	SYS3(SYS_ioctl, fd, RTC_RD_TIME, &back);
	UT_CHECK("rtc_set_reads_back", back.year == 131 && back.mon == 4 && back.mday == 6 && back.hour == 7 &&
		 back.min == 8 && back.sec >= 9 && back.sec <= 14,
		 "got %d-%d-%d %d:%d:%d", back.year + 1900, back.mon + 1, back.mday, back.hour, back.min, back.sec);
	UT_CHECK("rtc_set_leaves_clock", realtime_s() - sys_s <= 5, "system clock moved with the RTC");
	/* put the RTC back at the system clock */
	time_t now = realtime_s();
	gmtime_r(&now, &g);
	set = (struct rtc_tm){ g.tm_sec, g.tm_min, g.tm_hour, g.tm_mday, g.tm_mon, g.tm_year, 0, 0, 0 };
	ut_check_ret("rtc_restore", SYS3(SYS_ioctl, fd, RTC_SET_TIME, &set), 0);
	close(fd);
	fd = open("/dev/misc/rtc", O_RDONLY);
	if (ut_check_ok("misc_rtc_open", fd))
		ut_check_ret("misc_rtc_rd_time", SYS3(SYS_ioctl, fd, RTC_RD_TIME, &tm), 0);
	close(fd);
	char target[16] = "";
	readlink("/dev/rtc", target, sizeof target - 1);
	UT_CHECK("dev_rtc_symlink", strcmp(target, "rtc0") == 0, "/dev/rtc -> '%s'", target);
	fd = open("/dev/rtc", O_RDONLY);
	if (ut_check_ok("dev_rtc_open", fd))
		ut_check_ret("dev_rtc_rd_time", SYS3(SYS_ioctl, fd, RTC_RD_TIME, &tm), 0);
	close(fd);
}

static void no_rtc(void)
{
	ut_check_ret("nortc_no_dev_rtc0", SYS4(SYS_openat, AT_FDCWD, "/dev/rtc0", O_RDONLY, 0), -ENOENT);
	ut_check_ret("nortc_no_dev_rtc", SYS4(SYS_openat, AT_FDCWD, "/dev/rtc", O_RDONLY, 0), -ENOENT);
	/* the clock started at the epoch: it reads the uptime, not an invented date */
	int64_t now = realtime_s(), up = ut_now_ns() / 1000000000;
	UT_CHECK("nortc_clock_from_epoch", now >= 0 && now <= up + 3, "CLOCK_REALTIME %lld, uptime %lld",
		 (long long)now, (long long)up);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "rtc";
	unsigned char b[32];
	if (SYS3(SYS_getrandom, b, sizeof b, 0) == (long)sizeof b)
		print_hex("GETRANDOM_HEX", b, sizeof b);
	at_random();
	getrandom_flags();
	getrandom_1mib();
	getrandom_limit();
	getrandom_partial_fault();
	dev_random();
	if (strcmp(mode, "random") == 0)
		return ut_summary();
	if (strcmp(mode, "rtc") == 0)
		rtc_device();
	else
		no_rtc();
	set_clock();
	return ut_summary();
}
