/*
 * Thread groups (see thread_group.h): clone(CLONE_THREAD), exit of one
 * thread, exit_group, and execve from a threaded process.
 *
 * Every function here runs in a syscall handler, on the syscall cpu, so
 * the group's list and counters need no lock (the rule of kernel/proc.h).
 * A thread that ends is taken off the list at once, so no sender can
 * reach it afterwards; its client frees the task when it switches away.
 */
#include "kernel/thread_group.h"
#include "kernel/proc.h"
#include "kernel/futex.h"
#include "kernel/ptimer.h"
#include "kernel/signal.h"
#include "kernel/errno.h"
#include "kernel/kmalloc.h"
#include "rpc/rpc.h"
#include <string.h>

#define CLONE_VM             0x00000100
#define CLONE_SIGHAND        0x00000800
#define CLONE_THREAD         0x00010000
#define CLONE_PARENT_SETTID  0x00100000
#define CLONE_CHILD_CLEARTID 0x00200000
#define CLONE_CHILD_SETTID   0x01000000

/*
 * Limits: a thread bomb gets EAGAIN, and the shell stays usable.  Every
 * task can be blocked in an offloaded call at once, and a client has
 * RPC_CQ_ENTRIES credits: more tasks than that, all blocked (a bomb of
 * threads in pause()), and the next call on that client waits for a
 * credit forever.  So tasks in all stay below the credits, with room for
 * the shell and init.  (Before threads NPROC, 128, was the same bound.)
 */
#define THREADS_MAX      (RPC_CQ_ENTRIES - 8)
#define THREADS_PER_PROC THREADS_MAX
atomic_int threads_total;	/* tasks alive anywhere (kernel/usertrap.c counts down) */

/* Room for one more task (fork or thread) under THREADS_MAX? */
int task_room(void)
{
	return atomic_load_explicit(&threads_total, memory_order_relaxed) < THREADS_MAX;
}

void thread_link(struct proc *p, struct task *t)
{
	t->group_next = p->threads;
	p->threads = t;
	p->nthreads++;
	/* relaxed: only the count matters; the client's decrement is acq_rel */
	atomic_fetch_add_explicit(&p->ntasks, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&threads_total, 1, memory_order_relaxed);
}

static void thread_unlink(struct proc *p, struct task *t)
{
	for (struct task **pp = &p->threads; *pp; pp = &(*pp)->group_next)
		if (*pp == t) {
			*pp = t->group_next;
			p->nthreads--;
			break;
		}
	/* p->task names a live thread while there is one (signals, /proc) */
	if (p->task == t && p->threads)
		p->task = p->threads;
}

long thread_clone(struct task *pt, uint64_t flags, uint64_t sp, uint64_t ptid,
		  uint64_t tls, uint64_t ctid)
{
	struct proc *p = pt->proc;
	/* Linux: a thread shares the handlers, which needs a shared address space */
	if (!(flags & CLONE_SIGHAND) || !(flags & CLONE_VM))
		return -EINVAL;
	if (p->group_exit || p->nthreads >= THREADS_PER_PROC || !task_room())
		return -EAGAIN;
	struct task *t = task_struct_alloc();
	if (!t)
		return -ENOMEM;
	int tid = pid_alloc();
	t->proc = p;
	t->tid = tid;
	t->sigmask = pt->sigmask;
	/* Linux ignores a fault on these two stores: so do we */
	if (flags & CLONE_PARENT_SETTID)
		copy_to_user(p->mm, ptid, &tid, sizeof tid);
	if (flags & CLONE_CHILD_SETTID)
		copy_to_user(p->mm, ctid, &tid, sizeof tid);
	if (flags & CLONE_CHILD_CLEARTID)
		t->clear_child_tid = ctid;
	thread_link(p, t);
	/* the client builds its frame from ours when this call completes */
	pt->fork_thread = t;
	pt->fork_sp = sp;
	pt->fork_tls = tls;
	pt->fork_flags = flags;
	return tid;
}

/*
 * One thread leaves the group: its tid word is cleared and one waiter
 * woken (pthread_join), its robust mutexes are marked, and it is off the
 * list.  The client tears it down when this call completes.
 */
static void thread_leave(struct task *t)
{
	struct proc *p = t->proc;
	if (t->clear_child_tid) {
		uint32_t zero = 0;
		if (copy_to_user(p->mm, t->clear_child_tid, &zero, sizeof zero) == 0)
			futex_wake_addr(p->mm, t->clear_child_tid, 1);
		t->clear_child_tid = 0;
	}
	robust_list_exit(t);
	thread_unlink(p, t);
	t->exiting = 1;
	waitq_wake_all(&p->thread_gone);
}

void group_exit(struct task *t, int status)
{
	struct proc *p = t->proc;
	if (!p->group_exit) {
		p->group_exit = 1;
		p->group_status = status;
		for (struct task *o = p->threads; o; o = o->group_next)
			if (o != t)
				signal_send_thread(o, SIGKILL, NULL);
	}
	thread_leave(t);
	if (p->nthreads == 0) {
		ptimer_exit(p);
		proc_exit(p, p->group_status);
	}
}

void thread_exit_call(struct task *t, int status)
{
	struct proc *p = t->proc;
	if (p->nthreads > 1 && !p->group_exit)
		thread_leave(t);
	else
		group_exit(t, (status & 0xff) << 8);
}

void thread_kill_others(struct task *self)
{
	struct proc *p = self->proc;
	if (p->nthreads <= 1)
		return;
	p->group_exit = 1;
	for (struct task *o = p->threads; o; o = o->group_next)
		if (o != self)
			signal_send_thread(o, SIGKILL, NULL);
	/* not interruptible: SIGKILL is the only thing that could stop us, and it is ours */
	wait_event(&p->thread_gone, p->nthreads == 1, 0);
	p->group_exit = 0;
	/* the survivor becomes the group leader, with the pid as its tid (Linux de_thread) */
	self->tid = p->pid;
	p->task = self;
}

void thread_start_failed(struct task *parent)
{
	struct task *t = parent->fork_thread;
	if (!t)
		return;
	parent->fork_thread = NULL;
	thread_leave(t);
	/* acq_rel as the client's teardown: never the last task (the parent lives) */
	atomic_fetch_sub_explicit(&t->proc->ntasks, 1, memory_order_acq_rel);
	atomic_fetch_sub_explicit(&threads_total, 1, memory_order_relaxed);
	task_struct_free(t);
}

struct task *task_by_tid(int tid)
{
	int i = 0;
	for (struct proc *p; (p = proc_iter(&i)) != NULL; )
		for (struct task *t = p->state == P_ALIVE ? p->threads : NULL; t; t = t->group_next)
			if (t->tid == tid)
				return t;
	return NULL;
}
