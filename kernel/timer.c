#include "kernel/timer.h"
#include "kernel/cpu.h"
#include "kernel/platform.h"
#include "arch/riscv/sbi.h"

static uint64_t armed[NCPU];	/* per cpu: the deadline programmed now */

uint64_t time_now(void) { return r_time(); }
uint64_t ticks_to_ns(uint64_t t) { return t / plat.timebase * 1000000000UL + t % plat.timebase * 1000000000UL / plat.timebase; }
uint64_t ns_to_ticks(uint64_t ns) { return ns / 1000000000UL * plat.timebase + ns % 1000000000UL * plat.timebase / 1000000000UL; }
uint64_t time_ns(void) { return ticks_to_ns(r_time()); }

void timer_init_hart(void)
{
	armed[mycpu()->id] = ~0UL;
	sbi_set_timer(~0UL);
}


/* Reprogramming costs an SBI call (an M-mode trap): skip it if unchanged. */
void timer_arm(uint64_t when)
{
	struct cpu *c = mycpu();
	if (armed[c->id] == when)
		return;
	armed[c->id] = when;
	sbi_set_timer(when);
}

__attribute__((weak)) void sched_timer_expired(void) {}

void timer_interrupt(void)
{
	armed[mycpu()->id] = ~0UL;
	sbi_set_timer(~0UL);	/* clears STIP; the handler re-arms what it needs */
	sched_timer_expired();
}
