/*
 * Seconds since the epoch <-> Linux's struct rtc_time (UTC, proleptic
 * Gregorian calendar, 1970 onwards).  Pure logic: it builds for the host
 * too (tests/host/test_random.c compares it with the C library's gmtime).
 */
#pragma once
#include <stdint.h>
#include <stdbool.h>

/* The Linux UAPI layout (include/uapi/linux/rtc.h): nine ints, 36 bytes. */
struct rtc_time {
	int tm_sec, tm_min, tm_hour;
	int tm_mday, tm_mon, tm_year;	/* mon 0..11, year since 1900 */
	int tm_wday, tm_yday, tm_isdst;
};

void calendar_from_secs(uint64_t secs, struct rtc_time *tm);
/* Linux's rtc_valid_tm(): fields in range, year 1970 or later. */
bool calendar_valid(const struct rtc_time *tm);
/* tm must be calendar_valid(); wday, yday and isdst are ignored. */
uint64_t calendar_to_secs(const struct rtc_time *tm);
