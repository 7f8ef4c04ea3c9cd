/*
 * System V semaphore sets: semget, semop, semtimedop, semctl (semop(2),
 * semctl(2)).
 *
 * semop applies its whole list of operations or none: it tries them on a
 * copy of the values, and commits only if no operation would block.  A
 * call that would block counts itself in the blocking semaphore's
 * semncnt/semzcnt and parks on the set's queue; every commit that changes
 * a value wakes the queue, and each waiter tries its list again.  SEM_UNDO
 * keeps, per process and set, the sum to undo at exit (sem_undo_exit).
 */
#include "kernel/ipc/ipc.h"
#include "kernel/proc.h"
#include "kernel/kmalloc.h"
#include "kernel/errno.h"
#include "kernel/timer.h"
#include "syscall/sys.h"

#define SEMMSL 250		/* semaphores per set (Linux's default) */
#define SEMOPM 500		/* operations per semop */
#define SEMVMX 32767
#define SEM_UNDO 0x1000
#define GETPID 11
#define GETVAL 12
#define GETALL 13
#define GETNCNT 14
#define GETZCNT 15
#define SETVAL 16
#define SETALL 17
#define SEM_INFO 19

struct sem {
	int val, pid;
	int ncnt, zcnt;		/* calls parked waiting for an increase / for zero */
};

struct sem_undo {
	struct sem_undo *proc_next;	/* the process's list (proc->sem_undo) */
	struct sem_undo *set_next;	/* the set's list, so SETVAL can reset it */
	struct sem_set *set;		/* NULL once the set is removed */
	struct proc *proc;
	int nsems;
	short adj[];
};

struct sem_set {
	struct ipc_obj o;
	int nsems;
	int64_t otime, ctime;
	struct waitq waiters;
	struct sem_undo *undos;
	struct sem sems[];
};

struct sembuf_u {
	uint16_t num;
	int16_t op, flg;
};

struct semid64_ds_u {
	struct ipc64_perm_u perm;
	int64_t otime, ctime;
	uint64_t nsems, unused3, unused4;
};
_Static_assert(sizeof(struct semid64_ds_u) == 88, "riscv64 semid64_ds");

struct seminfo_u {
	int32_t semmap, semmni, semmns, semmnu, semmsl, semopm, semume, semusz, semvmx, semaem;
};

static struct ipc_ids sem_ids;

static struct ipc_obj *sem_make(void *arg, long *err)
{
	int nsems = *(int *)arg;
	if (nsems <= 0 || nsems > SEMMSL) {
		*err = -EINVAL;
		return NULL;
	}
	struct sem_set *s = ipc_alloc(sizeof *s + (size_t)nsems * sizeof(struct sem));
	if (!s) {
		*err = -ENOMEM;
		return NULL;
	}
	s->nsems = nsems;
	s->ctime = ipc_now();
	waitq_init(&s->waiters);
	return &s->o;
}

static int sem_check(struct ipc_obj *o, void *arg)
{
	return *(int *)arg > ((struct sem_set *)o)->nsems ? -EINVAL : 0;
}

SYSCALL(semget)
{
	int nsems = (int)a[1];
	if (nsems < 0 || nsems > SEMMSL)
		return -EINVAL;
	return ipc_get(&sem_ids, (int32_t)a[0], (int)a[2], sem_make, sem_check, &nsems);
}

static struct sem_set *set_of(int id) { return (struct sem_set *)ipc_lookup(&sem_ids, id); }

static void set_put(struct sem_set *s)
{
	if (s->o.deleted && !s->o.waiters)
		ipc_free(s, sizeof *s + (size_t)s->nsems * sizeof(struct sem));
}

/* The process's undo record for s, made on first use (NULL: no memory). */
static struct sem_undo *undo_of(struct proc *p, struct sem_set *s)
{
	for (struct sem_undo *u = p->sem_undo; u; u = u->proc_next)
		if (u->set == s)
			return u;
	struct sem_undo *u = ipc_alloc(sizeof *u + (size_t)s->nsems * sizeof(short));
	if (!u)
		return NULL;
	u->set = s;
	u->proc = p;
	u->nsems = s->nsems;
	u->proc_next = p->sem_undo;
	p->sem_undo = u;
	u->set_next = s->undos;
	s->undos = u;
	return u;
}

/*
 * Try every operation; commit only if none blocks.  0 done, 1 would block
 * (*blocker = its index), or -EFBIG / -ERANGE / -ENOMEM.
 */
static long sem_try(struct sem_set *s, const struct sembuf_u *ops, int n, int *blocker)
{
	int val[SEMOPM];	/* the value each op sees: ops may name a semaphore twice */
	struct sem_undo *u = NULL;
	for (int i = 0; i < n; i++)
		if (ops[i].flg & SEM_UNDO) {
			if (!(u = undo_of(curproc(), s)))
				return -ENOMEM;
			break;
		}
	for (int i = 0; i < n; i++) {
		int v = s->sems[ops[i].num].val;
		for (int j = 0; j < i; j++)	/* the earlier ops' effect on this one */
			if (ops[j].num == ops[i].num)
				v += ops[j].op;
		if (ops[i].op == 0 ? v != 0 : v + ops[i].op < 0) {
			*blocker = i;
			return 1;
		}
		if (v + ops[i].op > SEMVMX)
			return -ERANGE;
		val[i] = v + ops[i].op;
	}
	int pid = curproc()->pid;
	for (int i = 0; i < n; i++) {
		struct sem *sm = &s->sems[ops[i].num];
		sm->val = val[i];
		sm->pid = pid;
		if ((ops[i].flg & SEM_UNDO) && ops[i].op)
			u->adj[ops[i].num] = (short)(u->adj[ops[i].num] - ops[i].op);
	}
	s->otime = ipc_now();
	return 0;
}

struct timespec_k { int64_t sec, nsec; };

static long semtimedop(int id, uint64_t usops, uint64_t nsops, uint64_t uts)
{
	struct sembuf_u mine[64];
	if ((int64_t)nsops < 1)
		return -EINVAL;
	if (nsops > SEMOPM)
		return -E2BIG;
	/* small lists live on the stack, so a parked call keeps its own copy */
	struct sembuf_u *list = nsops <= 64 ? mine : ipc_alloc(nsops * sizeof *list);
	if (!list)
		return -ENOMEM;
	long err = 0;
	uint64_t deadline = 0;
	if (copy_from_user(curmm(), list, usops, nsops * sizeof *list))
		err = -EFAULT;
	if (!err && uts) {
		struct timespec_k ts;
		if (copy_from_user(curmm(), &ts, uts, sizeof ts))
			err = -EFAULT;
		else if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000L)
			err = -EINVAL;
		else
			deadline = ns_to_ticks(time_ns() + (uint64_t)ts.sec * 1000000000UL + (uint64_t)ts.nsec) ?: 1;
	}
	struct sem_set *s = err ? NULL : set_of(id);
	if (!err && !s)
		err = -EINVAL;
	int alter = 0, n = (int)nsops;
	for (int i = 0; !err && i < n; i++) {
		if (list[i].num >= s->nsems)
			err = -EFBIG;
		alter |= list[i].op != 0;
	}
	if (!err)
		err = ipc_perm_check(&s->o.perm, alter ? IPC_MAY_WRITE : IPC_MAY_READ);
	while (!err) {
		int b;
		if ((err = sem_try(s, list, n, &b)) <= 0)
			break;
		err = 0;
		if (list[b].flg & IPC_NOWAIT) {
			err = -EAGAIN;
			break;
		}
		int *cnt = list[b].op ? &s->sems[list[b].num].ncnt : &s->sems[list[b].num].zcnt;
		++*cnt;
		err = ipc_wait(&s->o, &s->waiters, deadline);
		--*cnt;
		if (err == -EIDRM)
			set_put(s);
	}
	if (!err && alter)
		waitq_wake_all(&s->waiters);
	if (list != mine)
		ipc_free(list, nsops * sizeof *list);
	return err;
}

SYSCALL(semop) { return semtimedop((int)a[0], a[1], a[2], 0); }
SYSCALL(semtimedop) { return semtimedop((int)a[0], a[1], a[2], a[3]); }

/* SETVAL/SETALL: the adjustments every process kept for those semaphores are void (Linux). */
static void undo_reset(struct sem_set *s, int num)
{
	for (struct sem_undo *u = s->undos; u; u = u->set_next)
		if (num < 0)
			for (int i = 0; i < s->nsems; i++)
				u->adj[i] = 0;
		else
			u->adj[num] = 0;
}

static void sem_remove(struct sem_set *s)
{
	ipc_remove(&sem_ids, &s->o);
	for (struct sem_undo *u = s->undos; u; u = u->set_next)
		u->set = NULL;		/* freed with its process */
	s->undos = NULL;
	waitq_wake_all(&s->waiters);
	set_put(s);
}

static long sem_stat(struct sem_set *s, uint64_t ubuf)
{
	long err = ipc_perm_check(&s->o.perm, IPC_MAY_READ);
	if (err)
		return err;
	struct semid64_ds_u ds = { .otime = s->otime, .ctime = s->ctime, .nsems = (uint64_t)s->nsems };
	ipc_perm_to_user(&s->o.perm, &ds.perm);
	return copy_to_user(curmm(), ubuf, &ds, sizeof ds) ? -EFAULT : 0;
}

static long sem_set_perm(struct sem_set *s, uint64_t ubuf)
{
	struct semid64_ds_u ds;
	if (copy_from_user(curmm(), &ds, ubuf, sizeof ds))
		return -EFAULT;
	long err = ipc_owner_check(&s->o.perm);
	if (err)
		return err;
	ipc_perm_set(&s->o.perm, &ds.perm);
	s->ctime = ipc_now();
	return 0;
}

static long sem_getset_all(struct sem_set *s, int cmd, uint64_t uarr)
{
	uint16_t v[SEMMSL];
	long err = ipc_perm_check(&s->o.perm, cmd == GETALL ? IPC_MAY_READ : IPC_MAY_WRITE);
	if (err)
		return err;
	size_t n = (size_t)s->nsems * sizeof v[0];
	if (cmd == GETALL) {
		for (int i = 0; i < s->nsems; i++)
			v[i] = (uint16_t)s->sems[i].val;
		return copy_to_user(curmm(), uarr, v, n) ? -EFAULT : 0;
	}
	if (copy_from_user(curmm(), v, uarr, n))
		return -EFAULT;
	for (int i = 0; i < s->nsems; i++)
		if (v[i] > SEMVMX)
			return -ERANGE;
	for (int i = 0; i < s->nsems; i++) {
		s->sems[i].val = v[i];
		s->sems[i].pid = curproc()->pid;
	}
	undo_reset(s, -1);
	s->ctime = ipc_now();
	waitq_wake_all(&s->waiters);
	return 0;
}

static long sem_one(struct sem_set *s, int cmd, int num, uint64_t arg)
{
	if (num < 0 || num >= s->nsems)
		return -EINVAL;
	long err = ipc_perm_check(&s->o.perm, cmd == SETVAL ? IPC_MAY_WRITE : IPC_MAY_READ);
	if (err)
		return err;
	struct sem *sm = &s->sems[num];
	switch (cmd) {
	case GETVAL: return sm->val;
	case GETPID: return sm->pid;
	case GETNCNT: return sm->ncnt;
	case GETZCNT: return sm->zcnt;
	}
	int v = (int)arg;		/* union semun's int, in the low word */
	if (v < 0 || v > SEMVMX)
		return -ERANGE;
	sm->val = v;
	sm->pid = curproc()->pid;
	undo_reset(s, num);
	s->ctime = ipc_now();
	waitq_wake_all(&s->waiters);
	return 0;
}

static long sem_info(uint64_t ubuf)
{
	struct seminfo_u si = { .semmap = SEMMSL * IPC_SLOTS, .semmni = IPC_SLOTS,
				.semmns = SEMMSL * IPC_SLOTS, .semmnu = SEMMSL * IPC_SLOTS,
				.semmsl = SEMMSL, .semopm = SEMOPM, .semume = SEMOPM, .semusz = 20,
				.semvmx = SEMVMX, .semaem = SEMVMX };
	if (copy_to_user(curmm(), ubuf, &si, sizeof si))
		return -EFAULT;
	return ipc_max_slot(&sem_ids) < 0 ? 0 : ipc_max_slot(&sem_ids);
}

SYSCALL(semctl)
{
	int id = (int)a[0], num = (int)a[1], cmd = (int)a[2] & ~IPC_64;
	if (cmd == IPC_INFO || cmd == SEM_INFO)
		return sem_info(a[3]);
	struct sem_set *s = set_of(id);
	if (!s)
		return -EINVAL;
	long err;
	switch (cmd) {
	case IPC_STAT:
		return sem_stat(s, a[3]);
	case IPC_SET:
		return sem_set_perm(s, a[3]);
	case IPC_RMID:
		if ((err = ipc_owner_check(&s->o.perm)) != 0)
			return err;
		sem_remove(s);
		return 0;
	case GETALL: case SETALL:
		return sem_getset_all(s, cmd, a[3]);
	case GETVAL: case GETPID: case GETNCNT: case GETZCNT: case SETVAL:
		return sem_one(s, cmd, num, a[3]);
	default:
		return -EINVAL;
	}
}

/*
 * The process is gone: each set it changed with SEM_UNDO gets the sum
 * back, clamped to [0, SEMVMX] as Linux does, and its waiters try again.
 */
void sem_undo_exit(struct proc *p)
{
	struct sem_undo *u = p->sem_undo;
	p->sem_undo = NULL;
	while (u) {
		struct sem_undo *next = u->proc_next;
		struct sem_set *s = u->set;
		if (s) {
			for (int i = 0; i < s->nsems; i++) {
				int v = s->sems[i].val + u->adj[i];
				s->sems[i].val = v < 0 ? 0 : v > SEMVMX ? SEMVMX : v;
				if (u->adj[i])
					s->sems[i].pid = p->pid;
			}
			for (struct sem_undo **pp = &s->undos; *pp; pp = &(*pp)->set_next)
				if (*pp == u) {
					*pp = u->set_next;
					break;
				}
			s->otime = ipc_now();
			waitq_wake_all(&s->waiters);
		}
		ipc_free(u, sizeof *u + (size_t)u->nsems * sizeof(short));
		u = next;
	}
}
