#include "kernel/stats.h"
#include "kernel/cpu.h"
#include "kernel/printk.h"
#include "kernel/platform.h"
#include "sched/thread.h"
#include "rpc/adapt.h"
#include "rpc/fallback.h"
#include "kernel/timer.h"
#include "kernel/latency.h"
#include <stdio.h>

struct stats stats_cpu[NCPU];

/* The counters of all cpus added up (a racy snapshot: they only grow). */
static struct stats stats_sum(void)
{
	struct stats t = { 0 };
	for (int i = 0; i < NCPU; i++) {
		const uint64_t *src = (const uint64_t *)&stats_cpu[i];
		uint64_t *dst = (uint64_t *)&t;
		for (unsigned k = 0; k < sizeof t / 8; k++)
			dst[k] += src[k];
	}
	return t;
}

int stats_format(char *buf, int n)
{
	struct stats stats = stats_sum();
	/* a request a worker took inline is a batch of one */
	stats.sq_reqs += stats.inline_reqs;
	stats.sq_batches += stats.inline_reqs;
	int len = 0;
	for (int i = 0; i < ncpu && len < n; i++) {
		struct exec_stats *e = &exec_stats[i];
		len += snprintf(buf + len, (size_t)(n - len),
				"cpu%d %s: syscalls %lu served %lu ipis_sent %lu ipis_recv %lu "
				"switches %lu parks %lu kicks %lu wfi %lu poll_hits %lu idle_ms %lu\n",
				i, cpu_role_name(cpus[i].role), stats_cpu[i].syscalls, stats_cpu[i].served,
				cpus[i].ipis_sent, cpus[i].ipis_recv, e->switches, e->parks, e->kicks,
				e->wfi, e->poll_hits, e->idle_ticks * 1000 / plat.timebase);
	}
	if (len < n)
		len += snprintf(buf + len, (size_t)(n - len),
				"rings: sq %lu reqs in %lu batches (avg %lu.%02lu), cq %lu in %lu batches, "
				"inline %lu, sq_full %lu cq_full %lu, kicks to server %lu to client %lu, "
				"fast path %lu answered %lu returned\n",
				stats.sq_reqs, stats.sq_batches,
				stats.sq_batches ? stats.sq_reqs / stats.sq_batches : 0,
				stats.sq_batches ? stats.sq_reqs * 100 / stats.sq_batches % 100 : 0,
				stats.cq_reqs, stats.cq_batches, stats.inline_reqs, stats.sq_full, stats.cq_full,
				stats.kicks_to_server, stats.kicks_to_client, stats.fast_done,
				stats.fast_returns);
	if (len < n)
		len += snprintf(buf + len, (size_t)(n - len),
				"fallback%s: inplace %lu reclaims %lu lost %lu to_local %lu to_offload %lu "
				"probes %lu wakes %lu skipped %lu\n",
				fallback_on ? "" : " (off)", stats.fb_inplace, stats.fb_reclaims,
				stats.fb_lost, stats.fb_to_local, stats.fb_to_offload, stats.fb_probes,
				stats.fb_wakes, stats.fb_skipped);
	if (len < n && stats.lat_calls) {
		uint64_t c = stats.lat_calls;
		len += snprintf(buf + len, (size_t)(n - len),
				"latency (avg ns per call, latency=1): trap->submit %lu, ring to server %lu, "
				"handler %lu, ring to client %lu, result->sret %lu\n",
				lat_to_ns(stats.lat_pre) / c, lat_to_ns(stats.lat_sq) / c,
				lat_to_ns(stats.lat_serve) / c, lat_to_ns(stats.lat_cq) / c,
				lat_to_ns(stats.lat_post) / c);
	}
	if (len < n)
		len += adapt_format(buf + len, n - len);
	return len;
}

void stats_print(void)
{
	char buf[2048];
	int n = stats_format(buf, sizeof buf);
	if (log_level >= LOG_INFO)
		kputs(buf, (unsigned long)n);
}
