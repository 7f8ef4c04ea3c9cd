/*
 * Trap dispatch for traps taken in S-mode (kernel code) and the interrupt
 * handlers both kinds of trap share.  An unexpected kernel exception is a
 * bug: print the frame and a symbolised backtrace, then halt the machine.
 */
#include "kernel/trap.h"
#include "kernel/cpu.h"
#include "kernel/printk.h"
#include "kernel/timer.h"
#include "kernel/uvm.h"
#include "drivers/plic.h"
#include "arch/riscv/sbi.h"
#include "kernel/smp.h"

extern char trap_vector[];

void trap_init_hart(void)
{
	csr_write(sscratch, 0);
	csr_write(stvec, (uint64_t)trap_vector);
	csr_set(sie, SIE_SSIE | SIE_STIE | SIE_SEIE);
}

void ipi_send(int cpu, uint64_t reason)
{
	struct cpu *c = &cpus[cpu];
	/*
	 * Coalesce as OpenSBI does: only the sender that turns the word
	 * non-zero sends the interrupt.  fetch_or is seq_cst: the caller's
	 * earlier publication (ring push, waker bit) is visible before the bit.
	 */
	if (atomic_fetch_or(&c->ipi_pending, reason) & reason)
		return;
	mycpu()->ipis_sent++;
	sbi_send_ipi(1, c->hartid);
}

static void ipi_interrupt(void)
{
	struct cpu *c = mycpu();
	/* clear SSIP before taking the word: a later send re-raises it */
	csr_clear(sip, SIP_SSIP);
	uint64_t why = atomic_exchange(&c->ipi_pending, 0);
	c->ipis_recv++;
	if (why & IPI_HALT)
		for (;;) {
			intr_off();
			wfi();
		}
	if (why & (IPI_PING | IPI_PONG | IPI_SPIN))
		selftest_ipi(why);
	if (why & IPI_TLB)
		mm_flush_stale();
	/* IPI_WAKE needs no action: the interrupted idle loop re-checks its work */
}

void interrupt_dispatch(uint64_t cause)
{
	switch (cause & ~CAUSE_INTR) {
	case IRQ_S_SOFT:
		ipi_interrupt();
		break;
	case IRQ_S_TIMER:
		mycpu()->timer_irqs++;
		timer_interrupt();
		break;
	case IRQ_S_EXT:
		mycpu()->ext_irqs++;
		plic_interrupt();
		break;
	default:
		pr_warn("trap: unexpected interrupt %lu\n", cause & ~CAUSE_INTR);
	}
}

static void dump_frame(const struct trapframe *tf)
{
	static const char *const names[32] = {
		"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0",
		"a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5",
		"s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6" };
	uint64_t off;
	const char *sym = ksym_lookup(tf->sepc, &off);
	pr_err("sepc %016lx (%s+0x%lx) scause %lx stval %016lx sstatus %lx\n",
	       tf->sepc, sym, off, tf->scause, tf->stval, tf->sstatus);
	sym = ksym_lookup(tf->x[REG_RA], &off);
	pr_err("called from ra %016lx (%s+0x%lx)\n", tf->x[REG_RA], sym, off);
	for (int i = 1; i < 32; i += 4)
		pr_err("%-4s %016lx %-4s %016lx %-4s %016lx %-4s %016lx\n",
		       names[i], tf->x[i], names[i + 1], tf->x[i + 1],
		       names[(i + 2) % 32], tf->x[(i + 2) % 32], names[(i + 3) % 32], tf->x[(i + 3) % 32]);
}

void kernel_trap(struct trapframe *tf)
{
	if (tf->scause & CAUSE_INTR) {
		interrupt_dispatch(tf->scause);
		return;
	}
	/* a user-access copy faulted: retry after a fix, or return -EFAULT */
	uint64_t resume;
	if (uaccess_fault(tf->sepc, tf->scause, tf->stval, &resume)) {
		tf->sepc = resume;
		return;
	}
	intr_off();
	pr_err("kernel exception on hart %u\n", mycpu() ? mycpu()->hartid : 0);
	dump_frame(tf);
	backtrace(tf->x[8]);
	panic("unexpected kernel exception %lu", tf->scause);
}

/*
 * Walk frame pointers (-fno-omit-frame-pointer): for a RISC-V frame, the
 * saved ra is at fp-8 and the caller's fp at fp-16.  Stop at a null fp or
 * one outside the kernel's address range.
 */
void backtrace(uint64_t fp)
{
	pr_err("backtrace:\n");
	for (int depth = 0; depth < 32; depth++) {
		if (fp < 0xffffffc000000000UL || (fp & 7))
			break;
		uint64_t ra = ((uint64_t *)fp)[-1];
		uint64_t off;
		const char *sym = ksym_lookup(ra, &off);
		pr_err("  #%d %016lx %s+0x%lx\n", depth, ra, sym, off);
		uint64_t next = ((uint64_t *)fp)[-2];
		if (next <= fp)
			break;	/* stacks grow down: callers sit higher */
		fp = next;
	}
}
