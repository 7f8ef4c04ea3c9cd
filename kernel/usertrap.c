/*
 * The client side of a user task: entering user mode, traps from it, and
 * where each system call goes (offload=1: the server through the SQ;
 * offload=0: the same handler, here, on the task's own kernel thread).
 */
#include "kernel/proc.h"
#include "kernel/printk.h"
#include "kernel/timer.h"
#include "kernel/errno.h"
#include "kernel/stats.h"
#include "kernel/platform.h"
#include "syscall/syscall.h"
#include "rpc/offload.h"
#include "drivers/tty.h"
#include "kernel/kmalloc.h"
#include "kernel/signal.h"
#include "kernel/latency.h"
#include "kernel/thread_group.h"
#include <string.h>

void interrupt_dispatch(uint64_t cause);
void fpu_save(struct fpstate *s);
void fpu_restore(const struct fpstate *s);

#define FS_CLEAN (2UL << 13)
#define FS_DIRTY (3UL << 13)

/* Which task's FP registers each hart holds, and at which generation. */
static struct task *fp_owner[NCPU];
static uint64_t fp_owner_gen[NCPU];

static void fpu_trap_entry(struct task *t)
{
	if ((t->tf->sstatus & SSTATUS_FS) == FS_DIRTY) {
		fpu_save(&t->fp);
		int id = mycpu()->id;
		fp_owner[id] = t;
		fp_owner_gen[id] = t->fp_gen;
	}
}

static uint64_t fpu_return(struct task *t)
{
	int id = mycpu()->id;
	if (fp_owner[id] != t || fp_owner_gen[id] != t->fp_gen) {
		csr_set(sstatus, FS_CLEAN);	/* FS must be on to load */
		fpu_restore(&t->fp);
		fp_owner[id] = t;
		fp_owner_gen[id] = t->fp_gen;
	}
	return FS_CLEAN;
}

void fpu_forget(struct task *t)
{
	for (int i = 0; i < NCPU; i++)
		if (fp_owner[i] == t)
			fp_owner[i] = NULL;
}

void task_start(struct task *t)
{
	thread_start(t->thread);
}

/* The last steps to user mode, interrupts off: the frame's sstatus, then sret. */
static inline _Noreturn void enter_user(struct task *t, struct cpu *c, uint64_t fs)
{
	t->tf->ktp = (uint64_t)c;
	t->tf->sstatus = (csr_read(sstatus) & ~(SSTATUS_SPP | SSTATUS_SIE | SSTATUS_FS)) |
			 SSTATUS_SPIE | fs;
	if (latency_on && t->t_trap && t->t_seen) {
		STATS.lat_post += lat_stamp() - t->t_seen;
		STATS.lat_calls++;
		t->t_trap = t->t_seen = 0;
	}
	user_return(t->tf);
}

/* Back to user mode on the current hart; interrupts off from here to sret. */
__hotpath _Noreturn void task_return_to_user(struct task *t)
{
	struct cpu *c = mycpu();
	intr_off();
	/* completions for other tasks are waiting: let them run first */
	while (offload && offload_user_enter()) {
		intr_on();
		thread_yield();
		intr_off();
	}
	mm_activate(t->proc->mm);
	if (t->mm_stale) {
		mm_put(t->mm_stale);	/* exec replaced it; satp no longer points there */
		t->mm_stale = NULL;
	}
	/* a preemption tick only when someone else is waiting for this cpu */
	if (exec_should_yield()) {
		if (!c->next_tick)
			exec_arm_tick(time_now() + plat.timebase / TICK_HZ);
	} else if (c->next_tick) {
		exec_arm_tick(0);
	}
	enter_user(t, c, fpu_return(t));
}

_Noreturn void task_exit_self(struct task *t)
{
	struct proc *p = t->proc;
	mm_deactivate(p->mm);
	fpu_forget(t);
	current()->task = NULL;
	task_struct_free(t);
	/* relaxed: a count of live tasks, for the thread-bomb limit only */
	atomic_fetch_sub_explicit(&threads_total, 1, memory_order_relaxed);
	/*
	 * acq_rel: every other thread's teardown (its satp switch away from
	 * the mm included) happens-before the last one frees the mm.
	 */
	if (atomic_fetch_sub_explicit(&p->ntasks, 1, memory_order_acq_rel) > 1)
		thread_exit();		/* the group lives on in other threads */
	/* the zombie keeps its pid until wait4; the address space goes now */
	mm_put(p->mm);
	p->mm = NULL;
	p->task = NULL;
	/* release: the teardown above happens-before the parent's reap */
	atomic_store_explicit(&p->reapable, 1, memory_order_release);
	if (p->parent)
		waitq_wake_all(&p->parent->child_exit);
	thread_exit();
}

/*
 * No memory for a new task's thread: the child dies at once of SIGKILL and
 * its parent sees that in wait4 (and a vfork parent is let go).
 */
void task_adopt_failed(struct proc *c, struct task *t)
{
	pr_warn("fork: no memory for pid %d's task\n", c->pid);
	struct task *vparent = c->vfork_parent;
	c->vfork_parent = NULL;
	c->task = NULL;
	c->threads = NULL;
	if (t)
		atomic_fetch_sub_explicit(&threads_total, 1, memory_order_relaxed);
	task_struct_free(t);
	c->exit_status = 9;	/* SIGKILL */
	c->state = P_ZOMBIE;
	atomic_store(&c->reapable, 1);
	if (vparent) {
		atomic_store(&vparent->vfork_waiting, 0);
		thread_wake(vparent->thread);
	}
	if (c->parent)
		waitq_wake_all(&c->parent->child_exit);
}

/* Finish a fork on the client: the child's task, placed on a client cpu. */
static void fork_finish(struct task *t)
{
	struct proc *c = t->fork_child;
	t->fork_child = NULL;
	struct task *ct = task_alloc(c);
	if (ct) {
		ct->start_tf = *t->tf;
		ct->start_tf.x[REG_A0] = 0;
		if (t->fork_sp)
			ct->start_tf.x[REG_SP] = t->fork_sp;
		ct->sigmask = t->sigmask;
		ct->fp = t->fp;		/* saved at our trap entry if we had touched FP */
		ct->altstack_sp = t->altstack_sp;
		ct->altstack_size = t->altstack_size;
		if (t->fork_flags & 0x4000)	/* CLONE_VFORK: wait until the child execs or exits */
			atomic_store(&t->vfork_waiting, 1);
	}
	if (!ct || task_place(ct) != 0) {
		atomic_store(&t->vfork_waiting, 0);
		task_adopt_failed(c, ct);
		return;
	}
	while (atomic_load(&t->vfork_waiting))
		thread_park();
}

/*
 * Finish clone(CLONE_THREAD) on the client: the new thread starts from our
 * frame with a0 = 0, its own stack and thread pointer, placed on a client
 * cpu like a forked task (so one process's threads spread over clients=N).
 */
static void thread_finish(struct task *t)
{
	struct task *ct = t->fork_thread;
	ct->start_tf = *t->tf;
	ct->start_tf.x[REG_A0] = 0;
	ct->start_tf.x[REG_SP] = t->fork_sp;
	if (t->fork_flags & 0x80000)	/* CLONE_SETTLS */
		ct->start_tf.x[REG_TP] = t->fork_tls;
	ct->fp = t->fp;
	if (task_place(ct) == 0) {
		t->fork_thread = NULL;
		return;
	}
	/* no kernel stack for it: the syscall cpu takes it off the group again */
	uint64_t a[6] = { 0 };
	if (offload)
		offload_call(t, DUET_NR_THREAD_FAILED, a);
	else
		syscall_dispatch(DUET_NR_THREAD_FAILED, a);
}

/* The task dies of `sig`: the syscall cpu does the bookkeeping, as for exit. */
void signal_fatal(struct task *t, int sig)
{
	uint64_t a[6] = { 0 };
	t->fatal_sig = sig;
	if (offload)
		offload_call(t, DUET_NR_FATAL, a);
	else
		syscall_dispatch(DUET_NR_FATAL, a);
}


/*
 * Anything for signal_deliver?  A relaxed peek on every return to user
 * mode (signal_deliver takes the signal with the full atomics).  A signal
 * sent on the server by this very syscall is visible: its completion's
 * release on the ring ordered it before our acquire of that completion.
 */
static inline int signal_maybe_pending(struct task *t)
{
	uint64_t p = atomic_load_explicit(&t->sig_pending, memory_order_relaxed);
	return (p & (~t->sigmask | (1UL << (SIGKILL - 1)) | (1UL << (SIGSTOP - 1)))) != 0;
}

/* A successful execve: the new image's registers, all zero but pc and sp. */
static void exec_finish(struct task *t)
{
	struct trapframe *tf = t->tf;
	memset(tf->x, 0, sizeof tf->x);
	tf->sepc = t->exec_entry;
	tf->x[REG_SP] = t->exec_sp;
	t->exec_entry = 0;
}

/* The call's result into the task (a0, and what signal delivery needs). */
static inline void syscall_result(struct task *t, uint64_t nr, long r)
{
	if (t->exec_entry)
		exec_finish(t);
	t->restartable = r == -EINTR && !syscall_never_restarts(nr);
	STATS.syscalls++;
	if (!syscall_keeps_a0(nr))
		t->tf->x[REG_A0] = (uint64_t)r;
}

/* Does the FP unit still hold t's registers (so fpu_return would do nothing)? */
static inline int fpu_is_current(struct task *t)
{
	int id = mycpu()->id;
	return fp_owner[id] == t && fp_owner_gen[id] == t->fp_gen;
}

/*
 * After a fast offloaded call, interrupts off all along since the trap:
 * straight back to user mode when the generic tail (user_trap's checks and
 * task_return_to_user) would do nothing but its last steps.  Every test
 * here is one that tail makes; returns if any of them says there is more
 * to do (the caller then runs the tail).  Under QEMU this skips the two
 * sstatus writes of intr_on/intr_off (each ends a translation block) and
 * half a dozen calls, which together cost more than the trip to the server.
 */
static __hotpath void return_fast(struct task *t)
{
	struct cpu *c = mycpu();
	if (t->exiting || t->fork_child || t->fork_thread || t->mm_stale || signal_maybe_pending(t) ||
	    !exec_return_quiet() || !mm_is_active(t->proc->mm) || !fpu_is_current(t))
		return;
	/* last: it may arm need_wakeup for user mode, as task_return_to_user would */
	if (offload_user_enter())
		return;
	STATS.fast_returns++;
	enter_user(t, c, FS_CLEAN);
}

/* Run the call on this hart, on the task's own thread (interrupts on). */
static long syscall_here(struct task *t, uint64_t nr, const uint64_t *args)
{
	/* a copy: the handler may rewrite the frame (rt_sigreturn) */
	uint64_t a[6] = { args[0], args[1], args[2], args[3], args[4], args[5] };
	uint64_t t0 = latency_on ? lat_stamp() : 0;
	t->sys_thread = current();
	long r = syscall_dispatch(nr, a);
	t->sys_thread = NULL;
	if (latency_on) {
		t->t_seen = lat_stamp();
		STATS.lat_pre += t0 - t->t_trap;
		STATS.lat_serve += t->t_seen - t0;
	}
	return r;
}

/* Called with interrupts off (from the trap); returns with them on. */
static __hotpath void syscall_from_user(struct task *t)
{
	struct trapframe *tf = t->tf;
	uint64_t nr = tf->x[REG_A7];
	const uint64_t *args = &tf->x[REG_A0];	/* a0..a5 */
	tf->sepc += 4;
	t->orig_a0 = args[0];
	long r;
	if (offload && !syscall_runs_local(nr)) {
		/* the request copies the arguments before anything can change them */
		int done = offload_try_fast(t, nr, args, &r);
		if (done == 1) {
			STATS.fast_done++;
			syscall_result(t, nr, r);
			return_fast(t);		/* returns only if there is more to do */
			intr_on();
			if (t->fork_child)
				fork_finish(t);
			if (t->fork_thread)
				thread_finish(t);
			return;
		}
		intr_on();
		if (done == 2)	/* in-place fallback (docs/FALLBACK.md): nothing in flight */
			r = syscall_here(t, nr, args);
		else
			r = done == 0 ? offload_wait(t) : offload_call(t, nr, args);
	} else {
		intr_on();
		r = syscall_here(t, nr, args);
	}
	syscall_result(t, nr, r);
	if (t->fork_child)
		fork_finish(t);
	if (t->fork_thread)
		thread_finish(t);
}

static void user_fault(struct task *t, uint64_t cause, uint64_t addr)
{
	int access = cause == EXC_STORE_PAGE || cause == EXC_STORE_ACCESS ? UVM_WRITE :
		     cause == EXC_INST_PAGE ? UVM_EXEC : UVM_READ;
	int err = cause == EXC_LOAD_PAGE || cause == EXC_STORE_PAGE || cause == EXC_INST_PAGE ?
		  uvm_fault(t->proc->mm, addr, access) : -EFAULT;
	if (err == 0) {
		/* demand-zero, stack growth or copy-on-write: drop the stale entry, retry */
		__asm__ volatile("sfence.vma %0, zero" :: "r"(addr) : "memory");
		return;
	}
	if (err == -ENOMEM) {
		/*
		 * What Linux's OOM killer shows the user: the process that needed
		 * the page dies of SIGKILL; its pages come back and the rest runs on.
		 */
		pr_warn("Out of memory: killed process %d (%s), a page fault at %lx found no free page\n",
			t->proc->pid, t->proc->comm, addr);
		atomic_fetch_add_explicit(&uvm_counters.oom_kills, 1, memory_order_relaxed);
		signal_fatal(t, SIGKILL);
		return;
	}
	pr_info("pid %d (%s): fault cause %lu at pc %lx addr %lx\n", t->proc->pid,
		t->proc->comm, cause, t->tf->sepc, addr);
	if (cause == EXC_ILLEGAL) {
		signal_fault(t, SIGILL, ILL_ILLOPC, t->tf->sepc);
		return;
	}
	int code = uvm_fault_code(t->proc->mm, addr);
	signal_fault(t, code == UVM_FAULT_BUS ? SIGBUS : SIGSEGV,
		     code == UVM_FAULT_BUS ? BUS_ADRERR : code == UVM_FAULT_ACCESS ? SEGV_ACCERR : SEGV_MAPERR,
		     addr);
}

__hotpath void user_trap(struct trapframe *tf)
{
	struct task *t = curtask();
	uint64_t cause = tf->scause;
	if (latency_on)
		t->t_trap = cause == EXC_ECALL_U ? lat_stamp() : 0;
	if (mycpu()->offload_armed)
		offload_user_exit();	/* the executor watches its CQ again */
	fpu_trap_entry(t);
	if (cause & CAUSE_INTR) {
		interrupt_dispatch(cause);
	} else if (cause == EXC_ECALL_U) {
		syscall_from_user(t);	/* turns interrupts on, unless it returns to user itself */
	} else {
		intr_on();
		user_fault(t, cause, tf->stval);
	}
	/* a wake-up or an expired tick that arrived while we were in the kernel */
	if (!t->exiting && exec_should_preempt())
		thread_yield();
	if (!t->exiting && signal_maybe_pending(t))
		signal_deliver(t);
	if (t->exiting)
		task_exit_self(t);
	task_return_to_user(t);
}
int sleep_interrupted(void) { return signal_pending_now(); }
