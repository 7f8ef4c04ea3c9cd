/*
 * System V IPC (svipc(7)): message queues, semaphore sets, shared memory
 * segments.  What the three share: keys and identifiers, the permission
 * record and its checks, IPC_STAT/IPC_SET's ipc64_perm layout.
 *
 * Concurrency: every IPC call is a syscall handler, and handlers run one
 * at a time on the syscall cpu (the server with offload=1, the client
 * otherwise), switching only where one parks.  So the tables and objects
 * need no lock, as pipes need none (kernel/fs/pipe.c); a waiter registers
 * on its wait queue before it parks, so a waker that runs while it is
 * parked always finds it.
 */
#pragma once
#include <stdint.h>
#include <stddef.h>
#include "sched/thread.h"

#define IPC_PRIVATE 0
#define IPC_CREAT  01000
#define IPC_EXCL   02000
#define IPC_NOWAIT 04000
#define IPC_RMID 0
#define IPC_SET  1
#define IPC_STAT 2
#define IPC_INFO 3
#define IPC_64   0x100		/* musl and glibc or it into every cmd: the only layout here */

#define IPC_SLOTS 128		/* objects of each kind; Linux's ipcmni is 32768 */
#define IPC_SEQ_MUL 32768	/* id = seq * IPC_SEQ_MUL + slot, as Linux */

/* The kernel's copy of struct ipc64_perm (riscv64 asm-generic/ipcbuf.h). */
struct kern_ipc_perm {
	int32_t key;
	uint32_t uid, gid, cuid, cgid, mode;	/* mode: the low 9 bits */
	uint16_t seq;
};

/* What every IPC object begins with. */
struct ipc_obj {
	struct kern_ipc_perm perm;
	int id;
	int deleted;		/* IPC_RMID ran: waiters return EIDRM */
	int waiters;		/* parked calls holding the object: it is freed by the last */
};

struct ipc_ids {
	struct ipc_obj *slot[IPC_SLOTS];
	uint16_t seq[IPC_SLOTS];
	int in_use;
};

/* The user-visible struct ipc64_perm: 48 bytes. */
struct ipc64_perm_u {
	int32_t key;
	uint32_t uid, gid, cuid, cgid, mode;
	uint16_t seq, pad2;
	uint64_t unused1, unused2;
};
_Static_assert(sizeof(struct ipc64_perm_u) == 48, "riscv64 ipc64_perm");

/*
 * The get half of msgget/semget/shmget.  Finds key (never IPC_PRIVATE), or
 * creates with `make` when IPC_CREAT allows; `check` vets an existing
 * object against the call's size argument (0 or -EINVAL).  Returns the id
 * or -ENOENT, -EEXIST, -EACCES, -ENOSPC, -ENOMEM, or make's error.
 */
int ipc_get(struct ipc_ids *ids, int32_t key, int flg,
	    struct ipc_obj *(*make)(void *arg, long *err), int (*check)(struct ipc_obj *, void *arg),
	    void *arg);
/* The live object with this id, or NULL (-EINVAL to the caller). */
struct ipc_obj *ipc_lookup(struct ipc_ids *ids, int id);
/* Take o out of its table (IPC_RMID); the caller frees it unless waiters hold it. */
void ipc_remove(struct ipc_ids *ids, struct ipc_obj *o);
/* Linux's ipcperms(): flg's S_IRUGO/S_IWUGO bits allowed?  0 or -EACCES (root: CAP_IPC_OWNER). */
int ipc_perm_check(const struct kern_ipc_perm *p, int flg);
#define IPC_MAY_READ  0444
#define IPC_MAY_WRITE 0222
/* IPC_SET and IPC_RMID: the caller is the owner or creator, or root.  0 or -EPERM. */
int ipc_owner_check(const struct kern_ipc_perm *p);
void ipc_perm_to_user(const struct kern_ipc_perm *p, struct ipc64_perm_u *u);
/* IPC_SET: uid, gid and the mode's low 9 bits from the user's record. */
void ipc_perm_set(struct kern_ipc_perm *p, const struct ipc64_perm_u *u);
/* Zeroed memory of any size (slab up to KMALLOC_MAX, whole pages above); free with the same size. */
void *ipc_alloc(size_t size);
void ipc_free(void *p, size_t size);
/* Seconds since the epoch, for the *_time fields. */
int64_t ipc_now(void);
/* Highest slot in use (IPC_INFO's return value), -1 if none. */
int ipc_max_slot(const struct ipc_ids *ids);

/*
 * Park on q until woken, the deadline (ticks, 0 = none) or a signal.  The
 * caller registered nothing: this adds the waiter, re-checks nothing, and
 * relies on the caller having tested its condition in the same run on the
 * syscall cpu (no other handler can run in between).  Returns 0 woken,
 * -EAGAIN at the deadline, -EINTR for a signal, -EIDRM if o was removed.
 */
long ipc_wait(struct ipc_obj *o, struct waitq *q, uint64_t deadline);

/* The process ends: SEM_UNDO adjustments are applied (kernel/ipc/sem.c). */
struct proc;
void sem_undo_exit(struct proc *p);
/* Free a deleted object whose last waiter just left (per kind). */
struct mm;
/* shm attachments of an address space: copied by fork, dropped with the mm (kernel/ipc/shm.c). */
int shm_attach_clone(struct mm *dst, struct mm *src);
void shm_attach_release(struct mm *mm);
