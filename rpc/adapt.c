/* rpc/adapt.c - the adaptive spin windows' state and counters (rpc/adapt.h). */
#include "rpc/adapt.h"
#include "kernel/cmdline.h"
#include "kernel/cpu.h"
#include "kernel/printk.h"
#include <stdio.h>

struct poll_adapt poll_adapt[NCPU];
/*
 * Off by default: on a quiet host (load 0.3, floor < 150 ns) adapt=1 made
 * an offloaded getppid 15.1 us against 1.9 us with the fixed windows: the
 * windows it predicts give up before a quick answer arrives.  It was tuned
 * on a host at load 9-20 only.  adapt=1 turns it on.
 */
int adapt_on __read_mostly = 0;

/* "adapt: cpuN hits H giveups G skips S avg_polls A" per cpu that waited (stats_format) */
int adapt_format(char *buf, int n)
{
	int len = 0;
	for (int i = 0; i < ncpu && len < n; i++) {
		struct poll_adapt *a = &poll_adapt[i];
		if (!a->hits && !a->giveups)
			continue;
		len += snprintf(buf + len, (size_t)(n - len),
				"adapt%s: cpu%d hits %lu giveups %lu skips %lu avg_polls %u\n",
				adapt_on ? "" : " (off)", i, a->hits, a->giveups, a->skips,
				a->avg16 >> 4);
	}
	return len;
}
