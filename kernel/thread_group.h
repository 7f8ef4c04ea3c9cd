/*
 * Thread groups: a process (struct proc) is a thread group, each of its
 * threads one struct task on p->threads.  getpid is the group's pid,
 * gettid the task's tid (the first thread's tid is the pid).
 *
 * The list, nthreads and the group-exit state change only in syscall
 * handlers (the syscall cpu), as every other process field; a client
 * tears a dead thread's task down afterwards and counts p->ntasks down,
 * the last one freeing the address space (kernel/usertrap.c).
 */
#pragma once
#include <stdint.h>
#include <stdatomic.h>

extern atomic_int threads_total;

struct proc;
struct task;

/* Room for one more task, fork or thread (tasks stay below a client's credits). */
int task_room(void);
/* Put t (already t->proc = p) on p's thread list. */
void thread_link(struct proc *p, struct task *t);
/* clone(CLONE_THREAD...) on the syscall cpu: the new task, or -errno. */
long thread_clone(struct task *parent, uint64_t flags, uint64_t sp, uint64_t ptid,
		  uint64_t tls, uint64_t ctid);
/* exit(2): this thread ends; the last one ends the process. */
void thread_exit_call(struct task *t, int status);
/* exit_group(2) or a fatal signal (status in wait4 encoding): every thread ends. */
void group_exit(struct task *t, int status);
/* execve: end every other thread and wait until they are gone. */
void thread_kill_others(struct task *self);
/* The client could not start a new thread: it never existed. */
void thread_start_failed(struct task *parent);
/* Find a live thread by tid (any process). */
struct task *task_by_tid(int tid);
