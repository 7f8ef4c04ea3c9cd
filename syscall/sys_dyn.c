/*
 * Calls the vDSO stands for and a C library's start-up asks about
 * (docs/DYNAMIC.md has the whole table, with the deliberate ENOSYS ones).
 */
#include "syscall/sys.h"

#define SYS_RISCV_FLUSH_ICACHE_LOCAL 1UL

/*
 * The calling hart's fence.i is done in user mode by __vdso_flush_icache
 * (and a task's code only runs on its client hart), so the kernel only
 * checks the flags, as Linux does.
 */
SYSCALL(riscv_flush_icache)
{
	if (a[2] & ~SYS_RISCV_FLUSH_ICACHE_LOCAL)
		return -EINVAL;
	__asm__ volatile("fence.i" ::: "memory");
	return 0;
}

/*
 * A stand-in futex for processes of one thread, until the threads work
 * (issue 10) brings the real one: drop this and its list_dyn.h line then.
 * glibc calls FUTEX_WAKE after every pthread_once (setlocale does one) even
 * with no other thread.  Nobody can be waiting (the WAIT below never
 * sleeps), so a wake wakes 0; a WAIT whose word has changed is EAGAIN as on
 * Linux, and one that would have to sleep is ENOSYS.
 */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_CMD_MASK 0x7f	/* without FUTEX_PRIVATE_FLAG, FUTEX_CLOCK_REALTIME */

SYSCALL(futex)
{
	uint32_t word;
	switch (a[1] & FUTEX_CMD_MASK) {
	case FUTEX_WAKE: case FUTEX_WAKE_BITSET:
		return (a[0] & 3) ? -EINVAL : 0;
	case FUTEX_WAIT: case FUTEX_WAIT_BITSET:
		if (a[0] & 3)
			return -EINVAL;
		if (copy_from_user(curmm(), &word, a[0], sizeof word))
			return -EFAULT;
		return word != (uint32_t)a[2] ? -EAGAIN : -ENOSYS;
	default:
		return -ENOSYS;
	}
}
