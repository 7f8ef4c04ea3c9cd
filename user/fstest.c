/*
 * fstest - conformance checks for the file system calls of syscall/sys_fs2.c:
 * linkat symlinkat readlinkat renameat2 faccessat faccessat2 fchmod fchmodat
 * fchown fchownat utimensat truncate ftruncate fsync fdatasync sync statfs
 * fstatfs statx mknodat sendfile ppoll pselect6.
 *
 * Each check prints "PASS <name>" or "FAIL <name>: ..."; the last line is
 * "N passed, N failed" and the exit status is 0 iff all passed.  Linux
 * (riscv64, or qemu-riscv64 on a Linux host, run as root) is the reference:
 * every check here passes there.  renameat (38) is not probed: Linux riscv64
 * has no such call (ENOSYS), musl uses renameat2.
 *
 * Everything happens in a fresh directory under /tmp, removed at the end.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ut.h"

#define BAD ((void *)8)			/* never mapped */
#define BADK ((void *)0xffffffc000000000UL)	/* kernel half */
#define MS 1000000LL

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif
#define X_AT_STATX_SYNC_TYPE 0x6000
#define X_RENAME_NOREPLACE 1
#define X_RENAME_EXCHANGE 2
#define X_STATX_BASIC_STATS 0x7ffu
#define RAMFS_MAGIC 0x858458f6
#define PIPEFS_MAGIC 0x50495045
#define X_UTIME_NOW ((1L << 30) - 1)
#define X_UTIME_OMIT ((1L << 30) - 2)

/* Linux uapi struct statx (own copy: not every libc has it) */
struct x_statx_ts { int64_t sec; uint32_t nsec; int32_t pad; };
struct x_statx {
	uint32_t mask, blksize;
	uint64_t attributes;
	uint32_t nlink, uid, gid;
	uint16_t mode, pad0;
	uint64_t ino, size, blocks, attributes_mask;
	struct x_statx_ts atime, btime, ctime, mtime;
	uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
	uint64_t spare[14];
};

static char dir[64];

/* ---- raw wrappers ---- */
static long xopen(const char *p, int flags, int mode) { return SYS4(SYS_openat, AT_FDCWD, p, flags, mode); }
static long xclose(long fd) { return SYS1(SYS_close, fd); }
static long xwrite(long fd, const void *b, long n) { return SYS3(SYS_write, fd, b, n); }
static long xread(long fd, void *b, long n) { return SYS3(SYS_read, fd, b, n); }
static long xlstat(const char *p, struct stat *st) { return SYS4(SYS_newfstatat, AT_FDCWD, p, st, AT_SYMLINK_NOFOLLOW); }
static long xstat(const char *p, struct stat *st) { return SYS4(SYS_newfstatat, AT_FDCWD, p, st, 0); }
static long xunlink(const char *p) { return SYS3(SYS_unlinkat, AT_FDCWD, p, 0); }
static long xrmdir(const char *p) { return SYS3(SYS_unlinkat, AT_FDCWD, p, AT_REMOVEDIR); }
static long xmkdir(const char *p, int mode) { return SYS3(SYS_mkdirat, AT_FDCWD, p, mode); }
static long xlink(const char *o, const char *n, int fl) { return SYS5(SYS_linkat, AT_FDCWD, o, AT_FDCWD, n, fl); }
static long xsymlink(const char *t, const char *n) { return SYS3(SYS_symlinkat, t, AT_FDCWD, n); }
static long xrename(const char *o, const char *n, int fl) { return SYS5(SYS_renameat2, AT_FDCWD, o, AT_FDCWD, n, fl); }
static long xaccess(const char *p, int m) { return SYS3(SYS_faccessat, AT_FDCWD, p, m); }
static long xaccess2(int dfd, const char *p, int m, int fl) { return SYS4(SYS_faccessat2, dfd, p, m, fl); }
static long xchmod(const char *p, int m) { return SYS3(SYS_fchmodat, AT_FDCWD, p, m); }
static long xchown(const char *p, int u, int g, int fl) { return SYS5(SYS_fchownat, AT_FDCWD, p, u, g, fl); }
static long xutimens(int dfd, const char *p, const struct timespec *t, int fl) { return SYS4(SYS_utimensat, dfd, p, t, fl); }
static long xmknod(const char *p, int m, long dev) { return SYS4(SYS_mknodat, AT_FDCWD, p, m, dev); }
static long xstatx(int dfd, const char *p, int fl, unsigned mask, void *b) { return SYS5(SYS_statx, dfd, p, fl, mask, b); }
static long xppoll(struct pollfd *f, long n, const struct timespec *t) { return SYS5(SYS_ppoll, f, n, t, 0, 8); }
static long xselect(int n, fd_set *r, fd_set *w, fd_set *e, struct timespec *t) { return SYS6(SYS_pselect6, n, r, w, e, t, 0); }

/* A file with the given content (created or truncated). */
static void put_file(const char *p, const char *s)
{
	long fd = xopen(p, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	xwrite(fd, s, (long)strlen(s));
	xclose(fd);
}

static int64_t realtime_sec(void)
{
	struct timespec ts;
	SYS2(SYS_clock_gettime, CLOCK_REALTIME, &ts);
	return ts.tv_sec;
}

/* ---- linkat ---- */
static void test_link(void)
{
	struct stat a, b;
	put_file("a", "hello");
	ut_check_ret("linkat", xlink("a", "b", 0), 0);
	xstat("a", &a);
	xstat("b", &b);
	UT_CHECK("linkat_same_inode", a.st_ino == b.st_ino && a.st_nlink == 2 && b.st_nlink == 2,
		 "ino %lu/%lu nlink %lu", (unsigned long)a.st_ino, (unsigned long)b.st_ino, (unsigned long)a.st_nlink);
	ut_check_ret("linkat_eexist", xlink("a", "b", 0), -EEXIST);
	ut_check_ret("linkat_enoent", xlink("nosuch", "b2", 0), -ENOENT);
	ut_check_ret("linkat_newdir_enoent", xlink("a", "nodir/b2", 0), -ENOENT);
	ut_check_ret("linkat_trailing_slash_enoent", xlink("a", "b2/", 0), -ENOENT);
	ut_check_ret("linkat_enotdir", xlink("a/x", "b2", 0), -ENOTDIR);
	xmkdir("d", 0755);
	ut_check_ret("linkat_dir_eperm", xlink("d", "d2", 0), -EPERM);
	ut_check_ret("linkat_badflags_einval", xlink("a", "b2", 1), -EINVAL);
	ut_check_ret("linkat_efault_old", xlink(BAD, "b2", 0), -EFAULT);
	ut_check_ret("linkat_efault_new", xlink("a", BADK, 0), -EFAULT);
	ut_check_ret("linkat_ebadf", SYS5(SYS_linkat, 99, "a", AT_FDCWD, "b2", 0), -EBADF);
	/* without AT_SYMLINK_FOLLOW the link names the symlink itself */
	xsymlink("a", "sa");
	ut_check_ret("linkat_symlink", xlink("sa", "sa2", 0), 0);
	UT_CHECK("linkat_symlink_nofollow", xlstat("sa2", &b) == 0 && S_ISLNK(b.st_mode),
		 "mode %o", b.st_mode);
	ut_check_ret("linkat_follow", xlink("sa", "sa3", AT_SYMLINK_FOLLOW), 0);
	UT_CHECK("linkat_follow_target", xlstat("sa3", &b) == 0 && S_ISREG(b.st_mode) && b.st_ino == a.st_ino,
		 "mode %o ino %lu", b.st_mode, (unsigned long)b.st_ino);
	{
		long fd = xopen("a", O_RDONLY, 0);
		ut_check_ret("linkat_empty_path", SYS5(SYS_linkat, fd, "", AT_FDCWD, "b4", AT_EMPTY_PATH), 0);
		xclose(fd);
	}
	ut_check_ret("linkat_empty_enoent", xlink("", "b5", 0), -ENOENT);
}

/* ---- symlinkat, readlinkat ---- */
static void test_symlink(void)
{
	struct stat st;
	char buf[64];
	ut_check_ret("symlinkat", xsymlink("abcdef", "s"), 0);
	UT_CHECK("symlinkat_lstat", xlstat("s", &st) == 0 && S_ISLNK(st.st_mode) && st.st_size == 6,
		 "mode %o size %ld", st.st_mode, (long)st.st_size);
	ut_check_ret("symlinkat_eexist", xsymlink("x", "a"), -EEXIST);
	ut_check_ret("symlinkat_eexist_dir", xsymlink("x", "d"), -EEXIST);
	ut_check_ret("symlinkat_empty_enoent", xsymlink("", "s2"), -ENOENT);
	ut_check_ret("symlinkat_nodir_enoent", xsymlink("x", "nodir/s2"), -ENOENT);
	ut_check_ret("symlinkat_enotdir", xsymlink("x", "a/s2"), -ENOTDIR);
	ut_check_ret("symlinkat_efault_target", xsymlink(BAD, "s2"), -EFAULT);
	ut_check_ret("symlinkat_efault_path", xsymlink("x", BAD), -EFAULT);
	ut_check_ret("symlinkat_dangling", xsymlink("nosuch", "dang"), 0);
	ut_check_ret("stat_dangling_enoent", xstat("dang", &st), -ENOENT);

	memset(buf, 0, sizeof buf);
	long r = SYS4(SYS_readlinkat, AT_FDCWD, "s", buf, sizeof buf);
	UT_CHECK("readlinkat", r == 6 && memcmp(buf, "abcdef", 6) == 0, "got %ld '%s'", r, buf);
	memset(buf, 0, sizeof buf);
	r = SYS4(SYS_readlinkat, AT_FDCWD, "s", buf, 3);
	UT_CHECK("readlinkat_truncated", r == 3 && memcmp(buf, "abc", 3) == 0 && buf[3] == 0, "got %ld '%s'", r, buf);
	ut_check_ret("readlinkat_notlink_einval", SYS4(SYS_readlinkat, AT_FDCWD, "a", buf, sizeof buf), -EINVAL);
	ut_check_ret("readlinkat_bufsiz0_einval", SYS4(SYS_readlinkat, AT_FDCWD, "s", buf, 0), -EINVAL);
	ut_check_ret("readlinkat_enoent", SYS4(SYS_readlinkat, AT_FDCWD, "nosuch", buf, sizeof buf), -ENOENT);
	ut_check_ret("readlinkat_empty_enoent", SYS4(SYS_readlinkat, AT_FDCWD, "", buf, sizeof buf), -ENOENT);
	ut_check_ret("readlinkat_efault_buf", SYS4(SYS_readlinkat, AT_FDCWD, "s", BAD, sizeof buf), -EFAULT);
	ut_check_ret("readlinkat_efault_path", SYS4(SYS_readlinkat, AT_FDCWD, BAD, buf, sizeof buf), -EFAULT);
	{
		long dfd = xopen(".", O_RDONLY | O_DIRECTORY, 0);
		ut_check_ret("readlinkat_dirfd", SYS4(SYS_readlinkat, dfd, "s", buf, sizeof buf), 6);
		long ffd = xopen("a", O_RDONLY, 0);
		ut_check_ret("readlinkat_dirfd_enotdir", SYS4(SYS_readlinkat, ffd, "s", buf, sizeof buf), -ENOTDIR);
		ut_check_ret("readlinkat_dirfd_ebadf", SYS4(SYS_readlinkat, 99, "s", buf, sizeof buf), -EBADF);
		xclose(ffd);
		xclose(dfd);
	}
}

/* ---- renameat2 ---- */
static void test_rename(void)
{
	struct stat st, st2;
	put_file("r1", "one");
	xstat("r1", &st);
	ut_check_ret("renameat2", xrename("r1", "r2", 0), 0);
	UT_CHECK("renameat2_moved", xstat("r1", &st2) == -ENOENT && xstat("r2", &st2) == 0 && st2.st_ino == st.st_ino,
		 "ino %lu vs %lu", (unsigned long)st2.st_ino, (unsigned long)st.st_ino);
	put_file("r3", "three");
	ut_check_ret("renameat2_noreplace_eexist", xrename("r2", "r3", X_RENAME_NOREPLACE), -EEXIST);
	ut_check_ret("renameat2_noreplace", xrename("r2", "r4", X_RENAME_NOREPLACE), 0);
	ut_check_ret("renameat2_replace", xrename("r4", "r3", 0), 0);
	UT_CHECK("renameat2_replaced", xstat("r3", &st2) == 0 && st2.st_ino == st.st_ino && xstat("r4", &st2) == -ENOENT,
		 "ino %lu", (unsigned long)st2.st_ino);
	ut_check_ret("renameat2_badflags_einval", xrename("r3", "r5", 8), -EINVAL);
	ut_check_ret("renameat2_exchange_noreplace_einval",
		     xrename("r3", "r5", X_RENAME_EXCHANGE | X_RENAME_NOREPLACE), -EINVAL);
	ut_check_ret("renameat2_enoent", xrename("nosuch", "r5", 0), -ENOENT);
	ut_check_ret("renameat2_newdir_enoent", xrename("r3", "nodir/r5", 0), -ENOENT);
	ut_check_ret("renameat2_enotdir", xrename("r3/x", "r5", 0), -ENOTDIR);
	ut_check_ret("renameat2_trailing_slash_enotdir", xrename("r3", "r5/", 0), -ENOTDIR);
	xmkdir("rd1", 0755);
	xmkdir("rd2", 0755);
	put_file("rd2/f", "x");
	ut_check_ret("renameat2_dir_notempty", xrename("rd1", "rd2", 0), -ENOTEMPTY);
	ut_check_ret("renameat2_file_onto_dir_eisdir", xrename("r3", "rd1", 0), -EISDIR);
	ut_check_ret("renameat2_dir_onto_file_enotdir", xrename("rd1", "r3", 0), -ENOTDIR);
	ut_check_ret("renameat2_into_self_einval", xrename("rd2", "rd2/sub", 0), -EINVAL);
	ut_check_ret("renameat2_dir", xrename("rd1", "rd3/", 0), 0);
	xmkdir("rd1", 0755);
	ut_check_ret("renameat2_dir_onto_empty", xrename("rd3", "rd1", 0), 0);
	UT_CHECK("renameat2_dir_onto_empty_gone", xstat("rd3", &st2) == -ENOENT, "rd3 still there");
	xlink("r3", "r3b", 0);
	ut_check_ret("renameat2_same_inode", xrename("r3", "r3b", 0), 0);
	UT_CHECK("renameat2_same_inode_kept", xstat("r3", &st2) == 0 && xstat("r3b", &st2) == 0, "a name vanished");
	ut_check_ret("renameat2_efault", xrename(BAD, "r5", 0), -EFAULT);
	ut_check_ret("renameat2_efault_new", xrename("r3", BAD, 0), -EFAULT);
	ut_check_ret("renameat2_ebadf", SYS5(SYS_renameat2, 99, "r3", AT_FDCWD, "r5", 0), -EBADF);
	/* cross-directory with dir fds */
	{
		long d1 = xopen("rd1", O_RDONLY | O_DIRECTORY, 0);
		long d2 = xopen("rd2", O_RDONLY | O_DIRECTORY, 0);
		ut_check_ret("renameat2_dirfds", SYS5(SYS_renameat2, d2, "f", d1, "g", 0), 0);
		UT_CHECK("renameat2_dirfds_moved", xstat("rd1/g", &st2) == 0 && xstat("rd2/f", &st2) == -ENOENT, "not moved");
		xclose(d1);
		xclose(d2);
	}
}

/* ---- faccessat, faccessat2 ---- */
static void test_access(void)
{
	put_file("acc", "x");
	xchmod("acc", 0644);
	ut_check_ret("faccessat_f_ok", xaccess("acc", F_OK), 0);
	ut_check_ret("faccessat_enoent", xaccess("nosuch", F_OK), -ENOENT);
	ut_check_ret("faccessat_enotdir", xaccess("acc/x", F_OK), -ENOTDIR);
	ut_check_ret("faccessat_x_noexec_eacces", xaccess("acc", X_OK), -EACCES);
	xchmod("acc", 0000);
	ut_check_ret("faccessat_root_rw_mode0", xaccess("acc", R_OK | W_OK), 0);
	xchmod("acc", 0010);
	ut_check_ret("faccessat_x_any_bit", xaccess("acc", X_OK), 0);
	xmkdir("d0", 0);
	ut_check_ret("faccessat_dir_x_root", xaccess("d0", X_OK | R_OK | W_OK), 0);
	ut_check_ret("faccessat_badmode_einval", xaccess("acc", 8), -EINVAL);
	ut_check_ret("faccessat_efault", xaccess(BAD, F_OK), -EFAULT);
	ut_check_ret("faccessat2", xaccess2(AT_FDCWD, "acc", X_OK, 0), 0);
	ut_check_ret("faccessat2_eaccess", xaccess2(AT_FDCWD, "acc", R_OK, AT_EACCESS), 0);
	ut_check_ret("faccessat2_badflags_einval", xaccess2(AT_FDCWD, "acc", F_OK, 1), -EINVAL);
	ut_check_ret("faccessat2_badmode_einval", xaccess2(AT_FDCWD, "acc", 0x10, 0), -EINVAL);
	ut_check_ret("faccessat2_dangling_follow", xaccess2(AT_FDCWD, "dang", F_OK, 0), -ENOENT);
	ut_check_ret("faccessat2_dangling_nofollow", xaccess2(AT_FDCWD, "dang", F_OK, AT_SYMLINK_NOFOLLOW), 0);
	{
		long fd = xopen("acc", O_RDONLY, 0);
		ut_check_ret("faccessat2_empty_path", xaccess2((int)fd, "", R_OK, AT_EMPTY_PATH), 0);
		ut_check_ret("faccessat2_empty_noflag_enoent", xaccess2((int)fd, "", R_OK, 0), -ENOENT);
		xclose(fd);
	}
	xchmod("acc", 0644);
}

/* ---- fchmod, fchmodat, fchown, fchownat ---- */
static void test_chmod_chown(void)
{
	struct stat st, lst;
	int64_t t0 = realtime_sec();
	put_file("m", "x");
	ut_check_ret("fchmodat", xchmod("m", 0600), 0);
	UT_CHECK("fchmodat_mode", xstat("m", &st) == 0 && st.st_mode == (S_IFREG | 0600), "mode %o", st.st_mode);
	UT_CHECK("fchmodat_ctime", st.st_ctime >= t0, "ctime %ld < %ld", (long)st.st_ctime, (long)t0);
	long fd = xopen("m", O_RDWR, 0);
	ut_check_ret("fchmod", SYS2(SYS_fchmod, fd, 04751), 0);
	UT_CHECK("fchmod_mode", xstat("m", &st) == 0 && st.st_mode == (S_IFREG | 04751), "mode %o", st.st_mode);
	ut_check_ret("fchmod_ebadf", SYS2(SYS_fchmod, 99, 0600), -EBADF);
	ut_check_ret("fchmodat_enoent", xchmod("nosuch", 0600), -ENOENT);
	ut_check_ret("fchmodat_efault", xchmod(BAD, 0600), -EFAULT);
	xsymlink("m", "sm");
	ut_check_ret("fchmodat_follows", xchmod("sm", 0640), 0);
	UT_CHECK("fchmodat_follows_target", xstat("m", &st) == 0 && (st.st_mode & 07777) == 0640, "mode %o", st.st_mode);
	xmkdir("md", 0755);
	ut_check_ret("fchmodat_dir", xchmod("md", 01777), 0);
	UT_CHECK("fchmodat_dir_mode", xstat("md", &st) == 0 && st.st_mode == (S_IFDIR | 01777), "mode %o", st.st_mode);

	ut_check_ret("fchownat", xchown("m", 1234, 5678, 0), 0);
	UT_CHECK("fchownat_ids", xstat("m", &st) == 0 && st.st_uid == 1234 && st.st_gid == 5678,
		 "uid %u gid %u", st.st_uid, st.st_gid);
	ut_check_ret("fchown_gid_only", SYS3(SYS_fchown, fd, -1, 42), 0);
	UT_CHECK("fchown_ids", xstat("m", &st) == 0 && st.st_uid == 1234 && st.st_gid == 42,
		 "uid %u gid %u", st.st_uid, st.st_gid);
	SYS2(SYS_fchmod, fd, 06755);
	ut_check_ret("fchown_noop", SYS3(SYS_fchown, fd, -1, -1), 0);
	UT_CHECK("fchown_clears_suid_sgid", xstat("m", &st) == 0 && (st.st_mode & 07777) == 0755, "mode %o", st.st_mode);
	SYS2(SYS_fchmod, fd, 02745);	/* set-group-ID without group x: a lock mark, kept */
	SYS3(SYS_fchown, fd, -1, -1);
	UT_CHECK("fchown_keeps_sgid_nox", xstat("m", &st) == 0 && (st.st_mode & 07777) == 02745, "mode %o", st.st_mode);
	ut_check_ret("fchown_ebadf", SYS3(SYS_fchown, 99, 0, 0), -EBADF);
	ut_check_ret("fchownat_badflags_einval", xchown("m", 0, 0, 1), -EINVAL);
	ut_check_ret("fchownat_enoent", xchown("nosuch", 0, 0, 0), -ENOENT);
	ut_check_ret("fchownat_efault", xchown(BAD, 0, 0, 0), -EFAULT);
	ut_check_ret("fchownat_nofollow", xchown("sm", 77, 88, AT_SYMLINK_NOFOLLOW), 0);
	UT_CHECK("fchownat_nofollow_link", xlstat("sm", &lst) == 0 && lst.st_uid == 77 && lst.st_gid == 88 &&
		 xstat("m", &st) == 0 && st.st_uid == 1234, "link %u/%u file %u", lst.st_uid, lst.st_gid, st.st_uid);
	ut_check_ret("fchownat_empty_path", SYS5(SYS_fchownat, fd, "", 7, 9, AT_EMPTY_PATH), 0);
	UT_CHECK("fchownat_empty_path_ids", xstat("m", &st) == 0 && st.st_uid == 7 && st.st_gid == 9,
		 "uid %u gid %u", st.st_uid, st.st_gid);
	xchown("m", 0, 0, 0);
	xchown("sm", 0, 0, AT_SYMLINK_NOFOLLOW);
	xclose(fd);
}

/* ---- utimensat ---- */
static void test_utimens(void)
{
	struct stat st;
	struct timespec ts[2] = { { 100, 5 }, { 200, 6 } };
	put_file("u", "x");
	ut_check_ret("utimensat", xutimens(AT_FDCWD, "u", ts, 0), 0);
	UT_CHECK("utimensat_times", xstat("u", &st) == 0 && st.st_atim.tv_sec == 100 && st.st_atim.tv_nsec == 5 &&
		 st.st_mtim.tv_sec == 200 && st.st_mtim.tv_nsec == 6,
		 "atime %ld.%ld mtime %ld.%ld", (long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
		 (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	int64_t t0 = realtime_sec();
	UT_CHECK("utimensat_ctime_now", st.st_ctime >= t0 - 2, "ctime %ld now %ld", (long)st.st_ctime, (long)t0);
	struct timespec ts2[2] = { { 0, X_UTIME_OMIT }, { 0, X_UTIME_NOW } };
	ut_check_ret("utimensat_omit_now", xutimens(AT_FDCWD, "u", ts2, 0), 0);
	UT_CHECK("utimensat_omit_now_times", xstat("u", &st) == 0 && st.st_atim.tv_sec == 100 && st.st_mtime >= t0,
		 "atime %ld mtime %ld", (long)st.st_atime, (long)st.st_mtime);
	ut_check_ret("utimensat_null_now", xutimens(AT_FDCWD, "u", NULL, 0), 0);
	UT_CHECK("utimensat_null_now_times", xstat("u", &st) == 0 && st.st_atime >= t0 && st.st_mtime >= t0,
		 "atime %ld mtime %ld", (long)st.st_atime, (long)st.st_mtime);
	long fd = xopen("u", O_RDONLY, 0);
	ut_check_ret("futimens", xutimens((int)fd, NULL, ts, 0), 0);
	UT_CHECK("futimens_times", xstat("u", &st) == 0 && st.st_mtime == 200, "mtime %ld", (long)st.st_mtime);
	ut_check_ret("futimens_flags_einval", xutimens((int)fd, NULL, ts, AT_SYMLINK_NOFOLLOW), -EINVAL);
	ut_check_ret("futimens_ebadf", xutimens(99, NULL, ts, 0), -EBADF);
	xclose(fd);
	struct timespec bad[2] = { { 0, 1000000000L }, { 0, 0 } };
	ut_check_ret("utimensat_bad_nsec_einval", xutimens(AT_FDCWD, "u", bad, 0), -EINVAL);
	struct timespec omit[2] = { { 0, X_UTIME_OMIT }, { 0, X_UTIME_OMIT } };
	ut_check_ret("utimensat_both_omit_nolookup", xutimens(AT_FDCWD, "nosuch", omit, 0), 0);
	ut_check_ret("utimensat_enoent", xutimens(AT_FDCWD, "nosuch", ts, 0), -ENOENT);
	ut_check_ret("utimensat_badflags_einval", xutimens(AT_FDCWD, "u", ts, 1), -EINVAL);
	ut_check_ret("utimensat_efault_times", xutimens(AT_FDCWD, "u", BAD, 0), -EFAULT);
	ut_check_ret("utimensat_efault_path", xutimens(AT_FDCWD, BAD, ts, 0), -EFAULT);
	ut_check_ret("utimensat_null_path_cwd_efault", xutimens(AT_FDCWD, NULL, ts, 0), -EFAULT);
	xsymlink("u", "su");
	struct timespec ts3[2] = { { 300, 0 }, { 400, 0 } };
	ut_check_ret("utimensat_nofollow", xutimens(AT_FDCWD, "su", ts3, AT_SYMLINK_NOFOLLOW), 0);
	struct stat lst;
	UT_CHECK("utimensat_nofollow_link", xlstat("su", &lst) == 0 && lst.st_mtime == 400 &&
		 xstat("u", &st) == 0 && st.st_mtime == 200, "link %ld file %ld", (long)lst.st_mtime, (long)st.st_mtime);
}

/* ---- truncate, ftruncate, fsync, fdatasync, sync ---- */
static void test_truncate(void)
{
	struct stat st;
	char buf[16];
	put_file("t", "0123456789");
	ut_check_ret("truncate_shrink", SYS2(SYS_truncate, "t", 3), 0);
	UT_CHECK("truncate_shrink_size", xstat("t", &st) == 0 && st.st_size == 3, "size %ld", (long)st.st_size);
	ut_check_ret("truncate_grow", SYS2(SYS_truncate, "t", 8), 0);
	long fd = xopen("t", O_RDWR, 0);
	memset(buf, 'z', sizeof buf);
	long r = xread(fd, buf, sizeof buf);
	UT_CHECK("truncate_grow_zeros", r == 8 && memcmp(buf, "012\0\0\0\0\0", 8) == 0, "read %ld", r);
	ut_check_ret("truncate_neg_einval", SYS2(SYS_truncate, "t", -1), -EINVAL);
	ut_check_ret("truncate_dir_eisdir", SYS2(SYS_truncate, "d", 0), -EISDIR);
	ut_check_ret("truncate_enoent", SYS2(SYS_truncate, "nosuch", 0), -ENOENT);
	ut_check_ret("truncate_enotdir", SYS2(SYS_truncate, "t/x", 0), -ENOTDIR);
	ut_check_ret("truncate_efault", SYS2(SYS_truncate, BAD, 0), -EFAULT);
	ut_check_ret("truncate_chardev_einval", SYS2(SYS_truncate, "/dev/null", 0), -EINVAL);
	ut_check_ret("ftruncate", SYS2(SYS_ftruncate, fd, 2), 0);
	UT_CHECK("ftruncate_size", xstat("t", &st) == 0 && st.st_size == 2, "size %ld", (long)st.st_size);
	ut_check_ret("ftruncate_neg_einval", SYS2(SYS_ftruncate, fd, -5), -EINVAL);
	ut_check_ret("ftruncate_ebadf", SYS2(SYS_ftruncate, 99, 0), -EBADF);
	long rfd = xopen("t", O_RDONLY, 0);
	ut_check_ret("ftruncate_rdonly_einval", SYS2(SYS_ftruncate, rfd, 0), -EINVAL);
	long dfd = xopen("d", O_RDONLY | O_DIRECTORY, 0);
	ut_check_ret("ftruncate_dir_einval", SYS2(SYS_ftruncate, dfd, 0), -EINVAL);
	int p[2];
	SYS2(SYS_pipe2, p, 0);
	ut_check_ret("ftruncate_pipe_einval", SYS2(SYS_ftruncate, p[1], 0), -EINVAL);

	ut_check_ret("fsync", SYS1(SYS_fsync, fd), 0);
	ut_check_ret("fsync_rdonly", SYS1(SYS_fsync, rfd), 0);
	ut_check_ret("fsync_dir", SYS1(SYS_fsync, dfd), 0);
	ut_check_ret("fdatasync", SYS1(SYS_fdatasync, fd), 0);
	ut_check_ret("fsync_ebadf", SYS1(SYS_fsync, 99), -EBADF);
	ut_check_ret("fsync_neg_ebadf", SYS1(SYS_fsync, -1), -EBADF);
	ut_check_ret("fdatasync_ebadf", SYS1(SYS_fdatasync, 99), -EBADF);
	ut_check_ret("fsync_pipe_einval", SYS1(SYS_fsync, p[0]), -EINVAL);
	ut_check_ret("sync", SYS0(SYS_sync), 0);
	xclose(p[0]);
	xclose(p[1]);
	xclose(dfd);
	xclose(rfd);
	xclose(fd);
}

/* ---- statfs, fstatfs, statx ---- */
static void test_statfs_statx(void)
{
	struct statfs sf, sf2;
	memset(&sf, 0, sizeof sf);
	ut_check_ret("statfs", SYS2(SYS_statfs, ".", &sf), 0);
	UT_CHECK("statfs_fields", sf.f_bsize > 0 && sf.f_namelen == 255 && sf.f_bfree <= sf.f_blocks &&
		 sf.f_bavail <= sf.f_bfree && sf.f_frsize > 0,
		 "bsize %ld namelen %ld blocks %lu bfree %lu", (long)sf.f_bsize, (long)sf.f_namelen,
		 (unsigned long)sf.f_blocks, (unsigned long)sf.f_bfree);
	if (sf.f_type == RAMFS_MAGIC)	/* duet: the page pool is the disk */
		UT_CHECK("statfs_ramfs", sf.f_bsize == 4096 && sf.f_frsize == 4096 && sf.f_blocks > 0 && sf.f_bfree > 0,
			 "bsize %ld blocks %lu", (long)sf.f_bsize, (unsigned long)sf.f_blocks);
	long fd = xopen("t", O_RDONLY, 0);
	ut_check_ret("fstatfs", SYS2(SYS_fstatfs, fd, &sf2), 0);
	UT_CHECK("fstatfs_same_fs", sf2.f_type == sf.f_type && sf2.f_bsize == sf.f_bsize,
		 "type %lx vs %lx", (long)sf2.f_type, (long)sf.f_type);
	ut_check_ret("statfs_enoent", SYS2(SYS_statfs, "nosuch", &sf), -ENOENT);
	ut_check_ret("statfs_efault_buf", SYS2(SYS_statfs, ".", BAD), -EFAULT);
	ut_check_ret("statfs_efault_path", SYS2(SYS_statfs, BAD, &sf), -EFAULT);
	ut_check_ret("fstatfs_ebadf", SYS2(SYS_fstatfs, 99, &sf), -EBADF);
	ut_check_ret("fstatfs_efault", SYS2(SYS_fstatfs, fd, BAD), -EFAULT);
	{
		int p[2];
		SYS2(SYS_pipe2, p, 0);
		ut_check_ret("fstatfs_pipe", SYS2(SYS_fstatfs, p[0], &sf2), 0);
		UT_CHECK("fstatfs_pipe_magic", sf2.f_type == PIPEFS_MAGIC, "type %lx", (long)sf2.f_type);
		struct x_statx sx;
		memset(&sx, 0, sizeof sx);
		ut_check_ret("statx_pipe_empty_path", xstatx(p[0], "", AT_EMPTY_PATH, X_STATX_BASIC_STATS, &sx), 0);
		UT_CHECK("statx_pipe_fifo", S_ISFIFO(sx.mode), "mode %o", sx.mode);
		xclose(p[0]);
		xclose(p[1]);
	}

	struct stat st;
	struct x_statx sx;
	_Static_assert(sizeof(struct x_statx) == 256, "statx size");
	put_file("sx", "hello statx");
	xchmod("sx", 0640);
	xstat("sx", &st);
	memset(&sx, 0xff, sizeof sx);
	ut_check_ret("statx", xstatx(AT_FDCWD, "sx", 0, X_STATX_BASIC_STATS, &sx), 0);
	UT_CHECK("statx_fields", (sx.mask & X_STATX_BASIC_STATS) == X_STATX_BASIC_STATS && sx.size == 11 &&
		 sx.mode == (S_IFREG | 0640) && sx.ino == st.st_ino && sx.nlink == 1 && sx.uid == st.st_uid &&
		 sx.gid == st.st_gid && sx.blksize > 0,
		 "mask %x size %lu mode %o ino %lu nlink %u", sx.mask, (unsigned long)sx.size, sx.mode,
		 (unsigned long)sx.ino, sx.nlink);
	UT_CHECK("statx_times", (int64_t)sx.mtime.sec == st.st_mtim.tv_sec && sx.mtime.nsec == st.st_mtim.tv_nsec &&
		 (int64_t)sx.ctime.sec == st.st_ctim.tv_sec && (int64_t)sx.atime.sec == st.st_atim.tv_sec,
		 "mtime %ld.%u vs %ld.%ld", (long)sx.mtime.sec, sx.mtime.nsec, (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	UT_CHECK("statx_dev", makedev(sx.dev_major, sx.dev_minor) == st.st_dev,
		 "%u:%u vs %lx", sx.dev_major, sx.dev_minor, (unsigned long)st.st_dev);
	long sfd = xopen("sx", O_RDONLY, 0);
	memset(&sx, 0, sizeof sx);
	ut_check_ret("statx_empty_path", xstatx((int)sfd, "", AT_EMPTY_PATH, X_STATX_BASIC_STATS, &sx), 0);
	UT_CHECK("statx_empty_path_ino", sx.ino == st.st_ino, "ino %lu", (unsigned long)sx.ino);
	ut_check_ret("statx_empty_noflag_enoent", xstatx((int)sfd, "", 0, X_STATX_BASIC_STATS, &sx), -ENOENT);
	ut_check_ret("statx_relative_dirfd_file_enotdir", xstatx((int)sfd, "x", 0, X_STATX_BASIC_STATS, &sx), -ENOTDIR);
	xclose(sfd);
	xsymlink("sx", "ssx");
	ut_check_ret("statx_nofollow", xstatx(AT_FDCWD, "ssx", AT_SYMLINK_NOFOLLOW, X_STATX_BASIC_STATS, &sx), 0);
	UT_CHECK("statx_nofollow_link", S_ISLNK(sx.mode) && sx.size == 2, "mode %o size %lu", sx.mode, (unsigned long)sx.size);
	ut_check_ret("statx_follow", xstatx(AT_FDCWD, "ssx", 0, X_STATX_BASIC_STATS, &sx), 0);
	UT_CHECK("statx_follow_file", S_ISREG(sx.mode) && sx.ino == st.st_ino, "mode %o", sx.mode);
	ut_check_ret("statx_dev_null", xstatx(AT_FDCWD, "/dev/null", 0, X_STATX_BASIC_STATS, &sx), 0);
	UT_CHECK("statx_dev_null_rdev", S_ISCHR(sx.mode) && sx.rdev_major == 1 && sx.rdev_minor == 3,
		 "mode %o rdev %u:%u", sx.mode, sx.rdev_major, sx.rdev_minor);
	ut_check_ret("statx_dir", xstatx(AT_FDCWD, ".", 0, X_STATX_BASIC_STATS, &sx), 0);
	UT_CHECK("statx_dir_mode", S_ISDIR(sx.mode), "mode %o", sx.mode);
	ut_check_ret("statx_enoent", xstatx(AT_FDCWD, "nosuch", 0, X_STATX_BASIC_STATS, &sx), -ENOENT);
	ut_check_ret("statx_enotdir", xstatx(AT_FDCWD, "sx/x", 0, X_STATX_BASIC_STATS, &sx), -ENOTDIR);
	ut_check_ret("statx_efault_buf", xstatx(AT_FDCWD, "sx", 0, X_STATX_BASIC_STATS, BAD), -EFAULT);
	ut_check_ret("statx_efault_path", xstatx(AT_FDCWD, BAD, 0, X_STATX_BASIC_STATS, &sx), -EFAULT);
	ut_check_ret("statx_synctype_einval", xstatx(AT_FDCWD, "sx", X_AT_STATX_SYNC_TYPE, X_STATX_BASIC_STATS, &sx), -EINVAL);
	ut_check_ret("statx_reserved_mask_einval", xstatx(AT_FDCWD, "sx", 0, 0x80000000u, &sx), -EINVAL);
	ut_check_ret("statx_badflags_einval", xstatx(AT_FDCWD, "sx", 1, X_STATX_BASIC_STATS, &sx), -EINVAL);
	ut_check_ret("statx_ebadf", xstatx(99, "sx", 0, X_STATX_BASIC_STATS, &sx), -EBADF);
	xclose(fd);
}

/* ---- mknodat ---- */
static void test_mknod(void)
{
	struct stat st;
	ut_check_ret("mknodat_fifo", xmknod("fifo", S_IFIFO | 0666, 0), 0);
	UT_CHECK("mknodat_fifo_mode", xstat("fifo", &st) == 0 && st.st_mode == (S_IFIFO | 0644), "mode %o (umask 022)", st.st_mode);
	ut_check_ret("mknodat_reg_type0", xmknod("reg", 0600, 0), 0);
	UT_CHECK("mknodat_reg_mode", xstat("reg", &st) == 0 && st.st_mode == (S_IFREG | 0600) && st.st_size == 0,
		 "mode %o", st.st_mode);
	ut_check_ret("mknodat_reg", xmknod("reg2", S_IFREG | 0644, 0), 0);
	ut_check_ret("mknodat_chr", xmknod("chr", S_IFCHR | 0600, (long)makedev(1, 3)), 0);
	UT_CHECK("mknodat_chr_rdev", xstat("chr", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3),
		 "mode %o rdev %lx", st.st_mode, (unsigned long)st.st_rdev);
	ut_check_ret("mknodat_blk", xmknod("blk", S_IFBLK | 0600, (long)makedev(7, 300)), 0);
	UT_CHECK("mknodat_blk_rdev", xstat("blk", &st) == 0 && S_ISBLK(st.st_mode) && major(st.st_rdev) == 7 &&
		 minor(st.st_rdev) == 300, "mode %o rdev %lx", st.st_mode, (unsigned long)st.st_rdev);
	{
		long fd = xopen("chr", O_WRONLY, 0);	/* a 1:3 node is /dev/null wherever it is */
		ut_check_ret("mknodat_chr_open_write", xwrite(fd, "abc", 3), 3);
		xclose(fd);
	}
	ut_check_ret("mknodat_eexist", xmknod("fifo", S_IFIFO | 0600, 0), -EEXIST);
	ut_check_ret("mknodat_dir_eperm", xmknod("nd", S_IFDIR | 0755, 0), -EPERM);
	ut_check_ret("mknodat_badtype_einval", xmknod("nd", 0170000 | 0644, 0), -EINVAL);
	ut_check_ret("mknodat_enoent", xmknod("nodir/x", S_IFIFO | 0600, 0), -ENOENT);
	ut_check_ret("mknodat_trailing_slash_enoent", xmknod("nf/", S_IFIFO | 0600, 0), -ENOENT);
	ut_check_ret("mknodat_enotdir", xmknod("reg/x", S_IFIFO | 0600, 0), -ENOTDIR);
	ut_check_ret("mknodat_efault", xmknod(BAD, S_IFIFO | 0600, 0), -EFAULT);
	ut_check_ret("mknodat_ebadf", SYS4(SYS_mknodat, 99, "x", S_IFIFO | 0600, 0), -EBADF);
}

/* ---- sendfile ---- */
static void test_sendfile(void)
{
	static char src[10000], got[10000];
	for (int i = 0; i < (int)sizeof src; i++)
		src[i] = (char)('a' + i % 23);
	long fd = xopen("src", O_CREAT | O_RDWR | O_TRUNC, 0644);
	xwrite(fd, src, sizeof src);
	SYS3(SYS_lseek, fd, 0, SEEK_SET);
	long out = xopen("dst", O_CREAT | O_RDWR | O_TRUNC, 0644);
	ut_check_ret("sendfile", SYS4(SYS_sendfile, out, fd, NULL, sizeof src), sizeof src);
	ut_check_ret("sendfile_in_offset_moved", SYS3(SYS_lseek, fd, 0, SEEK_CUR), sizeof src);
	SYS3(SYS_lseek, out, 0, SEEK_SET);
	long r = xread(out, got, sizeof got);
	UT_CHECK("sendfile_data", r == (long)sizeof src && memcmp(got, src, sizeof src) == 0, "read %ld", r);
	ut_check_ret("sendfile_eof", SYS4(SYS_sendfile, out, fd, NULL, 100), 0);
	int64_t off = 5000;
	long out2 = xopen("dst2", O_CREAT | O_RDWR | O_TRUNC, 0644);
	SYS3(SYS_lseek, fd, 7, SEEK_SET);
	ut_check_ret("sendfile_offset", SYS4(SYS_sendfile, out2, fd, &off, 100), 100);
	UT_CHECK("sendfile_offset_updated", off == 5100, "off %ld", (long)off);
	ut_check_ret("sendfile_offset_keeps_pos", SYS3(SYS_lseek, fd, 0, SEEK_CUR), 7);
	memset(got, 0, 200);
	r = SYS4(SYS_pread64, out2, got, 200, 0);
	UT_CHECK("sendfile_offset_data", r == 100 && memcmp(got, src + 5000, 100) == 0, "read %ld", r);
	off = 9990;
	ut_check_ret("sendfile_offset_short", SYS4(SYS_sendfile, out2, fd, &off, 100), 10);
	UT_CHECK("sendfile_offset_short_updated", off == 10000, "off %ld", (long)off);
	ut_check_ret("sendfile_count0", SYS4(SYS_sendfile, out2, fd, NULL, 0), 0);
	int p[2];
	SYS2(SYS_pipe2, p, 0);
	off = 0;
	ut_check_ret("sendfile_to_pipe", SYS4(SYS_sendfile, p[1], fd, &off, 300), 300);
	r = xread(p[0], got, sizeof got);
	UT_CHECK("sendfile_to_pipe_data", r == 300 && memcmp(got, src, 300) == 0, "read %ld", r);
	ut_check_ret("sendfile_in_ebadf", SYS4(SYS_sendfile, out, 99, NULL, 10), -EBADF);
	ut_check_ret("sendfile_out_ebadf", SYS4(SYS_sendfile, 99, fd, NULL, 10), -EBADF);
	long wo = xopen("src", O_WRONLY, 0), ro = xopen("dst", O_RDONLY, 0);
	ut_check_ret("sendfile_in_wronly_ebadf", SYS4(SYS_sendfile, out, wo, NULL, 10), -EBADF);
	ut_check_ret("sendfile_out_rdonly_ebadf", SYS4(SYS_sendfile, ro, fd, NULL, 10), -EBADF);
	long ap = xopen("dst", O_WRONLY | O_APPEND, 0);
	off = 0;
	ut_check_ret("sendfile_append_einval", SYS4(SYS_sendfile, ap, fd, &off, 10), -EINVAL);
	off = -1;
	ut_check_ret("sendfile_negoff_einval", SYS4(SYS_sendfile, out, fd, &off, 10), -EINVAL);
	ut_check_ret("sendfile_offset_efault", SYS4(SYS_sendfile, out, fd, BAD, 10), -EFAULT);
	xclose(ap);
	xclose(wo);
	xclose(ro);
	xclose(p[0]);
	xclose(p[1]);
	xclose(out2);
	xclose(out);
	xclose(fd);
}

/* ---- ppoll ---- */
static void test_ppoll(void)
{
	int p[2];
	struct pollfd pf[3];
	struct timespec zero = { 0, 0 };
	SYS2(SYS_pipe2, p, 0);

	pf[0] = (struct pollfd){ p[0], POLLIN, 0x7777 };
	ut_check_ret("ppoll_empty_now", xppoll(pf, 1, &zero), 0);
	UT_CHECK("ppoll_empty_revents", pf[0].revents == 0, "revents %x", pf[0].revents);
	pf[0] = (struct pollfd){ p[1], POLLIN | POLLOUT, 0 };
	ut_check_ret("ppoll_writable", xppoll(pf, 1, &zero), 1);
	UT_CHECK("ppoll_writable_revents", pf[0].revents == POLLOUT, "revents %x", pf[0].revents);

	struct timespec t50 = { 0, 50 * MS };
	pf[0] = (struct pollfd){ p[0], POLLIN, 0 };
	int64_t t0 = ut_now_ns();
	long r = xppoll(pf, 1, &t50);
	int64_t dt = ut_now_ns() - t0;
	UT_CHECK("ppoll_timeout", r == 0 && dt >= 50 * MS && dt < 2000 * MS, "r %ld after %ld ms", r, (long)(dt / MS));
	UT_CHECK("ppoll_timeout_left_zero", t50.tv_sec == 0 && t50.tv_nsec == 0, "left %ld.%09ld", (long)t50.tv_sec, t50.tv_nsec);

	xwrite(p[1], "x", 1);
	struct timespec t1 = { 1, 0 };
	pf[0] = (struct pollfd){ p[0], POLLIN | POLLOUT, 0 };
	ut_check_ret("ppoll_readable", xppoll(pf, 1, &t1), 1);
	UT_CHECK("ppoll_readable_revents", pf[0].revents == POLLIN, "revents %x", pf[0].revents);
	UT_CHECK("ppoll_time_left", t1.tv_sec == 0 ? t1.tv_nsec > 500 * MS : (t1.tv_sec == 1 && t1.tv_nsec == 0),
		 "left %ld.%09ld", (long)t1.tv_sec, t1.tv_nsec);

	pf[0] = (struct pollfd){ -1, POLLIN, 0x55 };
	pf[1] = (struct pollfd){ 63, POLLIN, 0 };
	pf[2] = (struct pollfd){ p[0], POLLIN, 0 };
	ut_check_ret("ppoll_neg_and_bad_fd", xppoll(pf, 3, &zero), 2);
	UT_CHECK("ppoll_neg_fd_ignored", pf[0].revents == 0, "revents %x", pf[0].revents);
	UT_CHECK("ppoll_bad_fd_pollnval", pf[1].revents == POLLNVAL, "revents %x", pf[1].revents);

	long rfd = xopen("t", O_RDWR, 0);
	pf[0] = (struct pollfd){ (int)rfd, POLLIN | POLLOUT | POLLPRI, 0 };
	ut_check_ret("ppoll_regular_file", xppoll(pf, 1, NULL), 1);
	UT_CHECK("ppoll_regular_file_revents", pf[0].revents == (POLLIN | POLLOUT), "revents %x", pf[0].revents);
	xclose(rfd);

	ut_check_ret("ppoll_efault_fds", xppoll(BAD, 1, &zero), -EFAULT);
	ut_check_ret("ppoll_efault_timeout", xppoll(pf, 1, BAD), -EFAULT);
	struct timespec badts = { 0, 1000000000L };
	ut_check_ret("ppoll_bad_timeout_einval", xppoll(pf, 1, &badts), -EINVAL);
	badts = (struct timespec){ -1, 0 };
	ut_check_ret("ppoll_neg_timeout_einval", xppoll(pf, 1, &badts), -EINVAL);
	{
		struct rlimit rl = { 1024, 1024 };
		SYS4(SYS_prlimit64, 0, RLIMIT_NOFILE, &rl, NULL);
		/* a readable array: qemu-user copies it before the kernel checks nfds */
		static struct pollfd many[1025];
		ut_check_ret("ppoll_nfds_einval", xppoll(many, 1025, &zero), -EINVAL);
	}
	{
		uint64_t mask = 0;
		pf[0] = (struct pollfd){ p[0], POLLIN, 0 };
		ut_check_ret("ppoll_sigmask", SYS5(SYS_ppoll, pf, 1, &zero, &mask, 8), 1);
		ut_check_ret("ppoll_sigmask_size_einval", SYS5(SYS_ppoll, pf, 1, &zero, &mask, 4), -EINVAL);
		ut_check_ret("ppoll_sigmask_efault", SYS5(SYS_ppoll, pf, 1, &zero, BAD, 8), -EFAULT);
	}
	ut_check_ret("ppoll_nfds0", xppoll(NULL, 0, &zero), 0);

	/* hangup: writer gone, data still buffered, then drained */
	xclose(p[1]);
	pf[0] = (struct pollfd){ p[0], POLLIN, 0 };
	ut_check_ret("ppoll_hup_data", xppoll(pf, 1, &zero), 1);
	UT_CHECK("ppoll_hup_data_revents", pf[0].revents == (POLLIN | POLLHUP), "revents %x", pf[0].revents);
	char c;
	xread(p[0], &c, 1);
	pf[0] = (struct pollfd){ p[0], POLLIN, 0 };
	ut_check_ret("ppoll_hup", xppoll(pf, 1, NULL), 1);
	UT_CHECK("ppoll_hup_revents", pf[0].revents == POLLHUP, "revents %x", pf[0].revents);
	pf[0] = (struct pollfd){ p[0], 0, 0 };
	ut_check_ret("ppoll_hup_unasked", xppoll(pf, 1, &zero), 1);
	xclose(p[0]);

	/* error: reader gone */
	SYS2(SYS_pipe2, p, 0);
	xclose(p[0]);
	pf[0] = (struct pollfd){ p[1], POLLOUT, 0 };
	ut_check_ret("ppoll_err", xppoll(pf, 1, &zero), 1);
	UT_CHECK("ppoll_err_revents", pf[0].revents == (POLLOUT | POLLERR), "revents %x", pf[0].revents);
	xclose(p[1]);
}

/* A child that writes one byte (or just closes) after delay_ms, then exits. */
static long spawn_writer(int wfd, int rfd, int delay_ms, int write_byte)
{
	long pid = fork();
	if (pid == 0) {
		struct timespec ts = { 0, delay_ms * MS };
		close(rfd);
		SYS2(SYS_nanosleep, &ts, NULL);
		if (write_byte)
			xwrite(wfd, "w", 1);
		_exit(0);
	}
	return pid;
}

static void reap(long pid)
{
	int st;
	waitpid((pid_t)pid, &st, 0);
}

/*
 * A poller woken early must leave the other timed sleepers on their timer:
 * child2 sleeps past the poll's deadline, and is still woken on time.
 */
static void test_poll_other_sleepers(void)
{
	int p[2];
	long pid2 = fork();
	if (pid2 == 0) {
		struct timespec ts = { 1, 500 * MS };
		SYS2(SYS_nanosleep, &ts, NULL);
		_exit(0);
	}
	SYS2(SYS_pipe2, p, 0);
	long pid1 = spawn_writer(p[1], p[0], 100, 1);
	struct pollfd pf = { p[0], POLLIN, 0 };
	struct timespec t1 = { 1, 0 };
	ut_check_ret("ppoll_early_wake", xppoll(&pf, 1, &t1), 1);
	reap(pid1);
	int64_t t0 = ut_now_ns();
	long r = 0;
	while (r == 0 && ut_now_ns() - t0 < 4000 * MS) {
		struct timespec ts = { 0, 10 * MS };
		int st;
		r = waitpid((pid_t)pid2, &st, WNOHANG);
		SYS2(SYS_nanosleep, &ts, NULL);
	}
	UT_CHECK("ppoll_early_wake_keeps_sleepers", r == pid2, "sleeping child not woken after 4 s (r %ld)", r);
	if (r != pid2) {
		kill((pid_t)pid2, SIGKILL);
		reap(pid2);
	}
	xclose(p[0]);
	xclose(p[1]);
}

static void test_poll_blocking(void)
{
	int p[2];
	struct pollfd pf;
	SYS2(SYS_pipe2, p, 0);
	long pid = spawn_writer(p[1], p[0], 100, 1);
	pf = (struct pollfd){ p[0], POLLIN, 0 };
	int64_t t0 = ut_now_ns();
	long r = xppoll(&pf, 1, NULL);
	int64_t dt = ut_now_ns() - t0;
	UT_CHECK("ppoll_block_wakes", r == 1 && pf.revents == POLLIN && dt >= 80 * MS,
		 "r %ld revents %x after %ld ms", r, pf.revents, (long)(dt / MS));
	reap(pid);
	char c;
	xread(p[0], &c, 1);

	/* the writer's exit (a close) is a hangup that also wakes us */
	xclose(p[1]);
	SYS2(SYS_pipe2, p, 0);
	pid = spawn_writer(p[1], p[0], 100, 0);
	xclose(p[1]);
	pf = (struct pollfd){ p[0], POLLIN, 0 };
	struct timespec t5 = { 5, 0 };
	r = xppoll(&pf, 1, &t5);
	UT_CHECK("ppoll_block_hup_wakes", r == 1 && pf.revents == POLLHUP, "r %ld revents %x", r, pf.revents);
	reap(pid);
	xclose(p[0]);

	SYS2(SYS_pipe2, p, 0);
	pid = spawn_writer(p[1], p[0], 100, 1);
	fd_set rs;
	FD_ZERO(&rs);
	FD_SET(p[0], &rs);
	t0 = ut_now_ns();
	r = xselect(p[0] + 1, &rs, NULL, NULL, NULL);
	dt = ut_now_ns() - t0;
	UT_CHECK("pselect6_block_wakes", r == 1 && FD_ISSET(p[0], &rs) && dt >= 80 * MS,
		 "r %ld after %ld ms", r, (long)(dt / MS));
	reap(pid);
	xclose(p[0]);
	xclose(p[1]);
}

/* ---- pselect6 ---- */
static void test_pselect(void)
{
	int p[2];
	fd_set rs, ws, es;
	struct timespec zero = { 0, 0 };
	SYS2(SYS_pipe2, p, 0);
	int n = p[1] + 1;

	FD_ZERO(&rs);
	FD_SET(p[0], &rs);
	ut_check_ret("pselect6_empty_now", xselect(n, &rs, NULL, NULL, &zero), 0);
	UT_CHECK("pselect6_empty_cleared", !FD_ISSET(p[0], &rs), "bit still set");
	FD_ZERO(&ws);
	FD_SET(p[1], &ws);
	FD_SET(p[0], &ws);
	ut_check_ret("pselect6_writable", xselect(n, NULL, &ws, NULL, &zero), 1);
	UT_CHECK("pselect6_writable_bits", FD_ISSET(p[1], &ws) && !FD_ISSET(p[0], &ws), "bits wrong");

	struct timespec t50 = { 0, 50 * MS };
	FD_ZERO(&rs);
	FD_SET(p[0], &rs);
	int64_t t0 = ut_now_ns();
	long r = xselect(n, &rs, NULL, NULL, &t50);
	int64_t dt = ut_now_ns() - t0;
	UT_CHECK("pselect6_timeout", r == 0 && dt >= 50 * MS && dt < 2000 * MS, "r %ld after %ld ms", r, (long)(dt / MS));
	UT_CHECK("pselect6_timeout_left_zero", t50.tv_sec == 0 && t50.tv_nsec == 0,
		 "left %ld.%09ld", (long)t50.tv_sec, t50.tv_nsec);

	xwrite(p[1], "x", 1);
	struct timespec t1 = { 1, 0 };
	FD_ZERO(&rs);
	FD_SET(p[0], &rs);
	FD_ZERO(&ws);
	FD_SET(p[1], &ws);
	FD_ZERO(&es);
	FD_SET(p[0], &es);
	ut_check_ret("pselect6_ready", xselect(n, &rs, &ws, &es, &t1), 2);
	UT_CHECK("pselect6_ready_bits", FD_ISSET(p[0], &rs) && FD_ISSET(p[1], &ws) && !FD_ISSET(p[0], &es), "bits wrong");
	UT_CHECK("pselect6_time_left", t1.tv_sec == 0 ? t1.tv_nsec > 500 * MS : (t1.tv_sec == 1 && t1.tv_nsec == 0),
		 "left %ld.%09ld", (long)t1.tv_sec, t1.tv_nsec);

	FD_ZERO(&rs);
	FD_SET(p[0], &rs);
	FD_SET(60, &rs);
	ut_check_ret("pselect6_bad_fd_ebadf", xselect(61, &rs, NULL, NULL, &zero), -EBADF);
	ut_check_ret("pselect6_neg_nfds_einval", xselect(-1, NULL, NULL, NULL, &zero), -EINVAL);
	ut_check_ret("pselect6_efault_set", xselect(n, BAD, NULL, NULL, &zero), -EFAULT);
	ut_check_ret("pselect6_efault_timeout", xselect(n, NULL, NULL, NULL, BAD), -EFAULT);
	struct timespec badts = { 0, -1 };
	ut_check_ret("pselect6_bad_timeout_einval", xselect(n, NULL, NULL, NULL, &badts), -EINVAL);
	ut_check_ret("pselect6_nfds0_sleep", xselect(0, NULL, NULL, NULL, &zero), 0);
	{
		uint64_t mask = 0;
		struct { void *ss; size_t len; } pack = { &mask, 8 };
		FD_ZERO(&rs);
		FD_SET(p[0], &rs);
		ut_check_ret("pselect6_sigmask", SYS6(SYS_pselect6, n, &rs, NULL, NULL, &zero, &pack), 1);
		pack.len = 4;
		ut_check_ret("pselect6_sigmask_size_einval", SYS6(SYS_pselect6, n, &rs, NULL, NULL, &zero, &pack), -EINVAL);
		pack = (typeof(pack)){ NULL, 4 };
		ut_check_ret("pselect6_sigmask_null", SYS6(SYS_pselect6, n, &rs, NULL, NULL, &zero, &pack), 1);
		ut_check_ret("pselect6_argpack_efault", SYS6(SYS_pselect6, n, &rs, NULL, NULL, &zero, BAD), -EFAULT);
	}
	{
		/*
		 * nfds beyond the fd table is clamped, not refused (Linux clamps
		 * to its table size; qemu-user aborts above FD_SETSIZE, hence 1024)
		 */
		FD_ZERO(&rs);
		FD_SET(p[0], &rs);
		ut_check_ret("pselect6_big_nfds", xselect(FD_SETSIZE, &rs, NULL, NULL, &zero), 1);
	}
	/* hangup reads as readable */
	char c;
	xread(p[0], &c, 1);
	xclose(p[1]);
	FD_ZERO(&rs);
	FD_SET(p[0], &rs);
	ut_check_ret("pselect6_hup_readable", xselect(n, &rs, NULL, NULL, NULL), 1);
	xclose(p[0]);
	/* a reader gone: the write end selects writable (POLLERR is in both sets) */
	SYS2(SYS_pipe2, p, 0);
	xclose(p[0]);
	FD_ZERO(&ws);
	FD_SET(p[1], &ws);
	ut_check_ret("pselect6_err_writable", xselect(p[1] + 1, NULL, &ws, NULL, NULL), 1);
	xclose(p[1]);
}

/* ---- cleanup ---- */
static const char *const files[] = {
	"a", "b", "b4", "sa", "sa2", "sa3", "s", "dang", "r3", "r3b", "rd1/g", "acc", "m", "sm",
	"u", "su", "t", "sx", "ssx", "fifo", "reg", "reg2", "chr", "blk", "src", "dst", "dst2",
};
static const char *const dirs[] = { "d", "rd1", "rd2", "d0", "md" };

static void cleanup(void)
{
	for (unsigned i = 0; i < sizeof files / sizeof files[0]; i++)
		xunlink(files[i]);
	for (unsigned i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		xrmdir(dirs[i]);
	SYS1(SYS_chdir, "/");
	ut_check_ret("cleanup_rmdir", xrmdir(dir), 0);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	umask(022);
	xmkdir("/tmp", 01777);
	snprintf(dir, sizeof dir, "/tmp/fstest.%ld", (long)getpid());
	if (xmkdir(dir, 0755) != 0 || SYS1(SYS_chdir, dir) != 0) {
		ut_fail("setup", "cannot make and enter %s", dir);
		return ut_summary();
	}
	test_link();
	test_symlink();
	test_rename();
	test_access();
	test_chmod_chown();
	test_utimens();
	test_truncate();
	test_statfs_statx();
	test_mknod();
	test_sendfile();
	test_ppoll();
	test_pselect();
	test_poll_blocking();
	test_poll_other_sleepers();
	cleanup();
	return ut_summary();
}
