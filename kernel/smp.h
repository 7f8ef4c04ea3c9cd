#pragma once
#include <stdint.h>
struct cpu;
struct cpu *smp_assign(uint32_t boot_hartid);
int smp_alloc_stacks(void);
void smp_start_others(void (*entry)(void));
void selftest_ipi(uint64_t why);
int selftest_run(void);
/* The floor under any offloaded call: print a bare shared-memory round trip
 * with cpu 1 (which answers from its IPI handler); client cpu 0 only. */
void selftest_floor(void);
