#include "kernel/spinlock.h"
#include "kernel/cpu.h"
#include "kernel/printk.h"
#include "arch/riscv/riscv.h"

void spin_init(struct spinlock *l, const char *name)
{
	atomic_store_explicit(&l->locked, 0, memory_order_relaxed);
	l->cpu = -1;
	l->name = name;
}

void push_off(void)
{
	uint64_t was = intr_off();
	struct cpu *c = mycpu();
	if (!c)
		return;
	if (c->noff == 0)
		c->intena = (int)was;
	c->noff++;
}

void pop_off(void)
{
	struct cpu *c = mycpu();
	if (!c)
		return;
	if (intr_enabled())
		panic("pop_off: interrupts on");
	if (c->noff < 1)
		panic("pop_off: unbalanced");
	if (--c->noff == 0 && c->intena)
		intr_on();
}

int spin_holding(struct spinlock *l)
{
	return atomic_load_explicit(&l->locked, memory_order_relaxed) &&
	       l->cpu == (mycpu() ? mycpu()->id : -1);
}

void spin_lock(struct spinlock *l)
{
	push_off();
	if (spin_holding(l))
		panic("spin_lock: %s already held by this cpu", l->name);
	/* acquire: the critical section cannot move above the exchange */
	while (atomic_exchange_explicit(&l->locked, 1, memory_order_acquire))
		while (atomic_load_explicit(&l->locked, memory_order_relaxed))
			;
	l->cpu = mycpu() ? mycpu()->id : -1;
}

void spin_unlock(struct spinlock *l)
{
	if (!spin_holding(l))
		panic("spin_unlock: %s not held", l->name);
	l->cpu = -1;
	/* release: pairs with the acquire exchange in spin_lock() */
	atomic_store_explicit(&l->locked, 0, memory_order_release);
	pop_off();
}
