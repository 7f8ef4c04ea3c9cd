/* Subsystems above the hardware, and each cpu's role loop. */
#include "kernel/kmain.h"
#include "kernel/cpu.h"
#include "kernel/cmdline.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "kernel/trap.h"

void kernel_init(void)
{
}

_Noreturn void role_main(struct cpu *c)
{
	if (cmdline.selftest && c->id == 0) {
		/* let every cpu print its role line before the check */
		for (int i = 1; i < ncpu; i++)
			while (!atomic_load(&cpus[i].online))
				;
		system_halt(selftest_run());
	}
	for (;;)
		wfi();
}

void user_trap(struct trapframe *tf)
{
	panic("user trap before user mode exists (scause %lx)", tf->scause);
}
