/* Per-cpu timer: one SBI (or Sstc) deadline serving sleepers and the tick. */
#pragma once
#include <stdint.h>

void timer_init_hart(void);
void timer_interrupt(void);
uint64_t time_now(void);		/* timebase ticks */
uint64_t time_ns(void);
uint64_t ns_to_ticks(uint64_t ns);
uint64_t ticks_to_ns(uint64_t t);
/* Ask for an interrupt at or before `when` (ticks); this cpu only. */
void timer_arm(uint64_t when);
