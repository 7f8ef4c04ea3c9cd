/*
 * latency=1: where the time of one system call goes, phase by phase.
 *
 * Stamps come from the cycle CSR: under QEMU without -icount it reads the
 * host's time-stamp counter, which is fine-grained (the time CSR ticks at
 * 10 MHz, 100 ns) and the same on both vCPU threads, so a stamp taken on
 * one hart can be subtracted from one taken on the other.  Each stamp is a
 * CSR read (a QEMU helper call, tens of ns), so phases are inflated a
 * little; compare them with each other, and the totals with `make bench`.
 */
#pragma once
#include <stdint.h>
#include "arch/riscv/riscv.h"

extern int latency_on;
static inline uint64_t lat_stamp(void) { return csr_read(cycle); }
void latency_init(void);		/* boot cpu: calibrate cycles against time */
uint64_t lat_to_ns(uint64_t cycles);
