/*
 * The vDSO's C entry points, with Linux riscv64's names and LINUX_4.15
 * version (vdso.lds).  Each makes the system call it stands for: duet keeps
 * no clock data page shared with user space, so there is no faster path to
 * take, and the results are the syscall's by construction.
 * __vdso_flush_icache runs fence.i itself (a user-mode instruction) so the
 * hart that runs the caller is in sync even when the syscall runs on the
 * server hart (offload=1), then lets the kernel check the flags.
 */
struct timespec;
struct timeval;
struct timezone;

static long vdso_call3(long nr, long a0, long a1, long a2)
{
	register long r_a0 __asm__("a0") = a0;
	register long r_a1 __asm__("a1") = a1;
	register long r_a2 __asm__("a2") = a2;
	register long r_a7 __asm__("a7") = nr;
	__asm__ volatile("ecall" : "+r"(r_a0) : "r"(r_a1), "r"(r_a2), "r"(r_a7) : "memory");
	return r_a0;
}

int __vdso_clock_gettime(int clk, struct timespec *ts)
{
	return (int)vdso_call3(113, clk, (long)ts, 0);
}

int __vdso_clock_getres(int clk, struct timespec *res)
{
	return (int)vdso_call3(114, clk, (long)res, 0);
}

int __vdso_gettimeofday(struct timeval *tv, struct timezone *tz)
{
	return (int)vdso_call3(169, (long)tv, (long)tz, 0);
}

int __vdso_getcpu(unsigned *cpu, unsigned *node, void *unused)
{
	return (int)vdso_call3(168, (long)cpu, (long)node, (long)unused);
}

int __vdso_flush_icache(void *start, void *end, unsigned long flags)
{
	__asm__ volatile("fence.i" ::: "memory");
	return (int)vdso_call3(259, (long)start, (long)end, (long)flags);
}
