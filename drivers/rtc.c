/*
 * /dev/rtc0 (with /dev/rtc -> rtc0, as udev links it, and /dev/misc/rtc,
 * devfs's name: busybox hwclock tries all three): Linux's RTC_RD_TIME and
 * RTC_SET_TIME on the RTC, in UTC.  No update or alarm interrupts, so no
 * read(): it would wait for one forever.
 */
#include "drivers/rtc.h"
#include "kernel/calendar.h"
#include "kernel/walltime.h"
#include "kernel/file.h"
#include "kernel/proc.h"
#include "kernel/uvm.h"
#include "kernel/errno.h"
#include "kernel/vfs.h"

/* _IOR('p', 0x09, struct rtc_time) and _IOW('p', 0x0a, struct rtc_time) */
#define RTC_RD_TIME	0x80247009u
#define RTC_SET_TIME	0x4024700au
_Static_assert(sizeof(struct rtc_time) == 36, "struct rtc_time is Linux's 9 ints");

#define NSEC_PER_SEC 1000000000ULL

static long rtc_rd_time(uint64_t arg)
{
	struct rtc_time tm;
	calendar_from_secs(rtc_read_ns() / NSEC_PER_SEC, &tm);
	return copy_to_user(curproc()->mm, arg, &tm, sizeof tm) ? -EFAULT : 0;
}

static long rtc_set_time(uint64_t arg)
{
	struct rtc_time tm;
	if (!may_set_time())
		return -EACCES;		/* Linux's rtc-dev answers EACCES, not EPERM */
	if (copy_from_user(curproc()->mm, &tm, arg, sizeof tm))
		return -EFAULT;
	if (!calendar_valid(&tm))
		return -EINVAL;
	uint64_t secs = calendar_to_secs(&tm);
	if (secs > UINT64_MAX / NSEC_PER_SEC)
		return -ERANGE;		/* beyond the device's 64-bit nanosecond count */
	rtc_write_ns(secs * NSEC_PER_SEC);
	return 0;
}

static long rtc_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
	(void)f;
	switch (cmd) {
	case RTC_RD_TIME: return rtc_rd_time(arg);
	case RTC_SET_TIME: return rtc_set_time(arg);
	default: return -ENOTTY;
	}
}

static long rtc_no_rw(struct file *f, uint64_t ubuf, size_t n)
{
	(void)f, (void)ubuf, (void)n;
	return -EINVAL;
}

static int rtc_poll(struct file *f) { (void)f; return 0; }

const struct file_ops rtc_ops = {
	.read = rtc_no_rw, .write = rtc_no_rw, .ioctl = rtc_ioctl, .poll = rtc_poll,
};

static void make_rtc_node(struct inode *dir, const char *name)
{
	struct inode *ip;
	if (vfs_create(dir, name, S_IFCHR | 0600, MKDEV(RTC_MAJOR, 0), &ip) == 0)
		inode_put(ip);
}

void rtc_make_nodes(void)
{
	struct inode *dev, *misc;
	if (!rtc_present() || vfs_lookup(vfs_root(), "/dev", 1, &dev) != 0)
		return;
	make_rtc_node(dev, "rtc0");
	vfs_symlink(dev, "rtc", "rtc0");
	vfs_mkdir(dev, "misc", 0755);
	if (vfs_lookup(vfs_root(), "/dev/misc", 1, &misc) == 0) {
		make_rtc_node(misc, "rtc");
		inode_put(misc);
	}
	inode_put(dev);
}
