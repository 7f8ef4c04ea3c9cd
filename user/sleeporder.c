/*
 * sleeporder - sleeping and wake-up ordering within one process.
 *
 * Relative sleeps (nanosleep, clock_nanosleep without flags) and absolute
 * ones (clock_nanosleep with TIMER_ABSTIME) are mixed; CLOCK_MONOTONIC
 * timestamps taken around each must show that every sleep lasted at least
 * its duration (or reached its deadline), not more than SLACK beyond it, and
 * that wake-ups come in deadline order. Prints PASS/FAIL lines and
 * "N passed, N failed"; exit status 0 iff all passed.
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>

#include "ut.h"

#define MS 1000000LL
#define SLACK (200 * MS)

static struct timespec ts_of(int64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000), (long)(ns % 1000000000) };
	return ts;
}

/* Relative sleep of d ns with nanosleep (use_clock=0) or clock_nanosleep. */
static void check_rel(const char *name, int use_clock, int64_t d)
{
	struct timespec ts = ts_of(d);
	int64_t t0 = ut_now_ns(), t1;
	long r = use_clock ? SYS4(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &ts, 0)
	                   : SYS2(SYS_nanosleep, &ts, 0);
	t1 = ut_now_ns();
	if (r != 0) {
		ut_fail(name, "expected 0 got %ld (%s)", r, ut_errname(-r));
		return;
	}
	UT_CHECK(name, t1 - t0 >= d && t1 - t0 < d + SLACK,
	         "expected %lld..%lld ns got %lld ns", (long long)d, (long long)(d + SLACK),
	         (long long)(t1 - t0));
}

/* Absolute sleep until deadline; returns the wake-up time. */
static int64_t sleep_until(const char *name, int64_t deadline)
{
	struct timespec ts = ts_of(deadline);
	long r = SYS4(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, 0);
	int64_t t = ut_now_ns();
	if (r != 0) {
		ut_fail(name, "expected 0 got %ld (%s)", r, ut_errname(-r));
		return t;
	}
	UT_CHECK(name, t >= deadline && t < deadline + SLACK,
	         "woke %lld ns after deadline (allowed 0..%lld)", (long long)(t - deadline),
	         (long long)SLACK);
	return t;
}

int main(void)
{
	int64_t base, w[4];

	setvbuf(stdout, NULL, _IOLBF, 0);

	check_rel("nanosleep_1ms", 0, 1 * MS);
	check_rel("nanosleep_20ms", 0, 20 * MS);
	check_rel("nanosleep_50ms", 0, 50 * MS);
	check_rel("clock_nanosleep_rel_10ms", 1, 10 * MS);
	check_rel("clock_nanosleep_rel_30ms", 1, 30 * MS);

	/* Absolute deadlines in increasing order, interleaved with relative
	 * sleeps that end before the next deadline. */
	base = ut_now_ns();
	w[0] = sleep_until("abstime_deadline_1", base + 40 * MS);
	check_rel("rel_between_1_2", 0, 10 * MS);
	w[1] = sleep_until("abstime_deadline_2", base + 80 * MS);
	check_rel("rel_between_2_3", 1, 10 * MS);
	w[2] = sleep_until("abstime_deadline_3", base + 120 * MS);
	w[3] = sleep_until("abstime_deadline_same", base + 120 * MS);
	UT_CHECK("abstime_wake_order", w[0] < w[1] && w[1] < w[2] && w[2] <= w[3],
	         "wake times %lld %lld %lld %lld", (long long)(w[0] - base),
	         (long long)(w[1] - base), (long long)(w[2] - base), (long long)(w[3] - base));

	/* A deadline in the past returns at once. */
	{
		int64_t t0 = ut_now_ns();
		/* half of now: in the past, never negative (the clock starts at boot) */
		struct timespec ts = ts_of(t0 / 2);
		long r = SYS4(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, 0);
		int64_t t1 = ut_now_ns();
		UT_CHECK("abstime_past_immediate", r == 0 && t1 - t0 < SLACK,
		         "r=%ld took %lld ns", r, (long long)(t1 - t0));
	}
	/* Zero-length sleeps return at once. */
	{
		struct timespec z = { 0, 0 };
		int64_t t0 = ut_now_ns();
		long r = SYS2(SYS_nanosleep, &z, 0);
		int64_t t1 = ut_now_ns();
		UT_CHECK("nanosleep_zero_immediate", r == 0 && t1 - t0 < SLACK,
		         "r=%ld took %lld ns", r, (long long)(t1 - t0));
	}
	/* Many short sleeps add up to at least their sum. */
	{
		struct timespec ts = ts_of(1 * MS);
		int64_t t0 = ut_now_ns(), t1;
		long bad = 0;
		for (int i = 0; i < 20; i++)
			bad |= SYS2(SYS_nanosleep, &ts, 0);
		t1 = ut_now_ns();
		UT_CHECK("nanosleep_20x1ms", bad == 0 && t1 - t0 >= 20 * MS && t1 - t0 < 20 * MS + SLACK,
		         "r=%ld took %lld ns", bad, (long long)(t1 - t0));
	}
	/* CLOCK_REALTIME relative sleeps are measured on the monotonic clock too. */
	{
		struct timespec ts = ts_of(15 * MS);
		int64_t t0 = ut_now_ns(), t1;
		long r = SYS4(SYS_clock_nanosleep, CLOCK_REALTIME, 0, &ts, 0);
		t1 = ut_now_ns();
		UT_CHECK("clock_nanosleep_realtime_rel_15ms",
		         r == 0 && t1 - t0 >= 15 * MS && t1 - t0 < 15 * MS + SLACK,
		         "r=%ld took %lld ns", r, (long long)(t1 - t0));
	}
	/* The libc wrapper returns the error number rather than setting errno. */
	{
		struct timespec ts = { 0, 2000000000L };
		int r = clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
		UT_CHECK("libc_clock_nanosleep_einval", r == EINVAL, "expected %d got %d", EINVAL, r);
	}
	return ut_summary();
}
