/* System call dispatch: Linux riscv64 numbers, one table. */
#pragma once
#include <stdint.h>

long syscall_dispatch(uint64_t nr, const uint64_t a[6]);
/* Calls that act on the client's own scheduling state run where they trap. */
static inline int syscall_runs_local(uint64_t nr)
{
	return nr == 124 /* sched_yield */ || nr == 139 /* rt_sigreturn */ ||
	       nr > 0x3fffffffUL;	/* no request can carry it (rpc/claim.h): -ENOSYS here */
}

/* kernel-internal numbers, sent by the client itself (usertrap.c) */
#define DUET_NR_FATAL 0x3fff0000UL	/* the task dies of a signal */
#define DUET_NR_THREAD_FAILED 0x3fff0001UL	/* a new thread could not start */

struct task;
/* May this call run on the client's hart while the server runs others?
 * (in-place fallback, docs/FALLBACK.md) */
int syscall_runs_anywhere(struct task *t, uint64_t nr, const uint64_t a[6]);

/* rt_sigreturn restores a whole frame: a0 is not the result. */
static inline int syscall_keeps_a0(uint64_t nr)
{
	return nr == 139;
}
/*
 * Calls that fail with EINTR after a signal handler even with SA_RESTART
 * (signal(7)): msgrcv, msgsnd, semtimedop, semop.  Asked only when a call
 * returned -EINTR.
 */
static inline int syscall_never_restarts(uint64_t nr)
{
	return nr >= 188 && nr <= 193 && nr != 190 && nr != 191;
}
const char *syscall_name(uint64_t nr);
