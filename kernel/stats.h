/* Counters the kernel keeps; printed at poweroff with loglevel=info. */
#pragma once
#include <stdint.h>
#include "kernel/param.h"
#include "kernel/cpu.h"

/*
 * One block per cpu, each on its own cache lines, written by that cpu only:
 * a shared block written by both harts on every call would bounce a host
 * cache line between the two vCPU threads each time.
 */
struct stats {
	uint64_t syscalls;			/* syscalls completed that trapped on this cpu */
	uint64_t served;			/* syscall handlers this cpu ran */
	uint64_t sq_batches, sq_reqs;		/* server: executor's SQ drains and requests in them */
	uint64_t cq_batches, cq_reqs;		/* client: CQ drains and completions taken */
	uint64_t sq_full, cq_full;		/* back-pressure events */
	uint64_t inline_reqs;			/* server: taken one by one by a worker, no switch */
	/* latency=1 (kernel/latency.h): cycles summed per phase of a call */
	uint64_t lat_pre;		/* client: trap entry to submit (or to the local handler) */
	uint64_t lat_sq;		/* submit to the server's start (ring, wake-up) */
	uint64_t lat_serve;		/* the handler, on whichever cpu ran it */
	uint64_t lat_cq;		/* server's completion to the client taking it */
	uint64_t lat_post;		/* client: result taken to the sret back to user */
	uint64_t lat_calls;		/* client: calls stamped */
	uint64_t kicks_to_server, kicks_to_client;	/* IPIs the protocol needed */
	uint64_t fast_done, fast_returns;	/* client: answered within the fast poll; back to user directly */
	/* in-place fallback (rpc/fallback.h) */
	uint64_t fb_inplace;		/* client: calls run here instead of on the server */
	uint64_t fb_reclaims;		/* client: requests taken back before the server took them */
	uint64_t fb_lost;		/* client: reclaims the server beat (it took the request) */
	uint64_t fb_to_local, fb_to_offload;	/* client: mode switches */
	uint64_t fb_probes, fb_wakes;	/* client, LOCAL: probes sent; wake-ups sent instead */
	uint64_t fb_skipped;		/* server: reclaimed requests skipped */
} __attribute__((aligned(64)));
extern struct stats stats_cpu[NCPU];
#define STATS (stats_cpu[mycpu()->id])
void stats_print(void);
/* The counters as text (for /proc/duet later and the bench program). */
int stats_format(char *buf, int n);
