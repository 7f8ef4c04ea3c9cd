/*
 * Setting the wall clock: clock_settime(CLOCK_REALTIME) and settimeofday,
 * with Linux's checks in Linux's order (arguments, then permission, then
 * range).  The RTC is not touched: `hwclock -w` writes it.
 */
#include "syscall/sys.h"
#include "kernel/walltime.h"

#define CLOCK_REALTIME 0

SYSCALL(clock_settime)
{
	struct { int64_t sec, nsec; } ts;
	/* the other clocks cannot be set (Linux: EINVAL; CPU-time clocks too) */
	if (a[0] != CLOCK_REALTIME)
		return -EINVAL;
	if (copy_from_user(curmm(), &ts, a[1], sizeof ts))
		return -EFAULT;
	if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000L ||
	    (uint64_t)ts.sec > (uint64_t)INT64_MAX / 1000000000UL - 1)
		return -EINVAL;
	if (!may_set_time())
		return -EPERM;
	return realtime_set_ns((uint64_t)ts.sec * 1000000000UL + (uint64_t)ts.nsec);
}

SYSCALL(settimeofday)
{
	struct { int64_t sec, usec; } tv;
	struct timezone_k tz;
	if (a[0]) {
		if (copy_from_user(curmm(), &tv, a[0], sizeof tv))
			return -EFAULT;
		if (tv.sec < 0 || tv.usec < 0 || tv.usec >= 1000000L ||
		    (uint64_t)tv.sec > (uint64_t)INT64_MAX / 1000000000UL - 1)
			return -EINVAL;
	}
	if (a[1] && copy_from_user(curmm(), &tz, a[1], sizeof tz))
		return -EFAULT;
	if (!may_set_time())
		return -EPERM;
	if (a[1]) {
		if (tz.minuteswest > 15 * 60 || tz.minuteswest < -15 * 60)
			return -EINVAL;
		walltime_set_tz(&tz);	/* kept for gettimeofday; the RTC keeps UTC */
	}
	return a[0] ? realtime_set_ns((uint64_t)tv.sec * 1000000000UL + (uint64_t)tv.usec * 1000) : 0;
}
