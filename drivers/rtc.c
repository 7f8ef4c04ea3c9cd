/*
 * /dev/rtc0 and /dev/misc/rtc (where busybox hwclock looks): the RTC as
 * Linux's rtc character device, with the two ioctls hwclock uses.  The RTC
 * keeps UTC; broken-down times are struct rtc_time (kernel/calendar.h).
 * Update and alarm interrupts (read(), RTC_UIE_ON, RTC_ALM_*) are not
 * provided: hwclock does not need them.
 */
#include "drivers/rtc_goldfish.h"
#include "kernel/calendar.h"
#include "kernel/walltime.h"
#include "kernel/fs/file.h"
#include "kernel/proc.h"
#include "kernel/uvm.h"
#include "kernel/errno.h"

/* _IOR('p', 0x09, struct rtc_time), _IOW('p', 0x0a, struct rtc_time) */
#define RTC_RD_TIME  0x80247009u
#define RTC_SET_TIME 0x4024700au
_Static_assert(sizeof(struct rtc_time) == 36, "struct rtc_time is the Linux UAPI layout");

static long rtc_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
	(void)f;
	struct rtc_time tm;
	switch (cmd) {
	case RTC_RD_TIME:
		calendar_from_secs((int64_t)(rtc_read_ns() / 1000000000UL), &tm);
		return copy_to_user(curproc()->mm, arg, &tm, sizeof tm) ? -EFAULT : 0;
	case RTC_SET_TIME:
		if (!may_set_time())
			return -EACCES;		/* Linux's answer without CAP_SYS_TIME */
		if (copy_from_user(curproc()->mm, &tm, arg, sizeof tm))
			return -EFAULT;
		if (calendar_valid(&tm))
			return -EINVAL;
		rtc_write_ns((uint64_t)calendar_to_secs(&tm) * 1000000000UL);
		return 0;
	default:
		return -ENOTTY;
	}
}

static long rtc_read(struct file *f, uint64_t ubuf, size_t n)
{
	(void)f, (void)ubuf, (void)n;
	return -EINVAL;		/* no update interrupts to wait for (see above) */
}

static long rtc_write(struct file *f, uint64_t ubuf, size_t n)
{
	(void)f, (void)ubuf, (void)n;
	return -EINVAL;		/* Linux's rtc device has no write either */
}

static int rtc_poll(struct file *f) { (void)f; return 0; }

const struct file_ops rtc_dev_ops = { .read = rtc_read, .write = rtc_write, .ioctl = rtc_ioctl, .poll = rtc_poll };
