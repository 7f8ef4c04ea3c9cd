/*
 * Civil dates from day numbers and back.  The year is split into 400-year
 * eras (146097 days each, the Gregorian cycle) with years starting on
 * March 1, so the leap day is the last day of its year and month lengths
 * follow a linear formula (153 days per 5 months).
 */
#include "kernel/calendar.h"

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static int is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int64_t y, int m)		/* m: 0..11 */
{
	static const uint8_t d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return d[m] + (m == 1 && is_leap(y));
}

/* Days since 1970-01-01 of year y, month m (1..12), day d. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = floor_div(y, 400);
	int64_t yoe = y - era * 400;				/* 0..399 */
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;	/* 0..365 */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;	/* 0..146096 */
	return era * 146097 + doe - 719468;			/* 719468: 0000-03-01 to 1970-01-01 */
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

void calendar_from_secs(int64_t secs, struct rtc_time *tm)
{
	int64_t days = floor_div(secs, 86400), rem = secs - days * 86400, y;
	int m, d;
	civil_from_days(days, &y, &m, &d);
	tm->tm_sec = (int)(rem % 60);
	tm->tm_min = (int)(rem / 60 % 60);
	tm->tm_hour = (int)(rem / 3600);
	tm->tm_mday = d;
	tm->tm_mon = m - 1;
	tm->tm_year = (int)(y - 1900);
	tm->tm_wday = (int)(floor_div(days + 4, 7) * -7 + days + 4);	/* 1970-01-01 was a Thursday */
	tm->tm_yday = (int)(days - days_from_civil(y, 1, 1));
	tm->tm_isdst = 0;
}

int64_t calendar_to_secs(const struct rtc_time *tm)
{
	int64_t days = days_from_civil((int64_t)tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday);
	return days * 86400 + tm->tm_hour * 3600 + tm->tm_min * 60 + tm->tm_sec;
}

int calendar_valid(const struct rtc_time *tm)
{
	if (tm->tm_year < 70 || tm->tm_mon < 0 || tm->tm_mon > 11 || tm->tm_mday < 1 ||
	    tm->tm_mday > month_days((int64_t)tm->tm_year + 1900, tm->tm_mon) ||
	    tm->tm_hour < 0 || tm->tm_hour > 23 || tm->tm_min < 0 || tm->tm_min > 59 ||
	    tm->tm_sec < 0 || tm->tm_sec > 59)
		return -1;
	return 0;
}
