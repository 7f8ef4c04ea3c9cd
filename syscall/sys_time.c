/* Clocks and sleeps.  Sleeps park the calling future on its cpu's timer list. */
#include "syscall/sys.h"
#include "kernel/timer.h"
#include "kernel/platform.h"
#include "drivers/tty.h"
#include "kernel/walltime.h"

struct timespec_k { int64_t sec, nsec; };


void vfs_now(int64_t *sec, int64_t *nsec)
{
	uint64_t ns = realtime_ns();
	*sec = (int64_t)(ns / 1000000000UL);
	*nsec = (int64_t)(ns % 1000000000UL);
}

static int clock_ns(uint64_t clk, uint64_t *ns)
{
	switch (clk) {
	case 0: case 5: case 8: *ns = realtime_ns(); return 0;	/* REALTIME(_COARSE), BOOTTIME_ALARM */
	case 1: case 4: case 6: case 7: case 2: case 3:		/* MONOTONIC*, BOOTTIME, CPUTIME */
		*ns = time_ns();
		return 0;
	default: return -EINVAL;
	}
}

SYSCALL(clock_gettime)
{
	uint64_t ns;
	int err = clock_ns(a[0], &ns);
	if (err)
		return err;
	struct timespec_k ts = { (int64_t)(ns / 1000000000UL), (int64_t)(ns % 1000000000UL) };
	return copy_to_user(curmm(), a[1], &ts, sizeof ts) ? -EFAULT : 0;
}

SYSCALL(clock_getres)
{
	uint64_t ns;
	if (clock_ns(a[0], &ns))
		return -EINVAL;
	struct timespec_k ts = { 0, 1000000000L / (int64_t)plat.timebase ?: 1 };
	return a[1] && copy_to_user(curmm(), a[1], &ts, sizeof ts) ? -EFAULT : 0;
}

SYSCALL(gettimeofday)
{
	uint64_t ns = realtime_ns();
	int64_t tv[2] = { (int64_t)(ns / 1000000000UL), (int64_t)(ns % 1000000000UL / 1000) };
	if (a[0] && copy_to_user(curmm(), a[0], tv, sizeof tv))
		return -EFAULT;
	struct timezone_k tz;
	walltime_tz(&tz);
	if (a[1] && copy_to_user(curmm(), a[1], &tz, sizeof tz))
		return -EFAULT;
	return 0;
}

/* Sleep until the monotonic `deadline_ns`; -EINTR (with *left) if a signal comes. */
static long sleep_until_ns(uint64_t deadline_ns, uint64_t rem_uaddr)
{
	thread_sleep_until(ns_to_ticks(deadline_ns));
	uint64_t now = time_ns();
	if (now < deadline_ns && signal_pending_now()) {
		uint64_t left = deadline_ns - now;
		struct timespec_k ts = { (int64_t)(left / 1000000000UL), (int64_t)(left % 1000000000UL) };
		if (rem_uaddr)
			copy_to_user(curmm(), rem_uaddr, &ts, sizeof ts);
		return -EINTR;
	}
	return 0;
}

static int read_ts(uint64_t uaddr, uint64_t *ns)
{
	struct timespec_k ts;
	if (copy_from_user(curmm(), &ts, uaddr, sizeof ts))
		return -EFAULT;
	if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000L)
		return -EINVAL;
	*ns = (uint64_t)ts.sec * 1000000000UL + (uint64_t)ts.nsec;
	return 0;
}

SYSCALL(nanosleep)
{
	uint64_t ns;
	int err = read_ts(a[0], &ns);
	if (err)
		return err;
	return sleep_until_ns(time_ns() + ns, a[1]);
}

#define TIMER_ABSTIME 1

SYSCALL(clock_nanosleep)
{
	uint64_t ns, now;
	int err = read_ts(a[2], &ns);
	if (!err)
		err = clock_ns(a[0], &now);
	if (err)
		return -err == EINVAL ? err : err;
	if (a[0] == 2 || a[0] == 3)
		return -EINVAL;		/* CPU-time clocks cannot be slept on here */
	uint64_t deadline = (a[1] & TIMER_ABSTIME) ? (ns > now ? time_ns() + (ns - now) : 0)
						   : time_ns() + ns;
	return sleep_until_ns(deadline, (a[1] & TIMER_ABSTIME) ? 0 : a[3]);
}

SYSCALL(times)
{
	struct task *t = curtask();
	int64_t tms[4] = { (int64_t)(t->thread->run_ticks * 100 / plat.timebase), (int64_t)(t->stime * 100 / plat.timebase), 0, 0 };
	if (a[0] && copy_to_user(curmm(), a[0], tms, sizeof tms))
		return -EFAULT;
	return (long)(time_now() * 100 / plat.timebase);
}
