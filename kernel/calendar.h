/*
 * Seconds since the epoch <-> broken-down UTC time, proleptic Gregorian.
 * Pure logic (tests/host/test_random.c checks it against the host's libc).
 */
#pragma once
#include <stdint.h>

/* The Linux UAPI layout (include/uapi/linux/rtc.h): nine ints, 36 bytes. */
struct rtc_time {
	int tm_sec, tm_min, tm_hour;
	int tm_mday, tm_mon, tm_year;	/* 1..31, 0..11, years since 1900 */
	int tm_wday, tm_yday, tm_isdst;
};

void calendar_from_secs(int64_t secs, struct rtc_time *tm);
int64_t calendar_to_secs(const struct rtc_time *tm);
/* 0 if every field is in range (what Linux's rtc_valid_tm checks), else -1. */
int calendar_valid(const struct rtc_time *tm);
