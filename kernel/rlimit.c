/* Resource limits: see kernel/rlimit.h.  Syscall cpu only, as all process fields. */
#include "kernel/rlimit.h"
#include "kernel/proc.h"
#include "kernel/errno.h"
#include "syscall/sys.h"
#include <string.h>

void rlimit_init(struct proc *p)
{
	for (int i = 0; i < RLIM_NLIMITS; i++)
		p->rlim[i] = (struct rlimit_k){ RLIM_INFINITY, RLIM_INFINITY };
	p->rlim[RLIMIT_STACK] = (struct rlimit_k){ USER_STACK_MAX, RLIM_INFINITY };
	p->rlim[RLIMIT_NOFILE] = (struct rlimit_k){ NOFILE, NOFILE };
	p->rlim[RLIMIT_NPROC] = (struct rlimit_k){ NPROC, NPROC };
	p->rlim_set = 1;
}

void rlimit_inherit(struct proc *child, struct proc *parent)
{
	memcpy(child->rlim, parent->rlim, sizeof child->rlim);
	child->rlim_set = parent->rlim_set;
}

uint64_t rlimit_cur(struct proc *p, int res)
{
	if (!p->rlim_set)
		rlimit_init(p);
	return p->rlim[res].cur;
}

static int count_procs(void)
{
	int n = 0, i = 0;
	for (struct proc *q; (q = proc_iter(&i)) != NULL; )
		n += q->state == P_ALIVE;
	return n;
}

/* fork: RLIMIT_NPROC counts the live processes (one user: everyone is root here) */
int rlimit_fork_ok(struct proc *p)
{
	return (uint64_t)count_procs() < rlimit_cur(p, RLIMIT_NPROC);
}

SYSCALL(prlimit64)
{
	struct proc *p = a[0] ? proc_by_pid((int)a[0]) : curproc();
	if (!p)
		return -ESRCH;
	/* Linux: another process's limits need its uids and gids all our real ones, or CAP_SYS_RESOURCE */
	struct cred *c = cred_current();
	const struct cred *t = &p->cred;
	if (p != curproc() && c && !capable(CAP_SYS_RESOURCE) &&
	    (t->uid != c->uid || t->euid != c->uid || t->suid != c->uid ||
	     t->gid != c->gid || t->egid != c->gid || t->sgid != c->gid))
		return -EPERM;
	if (a[1] >= RLIM_NLIMITS)
		return -EINVAL;
	if (!p->rlim_set)
		rlimit_init(p);
	struct rlimit_k old = p->rlim[a[1]], nr;
	if (a[2]) {
		if (copy_from_user(curmm(), &nr, a[2], sizeof nr))
			return -EFAULT;
		if (nr.cur > nr.max)
			return -EINVAL;
		/* the fd table has NOFILE slots: a larger limit cannot be honoured */
		if (a[1] == RLIMIT_NOFILE && nr.max > NOFILE)
			return -EPERM;
		p->rlim[a[1]] = nr;
	}
	if (a[3] && copy_to_user(curmm(), a[3], &old, sizeof old))
		return -EFAULT;
	return 0;
}
