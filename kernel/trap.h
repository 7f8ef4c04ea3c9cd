/* Trap frames and the trap entry points. */
#pragma once

#define TF_SEPC    256
#define TF_SSTATUS 264
#define TF_SCAUSE  272
#define TF_STVAL   280
#define TF_KTP     288
#define TF_SIZE    304

#ifndef __ASSEMBLER__
#include <stdint.h>

/*
 * Saved by arch/riscv/trap.S.  x[i] is register xi (x[0] unused).  For a
 * trap from user mode the frame sits at the top of the thread's kernel stack
 * and sscratch points at it while the thread runs in user mode.
 */
struct trapframe {
	uint64_t x[32];
	uint64_t sepc, sstatus, scause, stval;
	uint64_t ktp;		/* kernel tp (struct cpu *) to load on entry from user */
	uint64_t pad;
};

_Static_assert(__builtin_offsetof(struct trapframe, sepc) == TF_SEPC, "trap.S layout");
_Static_assert(__builtin_offsetof(struct trapframe, ktp) == TF_KTP, "trap.S layout");
_Static_assert(sizeof(struct trapframe) == TF_SIZE, "trap.S layout");

#define REG_RA 1
#define REG_SP 2
#define REG_TP 4
#define REG_A0 10
#define REG_A7 17

void trap_init_hart(void);
void kernel_trap(struct trapframe *tf);
void user_trap(struct trapframe *tf);
_Noreturn void user_return(struct trapframe *tf);	/* trap.S: sret to user mode */
void backtrace(uint64_t fp);
const char *ksym_lookup(uint64_t addr, uint64_t *off);

/* IPI reasons (bits of cpu->ipi_pending). */
#define IPI_WAKE     (1UL << 0)	/* work was published for you: re-check rings/wakers */
#define IPI_PING     (1UL << 1)	/* self-check request */
#define IPI_PONG     (1UL << 2)	/* self-check answer */
#define IPI_HALT     (1UL << 3)
#define IPI_SPIN     (1UL << 4)	/* self-check: echo a shared counter until told to stop */
#define IPI_TLB      (1UL << 5)	/* a mapping of the mm in your satp went: mm_flush_stale */
void ipi_send(int cpu, uint64_t reason);

_Noreturn void system_halt(int status);
#endif
