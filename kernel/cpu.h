/*
 * Per-cpu state.  `tp` holds this cpu's struct cpu while in the kernel
 * (user tp is saved in the trap frame).  Logical ids go to the MMU-capable
 * harts in DTB order: 0 = client, 1 = server, more = parked for now.
 */
#pragma once
#include <stdint.h>
#include <stdatomic.h>
#include "kernel/param.h"
#include "arch/riscv/riscv.h"

enum cpu_role { ROLE_NONE, ROLE_CLIENT, ROLE_SERVER, ROLE_LOCAL, ROLE_PARKED };

/* Callee-saved registers kept across swtch(); layout fixed by arch/riscv/switch.S. */
struct context {
	uint64_t ra, sp;
	uint64_t s[12];
};

struct thread;
struct executor;

struct cpu {
	int id;				/* logical cpu */
	uint32_t hartid;
	enum cpu_role role;
	int noff, intena;		/* push_off nesting; written by this cpu only */
	uint64_t stack_lo, stack_hi;	/* the scheduler stack (guarded) */
	struct thread *cur;		/* running kernel thread, NULL in the scheduler */
	volatile uint64_t run_since;	/* when cur was switched in (ptimer.c's cpu clocks read it) */
	struct context sched_ctx;
	struct executor *exec;
	atomic_uint_fast64_t ipi_pending;	/* IPI reason bits, set by senders */
	atomic_int online;
	uint64_t next_tick;		/* next preemption tick (client) */
	int tick_expired;		/* the tick fired: round robin at the next trap exit */
	int offload_armed;		/* offload_user_enter set need_wakeup for user mode */
	/* counters, written by this cpu only */
	uint64_t ipis_sent, ipis_recv, timer_irqs, ext_irqs;
	uint64_t idle_ticks, wfi_count;
} __attribute__((aligned(64)));	/* no cache line shared by two cpus' hot fields */

extern struct cpu cpus[NCPU];
extern int ncpu;			/* logical cpus with a role */
extern int offload;			/* 1: syscalls run on the server cpu */

static inline struct cpu *mycpu(void) { return (struct cpu *)r_tp(); }
static inline int cpuid(void) { struct cpu *c = mycpu(); return c ? c->id : -1; }
const char *cpu_role_name(enum cpu_role r);
