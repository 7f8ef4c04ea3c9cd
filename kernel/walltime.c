/* The wall clock (kernel/walltime.h). */
#include "kernel/walltime.h"
#include "kernel/timer.h"
#include "kernel/calendar.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/platform.h"
#include "drivers/rtc.h"
#include <stdatomic.h>

#define NSEC_PER_SEC 1000000000ULL

/*
 * Wall-clock time at monotonic 0.  Relaxed: one word, nothing else is
 * published with it; a reader on either hart sees the old or the new
 * offset, and both are a valid clock.
 */
static _Atomic uint64_t boot_offset_ns;

uint64_t realtime_ns(void)
{
	return atomic_load_explicit(&boot_offset_ns, memory_order_relaxed) + time_ns();
}

int realtime_set_ns(uint64_t ns)
{
	uint64_t now = time_ns();
	if (ns < now)
		return -EINVAL;
	atomic_store_explicit(&boot_offset_ns, ns - now, memory_order_relaxed);
	return 0;
}

/*
 * Only root may set the time.  Processes have no credentials yet (getuid
 * answers 0 to everyone), so today everyone is root: when credentials
 * land this becomes `curproc()->euid == 0` (CAP_SYS_TIME in Linux).
 */
bool may_set_time(void)
{
	return true;
}

void walltime_init(void)
{
	if (!rtc_present()) {
		pr_warn("rtc: none on this machine; the wall clock starts at the epoch (1970-01-01)\n");
		return;
	}
	uint64_t ns = rtc_read_ns();
	realtime_set_ns(ns > time_ns() ? ns : time_ns());
	struct rtc_time tm;
	calendar_from_secs(ns / NSEC_PER_SEC, &tm);
	pr_info("rtc: goldfish at %#lx: %04d-%02d-%02d %02d:%02d:%02d UTC\n", plat.rtc_base,
		tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}
