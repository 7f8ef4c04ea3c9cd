#include "kernel/timer.h"
#include "kernel/cpu.h"
#include "kernel/platform.h"
#include "arch/riscv/sbi.h"
#include "kernel/cmdline.h"
#include "kernel/printk.h"
#include <string.h>

static uint64_t armed[NCPU];	/* per cpu: the deadline programmed now */
static int use_sstc[NCPU];	/* the hart has Sstc: program stimecmp directly */

/* stimecmp is CSR 0x14d; spelled by number since the kernel's -march lacks Sstc. */
static void set_deadline(uint64_t when)
{
	if (use_sstc[mycpu()->id])
		__asm__ volatile("csrw 0x14d, %0" :: "r"(when) : "memory");
	else
		sbi_set_timer(when);	/* an ecall into M-mode each time */
}

static int hart_has_sstc(uint32_t hartid)
{
	for (int i = 0; i < plat.nharts; i++)
		if (plat.harts[i].hartid == hartid)
			return strstr(plat.harts[i].isa, "_sstc") != NULL;
	return 0;
}

uint64_t time_now(void) { return r_time(); }
uint64_t ticks_to_ns(uint64_t t) { return t / plat.timebase * 1000000000UL + t % plat.timebase * 1000000000UL / plat.timebase; }
uint64_t ns_to_ticks(uint64_t ns) { return ns / 1000000000UL * plat.timebase + ns % 1000000000UL * plat.timebase / 1000000000UL; }
uint64_t time_ns(void) { return ticks_to_ns(r_time()); }

void timer_init_hart(void)
{
	struct cpu *c = mycpu();
	use_sstc[c->id] = hart_has_sstc(c->hartid) && !cmdline.no_sstc;
	armed[c->id] = ~0UL;
	set_deadline(~0UL);
	if (c->id == 0)
		pr_info("timer: %s\n", use_sstc[0] ? "Sstc (stimecmp)" : "SBI set_timer");
}


/* Reprogramming costs an SBI call (an M-mode trap): skip it if unchanged. */
void timer_arm(uint64_t when)
{
	struct cpu *c = mycpu();
	if (armed[c->id] == when)
		return;
	armed[c->id] = when;
	set_deadline(when);
}

__attribute__((weak)) void sched_timer_expired(void) {}

void timer_interrupt(void)
{
	armed[mycpu()->id] = ~0UL;
	set_deadline(~0UL);	/* clears STIP; the handler re-arms what it needs */
	sched_timer_expired();
}
