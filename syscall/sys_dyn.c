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
