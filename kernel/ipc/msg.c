/*
 * System V message queues: msgget, msgsnd, msgrcv, msgctl (msgop(2)).
 *
 * A queue is a list of typed messages in send order.  msgsnd on a full
 * queue parks on `senders`, msgrcv with nothing that matches on
 * `receivers`; each side wakes the other queue after it changes the list
 * (a receiver re-checks for its type, so a send that does not match only
 * costs it a look).  IPC_RMID wakes both: their calls return EIDRM.
 */
#include "kernel/ipc/ipc.h"
#include "kernel/proc.h"
#include "kernel/kmalloc.h"
#include "kernel/errno.h"
#include "syscall/sys.h"

#define MSGMAX 8192		/* largest message (Linux's default) */
#define MSGMNB 16384		/* default queue size in bytes */
#define MSG_NOERROR 010000
#define MSG_EXCEPT  020000
#define MSG_COPY    040000
#define MSG_STAT 11
#define MSG_INFO 12
#define CAP_SYS_RESOURCE_ 24

struct msg {
	struct msg *next;
	int64_t type;
	size_t len;
	char text[];
};

struct msq {
	struct ipc_obj o;
	struct msg *head, **tail;
	uint64_t cbytes, qnum, qbytes;
	int lspid, lrpid;
	int64_t stime, rtime, ctime;
	struct waitq senders, receivers;
};

struct msqid64_ds_u {
	struct ipc64_perm_u perm;
	int64_t stime, rtime, ctime;
	uint64_t cbytes, qnum, qbytes;
	int32_t lspid, lrpid;
	uint64_t unused4, unused5;
};
_Static_assert(sizeof(struct msqid64_ds_u) == 120, "riscv64 msqid64_ds");

struct msginfo_u {
	int32_t msgpool, msgmap, msgmax, msgmnb, msgmni, msgssz, msgtql;
	uint16_t msgseg;
};

static struct ipc_ids msq_ids;

static void msg_free(struct msg *m) { ipc_free(m, sizeof *m + m->len); }

static struct ipc_obj *msq_make(void *arg, long *err)
{
	(void)arg;
	struct msq *q = kzalloc(sizeof *q);
	if (!q) {
		*err = -ENOMEM;
		return NULL;
	}
	q->tail = &q->head;
	q->qbytes = MSGMNB;
	q->ctime = ipc_now();
	waitq_init(&q->senders);
	waitq_init(&q->receivers);
	return &q->o;
}

static int msq_check(struct ipc_obj *o, void *arg) { (void)o; (void)arg; return 0; }

SYSCALL(msgget)
{
	return ipc_get(&msq_ids, (int32_t)a[0], (int)a[1], msq_make, msq_check, NULL);
}

static struct msq *msq_of(int id) { return (struct msq *)ipc_lookup(&msq_ids, id); }

/* Last one out frees a removed queue: IPC_RMID, or the last parked call after it. */
static void msq_put(struct msq *q)
{
	if (!q->o.deleted || q->o.waiters)
		return;
	for (struct msg *m = q->head, *n; m; m = n) {
		n = m->next;
		msg_free(m);
	}
	kfree(q);
}

SYSCALL(msgsnd)
{
	int id = (int)a[0], flg = (int)a[3];
	uint64_t umsg = a[1];
	int64_t sz = (int64_t)a[2];
	struct msq *q = msq_of(id);
	if (!q)
		return -EINVAL;
	if (sz < 0 || sz > MSGMAX)
		return -EINVAL;
	int64_t type;
	if (copy_from_user(curmm(), &type, umsg, sizeof type))
		return -EFAULT;
	if (type < 1)
		return -EINVAL;
	struct msg *m = ipc_alloc(sizeof *m + (size_t)sz);
	if (!m)
		return -ENOMEM;
	m->type = type;
	m->len = (size_t)sz;
	long err = copy_from_user(curmm(), m->text, umsg + 8, (size_t)sz) ? -EFAULT : 0;
	while (!err) {
		if ((err = ipc_perm_check(&q->o.perm, IPC_MAY_WRITE)) != 0)
			break;
		/* Linux counts messages against qbytes too, so 0-byte messages fill a queue */
		if (q->cbytes + m->len <= q->qbytes && q->qnum + 1 <= q->qbytes)
			break;
		if (flg & IPC_NOWAIT)
			err = -EAGAIN;
		else if ((err = ipc_wait(&q->o, &q->senders, 0)) == -EIDRM)
			msq_put(q);
	}
	if (err) {
		msg_free(m);
		return err;
	}
	*q->tail = m;
	q->tail = &m->next;
	q->cbytes += m->len;
	q->qnum++;
	q->lspid = curproc()->pid;
	q->stime = ipc_now();
	waitq_wake_all(&q->receivers);
	return 0;
}

/* The link to the message msgrcv's msgtyp picks (msgop(2)), or NULL. */
static struct msg **msg_find(struct msq *q, int64_t typ, int flg)
{
	struct msg **best = NULL;
	uint64_t limit = typ < 0 ? 0 - (uint64_t)typ : 0;	/* |LONG_MIN| too */
	for (struct msg **pp = &q->head; *pp; pp = &(*pp)->next) {
		int64_t t = (*pp)->type;
		if (typ == 0)
			return pp;
		if (typ > 0 && ((flg & MSG_EXCEPT) ? t != typ : t == typ))
			return pp;
		if (typ < 0 && (uint64_t)t <= limit && (!best || t < (*best)->type))
			best = pp;	/* the lowest type, the first of that type */
	}
	return best;
}

SYSCALL(msgrcv)
{
	int id = (int)a[0], flg = (int)a[4];
	uint64_t umsg = a[1];
	int64_t sz = (int64_t)a[2], typ = (int64_t)a[3];
	if (flg & MSG_COPY)
		return -ENOSYS;		/* Linux without CONFIG_CHECKPOINT_RESTORE */
	struct msq *q = msq_of(id);
	if (!q || sz < 0)
		return -EINVAL;
	struct msg **pp;
	long err;
	for (;;) {
		if ((err = ipc_perm_check(&q->o.perm, IPC_MAY_READ)) != 0)
			return err;
		if ((pp = msg_find(q, typ, flg)) != NULL)
			break;
		if (flg & IPC_NOWAIT)
			return -ENOMSG;
		if ((err = ipc_wait(&q->o, &q->receivers, 0)) != 0) {
			if (err == -EIDRM)
				msq_put(q);
			return err;
		}
	}
	struct msg *m = *pp;
	if (m->len > (uint64_t)sz && !(flg & MSG_NOERROR))
		return -E2BIG;
	size_t n = m->len < (uint64_t)sz ? m->len : (size_t)sz;
	if (copy_to_user(curmm(), umsg, &m->type, sizeof m->type) ||
	    copy_to_user(curmm(), umsg + 8, m->text, n))
		return -EFAULT;		/* the message stays queued */
	*pp = m->next;
	if (q->tail == &m->next)
		q->tail = pp;
	q->cbytes -= m->len;
	q->qnum--;
	q->lrpid = curproc()->pid;
	q->rtime = ipc_now();
	msg_free(m);
	waitq_wake_all(&q->senders);
	return (long)n;
}

static long msq_stat(struct msq *q, uint64_t ubuf)
{
	long err = ipc_perm_check(&q->o.perm, IPC_MAY_READ);
	if (err)
		return err;
	struct msqid64_ds_u ds = { .stime = q->stime, .rtime = q->rtime, .ctime = q->ctime,
				   .cbytes = q->cbytes, .qnum = q->qnum, .qbytes = q->qbytes,
				   .lspid = q->lspid, .lrpid = q->lrpid };
	ipc_perm_to_user(&q->o.perm, &ds.perm);
	return copy_to_user(curmm(), ubuf, &ds, sizeof ds) ? -EFAULT : 0;
}

static long msq_set(struct msq *q, uint64_t ubuf)
{
	struct msqid64_ds_u ds;
	if (copy_from_user(curmm(), &ds, ubuf, sizeof ds))
		return -EFAULT;
	long err = ipc_owner_check(&q->o.perm);
	if (err)
		return err;
	if (ds.qbytes > MSGMNB && !capable(CAP_SYS_RESOURCE_))
		return -EPERM;
	ipc_perm_set(&q->o.perm, &ds.perm);
	q->qbytes = ds.qbytes;
	q->ctime = ipc_now();
	waitq_wake_all(&q->senders);	/* more room, perhaps */
	return 0;
}

static long msq_info(uint64_t ubuf)
{
	struct msginfo_u mi = { .msgpool = IPC_SLOTS * MSGMNB / 1024, .msgmap = MSGMNB,
				.msgmax = MSGMAX, .msgmnb = MSGMNB, .msgmni = IPC_SLOTS,
				.msgssz = 16, .msgtql = MSGMNB, .msgseg = 0xffff };
	if (copy_to_user(curmm(), ubuf, &mi, sizeof mi))
		return -EFAULT;
	return ipc_max_slot(&msq_ids) < 0 ? 0 : ipc_max_slot(&msq_ids);
}

SYSCALL(msgctl)
{
	int id = (int)a[0], cmd = (int)a[1] & ~IPC_64;
	if (cmd == IPC_INFO || cmd == MSG_INFO)
		return msq_info(a[2]);
	struct msq *q = msq_of(id);
	if (!q)
		return -EINVAL;
	long err;
	switch (cmd) {
	case IPC_STAT:
		return msq_stat(q, a[2]);
	case IPC_SET:
		return msq_set(q, a[2]);
	case IPC_RMID:
		if ((err = ipc_owner_check(&q->o.perm)) != 0)
			return err;
		ipc_remove(&msq_ids, &q->o);
		waitq_wake_all(&q->senders);
		waitq_wake_all(&q->receivers);
		msq_put(q);
		return 0;
	default:
		return -EINVAL;
	}
}
