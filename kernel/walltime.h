/*
 * CLOCK_REALTIME: the monotonic clock plus an offset, taken from the RTC at
 * boot (the epoch where there is none) and moved by clock_settime,
 * settimeofday and hwclock -s.  Design: docs/DEVICES.md.
 */
#pragma once
#include <stdint.h>
#include <stdbool.h>

/* Boot hart, once: the offset from the RTC, and a boot log line saying where it came from. */
void walltime_init(void);
uint64_t realtime_ns(void);
/* -EINVAL if ns lies before boot (the monotonic clock would go negative). */
int realtime_set_ns(uint64_t ns);
/* Whether the caller may set the system clock or the RTC (root only). */
bool may_set_time(void);
