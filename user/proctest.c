/*
 * proctest: /proc and the system-information calls (sys_info.c).
 *
 * Reads /proc/uptime, meminfo, self/stat, a forked child's status, lists
 * /proc, follows /proc/self, and checks sysinfo, getrusage, mount, syslog
 * and /proc/duet.  Prints PASS/FAIL lines and "N passed, N failed"; exits 0
 * iff all pass.
 */
#include "ut.h"
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* A whole /proc file into buf (NUL-terminated), in small reads to test the offset; -errno. */
static long slurp(const char *path, char *buf, size_t n)
{
	long fd = SYS4(SYS_openat, AT_FDCWD, path, O_RDONLY, 0);
	if (fd < 0)
		return fd;
	size_t len = 0;
	for (;;) {
		size_t want = n - 1 - len < 100 ? n - 1 - len : 100;
		long r = want ? SYS3(SYS_read, fd, buf + len, want) : 0;
		if (r < 0) {
			SYS1(SYS_close, fd);
			return r;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	buf[len] = 0;
	SYS1(SYS_close, fd);
	return (long)len;
}

/* The number after "key:" in a meminfo/status style file; -1 if absent. */
static long field(const char *text, const char *key)
{
	const char *p = strstr(text, key);
	if (!p)
		return -1;
	p += strlen(key);
	while (*p == ' ' || *p == '\t')
		p++;
	return strtol(p, NULL, 10);
}

static char buf[16384];

static void test_uptime(void)
{
	long n = slurp("/proc/uptime", buf, sizeof buf);
	double up = -1, idle = -1;
	UT_CHECK("uptime_read", n > 0 && sscanf(buf, "%lf %lf", &up, &idle) == 2 && up >= 0 && idle >= 0,
		 "n=%ld text '%s'", n, n > 0 ? buf : "");
}

static void test_meminfo(void)
{
	long n = slurp("/proc/meminfo", buf, sizeof buf);
	long total = field(buf, "MemTotal:"), freekb = field(buf, "MemFree:");
	UT_CHECK("meminfo_total_free", n > 0 && total > 0 && freekb > 0 && freekb < total,
		 "n=%ld total %ld free %ld", n, total, freekb);
	UT_CHECK("meminfo_fields", field(buf, "MemAvailable:") >= 0 && field(buf, "Buffers:") == 0 &&
		 field(buf, "Cached:") == 0 && field(buf, "SwapTotal:") == 0 && field(buf, "SwapFree:") == 0,
		 "text '%s'", buf);
}

static void test_self_stat(void)
{
	long n = slurp("/proc/self/stat", buf, sizeof buf);
	int pid = -1, ppid = -1;
	char comm[32] = "", state = 0;
	int got = n > 0 ? sscanf(buf, "%d (%31[^)]) %c %d", &pid, comm, &state, &ppid) : 0;
	UT_CHECK("self_stat_pid", got == 4 && pid == getpid() && ppid == getppid(),
		 "got %d pid %d (want %d) ppid %d text '%s'", got, pid, getpid(), ppid, buf);
	UT_CHECK("self_stat_comm", !strcmp(comm, "proctest") && state == 'R', "comm '%s' state %c",
		 comm, state);
	/* 52 fields are promised; busybox reads up to field 39 */
	int fields = 0;
	for (char *p = strrchr(buf, ')'); p && *p; p++)
		if (*p == ' ')
			fields++;
	UT_CHECK("self_stat_fields", fields + 2 >= 44, "%d fields", fields + 2);
}

static void test_self_link(void)
{
	char link[32], want[32];
	long n = SYS4(SYS_readlinkat, AT_FDCWD, "/proc/self", link, sizeof link - 1);
	snprintf(want, sizeof want, "%d", getpid());
	if (n >= 0)
		link[n] = 0;
	UT_CHECK("readlink_self", n > 0 && !strcmp(link, want), "n=%ld '%s' want '%s'", n,
		 n > 0 ? link : "", want);
	n = SYS4(SYS_readlinkat, AT_FDCWD, "/proc/self/exe", buf, 256);
	if (n >= 0)
		buf[n] = 0;
	UT_CHECK("readlink_exe", n > 0 && !strcmp(buf, "/bin/proctest"), "n=%ld '%s'", n,
		 n > 0 ? buf : "");
	n = slurp("/proc/self/cmdline", buf, sizeof buf);
	UT_CHECK("self_cmdline", n > 0 && !strcmp(buf, "/bin/proctest") && (size_t)n == strlen(buf) + 1,
		 "n=%ld '%s'", n, n > 0 ? buf : "");
	char cwd[64];
	n = SYS3(SYS_chdir, "/proc/self/fd", 0, 0);
	long c = SYS2(SYS_getcwd, cwd, sizeof cwd);
	snprintf(want, sizeof want, "/proc/%d/fd", getpid());
	UT_CHECK("getcwd_in_proc", n == 0 && c > 0 && !strcmp(cwd, want), "chdir %ld getcwd %ld '%s'",
		 n, c, c > 0 ? cwd : "");
	SYS1(SYS_chdir, "/");
}

/* Does /proc list a directory named pid? */
static int proc_lists(DIR *d, int pid)
{
	char want[16];
	snprintf(want, sizeof want, "%d", pid);
	rewinddir(d);
	for (struct dirent *e; (e = readdir(d)) != NULL; )
		if (!strcmp(e->d_name, want))
			return e->d_type == DT_DIR;
	return 0;
}

static void test_child(void)
{
	int pfd[2];
	if (pipe(pfd)) {
		ut_fail("child_pipe", "pipe failed");
		return;
	}
	pid_t child = fork();
	if (child == 0) {
		char c;
		close(pfd[1]);
		read(pfd[0], &c, 1);	/* wait until the parent has looked */
		_exit(0);
	}
	close(pfd[0]);
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/status", child);
	long n = slurp(path, buf, sizeof buf);
	UT_CHECK("child_status", n > 0 && field(buf, "Pid:") == child && field(buf, "PPid:") == getpid() &&
		 strstr(buf, "Name:\tproctest") && field(buf, "VmRSS:") > 0,
		 "n=%ld text '%s'", n, n > 0 ? buf : "");
	/* the child blocks in read soon: its state turns to S */
	for (int i = 0; i < 200 && n > 0 && !strstr(buf, "State:\tS"); i++) {
		usleep(1000);
		n = slurp(path, buf, sizeof buf);
	}
	UT_CHECK("child_state_sleeping", n > 0 && strstr(buf, "State:\tS") != NULL, "no 'State: S'");
	DIR *d = opendir("/proc");
	UT_CHECK("list_proc", d && proc_lists(d, getpid()) && proc_lists(d, child) && proc_lists(d, 1),
		 "self %d or child %d or init missing", getpid(), child);
	int statics = 0;
	if (d) {
		rewinddir(d);
		for (struct dirent *e; (e = readdir(d)) != NULL; )
			statics += !strcmp(e->d_name, "meminfo") || !strcmp(e->d_name, "self");
		closedir(d);
	}
	UT_CHECK("list_proc_files", statics == 2, "meminfo/self listed %d of 2", statics);
	write(pfd[1], "x", 1);
	close(pfd[1]);
	int st;
	waitpid(child, &st, 0);
	struct stat sb;
	UT_CHECK("reaped_gone", stat(path, &sb) != 0 && errno == ENOENT, "still there after reap");
}

/* riscv64 struct sysinfo, from the kernel's point of view */
struct sysinfo_raw {
	long uptime;
	unsigned long loads[3], totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	unsigned short procs, pad;
	unsigned long totalhigh, freehigh;
	unsigned mem_unit;
	char f[4];
};

static void test_sysinfo(void)
{
	struct sysinfo_raw si;
	memset(&si, 0xff, sizeof si);
	long r = SYS1(SYS_sysinfo, &si);
	UT_CHECK("sysinfo", r == 0 && si.uptime >= 0 && si.totalram > si.freeram && si.freeram > 0 &&
		 si.mem_unit >= 1 && si.procs >= 1 && si.totalswap == 0,
		 "r=%ld up %ld total %lu free %lu unit %u procs %u", r, si.uptime, si.totalram,
		 si.freeram, si.mem_unit, si.procs);
}

static void test_rusage(void)
{
	long ru[18];
	memset(ru, 0xff, sizeof ru);
	long r = SYS2(SYS_getrusage, 0, ru);
	UT_CHECK("getrusage_self", r == 0 && ru[0] >= 0 && ru[1] >= 0 && ru[1] < 1000000 && ru[4] > 0,
		 "r=%ld utime %ld.%06ld maxrss %ld", r, ru[0], ru[1], ru[4]);
	ut_check_ret("getrusage_children", SYS2(SYS_getrusage, -1, ru), 0);
	ut_check_ret("getrusage_bad_who", SYS2(SYS_getrusage, 7, ru), -EINVAL);
}

static void test_mount(void)
{
	ut_check_ret("mount_proc", SYS5(SYS_mount, "proc", "/proc", "proc", 0, 0), 0);
	ut_check_ret("mount_tmpfs", SYS5(SYS_mount, "tmpfs", "/tmp", "tmpfs", 0, 0), 0);
	ut_check_ret("mount_missing", SYS5(SYS_mount, "tmpfs", "/nonexistent", "tmpfs", 0, 0), -ENOENT);
	ut_check_ret("mount_unknown_fs", SYS5(SYS_mount, "x", "/tmp", "nosuchfs", 0, 0), -ENODEV);
	/* a disk filesystem (issue 12) from a source that does not exist: Linux says ENOENT */
	ut_check_ret("mount_missing_source", SYS5(SYS_mount, "/dev/nonexistent", "/tmp", "ext2", 0, 0), -ENOENT);
	ut_check_ret("mount_not_block", SYS5(SYS_mount, "/dev/null", "/tmp", "ext2", 0, 0), -ENOTBLK);
	long n = slurp("/proc/mounts", buf, sizeof buf);
	UT_CHECK("mounts_listed", n > 0 && strstr(buf, " / ") && strstr(buf, "proc /proc proc") &&
		 strstr(buf, "tmpfs /tmp tmpfs"), "text '%s'", buf);
	ut_check_ret("umount_tmp", SYS2(SYS_umount2, "/tmp", 0), 0);
	ut_check_ret("umount_not_mountpoint", SYS2(SYS_umount2, "/bin", 0), -EINVAL);
	n = slurp("/proc/mounts", buf, sizeof buf);
	UT_CHECK("mounts_unlisted", n > 0 && !strstr(buf, "/tmp"), "text '%s'", buf);
}

static void test_misc(void)
{
	long size = SYS3(SYS_syslog, 10, 0, 0);
	UT_CHECK("syslog_size", size > 0, "got %ld", size);
	long n = SYS3(SYS_syslog, 3, buf, sizeof buf - 1);
	UT_CHECK("syslog_read_all", n > 0 && n < (long)sizeof buf, "got %ld", n);
	n = slurp("/proc/duet", buf, sizeof buf);
	UT_CHECK("proc_duet", n > 0 && strstr(buf, "syscalls"), "n=%ld", n);
	n = slurp("/proc/cpuinfo", buf, sizeof buf);
	UT_CHECK("cpuinfo", n > 0 && strstr(buf, "processor\t: 0") && strstr(buf, "isa") &&
		 strstr(buf, "role"), "n=%ld", n);
	n = slurp("/proc/stat", buf, sizeof buf);
	unsigned long long t[4];
	UT_CHECK("proc_stat", n > 0 && sscanf(buf, "cpu %llu %llu %llu %llu", &t[0], &t[1], &t[2], &t[3]) == 4,
		 "text '%.80s'", buf);
	n = slurp("/proc/loadavg", buf, sizeof buf);
	UT_CHECK("loadavg", n > 0 && strchr(buf, '/'), "text '%s'", buf);
	ut_check_ret("getpriority", SYS2(SYS_getpriority, 0, 0), 20);
	ut_check_ret("setpriority", SYS3(SYS_setpriority, 0, 0, 0), 0);
	unsigned long mask = 0;
	long r = SYS3(SYS_sched_getaffinity, 0, sizeof mask, &mask);
	UT_CHECK("sched_getaffinity", r == 8 && mask == 1, "r=%ld mask %lx", r, mask);
	unsigned cpu = 99;
	ut_check_ret("getcpu", SYS3(SYS_getcpu, &cpu, 0, 0), 0);
	ut_check_ret("proc_readonly", SYS4(SYS_openat, AT_FDCWD, "/proc/uptime", O_WRONLY, 0), -EACCES);
	ut_check_ret("proc_no_create", SYS4(SYS_openat, AT_FDCWD, "/proc/newfile", O_CREAT | O_WRONLY, 0644),
		     -EACCES);
}

/* Open and close a lot: every inode and buffer must come back. */
static void test_no_leak(void)
{
	struct sysinfo_raw a, b;
	for (int i = 0; i < 50; i++)
		slurp("/proc/self/status", buf, sizeof buf);
	SYS1(SYS_sysinfo, &a);
	for (int i = 0; i < 300; i++) {
		slurp("/proc/self/stat", buf, sizeof buf);
		slurp("/proc/meminfo", buf, sizeof buf);
		SYS4(SYS_readlinkat, AT_FDCWD, "/proc/self/cwd", buf, 100);
		DIR *d = opendir("/proc/self/fd");
		if (d) {
			while (readdir(d))
				;
			closedir(d);
		}
	}
	SYS1(SYS_sysinfo, &b);
	UT_CHECK("no_leak", b.freeram + 4096 * 4 >= a.freeram, "free went %lu -> %lu", a.freeram,
		 b.freeram);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	test_uptime();
	test_meminfo();
	test_self_stat();
	test_self_link();
	test_child();
	test_sysinfo();
	test_rusage();
	test_mount();
	test_misc();
	test_no_leak();
	return ut_summary();
}
