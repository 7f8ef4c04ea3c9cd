/*
 * POSIX record locks: a list of (inode, pid, type, [start, end)) on the
 * syscall cpu, where every fcntl runs, so it needs no lock.  A blocked
 * F_SETLKW waits on one queue woken at every unlock and re-checks.
 */
#include "kernel/fs/flock.h"
#include "kernel/proc.h"
#include "kernel/fs/file.h"
#include "kernel/fs/vfs.h"
#include "kernel/errno.h"
#include "kernel/kmalloc.h"
#include "kernel/signal.h"
#include "syscall/sys.h"

#define F_GETLK 5
#define F_SETLK 6
#define F_SETLKW 7
#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2
#define OFF_MAX 0x7fffffffffffffffLL

struct flock_k {		/* riscv64 struct flock */
	int16_t type, whence;
	int32_t pad;
	int64_t start, len;
	int32_t pid, pad2;
};

struct rlock {
	struct inode *ip;
	int pid, type;
	int64_t start, end;	/* [start, end) */
	struct rlock *next;
};

static struct rlock *locks;
static struct waitq lock_wait = { .lock = { 0 }, .head = NULL };

static int overlaps(const struct rlock *l, struct inode *ip, int64_t s, int64_t e)
{
	return l->ip == ip && l->start < e && s < l->end;
}

static struct rlock *conflict(struct inode *ip, int pid, int type, int64_t s, int64_t e)
{
	for (struct rlock *l = locks; l; l = l->next)
		if (overlaps(l, ip, s, e) && l->pid != pid && (type == F_WRLCK || l->type == F_WRLCK))
			return l;
	return NULL;
}

static int add(struct inode *ip, int pid, int type, int64_t s, int64_t e)
{
	struct rlock *l = kzalloc(sizeof *l);
	if (!l)
		return -ENOLCK;
	*l = (struct rlock){ ip, pid, type, s, e, locks };
	locks = l;
	return 0;
}

/* Drop pid's locks over [s, e), keeping the parts outside it. */
static int unlock_range(struct inode *ip, int pid, int64_t s, int64_t e)
{
	int err = 0;
	for (struct rlock **pp = &locks; *pp; ) {
		struct rlock *l = *pp;
		if (l->pid != pid || !overlaps(l, ip, s, e)) {
			pp = &l->next;
			continue;
		}
		*pp = l->next;
		if (l->start < s)
			err |= add(ip, pid, l->type, l->start, s);
		if (l->end > e)
			err |= add(ip, pid, l->type, e, l->end);
		kfree(l);
	}
	waitq_wake_all(&lock_wait);
	return err ? -ENOLCK : 0;
}

void posix_locks_release(struct proc *p, struct inode *ip)
{
	int any = 0;
	for (struct rlock **pp = &locks; *pp; ) {
		struct rlock *l = *pp;
		if (l->pid == p->pid && (!ip || l->ip == ip)) {
			*pp = l->next;
			kfree(l);
			any = 1;
		} else {
			pp = &l->next;
		}
	}
	if (any)
		waitq_wake_all(&lock_wait);
}

long posix_lock(struct proc *p, struct file *f, int cmd, uint64_t uflock)
{
	struct flock_k fl;
	if (!f->ip)
		return -EINVAL;
	if (copy_from_user(curmm(), &fl, uflock, sizeof fl))
		return -EFAULT;
	int64_t base = fl.whence == 0 ? 0 : fl.whence == 1 ? (int64_t)f->off :
		       fl.whence == 2 ? (int64_t)f->ip->size : -1;
	if (base < 0 || (fl.type != F_RDLCK && fl.type != F_WRLCK && fl.type != F_UNLCK))
		return -EINVAL;
	int64_t s = base + fl.start, e = fl.len == 0 ? OFF_MAX : s + fl.len;
	if (fl.len < 0) {
		e = s;
		s += fl.len;
	}
	if (s < 0)
		return -EINVAL;
	struct inode *ip = f->ip;
	if (cmd == F_GETLK) {
		struct rlock *c = fl.type == F_UNLCK ? NULL : conflict(ip, p->pid, fl.type, s, e);
		if (c)
			fl = (struct flock_k){ (int16_t)c->type, 0, 0, c->start,
					       c->end == OFF_MAX ? 0 : c->end - c->start, c->pid, 0 };
		else
			fl.type = F_UNLCK;
		return copy_to_user(curmm(), uflock, &fl, sizeof fl) ? -EFAULT : 0;
	}
	if (fl.type == F_UNLCK)
		return unlock_range(ip, p->pid, s, e);
	int acc = f->flags & O_ACCMODE;
	if ((fl.type == F_RDLCK && acc == O_WRONLY) || (fl.type == F_WRLCK && acc == O_RDONLY))
		return -EBADF;
	if (cmd == F_SETLK && conflict(ip, p->pid, fl.type, s, e))
		return -EAGAIN;
	long r = wait_event(&lock_wait, !conflict(ip, p->pid, fl.type, s, e),
			    signal_pending_now() ? -EINTR : 0);
	if (r)
		return r;
	long err = unlock_range(ip, p->pid, s, e);
	return err ? err : add(ip, p->pid, fl.type, s, e);
}
