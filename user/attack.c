/*
 * attack: an ordinary user tries to break out (issue 13's isolation list).
 *   attack     as root: make the targets (a root 0600 file, a root process,
 *              another process's memory), then become uid 1000 and attack
 * Every attempt prints what it tried and the result; it must fail with the
 * errno Linux gives (or, for a direct access from user mode, the process
 * must die of SIGSEGV).  Any success is a FAIL line.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "ut.h"

#define UID 1000
#define GID 1000
#define SECRET "/tmp/attack-secret"

#define KERNEL_DIRECT  0xffffffc000000000UL	/* the direct map of RAM */
#define KERNEL_IMAGE   0xffffffff80200000UL	/* the kernel's text */
#define USER_LIMIT     0x0000004000000000UL	/* first address above user space */
#define OTHER_VA       0x0000001000000000UL	/* mapped only in the other process */

static int sink = -1;		/* a writable file */
static int src = -1;		/* a readable file with data */

/* An attempt must give exactly -want. */
static void attempt(const char *name, const char *what, long got, long want)
{
	char g[48];
	printf("attack %s: %s -> %s\n", name, what, ut_fmt_ret(g, sizeof g, got));
	if (got == -want)
		ut_pass(name);
	else
		ut_fail(name, "expected -%ld (%s), got %s: the attack was not stopped", want,
			ut_errname(want), g);
}

/* A user-mode load, store or jump at addr must kill the child with SIGSEGV. */
static void touch(const char *name, uint64_t addr, int how)
{
	pid_t pid = fork();
	if (pid == 0) {
		volatile uint64_t *p = (volatile uint64_t *)addr;
		if (how == 0)
			printf("attack %s: read %lx = %lx (must not happen)\n", name, addr, (unsigned long)*p);
		else if (how == 1)
			*p = 0x4141414141414141UL;
		else
			((void (*)(void))addr)();
		fflush(stdout);
		_exit(0);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	static const char *verb[] = { "load from", "store to", "jump to" };
	printf("attack %s: %s %lx -> %s %d\n", name, verb[how], addr,
	       WIFSIGNALED(st) ? "signal" : "exit", WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	UT_CHECK(name, WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
		 "expected death by SIGSEGV, got status %#x: user mode reached kernel memory", st);
}

static void kernel_memory(void)
{
	touch("load-direct-map", KERNEL_DIRECT + 0x80200000UL, 0);
	touch("load-kernel-image", KERNEL_IMAGE, 0);
	touch("store-kernel-image", KERNEL_IMAGE, 1);
	touch("store-direct-map", KERNEL_DIRECT + 0x80400000UL, 1);
	touch("jump-kernel-image", KERNEL_IMAGE, 2);
	touch("load-user-limit", USER_LIMIT, 0);
}

/* Every syscall that takes a user buffer, with kernel, limit and wrapping pointers. */
static void kernel_pointers(void)
{
	/*
	 * wraps: a range that starts at our own (readable) program and runs
	 * around the top of memory: only the calls that take a length can
	 * be given it; Linux's access_ok() refuses it before anything is
	 * copied (writev: a negative length is -EINVAL first).
	 */
	static const struct { const char *what; uint64_t addr; size_t len; int wraps; } bad[] = {
		{ "direct map", KERNEL_DIRECT + 0x80200000UL, 64, 0 },
		{ "kernel image", KERNEL_IMAGE, 64, 0 },
		{ "user limit", USER_LIMIT, 1, 0 },
		{ "across the limit", USER_LIMIT - 8, 64, 0 },
		{ "wrapping range", 0x10000, (size_t)-0x8000, 1 },
		{ "top of memory", (uint64_t)-4096, 8192, 0 },
	};
	char what[128], name[64];
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint64_t a = bad[i].addr;
		size_t n = bad[i].len;
		snprintf(what, sizeof what, "read(file, %s %lx, %zu)", bad[i].what, a, n);
		snprintf(name, sizeof name, "read-into-%u", i);
		lseek(src, 0, SEEK_SET);
		attempt(name, what, SYS3(SYS_read, src, a, n), EFAULT);
		snprintf(what, sizeof what, "write(file, %s %lx, %zu)", bad[i].what, a, n);
		snprintf(name, sizeof name, "write-from-%u", i);
		attempt(name, what, SYS3(SYS_write, sink, a, n), EFAULT);
		snprintf(what, sizeof what, "pread(file, %s %lx, %zu, 0)", bad[i].what, a, n);
		snprintf(name, sizeof name, "pread-into-%u", i);
		attempt(name, what, SYS4(SYS_pread64, src, a, n, 0), EFAULT);
		struct iovec iov = { (void *)a, n };
		snprintf(what, sizeof what, "writev(file, {%s %lx, %zu})", bad[i].what, a, n);
		snprintf(name, sizeof name, "writev-from-%u", i);
		attempt(name, what, SYS3(SYS_writev, sink, &iov, 1), bad[i].wraps ? EINVAL : EFAULT);
		int dir = open("/", O_RDONLY | O_DIRECTORY);
		snprintf(what, sizeof what, "getdents64(/, %s %lx, %zu)", bad[i].what, a, n < 4096 ? 4096 : n);
		snprintf(name, sizeof name, "getdents-into-%u", i);
		attempt(name, what, SYS3(SYS_getdents64, dir, a, n < 4096 ? 4096 : n), EFAULT);
		close(dir);
		if (bad[i].wraps)
			continue;
		snprintf(what, sizeof what, "writev(file, iov array at %s %lx)", bad[i].what, a);
		snprintf(name, sizeof name, "writev-iov-%u", i);
		attempt(name, what, SYS3(SYS_writev, sink, a, 1), EFAULT);
		snprintf(what, sizeof what, "stat(/etc/passwd, %s %lx)", bad[i].what, a);
		snprintf(name, sizeof name, "stat-into-%u", i);
		attempt(name, what, SYS4(SYS_newfstatat, AT_FDCWD, "/etc/passwd", a, 0), EFAULT);
		snprintf(what, sizeof what, "rt_sigaction(SIGUSR1, act at %s %lx)", bad[i].what, a);
		snprintf(name, sizeof name, "sigaction-act-%u", i);
		attempt(name, what, SYS4(SYS_rt_sigaction, SIGUSR1, a, 0, 8), EFAULT);
		snprintf(what, sizeof what, "rt_sigaction(SIGUSR1, oldact at %s %lx)", bad[i].what, a);
		snprintf(name, sizeof name, "sigaction-old-%u", i);
		attempt(name, what, SYS4(SYS_rt_sigaction, SIGUSR1, 0, a, 8), EFAULT);
		snprintf(what, sizeof what, "open(path at %s %lx)", bad[i].what, a);
		snprintf(name, sizeof name, "open-path-%u", i);
		attempt(name, what, SYS4(SYS_openat, AT_FDCWD, a, O_RDONLY, 0), EFAULT);
	}
	/* our own read-only text is not a buffer the kernel may write */
	snprintf(what, sizeof what, "read(file, own text %p, 16)", (void *)kernel_pointers);
	lseek(src, 0, SEEK_SET);
	attempt("read-into-own-text", what, SYS3(SYS_read, src, kernel_pointers, 16), EFAULT);
}

/*
 * Another process's memory: a child maps a secret at OTHER_VA, which is
 * unmapped here.  Our syscalls take the address in our own address space,
 * never the child's: EFAULT, and the child's page is unchanged.
 */
static void other_memory(void)
{
	int ready[2], done[2];
	if (pipe(ready) || pipe(done))
		return;
	pid_t pid = fork();
	if (pid == 0) {
		char *p = mmap((void *)OTHER_VA, 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		if (p == MAP_FAILED)
			_exit(2);
		strcpy(p, "the other process's secret");
		char c = 1;
		if (write(ready[1], &c, 1) != 1 || read(done[0], &c, 1) != 1)
			_exit(3);
		_exit(strcmp(p, "the other process's secret") ? 1 : 0);	/* untouched? */
	}
	char c;
	if (read(ready[0], &c, 1) != 1)
		return;
	char what[96];
	snprintf(what, sizeof what, "write(file, other's %lx, 26)", OTHER_VA);
	attempt("write-from-other-process", what, SYS3(SYS_write, sink, OTHER_VA, 26), EFAULT);
	snprintf(what, sizeof what, "read(file, other's %lx, 16)", OTHER_VA);
	lseek(src, 0, SEEK_SET);
	attempt("read-into-other-process", what, SYS3(SYS_read, src, OTHER_VA, 16), EFAULT);
	snprintf(what, sizeof what, "pread(file, other's %lx, 16, 0)", OTHER_VA);
	attempt("pread-into-other-process", what, SYS4(SYS_pread64, src, OTHER_VA, 16, 0), EFAULT);
	struct iovec iov = { (void *)OTHER_VA, 26 };
	snprintf(what, sizeof what, "writev(file, {other's %lx, 26})", OTHER_VA);
	attempt("writev-from-other-process", what, SYS3(SYS_writev, sink, &iov, 1), EFAULT);
	int dir = open("/", O_RDONLY | O_DIRECTORY);
	snprintf(what, sizeof what, "getdents64(/, other's %lx, 4096)", OTHER_VA);
	attempt("getdents-into-other-process", what, SYS3(SYS_getdents64, dir, OTHER_VA, 4096), EFAULT);
	close(dir);
	snprintf(what, sizeof what, "stat into other's %lx", OTHER_VA);
	attempt("stat-into-other-process", what, SYS4(SYS_newfstatat, AT_FDCWD, "/", OTHER_VA, 0), EFAULT);
	snprintf(what, sizeof what, "rt_sigaction(SIGUSR1, act at other's %lx)", OTHER_VA);
	attempt("sigaction-from-other-process", what, SYS4(SYS_rt_sigaction, SIGUSR1, OTHER_VA, 0, 8), EFAULT);
	snprintf(what, sizeof what, "rt_sigaction(SIGUSR1, oldact at other's %lx)", OTHER_VA);
	attempt("sigaction-into-other-process", what, SYS4(SYS_rt_sigaction, SIGUSR1, 0, OTHER_VA, 8), EFAULT);
	snprintf(what, sizeof what, "open(path at other's %lx)", OTHER_VA);
	attempt("open-path-other-process", what, SYS4(SYS_openat, AT_FDCWD, OTHER_VA, O_RDONLY, 0), EFAULT);
	c = 0;
	if (write(done[1], &c, 1) != 1)
		return;
	int status;
	waitpid(pid, &status, 0);
	printf("attack other-memory-intact: child's page after the attempts -> exit %d\n",
	       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	UT_CHECK("other-memory-intact", WIFEXITED(status) && WEXITSTATUS(status) == 0,
		 "expected the child's secret unchanged (exit 0), got status %#x", status);
	close(ready[0]); close(ready[1]); close(done[0]); close(done[1]);
}

static void files_and_ids(pid_t root_pid)
{
	char what[96];
	attempt("open-root-0600", "open(" SECRET ", O_RDONLY)",
		SYS4(SYS_openat, AT_FDCWD, SECRET, O_RDONLY, 0), EACCES);
	attempt("open-shadow", "open(/etc/shadow, O_RDONLY)",
		SYS4(SYS_openat, AT_FDCWD, "/etc/shadow", O_RDONLY, 0), EACCES);
	attempt("chmod-root-0600", "chmod(" SECRET ", 0666)", SYS3(SYS_fchmodat, AT_FDCWD, SECRET, 0666), EPERM);
	attempt("chown-root-0600", "chown(" SECRET ", 1000)",
		SYS5(SYS_fchownat, AT_FDCWD, SECRET, UID, GID, 0), EPERM);
	attempt("unlink-root-file", "unlink(" SECRET ") in sticky /tmp",
		SYS3(SYS_unlinkat, AT_FDCWD, SECRET, 0), EPERM);
	snprintf(what, sizeof what, "kill(%d, SIGKILL) (root's process)", root_pid);
	attempt("kill-root-process", what, SYS2(SYS_kill, root_pid, SIGKILL), EPERM);
	/* Linux returns 0 here whatever it could not signal: what counts is who survives */
	long r = SYS2(SYS_kill, -1, SIGKILL);
	pid_t w = waitpid(root_pid, NULL, WNOHANG);
	printf("attack kill-everyone: kill(-1, SIGKILL) -> %ld, root process %d %s\n", r, root_pid,
	       w == 0 ? "still running" : "gone");
	UT_CHECK("kill-everyone", r == 0 && w == 0, "expected 0 and the root process alive, got %ld, waitpid %d", r, w);
	snprintf(what, sizeof what, "tgkill(%d, %d, SIGKILL)", root_pid, root_pid);
	attempt("tgkill-root-process", what, SYS3(SYS_tgkill, root_pid, root_pid, SIGKILL), EPERM);
	attempt("setuid-0", "setuid(0)", SYS1(SYS_setuid, 0), EPERM);
	attempt("setreuid-0", "setreuid(0, 0)", SYS2(SYS_setreuid, 0, 0), EPERM);
	attempt("setresuid-0", "setresuid(-1, 0, -1)", SYS3(SYS_setresuid, -1, 0, -1), EPERM);
	attempt("setgid-0", "setgid(0)", SYS1(SYS_setgid, 0), EPERM);
	gid_t g0 = 0;
	attempt("setgroups-0", "setgroups(1, {0})", SYS2(SYS_setgroups, 1, &g0), EPERM);
	long fs = SYS1(SYS_setfsuid, 0);
	long now = SYS1(SYS_setfsuid, -1);
	printf("attack setfsuid-0: setfsuid(0) -> old %ld, fsuid now %ld\n", fs, now);
	UT_CHECK("setfsuid-0", now == UID, "expected fsuid to stay %d, got %ld", UID, now);
	long e = SYS0(SYS_geteuid);
	UT_CHECK("still-uid-1000", e == UID && SYS0(SYS_getuid) == UID, "expected uid/euid 1000, got euid %ld", e);
	attempt("reboot", "reboot(POWER_OFF)", SYS4(SYS_reboot, 0xfee1dead, 672274793, 0x4321fedc, 0), EPERM);
	attempt("mknod-mem-device", "mknod(/tmp/kmem, S_IFCHR, 1:2)",
		SYS4(SYS_mknodat, AT_FDCWD, "/tmp/kmem", S_IFCHR | 0666, 0x102), EPERM);
}

static void exec_and_fds(pid_t root_pid)
{
	char what[96];
	/* a 0644 copy of a program: not executable, not even for its contents */
	int in = open("/bin/hello", O_RDONLY), out = open("/tmp/attack-noexec", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	static char buf[65536];
	long n;
	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)n) != n)
			break;
	close(in);
	close(out);
	char *argv[] = { "/tmp/attack-noexec", NULL };
	attempt("exec-0644", "execve(/tmp/attack-noexec, mode 0644)",
		SYS3(SYS_execve, "/tmp/attack-noexec", argv, NULL), EACCES);
	char *argv2[] = { "/tmp", NULL };
	attempt("exec-directory", "execve(/tmp)", SYS3(SYS_execve, "/tmp", argv2, NULL), EACCES);
	int ro = open("/tmp/attack-noexec", O_RDONLY);
	snprintf(what, sizeof what, "write(read-only fd %d)", ro);
	attempt("write-readonly-fd", what, SYS3(SYS_write, ro, "x", 1), EBADF);
	snprintf(what, sizeof what, "pwrite(read-only fd %d)", ro);
	attempt("pwrite-readonly-fd", what, SYS4(SYS_pwrite64, ro, "x", 1, 0), EBADF);
	snprintf(what, sizeof what, "ftruncate(read-only fd %d)", ro);
	attempt("ftruncate-readonly-fd", what, SYS2(SYS_ftruncate, ro, 0), EINVAL);
	int wo = open("/tmp/attack-noexec", O_WRONLY);
	snprintf(what, sizeof what, "read(write-only fd %d)", wo);
	attempt("read-writeonly-fd", what, SYS3(SYS_read, wo, buf, 1), EBADF);
	close(ro);
	close(wo);
	/* numbers past our table; the kernel takes the int (0x100000040 is fd 64) */
	static const long fds[] = { 60, 63, 64, 1000, -1, -100, 0x100000040L };
	for (unsigned i = 0; i < sizeof fds / sizeof fds[0]; i++) {
		char name[32];
		snprintf(name, sizeof name, "fd-not-owned-%u", i);
		snprintf(what, sizeof what, "read(fd %ld)", fds[i]);
		attempt(name, what, SYS3(SYS_read, fds[i], buf, 1), EBADF);
		snprintf(name, sizeof name, "fd-not-owned-close-%u", i);
		snprintf(what, sizeof what, "close(fd %ld)", fds[i]);
		attempt(name, what, SYS1(SYS_close, fds[i]), EBADF);
	}
	/* fd 40 is the root process's (its secret), not ours: fd tables are per process */
	snprintf(what, sizeof what, "read(fd 40), the root process's fd on %s", SECRET);
	attempt("fd-of-root-process", what, SYS3(SYS_read, 40, buf, 1), EBADF);
	/* the root process's fds and its memory through /proc */
	snprintf(what, sizeof what, "/proc/%d/fd/0", root_pid);
	attempt("proc-fd-of-root", what, SYS4(SYS_openat, AT_FDCWD, what, O_RDONLY, 0), EACCES);
	snprintf(what, sizeof what, "/proc/%d/fd", root_pid);
	attempt("proc-fd-dir-of-root", what, SYS4(SYS_openat, AT_FDCWD, what, O_RDONLY | O_DIRECTORY, 0), EACCES);
	snprintf(what, sizeof what, "/proc/%d/cwd", root_pid);
	attempt("proc-cwd-of-root", what, SYS4(SYS_readlinkat, AT_FDCWD, what, buf, 64), EACCES);
	snprintf(what, sizeof what, "/proc/%d/mem", root_pid);
	attempt("proc-mem-of-root", what, SYS4(SYS_openat, AT_FDCWD, what, O_RDONLY, 0), ENOENT);
}

int main(void)
{
	/* as root: the targets */
	int fd = open(SECRET, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, "root only\n", 10) != 10 || close(fd))
		printf("setup: %s\n", strerror(errno));
	pid_t root_pid = fork();
	if (root_pid == 0) {
		int keep = open(SECRET, O_RDONLY);	/* an fd the attacker must not reach */
		dup2(keep, 40);
		for (;;)
			pause();
	}
	gid_t groups[1] = { 100 };
	if (setgroups(1, groups) || setresgid(GID, GID, GID) || setresuid(UID, UID, UID)) {
		printf("cannot become uid %d: %s\n", UID, strerror(errno));
		return 1;
	}
	printf("attack: running as uid %d euid %d against root process %d\n", getuid(), geteuid(), root_pid);
	sink = open("/tmp/attack-sink", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	src = open("/etc/passwd", O_RDONLY);
	if (sink < 0 || src < 0 || sink != 3)
		printf("setup: sink %d src %d\n", sink, src);
	kernel_memory();
	kernel_pointers();
	other_memory();
	files_and_ids(root_pid);
	exec_and_fds(root_pid);
	/* the root process survived everything above */
	int st;
	pid_t w = waitpid(root_pid, &st, WNOHANG);
	printf("attack root-process-alive: waitpid(%d, WNOHANG) -> %d\n", root_pid, w);
	UT_CHECK("root-process-alive", w == 0, "expected the root process still running, waitpid gave %d", w);
	return ut_summary();
}
