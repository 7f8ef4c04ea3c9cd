/*
 * CLOCK_REALTIME = CLOCK_MONOTONIC + offset.  The offset is one 64-bit word
 * written by whichever cpu runs clock_settime and read by any cpu: relaxed
 * atomics suffice, as nothing else is published with it and a reader on
 * another cpu seeing the old offset a moment longer is the same as having
 * read the clock a moment earlier.  The RTC is read once at boot and
 * written only by RTC_SET_TIME (hwclock -w), as on Linux.
 */
#include "kernel/walltime.h"
#include "kernel/cred.h"
#include "kernel/timer.h"
#include "kernel/printk.h"
#include "kernel/errno.h"
#include "drivers/rtc_goldfish.h"
#include <stdatomic.h>

static _Atomic int64_t offset_ns;	/* realtime - monotonic */
static struct timezone_k sys_tz;	/* written by settimeofday only: informational */

uint64_t realtime_ns(void)
{
	return (uint64_t)((int64_t)time_ns() + atomic_load_explicit(&offset_ns, memory_order_relaxed));
}

int realtime_set_ns(uint64_t ns)
{
	uint64_t mono = time_ns();
	if (ns < mono || ns > (uint64_t)INT64_MAX)
		return -EINVAL;
	atomic_store_explicit(&offset_ns, (int64_t)(ns - mono), memory_order_relaxed);
	return 0;
}

bool may_set_time(void)
{
	return capable(CAP_SYS_TIME);
}

void walltime_tz(struct timezone_k *tz) { *tz = sys_tz; }
void walltime_set_tz(const struct timezone_k *tz) { sys_tz = *tz; }

void walltime_init(void)
{
	if (!rtc_present()) {
		pr_info("clock: no RTC found; the wall clock starts at the epoch (1970-01-01)\n");
		return;		/* offset 0: realtime == time since boot */
	}
	uint64_t ns = rtc_read_ns();
	if (realtime_set_ns(ns) != 0) {
		pr_warn("clock: RTC reads %lu ns, before boot; starting at the epoch\n", ns);
		return;
	}
	pr_info("clock: goldfish RTC, wall clock set to %lu s since the epoch\n", ns / 1000000000UL);
}
