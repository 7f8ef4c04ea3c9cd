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
#include "kernel/fs/file.h"

#define X(nr, name) SYSCALL(name);
#include "syscall/list.h"
#undef X

#define NR_MAX 512

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

/*
 * The calls the client may run itself while the server runs other calls
 * (in-place fallback, docs/FALLBACK.md).  Every handler was written for one
 * hart at a time (the server's, or cpu 0 with offload=0): only the page and
 * slab allocators, mm->lock (user copies, page faults), kstack_lock and the
 * console are shared between harts.  So a call qualifies only if what it
 * touches is one of those, or data nobody else writes while it runs:
 *   getpid, gettid      fields set when the process/task is made;
 *   getppid             p->ppid, an atomic the server updates (fork,
 *                       reparenting): the parent's struct is never touched;
 *   getuid..getegid     p->cred, written only by this process's own calls,
 *                       so with one task none runs meanwhile;
 *   clock_gettime       the clocks computed from the time CSR alone
 *                       (MONOTONIC*, BOOTTIME, and CPUTIME, which duet
 *                       answers the same way), not REALTIME: its offset is
 *                       set by clock_settime on the server;
 *   read, write         with one task in the process (p->ntasks == 1, which
 *                       only this process's clone could raise), no other call
 *                       changes its fd table, and the table's reference keeps
 *                       the file alive; and only on files whose ops say
 *                       `anywhere` (/dev/null, /dev/zero: no state but user
 *                       memory, copied under mm->lock).
 * Everything else (paths, the VFS, pipes, process and signal state, the
 * waker tables, mappings) stays on the server.
 */
int syscall_runs_anywhere(struct task *t, uint64_t nr, const uint64_t a[6])
{
	struct proc *p = t->proc;
	switch (nr) {
	case 172: case 173: case 178:	/* getpid getppid gettid */
		return 1;
	case 113:	/* clock_gettime: the clocks of time_ns() (sys_time.c's clock_ns) */
		return a[0] == 1 || a[0] == 2 || a[0] == 3 || a[0] == 4 || a[0] == 6 || a[0] == 7;
	case 174: case 175: case 176: case 177:	/* getuid geteuid getgid getegid */
		return atomic_load_explicit(&p->ntasks, memory_order_relaxed) == 1;
	case 63: case 64: {	/* read write */
		if (atomic_load_explicit(&p->ntasks, memory_order_relaxed) != 1)
			return 0;
		struct file *f = fd_get(p, (int)a[0]);
		return f && f->ops->anywhere;
	}
	default:
		return 0;
	}
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
