/* System V IPC: ids, keys and permissions shared by msg, sem and shm (see ipc.h). */
#include "kernel/ipc/ipc.h"
#include "kernel/proc.h"
#include "kernel/cred.h"
#include "kernel/errno.h"
#include "drivers/tty.h"	/* signal_pending_now */
#include "kernel/timer.h"
#include "kernel/kmalloc.h"
#include "kernel/page_alloc.h"
#include "kernel/param.h"

#define CAP_IPC_OWNER 15

uint64_t realtime_ns(void);

static size_t pages_for(size_t size) { return (size + PGSIZE - 1) / PGSIZE; }

void *ipc_alloc(size_t size)
{
	return size <= KMALLOC_MAX ? kzalloc(size) : page_alloc_n(pages_for(size));
}

void ipc_free(void *p, size_t size)
{
	if (size <= KMALLOC_MAX)
		kfree(p);
	else
		page_free_n(p, pages_for(size));
}

int64_t ipc_now(void) { return (int64_t)(realtime_ns() / 1000000000UL); }

static struct ipc_obj *find_key(struct ipc_ids *ids, int32_t key)
{
	for (int i = 0; i < IPC_SLOTS; i++)
		if (ids->slot[i] && ids->slot[i]->perm.key == key)
			return ids->slot[i];
	return NULL;
}

static int add(struct ipc_ids *ids, struct ipc_obj *o, int32_t key, int flg)
{
	for (int i = 0; i < IPC_SLOTS; i++) {
		if (ids->slot[i])
			continue;
		struct cred *c = cred_current();
		o->perm.key = key;
		o->perm.uid = o->perm.cuid = c ? c->euid : 0;
		o->perm.gid = o->perm.cgid = c ? c->egid : 0;
		o->perm.mode = (uint32_t)flg & 0777;
		o->perm.seq = ids->seq[i];
		o->id = ids->seq[i] * IPC_SEQ_MUL + i;
		ids->slot[i] = o;
		ids->in_use++;
		return o->id;
	}
	return -ENOSPC;
}

int ipc_get(struct ipc_ids *ids, int32_t key, int flg,
	    struct ipc_obj *(*make)(void *arg, long *err), int (*check)(struct ipc_obj *, void *arg),
	    void *arg)
{
	struct ipc_obj *o = key == IPC_PRIVATE ? NULL : find_key(ids, key);
	if (o) {
		if ((flg & IPC_CREAT) && (flg & IPC_EXCL))
			return -EEXIST;
		/* Linux: the size check before the permission check */
		int err = check(o, arg);
		if (!err)
			err = ipc_perm_check(&o->perm, flg);
		return err ? err : o->id;
	}
	if (key != IPC_PRIVATE && !(flg & IPC_CREAT))
		return -ENOENT;
	if (ids->in_use >= IPC_SLOTS)
		return -ENOSPC;
	long err = 0;
	o = make(arg, &err);
	if (!o)
		return (int)err;
	return add(ids, o, key, flg);	/* a free slot exists: in_use was below the limit */
}

struct ipc_obj *ipc_lookup(struct ipc_ids *ids, int id)
{
	if (id < 0)
		return NULL;
	struct ipc_obj *o = ids->slot[id % IPC_SEQ_MUL % IPC_SLOTS];
	return (id % IPC_SEQ_MUL) < IPC_SLOTS && o && o->id == id ? o : NULL;
}

void ipc_remove(struct ipc_ids *ids, struct ipc_obj *o)
{
	int i = o->id % IPC_SEQ_MUL;
	ids->slot[i] = NULL;
	ids->seq[i] = (uint16_t)((ids->seq[i] + 1) % (0x7fffffff / IPC_SEQ_MUL));	/* ids stay positive */
	ids->in_use--;
	o->deleted = 1;
}

int ipc_max_slot(const struct ipc_ids *ids)
{
	int m = -1;
	for (int i = 0; i < IPC_SLOTS; i++)
		if (ids->slot[i])
			m = i;
	return m;
}

static int in_group(const struct cred *c, uint32_t gid)
{
	if (c->egid == gid)
		return 1;
	for (int i = 0; i < c->ngroups; i++)
		if (c->groups[i] == gid)
			return 1;
	return 0;
}

int ipc_perm_check(const struct kern_ipc_perm *p, int flg)
{
	struct cred *c = cred_current();
	if (!c)
		return 0;
	int want = (flg >> 6 | flg >> 3 | flg) & 7;
	uint32_t granted = p->mode;
	if (c->euid == p->cuid || c->euid == p->uid)
		granted >>= 6;
	else if (in_group(c, p->cgid) || in_group(c, p->gid))
		granted >>= 3;
	if ((want & ~granted & 7) && !capable(CAP_IPC_OWNER))
		return -EACCES;
	return 0;
}

int ipc_owner_check(const struct kern_ipc_perm *p)
{
	struct cred *c = cred_current();
	if (!c || c->euid == p->uid || c->euid == p->cuid || capable(CAP_SYS_ADMIN))
		return 0;
	return -EPERM;
}

void ipc_perm_to_user(const struct kern_ipc_perm *p, struct ipc64_perm_u *u)
{
	*u = (struct ipc64_perm_u){ .key = p->key, .uid = p->uid, .gid = p->gid, .cuid = p->cuid,
				    .cgid = p->cgid, .mode = p->mode, .seq = p->seq };
}

void ipc_perm_set(struct kern_ipc_perm *p, const struct ipc64_perm_u *u)
{
	p->uid = u->uid;
	p->gid = u->gid;
	p->mode = (p->mode & ~0777u) | (u->mode & 0777);
}

long ipc_wait(struct ipc_obj *o, struct waitq *q, uint64_t deadline)
{
	struct waiter w;
	waitq_add(q, &w);
	o->waiters++;
	int expired = deadline ? thread_park_until(deadline) : (thread_park(), 0);
	waitq_remove(q, &w);
	o->waiters--;
	if (o->deleted)
		return -EIDRM;
	if (expired)
		return -EAGAIN;
	if (signal_pending_now())
		return -EINTR;
	return 0;
}
