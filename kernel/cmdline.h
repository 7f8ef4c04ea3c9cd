/* Kernel command line (DTB /chosen/bootargs), parsed once at boot. */
#pragma once
#include "kernel/param.h"

#define INIT_ARGS_MAX 16

struct cmdline {
	int offload;		/* offload=0|1 (default 1) */
	int selftest;		/* selftest=1: IPI self-check, then power off */
	int floor;		/* floor=1: measure the shared-memory round trip before init */
	int selftest_fail;	/* selftest_fail=1: test-only, the server drops a reply */
	int clients;		/* clients=N: client cpus (default 1; the rest stay parked) */
	int no_sstc;
	int latency;		/* latency=1: time each offloaded call's phases */		/* sstc=0: use SBI set_timer even if the hart has Sstc */
	int crash_test;		/* crash_test=N: test-only, a kernel load fault on cpu N-1 */
	int loglevel;
	unsigned poll_us;	/* poll_us=N: busy-poll window before sleeping (default 50) */		/* loglevel=error|warn|info|debug|trace */
	char init[64];		/* init=/path */
	int init_argc;		/* words after "--" */
	char *init_argv[INIT_ARGS_MAX];
	char buf[BOOTARGS_MAX];
};

extern struct cmdline cmdline;
void cmdline_parse(const char *bootargs);
