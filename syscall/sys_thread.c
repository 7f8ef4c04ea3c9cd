/* Per-thread signal calls: rt_sigtimedwait, rt_sigqueueinfo, rt_tgsigqueueinfo. */
#include "syscall/sys.h"
#include "kernel/signal.h"
#include "kernel/thread_group.h"
#include "kernel/timer.h"

#define STOPKILL ((1UL << (SIGKILL - 1)) | (1UL << (SIGSTOP - 1)))

struct timespec_k { int64_t sec, nsec; };

SYSCALL(rt_sigtimedwait)
{
	struct task *t = curtask();
	uint64_t set, deadline = 0;
	if (a[3] != 8)
		return -EINVAL;
	if (copy_from_user(curmm(), &set, a[0], 8))
		return -EFAULT;
	set &= ~STOPKILL;
	if (a[2]) {
		struct timespec_k ts;
		if (copy_from_user(curmm(), &ts, a[2], sizeof ts))
			return -EFAULT;
		if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000L)
			return -EINVAL;
		deadline = ns_to_ticks(time_ns() + (uint64_t)ts.sec * 1000000000UL + (uint64_t)ts.nsec);
	}
	int sig;
	long r = 0;
	/* senders look for sigwait_set: a process-directed signal comes to us */
	t->sigwait_set = set;
	while ((sig = signal_take(t, set)) == 0) {
		if (signal_pending_now()) {
			r = -EINTR;
			break;
		}
		if (deadline ? thread_park_until(deadline) : (thread_park(), 0)) {
			if ((sig = signal_take(t, set)) == 0)
				r = -EAGAIN;
			break;
		}
	}
	t->sigwait_set = 0;
	if (r)
		return r;
	if (a[1]) {
		uint8_t info[128];
		signal_fill_info(info, sig, &t->sig_info[sig - 1]);
		if (copy_to_user(curmm(), a[1], info, sizeof info))
			return -EFAULT;
	}
	return sig;
}

/* The user's siginfo for sigqueue: code at 8, value at 24 (pid/uid are ours). */
static long user_info(uint64_t uinfo, int target_pid, struct sig_info *si)
{
	uint8_t info[128];
	if (copy_from_user(curmm(), info, uinfo, sizeof info))
		return -EFAULT;
	int32_t code;
	__builtin_memcpy(&code, info + 8, 4);
	/* Linux: only the kernel may claim kernel codes, or SI_TKILL, for another process */
	if ((code >= 0 || code == SI_TKILL) && target_pid != curproc()->pid)
		return -EPERM;
	si->code = code;
	si->pid = curproc()->pid;
	__builtin_memcpy(&si->val, info + 24, 8);
	return 0;
}

SYSCALL(rt_sigqueueinfo)
{
	int pid = (int)a[0], sig = (int)a[1];
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	struct proc *p = proc_by_pid(pid);
	if (!p)
		return -ESRCH;
	struct sig_info si;
	long err = signal_may_send(p, sig);	/* kill(2)'s permission rule */
	if (!err)
		err = user_info(a[2], pid, &si);
	if (err)
		return err;
	return sig ? signal_send_info(p, sig, &si) : 0;
}

SYSCALL(rt_tgsigqueueinfo)
{
	int tgid = (int)a[0], tid = (int)a[1], sig = (int)a[2];
	if (tgid <= 0 || tid <= 0 || sig < 0 || sig > NSIG)
		return -EINVAL;
	struct task *t = task_by_tid(tid);
	if (!t || t->proc->pid != tgid)
		return -ESRCH;
	struct sig_info si;
	long err = signal_may_send(t->proc, sig);
	if (!err)
		err = user_info(a[3], tgid, &si);
	if (err)
		return err;
	return sig ? signal_send_thread(t, sig, &si) : 0;
}

