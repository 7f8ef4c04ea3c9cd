/*
 * Waiting for "some file became ready": ppoll and pselect6 sleep on one
 * global queue, and every place that changes a file's readiness calls
 * poll_notify().  One queue for all files is a thundering herd, but pollers
 * are few and a spurious wake only costs a rescan of their fds.
 *
 * Everything here runs on the syscall cpu except poll_notify(), which may
 * also be called from that cpu's interrupt handlers (the tty).
 */
#pragma once
#include <stdint.h>
#include "sched/thread.h"

/* file_ops.poll result bits (kernel/fs/file.h): which of these a file reports. */
#define POLL_READABLE 1		/* a read would not block (data, or EOF with data left) */
#define POLL_WRITABLE 2		/* a write would not block */
#define POLL_HANGUP   4		/* the other end is gone (pipe without writers) */
#define POLL_ERROR    8		/* writes fail (pipe without readers) */

/* No deadline: wait_event_deadline() waits until cond or a signal. */
#define WAIT_FOREVER (~0UL)

extern struct waitq poll_waitq;

/* Readiness of some file may have changed: rescan, every poller. */
void poll_notify(void);

/*
 * Park until cond(arg) is true (0), the deadline in timebase ticks passes
 * (-ETIMEDOUT) or a signal is pending (-EINTR), checked in that order after
 * every wake, as Linux's do_poll does.  cond is checked at least once, so a
 * deadline in the past means "poll once".  cond must not park.
 */
int wait_event_deadline(struct waitq *q, int (*cond)(void *), void *arg, uint64_t deadline_ticks);
