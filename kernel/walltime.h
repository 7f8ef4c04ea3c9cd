/*
 * The wall clock (CLOCK_REALTIME): the monotonic clock plus an offset,
 * set from the RTC at boot and by clock_settime/settimeofday
 * (kernel/walltime.c).
 */
#pragma once
#include <stdint.h>
#include <stdbool.h>

/* Boot hart, after the timer is usable: read the RTC (or start at the epoch). */
void walltime_init(void);
uint64_t realtime_ns(void);
/* -EINVAL if ns would put the wall clock before boot (Linux refuses that too). */
int realtime_set_ns(uint64_t ns);
/*
 * May the calling process set the clocks (CAP_SYS_TIME: euid 0)?
 */
bool may_set_time(void);

/* settimeofday's struct timezone, kept and returned as Linux does. */
struct timezone_k { int32_t minuteswest, dsttime; };
void walltime_tz(struct timezone_k *tz);
void walltime_set_tz(const struct timezone_k *tz);
