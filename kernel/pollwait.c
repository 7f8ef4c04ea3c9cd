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
 * wait_event()'s loop with a deadline: the waiter is on q before cond is
 * checked, so an event between the check and the park sets our waker bit
 * and the park returns at once.
 */
int wait_event_deadline(struct waitq *q, int (*cond)(void *), void *arg, uint64_t deadline)
{
	for (;;) {
		struct waiter w;
		int r;
		waitq_add(q, &w);
		if (cond(arg))
			r = 0;
		else if (deadline != WAIT_FOREVER && time_now() >= deadline)
			r = -ETIMEDOUT;
		else if (signal_pending_now())
			r = -EINTR;
		else if (deadline == WAIT_FOREVER)
			r = (thread_park(), 1);
		else
			r = (thread_park_until(deadline), 1);
		waitq_remove(q, &w);
		if (r != 1)		/* 1: woken or at the deadline: check again */
			return r;
	}
}
