/*
 * systest - system call conformance checks for duet's step-1 syscall set.
 *
 * Each check prints "PASS <name>" or "FAIL <name>: expected X got Y"; the
 * last line is "N passed, N failed" and the exit status is 0 iff all passed.
 * Linux (riscv64, or qemu-riscv64 on a Linux host) is the reference: every
 * check here passes there.
 *
 * Most calls go through raw ecalls (ut.h) so that results and -Exxx values
 * are seen exactly as the kernel returns them, bad pointers included.
 * Covered: read write readv writev openat close lseek getpid getppid gettid
 * set_tid_address brk mmap munmap mprotect uname clock_gettime gettimeofday
 * nanosleep clock_nanosleep sched_yield get[e]uid get[e]gid ioctl(TCGETS,
 * TIOCGWINSZ) rt_sigaction rt_sigprocmask getrandom prlimit64, /dev/null,
 * /dev/zero and files and directories of the RAM filesystem.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "ut.h"

#define PAGE 4096L
#define BADPTR_LOW ((void *)8)
#define BADPTR_KERNEL ((void *)0xffffffc000000000UL)

static char tmpfile_path[64];

static long sys_open(const char *path, int flags, int mode)
{
	return SYS4(SYS_openat, AT_FDCWD, path, flags, mode);
}

static long sys_read(long fd, void *buf, long n)
{
	return SYS3(SYS_read, fd, buf, n);
}

static long sys_write(long fd, const void *buf, long n)
{
	return SYS3(SYS_write, fd, buf, n);
}

static long sys_lseek(long fd, long off, int whence)
{
	return SYS3(SYS_lseek, fd, off, whence);
}

static long sys_close(long fd)
{
	return SYS1(SYS_close, fd);
}

static int all_bytes(const void *p, int c, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i] != (unsigned char)c)
			return 0;
	return 1;
}

/* ---- bad pointers: the kernel must copy through user pointers safely ---- */
static void test_efault(void)
{
	long zfd = sys_open("/dev/zero", O_RDONLY, 0);
	long nfd = sys_open("/dev/null", O_WRONLY, 0);

	ut_check_ret("write_efault_low", sys_write(1, (void *)1, 10), -EFAULT);
	ut_check_ret("write_efault_kernel", sys_write(1, BADPTR_KERNEL, 10), -EFAULT);
	ut_check_ret("read_efault", sys_read(zfd, BADPTR_LOW, 10), -EFAULT);
	ut_check_ret("read_efault_kernel", sys_read(zfd, BADPTR_KERNEL, 10), -EFAULT);
	ut_check_ret("openat_path_efault", sys_open((const char *)1, O_RDONLY, 0), -EFAULT);
	ut_check_ret("openat_path_efault_kernel", sys_open(BADPTR_KERNEL, O_RDONLY, 0), -EFAULT);
	ut_check_ret("clock_gettime_efault",
	             SYS2(SYS_clock_gettime, CLOCK_MONOTONIC, (void *)16), -EFAULT);
	ut_check_ret("uname_efault", SYS1(SYS_uname, BADPTR_LOW), -EFAULT);
	/* (nanosleep itself is not probed: qemu-user 7.2 ignores its bad pointer.) */
	ut_check_ret("clock_nanosleep_req_efault",
	             SYS4(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, BADPTR_LOW, 0), -EFAULT);
	ut_check_ret("gettimeofday_efault", SYS2(SYS_gettimeofday, BADPTR_LOW, 0), -EFAULT);
	ut_check_ret("getrandom_efault", SYS3(SYS_getrandom, BADPTR_LOW, 16, 0), -EFAULT);
	ut_check_ret("prlimit64_old_efault",
	             SYS4(SYS_prlimit64, 0, RLIMIT_STACK, 0, BADPTR_LOW), -EFAULT);
	ut_check_ret("writev_iov_efault", SYS3(SYS_writev, 1, BADPTR_LOW, 1), -EFAULT);
	{
		struct iovec iov = { BADPTR_LOW, 4 };
		ut_check_ret("writev_base_efault", SYS3(SYS_writev, 1, &iov, 1), -EFAULT);
	}
	/* A zero-length transfer does not touch the buffer. */
	ut_check_ret("write_len0_nullbuf", sys_write(1, NULL, 0), 0);
	ut_check_ret("read_len0_nullbuf", sys_read(zfd, NULL, 0), 0);

	/* Page permissions are honoured: no writing into read-only memory. */
	{
		char *p = (char *)SYS6(SYS_mmap, 0, PAGE, PROT_READ | PROT_WRITE,
		                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if ((long)p < 0 && (long)p > -4096) {
			ut_fail("read_into_readonly_efault", "mmap failed: %ld", (long)p);
		} else {
			p[0] = 1;
			SYS3(SYS_mprotect, p, PAGE, PROT_READ);
			ut_check_ret("read_into_readonly_efault", sys_read(zfd, p, 16), -EFAULT);
			SYS3(SYS_mprotect, p, PAGE, PROT_NONE);
			/* a regular file: /dev/null never reads the buffer on Linux */
			long tfd = SYS4(SYS_openat, AT_FDCWD, "/tmp/protnone",
			                O_CREAT | O_RDWR | O_TRUNC, 0600);
			ut_check_ret("write_from_protnone_efault",
			             sys_write((int)tfd, p, 16), -EFAULT);
			SYS1(SYS_close, tfd);
			SYS2(SYS_munmap, p, PAGE);
		}
	}
	sys_close(nfd);
	sys_close(zfd);
}

/* ---- bad file descriptors ---- */
static void test_ebadf(void)
{
	char buf[4];
	ut_check_ret("read_ebadf_99", sys_read(99, buf, 1), -EBADF);
	ut_check_ret("read_ebadf_-1", sys_read(-1, buf, 1), -EBADF);
	ut_check_ret("write_ebadf_99", sys_write(99, "x", 1), -EBADF);
	ut_check_ret("write_ebadf_-1", sys_write(-1, "x", 1), -EBADF);
	ut_check_ret("close_ebadf_99", sys_close(99), -EBADF);
	ut_check_ret("close_ebadf_-1", sys_close(-1), -EBADF);
	ut_check_ret("lseek_ebadf_99", sys_lseek(99, 0, SEEK_SET), -EBADF);
	ut_check_ret("lseek_ebadf_-1", sys_lseek(-1, 0, SEEK_SET), -EBADF);
	ut_check_ret("openat_dirfd_ebadf", SYS4(SYS_openat, 99, "relative", O_RDONLY, 0), -EBADF);
	{
		struct iovec iov = { buf, 1 };
		ut_check_ret("readv_ebadf", SYS3(SYS_readv, 99, &iov, 1), -EBADF);
		ut_check_ret("writev_ebadf", SYS3(SYS_writev, 99, &iov, 1), -EBADF);
	}
	ut_check_ret("ioctl_ebadf", SYS3(SYS_ioctl, 99, TCGETS, buf), -EBADF);
	/* The libc path reports the same through errno. */
	errno = 0;
	{
		ssize_t r = write(99, "x", 1);
		UT_CHECK("libc_write_errno_ebadf", r == -1 && errno == EBADF,
		         "expected -1/EBADF got %zd/%s", r, ut_errname(errno));
	}
}

/* ---- bad sizes and arguments ---- */
static void test_einval(void)
{
	long fd = sys_open("/dev/zero", O_RDONLY, 0);
	struct timespec ts;
	char buf[8];

	ut_check_ret("mmap_len0_einval",
	             SYS6(SYS_mmap, 0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), -EINVAL);
	ut_check_ret("mmap_no_type_einval",
	             SYS6(SYS_mmap, 0, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0), -EINVAL);
	ut_check_ret("mmap_unaligned_off_einval",
	             SYS6(SYS_mmap, 0, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 100),
	             -EINVAL);
	ut_check_ret("mmap_file_badfd_ebadf",
	             SYS6(SYS_mmap, 0, PAGE, PROT_READ, MAP_PRIVATE, -1, 0), -EBADF);
	{
		char *p = (char *)SYS6(SYS_mmap, 0, 2 * PAGE, PROT_READ | PROT_WRITE,
		                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ut_check_ret("munmap_unaligned_einval", SYS2(SYS_munmap, p + 1, PAGE), -EINVAL);
		ut_check_ret("munmap_len0_einval", SYS2(SYS_munmap, p, 0), -EINVAL);
		ut_check_ret("mprotect_unaligned_einval",
		             SYS3(SYS_mprotect, p + 1, PAGE, PROT_READ), -EINVAL);
		SYS2(SYS_munmap, p, 2 * PAGE);
	}
	ts.tv_sec = 0;
	ts.tv_nsec = 2000000000L;
	ut_check_ret("nanosleep_nsec_2e9_einval", SYS2(SYS_nanosleep, &ts, 0), -EINVAL);
	ts.tv_sec = 0;
	ts.tv_nsec = -1;
	ut_check_ret("nanosleep_nsec_neg_einval", SYS2(SYS_nanosleep, &ts, 0), -EINVAL);
	ts.tv_sec = -1;
	ts.tv_nsec = 0;
	ut_check_ret("nanosleep_sec_neg_einval", SYS2(SYS_nanosleep, &ts, 0), -EINVAL);
	ts.tv_sec = 0;
	ts.tv_nsec = 1000;
	ut_check_ret("clock_nanosleep_badclock_einval",
	             SYS4(SYS_clock_nanosleep, 12345, 0, &ts, 0), -EINVAL);
	ut_check_ret("clock_gettime_badclock_einval",
	             SYS2(SYS_clock_gettime, 12345, &ts), -EINVAL);
	ut_check_ret("getrandom_badflags_einval", SYS3(SYS_getrandom, buf, 8, 0x7f00), -EINVAL);
	{
		struct iovec iov = { buf, 1 };
		ut_check_ret("readv_iovcnt_neg_einval", SYS3(SYS_readv, fd, &iov, -1), -EINVAL);
		ut_check_ret("readv_iovcnt_huge_einval", SYS3(SYS_readv, fd, &iov, 1025), -EINVAL);
	}
	{
		struct { uint64_t cur, max; } rl;
		ut_check_ret("prlimit64_badres_einval",
		             SYS4(SYS_prlimit64, 0, 999, 0, &rl), -EINVAL);
	}
	{
		unsigned long act[3] = { 0, 0, 0 };
		ut_check_ret("rt_sigaction_sigkill_einval",
		             SYS4(SYS_rt_sigaction, SIGKILL, act, 0, 8), -EINVAL);
		ut_check_ret("rt_sigaction_badsetsize_einval",
		             SYS4(SYS_rt_sigaction, SIGUSR1, 0, act, 4), -EINVAL);
		ut_check_ret("rt_sigprocmask_badhow_einval",
		             SYS4(SYS_rt_sigprocmask, 99, act, 0, 8), -EINVAL);
	}
	ut_check_ret("unknown_syscall_enosys", SYS0(999), -ENOSYS);
	sys_close(fd);
}

/* ---- files and directories in the RAM filesystem ---- */
static void test_files(void)
{
	const char *p = tmpfile_path;
	char buf[128];
	long fd, fd2, r;

	SYS3(SYS_unlinkat, AT_FDCWD, p, 0); /* stale file from a host run; may be ENOSYS */

	fd = sys_open(p, O_CREAT | O_RDWR | O_TRUNC, 0644);
	ut_check_ok("file_create", fd);
	ut_check_ret("file_write", sys_write(fd, "hello world", 11), 11);
	ut_check_ret("file_lseek_cur", sys_lseek(fd, 0, SEEK_CUR), 11);
	ut_check_ret("file_read_at_eof", sys_read(fd, buf, sizeof buf), 0);
	ut_check_ret("file_lseek_set", sys_lseek(fd, 6, SEEK_SET), 6);
	memset(buf, 0, sizeof buf);
	r = sys_read(fd, buf, 5);
	UT_CHECK("file_read_back", r == 5 && memcmp(buf, "world", 5) == 0,
	         "expected 5 \"world\" got %ld \"%.5s\"", r, buf);
	ut_check_ret("file_lseek_end", sys_lseek(fd, 0, SEEK_END), 11);
	ut_check_ret("file_lseek_end_neg", sys_lseek(fd, -5, SEEK_END), 6);
	ut_check_ret("file_lseek_neg_einval", sys_lseek(fd, -100, SEEK_SET), -EINVAL);
	ut_check_ret("file_lseek_whence99_einval", sys_lseek(fd, 0, 99), -EINVAL);
	ut_check_ret("file_lseek_after_einval", sys_lseek(fd, 0, SEEK_CUR), 6);

	/* Writing past the end leaves a hole that reads as zeros. */
	sys_lseek(fd, 20, SEEK_SET);
	ut_check_ret("file_write_past_end", sys_write(fd, "X", 1), 1);
	ut_check_ret("file_size_after_hole", sys_lseek(fd, 0, SEEK_END), 21);
	sys_lseek(fd, 0, SEEK_SET);
	memset(buf, 0x55, sizeof buf);
	r = sys_read(fd, buf, sizeof buf);
	UT_CHECK("file_hole_reads_zero",
	         r == 21 && memcmp(buf, "hello world", 11) == 0 && all_bytes(buf + 11, 0, 9) &&
	                 buf[20] == 'X',
	         "expected 21 bytes \"hello world\"+9 zeros+\"X\" got %ld", r);
	ut_check_ret("file_close", sys_close(fd), 0);
	ut_check_ret("file_close_twice_ebadf", sys_close(fd), -EBADF);

	/* Lowest free descriptor is reused. */
	fd = sys_open(p, O_RDONLY, 0);
	fd2 = sys_open(p, O_RDONLY, 0);
	sys_close(fd);
	r = sys_open(p, O_RDONLY, 0);
	ut_check_ret("fd_lowest_reused", r, fd);
	sys_close(r);
	sys_close(fd2);

	/* Access modes are enforced. */
	fd = sys_open(p, O_RDONLY, 0);
	ut_check_ret("write_on_rdonly_ebadf", sys_write(fd, "x", 1), -EBADF);
	sys_close(fd);
	fd = sys_open(p, O_WRONLY, 0);
	ut_check_ret("read_on_wronly_ebadf", sys_read(fd, buf, 1), -EBADF);
	sys_close(fd);

	/* O_APPEND writes at the end whatever the offset. */
	fd = sys_open(p, O_WRONLY | O_APPEND, 0);
	sys_lseek(fd, 0, SEEK_SET);
	sys_write(fd, "YZ", 2);
	ut_check_ret("file_append", sys_lseek(fd, 0, SEEK_END), 23);
	sys_close(fd);

	/* O_TRUNC empties it. */
	fd = sys_open(p, O_RDWR | O_TRUNC, 0);
	ut_check_ok("file_open_trunc", fd);
	ut_check_ret("file_trunc_size0", sys_lseek(fd, 0, SEEK_END), 0);
	ut_check_ret("file_trunc_read_eof", sys_read(fd, buf, sizeof buf), 0);

	/* A larger file, written in pieces, reads back intact. */
	{
		static unsigned char big[100000], back[100000];
		long w = 0, got = 0;
		for (size_t i = 0; i < sizeof big; i++)
			big[i] = (unsigned char)(i * 7 + (i >> 8));
		sys_lseek(fd, 0, SEEK_SET);
		while (w < (long)sizeof big) {
			long n = sizeof big - w < 3000 ? sizeof big - w : 3000;
			r = sys_write(fd, big + w, n);
			if (r <= 0)
				break;
			w += r;
		}
		sys_lseek(fd, 0, SEEK_SET);
		while (got < (long)sizeof back) {
			r = sys_read(fd, back + got, sizeof back - got);
			if (r <= 0)
				break;
			got += r;
		}
		UT_CHECK("file_100k_roundtrip",
		         w == (long)sizeof big && got == (long)sizeof big &&
		                 memcmp(big, back, sizeof big) == 0,
		         "expected 100000/100000 bytes equal got w=%ld r=%ld", w, got);
	}
	sys_close(fd);

	ut_check_ret("open_excl_existing_eexist",
	             sys_open(p, O_CREAT | O_EXCL | O_WRONLY, 0644), -EEXIST);
	ut_check_ret("open_missing_enoent", sys_open("/tmp/duet-no-such-file", O_RDONLY, 0),
	             -ENOENT);
	ut_check_ret("open_create_in_missing_dir_enoent",
	             sys_open("/duet-no-such-dir/f", O_CREAT | O_WRONLY, 0644), -ENOENT);
	ut_check_ret("open_empty_path_enoent", sys_open("", O_RDONLY, 0), -ENOENT);
	ut_check_ret("open_dir_wronly_eisdir", sys_open("/tmp", O_WRONLY, 0), -EISDIR);
	ut_check_ret("open_dir_rdwr_eisdir", sys_open("/tmp", O_RDWR, 0), -EISDIR);
	ut_check_ret("open_dir_creat_eisdir", sys_open("/tmp", O_CREAT | O_RDONLY, 0644),
	             -EISDIR);
	ut_check_ret("open_file_as_dir_enotdir", sys_open(p, O_RDONLY | O_DIRECTORY, 0),
	             -ENOTDIR);
	snprintf(buf, sizeof buf, "%s/x", p);
	ut_check_ret("path_through_file_enotdir", sys_open(buf, O_RDONLY, 0), -ENOTDIR);
	{
		char longname[300];
		memset(longname, 'a', sizeof longname);
		memcpy(longname, "/tmp/", 5);
		longname[sizeof longname - 1] = 0;
		ut_check_ret("open_name_too_long", sys_open(longname, O_RDONLY, 0), -ENAMETOOLONG);
	}

	fd = sys_open("/tmp", O_RDONLY | O_DIRECTORY, 0);
	ut_check_ok("open_dir_rdonly", fd);
	ut_check_ret("read_dir_eisdir", sys_read(fd, buf, sizeof buf), -EISDIR);
	/* Relative lookup from a directory descriptor. */
	r = SYS4(SYS_openat, fd, p + 5, O_RDONLY, 0);
	ut_check_ok("openat_relative_dirfd", r);
	sys_close(r);
	sys_close(fd);
	fd = sys_open("/", O_RDONLY | O_DIRECTORY, 0);
	ut_check_ok("open_root_dir", fd);
	sys_close(fd);
	snprintf(buf, sizeof buf, "//tmp/../tmp/./%s", p + 5);
	fd = sys_open(buf, O_RDONLY, 0);
	ut_check_ok("open_dotdot_slashes", fd);
	sys_close(fd);

	SYS3(SYS_unlinkat, AT_FDCWD, p, 0);
}

/* ---- /dev/null and /dev/zero ---- */
static void test_devices(void)
{
	char buf[32];
	long fd, r;

	fd = sys_open("/dev/null", O_RDWR, 0);
	ut_check_ok("devnull_open", fd);
	ut_check_ret("devnull_write", sys_write(fd, "12345", 5), 5);
	ut_check_ret("devnull_read_eof", sys_read(fd, buf, sizeof buf), 0);
	{
		struct termios t;
		ut_check_ret("devnull_tcgets_enotty", SYS3(SYS_ioctl, fd, TCGETS, &t), -ENOTTY);
	}
	sys_close(fd);

	fd = sys_open("/dev/zero", O_RDWR, 0);
	ut_check_ok("devzero_open", fd);
	memset(buf, 0xaa, sizeof buf);
	r = sys_read(fd, buf, 16);
	UT_CHECK("devzero_read", r == 16 && all_bytes(buf, 0, 16) && all_bytes(buf + 16, 0xaa, 16),
	         "expected 16 zero bytes (rest untouched) got %ld", r);
	ut_check_ret("devzero_write", sys_write(fd, "abc", 3), 3);
	sys_close(fd);
}

/* ---- console ioctls ---- */
static void test_tty(void)
{
	struct termios t;
	struct winsize ws;
	long a = SYS3(SYS_ioctl, 1, TCGETS, &t);
	long b = SYS3(SYS_ioctl, 1, TIOCGWINSZ, &ws);
	char ga[48], gb[48];
	UT_CHECK("stdout_tcgets_tiocgwinsz_consistent",
	         (a == 0 && b == 0) || (a == -ENOTTY && b == -ENOTTY),
	         "expected both 0 or both -ENOTTY got %s and %s", ut_fmt_ret(ga, sizeof ga, a),
	         ut_fmt_ret(gb, sizeof gb, b));
	UT_CHECK("libc_isatty_agrees", isatty(1) == (a == 0), "isatty(1)=%d TCGETS=%ld",
	         isatty(1), a);
}

/* ---- memory: brk, mmap, munmap, mprotect ---- */
static void test_memory(void)
{
	uintptr_t cur = (uintptr_t)SYS1(SYS_brk, 0);
	uintptr_t want = cur + 64 * 1024;
	uintptr_t got = (uintptr_t)SYS1(SYS_brk, want);
	char *m;

	UT_CHECK("brk_query", cur != 0, "brk(0) returned 0");
	UT_CHECK("brk_grow", got == want, "expected %#lx got %#lx", (unsigned long)want,
	         (unsigned long)got);
	if (got == want) {
		volatile char *q = (volatile char *)cur;
		int ok = 1;
		for (uintptr_t i = 0; i < 64 * 1024; i += 512)
			q[i] = (char)i;
		for (uintptr_t i = 0; i < 64 * 1024; i += 512)
			ok &= q[i] == (char)i;
		UT_CHECK("brk_memory_writable", ok, "readback mismatch");
		UT_CHECK("brk_memory_zeroed", q[1] == 0 && q[64 * 1024 - 1] == 0,
		         "new break memory not zero");
	}
	ut_check_ret("brk_shrink", SYS1(SYS_brk, cur), (long)cur);
	ut_check_ret("brk_too_low_returns_current", SYS1(SYS_brk, 4096), (long)cur);

	m = (char *)SYS6(SYS_mmap, 0, 1 << 20, PROT_READ | PROT_WRITE,
	                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!ut_check_ok("mmap_1m", (long)m))
		return;
	UT_CHECK("mmap_page_aligned", ((uintptr_t)m & (PAGE - 1)) == 0, "got %p", (void *)m);
	UT_CHECK("mmap_zero_filled", all_bytes(m, 0, 1 << 20), "nonzero byte in new mapping");
	for (long i = 0; i < (1 << 20); i += PAGE)
		m[i] = (char)(i / PAGE + 1);
	{
		int ok = 1;
		for (long i = 0; i < (1 << 20); i += PAGE)
			ok &= m[i] == (char)(i / PAGE + 1);
		UT_CHECK("mmap_writable", ok, "readback mismatch");
	}
	ut_check_ret("mprotect_readonly", SYS3(SYS_mprotect, m, PAGE, PROT_READ), 0);
	UT_CHECK("mprotect_keeps_data", m[0] == 1, "got %d", m[0]);
	ut_check_ret("mprotect_rw_again", SYS3(SYS_mprotect, m, PAGE, PROT_READ | PROT_WRITE), 0);
	m[0] = 42;
	/* Unmap the middle, then the hole is gone but its neighbours stay. */
	ut_check_ret("munmap_middle", SYS2(SYS_munmap, m + 4 * PAGE, 4 * PAGE), 0);
	ut_check_ret("mprotect_unmapped_enomem",
	             SYS3(SYS_mprotect, m + 4 * PAGE, PAGE, PROT_READ), -ENOMEM);
	UT_CHECK("munmap_neighbours_intact", m[0] == 42 && m[8 * PAGE] == 9,
	         "got %d %d", m[0], m[8 * PAGE]);
	ut_check_ret("munmap_all", SYS2(SYS_munmap, m, 1 << 20), 0);
	ut_check_ret("mprotect_after_munmap_enomem", SYS3(SYS_mprotect, m, PAGE, PROT_READ),
	             -ENOMEM);
	ut_check_ret("munmap_unmapped_ok", SYS2(SYS_munmap, m, PAGE), 0);

	/* A second mapping: fresh pages are zero again. */
	m = (char *)SYS6(SYS_mmap, 0, 3 * PAGE, PROT_READ | PROT_WRITE,
	                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ut_check_ok("mmap_again", (long)m)) {
		UT_CHECK("mmap_again_zeroed", all_bytes(m, 0, 3 * PAGE), "stale data");
		SYS2(SYS_munmap, m, 3 * PAGE);
	}
	/* libc malloc, which sits on brk/mmap. */
	{
		char *a = malloc(100), *b = malloc(300000);
		UT_CHECK("libc_malloc", a && b, "malloc returned %p %p", (void *)a, (void *)b);
		if (a && b) {
			memset(a, 1, 100);
			memset(b, 2, 300000);
			UT_CHECK("libc_malloc_usable", a[99] == 1 && b[299999] == 2, "bad data");
		}
		free(a);
		free(b);
	}
}

/* ---- identity ---- */
static void test_ids(void)
{
	long pid = SYS0(SYS_getpid);
	long ppid = SYS0(SYS_getppid);
	long tid = SYS0(SYS_gettid);
	int dummy;

	UT_CHECK("getpid_positive", pid > 0, "got %ld", pid);
	ut_check_ret("gettid_eq_getpid", tid, pid);
	UT_CHECK("getppid_valid", ppid >= 0 && ppid != pid, "got ppid %ld pid %ld", ppid, pid);
	ut_check_ret("getpid_stable", SYS0(SYS_getpid), pid);
	ut_check_ret("libc_getpid", getpid(), pid);
	ut_check_ret("set_tid_address_returns_tid", SYS1(SYS_set_tid_address, &dummy), tid);
	ut_check_ret("uid_eq_euid", SYS0(SYS_getuid), SYS0(SYS_geteuid));
	ut_check_ret("gid_eq_egid", SYS0(SYS_getgid), SYS0(SYS_getegid));
	UT_CHECK("uid_valid", SYS0(SYS_getuid) >= 0, "got %ld", SYS0(SYS_getuid));

	{
		struct utsname u;
		long r = SYS1(SYS_uname, &u);
		ut_check_ret("uname", r, 0);
		UT_CHECK("uname_sysname", strcmp(u.sysname, "Linux") == 0, "expected \"Linux\" got \"%s\"",
		         u.sysname);
		UT_CHECK("uname_machine", strcmp(u.machine, "riscv64") == 0,
		         "expected \"riscv64\" got \"%s\"", u.machine);
		UT_CHECK("uname_release", u.release[0] != 0, "empty release");
	}
}

/* ---- time ---- */
static void test_time(void)
{
	struct timespec a, b;
	int64_t t0, t1, prev;
	int ok = 1;

	ut_check_ret("clock_gettime_mono", SYS2(SYS_clock_gettime, CLOCK_MONOTONIC, &a), 0);
	UT_CHECK("clock_gettime_nsec_range", a.tv_nsec >= 0 && a.tv_nsec < 1000000000,
	         "tv_nsec %ld", a.tv_nsec);
	ut_check_ret("clock_gettime_realtime", SYS2(SYS_clock_gettime, CLOCK_REALTIME, &b), 0);
	prev = ut_now_ns();
	for (int i = 0; i < 2000; i++) {
		int64_t n = ut_now_ns();
		if (n < prev)
			ok = 0;
		prev = n;
	}
	UT_CHECK("clock_monotonic_nondecreasing", ok, "time went backwards");
	{
		struct timeval tv;
		long r = SYS2(SYS_gettimeofday, &tv, 0);
		UT_CHECK("gettimeofday", r == 0 && tv.tv_usec >= 0 && tv.tv_usec < 1000000,
		         "r=%ld usec=%ld", r, (long)tv.tv_usec);
	}

	a.tv_sec = 0;
	a.tv_nsec = 10 * 1000000;
	t0 = ut_now_ns();
	ut_check_ret("nanosleep_10ms", SYS2(SYS_nanosleep, &a, 0), 0);
	t1 = ut_now_ns();
	UT_CHECK("nanosleep_10ms_duration", t1 - t0 >= 10 * 1000000 && t1 - t0 < 1000 * 1000000LL,
	         "expected >= 10000000 ns got %lld ns", (long long)(t1 - t0));
	a.tv_sec = 0;
	a.tv_nsec = 0;
	ut_check_ret("nanosleep_0", SYS2(SYS_nanosleep, &a, 0), 0);
	a.tv_nsec = 5 * 1000000;
	t0 = ut_now_ns();
	ut_check_ret("clock_nanosleep_rel_5ms",
	             SYS4(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &a, 0), 0);
	t1 = ut_now_ns();
	UT_CHECK("clock_nanosleep_rel_5ms_duration", t1 - t0 >= 5 * 1000000,
	         "expected >= 5000000 ns got %lld ns", (long long)(t1 - t0));
	ut_check_ret("sched_yield", SYS0(SYS_sched_yield), 0);
}

/* ---- randomness, limits, signals bookkeeping ---- */
static void test_misc(void)
{
	unsigned char r1[64], r2[64];
	long r;

	memset(r1, 0, sizeof r1);
	memset(r2, 0, sizeof r2);
	r = SYS3(SYS_getrandom, r1, sizeof r1, 0);
	ut_check_ret("getrandom_64", r, 64);
	SYS3(SYS_getrandom, r2, sizeof r2, 0);
	UT_CHECK("getrandom_fills", !all_bytes(r1, 0, sizeof r1), "all zero");
	UT_CHECK("getrandom_differs", memcmp(r1, r2, sizeof r1) != 0, "two calls gave same bytes");
	ut_check_ret("getrandom_nonblock", SYS3(SYS_getrandom, r1, 16, 1 /* GRND_NONBLOCK */), 16);

	{
		struct { uint64_t cur, max; } rl = { 0, 0 };
		r = SYS4(SYS_prlimit64, 0, RLIMIT_STACK, 0, &rl);
		ut_check_ret("prlimit64_stack", r, 0);
		UT_CHECK("prlimit64_stack_values", rl.cur > 0 && rl.cur <= rl.max,
		         "cur=%llu max=%llu", (unsigned long long)rl.cur, (unsigned long long)rl.max);
	}
	{
		struct rlimit rl;
		UT_CHECK("libc_getrlimit_nofile", getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > 3,
		         "failed");
	}

	/* The kernel's struct sigaction on riscv64: handler, flags, mask. */
	{
		unsigned long act[3] = { (unsigned long)SIG_IGN, 0, 1UL << (SIGUSR2 - 1) };
		unsigned long old[3] = { 7, 7, 7 };
		ut_check_ret("rt_sigaction_set", SYS4(SYS_rt_sigaction, SIGUSR1, act, 0, 8), 0);
		ut_check_ret("rt_sigaction_get", SYS4(SYS_rt_sigaction, SIGUSR1, 0, old, 8), 0);
		UT_CHECK("rt_sigaction_recorded",
		         old[0] == (unsigned long)SIG_IGN && old[2] == (1UL << (SIGUSR2 - 1)),
		         "handler %#lx mask %#lx", old[0], old[2]);
		act[0] = (unsigned long)SIG_DFL;
		act[2] = 0;
		SYS4(SYS_rt_sigaction, SIGUSR1, act, 0, 8);
	}
	{
		unsigned long set = 1UL << (SIGUSR1 - 1), old = 0, cur = 0;
		ut_check_ret("rt_sigprocmask_block",
		             SYS4(SYS_rt_sigprocmask, SIG_BLOCK, &set, &old, 8), 0);
		SYS4(SYS_rt_sigprocmask, SIG_BLOCK, 0, &cur, 8);
		UT_CHECK("rt_sigprocmask_recorded", (cur & set) != 0, "mask %#lx", cur);
		/* SIGKILL and SIGSTOP can never be blocked. */
		set = (1UL << (SIGKILL - 1)) | (1UL << (SIGSTOP - 1));
		SYS4(SYS_rt_sigprocmask, SIG_BLOCK, &set, 0, 8);
		SYS4(SYS_rt_sigprocmask, SIG_BLOCK, 0, &cur, 8);
		UT_CHECK("rt_sigprocmask_no_kill_stop", (cur & set) == 0, "mask %#lx", cur);
		SYS4(SYS_rt_sigprocmask, SIG_SETMASK, &old, 0, 8);
	}
}

/* ---- scatter/gather ---- */
static void test_iov(void)
{
	const char *p = tmpfile_path;
	char a[4], b[8], c[3];
	long fd, r;
	struct iovec w[3] = { { "abc", 3 }, { "", 0 }, { "defghij", 7 } };
	struct iovec rd[3] = { { a, 4 }, { b, 8 }, { c, 3 } };

	fd = sys_open(p, O_CREAT | O_RDWR | O_TRUNC, 0644);
	ut_check_ret("writev_file", SYS3(SYS_writev, fd, w, 3), 10);
	sys_lseek(fd, 0, SEEK_SET);
	memset(a, 0, sizeof a);
	memset(b, 0, sizeof b);
	memset(c, 'Q', sizeof c);
	r = SYS3(SYS_readv, fd, rd, 3);
	UT_CHECK("readv_file", r == 10 && memcmp(a, "abcd", 4) == 0 && memcmp(b, "efghij", 6) == 0 &&
	                               c[0] == 'Q',
	         "expected 10 \"abcd\"+\"efghij\" got %ld \"%.4s\"+\"%.6s\"", r, a, b);
	sys_close(fd);
	fd = sys_open("/dev/null", O_WRONLY, 0);
	ut_check_ret("writev_devnull", SYS3(SYS_writev, fd, w, 3), 10);
	ut_check_ret("writev_iovcnt0", SYS3(SYS_writev, fd, w, 0), 0);
	sys_close(fd);
	SYS3(SYS_unlinkat, AT_FDCWD, p, 0);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(tmpfile_path, sizeof tmpfile_path, "/tmp/systest.%ld", SYS0(SYS_getpid));

	test_efault();
	test_ebadf();
	test_einval();
	test_files();
	test_devices();
	test_tty();
	test_memory();
	test_ids();
	test_time();
	test_misc();
	test_iov();
	return ut_summary();
}
