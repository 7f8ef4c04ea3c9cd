/*
 * Civil dates from day counts and back, by the usual era arithmetic: a
 * 400-year era has 146097 days, and counting years from March puts the
 * leap day at the end of the year, so month lengths follow (153m+2)/5.
 */
#include "kernel/calendar.h"

static bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int month_days(int mon, int64_t year)
{
	static const uint8_t days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return days[mon] + (mon == 1 && is_leap(year));
}

/* Days from 1970-01-01 to year-mon-mday (mon 1..12); year >= 1970 here. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = y / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;	/* 719468: days from 0000-03-01 to 1970-01-01 */
}

void calendar_from_secs(uint64_t secs, struct rtc_time *tm)
{
	int64_t days = (int64_t)(secs / 86400);
	int64_t rem = (int64_t)(secs % 86400);
	tm->tm_hour = (int)(rem / 3600);
	tm->tm_min = (int)(rem / 60 % 60);
	tm->tm_sec = (int)(rem % 60);
	tm->tm_wday = (int)((days + 4) % 7);	/* 1970-01-01 was a Thursday */
	int64_t z = days + 719468;
	int64_t era = z / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int m = (int)(mp < 10 ? mp + 3 : mp - 9);
	int64_t y = yoe + era * 400 + (m <= 2);
	tm->tm_mday = (int)(doy - (153 * mp + 2) / 5 + 1);
	tm->tm_mon = m - 1;
	tm->tm_year = (int)(y - 1900);
	tm->tm_yday = (int)(days - days_from_civil(y, 1, 1));
	tm->tm_isdst = 0;
}

bool calendar_valid(const struct rtc_time *tm)
{
	return tm->tm_year >= 70 && (unsigned)tm->tm_mon < 12 && tm->tm_mday >= 1 &&
	       tm->tm_mday <= month_days(tm->tm_mon, (int64_t)tm->tm_year + 1900) &&
	       (unsigned)tm->tm_hour < 24 && (unsigned)tm->tm_min < 60 && (unsigned)tm->tm_sec < 60;
}

uint64_t calendar_to_secs(const struct rtc_time *tm)
{
	int64_t days = days_from_civil((int64_t)tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday);
	return (uint64_t)days * 86400 + (uint64_t)tm->tm_hour * 3600 + (uint64_t)tm->tm_min * 60 +
	       (uint64_t)tm->tm_sec;
}
