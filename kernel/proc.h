/*
 * Processes and user tasks.  A task is one user thread: a client-side
 * kernel thread (sched/thread.h) plus its trap frame.  A process owns the
 * address space, the file table and the cwd.
 *
 * Ownership: process fields are changed only by syscall handlers, which
 * all run on one cpu (the server with offload=1, the client otherwise), so
 * they need no lock; the client reads `mm` only for the task it runs.
 */
#pragma once
#include <stdint.h>
#include "kernel/uvm.h"
#include "kernel/trap.h"
#include "sched/thread.h"
#include "kernel/rlimit.h"
#include "kernel/cred.h"

#define NOFILE 64
#define NPROC  128

struct file;
struct inode;

struct sigaction_k {
	uint64_t handler, flags, restorer, mask;
};

enum proc_state { P_ALIVE, P_ZOMBIE, P_FREE };

struct proc {
	int pid;
	enum proc_state state;
	struct proc *parent;
	atomic_int ppid;		/* parent->pid, or 0: getppid on any hart (syscall_runs_anywhere) */
	struct mm *mm;
	struct file *files[NOFILE];
	uint64_t cloexec;		/* bit per fd */
	struct inode *cwd;
	uint32_t umask;
	int exit_status;		/* wait4 encoding */
	struct waitq child_exit;	/* parents wait here for a child's exit */
	struct sigaction_k sigactions[65];
	char comm[16];
	char cmdline[256];		/* argv NUL-separated, truncated (exec_load): /proc/<pid>/cmdline */
	int cmdline_len;
	char exe[128];			/* absolute path exec'd (exec_load): /proc/<pid>/exe */
	int pgid, sid;
	uint64_t start_time;
	struct task *task;		/* the main (only) thread */
	atomic_int reapable;		/* zombie whose task the client has torn down */
	atomic_int stop_report;
	struct task *vfork_parent;	/* parked until we exec or exit (CLONE_VFORK) */
	/* thread group (kernel/thread_group.c): syscall cpu only, but ntasks */
	struct task *threads;		/* live threads, linked by group_next */
	int nthreads;			/* threads that have not called exit yet */
	atomic_int ntasks;		/* task structs the clients have not torn down yet */
	int group_exit;			/* exit_group, a fatal signal or execve: the others die */
	int group_status;		/* wait4 status once the last thread is gone */
	struct waitq thread_gone;	/* execve waits here for the other threads */
	struct ptimers *timers;		/* itimers and POSIX timers (kernel/ptimer.c), or NULL */
	struct rlimit_k rlim[16];	/* kernel/rlimit.c; rlim_set 0: not yet initialised */
	int rlim_set;
	struct cred cred;		/* who we are: kernel/cred.h (all 0, root, for init) */
	struct sem_undo *sem_undo;	/* SEM_UNDO records (kernel/ipc/sem.c): applied at exit */
};

/* What a siginfo says about one pending signal (kernel/signal.c fills the rest). */
struct sig_info {
	int32_t code, pid;		/* si_code (SI_USER, SI_TKILL, SI_TIMER...), sender */
	uint64_t val;			/* si_addr for a fault, si_value for sigqueue/timers */
};

struct fpstate {
	uint64_t f[32];
	uint64_t fcsr;
};

struct task {
	/*
	 * Grouped by writer, one cache line per group: both harts touch a
	 * task on every offloaded call, and a line written by one and read by
	 * the other costs a host cache-line transfer each time (tens to
	 * hundreds of ns under QEMU, the largest cost of a null syscall).
	 */
	/* set when the task is made: read by both harts, written never after */
	struct thread *thread;		/* its client-side kernel thread (NULL until adopted) */
	struct proc *proc;
	struct trapframe *tf;
	int tid;
	struct task *adopt_next;	/* a client's inbox of tasks to adopt */
	/* client only, on every call: the syscall in flight */
	_Alignas(64) volatile int sys_done;	/* set by the client's CQ drain */
	int restartable;		/* the last trap was a syscall that may restart */
	int64_t sys_result;
	uint64_t orig_a0;
	uint64_t t_trap, t_submit, t_seen;	/* latency=1 cycle stamps (kernel/latency.h) */
	/* server only, on every call: the future running our syscall (a signal wakes it) */
	_Alignas(64) struct thread *volatile sys_thread;
	uint64_t stime;			/* not accounted yet (reading time costs ~100 ns) */
	/* rarely written (signals, exit, clone, exec): read on every return to user */
	_Alignas(64) _Atomic uint64_t sig_pending;	/* set by senders on the syscall cpu */
	uint64_t sigmask;
	int exiting;			/* set by exit: the client tears the task down */
	int fatal_sig;			/* the task dies of this signal (client sets it) */
	struct proc *fork_child;	/* set by clone: the client makes the child's task */
	uint64_t fork_sp;
	uint64_t fork_flags;
	atomic_int vfork_waiting;	/* parent side of vfork: parked until the child lets go */
	volatile int stopped;
	struct mm *mm_stale;		/* replaced by exec: the client frees it after switching */
	uint64_t exec_entry, exec_sp;	/* set by execve for exec_finish (page 0 is never mapped: entry != 0) */
	uint64_t clear_child_tid;
	uint64_t saved_mask;		/* sigsuspend: the mask to restore after the handler */
	int mask_restore;
	uint64_t altstack_sp, altstack_size;
	/* user FP registers, saved when the task traps with FS dirty */
	struct fpstate fp;
	uint64_t fp_gen;		/* bumped by exec: a fresh FP state */
	struct trapframe start_tf;	/* the first frame, copied to the stack on adoption */
	/* threads (kernel/thread_group.c) */
	struct task *group_next;	/* p->threads list, syscall cpu only */
	struct task *fork_thread;	/* set by clone(CLONE_THREAD): the client starts it */
	uint64_t fork_tls;
	uint64_t robust_list, robust_len;	/* set_robust_list */
	uint64_t sigwait_set;		/* rt_sigtimedwait: the signals it waits for */
	atomic_int sig_queued[33];	/* real-time signals 32..64: instances pending */
	int altstack_on;		/* a handler frame was put on the alternate stack */
	struct sig_info sig_info[64];	/* per signal: who sent the pending instance, and why */
};

extern struct proc *initproc;

static inline struct task *curtask(void) { return current()->task; }
static inline struct proc *curproc(void) { return current()->task->proc; }

struct proc *proc_alloc(void);
struct proc *proc_by_pid(int pid);
int pid_alloc(void);
void proc_free(struct proc *p);
/* Create the task thread on the client cpu, ready to enter user mode at tf. */
struct task *task_alloc(struct proc *p);
struct task *task_struct_alloc(void);	/* zeroed */
void task_struct_free(struct task *t);
int task_adopt(struct task *t);		/* on the client cpu that will run it */
int task_place(struct task *t);		/* rpc/offload.c: pick a client, adopt there */
void task_adopt_failed(struct proc *c, struct task *t);
void task_start(struct task *t);
/* exec into p (current image replaced): 0 or -errno. */
int exec_load(struct proc *p, const char *path, char *const argv[], int argc,
	      char *const envp[], int envc, uint64_t *entry, uint64_t *sp);
/* Start init: path and argv from the command line. */
int proc_start_init(const char *path, int argc, char **argv);
/* Syscall side of exit: bookkeeping, wakes the parent. */
void proc_exit(struct proc *p, int status);
/* Client side of exit: runs on the task's own thread, never returns. */
_Noreturn void task_exit_self(struct task *t);
_Noreturn void task_return_to_user(struct task *t);
struct proc *proc_iter(int *i);
void signal_fatal(struct task *t, int sig);
void vfork_release(struct proc *p);
