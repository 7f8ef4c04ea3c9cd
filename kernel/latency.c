/* Cycle stamps for latency=1 (kernel/latency.h): calibration and conversion. */
#include "kernel/latency.h"
#include "kernel/cmdline.h"
#include "kernel/platform.h"
#include "kernel/param.h"

int latency_on __read_mostly;
static uint64_t cycles_per_ms __read_mostly;

/* Count cycles across 10 ms of the time CSR (whose rate the device tree gives). */
void latency_init(void)
{
	latency_on = cmdline.latency;
	if (!latency_on)
		return;
	uint64_t span = plat.timebase / 100;
	uint64_t t0 = r_time(), c0 = lat_stamp();
	while (r_time() - t0 < span)
		;
	uint64_t c1 = lat_stamp(), t1 = r_time();
	cycles_per_ms = (c1 - c0) * plat.timebase / ((t1 - t0) * 1000);
	if (cycles_per_ms == 0)
		latency_on = 0;	/* no usable cycle counter */
}

uint64_t lat_to_ns(uint64_t cycles)
{
	return cycles_per_ms ? cycles * 1000000 / cycles_per_ms : 0;
}
