/*
 * What the device tree tells duet about the machine.  Filled once by
 * platform_parse() on the boot hart, read-only afterwards.
 */
#pragma once
#include <stdint.h>
#include "kernel/param.h"

struct mem_range { uint64_t base, size; };

struct hart_info {
	uint32_t hartid;
	uint8_t has_mmu;		/* mmu-type present and not "riscv,none" */
	uint8_t okay;			/* status is "okay" (or absent) */
	int8_t plic_ctx;		/* PLIC S-mode context, -1 if none */
	char isa[64];
};

struct uart_info {
	const char *compat;		/* "ns16550a", "sifive,uart0", or NULL */
	uint64_t base, size;
	uint32_t irq, clock, reg_shift, reg_io_width;
};

struct platform {
	const void *dtb;		/* kernel virtual address of the blob */
	uint64_t dtb_pa, dtb_size;
	char model[64];
	int nmem;
	struct mem_range mem[MEM_REGIONS_MAX];
	int nresv;
	struct mem_range resv[RESV_REGIONS_MAX];
	int nharts;
	struct hart_info harts[NHART_MAX];
	uint64_t timebase;
	struct uart_info uart;
	uint64_t plic_base, plic_size;
	uint32_t plic_ndev;
	uint64_t clint_base, clint_size;
	uint64_t sswi_base;		/* ACLINT S-mode software interrupt device, 0 if none */
	uint64_t finisher_base;		/* sifive,test0 syscon, 0 if none */
	char bootargs[BOOTARGS_MAX];
	uint64_t initrd_start, initrd_end;
	uint64_t rtc_base;		/* google,goldfish-rtc, 0 if none */
	const uint8_t *rng_seed;	/* /chosen/rng-seed in the blob, NULL if none */
	int rng_seed_len;
};

extern struct platform plat;

/* Parse `dtb` (already mapped) into *p; 0 on success, -1 if it is not a DTB. */
int platform_parse(struct platform *p, const void *dtb);
