/*
 * The boot order.  The boot hart (whichever OpenSBI picked) arrives in
 * kmain() from head.S on the early page table; the others arrive in
 * secondary_main() once it has started them.
 */
#include "kernel/cpu.h"
#include "kernel/platform.h"
#include "kernel/cmdline.h"
#include "kernel/printk.h"
#include "kernel/memlayout.h"
#include "kernel/vm.h"
#include "kernel/uvm.h"
#include "kernel/smp.h"
#include "kernel/trap.h"
#include "kernel/timer.h"
#include "kernel/kmain.h"
#include "drivers/console.h"
#include "drivers/plic.h"
#include "arch/riscv/sbi.h"
#include <stddef.h>

struct platform plat __read_mostly;
void call_on_stack(uint64_t top, void (*fn)(void *), void *arg) __attribute__((noreturn));

static void cpu_init_hart(void)
{
	trap_init_hart();	/* stvec, sscratch = 0, interrupt enables */
	plic_init_hart();	/* this hart's PLIC context */
	timer_init_hart();	/* no deadline yet */
}

static _Noreturn void cpu_main(void *arg)
{
	(void)arg;
	struct cpu *c = mycpu();
	cpu_init_hart();
	kprintf("duet: cpu %d hart %u role %s\n", c->id, c->hartid, cpu_role_name(c->role));
	intr_on();
	/* seq_cst: our trap and PLIC set-up is visible before others count us online */
	atomic_store(&c->online, 1);
	role_main(c);
}

static void secondary_main(void)
{
	call_on_stack(mycpu()->stack_hi, cpu_main, NULL);
}

void kmain(uint64_t hartid, uint64_t dtb_pa)
{
	if (platform_parse(&plat, PA2VA(dtb_pa)) != 0)
		for (;;)
			wfi();		/* no DTB: nothing to print to */
	plat.dtb_pa = dtb_pa;
	console_init();			/* the UART from stdout-path */
	cmdline_parse(plat.bootargs);	/* loglevel=, offload=, init=, ... */
	kprintf("\nduet: booting on hart %lu, %s\n", hartid, plat.model);
	sbi_init();			/* probe TIME, IPI, HSM, SRST */
	mm_init();			/* page pool, kmalloc, kernel page table */
	uvm_init();			/* the zero page behind untouched user memory */
	struct cpu *boot = smp_assign((uint32_t)hartid);	/* logical ids and roles */
	if (!boot || smp_alloc_stacks() != 0)
		panic("boot hart %lu has no role or no stack", hartid);
	__asm__ volatile("mv tp, %0" :: "r"(boot));
	plic_init();			/* all device priorities off */
	kernel_init();			/* subsystems above the hardware */
	smp_start_others(secondary_main);	/* HSM start, wait for each to come online */
	call_on_stack(boot->stack_hi, cpu_main, NULL);	/* move to the guarded stack */
}
