/*
 * The per-cpu executor: a run queue of kernel threads, a waker table for
 * wake-ups from anywhere, a sleep list for timed waits, and the idle
 * protocol of rpc/idle.h so the cpu sleeps in wfi when there is nothing to
 * do and nobody's wake-up is lost.
 */
#include "sched/thread.h"
#include "sched/waker.h"
#include "rpc/idle.h"
#include "rpc/adapt.h"
#include "kernel/insn_mark.h"
#include "kernel/vm.h"
#include "kernel/kmalloc.h"
#include "kernel/printk.h"
#include "kernel/timer.h"
#include "kernel/trap.h"
#include "kernel/cmdline.h"
#include "kernel/platform.h"
#include <string.h>

struct executor {
	struct waker_table wakers;
	struct idle_flag idle;
	struct thread *runq_head, *runq_tail;	/* owner only */
	struct thread *sleepers;		/* sorted by wake_at, owner only */
	const struct exec_hooks *hooks;
	struct thread *dead;			/* to free once off its stack */
};

static struct executor executors[NCPU];
static uint64_t poll_ticks __read_mostly;	/* busy-poll window before wfi, in timebase ticks */
struct exec_stats exec_stats[NCPU];
void swtch(struct context *old, struct context *new);

static struct executor *myexec(void) { return &executors[mycpu()->id]; }

void exec_init(struct cpu *c)
{
	poll_ticks = cmdline.poll_us * plat.timebase / 1000000;
	struct executor *e = &executors[c->id];
	waker_table_init(&e->wakers);
	atomic_store(&e->idle.need_wakeup, 0);
	c->exec = (struct executor *)e;
}

void exec_set_hooks(const struct exec_hooks *h) { myexec()->hooks = h; }

static void runq_push(struct executor *e, struct thread *t)
{
	t->state = T_READY;
	t->next = NULL;
	if (e->runq_tail)
		e->runq_tail->next = t;
	else
		e->runq_head = t;
	e->runq_tail = t;
}

static struct thread *runq_pop(struct executor *e)
{
	struct thread *t = e->runq_head;
	if (t) {
		e->runq_head = t->next;
		if (!e->runq_head)
			e->runq_tail = NULL;
	}
	return t;
}

static void thread_trampoline(void)
{
	struct thread *t = current();
	intr_on();
	t->fn(t->arg);
	thread_exit();
}

struct thread *thread_create(int cpu, void (*fn)(void *), void *arg, struct task *task)
{
	struct thread *t = kzalloc(sizeof *t);
	if (!t)
		return NULL;
	t->kstack_top = kstack_alloc();
	t->waker = t->kstack_top ? waker_alloc(&executors[cpu].wakers, t) : 0;
	if (!t->waker) {
		if (t->kstack_top)
			kstack_free(t->kstack_top);
		kfree(t);
		return NULL;
	}
	t->cpu = cpu;
	t->fn = fn;
	t->arg = arg;
	t->task = task;
	t->ctx.ra = (uint64_t)thread_trampoline;
	t->ctx.sp = t->kstack_top - TF_SIZE;	/* the top holds the user trap frame */
	t->state = T_PARKED;
	return t;
}

/* Make a new thread runnable; called on its owner cpu. */
void thread_start(struct thread *t)
{
	BUG_ON(t->cpu != mycpu()->id);
	runq_push(myexec(), t);
}

/* Switch from the current thread to the executor loop. Interrupts off around it. */
static void to_scheduler(enum thread_state st)
{
	struct cpu *c = mycpu();
	struct thread *t = c->cur;
	uint64_t was = intr_off();
	t->state = st;
	exec_stats[c->id].switches++;
	swtch(&t->ctx, &c->sched_ctx);
	intr_restore(was);
}

void thread_park(void)
{
	exec_stats[mycpu()->id].parks++;
	to_scheduler(T_PARKED);
}

void thread_yield(void)
{
	struct thread *t = current();
	uint64_t was = intr_off();
	runq_push(myexec(), t);
	intr_restore(was);
	to_scheduler(T_READY);
}

_Noreturn void thread_exit(void)
{
	to_scheduler(T_DEAD);
	panic("dead thread resumed");
}

void thread_wake(struct thread *t)
{
	struct executor *e = &executors[t->cpu];
	int me = mycpu()->id;
	if (!waker_wake(&e->wakers, t->waker))
		return;		/* already pending (or stale): someone else kicked */
	if (t->cpu == me) {
		exec_stats[me].wakes_local++;
		return;		/* we are awake: the loop sees the bit */
	}
	exec_stats[me].wakes_remote++;
	/*
	 * The bit is published by waker_wake's release fetch_or; the full
	 * fence in idle_should_kick orders it before our read of need_wakeup
	 * (pairs with the fence in the owner's idle_prepare): either the
	 * owner's re-check sees the bit or we see the flag and send the IPI.
	 */
	if (idle_should_kick(&e->idle)) {
		exec_stats[me].kicks++;
		ipi_send(t->cpu, IPI_WAKE);
	}
}

/* ---- timed waits ---- */

/* One hardware deadline serves the sleep list and the preemption tick. */
static void sleepers_rearm(struct executor *e)
{
	uint64_t when = e->sleepers ? e->sleepers->wake_at : ~0UL;
	uint64_t tick = mycpu()->next_tick;
	timer_arm(tick && tick < when ? tick : when);
}

void exec_arm_tick(uint64_t when)
{
	mycpu()->next_tick = when;
	sleepers_rearm(myexec());
}

/*
 * Should the running user task give way now?  Yes if an event is waiting
 * to be taken (waker bits, inbound ring) or its time slice expired; merely
 * ready threads wait for the tick, so a syscall-heavy task is not
 * descheduled after every call.
 */
__hotpath int exec_should_preempt(void)
{
	struct executor *e = myexec();
	struct cpu *c = mycpu();
	if (c->tick_expired && e->runq_head) {
		c->tick_expired = 0;
		return 1;
	}
	return waker_any_pending(&e->wakers) || (e->hooks && e->hooks->pending());
}

/* Ready threads or wake-ups, ignoring the inbound ring (the caller drains it). */
__hotserver int exec_others_waiting(void)
{
	struct executor *e = myexec();
	return e->runq_head || waker_any_pending(&e->wakers);
}

/*
 * Interrupts off, about to return to user mode: 1 if exec_should_preempt
 * would say no and the preemption tick is armed exactly when
 * task_return_to_user wants it (exec_should_yield), so neither needs a call.
 * Not the poll hook: the caller (return_fast) returns to user mode with
 * interrupts off since the trap, so what comes with an IPI (a task placed
 * in the inbox) traps right after sret, and it checks the CQ itself
 * (offload_user_enter).  Waker bits need looking at: a remote wake-up
 * sends no IPI to a cpu that is not idle.
 */
__hotpath int exec_return_quiet(void)
{
	struct executor *e = myexec();
	struct cpu *c = mycpu();
	if ((c->tick_expired && e->runq_head) || waker_any_pending(&e->wakers))
		return 0;
	return (e->runq_head != NULL) == (c->next_tick != 0);
}

/*
 * Is another thread waiting for this cpu (so the user task about to run
 * needs a preemption tick)?  Ready threads and wake-ups only: what arrives
 * through the poll hook comes with an IPI (a task placed in a client's
 * inbox; completions while offload_user_enter armed need_wakeup), so it
 * needs no tick, and the hook call on every return to user mode is saved.
 */
__hotpath int exec_should_yield(void)
{
	struct executor *e = myexec();
	return e->runq_head || waker_any_pending(&e->wakers);
}

static void sleepers_remove(struct executor *e, struct thread *t)
{
	for (struct thread **pp = &e->sleepers; *pp; pp = &(*pp)->sleep_next)
		if (*pp == t) {
			*pp = t->sleep_next;
			break;
		}
}

/*
 * Park once, also on the sleep list: back after any wake-up or at the
 * deadline.  Returns non-zero if the deadline has passed.  For waits that
 * are both event- and time-bound (ppoll, pselect6).
 */
int thread_park_until(uint64_t deadline)
{
	struct executor *e = myexec();
	struct thread *t = current();
	if (time_now() >= deadline)
		return 1;
	uint64_t was = intr_off();
	struct thread **pp = &e->sleepers;
	while (*pp && (*pp)->wake_at <= deadline)
		pp = &(*pp)->sleep_next;
	t->wake_at = deadline;
	t->sleep_next = *pp;
	*pp = t;
	sleepers_rearm(e);
	intr_restore(was);
	thread_park();
	was = intr_off();
	sleepers_remove(e, t);
	intr_restore(was);
	return time_now() >= deadline;
}

/* Sleep until the deadline; an early return only for a pending signal. */
void thread_sleep_until(uint64_t deadline)
{
	/*
	 * Look for a signal before the first park, not only after a wake: one
	 * sent while our request still sat in the ring (another client hart's
	 * tkill, served first) found no sys_thread to wake, so nothing would
	 * end this sleep early (libc-test pthread_cancel with clients=2 slept
	 * its full 3 s, and the cancel came only after the syscall returned).
	 * A signal sent after this check finds sys_thread set and wakes the
	 * park below (the waker bit is not lost if it comes before the park).
	 */
	do {
		if (sleep_interrupted())
			return;
	} while (!thread_park_until(deadline));
}

/* Timer interrupt on this cpu: wake the sleepers that are due. */
void sched_timer_expired(void)
{
	struct executor *e = myexec();
	uint64_t now = time_now();
	while (e->sleepers && e->sleepers->wake_at <= now) {
		struct thread *t = e->sleepers;
		e->sleepers = t->sleep_next;
		waker_wake(&e->wakers, t->waker);
	}
	if (mycpu()->next_tick && mycpu()->next_tick <= now) {
		mycpu()->next_tick = 0;		/* the user-trap path decides on a yield */
		mycpu()->tick_expired = 1;
	}
	sleepers_rearm(e);
}

/* ---- wait queues ---- */

void waitq_init(struct waitq *q)
{
	spin_init(&q->lock, "waitq");
	q->head = NULL;
}

void waitq_add(struct waitq *q, struct waiter *w)
{
	w->t = current();
	spin_lock(&q->lock);
	w->next = q->head;
	q->head = w;
	spin_unlock(&q->lock);
}

void waitq_remove(struct waitq *q, struct waiter *w)
{
	spin_lock(&q->lock);
	for (struct waiter **pp = &q->head; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	spin_unlock(&q->lock);
}

/* Waiters stay on the queue until they remove themselves: no use-after-return. */
void waitq_wake_all(struct waitq *q)
{
	spin_lock(&q->lock);
	for (struct waiter *w = q->head; w; w = w->next)
		thread_wake(w->t);
	spin_unlock(&q->lock);
}

/* ---- the loop ---- */

/* Resume every thread whose waker bit is set. Returns how many. */
static int take_wakeups(struct executor *e)
{
	int n = 0;
	for (unsigned w = 0; w < WAKER_SLOTS / 64; w++) {
		uint64_t bits = waker_take(&e->wakers, w);
		while (bits) {
			unsigned slot = w * 64 + (unsigned)__builtin_ctzl(bits);
			bits &= bits - 1;
			struct thread *t = waker_data(&e->wakers, slot);
			/* only a parked thread is resumed: a bit for a ready or
			 * freed one is spurious and dropped */
			if (t && t->state == T_PARKED) {
				runq_push(e, t);
				n++;
			}
		}
	}
	return n;
}

static void reap(struct executor *e)
{
	struct thread *t = e->dead;
	if (!t)
		return;
	e->dead = NULL;
	waker_free(&e->wakers, t->waker);
	kstack_free(t->kstack_top);
	kfree(t);
}

static int has_work(struct executor *e)
{
	return waker_any_pending(&e->wakers) || (e->hooks && e->hooks->pending());
}

/*
 * Sleep until an interrupt, unless work arrived: the protocol of rpc/idle.h.
 * First spin for a short window (poll_us=, io_uring's SQPOLL idle idea):
 * a syscall round trip is shorter than two IPIs and two wfi exits, and
 * while we spin with need_wakeup clear the peer sends no IPI at all.
 */
static void idle_wait_marked(struct executor *e)
{
	struct cpu *c = mycpu();
	uint64_t t0 = r_time(), until = t0 + poll_ticks;
	/* a peer that did not answer in time is not running: don't spin for
	 * it, sleep (rpc/adapt.h) */
	int spin = poll_ticks && !adapt_skip_idle_spin(c->id);
	for (unsigned i = 1; spin; i++) {
		if (has_work(e)) {
			exec_stats[c->id].poll_hits++;
			return;
		}
		if ((i & 63) == 0 && r_time() >= until)
			break;
	}
	intr_off();
	idle_prepare(&e->idle);		/* need_wakeup = 1; full fence */
	if (has_work(e)) {
		idle_done(&e->idle);	/* work slipped in: do not sleep */
		intr_on();
		return;
	}
	t0 = r_time();
	wfi();				/* returns on any pending enabled interrupt, SIE or not */
	idle_done(&e->idle);
	exec_stats[c->id].idle_ticks += r_time() - t0;
	exec_stats[c->id].wfi++;
	intr_on();			/* take the interrupt that woke us */
}

/* the idle window and wfi, counted apart by the instruction-count plugin */
static void idle_wait(struct executor *e)
{
	INSN_MARK_IDLE();
	idle_wait_marked(e);
	INSN_MARK_END();
}

_Noreturn void exec_loop(void)
{
	struct cpu *c = mycpu();
	struct executor *e = myexec();
	for (;;) {
		intr_on();
		take_wakeups(e);
		if (e->hooks)
			e->hooks->poll();
		intr_off();
		struct thread *t = runq_pop(e);
		if (!t) {
			idle_wait(e);
			continue;
		}
		t->state = T_RUNNING;
		/* cpu time is charged per switch, not per trap: the time CSR is slow */
		uint64_t ran_from = r_time();
		/*
		 * run_since before cur, cur cleared before run_ticks grows: a
		 * reader on another hart (ptimer.c, cpu_clock_ns) that reads
		 * run_ticks, then cur, then run_since can only undercount.
		 * Pairs with the acquire fences there.
		 */
		c->run_since = ran_from;
		__atomic_thread_fence(__ATOMIC_RELEASE);
		c->cur = t;
		swtch(&c->sched_ctx, &t->ctx);
		c->cur = NULL;
		__atomic_thread_fence(__ATOMIC_RELEASE);
		t->run_ticks += r_time() - ran_from;
		if (t->state == T_DEAD)
			e->dead = t;
		reap(e);
	}
}

struct idle_flag *exec_idle(int cpu) { return &executors[cpu].idle; }

/*
 * The thread of a waker handle from cpu's table, NULL if stale.  Any cpu:
 * the server resolves the handle of a request it holds, whose thread waits
 * for the answer, so its slot cannot be freed or reused meanwhile, and the
 * owner filled the slot before the request was published (release/acquire
 * on the ring orders it).
 */
__hotserver struct thread *exec_thread_of(int cpu, uint64_t handle)
{
	return waker_lookup(&executors[cpu].wakers, handle);
}

/* Owner cpu, executor context: resume a parked thread now (no waker bit). */
void thread_ready(struct thread *t)
{
	BUG_ON(t->cpu != mycpu()->id);
	if (t->state == T_PARKED)
		runq_push(myexec(), t);
}
