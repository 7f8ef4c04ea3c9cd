/*
 * The system call table, by Linux riscv64 number.  Unknown numbers return
 * -ENOSYS and are logged once each (at loglevel=warn).
 */
#include "kernel/fs/pagecache.h"
#include "syscall/sys.h"
#include "syscall/syscall.h"
#include "kernel/printk.h"
#include "kernel/stats.h"
#include "kernel/thread_group.h"

#define X(nr, name) SYSCALL(name);
#include "syscall/list.h"
#undef X

#define NR_MAX 512
#define DUET_NR_FATAL 0x7fff0000UL	/* kernel-internal: the task dies of a signal */
#define DUET_NR_THREAD_FAILED 0x7fff0001UL	/* kernel-internal: a new thread could not start */

static const syscall_fn table[NR_MAX] = {
#define X(nr, name) [nr] = sys_##name,
#include "syscall/list.h"
#undef X
};

/* Every Linux riscv64 name (generated from the UAPI header), for the warnings. */
static const char *const names[NR_MAX] = {
#include "syscall_names.h"
};

static uint64_t warned[NR_MAX / 64];

const char *syscall_name(uint64_t nr)
{
	return nr < NR_MAX && names[nr] ? names[nr] : "?";
}


__hotpath long syscall_dispatch(uint64_t nr, const uint64_t a[6])
{
	STATS.served++;
	if (nr == DUET_NR_FATAL && curtask()->fatal_sig) {
		group_exit(curtask(), curtask()->fatal_sig);	/* a fatal signal ends every thread */
		return 0;
	}
	if (nr == DUET_NR_THREAD_FAILED && curtask()->fork_thread) {
		thread_start_failed(curtask());
		return 0;
	}
	if (nr >= NR_MAX || !table[nr]) {
		if (nr < NR_MAX && !(warned[nr / 64] & (1UL << (nr % 64)))) {
			warned[nr / 64] |= 1UL << (nr % 64);
			pr_warn("syscall %lu (%s) not implemented: -ENOSYS\n", nr, syscall_name(nr));
		}
		return -ENOSYS;
	}
	/* every 64th call, not to read the pool's line (written by every allocation) on each */
	if (__builtin_expect((STATS.served & 63) == 0, 0) && mem_low())
		mem_reclaim();	/* caches give back their pages before anything fails */
	long r = table[nr](a);
	pr_trace("pid %d %s(%lx, %lx, %lx) = %ld\n", curproc()->pid, syscall_name(nr), a[0], a[1], a[2], r);
	return r;
}

SYSCALL(sched_yield)
{
	(void)a;
	thread_yield();
	return 0;
}

SYSCALL(rt_sigreturn)
{
	(void)a;
	return sigreturn_frame();
}
