/*
 * futex(2): WAIT, WAKE, REQUEUE, CMP_REQUEUE, WAKE_OP, WAIT_BITSET,
 * WAKE_BITSET; robust lists.  See kernel/futex.h.
 *
 * Waiters live on their own (coroutine) stacks and sit on one of
 * FUTEX_HASH lists.  Every futex call runs on the syscall cpu, but the
 * lists take a lock anyway so that nothing here depends on that: the lock
 * is never held across a park, and a waker reads the waiter's thread
 * before it sets `woken` (the waiter may return, and its stack frame end,
 * as soon as it sees it).
 */
#include "kernel/futex.h"
#include "kernel/proc.h"
#include "kernel/signal.h"
#include "kernel/thread_group.h"
#include "kernel/errno.h"
#include "kernel/timer.h"
#include "kernel/spinlock.h"
#include "syscall/sys.h"

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_LOCK_PI 6
#define FUTEX_UNLOCK_PI 7
#define FUTEX_TRYLOCK_PI 8
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_BITSET_ALL 0xffffffffu

#define FUTEX_HASH 64
#define FUTEX_WAITERS 0x80000000u
#define FUTEX_OWNER_DIED 0x40000000u
#define FUTEX_TID_MASK 0x3fffffffu

/*
 * What waiters meet on.  A private futex (FUTEX_PRIVATE_FLAG, or any futex
 * in memory private to the process) is (mm, user address): no page-table
 * walk, as before.  A shared futex in a page that several address spaces
 * map (MAP_SHARED anonymous memory, System V shm: PTE_SHARED pages) is
 * (&shared_space, physical address), so waiters in different processes,
 * at whatever address each maps the page, meet (Linux keys these by the
 * shared object and offset; the page is the object here, as it never
 * moves while mapped).
 */
struct futex_key {
	const void *obj;
	uint64_t addr;
};
static const char shared_space;

static int key_eq(const struct futex_key *a, const struct futex_key *b)
{
	return a->obj == b->obj && a->addr == b->addr;
}

struct futex_waiter {
	struct thread *t;
	struct futex_key key;
	uint32_t bitset;
	volatile int woken;		/* set under the lock, read by the waiter after a wake */
	struct futex_waiter *next;
};

static struct futex_waiter *buckets[FUTEX_HASH];
static struct spinlock futex_lock;

static struct futex_waiter **bucket(const struct futex_key *k)
{
	uint64_t h = ((uint64_t)k->obj >> 6) ^ (k->addr >> 2);
	h ^= h >> 17;
	return &buckets[h % FUTEX_HASH];
}

static void enqueue(struct futex_waiter *w)
{
	struct futex_waiter **b = bucket(&w->key);
	w->next = *b;
	*b = w;
}

/* Caller holds futex_lock.  0 if w was not queued (a waker took it). */
static int dequeue(struct futex_waiter *w)
{
	for (struct futex_waiter **pp = bucket(&w->key); *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			return 1;
		}
	return 0;
}

/*
 * Wake up to n waiters on the key whose bitset meets `bitset`, then move
 * up to `requeue` more onto key2.  Returns woken + requeued.
 */
static int wake_requeue(const struct futex_key *key, int n, uint32_t bitset,
			const struct futex_key *key2, int requeue)
{
	int done = 0, moved = 0;
	spin_lock(&futex_lock);
	struct futex_waiter **pp = bucket(key), *moving = NULL;
	while (*pp) {
		struct futex_waiter *w = *pp;
		if (!key_eq(&w->key, key) || !(w->bitset & bitset)) {
			pp = &w->next;
			continue;
		}
		if (done < n) {
			*pp = w->next;
			struct thread *t = w->t;	/* read before `woken`: the frame may go after it */
			w->woken = 1;
			thread_wake(t);		/* any context: a bit and maybe an IPI */
			done++;
		} else if (moved < requeue) {
			*pp = w->next;
			w->next = moving;
			moving = w;
			moved++;
		} else {
			break;
		}
	}
	while (moving) {
		struct futex_waiter *w = moving;
		moving = w->next;
		w->key = *key2;
		enqueue(w);
	}
	spin_unlock(&futex_lock);
	return done + moved;
}

/* FUTEX_WAKE and WAKE_OP wake one even when asked for 0 (Linux counts after waking) */
static int at_least_one(int n) { return n > 0 ? n : 1; }

/*
 * The key of the futex word at uaddr.  A private one needs no walk; a
 * shared one looks at the page (faulting it in through a read first, as
 * Linux's get_user_pages does) and is physical only if the page is shared.
 */
static long futex_key(struct mm *mm, uint64_t uaddr, int op, struct futex_key *k)
{
	k->obj = mm;
	k->addr = uaddr;
	if (op & FUTEX_PRIVATE_FLAG)
		return 0;
	uint64_t pa;
	int shared;
	uint32_t probe;
	if (uvm_page_lookup(mm, uaddr, &pa, &shared) != 0 &&
	    (copy_from_user(mm, &probe, uaddr, sizeof probe) || uvm_page_lookup(mm, uaddr, &pa, &shared)))
		return -EFAULT;
	if (shared) {
		k->obj = &shared_space;
		k->addr = pa;
	}
	return 0;
}

/* clear_child_tid and robust lists: a shared wake, as Linux's mm_release does */
int futex_wake_addr(struct mm *mm, uint64_t uaddr, int n)
{
	struct futex_key k;
	if (futex_key(mm, uaddr, 0, &k))
		return 0;
	return wake_requeue(&k, at_least_one(n), FUTEX_BITSET_ALL, NULL, 0);
}

/*
 * Park until woken, the monotonic deadline (ticks, 0 = none) or a signal.
 * Queued before the value is read: a waker that changes the value after
 * our read finds us on the list.
 */
static long futex_wait(struct mm *mm, uint64_t uaddr, const struct futex_key *key, uint32_t val,
		       uint64_t deadline, uint32_t bitset)
{
	struct futex_waiter w = { .t = current(), .key = *key, .bitset = bitset };
	spin_lock(&futex_lock);
	enqueue(&w);
	spin_unlock(&futex_lock);
	uint32_t cur;
	long r = copy_from_user(mm, &cur, uaddr, sizeof cur) ? -EFAULT : cur != val ? -EAGAIN : 0;
	while (r == 0 && !w.woken) {
		int expired = deadline ? thread_park_until(deadline) : (thread_park(), 0);
		if (w.woken)
			break;
		if (expired)
			r = -ETIMEDOUT;
		else if (signal_pending_now())
			r = -EINTR;
	}
	spin_lock(&futex_lock);
	int queued = dequeue(&w);
	spin_unlock(&futex_lock);
	/* a wake that raced with the timeout or the signal counts: Linux returns 0 then */
	return queued ? r : 0;
}

struct timespec_k { int64_t sec, nsec; };
uint64_t realtime_ns(void);

/* The timeout argument as an absolute monotonic deadline in ticks (0: none). */
static long futex_deadline(int cmd, int op, uint64_t uts, uint64_t *deadline)
{
	*deadline = 0;
	if (!uts)
		return 0;
	struct timespec_k ts;
	if (copy_from_user(curmm(), &ts, uts, sizeof ts))
		return -EFAULT;
	if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000L)
		return -EINVAL;
	uint64_t ns = (uint64_t)ts.sec * 1000000000UL + (uint64_t)ts.nsec, now = time_ns();
	if (cmd == FUTEX_WAIT)
		ns += now;			/* relative */
	else if (op & FUTEX_CLOCK_REALTIME)	/* absolute wall clock: the same instant, monotonic */
		ns = ns > realtime_ns() ? now + (ns - realtime_ns()) : now;
	*deadline = ns_to_ticks(ns);
	if (*deadline == 0)
		*deadline = 1;			/* 0 means none */
	return 0;
}

/* FUTEX_WAKE_OP's operation on the old value, and its comparison. */
static long wake_op_apply(uint32_t enc, uint32_t old, uint32_t *new)
{
	int op = (enc >> 28) & 7;
	int32_t oparg = ((int32_t)(enc << 8)) >> 20;	/* bits 12..23, signed */
	if ((enc >> 28) & 8)				/* FUTEX_OP_OPARG_SHIFT */
		oparg = 1 << (oparg & 31);
	switch (op) {
	case 0: *new = (uint32_t)oparg; break;		/* SET */
	case 1: *new = old + (uint32_t)oparg; break;	/* ADD */
	case 2: *new = old | (uint32_t)oparg; break;	/* OR */
	case 3: *new = old & ~(uint32_t)oparg; break;	/* ANDN */
	case 4: *new = old ^ (uint32_t)oparg; break;	/* XOR */
	default: return -ENOSYS;
	}
	return 0;
}

static long wake_op_cmp(uint32_t enc, uint32_t old)
{
	int32_t cmparg = ((int32_t)(enc << 20)) >> 20, o = (int32_t)old;
	switch ((enc >> 24) & 15) {
	case 0: return o == cmparg;
	case 1: return o != cmparg;
	case 2: return o < cmparg;
	case 3: return o <= cmparg;
	case 4: return o > cmparg;
	case 5: return o >= cmparg;
	default: return -ENOSYS;
	}
}

static long futex_wake_op(struct mm *mm, const struct futex_key *key, int n, uint64_t uaddr2,
			  const struct futex_key *key2, int n2, uint32_t enc)
{
	uint32_t old, new;
	if (wake_op_cmp(enc, 0) < 0)
		return -ENOSYS;
	/* a compare-and-swap loop: atomic against the other threads' atomics */
	long err = copy_from_user(mm, &old, uaddr2, sizeof old) ? -EFAULT : 0;
	for (uint32_t seen; !err; old = seen) {
		if ((err = wake_op_apply(enc, old, &new)) != 0)
			return err;
		if ((err = user_cmpxchg_u32(mm, uaddr2, old, new, &seen)) != 0 || seen == old)
			break;
	}
	if (err)
		return err;
	int woken = wake_requeue(key, at_least_one(n), FUTEX_BITSET_ALL, NULL, 0);
	if (wake_op_cmp(enc, old) > 0)
		woken += wake_requeue(key2, at_least_one(n2), FUTEX_BITSET_ALL, NULL, 0);
	return woken;
}

/* Anyone queued on key?  The new owner of a PI lock keeps FUTEX_WAITERS then. */
static int has_waiters(const struct futex_key *key)
{
	int any = 0;
	spin_lock(&futex_lock);
	for (struct futex_waiter *w = *bucket(key); w && !any; w = w->next)
		any = key_eq(&w->key, key);
	spin_unlock(&futex_lock);
	return any;
}

/*
 * Priority-inheritance locks without the inheritance (duet has no
 * priorities): the lock word protocol of LOCK_PI/TRYLOCK_PI/UNLOCK_PI, so
 * musl's PTHREAD_PRIO_INHERIT and robust PI mutexes work.  The owner's tid
 * is in the word; waiters set FUTEX_WAITERS and park; unlock clears the
 * word and wakes one, which takes the lock (keeping FUTEX_WAITERS if more
 * wait, and FUTEX_OWNER_DIED if its owner died).
 */
static long futex_lock_pi(struct mm *mm, uint64_t uaddr, const struct futex_key *key,
			  uint64_t deadline, int try)
{
	uint32_t tid = (uint32_t)curtask()->tid, val, seen;
	for (;;) {
		if (copy_from_user(mm, &val, uaddr, sizeof val))
			return -EFAULT;
		uint32_t owner = val & FUTEX_TID_MASK;
		if (owner == 0) {
			uint32_t mine = tid | (val & FUTEX_OWNER_DIED) |
					(has_waiters(key) ? FUTEX_WAITERS : 0);
			long err = user_cmpxchg_u32(mm, uaddr, val, mine, &seen);
			if (err)
				return err;
			if (seen == val)
				return 0;
			continue;
		}
		if (owner == tid)
			return -EDEADLK;
		if (try)
			return -EAGAIN;
		if (!task_by_tid((int)owner))
			return -ESRCH;		/* Linux: no such owner */
		if (!(val & FUTEX_WAITERS)) {
			long err = user_cmpxchg_u32(mm, uaddr, val, val | FUTEX_WAITERS, &seen);
			if (err)
				return err;
			if (seen != val)
				continue;
			val |= FUTEX_WAITERS;
		}
		long r = futex_wait(mm, uaddr, key, val, deadline, FUTEX_BITSET_ALL);
		if (r == -ETIMEDOUT || r == -EINTR || r == -EFAULT)
			return r;
		/* woken, or the word moved on (EAGAIN): try again */
	}
}

static long futex_unlock_pi(struct mm *mm, uint64_t uaddr, const struct futex_key *key)
{
	uint32_t tid = (uint32_t)curtask()->tid, val, seen;
	for (;;) {
		if (copy_from_user(mm, &val, uaddr, sizeof val))
			return -EFAULT;
		if ((val & FUTEX_TID_MASK) != tid)
			return -EPERM;
		long err = user_cmpxchg_u32(mm, uaddr, val, 0, &seen);
		if (err)
			return err;
		if (seen == val)
			break;
	}
	wake_requeue(key, 1, FUTEX_BITSET_ALL, NULL, 0);
	return 0;
}

SYSCALL(futex)
{
	uint64_t uaddr = a[0];
	int op = (int)a[1], cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
	uint32_t val = (uint32_t)a[2], val3 = (uint32_t)a[5];
	struct mm *mm = curmm();
	if ((op & FUTEX_CLOCK_REALTIME) && cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET)
		return -ENOSYS;
	if (uaddr & 3)
		return -EINVAL;
	struct futex_key key, key2;
	uint64_t deadline;
	long err;
	if ((err = futex_key(mm, uaddr, op, &key)) != 0)
		return err;
	switch (cmd) {
	case FUTEX_WAIT:
		val3 = FUTEX_BITSET_ALL;
		/* fall through */
	case FUTEX_WAIT_BITSET:
		if (!val3)
			return -EINVAL;
		if ((err = futex_deadline(cmd, op, a[3], &deadline)) != 0)
			return err;
		return futex_wait(mm, uaddr, &key, val, deadline, val3);
	case FUTEX_WAKE:
		val3 = FUTEX_BITSET_ALL;
		/* fall through */
	case FUTEX_WAKE_BITSET:
		if (!val3)
			return -EINVAL;
		return wake_requeue(&key, at_least_one((int)val), val3, NULL, 0);
	case FUTEX_CMP_REQUEUE:
	case FUTEX_REQUEUE:
		if ((int)val < 0 || (int)a[3] < 0 || (a[4] & 3))
			return -EINVAL;
		if ((err = futex_key(mm, a[4], op, &key2)) != 0)
			return err;
		if (cmd == FUTEX_CMP_REQUEUE) {
			uint32_t cur;
			if (copy_from_user(mm, &cur, uaddr, sizeof cur))
				return -EFAULT;
			if (cur != val3)
				return -EAGAIN;
		}
		return wake_requeue(&key, (int)val, FUTEX_BITSET_ALL, &key2, (int)a[3]);
	case FUTEX_WAKE_OP:
		if (a[4] & 3)
			return -EINVAL;
		if ((err = futex_key(mm, a[4], op, &key2)) != 0)
			return err;
		return futex_wake_op(mm, &key, (int)val, a[4], &key2, (int)a[3], val3);
	case FUTEX_LOCK_PI:
	case FUTEX_TRYLOCK_PI:
		/* LOCK_PI's timeout is absolute, on CLOCK_REALTIME */
		if ((err = futex_deadline(cmd, op | FUTEX_CLOCK_REALTIME, cmd == FUTEX_LOCK_PI ? a[3] : 0,
					  &deadline)) != 0)
			return err;
		return futex_lock_pi(mm, uaddr, &key, deadline, cmd == FUTEX_TRYLOCK_PI);
	case FUTEX_UNLOCK_PI:
		return futex_unlock_pi(mm, uaddr, &key);
	default:
		return -ENOSYS;
	}
}

/* ---- robust lists (Linux Documentation/locking/robust-futex-ABI) ---- */

#define ROBUST_LIST_LIMIT 2048

struct robust_list_head_k {
	uint64_t next;		/* struct robust_list { next } */
	int64_t futex_offset;
	uint64_t op_pending;
};

SYSCALL(set_robust_list)
{
	if (a[1] != sizeof(struct robust_list_head_k))
		return -EINVAL;
	curtask()->robust_list = a[0];
	curtask()->robust_len = a[1];
	return 0;
}

SYSCALL(get_robust_list)
{
	struct task *t = (int)a[0] ? task_by_tid((int)a[0]) : curtask();
	if (!t)
		return -ESRCH;
	uint64_t len = sizeof(struct robust_list_head_k);
	if (copy_to_user(curmm(), a[1], &t->robust_list, 8) || copy_to_user(curmm(), a[2], &len, 8))
		return -EFAULT;
	return 0;
}

/* The owner of the lock word at uaddr died: mark it and wake one waiter. */
static void futex_owner_died(struct task *t, uint64_t uaddr)
{
	struct mm *mm = t->proc->mm;
	uint32_t cur, seen;
	if (copy_from_user(mm, &cur, uaddr, sizeof cur))
		return;
	for (int tries = 0; tries < 64; tries++, cur = seen) {
		if ((cur & FUTEX_TID_MASK) != (uint32_t)t->tid)
			return;
		uint32_t mark = (cur & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
		if (user_cmpxchg_u32(mm, uaddr, cur, mark, &seen) != 0)
			return;
		if (seen == cur) {
			if (cur & FUTEX_WAITERS)
				futex_wake_addr(mm, uaddr, 1);
			return;
		}
	}
}

void robust_list_exit(struct task *t)
{
	struct mm *mm = t->proc->mm;
	struct robust_list_head_k h;
	uint64_t head = t->robust_list;
	t->robust_list = 0;
	if (!head || !mm || copy_from_user(mm, &h, head, sizeof h))
		return;
	/* bit 0 of an entry marks a PI futex: the same owner-died protocol here */
	uint64_t e = h.next & ~1UL, pending = h.op_pending & ~1UL;
	for (int n = 0; e && e != head && n < ROBUST_LIST_LIMIT; n++) {
		uint64_t next;
		if (copy_from_user(mm, &next, e, sizeof next))
			break;
		if (e != pending)
			futex_owner_died(t, e + (uint64_t)h.futex_offset);
		e = next & ~1UL;
	}
	if (pending)
		futex_owner_died(t, pending + (uint64_t)h.futex_offset);
}
