/*
 * Kernel threads and the per-cpu executor.
 *
 * Every blocking context in duet is a kernel thread with its own stack:
 *  - on the client, each user task is one (its kernel half runs traps and,
 *    with offload=0, the syscall handlers themselves);
 *  - on the server, each syscall request becomes one: a stackful coroutine
 *    with a pooled stack, running the ordinary C handler.
 * A thread that must wait registers itself (a waitq, the timer list, an SQ
 * completion) and calls thread_park().  Whoever fires the event calls
 * thread_wake(), which sets the thread's bit in its executor's waker table
 * (sched/waker.h) and sends an IPI only if that executor sleeps
 * (rpc/idle.h).  Only the owning cpu ever changes a thread's state.
 * Waits are loops: a spurious wake is harmless, a lost one is impossible.
 */
#pragma once
#include <stdint.h>
#include "kernel/cpu.h"
#include "kernel/spinlock.h"

enum thread_state { T_READY, T_RUNNING, T_PARKED, T_DEAD };

struct task;
struct thread {
	struct context ctx;		/* saved by swtch() */
	uint64_t kstack_top;
	enum thread_state state;	/* owner cpu only */
	int cpu;			/* owning executor */
	uint64_t waker;			/* handle in the owner's waker table */
	struct thread *next;		/* run queue link, owner only */
	struct thread *sleep_next;	/* sleep list link (a sleeper can be readied early) */
	uint64_t wake_at;		/* timer deadline (ticks) while on the sleep list */
	void (*fn)(void *);
	void *arg;
	struct task *task;		/* the user task this thread serves, if any */
	uint64_t run_ticks;		/* cpu time, charged at each switch out (owner only) */
};

struct thread *thread_create(int cpu, void (*fn)(void *), void *arg, struct task *task);
/* The current thread gives up the cpu until thread_wake(); caller loops on its condition. */
void thread_park(void);
/* Back of the run queue (cooperative yield). */
void thread_yield(void);
/* Any cpu, any context, interrupts on or off. */
void thread_wake(struct thread *t);
_Noreturn void thread_exit(void);
static inline struct thread *current(void) { return mycpu()->cur; }

/* Timed waits on this cpu's sleep list. */
void thread_sleep_until(uint64_t deadline_ticks);
int thread_park_until(uint64_t deadline_ticks);	/* one park, woken early or at the deadline */
/* One executor per cpu with a role; never returns. */
void exec_init(struct cpu *c);
struct thread *exec_thread_of(int cpu, uint64_t handle);
_Noreturn void exec_loop(void);
/* Role hooks: client (CQ drain), server (SQ drain). */
struct exec_hooks {
	int (*poll)(void);		/* take inbound work; return non-zero if any */
	int (*pending)(void);		/* cheap "is there inbound work" check, interrupts off */
};
void exec_set_hooks(const struct exec_hooks *h);
void thread_start(struct thread *t);		/* on t's owner cpu */
void thread_ready(struct thread *t);		/* owner cpu, from an executor hook */
struct idle_flag *exec_idle(int cpu);
int exec_should_yield(void);
int exec_should_preempt(void);
int exec_return_quiet(void);
int exec_others_waiting(void);
void exec_arm_tick(uint64_t when);		/* 0: no preemption tick */
int sleep_interrupted(void);			/* kernel/task.c: a signal is pending */

/* Wait queues: a list of parked threads, any cpu may wake them. */
struct waiter {
	struct thread *t;
	struct waiter *next;
};
struct waitq {
	struct spinlock lock;
	struct waiter *head;
};
void waitq_init(struct waitq *q);
void waitq_add(struct waitq *q, struct waiter *w);
void waitq_remove(struct waitq *q, struct waiter *w);
void waitq_wake_all(struct waitq *q);

/*
 * Block until `cond` holds.  Registration comes before the check, so an
 * event between check and park still finds us on the queue and sets our
 * waker bit: the executor then resumes us at once.  `intr` is an expression
 * evaluated after each wake; non-zero aborts the wait with that value.
 */
#define wait_event(q, cond, intr) ({				\
	long __r = 0;						\
	for (;;) {						\
		struct waiter __w;				\
		waitq_add((q), &__w);				\
		if (cond) {					\
			waitq_remove((q), &__w);		\
			break;					\
		}						\
		thread_park();					\
		waitq_remove((q), &__w);			\
		if ((__r = (intr)) != 0)			\
			break;					\
	}							\
	__r; })

/* per cpu, on its own cache line: written by that cpu only */
struct exec_stats {
	uint64_t switches, parks, wakes_local, wakes_remote, kicks, idle_ticks, wfi, poll_hits;
} __attribute__((aligned(64)));
extern struct exec_stats exec_stats[NCPU];
