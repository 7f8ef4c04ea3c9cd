/* Every tunable of duet in one place. */
#pragma once

#define NCPU            8       /* logical cpus we track (harts beyond are parked) */
#define NHART_MAX       16      /* harts listed in a device tree */
#define PGSIZE          4096UL
#define PGSHIFT         12
#define KSTACK_PAGES    4       /* 16 KiB kernel stacks, plus one guard page */
#define KSTACK_SIZE     (KSTACK_PAGES * PGSIZE)
#define MEM_REGIONS_MAX 8
#define RESV_REGIONS_MAX 16
#define BOOTARGS_MAX    256
#define PRINTK_LINE_MAX 256
#define DMESG_SIZE      (64 * 1024)  /* kernel log ring kept for dmesg */
#define SELFTEST_IPIS   1000    /* round trips in the boot self-check */
#define TICK_HZ         100     /* user-mode preemption tick */

/*
 * Set at boot, then only read, by both harts on every call: kept together on
 * cache lines that nothing writes later (linker.ld pads the section), so a
 * write to a neighbouring variable never pulls them away from the other hart.
 */
#define __read_mostly __attribute__((section(".data.read_mostly")))

/*
 * Code run on every system call, kept together at the start of .text, one
 * page for the trap and client side, one for the server's worker: under
 * QEMU a jump into another 4 KiB page is never chained to its target, it
 * costs a translation-block lookup, so the path should span few pages; and
 * grouped, its layout no longer shifts with every change elsewhere (which
 * moved the null syscall by up to 20% between builds).
 */
#define __hotpath __attribute__((section(".text.hotpath")))	/* trap, client */
#define __hotserver __attribute__((section(".text.hotserver")))	/* server worker */
