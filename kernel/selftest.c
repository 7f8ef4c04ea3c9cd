/*
 * Boot self-check (selftest=1): the client sends the server SELFTEST_IPIS
 * IPIs, the server answers each with one back; each round trip is timed in
 * timebase ticks.  selftest_fail=1 (test-only) makes the server drop one
 * answer, so the check must fail and the machine exit non-zero.
 */
#include "kernel/cpu.h"
#include "kernel/smp.h"
#include "kernel/trap.h"
#include "kernel/cmdline.h"
#include "kernel/platform.h"
#include "kernel/printk.h"
#include <stdlib.h>

static atomic_uint pongs;
static atomic_uint pings;
static uint64_t rtt[SELFTEST_IPIS];

/*
 * The floor under any offloaded call: a round trip through shared memory
 * alone, both harts spinning (no IPI, no ring).  ping is written by the
 * client only, pong by the server only.
 */
static _Alignas(64) atomic_uint ping;
static _Alignas(64) atomic_uint pong;
static atomic_int spin_echo_on;

/* Server, from its IPI handler: echo ping into pong until told to stop. */
static void spin_echo(void)
{
	unsigned seen = 0;
	while (atomic_load_explicit(&spin_echo_on, memory_order_acquire)) {
		unsigned v = atomic_load_explicit(&ping, memory_order_acquire);
		if (v != seen) {
			seen = v;
			/* release: pairs with the client's acquire load of pong */
			atomic_store_explicit(&pong, v, memory_order_release);
		}
	}
}

void selftest_floor(void)
{
	const unsigned n = 20000;
	atomic_store(&spin_echo_on, 1);
	ipi_send(1, IPI_SPIN);
	uint64_t t0 = r_time();
	for (unsigned i = 1; i <= n; i++) {
		atomic_store_explicit(&ping, i, memory_order_release);
		while (atomic_load_explicit(&pong, memory_order_acquire) != i)
			;
	}
	uint64_t t = r_time() - t0;
	atomic_store_explicit(&spin_echo_on, 0, memory_order_release);
	kprintf("selftest: shared-memory round trip (both harts spinning): %lu ns average over %u\n",
		(unsigned long)(t * 1000000000UL / plat.timebase / n), n);
}

void selftest_ipi(uint64_t why)
{
	if (why & IPI_SPIN)
		spin_echo();
	if (why & IPI_PING) {
		unsigned n = atomic_fetch_add(&pings, 1) + 1;
		if (cmdline.selftest_fail && n == SELFTEST_IPIS / 2)
			return;		/* injected fault: swallow one request */
		ipi_send(0, IPI_PONG);
	}
	if (why & IPI_PONG)
		atomic_fetch_add(&pongs, 1);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Runs on the client with interrupts on; returns 0 when every round trip came back. */
int selftest_run(void)
{
	if (ncpu < 2) {
		kprintf("selftest: single cpu, no IPI partner\nselftest: PASS\n");
		return 0;
	}
	unsigned answered = 0;
	uint64_t timeout = plat.timebase / 10;	/* 100 ms per round trip */
	for (unsigned i = 0; i < SELFTEST_IPIS; i++) {
		uint64_t t0 = r_time();
		ipi_send(1, IPI_PING);
		while (atomic_load(&pongs) == answered && r_time() - t0 < timeout)
			;
		rtt[i] = r_time() - t0;
		if (atomic_load(&pongs) == answered)
			continue;	/* lost: counted below */
		answered = atomic_load(&pongs);
	}
	qsort(rtt, SELFTEST_IPIS, sizeof rtt[0], cmp_u64);
	kprintf("selftest: %u IPIs sent, %u answered; round trip ticks min %lu median %lu max %lu (timebase %lu Hz)\n",
		SELFTEST_IPIS, answered, rtt[0], rtt[SELFTEST_IPIS / 2], rtt[SELFTEST_IPIS - 1],
		plat.timebase);
	selftest_floor();
	int ok = answered == SELFTEST_IPIS;
	kprintf("selftest: %s\n", ok ? "PASS" : "FAIL");
	return ok ? 0 : 1;
}
