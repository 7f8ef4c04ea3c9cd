/*
 * rpc/fallback.h - in-place fallback (docs/FALLBACK.md): when the server
 * does not take a request within what recent round trips predict, its
 * vCPU is probably descheduled by the host; the client takes the request
 * back (rpc/claim.h) and runs the call itself, as offload=0 would, if the
 * call is one that may run on any hart (syscall_runs_anywhere).
 *
 * Two modes per client, with hysteresis:
 *   OFFLOAD  every call goes to the server; a call of the safe class whose
 *            request is not answered within `window` polls is reclaimed and
 *            run here, and the client switches to LOCAL.
 *   LOCAL    calls of the safe class run here without a request; every
 *            `gap`-th one is a probe instead: if the server sleeps (its
 *            need_wakeup is set) the probe only wakes it with an IPI and the
 *            next calls look for it awake; an awake server gets the probe as
 *            a request with the same window.  FB_PROBE_OKS answers in time in
 *            a row switch back to OFFLOAD; a late probe is reclaimed and
 *            doubles the gap (up to FB_GAP_MAX), so a host that keeps
 *            descheduling the server costs one window every few thousand
 *            calls.  Back in OFFLOAD the gap is halved, not reset, so a host
 *            that flips often is probed less often.
 *   Calls outside the safe class always go to the server, in either mode.
 *
 * State: per client cpu, touched by that cpu only, with interrupts off: no
 * atomics.  Counters in struct stats (kernel/stats.h): fb_inplace,
 * fb_reclaims, fb_lost, fb_to_local, fb_to_offload, fb_probes, fb_wakes
 * (client) and fb_skipped (server).
 */
#ifndef DUET_RPC_FALLBACK_H
#define DUET_RPC_FALLBACK_H

#include <stdint.h>

#define FB_MIN       256        /* polls always allowed: a quiet round trip is ~100-400 */
#define FB_AVG_START 256        /* the average before any answer */
#define FB_GAP_MIN   16         /* LOCAL: safe calls between probes, at first */
#define FB_GAP_MAX   4096
#define FB_PROBE_OKS 4          /* answers in time in a row to go back to OFFLOAD */
#define FB_WAKE_US   5000       /* LOCAL: how long to look for the server awake after a wake */

struct fallback {
	unsigned avg16;		/* polls to an answer, exponential average x16 */
	int local;		/* LOCAL mode */
	unsigned gap;		/* LOCAL: safe calls between probes */
	unsigned until;		/* LOCAL: safe calls left before the next probe */
	unsigned oks;		/* LOCAL: probes answered in time in a row */
	unsigned waking;	/* LOCAL: we woke the server and look for it awake (calls since, + 1) */
	uint64_t wake_until;	/* ... until this time */
};

extern int fallback_on;

/* polls to wait for an answer before reclaiming: at most budget */
static inline unsigned fallback_window(const struct fallback *f, unsigned budget)
{
	unsigned w = FB_MIN + (f->avg16 >> 2);	/* 4 x average */
	return w < budget ? w : budget;
}

/* an answer after polls polls, in time */
static inline void fallback_answered(struct fallback *f, unsigned polls)
{
	f->avg16 += polls - (f->avg16 >> 4);	/* avg = 15/16 avg + 1/16 polls */
}

#endif /* DUET_RPC_FALLBACK_H */
