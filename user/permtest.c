/*
 * permtest: the permission rules as root and as an ordinary user.
 *   permtest            run the suite as root
 *   permtest user       set up as root, then become uid 1000 (gid 1000,
 *                       groups 100) and run the same suite
 *   permtest ids        print "ruid euid suid rgid egid sgid" (the
 *                       set-user-ID copy runs this)
 * Each check knows what root and what a user must get (credentials(7),
 * path_resolution(7), Linux's errno), so a kernel that lets the user
 * through, or stops root, fails a line.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "ut.h"

#define D "/tmp/pt"
#define UID 1000
#define GID 1000
#define GRP 100			/* the user's supplementary group */
#define OTHER_GID 50		/* a group the user is not in */

static int root;		/* running the suite as root */
static pid_t victim;		/* a root process that only sleeps */

/* want: root's result if root, the user's otherwise */
static void check(const char *name, long got, long want_root, long want_user)
{
	ut_check_ret(name, got, root ? want_root : want_user);
}

static void put_file(const char *path, int mode, uid_t uid, gid_t gid, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, text, strlen(text)) < 0 || close(fd) < 0 ||
	    chown(path, uid, gid) < 0 || chmod(path, mode) < 0)
		printf("setup: %s: %s\n", path, strerror(errno));
}

static void copy_file(const char *from, const char *to, int mode)
{
	static char buf[65536];
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0700);
	long n;
	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)n) != n)
			break;
	close(in);
	close(out);
	if (in < 0 || out < 0 || chmod(to, mode) < 0)
		printf("setup: %s: %s\n", to, strerror(errno));
}

static void put_dir(const char *path, int mode, gid_t gid)
{
	if ((mkdir(path, 0700) < 0 && errno != EEXIST) || chown(path, 0, gid) < 0 ||
	    chmod(path, mode) < 0)
		printf("setup: %s: %s\n", path, strerror(errno));
}

/* The fixture, made as root before the suite starts. */
static void setup(void)
{
	put_dir(D, 0755, 0);
	put_dir(D "/open", 0777, 0);
	put_dir(D "/sticky", 01777, 0);
	put_dir(D "/sgid", 02777, OTHER_GID);
	put_dir(D "/private", 0700, 0);
	put_file(D "/private/f", 0644, 0, 0, "hidden\n");
	put_file(D "/private/g", 0644, 0, 0, "to rename\n");
	put_file(D "/victim", 0644, 0, 0, "to unlink\n");
	put_file(D "/root600", 0600, 0, 0, "root's secret\n");
	put_file(D "/root644", 0644, 0, 0, "everyone reads\n");
	put_file(D "/root666", 0666, 0, 0, "everyone writes\n");
	put_file(D "/user600", 0600, UID, GID, "user's secret\n");
	put_file(D "/sticky/rootfile", 0666, 0, 0, "in /tmp\n");
	put_file(D "/suidw", 04777, 0, 0, "set-uid, writable\n");
	copy_file("/bin/hello", D "/noexec", 0644);
	copy_file("/bin/hello", D "/rootonly", 0700);
	copy_file("/proc/self/exe", D "/suid", 04755);
	copy_file("/proc/self/exe", D "/sgidprog", 02755);
	if (chown(D "/sgidprog", 0, OTHER_GID) < 0 || chmod(D "/sgidprog", 02755) < 0)
		printf("setup: sgidprog: %s\n", strerror(errno));
}

static void become_user(void)
{
	gid_t groups[1] = { GRP };
	if (setgroups(1, groups) || setresgid(GID, GID, GID) || setresuid(UID, UID, UID))
		printf("become_user: %s\n", strerror(errno));
}

/* Run path with argv[1] = arg, its stdout into out; the exit status, or -errno of execve. */
static int run(const char *path, const char *arg, char *out, size_t n)
{
	int p[2], e[2];
	if (pipe(p) || pipe2(e, O_CLOEXEC))
		return -EMFILE;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		char *argv[] = { (char *)path, (char *)arg, NULL };
		long r = SYS3(SYS_execve, path, argv, NULL);
		if (write(e[1], &r, sizeof r) < 0)
			_exit(126);
		_exit(127);
	}
	close(p[1]);
	close(e[1]);
	long r = 0;
	ssize_t k = read(e[0], &r, sizeof r);
	ssize_t len = read(p[0], out, n - 1);
	out[len > 0 ? len : 0] = 0;
	int st;
	waitpid(pid, &st, 0);
	close(p[0]);
	close(e[0]);
	if (k == sizeof r)
		return (int)r;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static long try_open(const char *path, int flags)
{
	long fd = SYS4(SYS_openat, AT_FDCWD, path, flags, 0644);
	if (fd >= 0)
		close((int)fd);
	return fd >= 0 ? 0 : fd;
}

static uint32_t mode_of(const char *path)
{
	struct stat st;
	return stat(path, &st) ? 0 : st.st_mode;
}

static void test_open(void)
{
	check("open-root600-read", try_open(D "/root600", O_RDONLY), 0, -EACCES);
	check("open-root644-read", try_open(D "/root644", O_RDONLY), 0, 0);
	check("open-root644-write", try_open(D "/root644", O_WRONLY), 0, -EACCES);
	check("open-root644-trunc", try_open(D "/root644", O_RDONLY | O_TRUNC), 0, -EACCES);
	check("open-root666-write", try_open(D "/root666", O_RDWR), 0, 0);
	check("open-user600-read", try_open(D "/user600", O_RDONLY), 0, 0);
	check("search-private-dir", try_open(D "/private/f", O_RDONLY), 0, -EACCES);
	struct stat st;
	check("stat-in-private-dir", SYS4(SYS_newfstatat, AT_FDCWD, D "/private/f", &st, 0), 0, -EACCES);
	check("list-private-dir", try_open(D "/private", O_RDONLY | O_DIRECTORY), 0, -EACCES);
	check("chdir-private-dir", SYS1(SYS_chdir, D "/private"), 0, -EACCES);
	SYS1(SYS_chdir, "/");
	check("open-dir-for-write", try_open(D "/open", O_WRONLY), -EISDIR, -EISDIR);
	check("create-in-root-dir", try_open(D "/new", O_WRONLY | O_CREAT), 0, -EACCES);
	check("create-in-open-dir", try_open(D "/open/new", O_WRONLY | O_CREAT | O_EXCL), 0, 0);
	check("mkdir-in-root-dir", SYS3(SYS_mkdirat, AT_FDCWD, D "/newdir", 0755), 0, -EACCES);
	check("symlink-in-root-dir", SYS3(SYS_symlinkat, "x", AT_FDCWD, D "/newlink"), 0, -EACCES);
	check("mknod-fifo-open-dir", SYS4(SYS_mknodat, AT_FDCWD, D "/open/fifo", S_IFIFO | 0600, 0), 0, 0);
	check("mknod-chardev", SYS4(SYS_mknodat, AT_FDCWD, D "/open/null2", S_IFCHR | 0600, 0x103), 0, -EPERM);
}

/* A new file's owner and group: the fsuid/fsgid, or the set-group-ID directory's group. */
static void test_new_owner(void)
{
	struct stat st;
	int fd = open(D "/open/mine", O_WRONLY | O_CREAT | O_TRUNC, 0666);
	close(fd);
	long r = SYS4(SYS_newfstatat, AT_FDCWD, D "/open/mine", &st, 0);
	UT_CHECK("new-file-owner", r == 0 && st.st_uid == (root ? 0u : UID) && st.st_gid == (root ? 0u : GID),
		 "expected uid %d gid %d, got r=%ld uid %u gid %u", root ? 0 : UID, root ? 0 : GID, r,
		 st.st_uid, st.st_gid);
	UT_CHECK("new-file-umask", (st.st_mode & 0777) == 0644, "expected 0644, got %o", st.st_mode & 0777);
	fd = open(D "/sgid/f", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	close(fd);
	mkdir(D "/sgid/d", 0755);
	r = SYS4(SYS_newfstatat, AT_FDCWD, D "/sgid/f", &st, 0);
	UT_CHECK("sgid-dir-group", r == 0 && st.st_gid == OTHER_GID, "expected gid %d, got r=%ld gid %u",
		 OTHER_GID, r, st.st_gid);
	UT_CHECK("sgid-dir-subdir-inherits", (mode_of(D "/sgid/d") & 02000) != 0,
		 "expected the set-group-ID bit on a new subdirectory, mode %o", mode_of(D "/sgid/d"));
}

static void test_owner_calls(void)
{
	check("chmod-own-file", SYS3(SYS_fchmodat, AT_FDCWD, D "/open/mine", 0600), 0, 0);
	check("chmod-root-file", SYS3(SYS_fchmodat, AT_FDCWD, D "/root644", 0644), 0, -EPERM);
	/* set-group-ID for a group the caller is not in is dropped (CAP_FSETID keeps it) */
	SYS3(SYS_fchmodat, AT_FDCWD, D "/sgid/f", 02755);
	check("chmod-sgid-foreign-group", (mode_of(D "/sgid/f") & 02000) != 0, 1, 0);
	check("chown-own-to-root", SYS5(SYS_fchownat, AT_FDCWD, D "/open/mine", 0, -1, 0), 0, -EPERM);
	check("chgrp-own-to-member", SYS5(SYS_fchownat, AT_FDCWD, D "/open/mine", -1, GRP, 0), 0, root ? 0 : 0);
	check("chgrp-own-to-nonmember", SYS5(SYS_fchownat, AT_FDCWD, D "/open/mine", -1, OTHER_GID, 0), 0, -EPERM);
	check("chown-root-file", SYS5(SYS_fchownat, AT_FDCWD, D "/root644", 0, 0, 0), 0, -EPERM);
	struct timespec ts[2] = { { 1000, 0 }, { 2000, 0 } };
	check("utimes-explicit-root644", SYS4(SYS_utimensat, AT_FDCWD, D "/root644", ts, 0), 0, -EPERM);
	check("utimes-now-root644", SYS4(SYS_utimensat, AT_FDCWD, D "/root644", NULL, 0), 0, -EACCES);
	check("utimes-now-root666", SYS4(SYS_utimensat, AT_FDCWD, D "/root666", NULL, 0), 0, 0);
	check("utimes-explicit-own", SYS4(SYS_utimensat, AT_FDCWD, D "/open/mine", ts, 0), 0, 0);
	check("truncate-root644", SYS2(SYS_truncate, D "/root644", 0), 0, -EACCES);
	check("truncate-root666", SYS2(SYS_truncate, D "/root666", 3), 0, 0);
}

static void test_remove(void)
{
	check("unlink-in-root-dir", SYS3(SYS_unlinkat, AT_FDCWD, D "/victim", 0), 0, -EACCES);
	check("unlink-sticky-others", SYS3(SYS_unlinkat, AT_FDCWD, D "/sticky/rootfile", 0), 0, -EPERM);
	int fd = open(D "/sticky/own", O_WRONLY | O_CREAT, 0644);
	close(fd);
	check("unlink-sticky-own", SYS3(SYS_unlinkat, AT_FDCWD, D "/sticky/own", 0), 0, 0);
	check("rename-out-of-private", SYS5(SYS_renameat2, AT_FDCWD, D "/private/g", AT_FDCWD, D "/open/g", 0),
	      0, -EACCES);
	check("rename-into-root-dir", SYS5(SYS_renameat2, AT_FDCWD, D "/open/mine", AT_FDCWD, D "/stolen", 0),
	      0, -EACCES);
	check("rmdir-in-root-dir", SYS3(SYS_unlinkat, AT_FDCWD, D "/private", 0x200),
	      -ENOTEMPTY, -EACCES);
}

static void test_access(void)
{
	check("access-root600-r", SYS3(SYS_faccessat, AT_FDCWD, D "/root600", R_OK), 0, -EACCES);
	check("access-root644-w", SYS3(SYS_faccessat, AT_FDCWD, D "/root644", W_OK), 0, -EACCES);
	check("access-noexec-x", SYS3(SYS_faccessat, AT_FDCWD, D "/noexec", X_OK), -EACCES, -EACCES);
	check("access-rootonly-x", SYS3(SYS_faccessat, AT_FDCWD, D "/rootonly", X_OK), 0, -EACCES);
	check("access-private-f", SYS3(SYS_faccessat, AT_FDCWD, D "/private/f", F_OK), 0, -EACCES);
	if (!root)
		return;
	/* effective uid 1000, real 0: access() asks as the real id, AT_EACCESS as the effective */
	long r = SYS3(SYS_setresuid, -1, UID, -1);
	ut_check_ret("root-seteuid-user", r, 0);
	ut_check_ret("euid-user-open-root600", try_open(D "/root600", O_RDONLY), -EACCES);
	ut_check_ret("euid-user-access-real", SYS3(SYS_faccessat, AT_FDCWD, D "/root600", R_OK), 0);
	ut_check_ret("euid-user-access-eaccess", SYS4(SYS_faccessat2, AT_FDCWD, D "/root600", R_OK, 0x200),
		     -EACCES);
	ut_check_ret("euid-back-to-root", SYS1(SYS_setuid, 0), 0);
	ut_check_ret("euid-root-again", try_open(D "/root600", O_RDONLY), 0);
}

static void test_exec(void)
{
	char out[128];
	check("exec-0644", run(D "/noexec", NULL, out, sizeof out), -EACCES, -EACCES);
	check("exec-dir", run(D "/open", NULL, out, sizeof out), -EACCES, -EACCES);
	check("exec-root-0700", run(D "/rootonly", NULL, out, sizeof out), 0, -EACCES);
	int r = run(D "/suid", "ids", out, sizeof out);
	const char *want = root ? "0 0 0 0 0 0\n" : "1000 0 0 1000 1000 1000\n";
	UT_CHECK("exec-setuid-root", r == 0 && !strcmp(out, want), "expected [%s] status 0, got [%s] status %d",
		 want, out, r);
	r = run(D "/sgidprog", "ids", out, sizeof out);
	want = root ? "0 0 0 0 50 50\n" : "1000 1000 1000 1000 50 50\n";
	UT_CHECK("exec-setgid", r == 0 && !strcmp(out, want), "expected [%s] status 0, got [%s] status %d",
		 want, out, r);
	/* a write by a non-root user drops set-user-ID; root's keeps it */
	int fd = open(D "/suidw", O_WRONLY);
	long w = fd >= 0 ? write(fd, "x", 1) : -errno;
	close(fd);
	UT_CHECK("write-clears-setuid", w == 1 && ((mode_of(D "/suidw") & 04000) != 0) == root,
		 "expected write 1 and set-user-ID %s, got %ld and mode %o", root ? "kept" : "cleared", w,
		 mode_of(D "/suidw"));
}

static void test_ids(void)
{
	uid_t r, e, s;
	check("setuid-0", SYS1(SYS_setuid, 0), 0, -EPERM);
	check("setreuid-0", SYS2(SYS_setreuid, -1, 0), 0, -EPERM);
	check("setresuid-0", SYS3(SYS_setresuid, 0, 0, 0), 0, -EPERM);
	check("setgid-0", SYS1(SYS_setgid, 0), 0, -EPERM);
	check("setgroups", SYS2(SYS_setgroups, 0, NULL), 0, -EPERM);
	check("setuid-self", SYS1(SYS_setuid, root ? 0 : UID), 0, 0);
	check("setfsuid-0", SYS1(SYS_setfsuid, 0), 0, UID);
	check("fsuid-unchanged", SYS1(SYS_setfsuid, -1), 0, UID);
	SYS3(SYS_getresuid, &r, &e, &s);
	UT_CHECK("getresuid", r == e && e == s && s == (root ? 0u : UID), "got %u %u %u", r, e, s);
	gid_t g[4];
	long n = SYS2(SYS_getgroups, 4, g);
	check("getgroups", n == (root ? 0 : 1) && (root || g[0] == GRP), 1, 1);
	check("getgroups-small", SYS2(SYS_getgroups, 0, NULL), 0, 1);
}

static void test_signals_and_proc(void)
{
	char path[64];
	check("kill-root-process", SYS2(SYS_kill, victim, 0), 0, -EPERM);
	/* Linux's kill(-1) reports no -EPERM: it signals those it may (attack.c checks who survives) */
	check("kill-all-foreign", SYS2(SYS_kill, -1, 0), 0, 0);
	check("kill-root-group", SYS2(SYS_kill, -victim, 0), 0, -EPERM);
	snprintf(path, sizeof path, "/proc/%d/fd", victim);
	check("proc-fd-foreign", try_open(path, O_RDONLY | O_DIRECTORY), 0, -EACCES);
	snprintf(path, sizeof path, "/proc/%d/cwd", victim);
	char buf[64];
	long r = SYS4(SYS_readlinkat, AT_FDCWD, path, buf, sizeof buf);
	check("proc-cwd-foreign", r > 0 ? 0 : r, 0, -EACCES);
	check("proc-fd-self", try_open("/proc/self/fd", O_RDONLY | O_DIRECTORY), 0, 0);
	check("kill-root-sigkill", SYS2(SYS_kill, victim, SIGKILL), 0, -EPERM);
	check("sethostname", SYS2(SYS_sethostname, "duet", 4), 0, -EPERM);
	if (!root)
		check("reboot", SYS4(SYS_reboot, 0xfee1dead, 672274793, 0x4321fedc, 0), 0, -EPERM);
}

static void print_ids(void)
{
	uid_t r, e, s;
	gid_t gr, ge, gs;
	getresuid(&r, &e, &s);
	getresgid(&gr, &ge, &gs);
	printf("%u %u %u %u %u %u\n", r, e, s, gr, ge, gs);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "ids")) {
		print_ids();
		return 0;
	}
	root = !(argc > 1 && !strcmp(argv[1], "user"));
	umask(022);
	setup();
	victim = fork();
	if (victim == 0) {
		setpgid(0, 0);
		for (;;)
			pause();
	}
	setpgid(victim, victim);	/* its own group, whichever of us runs first */
	pid_t keeper = 0;
	if (!root) {
		/*
		 * The root half stays behind as the user's parent: a root
		 * process to try to signal and inspect.
		 */
		int p[2];
		if (pipe(p))
			return 2;
		keeper = fork();
		if (keeper > 0) {
			close(p[0]);
			int st;
			waitpid(keeper, &st, 0);
			kill(victim, SIGKILL);
			return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
		}
		close(p[1]);
		become_user();
	}
	printf("permtest as %s: uid %d euid %d\n", root ? "root" : "user", getuid(), geteuid());
	test_open();
	test_new_owner();
	test_owner_calls();
	test_remove();
	test_access();
	test_exec();
	test_ids();
	test_signals_and_proc();
	if (root)
		kill(victim, SIGKILL);
	return ut_summary();
}
