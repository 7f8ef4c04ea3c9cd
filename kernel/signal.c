#include "kernel/signal.h"
#include "kernel/proc.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/trap.h"
#include "drivers/tty.h"
#include "syscall/sys.h"
#include "kernel/kmalloc.h"
#include "kernel/vdso.h"
#include <string.h>

enum dfl { D_TERM, D_CORE, D_IGN, D_STOP, D_CONT };

static enum dfl default_action(int sig)
{
	switch (sig) {
	case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS: case SIGFPE:
	case SIGSEGV: case 24: case 25: case 31:
		return D_CORE;
	case SIGCHLD: case SIGURG: case SIGWINCH:
		return D_IGN;
	case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
		return D_STOP;
	case SIGCONT:
		return D_CONT;
	default:
		return D_TERM;
	}
}

static uint64_t sigbit(int sig) { return 1UL << (sig - 1); }

static int ignored(struct proc *p, int sig)
{
	uint64_t h = p->sigactions[sig].handler;
	return sig != SIGKILL && sig != SIGSTOP &&
	       (h == SIG_IGN || (h == SIG_DFL && default_action(sig) == D_IGN));
}

/*
 * Queue sig for thread t with its siginfo (NULL: SI_USER from the caller).
 * Syscall cpu.  A standard signal already pending keeps its first info.
 */
int signal_send_thread(struct task *t, int sig, const struct sig_info *si)
{
	struct proc *p = t->proc;
	if (sig == SIGCONT || sig == SIGKILL) {
		for (struct task *o = p->threads; o; o = o->group_next) {
			atomic_fetch_and(&o->sig_pending, ~(sigbit(SIGSTOP) | sigbit(SIGTSTP) |
							    sigbit(SIGTTIN) | sigbit(SIGTTOU)));
			if (o->stopped) {
				o->stopped = 0;
				thread_wake(o->thread);
			}
		}
	}
	if (ignored(p, sig))
		return 0;
	if (!(atomic_load(&t->sig_pending) & sigbit(sig))) {
		/* from an interrupt (the tty's ^C) there may be no thread, or no task: the kernel sent it */
		struct thread *cur = current();
		struct task *self = cur ? cur->task : NULL;
		t->sig_info[sig - 1] = si ? *si : self && self->proc ?
			(struct sig_info){ SI_USER, self->proc->pid, 0 } : (struct sig_info){ SI_KERNEL, 0, 0 };
	}
	/* real-time signals queue (Linux): one delivery per send, up to a bound */
	if (sig >= SIGRTMIN_K) {
		atomic_int *q = &t->sig_queued[sig - SIGRTMIN_K];
		if (atomic_load(q) >= SIGQUEUE_MAX)
			return -EAGAIN;
		atomic_fetch_add(q, 1);	/* seq_cst: the count before the bit (signal_take) */
	}
	/*
	 * seq_cst: the pending bit (and the info above) is visible before
	 * the wake-ups below; the client's take_signal reads it after the
	 * trap those wake-ups cause.
	 */
	atomic_fetch_or(&t->sig_pending, sigbit(sig));
	/*
	 * Interrupt whatever it waits in: a syscall future parked on this
	 * cpu (pipe, tty, wait4, sleep), or the task itself on the client.
	 * The IPI makes a task that runs user code trap and see the signal.
	 */
	if (t->sys_thread)
		thread_wake(t->sys_thread);
	if (t->thread) {	/* not yet adopted by its client: delivered when it starts */
		thread_wake(t->thread);
		if (mycpu()->id != t->thread->cpu)
			ipi_send(t->thread->cpu, IPI_WAKE);
	}
	return 0;
}

/* A process-directed signal goes to a thread that does not block it (else the first). */
int signal_send_info(struct proc *p, int sig, const struct sig_info *si)
{
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (!p || p->state != P_ALIVE)
		return p ? 0 : -ESRCH;	/* a zombie accepts and drops signals */
	struct task *t = p->task;
	if (sig == 0 || !t)
		return 0;
	/* a thread in sigtimedwait for it first, then one that does not block it */
	struct task *open = NULL;
	for (struct task *o = p->threads; o; o = o->group_next) {
		if (o->sigwait_set & sigbit(sig))
			return signal_send_thread(o, sig, si);
		if (!open && !(o->sigmask & sigbit(sig)))
			open = o;
	}
	return signal_send_thread(open ? open : t, sig, si);
}

int signal_send(struct proc *p, int sig)
{
	return signal_send_info(p, sig, NULL);
}

/*
 * kill(2)'s permission rule: the sender's real or effective uid is the
 * target's real or saved uid, or the sender has CAP_KILL; SIGCONT within
 * one session is always allowed.  Kernel-sent signals (tty, SIGCHLD) do not
 * come through here.
 */
int signal_may_send(struct proc *p, int sig)
{
	struct cred *c = cred_current();
	if (!c || capable(CAP_KILL))
		return 0;
	const struct cred *t = &p->cred;
	if (c->euid == t->uid || c->euid == t->suid || c->uid == t->uid || c->uid == t->suid)
		return 0;
	if (sig == SIGCONT && p->sid == curproc()->sid)
		return 0;
	return -EPERM;
}

/* signal_send after the permission check: a NULL p is -ESRCH. */
int signal_send_checked(struct proc *p, int sig)
{
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (!p)
		return -ESRCH;
	int err = signal_may_send(p, sig);
	return err ? err : signal_send(p, sig);
}

/*
 * kill(2) for pid <= 0.  As Linux's kill_something_info: a process group
 * is -EPERM when no member may be signalled; kill(-1) counts the processes
 * it tried and returns 0 even if all of them refused with -EPERM (the
 * signal simply reaches only those the caller may signal).
 */
int signal_kill(int pid, int sig)
{
	struct proc *self = curproc();
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (pid > 0)
		return signal_send_checked(proc_by_pid(pid), sig);
	int pgrp = pid == 0 ? self->pgid : -pid, tried = 0, sent = 0, err = 0, i = 0;
	for (struct proc *p; (p = proc_iter(&i)) != NULL; ) {
		if (p->state != P_ALIVE)
			continue;
		if (pid == -1 ? (p->pid == 1 || p == self) : p->pgid != pgrp)
			continue;
		tried++;
		int r = signal_may_send(p, sig);
		if (!r)
			r = signal_send(p, sig);
		if (!r)
			sent++;
		else if (pid != -1 || r != -EPERM)
			err = r;
	}
	if (!tried)
		return -ESRCH;
	if (pid == -1)
		return err;	/* -EPERM refusals are not reported */
	return sent ? 0 : err;
}

/* Called by the tty's ^C / ^Z: the foreground process group. */
void tty_signal(int sig)
{
	int pgrp = tty_foreground_pgrp(), i = 0;
	/* an interrupt: whatever thread it landed on is not the sender */
	struct sig_info si = { SI_KERNEL, 0, 0 };
	for (struct proc *p; (p = proc_iter(&i)) != NULL; )
		if (p->pgid == pgrp && p->state == P_ALIVE)
			signal_send_info(p, sig, &si);
}

int signal_pending_now(void)
{
	struct task *t = current()->task;
	return t && (atomic_load(&t->sig_pending) & ~t->sigmask & ~0UL) != 0;
}

void pipe_sigpipe(void)
{
	signal_send(curproc(), SIGPIPE);
}

/* ---- delivery, on the client ---- */

/* Linux riscv64 rt_sigframe: siginfo (128) + ucontext (960). */
struct ucontext_k {
	uint64_t flags, link;
	uint64_t ss_sp;
	int32_t ss_flags, pad;
	uint64_t ss_size;
	uint64_t sigmask;
	uint8_t unused[120];
	uint64_t pad2;		/* mcontext is 16-byte aligned */
	uint64_t regs[32];	/* pc, then x1..x31 */
	uint64_t fpregs[66];	/* f0..f31, fcsr (+ reserved), q-sized union */
};
struct rt_sigframe {
	uint8_t info[128];
	struct ucontext_k uc;
};
_Static_assert(__builtin_offsetof(struct ucontext_k, regs) == 176, "riscv64 ucontext");
_Static_assert(sizeof(struct ucontext_k) == 960, "riscv64 ucontext");

static void stop_task(struct task *t, int sig)
{
	struct proc *p = t->proc;
	t->stopped = 1;
	/* seq_cst store: visible before the parent's wake-up below, read by its wait4 */
	atomic_store(&p->stop_report, sig);
	if (p->parent) {
		signal_send(p->parent, SIGCHLD);
		waitq_wake_all(&p->parent->child_exit);
	}
	while (t->stopped)
		thread_park();
}

/*
 * Linux's siginfo_t (128 bytes): signo, errno, code, then the union:
 * pid and uid for kill/tkill/sigqueue (with si_value at 8 for sigqueue and
 * timers, whose timer id and overrun come first), si_addr for faults.
 */
void signal_fill_info(uint8_t info[128], int sig, const struct sig_info *si)
{
	int32_t head[4] = { sig, 0, si->code, 0 };
	memset(info, 0, 128);
	memcpy(info, head, sizeof head);
	if (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP) {
		if (si->code > 0) {	/* a fault: the address */
			memcpy(info + 16, &si->val, 8);
			return;
		}
	}
	if (si->code == SI_TIMER) {
		int32_t id_ovr[2] = { si->pid, 0 };	/* timer id, overrun (read by timer_getoverrun) */
		memcpy(info + 16, id_ovr, 8);
		memcpy(info + 24, &si->val, 8);
		return;
	}
	int32_t pid_uid[2] = { si->pid, 0 };
	memcpy(info + 16, pid_uid, 8);
	memcpy(info + 24, &si->val, 8);
}

static int build_frame(struct task *t, int sig, struct sigaction_k *sa)
{
	struct trapframe *tf = t->tf;
	uint64_t sp = tf->x[REG_SP];
	if ((sa->flags & SA_ONSTACK) && t->altstack_sp && !(sp > t->altstack_sp && sp <= t->altstack_sp + t->altstack_size))
		sp = t->altstack_sp + t->altstack_size;
	sp = (sp - sizeof(struct rt_sigframe)) & ~15UL;
	/* sigaltstack(2) inside the handler reports SS_ONSTACK */
	t->altstack_on = t->altstack_sp && sp >= t->altstack_sp && sp < t->altstack_sp + t->altstack_size;
	struct rt_sigframe *f = kzalloc(sizeof(struct rt_sigframe));
	if (!f)
		return -ENOMEM;
	signal_fill_info(f->info, sig, &t->sig_info[sig - 1]);
	f->uc.ss_sp = t->altstack_sp;
	f->uc.ss_size = t->altstack_size;
	f->uc.sigmask = t->mask_restore ? t->saved_mask : t->sigmask;
	t->mask_restore = 0;
	f->uc.regs[0] = tf->sepc;
	for (int i = 1; i < 32; i++)
		f->uc.regs[i] = tf->x[i];
	memcpy(f->uc.fpregs, &t->fp, sizeof t->fp);	/* saved at trap entry */
	long err = copy_to_user(t->proc->mm, sp, f, sizeof *f);
	kfree(f);
	if (err)
		return -EFAULT;
	tf->x[REG_SP] = sp;
	tf->x[REG_A0] = (uint64_t)sig;
	tf->x[11] = sp;				/* siginfo */
	tf->x[12] = sp + 128;			/* ucontext */
	/* glibc passes no SA_RESTORER: its handlers return through the vDSO, as on Linux */
	tf->x[REG_RA] = (sa->flags & SA_RESTORER) ? sa->restorer : vdso_sigreturn_va();
	tf->sepc = sa->handler;
	t->sigmask |= sa->mask;
	if (!(sa->flags & SA_NODEFER))
		t->sigmask |= sigbit(sig);
	if (sa->flags & SA_RESETHAND)
		sa->handler = SIG_DFL;
	return 0;
}

long sigreturn_frame(void)
{
	struct task *t = curtask();
	struct trapframe *tf = t->tf;
	struct rt_sigframe *f = kzalloc(sizeof(struct rt_sigframe));
	if (!f)
		return -ENOMEM;
	if (copy_from_user(t->proc->mm, f, tf->x[REG_SP], sizeof *f)) {
		kfree(f);
		signal_fatal(t, SIGSEGV);
		return 0;
	}
	tf->sepc = f->uc.regs[0];
	for (int i = 1; i < 32; i++)
		tf->x[i] = f->uc.regs[i];
	uint64_t sp = tf->x[REG_SP];
	t->altstack_on = t->altstack_sp && sp > t->altstack_sp && sp <= t->altstack_sp + t->altstack_size;
	memcpy(&t->fp, f->uc.fpregs, sizeof t->fp);
	t->fp_gen++;			/* reload the registers on the way out */
	t->sigmask = f->uc.sigmask & ~(sigbit(SIGKILL) | sigbit(SIGSTOP));
	kfree(f);
	return 0;
}

void signal_fault(struct task *t, int sig, int code, uint64_t addr)
{
	uint64_t h = t->proc->sigactions[sig].handler;
	if (h == SIG_DFL || h == SIG_IGN || (t->sigmask & sigbit(sig))) {
		pr_warn("pid %d (%s): fatal signal %d (code %d) at pc %lx addr %lx\n", t->proc->pid,
			t->proc->comm, sig, code, t->tf->sepc, addr);
		signal_fatal(t, sig);	/* Linux: a blocked or ignored fault signal kills */
		return;
	}
	/* the handler runs on the way out, with si_code and si_addr filled in */
	t->sig_info[sig - 1] = (struct sig_info){ code, 0, addr };
	/* seq_cst as every sender: read back by signal_take on this very hart */
	atomic_fetch_or(&t->sig_pending, sigbit(sig));
}

/*
 * Take the lowest pending signal of `set` off t (0 if none): the client
 * on the way to user mode, or rt_sigtimedwait on the syscall cpu.  A
 * real-time signal stays pending while more instances are queued.
 * seq_cst throughout, as the sender's count-then-bit: if a send lands
 * between our decrement and our clearing of the bit, the re-check after
 * the clear sees its count and sets the bit again.
 */
int signal_take(struct task *t, uint64_t set)
{
	uint64_t ready = atomic_load(&t->sig_pending) & set;
	if (!ready)
		return 0;
	int sig = __builtin_ctzl(ready) + 1;
	if (sig >= SIGRTMIN_K) {
		atomic_int *q = &t->sig_queued[sig - SIGRTMIN_K];
		if (atomic_fetch_sub(q, 1) > 1)
			return sig;		/* more queued: the bit stays */
		if (atomic_load(q) < 0)
			atomic_store(q, 0);	/* raised without a count (cannot happen; be safe) */
	}
	uint64_t was = atomic_fetch_and(&t->sig_pending, ~sigbit(sig));
	if (sig >= SIGRTMIN_K && atomic_load(&t->sig_queued[sig - SIGRTMIN_K]) > 0)
		atomic_fetch_or(&t->sig_pending, sigbit(sig));
	return (was & sigbit(sig)) ? sig : 0;
}

static int take_signal(struct task *t)
{
	return signal_take(t, ~t->sigmask | sigbit(SIGKILL) | sigbit(SIGSTOP));
}

void signal_deliver(struct task *t)
{
	int sig;
	while (!t->exiting && (sig = take_signal(t)) != 0) {
		struct sigaction_k *sa = &t->proc->sigactions[sig];
		/* a syscall cut short by this signal: restart it or report EINTR */
		if (t->restartable && (int64_t)t->tf->x[REG_A0] == -EINTR && sa->handler > SIG_IGN &&
		    (sa->flags & SA_RESTART)) {
			t->tf->sepc -= 4;
			t->tf->x[REG_A0] = t->orig_a0;
		}
		t->restartable = 0;
		if (sa->handler == SIG_IGN && sig != SIGKILL && sig != SIGSTOP)
			continue;
		if (sa->handler == SIG_DFL || sig == SIGKILL || sig == SIGSTOP) {
			switch (default_action(sig)) {
			case D_IGN: case D_CONT:
				continue;
			case D_STOP:
				stop_task(t, sig);
				continue;
			case D_CORE:
				/* RLIMIT_CORE is 0, as on a default Linux: no dump, no 0x80 flag */
				signal_fatal(t, sig);
				return;
			case D_TERM:
				signal_fatal(t, sig);
				return;
			}
		}
		if (build_frame(t, sig, sa) != 0) {
			signal_fatal(t, SIGSEGV);
			return;
		}
		return;		/* one handler frame per return to user */
	}
}
