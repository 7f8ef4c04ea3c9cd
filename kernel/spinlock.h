/*
 * Spinlocks for the few places two harts really share a structure (console,
 * page allocator, a process's memory map).  Taking one disables interrupts
 * on this hart (nested, as in xv6) so an interrupt handler on the same hart
 * cannot deadlock against the holder.  Never held across a context switch.
 */
#pragma once
#include <stdatomic.h>
#include <stdint.h>

struct spinlock {
	atomic_int locked;
	int cpu;		/* holder's logical cpu, for the loud checks */
	const char *name;
};

#define SPINLOCK_INIT(n) { 0, -1, (n) }

#ifdef HOST
static inline void spin_init(struct spinlock *l, const char *n) { l->locked = 0; l->name = n; }
static inline void spin_lock(struct spinlock *l) { (void)l; }
static inline void spin_unlock(struct spinlock *l) { (void)l; }
static inline int spin_holding(struct spinlock *l) { (void)l; return 1; }
#else
void spin_init(struct spinlock *l, const char *name);
void spin_lock(struct spinlock *l);
void spin_unlock(struct spinlock *l);
int spin_holding(struct spinlock *l);
/* Interrupt disable nesting (xv6's push_off/pop_off). */
void push_off(void);
void pop_off(void);
#endif
