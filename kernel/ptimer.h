/*
 * Per-process timers: ITIMER_REAL (setitimer, alarm) and POSIX timers
 * (timer_create with SIGEV_SIGNAL, SIGEV_THREAD_ID or SIGEV_NONE).  Each
 * armed timer is a kernel thread on the syscall cpu that sleeps on that
 * cpu's timer list and sends its signal at expiry (kernel/ptimer.c).
 */
#pragma once
struct proc;
/* The process is gone (last thread exited): stop and free its timers. */
void ptimer_exit(struct proc *p);
