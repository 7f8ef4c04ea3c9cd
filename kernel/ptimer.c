/*
 * setitimer/getitimer (ITIMER_REAL; musl's alarm is setitimer) and POSIX
 * timers.  See kernel/ptimer.h.
 *
 * An armed timer is a kernel thread on the syscall cpu: it sleeps on that
 * cpu's timer list until the expiry, sends its signal and re-arms for the
 * interval.  Settings change only in syscall handlers on that same cpu, so
 * the thread sees them when it next runs; a handler that changes a timer
 * wakes it to re-read them.  The thread owns its struct once started: a
 * deleted timer is marked dead and freed by its thread.
 */
#include "kernel/ptimer.h"
#include "kernel/proc.h"
#include "kernel/signal.h"
#include "kernel/thread_group.h"
#include "kernel/errno.h"
#include "kernel/timer.h"
#include "kernel/kmalloc.h"
#include "syscall/sys.h"

#define NTIMERS 32		/* POSIX timers per process; the three itimers follow */
#define ITIMER_SLOT NTIMERS	/* ITIMER_REAL; + ITIMER_VIRTUAL (1), + ITIMER_PROF (2) */
#define ITIMER_REAL 0
#define SIGVTALRM 26
#define SIGPROF 27
#define SIGEV_SIGNAL 0
#define SIGEV_NONE 1
#define SIGEV_THREAD_ID 4
#define TIMER_ABSTIME 1
#define NS 1000000000UL

struct ptimer {
	struct proc *p;
	int id, sig, notify, tid;
	uint64_t value;			/* sigev_value */
	uint64_t expires;		/* monotonic ns, 0: disarmed */
	uint64_t interval;		/* ns, 0: one shot */
	int overrun, overrun_last;
	int realtime;			/* CLOCK_REALTIME: TIMER_ABSTIME values are wall-clock */
	int dead;			/* deleted: the thread frees the struct */
	int cpu_clock;			/* ITIMER_VIRTUAL/PROF: expires is in the process's cpu ns */
	struct thread *th;		/* NULL until first armed */
};

struct ptimers {
	struct ptimer *t[NTIMERS + 3];
};

uint64_t realtime_ns(void);

static void fire(struct ptimer *pt)
{
	struct sig_info si = { SI_TIMER, pt->id, pt->value };
	struct task *t = pt->notify == SIGEV_THREAD_ID ? task_by_tid(pt->tid) : pt->p->task;
	if (pt->notify == SIGEV_NONE || !t || t->proc != pt->p || pt->p->state != P_ALIVE)
		return;
	/* still pending from the last expiry: Linux counts an overrun instead */
	if (atomic_load(&t->sig_pending) & (1UL << (pt->sig - 1))) {
		pt->overrun++;
		return;
	}
	pt->overrun_last = pt->overrun;
	pt->overrun = 0;
	if (pt->id >= ITIMER_SLOT) {
		si.code = SI_KERNEL;
		signal_send_info(pt->p, pt->sig, &si);
	} else if (pt->notify == SIGEV_THREAD_ID) {
		signal_send_thread(t, pt->sig, &si);
	} else {
		signal_send_info(pt->p, pt->sig, &si);
	}
}

/*
 * The cpu time of p's threads, in ns: what each thread's client hart has
 * charged it at its switches, plus the slice it is running now.  The
 * reads can only undercount (see exec_loop), so a cpu timer never fires
 * early.  duet charges a task the time its thread held its client hart:
 * user time and the traps taken there (and, with offload=0, the syscall
 * handlers); handler time on the server is not charged to anyone, so
 * ITIMER_PROF counts the same clock as ITIMER_VIRTUAL.  Threads that have
 * exited no longer count.  Syscall cpu only (walks p->threads).
 */
static uint64_t cpu_clock_ns(struct proc *p)
{
	uint64_t ticks = 0, now = r_time();
	for (struct task *t = p->threads; t; t = t->group_next) {
		struct thread *th = t->thread;
		if (!th)
			continue;
		ticks += th->run_ticks;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		struct cpu *c = &cpus[th->cpu];
		if (c->cur == th) {
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			uint64_t since = c->run_since;
			ticks += now > since ? now - since : 0;
		}
	}
	return ticks_to_ns(ticks);
}

/*
 * ITIMER_VIRTUAL/PROF: nothing can tell this thread when a clock of cpu
 * time reaches a value, so it looks, and then sleeps for the least wall
 * time in which the process's threads could use what is left (each uses
 * at most one hart), at least 1 ms.  A process that never runs costs one
 * look per remaining interval, not a periodic tick.
 */
static void cpu_timer_main(struct ptimer *pt)
{
	while (!pt->dead) {
		if (!pt->expires) {
			thread_park();
			continue;
		}
		uint64_t used = cpu_clock_ns(pt->p);
		if (used < pt->expires) {
			uint64_t n = pt->p->nthreads > 0 ? (uint64_t)pt->p->nthreads : 1;
			uint64_t wait = (pt->expires - used) / n;
			thread_park_until(ns_to_ticks(time_ns() + (wait < 1000000 ? 1000000 : wait)));
			continue;
		}
		fire(pt);
		if (!pt->interval) {
			pt->expires = 0;
			continue;
		}
		pt->expires += pt->interval;
		if (pt->expires <= used) {
			uint64_t missed = (used - pt->expires) / pt->interval + 1;
			pt->overrun += (int)(missed > 0x7fffffff ? 0x7fffffff : missed);
			pt->expires += missed * pt->interval;
		}
	}
}

static void timer_main(void *arg)
{
	struct ptimer *pt = arg;
	if (pt->cpu_clock)
		cpu_timer_main(pt);
	while (!pt->dead) {
		if (!pt->expires) {
			thread_park();
			continue;
		}
		thread_park_until(ns_to_ticks(pt->expires));
		uint64_t now = time_ns();
		if (pt->dead || !pt->expires || now < pt->expires)
			continue;	/* woken to re-read the settings */
		fire(pt);
		if (!pt->interval) {
			pt->expires = 0;
			continue;
		}
		pt->expires += pt->interval;
		if (pt->expires <= now) {	/* missed periods are overruns */
			uint64_t missed = (now - pt->expires) / pt->interval + 1;
			pt->overrun += (int)(missed > 0x7fffffff ? 0x7fffffff : missed);
			pt->expires += missed * pt->interval;
		}
	}
	kfree(pt);
	thread_exit();
}

static struct ptimers *timers_of(struct proc *p)
{
	if (!p->timers)
		p->timers = kzalloc(sizeof *p->timers);
	return p->timers;
}

/* Arm (expires != 0) or disarm; the thread is made on first use. */
static long timer_set(struct ptimer *pt, uint64_t expires, uint64_t interval)
{
	if (expires && !pt->th) {
		pt->th = thread_create(mycpu()->id, timer_main, pt, NULL);
		if (!pt->th)
			return -ENOMEM;
		thread_start(pt->th);
	}
	pt->expires = expires;
	pt->interval = interval;
	pt->overrun = 0;
	if (pt->th)
		thread_wake(pt->th);
	return 0;
}

static void timer_free(struct ptimer *pt)
{
	pt->dead = 1;
	if (pt->th)
		thread_wake(pt->th);	/* it frees pt */
	else
		kfree(pt);
}

void ptimer_exit(struct proc *p)
{
	if (!p->timers)
		return;
	for (int i = 0; i < NTIMERS + 3; i++)
		if (p->timers->t[i])
			timer_free(p->timers->t[i]);
	kfree(p->timers);
	p->timers = NULL;
}

static uint64_t left_ns(struct ptimer *pt)
{
	uint64_t now = time_ns();
	if (!pt || !pt->expires)
		return 0;
	return pt->expires > now ? pt->expires - now : 1;	/* due: about to fire */
}

/* ---- setitimer, getitimer ---- */

struct timeval_k { int64_t sec, usec; };
struct itimerval_k { struct timeval_k interval, value; };

static uint64_t tv_ns(struct timeval_k tv) { return (uint64_t)tv.sec * NS + (uint64_t)tv.usec * 1000; }
static struct timeval_k ns_tv(uint64_t ns)
{
	/* round up: a timer that has not fired never reads as zero */
	uint64_t us = (ns + 999) / 1000;
	return (struct timeval_k){ (int64_t)(us / 1000000), (int64_t)(us % 1000000) };
}

static void itimer_read(struct proc *p, int which, struct itimerval_k *v)
{
	struct ptimer *pt = p->timers ? p->timers->t[ITIMER_SLOT + which] : NULL;
	if (which == ITIMER_REAL || !pt || !pt->expires) {
		v->value = ns_tv(left_ns(pt));
	} else {
		uint64_t used = cpu_clock_ns(p);
		v->value = ns_tv(pt->expires > used ? pt->expires - used : 1);
	}
	v->interval = ns_tv(pt ? pt->interval : 0);
}

SYSCALL(getitimer)
{
	if (a[0] > 2)
		return -EINVAL;
	struct itimerval_k v;
	itimer_read(curproc(), (int)a[0], &v);
	return copy_to_user(curmm(), a[1], &v, sizeof v) ? -EFAULT : 0;
}

SYSCALL(setitimer)
{
	struct proc *p = curproc();
	struct itimerval_k nv = { { 0, 0 }, { 0, 0 } }, ov;
	if (a[0] > 2)
		return -EINVAL;
	if (a[1] && copy_from_user(curmm(), &nv, a[1], sizeof nv))
		return -EFAULT;
	if (nv.value.sec < 0 || nv.value.usec < 0 || nv.value.usec >= 1000000 ||
	    nv.interval.sec < 0 || nv.interval.usec < 0 || nv.interval.usec >= 1000000)
		return -EINVAL;
	int which = (int)a[0];
	itimer_read(p, which, &ov);
	struct ptimers *ts = timers_of(p);
	if (!ts)
		return -ENOMEM;
	struct ptimer *pt = ts->t[ITIMER_SLOT + which];
	if (!pt) {
		static const int sig[3] = { SIGALRM, SIGVTALRM, SIGPROF };
		pt = ts->t[ITIMER_SLOT + which] = kzalloc(sizeof *pt);
		if (!pt)
			return -ENOMEM;
		*pt = (struct ptimer){ .p = p, .id = ITIMER_SLOT + which, .sig = sig[which],
				       .notify = SIGEV_SIGNAL, .cpu_clock = which != ITIMER_REAL };
	}
	uint64_t v = tv_ns(nv.value), now = which == ITIMER_REAL ? time_ns() : cpu_clock_ns(p);
	long err = timer_set(pt, v ? now + v : 0, v ? tv_ns(nv.interval) : 0);
	if (err)
		return err;
	if (a[2] && copy_to_user(curmm(), a[2], &ov, sizeof ov))
		return -EFAULT;
	return 0;
}

/* ---- POSIX timers ---- */

struct sigevent_k {
	uint64_t value;
	int32_t signo, notify, tid;
};
struct timespec_k { int64_t sec, nsec; };
struct itimerspec_k { struct timespec_k interval, value; };

static struct ptimer *timer_lookup(uint64_t id)
{
	struct proc *p = curproc();
	if (id >= NTIMERS || !p->timers)
		return NULL;
	return p->timers->t[id];
}

SYSCALL(timer_create)
{
	uint64_t clk = a[0];
	/* REALTIME, MONOTONIC, BOOTTIME (and their alarm forms): all tick with time_ns */
	if (clk != 0 && clk != 1 && clk != 7 && clk != 8 && clk != 9)
		return -EINVAL;
	struct proc *p = curproc();
	struct sigevent_k ev = { 0, SIGALRM, SIGEV_SIGNAL, 0 };
	if (a[1] && copy_from_user(curmm(), &ev, a[1], sizeof ev))
		return -EFAULT;
	if (ev.notify != SIGEV_SIGNAL && ev.notify != SIGEV_NONE && ev.notify != SIGEV_THREAD_ID)
		return -EINVAL;
	if (ev.notify != SIGEV_NONE && (ev.signo < 1 || ev.signo > NSIG))
		return -EINVAL;
	if (ev.notify == SIGEV_THREAD_ID) {
		struct task *t = task_by_tid(ev.tid);
		if (!t || t->proc != p)
			return -EINVAL;
	}
	struct ptimers *ts = timers_of(p);
	if (!ts)
		return -ENOMEM;
	int id = 0;
	while (id < NTIMERS && ts->t[id])
		id++;
	if (id == NTIMERS)
		return -EAGAIN;
	if (!a[1])
		ev.value = (uint64_t)id;	/* Linux: sigev_value is the timer id */
	struct ptimer *pt = kzalloc(sizeof *pt);
	if (!pt)
		return -ENOMEM;
	*pt = (struct ptimer){ .p = p, .id = id, .sig = ev.signo, .notify = ev.notify,
			       .tid = ev.tid, .value = ev.value, .realtime = clk == 0 || clk == 8 };
	int32_t uid = id;
	if (copy_to_user(curmm(), a[2], &uid, sizeof uid)) {
		kfree(pt);
		return -EFAULT;
	}
	ts->t[id] = pt;
	return 0;
}

static void timer_read(struct ptimer *pt, struct itimerspec_k *v)
{
	uint64_t left = left_ns(pt);
	v->value = (struct timespec_k){ (int64_t)(left / NS), (int64_t)(left % NS) };
	v->interval = (struct timespec_k){ (int64_t)(pt->interval / NS), (int64_t)(pt->interval % NS) };
}

SYSCALL(timer_settime)
{
	struct ptimer *pt = timer_lookup(a[0]);
	if (!pt)
		return -EINVAL;
	struct itimerspec_k nv, ov;
	if (copy_from_user(curmm(), &nv, a[2], sizeof nv))
		return -EFAULT;
	if (nv.value.sec < 0 || nv.value.nsec < 0 || nv.value.nsec >= (int64_t)NS ||
	    nv.interval.sec < 0 || nv.interval.nsec < 0 || nv.interval.nsec >= (int64_t)NS)
		return -EINVAL;
	timer_read(pt, &ov);
	uint64_t v = (uint64_t)nv.value.sec * NS + (uint64_t)nv.value.nsec, now = time_ns();
	uint64_t expires = 0;
	if (v && (a[1] & TIMER_ABSTIME)) {
		/* an absolute time on the timer's clock: only REALTIME is not time_ns */
		uint64_t clock_now = pt->realtime ? realtime_ns() : now;
		expires = v > clock_now ? now + (v - clock_now) : now;
	} else if (v) {
		expires = now + v;
	}
	long err = timer_set(pt, expires, v ? (uint64_t)nv.interval.sec * NS + (uint64_t)nv.interval.nsec : 0);
	if (err)
		return err;
	if (a[3] && copy_to_user(curmm(), a[3], &ov, sizeof ov))
		return -EFAULT;
	return 0;
}

SYSCALL(timer_gettime)
{
	struct ptimer *pt = timer_lookup(a[0]);
	if (!pt)
		return -EINVAL;
	struct itimerspec_k v;
	timer_read(pt, &v);
	return copy_to_user(curmm(), a[1], &v, sizeof v) ? -EFAULT : 0;
}

SYSCALL(timer_getoverrun)
{
	struct ptimer *pt = timer_lookup(a[0]);
	return pt ? pt->overrun_last : -EINVAL;
}

SYSCALL(timer_delete)
{
	struct ptimer *pt = timer_lookup(a[0]);
	if (!pt)
		return -EINVAL;
	curproc()->timers->t[a[0]] = NULL;
	timer_free(pt);
	return 0;
}
