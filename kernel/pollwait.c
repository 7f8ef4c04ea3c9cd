/* The poll wait queue and timed waits on a wait queue (kernel/pollwait.h). */
#include "kernel/pollwait.h"
#include "kernel/timer.h"
#include "kernel/errno.h"
#include "drivers/tty.h"

/* Static so that a poll_notify() before the first poller finds a valid lock. */
struct waitq poll_waitq = { .lock = SPINLOCK_INIT("poll_waitq"), .head = 0 };

void poll_notify(void)
{
	waitq_wake_all(&poll_waitq);
}

/*
 * Stand-in until sched/exec.c provides the real thread_park_until(): give
 * the cpu away once and report whether the deadline passed.  Correct, but a
 * timed poll with nothing else to run busy-waits instead of sleeping.
 */
__attribute__((weak)) int thread_park_until(uint64_t deadline)
{
	thread_yield();
	return time_now() >= deadline;
}

/*
 * wait_event()'s loop with a deadline: the waiter is on q before cond is
 * checked, so an event between the check and the park sets our waker bit
 * and the park returns at once.
 */
int wait_event_deadline(struct waitq *q, int (*cond)(void *), void *arg, uint64_t deadline)
{
	for (;;) {
		struct waiter w;
		int r = 0;
		waitq_add(q, &w);
		if (cond(arg))
			r = 0;
		else if (deadline != WAIT_FOREVER && time_now() >= deadline)
			r = -ETIMEDOUT;
		else if (signal_pending_now())
			r = -EINTR;
		else
			r = 1;
		if (r == 1) {
			if (deadline == WAIT_FOREVER)
				thread_park();
			else
				thread_park_until(deadline);
		}
		waitq_remove(q, &w);
		if (r != 1)
			return r;
	}
}
