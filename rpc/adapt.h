/*
 * rpc/adapt.h - spin windows that adapt to the host (docs/ADAPTIVE_POLL.md).
 *
 * Both sides of the offload protocol spin for their peer before sleeping
 * (rpc/offload.c, the executor's idle window in sched/exec.c), because a
 * round trip through shared memory is ~100x shorter than an IPI.  That
 * bet assumes the peer's vCPU is running.  On a loaded host it often is
 * not: then the spinner burns the very host core the peer needs.
 *
 * So each cpu keeps what its recent waits took: an exponential average of
 * the polls before an answer (avg16, in 1/16ths, one shift per update).  A
 * wait spins at most ADAPT_MIN + 8x that average (never more than the
 * static budget); past it the peer is late ("descheduled"): stop spinning,
 * sleep on the IPI path (park; the executor then skips its own idle spin
 * and goes to wfi, which lets QEMU's vCPU thread sleep).  A late wait
 * feeds the average with the window it spun (the answer took at least
 * that): were only answers within the window counted, the average would
 * see only the quick ones and the window would shrink itself to nothing
 * on a busy host.  So windows stay long while answers are slow, and an
 * occasional descheduled peer on a quiet host costs one short window, not
 * the whole budget plus the executor's idle window.
 *
 * State is per cpu and touched by that cpu only: no atomics.
 * Off by default (rpc/adapt.c says why); adapt=1 on the command line turns it on.
 */
#ifndef DUET_RPC_ADAPT_H
#define DUET_RPC_ADAPT_H

#include <stdint.h>
#include "kernel/param.h"

/* polls always allowed: a quiet round trip is ~100-200 empty polls here */
#define ADAPT_MIN 512

struct poll_adapt {
	unsigned avg16;		/* polls to an answer, exponential average x16 */
	int late;		/* the last wait gave up: skip the idle spin too */
	uint64_t hits;		/* waits answered within the window */
	uint64_t giveups;	/* waits whose window ran out */
	uint64_t skips;		/* spin windows skipped (the wait's, the executor's idle one) */
} __attribute__((aligned(64)));

extern struct poll_adapt poll_adapt[NCPU];
extern int adapt_on;

/* the spin window for a wait on cpu: at most budget polls */
static inline unsigned adapt_window(int cpu, unsigned budget)
{
	if (!adapt_on)
		return budget;
	unsigned w = ADAPT_MIN + (poll_adapt[cpu].avg16 >> 1);	/* 8 x average */
	return w < budget ? w : budget;
}

/* an answer after polls empty polls */
static inline void adapt_hit(int cpu, unsigned polls)
{
	struct poll_adapt *a = &poll_adapt[cpu];
	a->avg16 += polls - (a->avg16 >> 4);	/* avg = 15/16 avg + 1/16 polls */
	a->late = 0;
	a->hits++;
}

/* a window of `window` polls ran out: sleep instead */
static inline void adapt_giveup(int cpu, unsigned window)
{
	struct poll_adapt *a = &poll_adapt[cpu];
	a->avg16 += window - (a->avg16 >> 4);	/* censored: it took at least that */
	a->late = 1;
	a->giveups++;
}

/* a spin window (offload_wait's, the executor's idle one): skip it while the peer is late */
static inline int adapt_skip_idle_spin(int cpu)
{
	if (!adapt_on || !poll_adapt[cpu].late)
		return 0;
	poll_adapt[cpu].skips++;
	return 1;
}

int adapt_format(char *buf, int n);

#endif /* DUET_RPC_ADAPT_H */
