/*
 * System information and the calls busybox ps/top/free/uptime/mount/
 * dmesg make besides reading /proc: sysinfo, getrusage, mount/umount2,
 * syslog, priorities and cpu affinity.  (statfs, readlinkat: sys_fs2.c.)
 */
#include "kernel/fs/mount.h"
#include "syscall/sys.h"
#include "kernel/fs/procfs.h"
#include "kernel/page_alloc.h"
#include "kernel/printk.h"
#include "kernel/timer.h"
#include "kernel/platform.h"
#include "kernel/param.h"
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* ---- sysinfo ---- */

/* struct sysinfo on a 64-bit Linux: 112 bytes */
struct sysinfo_k {
	int64_t uptime;
	uint64_t loads[3];		/* 1, 5, 15 minutes, fixed point << 16 */
	uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	uint16_t procs, pad;
	uint32_t pad2;
	uint64_t totalhigh, freehigh;
	uint32_t mem_unit;
	char pad3[4];
};
_Static_assert(sizeof(struct sysinfo_k) == 112, "Linux struct sysinfo");
_Static_assert(offsetof(struct sysinfo_k, procs) == 80, "Linux struct sysinfo");
_Static_assert(offsetof(struct sysinfo_k, mem_unit) == 104, "Linux struct sysinfo");

SYSCALL(sysinfo)
{
	struct sysinfo_k si;
	memset(&si, 0, sizeof si);
	si.uptime = (int64_t)(time_ns() / 1000000000UL);
	si.totalram = kpool.npages * PGSIZE;
	si.freeram = pool_free_pages(&kpool) * PGSIZE;
	int i = 0;
	for (struct proc *p; (p = proc_iter(&i)) != NULL; )
		si.procs++;
	si.mem_unit = 1;		/* the counts above are bytes */
	return copy_to_user(curmm(), a[0], &si, sizeof si) ? -EFAULT : 0;
}

/* ---- getrusage ---- */

struct rusage_k {
	int64_t utime[2], stime[2];	/* timeval: sec, usec */
	int64_t maxrss;			/* KiB */
	int64_t rest[13];		/* ixrss .. nivcsw: not counted */
};
_Static_assert(sizeof(struct rusage_k) == 144, "Linux struct rusage");

#define RUSAGE_SELF     0
#define RUSAGE_CHILDREN (-1)
#define RUSAGE_THREAD   1

static void ticks_to_tv(uint64_t ticks, int64_t tv[2])
{
	uint64_t us = ticks_to_ns(ticks) / 1000;
	tv[0] = (int64_t)(us / 1000000);
	tv[1] = (int64_t)(us % 1000000);
}

/* Children's times are not accumulated at reap yet: RUSAGE_CHILDREN reports zeros. */
SYSCALL(getrusage)
{
	int who = (int)a[0];
	if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN && who != RUSAGE_THREAD)
		return -EINVAL;
	struct rusage_k ru;
	memset(&ru, 0, sizeof ru);
	if (who != RUSAGE_CHILDREN) {
		struct task *t = curtask();
		ticks_to_tv(t->thread->run_ticks, ru.utime);
		ticks_to_tv(t->stime, ru.stime);
		ru.maxrss = (int64_t)(procfs_mm_pages(curmm()) * (PGSIZE / 1024));
	}
	return copy_to_user(curmm(), a[1], &ru, sizeof ru) ? -EFAULT : 0;
}

/* ---- mount, umount2 ---- */

#define MS_REMOUNT 32
#define MS_BIND    4096
#define MNT_FORCE  1
#define MNT_DETACH 2
#define MNT_EXPIRE 4
#define UMOUNT_NOFOLLOW 8

/* A user path to its directory's canonical absolute path (buf of n bytes). */
static int dir_path(uint64_t upath, char *buf, size_t n)
{
	char *path = page_alloc();
	if (!path)
		return -ENOMEM;
	struct inode *start, *ip;
	int err = path_start(AT_FDCWD, upath, path, &start);
	if (!err)
		err = vfs_lookup(start, path, 1, &ip);
	page_free(path);
	if (err)
		return err;
	err = S_ISDIR(ip->mode) ? vfs_getcwd(ip, buf, n) : -ENOTDIR;
	inode_put(ip);
	return err < 0 ? err : 0;
}

static int is_memfs(const char *type)
{
	return !strcmp(type, "tmpfs") || !strcmp(type, "ramfs") || !strcmp(type, "devtmpfs");
}

/*
 * Nothing is really mounted: procfs is on /proc from boot, and a memory
 * filesystem on a directory of the root ramfs is what that directory
 * already is, so mount(2) checks and records (for /proc/mounts).
 */
SYSCALL(mount)
{
	char dir[64], type[16] = "", source[32] = "none";
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	int err = dir_path(a[1], dir, sizeof dir);
	if (err)
		return err == -ERANGE ? -ENAMETOOLONG : err;
	if (a[3] & (MS_REMOUNT | MS_BIND))
		return 0;		/* new flags on what is there: accepted, not enforced */
	if (a[2] && strncpy_from_user(curmm(), type, a[2], sizeof type) < 0)
		return -ENODEV;		/* too long or unreadable: no such filesystem */
	if (a[0] && strncpy_from_user(curmm(), source, a[0], sizeof source) < 0)
		snprintf(source, sizeof source, "none");
	if (!strcmp(type, "proc"))
		return !strcmp(dir, "/proc") ? 0 : -EBUSY;	/* one procfs, on /proc */
	if (disk_fs_type(type)) {	/* a real mount: kernel/fs/mount.c */
		char opts[128] = "";	/* data: "uid=1000,umask=022" (FAT reads it) */
		if (a[4] && strncpy_from_user(curmm(), opts, a[4], sizeof opts) < 0)
			return -EINVAL;
		err = disk_mount(a[0], a[1], type, a[3], opts);
		return err ? err : procfs_mount_add(source, dir, type);
	}
	if (!is_memfs(type))
		return -ENODEV;
	err = procfs_mount_add(source, dir, type);
	return err == -EBUSY ? 0 : err;	/* mounting it again changes nothing */
}

SYSCALL(umount2)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (a[1] & ~(uint64_t)(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW))
		return -EINVAL;
	char dir[64];
	int err = dir_path(a[0], dir, sizeof dir);
	if (err == -ENOTDIR || err == -ERANGE)
		return -EINVAL;		/* cannot be a mount point */
	if (!err) {
		int d = disk_umount_user(a[0]);	/* -EINVAL: no disk mounted there */
		if (d != -EINVAL)
			return d ? d : procfs_mount_del(dir);
	}
	return err ? err : procfs_mount_del(dir);
}

/* ---- syslog (klogctl) ---- */

#define SYSLOG_ACTION_CLOSE       0
#define SYSLOG_ACTION_OPEN        1
#define SYSLOG_ACTION_READ        2
#define SYSLOG_ACTION_READ_ALL    3
#define SYSLOG_ACTION_READ_CLEAR  4
#define SYSLOG_ACTION_CLEAR       5
#define SYSLOG_ACTION_CONSOLE_OFF 6
#define SYSLOG_ACTION_CONSOLE_ON  7
#define SYSLOG_ACTION_CONSOLE_LEVEL 8
#define SYSLOG_ACTION_SIZE_UNREAD 9
#define SYSLOG_ACTION_SIZE_BUFFER 10

#define DMESG_PAGES ((DMESG_SIZE + PGSIZE - 1) / PGSIZE)

/* The newest min(len, logged) bytes of the kernel log. */
static long syslog_read_all(uint64_t ubuf, size_t len)
{
	char *buf = page_alloc_n(DMESG_PAGES);
	if (!buf)
		return -ENOMEM;
	unsigned long got = dmesg_read(buf, 0, DMESG_SIZE);
	size_t c = got < len ? got : len;
	long r = copy_to_user(curmm(), ubuf, buf + got - c, c) ? -EFAULT : (long)c;
	page_free_n(buf, DMESG_PAGES);
	return r;
}

/* Reading is allowed; clearing is accepted and does nothing (the ring just wraps). */
SYSCALL(syslog)
{
	int type = (int)a[0];
	int64_t len = (int64_t)a[2];
	switch (type) {
	case SYSLOG_ACTION_READ_ALL:
	case SYSLOG_ACTION_READ_CLEAR:
		if (len < 0)
			return -EINVAL;
		return len ? syslog_read_all(a[1], (size_t)len) : 0;
	case SYSLOG_ACTION_SIZE_BUFFER:
		return DMESG_SIZE;
	case SYSLOG_ACTION_CLOSE: case SYSLOG_ACTION_OPEN: case SYSLOG_ACTION_CLEAR:
	case SYSLOG_ACTION_CONSOLE_OFF: case SYSLOG_ACTION_CONSOLE_ON:
	case SYSLOG_ACTION_CONSOLE_LEVEL: case SYSLOG_ACTION_SIZE_UNREAD:
		return 0;
	default:
		return -EINVAL;		/* READ (blocking) is not offered */
	}
}

/* ---- priorities, affinity, cpu ---- */

#define PRIO_PROCESS 0
#define PRIO_PGRP    1
#define PRIO_USER    2

/* Is there a target for (which, who)? 0 or -ESRCH / -EINVAL. */
static int prio_target(uint64_t which, int who)
{
	if (which > PRIO_USER)
		return -EINVAL;
	if (which != PRIO_PROCESS || who == 0)
		return 0;		/* groups and users: everyone is root in one session */
	return proc_by_pid(who) ? 0 : -ESRCH;
}

/* The scheduler has no priorities: every process has nice 0, the raw call returns 20 - nice. */
SYSCALL(getpriority)
{
	int err = prio_target(a[0], (int)a[1]);
	return err ? err : 20;
}

SYSCALL(setpriority)
{
	int err = prio_target(a[0], (int)a[1]);
	return err ? err : 0;	/* accepted, not applied */
}

/* User tasks all run on logical cpu 0 (the client): that is the whole mask. */
SYSCALL(sched_getaffinity)
{
	int pid = (int)a[0];
	if (pid && !proc_by_pid(pid))
		return -ESRCH;
	if (a[1] < sizeof(uint64_t) || (a[1] & (sizeof(uint64_t) - 1)))
		return -EINVAL;
	uint64_t mask = 1;
	return copy_to_user(curmm(), a[2], &mask, sizeof mask) ? -EFAULT : (long)sizeof mask;
}

SYSCALL(sched_setaffinity)
{
	int pid = (int)a[0];
	uint64_t mask = 0;
	if (pid && !proc_by_pid(pid))
		return -ESRCH;
	if (a[1] && copy_from_user(curmm(), &mask, a[2], a[1] < 8 ? a[1] : 8))
		return -EFAULT;
	return mask & 1 ? 0 : -EINVAL;	/* a mask without cpu 0 cannot be honoured */
}

SYSCALL(getcpu)
{
	/* the client cpu the calling thread runs on (threads spread over clients=N) */
	struct task *t = curtask();
	uint32_t zero = 0, cpu = t->thread ? (uint32_t)t->thread->cpu : 0;
	if (a[0] && copy_to_user(curmm(), a[0], &cpu, sizeof cpu))
		return -EFAULT;
	if (a[1] && copy_to_user(curmm(), a[1], &zero, sizeof zero))
		return -EFAULT;
	return 0;
}
