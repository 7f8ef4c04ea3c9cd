/*
 * ut.h - tiny helpers shared by duet's user-space test programs.
 *
 * Raw RISC-V Linux system calls (no errno, the kernel's -Exxx comes back as
 * the return value, and no libc argument checking in between), a monotonic
 * clock in nanoseconds, and PASS/FAIL reporting that ends with the line
 * "N passed, N failed".
 *
 * Header-only: every user/NAME.c is built as its own static program.
 */
#ifndef DUET_UT_H
#define DUET_UT_H

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

static inline long ut_sys6(long n, long a0, long a1, long a2, long a3,
                           long a4, long a5)
{
	register long r_a7 __asm__("a7") = n;
	register long r_a0 __asm__("a0") = a0;
	register long r_a1 __asm__("a1") = a1;
	register long r_a2 __asm__("a2") = a2;
	register long r_a3 __asm__("a3") = a3;
	register long r_a4 __asm__("a4") = a4;
	register long r_a5 __asm__("a5") = a5;
	__asm__ volatile("ecall"
	                 : "+r"(r_a0)
	                 : "r"(r_a7), "r"(r_a1), "r"(r_a2), "r"(r_a3), "r"(r_a4),
	                   "r"(r_a5)
	                 : "memory");
	return r_a0;
}

#define SYS0(n)                   ut_sys6((n), 0, 0, 0, 0, 0, 0)
#define SYS1(n, a)                ut_sys6((n), (long)(a), 0, 0, 0, 0, 0)
#define SYS2(n, a, b)             ut_sys6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define SYS3(n, a, b, c)          ut_sys6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define SYS4(n, a, b, c, d)       ut_sys6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define SYS5(n, a, b, c, d, e)    ut_sys6((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)
#define SYS6(n, a, b, c, d, e, f) ut_sys6((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

/* CLOCK_MONOTONIC in nanoseconds, via the raw system call. */
static inline int64_t ut_now_ns(void)
{
	struct timespec ts;
	if (ut_sys6(SYS_clock_gettime, CLOCK_MONOTONIC, (long)&ts, 0, 0, 0, 0) != 0)
		return -1;
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int ut_npass, ut_nfail;

static inline const char *ut_errname(long e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case ESRCH: return "ESRCH";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case E2BIG: return "E2BIG";
	case EBADF: return "EBADF";
	case ECHILD: return "ECHILD";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case ENODEV: return "ENODEV";
	case ENOTDIR: return "ENOTDIR";
	case EISDIR: return "EISDIR";
	case EINVAL: return "EINVAL";
	case EMFILE: return "EMFILE";
	case ENOTTY: return "ENOTTY";
	case EFBIG: return "EFBIG";
	case ENOSPC: return "ENOSPC";
	case ESPIPE: return "ESPIPE";
	case EROFS: return "EROFS";
	case EPIPE: return "EPIPE";
	case ERANGE: return "ERANGE";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	case ENOSYS: return "ENOSYS";
	case ENOTEMPTY: return "ENOTEMPTY";
	case ELOOP: return "ELOOP";
	case EOVERFLOW: return "EOVERFLOW";
	default: return "E?";
	}
}

/* Formats a raw syscall result: "-14 (EFAULT)" or "42". */
static inline const char *ut_fmt_ret(char *buf, size_t len, long r)
{
	if (r < 0 && r > -4096)
		snprintf(buf, len, "%ld (%s)", r, ut_errname(-r));
	else
		snprintf(buf, len, "%ld", r);
	return buf;
}

static inline void ut_pass(const char *name)
{
	ut_npass++;
	printf("PASS %s\n", name);
}

__attribute__((format(printf, 2, 3)))
static inline void ut_fail(const char *name, const char *fmt, ...)
{
	va_list ap;
	ut_nfail++;
	printf("FAIL %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* Passes iff cond; otherwise prints the formatted detail. */
#define UT_CHECK(name, cond, ...)                                              \
	do {                                                                   \
		if (cond)                                                      \
			ut_pass(name);                                         \
		else                                                           \
			ut_fail(name, __VA_ARGS__);                            \
	} while (0)

/* A raw syscall result must equal want (a value or -Exxx). */
static inline int ut_check_ret(const char *name, long got, long want)
{
	char g[48], w[48];
	if (got == want) {
		ut_pass(name);
		return 1;
	}
	ut_fail(name, "expected %s got %s", ut_fmt_ret(w, sizeof w, want),
	        ut_fmt_ret(g, sizeof g, got));
	return 0;
}

/* A raw syscall result must be >= 0 (success). */
static inline int ut_check_ok(const char *name, long got)
{
	char g[48];
	if (got >= 0) {
		ut_pass(name);
		return 1;
	}
	ut_fail(name, "expected success got %s", ut_fmt_ret(g, sizeof g, got));
	return 0;
}

/* Prints the summary line; returns the exit status (0 iff all passed). */
static inline int ut_summary(void)
{
	printf("%d passed, %d failed\n", ut_npass, ut_nfail);
	fflush(stdout);
	return ut_nfail ? 1 : 0;
}

#endif
