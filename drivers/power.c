/*
 * Power off with an exit status.  QEMU virt's sifive,test0 finisher gives
 * QEMU a real exit code; SBI SRST shutdown always makes QEMU exit 0, so it
 * is only the fallback; with neither (QEMU sifive_u) we say so and halt.
 */
#include "kernel/trap.h"
#include "kernel/cpu.h"
#include "kernel/platform.h"
#include "kernel/memlayout.h"
#include "kernel/printk.h"
#include "arch/riscv/sbi.h"

#define FINISHER_FAIL 0x3333
#define FINISHER_PASS 0x5555

static void halt_others(void)
{
	for (int i = 0; i < ncpu; i++)
		if (&cpus[i] != mycpu() && atomic_load(&cpus[i].online))
			ipi_send(i, IPI_HALT);
}

_Noreturn void system_halt(int status)
{
	intr_off();
	halt_others();
	if (plat.finisher_base) {
		volatile uint32_t *fin = PA2VA(plat.finisher_base);
		*fin = status ? FINISHER_FAIL | (uint32_t)(status & 0xffff) << 16 : FINISHER_PASS;
	}
	sbi_system_reset(SBI_SRST_SHUTDOWN, status ? SBI_SRST_REASON_FAIL : SBI_SRST_REASON_NONE);
	kprintf("duet: no shutdown device; halted with status %d\n", status);
	for (;;)
		wfi();
}
