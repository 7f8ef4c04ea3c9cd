/* Signal and job-control system calls. */
#include "syscall/sys.h"
#include "kernel/signal.h"
#include "kernel/thread_group.h"

SYSCALL(kill) { return signal_kill((int)a[0], (int)a[1]); }

/* A thread-directed signal from tkill/tgkill: SI_TKILL with our pid. */
static long kill_thread(int tgid, int tid, int sig)
{
	if (tid <= 0 || sig < 0 || sig > NSIG)
		return -EINVAL;
	struct task *t = task_by_tid(tid);
	if (!t || (tgid > 0 && t->proc->pid != tgid))
		return -ESRCH;
	int err = signal_may_send(t->proc, sig);	/* kill(2)'s permission rule */
	if (err || sig == 0)
		return err;
	struct sig_info si = { SI_TKILL, curproc()->pid, 0 };
	return signal_send_thread(t, sig, &si);
}

SYSCALL(tkill) { return kill_thread(0, (int)a[0], (int)a[1]); }

SYSCALL(tgkill)
{
	if ((int)a[0] <= 0)
		return -EINVAL;
	return kill_thread((int)a[0], (int)a[1], (int)a[2]);
}

SYSCALL(rt_sigpending)
{
	if (a[1] != 8)
		return -EINVAL;
	uint64_t p = atomic_load(&curtask()->sig_pending) & curtask()->sigmask;
	return copy_to_user(curmm(), a[0], &p, 8) ? -EFAULT : 0;
}

/*
 * Wait with `mask` until a signal is delivered; the old mask comes back
 * when the handler returns (it is what the signal frame saves).
 */
SYSCALL(rt_sigsuspend)
{
	struct task *t = curtask();
	uint64_t mask;
	if (a[1] != 8)
		return -EINVAL;
	if (copy_from_user(curmm(), &mask, a[0], 8))
		return -EFAULT;
	t->saved_mask = t->sigmask;
	t->sigmask = mask & ~((1UL << (SIGKILL - 1)) | (1UL << (SIGSTOP - 1)));
	t->mask_restore = 1;
	while (!signal_pending_now())
		thread_park();
	return -EINTR;
}

struct stack_k { uint64_t sp; int32_t flags, pad; uint64_t size; };
#define SS_ONSTACK 1
#define SS_DISABLE 2
#define MINSIGSTKSZ 2048

SYSCALL(sigaltstack)
{
	struct task *t = curtask();
	struct stack_k old = { t->altstack_sp, t->altstack_on ? SS_ONSTACK : t->altstack_sp ? 0 : SS_DISABLE,
			       0, t->altstack_size };
	if (a[0] && t->altstack_on)
		return -EPERM;		/* Linux: not while running on it */
	if (a[0]) {
		struct stack_k ss;
		if (copy_from_user(curmm(), &ss, a[0], sizeof ss))
			return -EFAULT;
		if (ss.flags & ~SS_DISABLE)
			return -EINVAL;
		if (ss.flags & SS_DISABLE) {
			t->altstack_sp = t->altstack_size = 0;
		} else {
			if (ss.size < MINSIGSTKSZ)
				return -ENOMEM;
			t->altstack_sp = ss.sp;
			t->altstack_size = ss.size;
		}
	}
	if (a[1] && copy_to_user(curmm(), a[1], &old, sizeof old))
		return -EFAULT;
	return 0;
}

SYSCALL(setpgid)
{
	struct proc *self = curproc();
	int pid = (int)a[0] ? (int)a[0] : self->pid;
	int pgid = (int)a[1] ? (int)a[1] : pid;
	if (pgid < 0)
		return -EINVAL;
	struct proc *p = proc_by_pid(pid);
	if (!p || (p != self && p->parent != self))
		return -ESRCH;
	if (p->sid == p->pid)
		return -EPERM;		/* a session leader keeps its group */
	p->pgid = pgid;
	return 0;
}

SYSCALL(getpgid)
{
	struct proc *p = (int)a[0] ? proc_by_pid((int)a[0]) : curproc();
	return p ? p->pgid : -ESRCH;
}

SYSCALL(getsid)
{
	struct proc *p = (int)a[0] ? proc_by_pid((int)a[0]) : curproc();
	return p ? p->sid : -ESRCH;
}

SYSCALL(setsid)
{
	(void)a;
	struct proc *p = curproc();
	int i = 0;
	for (struct proc *q; (q = proc_iter(&i)) != NULL; )
		if (q->pgid == p->pid && q != p)
			return -EPERM;
	if (p->pgid == p->pid)
		return -EPERM;
	p->sid = p->pgid = p->pid;
	return p->sid;
}
